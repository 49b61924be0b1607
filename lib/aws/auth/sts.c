/*
 * sts.c: see sts.h.  Wire format from the STS API reference: AssumeRole and
 * AssumeRoleWithWebIdentity are Query actions (POST, form body, Version
 * 2011-06-15) answered with
 *   <XResponse><XResult><Credentials><AccessKeyId>..</AccessKeyId>
 *   <SecretAccessKey>..</SecretAccessKey><SessionToken>..</SessionToken>
 *   <Expiration>2011-07-15T23:28:33.359Z</Expiration></Credentials>...
 * and errors as
 *   <ErrorResponse><Error><Type>Sender</Type><Code>..</Code>
 *   <Message>..</Message></Error><RequestId>..</RequestId></ErrorResponse>
 * The answers are small and flat, so util/xml.h's element lookup is
 * enough; entities are decoded because a Message may carry them.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "private/sts.h"
#include "sigv4.h"
#include "secret.h"
#include "time.h"
#include "xml.h"

#define FORM_TYPE	"application/x-www-form-urlencoded; charset=utf-8"

static int
oom(struct uktv_error *err)
{
	return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
}

int
uktv_sts_parse_credentials(const char *xml, const char *source,
    struct uktv_creds *out, struct uktv_error *err)
{
	static const char *const fields[] = {
		"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"
	};
	char *v[4] = { NULL, NULL, NULL, NULL }, *block = NULL;
	const char *inner;
	size_t len;
	time_t exp;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	/* Look inside <Credentials> only: nothing else may be taken for a key. */
	if (xml == NULL || uktv_xml_find(xml, "Credentials", &inner, &len) == -1)
		return uktv_error_set(err, UKTV_ERR_SERVICE,
		    "STS answer has no <Credentials>");
	if ((block = strndup(inner, len)) == NULL)
		return oom(err);
	for (size_t i = 0; i < 4; i++) {
		if ((v[i] = uktv_xml_text(block, fields[i])) == NULL ||
		    v[i][0] == '\0') {
			uktv_error_set(err, UKTV_ERR_SERVICE,
			    "STS answer has no %s", fields[i]);
			goto done;
		}
	}
	if (uktv_time_parse_epoch(v[3], &exp) == -1) {
		uktv_error_set(err, UKTV_ERR_SERVICE,
		    "STS answer's Expiration is not an ISO 8601 time");
		goto done;
	}
	if ((out->access_key_id = strdup(v[0])) == NULL ||
	    (out->secret_access_key = strdup(v[1])) == NULL ||
	    (out->session_token = strdup(v[2])) == NULL) {
		uktv_creds_wipe(out);
		oom(err);
		goto done;
	}
	out->expiration = exp;
	out->source = source;
	rc = 0;
done:
	for (size_t i = 0; i < 4; i++)
		uktv_secret_free(v[i]);
	uktv_secret_free(block);
	return rc;
}

static int
code_in(const char *code, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(code, *list) == 0)
			return 1;
	return 0;
}

void
uktv_sts_parse_error(long status, const char *xml, struct uktv_error *err)
{
	/* STS API reference, "Errors" of AssumeRole/AssumeRoleWithWebIdentity,
	 * and the common errors. */
	static const char *const auth[] = {
		"AccessDenied", "AccessDeniedException", "SignatureDoesNotMatch",
		"InvalidClientTokenId", "ExpiredToken", "ExpiredTokenException",
		"IncompleteSignature", "MissingAuthenticationToken",
		"InvalidIdentityToken", "IDPRejectedClaim",
		"UnrecognizedClientException", "InvalidAccessKeyId",
		"AuthFailure", "NotAuthorized", NULL
	};
	static const char *const transient[] = {
		"Throttling", "ThrottlingException", "RequestLimitExceeded",
		"IDPCommunicationError", "InternalFailure", "InternalError",
		"ServiceUnavailable", "RequestTimeout", NULL
	};
	static const char *const config[] = {
		"ValidationError", "MalformedPolicyDocument",
		"PackedPolicyTooLarge", "RegionDisabledException",
		"InvalidParameterValue", "InvalidParameterCombination",
		"MissingParameter", NULL
	};
	char *code = NULL, *msg = NULL, *rid = NULL;

	if (err == NULL)
		return;
	uktv_error_clear(err);
	err->http_status = status;
	if (xml != NULL && strchr(xml, '<') != NULL) {
		code = uktv_xml_text(xml, "Code");
		msg = uktv_xml_text(xml, "Message");
		rid = uktv_xml_text(xml, "RequestId");
	}
	/* A code or request id is one token: what follows white space or a
	 * control character is not part of it (and must not split a line). */
	if (code != NULL)
		code[strcspn(code, " \t\r\n\v\f")] = '\0';
	if (rid != NULL)
		rid[strcspn(rid, " \t\r\n\v\f")] = '\0';
	if (code != NULL && code[0] != '\0')
		strlcpy(err->code, code, sizeof(err->code));
	else
		snprintf(err->code, sizeof(err->code), "HTTP%ld", status);
	if (rid != NULL)
		strlcpy(err->request_id, rid, sizeof(err->request_id));

	if (code_in(err->code, auth) || status == 401 ||
	    (status == 403 && code == NULL))
		err->kind = UKTV_ERR_NOPERM;
	else if (code_in(err->code, transient) || status >= 500 ||
	    status == 429) {
		err->kind = UKTV_ERR_UNAVAILABLE;
		err->retryable = 1;
	} else if (code_in(err->code, config))
		err->kind = UKTV_ERR_CONFIG;
	else
		err->kind = UKTV_ERR_SERVICE;
	snprintf(err->message, sizeof(err->message), "%s%s%s (HTTP %ld)",
	    err->code, msg != NULL && msg[0] != '\0' ? ": " : "",
	    msg != NULL ? msg : "", status);
	for (char *p = err->message; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	free(code);
	free(msg);
	free(rid);
}

/* ---------------------------------------------------------------- */
/* Requests                                                          */
/* ---------------------------------------------------------------- */

int
uktv_sts_session_name_valid(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n < 2 || n > UKTV_STS_SESSION_NAME_MAX)
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("+=,.@_-", *s) == NULL)
			return 0;
	return 1;
}

/* Appends "&name=value" (value percent-encoded) to *body. */
static int
form_add(char **body, const char *name, const char *value)
{
	char *enc, *nb;
	int n;

	if ((enc = uktv_http_urlencode(value)) == NULL)
		return -1;
	n = asprintf(&nb, "%s&%s=%s", *body, name, enc);
	uktv_secret_free(enc);
	if (n == -1)
		return -1;
	uktv_secret_free(*body);
	*body = nb;
	return 0;
}

char *
uktv_sts_form_body(const struct uktv_sts_request *r, const char *action)
{
	char *body, num[32];

	if (asprintf(&body, "Action=%s&Version=%s", action,
	    UKTV_STS_VERSION) == -1)
		return NULL;
	if (form_add(&body, "RoleArn", r->role_arn ? r->role_arn : "") == -1 ||
	    form_add(&body, "RoleSessionName",
	    r->role_session_name ? r->role_session_name : "") == -1)
		goto fail;
	if (r->duration_seconds > 0) {
		snprintf(num, sizeof(num), "%ld", r->duration_seconds);
		if (form_add(&body, "DurationSeconds", num) == -1)
			goto fail;
	}
	if (strcmp(action, "AssumeRole") == 0 && r->external_id != NULL &&
	    form_add(&body, "ExternalId", r->external_id) == -1)
		goto fail;
	if (strcmp(action, "AssumeRoleWithWebIdentity") == 0 &&
	    form_add(&body, "WebIdentityToken", r->web_identity_token ?
	    r->web_identity_token : "") == -1)
		goto fail;
	return body;
fail:
	uktv_secret_free(body);
	return NULL;
}

/*
 * The URL to post to, the Host header value and the path for endpoint:
 * "http://h:1234/base" gives "http://h:1234/base/", "h:1234" and "/base/".
 * A default port is not part of the signed Host (curl leaves it out of the
 * header it sends).  Caller frees all three.
 */
static int
split_endpoint(const char *endpoint, char **url, char **host, char **path)
{
	const char *p, *slash;
	size_t hl;

	*url = *host = *path = NULL;
	if ((p = strstr(endpoint, "://")) == NULL || p[3] == '\0' ||
	    p[3] == '/')
		return -1;
	p += 3;
	slash = strchr(p, '/');
	*host = slash != NULL ? strndup(p, slash - p) : strdup(p);
	if (asprintf(path, "%s/", slash != NULL ? slash : "") == -1)
		*path = NULL;
	if (*host == NULL || *path == NULL) {
		free(*host);
		free(*path);
		*host = *path = NULL;
		return -1;
	}
	/* "/base//" when the endpoint ended in '/': one is enough. */
	hl = strlen(*path);
	if (hl > 1 && (*path)[hl - 2] == '/')
		(*path)[hl - 1] = '\0';
	hl = strlen(*host);
	if (strncasecmp(endpoint, "https://", 8) == 0 && hl > 4 &&
	    strcmp(*host + hl - 4, ":443") == 0)
		(*host)[hl - 4] = '\0';
	else if (strncasecmp(endpoint, "http://", 7) == 0 && hl > 3 &&
	    strcmp(*host + hl - 3, ":80") == 0)
		(*host)[hl - 3] = '\0';
	if (asprintf(url, "%.*s%s", (int)(p - endpoint) + (int)(slash != NULL ?
	    (size_t)(slash - p) : strlen(p)), endpoint, *path) == -1) {
		free(*host);
		free(*path);
		*url = *host = *path = NULL;
		return -1;
	}
	return 0;
}

/* One STS call: source NULL sends it unsigned. */
static int
sts_call(struct uktv_http *http, const struct uktv_sts_request *r,
    const char *action, const struct uktv_creds *source,
    const char *out_source, struct uktv_creds *out, struct uktv_error *err)
{
	struct uktv_http_response resp = { 0 };
	struct uktv_header hdrs[8], *sig = NULL;
	struct uktv_sigv4_config cfg = { 0 };
	struct uktv_sigv4_creds sc;
	struct uktv_sigv4_request sr;
	size_t nh = 0, nsig = 0;
	char *body = NULL, *host = NULL, *path = NULL, *url = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (r->endpoint == NULL || r->role_arn == NULL ||
	    r->role_session_name == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL,
		    "STS %s: endpoint, role ARN and session name are required",
		    action);
	if (split_endpoint(r->endpoint, &url, &host, &path) == -1) {
		uktv_error_set(err, UKTV_ERR_CONFIG, "STS endpoint \"%s\" is "
		    "not a URL (scheme://host)", r->endpoint);
		goto done;
	}
	if ((body = uktv_sts_form_body(r, action)) == NULL) {
		oom(err);
		goto done;
	}
	hdrs[nh].name = "Host";
	hdrs[nh++].value = host;
	hdrs[nh].name = "Content-Type";
	hdrs[nh++].value = FORM_TYPE;
	if (source != NULL) {
		sc.access_key_id = source->access_key_id;
		sc.secret_access_key = source->secret_access_key;
		sc.session_token = source->session_token;
		cfg.region = r->region != NULL ? r->region : "us-east-1";
		cfg.service = "sts";
		cfg.now = r->now != 0 ? r->now : time(NULL);
		cfg.normalize_path = 1;
		cfg.double_encode = 1;
		sr.method = "POST";
		sr.path = path;
		sr.query = NULL;
		sr.headers = hdrs;
		sr.nheaders = nh;
		sr.body = body;
		sr.body_len = strlen(body);
		if (uktv_sigv4_sign_headers(NULL, &cfg, &sc, &sr, &sig, &nsig,
		    err) == -1)
			goto done;
		if (nh + nsig > sizeof(hdrs) / sizeof(hdrs[0])) {
			uktv_error_set(err, UKTV_ERR_INTERNAL,
			    "too many signed headers");
			goto done;
		}
		for (size_t i = 0; i < nsig; i++)
			hdrs[nh++] = sig[i];
	}
	/* curl sends its own Host; ours (first) was only for signing. */
	if (uktv_http_request(http, "POST", url, hdrs + 1, nh - 1, body,
	    strlen(body), &resp, err) == -1) {
		uktv_error_prefix(err, "STS %s at %s", action, r->endpoint);
		goto done;
	}
	if (resp.status < 200 || resp.status >= 300) {
		uktv_sts_parse_error(resp.status, resp.body, err);
		uktv_error_prefix(err, "STS %s", action);
		goto done;
	}
	if (uktv_sts_parse_credentials(resp.body, out_source, out, err) == -1)
		goto done;
	rc = 0;
done:
	uktv_creds_response_free(&resp);
	uktv_sigv4_headers_free(sig, nsig);
	uktv_secret_free(body);
	free(host);
	free(path);
	free(url);
	return rc;
}

int
uktv_sts_assume_role(struct uktv_http *http, const struct uktv_sts_request *r,
    const struct uktv_creds *source, struct uktv_creds *out,
    struct uktv_error *err)
{
	if (source == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL,
		    "STS AssumeRole needs source credentials");
	return sts_call(http, r, "AssumeRole", source, "assume-role", out, err);
}

int
uktv_sts_assume_role_with_web_identity(struct uktv_http *http,
    const struct uktv_sts_request *r, struct uktv_creds *out,
    struct uktv_error *err)
{
	return sts_call(http, r, "AssumeRoleWithWebIdentity", NULL,
	    "web-identity", out, err);
}
