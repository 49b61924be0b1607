/*
 * fuzz_awsconf.c: the profile files (~/.aws/config and ~/.aws/credentials)
 * as lib/aws/auth/awsconf.c parses them: sections, [profile NAME], [sso-session
 * NAME], [services NAME] endpoint blocks, indented sub-values, comments,
 * odd whitespace; then the values, endpoints, retry settings and (for
 * profiles that do not run a credential_process) the credentials chain:
 * source_profile chains and their loops, assume-role and SSO answers from
 * the fake transport.
 *
 * Input: one byte (which profile), then the config text, FUZZ_HTTP_SEP, the
 * credentials text, FUZZ_HTTP_SEP, the transport script.
 *
 * Checks, beyond "no crash, no leak": error messages are one line;
 * resolved credentials are complete.
 */
#include <sys/mman.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "private/awsconf.h"
#include "chain.h"
#include "endpoints.h"
#include "awsservice.h"
#include "http.h"
#include "fuzz.h"

#define CONFIG_FD	200
#define CREDS_FD	201

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int a, b;

	(void)argc;
	(void)argv;
	fuzz_env();
	/* Two memory files at fixed descriptors, rewritten per input, so the
	 * environment (read by awsconf) never changes. */
	if ((a = memfd_create("config", 0)) == -1 ||
	    (b = memfd_create("credentials", 0)) == -1 ||
	    dup2(a, CONFIG_FD) == -1 || dup2(b, CREDS_FD) == -1)
		abort();
	close(a);
	close(b);
	setenv("AWS_CONFIG_FILE", "/proc/self/fd/200", 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/proc/self/fd/201", 1);
	/* No SSO cache, no web identity file to find by accident. */
	setenv("HOME", "/nonexistent-uktv-fuzz", 1);
	return 0;
}

static void
fill(int fd, const uint8_t *p, size_t n)
{
	if (ftruncate(fd, 0) == -1)
		abort();
	if (n > 0 && pwrite(fd, p, n, 0) != (ssize_t)n)
		abort();
}

static void
check_err(const struct uktv_error *err)
{
	FUZZ_CHECK(memchr(err->message, '\0', sizeof(err->message)) != NULL,
	    "message not terminated");
	if (strchr(err->message, '\n') != NULL)
		fprintf(stderr, "message: %s\n", err->message);
	FUZZ_CHECK(strchr(err->message, '\n') == NULL, "message spans lines");
	/* Not checked for the files' secrets: a message names profiles and
	 * keys, and the fuzzer soon moves a secret's text into a name. */
}

/* Never resolve credentials for input that names a credential_process
 * (the chain would run it through /bin/sh) or a web identity token file
 * (it would read any path, /dev/stdin included). */
static int
names_key(const uint8_t *p, size_t n, const char *key)
{
	size_t k = strlen(key);

	for (size_t i = 0; i + k <= n; i++) {
		size_t j;

		for (j = 0; j < k; j++)
			if (tolower(p[i + j]) != key[j])
				break;
		if (j == k)
			return 1;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const profiles[] = {
		NULL, "default", "dev", "role", "sso", "chain", "a b", ""
	};
	static const char *const keys[] = {
		"region", "role_arn", "source_profile", "sso_session",
		"endpoint_url", "services", "max_attempts", "retry_mode",
		"aws_secret_access_key", "s3"
	};
	static const struct uktv_aws_service *const svcs[] = {
		&uktv_svc_dynamodb, &uktv_svc_kinesis, &uktv_svc_dynamodb_streams,
		&uktv_svc_secretsmanager, &uktv_svc_sts, &uktv_svc_s3,
		&uktv_svc_sso, &uktv_svc_sso_oidc
	};
	struct uktv_awsconf_opts o = { 0 };
	struct uktv_awsconf *c;
	struct uktv_error err;
	const struct uktv_creds *cr;
	struct fuzz_in in;
	const uint8_t *sep;
	size_t k, seplen = strlen(FUZZ_HTTP_SEP);
	unsigned op;
	char *url;

	if (size < 1)
		return 0;
	op = data[0];
	in.p = data + 1;
	in.n = size - 1;
	/* config, credentials, then the transport script */
	sep = memmem(in.p, in.n, FUZZ_HTTP_SEP, seplen);
	k = sep ? (size_t)(sep - in.p) : in.n;
	fill(CONFIG_FD, in.p, k);
	in.p += sep ? k + seplen : k;
	in.n -= sep ? k + seplen : k;
	sep = memmem(in.p, in.n, FUZZ_HTTP_SEP, seplen);
	k = sep ? (size_t)(sep - in.p) : in.n;
	fill(CREDS_FD, in.p, k);
	in.p += sep ? k + seplen : k;
	in.n -= sep ? k + seplen : k;
	fuzz_http_script(in.p, in.n);

	o.profile = profiles[op & 7];
	o.region = (op & 0x08) ? "us-east-1" : NULL;
	uktv_error_clear(&err);
	if ((c = uktv_awsconf_load(&o, &err)) == NULL) {
		check_err(&err);
		fuzz_http_reset();
		return 0;
	}
	(void)uktv_awsconf_profile_name(c);
	(void)uktv_awsconf_region(c);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		(void)uktv_awsconf_get(c, keys[i]);
		(void)uktv_awsconf_profile_get(c, "dev", keys[i]);
		(void)uktv_awsconf_sso_session_get(c, "s", keys[i]);
	}
	(void)uktv_awsconf_profile_exists(c, "dev");
	(void)uktv_awsconf_max_attempts(c);
	(void)uktv_awsconf_retry_mode(c);
	for (size_t i = 0; i < sizeof(svcs) / sizeof(svcs[0]); i++) {
		uktv_error_clear(&err);
		if ((url = uktv_endpoints_url(c, svcs[i], &err)) != NULL) {
			FUZZ_CHECK(url[0] != '\0', "empty endpoint URL");
			free(url);
		} else
			check_err(&err);
	}
	/* With a profile named, the environment's keys are skipped and the
	 * chain reads the files (bit 0x40 asks for it). */
	if ((op & 0x40) && o.profile != NULL && !names_key(data, size, "credential_process") &&
	    !names_key(data, size, "web_identity_token_file")) {
		struct uktv_http *http = uktv_http_new(NULL, NULL);

		uktv_error_clear(&err);
		if ((cr = uktv_awsconf_credentials(c, http, &err)) != NULL)
			FUZZ_CHECK(cr->access_key_id != NULL &&
			    cr->secret_access_key != NULL,
			    "credentials without key id or secret");
		else
			check_err(&err);
		uktv_http_free(http);
	}
	uktv_awsconf_free(c);
	fuzz_http_reset();
	return 0;
}
