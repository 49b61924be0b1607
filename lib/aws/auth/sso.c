/*
 * sso.c: see sso.h.  Wire formats from the IAM Identity Center Portal API
 * (GetRoleCredentials: GET /federation/credentials, answer
 * {"roleCredentials":{"accessKeyId","secretAccessKey","sessionToken",
 * "expiration" (ms)}}) and the SSO-OIDC API (CreateToken: POST /token with a
 * JSON body, answer {"accessToken","expiresIn","refreshToken",...}, errors
 * {"error":"invalid_grant","error_description":...}); the cache's layout and
 * refresh rules are botocore's (SSOTokenProvider, JSONFileCache).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "fileio.h"
#include "secret.h"
#include "sso.h"
#include "time.h"

#define MAX_CACHE_FILE	(64L * 1024)

static int
oom(struct uktv_error *err)
{
	return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
}

static void
json_put_wiped(struct json_object *o)
{
	uktv_creds_json_wipe(o);
	json_object_put(o);
}

static void
iso_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---------------------------------------------------------------- */
/* Cache                                                             */
/* ---------------------------------------------------------------- */

char *
uktv_sso_cache_path(const char *home, const char *key)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char hex[2 * EVP_MAX_MD_SIZE + 1], *path;

	if (EVP_Digest(key, strlen(key), md, &mdlen, EVP_sha1(), NULL) != 1)
		return NULL;
	for (unsigned int i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[2 * mdlen] = '\0';
	if (asprintf(&path, "%s/.aws/sso/cache/%s.json", home != NULL ? home :
	    "", hex) == -1)
		return NULL;
	return path;
}

/* Reads the cache file: 1 with *text (caller wipes), 0 missing, -1 err
 * (UKTV_ERR_CONFIG: a cache we cannot read is the login's problem). */
static int
read_file(const char *path, char **text, struct uktv_error *err)
{
	int rc;

	if ((rc = uktv_creds_file_read(path, MAX_CACHE_FILE, text, NULL,
	    err)) == -1 && err != NULL && err->kind == UKTV_ERR_IO)
		err->kind = UKTV_ERR_CONFIG;
	return rc;
}

/* Parses a cache document; NULL when it is not a JSON object. */
static struct json_object *
parse_doc(const char *text)
{
	struct json_tokener *tok;
	struct json_object *o;

	if ((tok = json_tokener_new()) == NULL)
		return NULL;
	o = json_tokener_parse_ex(tok, text, (int)strlen(text));
	if (o != NULL && (json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(o, json_type_object))) {
		json_put_wiped(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

void
uktv_sso_token_wipe(struct uktv_sso_token *t)
{
	if (t == NULL)
		return;
	uktv_secret_free(t->access_token);
	uktv_secret_free(t->refresh_token);
	uktv_secret_free(t->client_id);
	uktv_secret_free(t->client_secret);
	memset(t, 0, sizeof(*t));
}

static int
dup_opt(char **dst, const char *v)
{
	*dst = NULL;
	if (v == NULL || v[0] == '\0')
		return 0;
	return (*dst = strdup(v)) == NULL ? -1 : 0;
}

int
uktv_sso_token_read(const char *path, struct uktv_sso_token *t,
    struct uktv_error *err)
{
	struct json_object *o;
	const char *v;
	char *text;
	int rc;

	memset(t, 0, sizeof(*t));
	if ((rc = read_file(path, &text, err)) <= 0)
		return rc;
	o = parse_doc(text);
	explicit_bzero(text, strlen(text));
	free(text);
	if (o == NULL)
		return uktv_error_set(err, UKTV_ERR_CONFIG,
		    "%s is not a JSON object", path);
	rc = -1;
	if ((v = uktv_creds_json_str(o, "accessToken")) == NULL || v[0] == '\0') {
		uktv_error_set(err, UKTV_ERR_CONFIG, "%s has no accessToken",
		    path);
		goto done;
	}
	if ((t->access_token = strdup(v)) == NULL) {
		oom(err);
		goto done;
	}
	if (uktv_time_parse_epoch(uktv_creds_json_str(o, "expiresAt"),
	    &t->expires_at) == -1) {
		uktv_error_set(err, UKTV_ERR_CONFIG, "%s: expiresAt is missing "
		    "or not an ISO 8601 time", path);
		goto done;
	}
	if ((v = uktv_creds_json_str(o, "registrationExpiresAt")) != NULL &&
	    uktv_time_parse_epoch(v, &t->registration_expires_at) == -1) {
		uktv_error_set(err, UKTV_ERR_CONFIG, "%s: registrationExpiresAt "
		    "is not an ISO 8601 time", path);
		goto done;
	}
	if (dup_opt(&t->refresh_token, uktv_creds_json_str(o, "refreshToken")) == -1 ||
	    dup_opt(&t->client_id, uktv_creds_json_str(o, "clientId")) == -1 ||
	    dup_opt(&t->client_secret, uktv_creds_json_str(o, "clientSecret")) == -1) {
		oom(err);
		goto done;
	}
	rc = 1;
done:
	if (rc != 1)
		uktv_sso_token_wipe(t);
	json_put_wiped(o);
	return rc;
}

int
uktv_sso_token_refreshable(const struct uktv_sso_token *t, time_t now)
{
	return t->refresh_token != NULL && t->client_id != NULL &&
	    t->client_secret != NULL &&
	    (t->registration_expires_at == 0 || t->registration_expires_at > now);
}

int
uktv_sso_token_write(const char *path, const struct uktv_sso_token *t,
    struct uktv_error *err)
{
	struct uktv_atomic_file af;
	struct json_object *o = NULL, *s;
	const char *out;
	char *text = NULL, when[32];
	int rc = -1, r;

	/* Keep what the CLI wrote (startUrl, region, scopes ...). */
	if ((r = read_file(path, &text, err)) == -1)
		return -1;
	if (r == 1) {
		o = parse_doc(text);
		explicit_bzero(text, strlen(text));
		free(text);
	}
	if (o == NULL && (o = json_object_new_object()) == NULL)
		return oom(err);
	iso_time(t->expires_at, when, sizeof(when));
	if ((s = json_object_new_string(t->access_token)) == NULL ||
	    json_object_object_add(o, "accessToken", s) != 0 ||
	    (s = json_object_new_string(when)) == NULL ||
	    json_object_object_add(o, "expiresAt", s) != 0 ||
	    (t->refresh_token != NULL &&
	    ((s = json_object_new_string(t->refresh_token)) == NULL ||
	    json_object_object_add(o, "refreshToken", s) != 0))) {
		oom(err);
		goto done;
	}
	out = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (out == NULL) {
		oom(err);
		goto done;
	}
	/* 0600: the cache holds secrets.  Unbuffered, so that no copy of the
	 * token is left in a stdio buffer freed unwiped.  A reader (another
	 * uktv, the AWS CLI) sees the old token or the new one, never half. */
	if (uktv_atomic_open(&af, path, 0600, 0, "the SSO token cache",
	    err) == -1)
		goto done;
	setvbuf(af.fp, NULL, _IONBF, 0);
	if (fwrite(out, 1, strlen(out), af.fp) != strlen(out)) {
		uktv_error_set(err, UKTV_ERR_IO, "cannot write the SSO token "
		    "cache %s: %s", path, strerror(errno != 0 ? errno : EIO));
		uktv_atomic_abort(&af);
		goto done;
	}
	if (uktv_atomic_commit(&af, err) == -1)
		goto done;
	rc = 0;
done:
	/* The serialised string is owned by o: wiping o's strings is not
	 * enough, so wipe the buffer json-c keeps for it too. */
	if (o != NULL) {
		const char *ser = json_object_get_string(o);

		if (ser != NULL)
			explicit_bzero((char *)ser, strlen(ser));
	}
	json_put_wiped(o);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Calls                                                             */
/* ---------------------------------------------------------------- */

/* The error code of a JSON (restJson1) answer: X-Amzn-ErrorType, then
 * "__type", "error" (OIDC's OAuth-style body) or "code". */
static void
json_error(const struct uktv_http_response *resp, const char *what,
    struct uktv_error *err, const char *const *auth)
{
	struct json_object *o = NULL;
	const char *h, *c = NULL, *m = NULL;
	char code[96] = "";

	if (err == NULL)
		return;
	uktv_error_clear(err);
	err->http_status = resp->status;
	if (resp->body != NULL && resp->body[0] == '{')
		o = parse_doc(resp->body);
	if ((h = uktv_http_header_get(resp, "X-Amzn-ErrorType")) != NULL)
		strlcpy(code, h, sizeof(code));
	else if ((c = uktv_creds_json_str(o, "__type")) != NULL ||
	    (c = uktv_creds_json_str(o, "error")) != NULL ||
	    (c = uktv_creds_json_str(o, "code")) != NULL)
		strlcpy(code, c, sizeof(code));
	code[strcspn(code, ":")] = '\0';
	if (strrchr(code, '#') != NULL)
		memmove(code, strrchr(code, '#') + 1,
		    strlen(strrchr(code, '#') + 1) + 1);
	if (code[0] == '\0')
		snprintf(code, sizeof(code), "HTTP%ld", resp->status);
	strlcpy(err->code, code, sizeof(err->code));
	if ((m = uktv_creds_json_str(o, "message")) == NULL &&
	    (m = uktv_creds_json_str(o, "Message")) == NULL)
		m = uktv_creds_json_str(o, "error_description");
	if ((h = uktv_http_header_get(resp, "x-amzn-RequestId")) != NULL)
		strlcpy(err->request_id, h, sizeof(err->request_id));

	err->kind = UKTV_ERR_SERVICE;
	if (resp->status == 401 || resp->status == 403)
		err->kind = UKTV_ERR_NOPERM;
	for (; *auth != NULL; auth++)
		if (strcmp(code, *auth) == 0)
			err->kind = UKTV_ERR_NOPERM;
	if (resp->status >= 500 || resp->status == 429 ||
	    strcmp(code, "TooManyRequestsException") == 0 ||
	    strcmp(code, "SlowDownException") == 0 ||
	    strcmp(code, "InternalServerException") == 0) {
		err->kind = UKTV_ERR_UNAVAILABLE;
		err->retryable = 1;
	}
	snprintf(err->message, sizeof(err->message), "%s: %s%s%s (HTTP %ld)",
	    what, code, m != NULL ? ": " : "", m != NULL ? m : "",
	    resp->status);
	for (char *p = err->message; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	json_object_put(o);
}

/* endpoint + path, without a doubled '/'. */
static char *
join(const char *endpoint, const char *path)
{
	size_t n = strlen(endpoint);
	char *u;

	while (n > 0 && endpoint[n - 1] == '/')
		n--;
	if (asprintf(&u, "%.*s%s", (int)n, endpoint, path) == -1)
		return NULL;
	return u;
}

int
uktv_sso_refresh(struct uktv_http *http, const char *endpoint,
    struct uktv_sso_token *t, time_t now, struct uktv_error *err)
{
	/* SSO-OIDC API reference, CreateToken errors. */
	static const char *const auth[] = {
		"InvalidGrantException", "invalid_grant", "ExpiredTokenException",
		"expired_token", "InvalidClientException", "invalid_client",
		"UnauthorizedClientException", "unauthorized_client",
		"AccessDeniedException", "access_denied", NULL
	};
	struct uktv_http_response resp = { 0 };
	struct uktv_header hdr = { "Content-Type", "application/json" };
	struct json_object *req = NULL, *ans = NULL, *v;
	const char *body, *at, *rt;
	char *url = NULL, *copy = NULL, *nat = NULL, *nrt = NULL;
	long long expires_in;
	int rc = -1;

	if (!uktv_sso_token_refreshable(t, now))
		return uktv_error_set(err, UKTV_ERR_NOPERM, "the SSO token "
		    "cache has no usable refresh token");
	if ((url = join(endpoint, "/token")) == NULL ||
	    (req = json_object_new_object()) == NULL ||
	    json_object_object_add(req, "clientId",
	    json_object_new_string(t->client_id)) != 0 ||
	    json_object_object_add(req, "clientSecret",
	    json_object_new_string(t->client_secret)) != 0 ||
	    json_object_object_add(req, "grantType",
	    json_object_new_string("refresh_token")) != 0 ||
	    json_object_object_add(req, "refreshToken",
	    json_object_new_string(t->refresh_token)) != 0 ||
	    (body = json_object_to_json_string_ext(req,
	    JSON_C_TO_STRING_PLAIN)) == NULL ||
	    (copy = strdup(body)) == NULL) {
		oom(err);
		goto done;
	}
	if (uktv_http_request(http, "POST", url, &hdr, 1, copy, strlen(copy),
	    &resp, err) == -1) {
		uktv_error_prefix(err, "SSO-OIDC CreateToken at %s", endpoint);
		goto done;
	}
	if (resp.status != 200) {
		json_error(&resp, "SSO-OIDC CreateToken", err, auth);
		goto done;
	}
	if ((ans = parse_doc(resp.body)) == NULL ||
	    (at = uktv_creds_json_str(ans, "accessToken")) == NULL || at[0] == '\0' ||
	    !json_object_object_get_ex(ans, "expiresIn", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    (expires_in = json_object_get_int64(v)) <= 0) {
		uktv_error_set(err, UKTV_ERR_SERVICE, "SSO-OIDC CreateToken "
		    "answered without accessToken and expiresIn");
		goto done;
	}
	rt = uktv_creds_json_str(ans, "refreshToken");
	if ((nat = strdup(at)) == NULL ||
	    (rt != NULL && rt[0] != '\0' && (nrt = strdup(rt)) == NULL)) {
		oom(err);
		goto done;
	}
	uktv_secret_free(t->access_token);
	t->access_token = nat;
	nat = NULL;
	t->expires_at = now + (time_t)expires_in;
	/* OIDC may rotate the refresh token; without a new one the old stays. */
	if (nrt != NULL) {
		uktv_secret_free(t->refresh_token);
		t->refresh_token = nrt;
		nrt = NULL;
	}
	rc = 0;
done:
	uktv_creds_response_free(&resp);
	if (req != NULL) {
		const char *ser = json_object_get_string(req);

		if (ser != NULL)
			explicit_bzero((char *)ser, strlen(ser));
	}
	json_put_wiped(req);
	json_put_wiped(ans);
	uktv_secret_free(copy);
	uktv_secret_free(nat);
	uktv_secret_free(nrt);
	free(url);
	return rc;
}

int
uktv_sso_role_credentials(struct uktv_http *http, const char *endpoint,
    const char *access_token, const char *account_id, const char *role_name,
    struct uktv_creds *out, struct uktv_error *err)
{
	static const char *const auth[] = {
		"UnauthorizedException", "ForbiddenException", NULL
	};
	struct uktv_http_response resp = { 0 };
	struct uktv_header hdr;
	struct json_object *ans = NULL, *rc_o, *v;
	const char *ak, *sk, *tk;
	char *erole = NULL, *eacct = NULL, *path = NULL, *url = NULL;
	long long ms = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if ((erole = uktv_http_urlencode(role_name)) == NULL ||
	    (eacct = uktv_http_urlencode(account_id)) == NULL ||
	    asprintf(&path, "/federation/credentials?role_name=%s&account_id=%s",
	    erole, eacct) == -1 || (url = join(endpoint, path)) == NULL) {
		oom(err);
		goto done;
	}
	hdr.name = "x-amz-sso_bearer_token";
	hdr.value = (char *)access_token;
	if (uktv_http_request(http, "GET", url, &hdr, 1, NULL, 0, &resp,
	    err) == -1) {
		uktv_error_prefix(err, "SSO GetRoleCredentials at %s", endpoint);
		goto done;
	}
	if (resp.status != 200) {
		json_error(&resp, "SSO GetRoleCredentials", err, auth);
		goto done;
	}
	if ((ans = parse_doc(resp.body)) == NULL ||
	    !json_object_object_get_ex(ans, "roleCredentials", &rc_o) ||
	    !json_object_is_type(rc_o, json_type_object) ||
	    (ak = uktv_creds_json_str(rc_o, "accessKeyId")) == NULL || ak[0] == '\0' ||
	    (sk = uktv_creds_json_str(rc_o, "secretAccessKey")) == NULL ||
	    sk[0] == '\0') {
		uktv_error_set(err, UKTV_ERR_SERVICE, "SSO GetRoleCredentials "
		    "answered without roleCredentials");
		goto done;
	}
	tk = uktv_creds_json_str(rc_o, "sessionToken");
	if (json_object_object_get_ex(rc_o, "expiration", &v) &&
	    (json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_double)))
		ms = json_object_get_int64(v);
	if ((out->access_key_id = strdup(ak)) == NULL ||
	    (out->secret_access_key = strdup(sk)) == NULL ||
	    (tk != NULL && tk[0] != '\0' &&
	    (out->session_token = strdup(tk)) == NULL)) {
		uktv_creds_wipe(out);
		oom(err);
		goto done;
	}
	out->expiration = ms > 0 ? (time_t)(ms / 1000) : 0;
	out->source = "sso";
	rc = 0;
done:
	uktv_creds_response_free(&resp);
	json_put_wiped(ans);	/* json_wipe descends into roleCredentials */
	free(erole);
	free(eacct);
	free(path);
	free(url);
	return rc;
}
