/*
 * fuzz_sts.c: the credential answers the credentials chain reads: STS
 * AssumeRole / AssumeRoleWithWebIdentity XML (credentials and errors,
 * lib/aws/auth/sts.c), the SSO token cache file, SSO-OIDC CreateToken and the
 * portal's GetRoleCredentials JSON (lib/aws/auth/sso.c), over the fake transport or
 * a memory file.
 *
 * Input: one byte choosing the parser, then the answer (or file) text.
 *
 * Checks, beyond "no crash, no leak": parsed credentials are complete
 * (key id and secret set); an error never carries a value from the answer
 * (the seeds put the marker SECRETMARK in every secret field, so a message
 * holding it leaked one); messages are one line.
 */
#include <sys/mman.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "credentials.h"
#include "http.h"
#include "sso.h"
#include "private/sts.h"
#include "xml.h"
#include "fuzz.h"

#define MARK	"SECRETMARK"

/* The input being run: a secret the answer itself carries may be quoted
 * back (that is no leak of ours), so the secret checks skip such input. */
static const uint8_t *cur;
static size_t curlen;

static int
input_has(const char *s)
{
	return memmem(cur, curlen, s, strlen(s)) != NULL;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_env();
	return 0;
}

static void
check_err(const struct uktv_error *err)
{
	FUZZ_CHECK(memchr(err->message, '\0', sizeof(err->message)) != NULL,
	    "message not terminated");
	FUZZ_CHECK(strchr(err->message, '\n') == NULL, "message spans lines");
	FUZZ_CHECK(strstr(err->message, MARK) == NULL,
	    "a secret value in an error message");
	if (!input_has(FUZZ_AWS_SECRET))
		FUZZ_CHECK(strstr(err->message, FUZZ_AWS_SECRET) == NULL,
		    "the source secret key in an error message");
}

/* For calls whose errors may quote the answer's own error text. */
static void
check_err_quoting(const struct uktv_error *err)
{
	FUZZ_CHECK(strchr(err->message, '\n') == NULL, "message spans lines");
	if (!input_has(FUZZ_AWS_SECRET))
		FUZZ_CHECK(strstr(err->message, FUZZ_AWS_SECRET) == NULL,
		    "the source secret key in an error message");
}

static void
check_creds(struct uktv_creds *c)
{
	FUZZ_CHECK(c->access_key_id != NULL && c->secret_access_key != NULL,
	    "credentials without key id or secret");
	uktv_creds_wipe(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uktv_creds c;
	struct uktv_error err;
	struct uktv_http *http;
	char *xml, *t;
	unsigned op;
	int rc;

	if (size < 1)
		return 0;
	cur = data;
	curlen = size;
	op = data[0];
	data++;
	size--;
	if ((xml = malloc(size + 1)) == NULL)
		abort();
	memcpy(xml, data, size);
	xml[size] = '\0';
	memset(&c, 0, sizeof(c));
	uktv_error_clear(&err);

	switch (op & 7) {
	case 0:
		if (uktv_sts_parse_credentials(xml, "assume-role", &c, &err) == 0)
			check_creds(&c);
		else
			check_err(&err);
		break;
	case 1:
		uktv_sts_parse_error(200 + (op >> 3) * 10, xml, &err);
		FUZZ_CHECK(strchr(err.message, '\n') == NULL,
		    "message spans lines");
		FUZZ_CHECK(strchr(err.code, '\n') == NULL, "code spans lines");
		FUZZ_CHECK(err.kind != UKTV_ERR_NONE, "error without a kind");
		t = uktv_xml_text(xml, (op & 0x80) ? "Code" : "SessionToken");
		free(t);
		break;
	case 2:
	case 3: {
		struct uktv_sts_request req = { 0 };
		struct uktv_creds src = { 0 };

		fuzz_http_script(data, size);
		if ((http = uktv_http_new(NULL, NULL)) == NULL)
			abort();
		req.endpoint = "https://sts.eu-west-2.amazonaws.com";
		req.region = "eu-west-2";
		req.role_arn = "arn:aws:iam::123456789012:role/uktv";
		req.role_session_name = "uktv-fuzz";
		req.duration_seconds = 900;
		req.web_identity_token = "eyJraWQiOiJ0ZXN0In0.e30.c2ln";
		req.now = 1700000000;
		src.access_key_id = "AKIDFUZZFUZZFUZZFUZZ";
		src.secret_access_key = FUZZ_AWS_SECRET;
		if ((op & 7) == 2)
			rc = uktv_sts_assume_role(http, &req, &src, &c, &err);
		else
			rc = uktv_sts_assume_role_with_web_identity(http, &req,
			    &c, &err);
		if (rc == 0)
			check_creds(&c);
		else
			check_err_quoting(&err);
		uktv_http_free(http);
		fuzz_http_reset();
		break;
	}
	case 4: {
		struct uktv_sso_token tok;
		char path[64];
		int fd = memfd_create("sso-cache", 0);

		if (fd == -1)
			abort();
		if (size > 0 && write(fd, data, size) != (ssize_t)size)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		memset(&tok, 0, sizeof(tok));
		rc = uktv_sso_token_read(path, &tok, &err);
		if (rc == 1) {
			FUZZ_CHECK(tok.access_token != NULL,
			    "token read without an access token");
			(void)uktv_sso_token_refreshable(&tok, 1700000000);
			uktv_sso_token_wipe(&tok);
		} else if (rc == -1)
			check_err(&err);
		close(fd);
		break;
	}
	case 5: {
		struct uktv_sso_token tok = { 0 };

		fuzz_http_script(data, size);
		if ((http = uktv_http_new(NULL, NULL)) == NULL)
			abort();
		tok.access_token = strdup("old" MARK "access");
		tok.refresh_token = strdup("old" MARK "refresh");
		tok.client_id = strdup("client");
		tok.client_secret = strdup("client" MARK);
		tok.expires_at = 1700000000;
		if (uktv_sso_refresh(http, "https://oidc.eu-west-2.amazonaws.com",
		    &tok, 1700000000, &err) == 0)
			FUZZ_CHECK(tok.access_token != NULL,
			    "refresh without an access token");
		else
			check_err_quoting(&err);
		uktv_sso_token_wipe(&tok);
		uktv_http_free(http);
		fuzz_http_reset();
		break;
	}
	default:
		fuzz_http_script(data, size);
		if ((http = uktv_http_new(NULL, NULL)) == NULL)
			abort();
		if (uktv_sso_role_credentials(http,
		    "https://portal.sso.eu-west-2.amazonaws.com", MARK "token",
		    "123456789012", "ReadOnly", &c, &err) == 0)
			check_creds(&c);
		else
			check_err_quoting(&err);
		uktv_http_free(http);
		fuzz_http_reset();
		break;
	}
	free(xml);
	return 0;
}
