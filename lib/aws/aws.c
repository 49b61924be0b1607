/*
 * aws.c: see aws.h.  The retry policy is the AWS SDKs' "standard" mode
 * (AWS SDKs and Tools Reference Guide, "Retry behavior"): throttling and
 * transient errors are retried up to max_attempts, with full-jitter
 * exponential backoff capped at 20 s, while a retry quota (500 tokens, 5 per
 * retry, 10 per timeout retry, refunded on success) stops a client from
 * hammering a service that is down.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "aws.h"
#include "backoff.h"
#include "sigv4.h"
#include "xml.h"

#define RETRY_QUOTA_MAX		500
#define RETRY_COST		5
#define RETRY_TIMEOUT_COST	10
#define MAX_ENDPOINTS		8

struct endpoint {
	const struct uktv_aws_service *svc;
	char	*url;		/* scheme://host[:port][/base] */
	char	*host;		/* host[:port] for the Host header */
	char	*base;		/* path prefix without trailing '/', "" if none */
};

struct uktv_aws {
	struct uktv_awsconf		*conf;
	struct uktv_http		*http;
	struct uktv_sigv4_signer	*signer;
	struct endpoint			 endpoints[MAX_ENDPOINTS];
	size_t				 nendpoints;
	int				 max_attempts;
	long				 retry_quota;
	long				 backoff_base_ms;
	struct uktv_aws_stats		 stats;
};

struct uktv_aws *
uktv_aws_new(const struct uktv_aws_opts *opts, struct uktv_error *err)
{
	struct uktv_aws_opts none = { 0 };
	struct uktv_awsconf_opts copts = { 0 };
	struct uktv_http_opts hopts = { 0 };
	struct uktv_aws *aws;

	if (opts == NULL)
		opts = &none;
	if ((aws = calloc(1, sizeof(*aws))) == NULL) {
		uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	copts.profile = opts->profile;
	copts.region = opts->region;
	copts.endpoint_url = opts->endpoint_url;
	if ((aws->conf = uktv_awsconf_load(&copts, err)) == NULL)
		goto fail;
	hopts.connect_timeout_ms = opts->connect_timeout_ms;
	hopts.read_timeout_ms = opts->read_timeout_ms;
	hopts.attempt_timeout_ms = opts->attempt_timeout_ms;
	hopts.ca_bundle = opts->ca_bundle;
	if (hopts.ca_bundle == NULL)
		hopts.ca_bundle = uktv_awsconf_ca_bundle(aws->conf);
	hopts.trace = opts->trace;
	hopts.trace_arg = opts->trace_arg;
	if ((aws->http = uktv_http_new(&hopts, err)) == NULL)
		goto fail;
	if ((aws->signer = uktv_sigv4_signer_new()) == NULL) {
		uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
		goto fail;
	}
	aws->max_attempts = uktv_awsconf_max_attempts(aws->conf);
	if (aws->max_attempts < 1)
		aws->max_attempts = 1;
	aws->retry_quota = RETRY_QUOTA_MAX;
	aws->backoff_base_ms = uktv_awsconf_retry_base_ms(aws->conf);
	return aws;
fail:
	uktv_aws_free(aws);
	return NULL;
}

void
uktv_aws_free(struct uktv_aws *aws)
{
	if (aws == NULL)
		return;
	for (size_t i = 0; i < aws->nendpoints; i++) {
		free(aws->endpoints[i].url);
		free(aws->endpoints[i].host);
		free(aws->endpoints[i].base);
	}
	uktv_sigv4_signer_free(aws->signer);
	uktv_http_free(aws->http);
	uktv_awsconf_free(aws->conf);
	free(aws);
}

struct uktv_awsconf *
uktv_aws_conf(struct uktv_aws *aws)
{
	return aws->conf;
}

struct uktv_http *
uktv_aws_http(struct uktv_aws *aws)
{
	return aws->http;
}

const struct uktv_aws_stats *
uktv_aws_stats(const struct uktv_aws *aws)
{
	return &aws->stats;
}

const char *
uktv_aws_region(struct uktv_aws *aws, struct uktv_error *err)
{
	const char *r = uktv_awsconf_region(aws->conf);

	if (r == NULL || *r == '\0') {
		uktv_error_set(err, UKTV_ERR_CONFIG, "no AWS region: use --region, "
		    "AWS_REGION, or region in the profile (%s)",
		    uktv_awsconf_profile_name(aws->conf));
		return NULL;
	}
	return r;
}

/* Splits an endpoint URL into the Host header value and a base path. */
static int
endpoint_for(struct uktv_aws *aws, const struct uktv_aws_service *svc,
    const struct endpoint **out, struct uktv_error *err)
{
	struct endpoint *ep;
	const char *p, *slash;
	char *url;

	for (size_t i = 0; i < aws->nendpoints; i++)
		if (aws->endpoints[i].svc == svc) {
			*out = &aws->endpoints[i];
			return 0;
		}
	if ((url = uktv_endpoints_url(aws->conf, svc, err)) == NULL)
		return -1;
	if ((p = strstr(url, "://")) == NULL) {
		uktv_error_set(err, UKTV_ERR_CONFIG,
		    "endpoint URL for %s has no scheme: use http:// or https://",
		    svc->config_key);
		free(url);
		return -1;
	}
	p += 3;
	if (aws->nendpoints == MAX_ENDPOINTS) {
		free(url);
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "too many endpoints");
	}
	ep = &aws->endpoints[aws->nendpoints];
	slash = strchr(p, '/');
	ep->svc = svc;
	ep->url = url;
	ep->host = slash ? strndup(p, slash - p) : strdup(p);
	ep->base = strdup(slash ? slash : "");
	if (ep->host == NULL || ep->base == NULL) {
		free(ep->host);
		free(ep->base);
		free(url);
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	}
	/* The base path is joined with the request path: drop a trailing '/'. */
	if (*ep->base && ep->base[strlen(ep->base) - 1] == '/')
		ep->base[strlen(ep->base) - 1] = '\0';
	/* A default port is not part of the signed Host value. */
	{
		size_t hl = strlen(ep->host);

		if (strncmp(url, "https://", 8) == 0 && hl > 4 &&
		    strcmp(ep->host + hl - 4, ":443") == 0)
			ep->host[hl - 4] = '\0';
		else if (strncmp(url, "http://", 7) == 0 && hl > 3 &&
		    strcmp(ep->host + hl - 3, ":80") == 0)
			ep->host[hl - 3] = '\0';
	}
	/* Keep only scheme://host for joining. */
	url[(p - url) + (slash ? (size_t)(slash - p) : strlen(p))] = '\0';
	aws->nendpoints++;
	*out = ep;
	return 0;
}

/* 1 when code is one of the NULL-terminated codes. */
static int
code_in(const char *code, const char *const *codes)
{
	if (code == NULL)
		return 0;
	for (int i = 0; codes[i] != NULL; i++)
		if (strcmp(code, codes[i]) == 0)
			return 1;
	return 0;
}

int
uktv_aws_code_is_throttle(const char *code)
{
	static const char *const codes[] = {
		"Throttling", "ThrottlingException", "ThrottledException",
		"RequestThrottledException", "TooManyRequestsException",
		"ProvisionedThroughputExceededException",
		"TransactionInProgressException", "RequestLimitExceeded",
		"BandwidthLimitExceeded", "LimitExceededException",
		"RequestThrottled", "SlowDown", "PriorRequestNotComplete",
		"EC2ThrottledException", NULL
	};

	return code_in(code, codes);
}

int
uktv_aws_code_is_transient(const char *code, long status)
{
	static const char *const codes[] = {
		"RequestTimeout", "RequestTimeoutException", "InternalError",
		"InternalFailure", "InternalServerError", "ServiceUnavailable",
		"ConnectionError", "IDPCommunicationError", NULL
	};

	if (status == 500 || status == 502 || status == 503 || status == 504)
		return 1;
	return code_in(code, codes);
}

static int
code_is_auth(const char *code)
{
	static const char *const codes[] = {
		"SignatureDoesNotMatch", "AccessDenied", "AccessDeniedException",
		"UnrecognizedClientException", "InvalidSignatureException",
		"ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId",
		"MissingAuthenticationToken", "MissingAuthenticationTokenException",
		"IncompleteSignature", "IncompleteSignatureException",
		"AuthFailure", "UnauthorizedException", "InvalidAccessKeyId",
		"KMSAccessDeniedException", NULL
	};

	return code_in(code, codes);
}

/* Copies the decoded text of the first <tag> in an XML body (util/xml.h),
 * cut to dstlen. */
static int
xml_text(const char *body, const char *tag, char *dst, size_t dstlen)
{
	char *t;

	if ((t = uktv_xml_text(body, tag)) == NULL)
		return -1;
	strlcpy(dst, t, dstlen);
	free(t);
	return 0;
}

/*
 * Codes and request ids are single tokens; an answer that puts white space
 * or control characters in them (found by fuzzing: "<Code>Throttling\n
 * </Code>") is cut there, so a message built from them stays one line and
 * the code still matches the tables below.
 */
static void
one_token(char *s)
{
	char *p = s;

	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	if (p != s)
		memmove(s, p, strlen(p) + 1);
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f) {
			*p = '\0';
			break;
		}
}

/* "com.amazonaws.kinesis.v20131202#ProvisionedThroughputExceededException"
 * and "ThrottlingException:http://internal..." become the bare code. */
static void
clean_code(char *code)
{
	char *p;

	if ((p = strrchr(code, '#')) != NULL)
		memmove(code, p + 1, strlen(p + 1) + 1);
	code[strcspn(code, ":")] = '\0';
	one_token(code);
}

static void
parse_error(const struct uktv_http_response *resp, struct uktv_error *err)
{
	const char *h, *msg = NULL;
	struct json_object *doc = NULL, *v;
	char xmlmsg[400] = "";

	err->code[0] = '\0';
	err->http_status = resp->status;
	if ((h = uktv_http_header_get(resp, "x-amzn-RequestId")) != NULL ||
	    (h = uktv_http_header_get(resp, "x-amz-request-id")) != NULL)
		strlcpy(err->request_id, h, sizeof(err->request_id));
	if ((h = uktv_http_header_get(resp, "X-Amzn-ErrorType")) != NULL)
		strlcpy(err->code, h, sizeof(err->code));
	if (resp->body_len > 0 && resp->body[0] == '{' &&
	    (doc = json_tokener_parse(resp->body)) != NULL) {
		if (err->code[0] == '\0' &&
		    (json_object_object_get_ex(doc, "__type", &v) ||
		    json_object_object_get_ex(doc, "code", &v)) &&
		    json_object_is_type(v, json_type_string))
			strlcpy(err->code, json_object_get_string(v),
			    sizeof(err->code));
		if ((json_object_object_get_ex(doc, "message", &v) ||
		    json_object_object_get_ex(doc, "Message", &v)) &&
		    json_object_is_type(v, json_type_string))
			msg = json_object_get_string(v);
	} else if (resp->body_len > 0 && strchr(resp->body, '<') != NULL) {
		/* moto's auth errors, STS and S3: <Error><Code>..</Code><Message>.. */
		if (err->code[0] == '\0')
			xml_text(resp->body, "Code", err->code, sizeof(err->code));
		if (xml_text(resp->body, "Message", xmlmsg, sizeof(xmlmsg)) == 0)
			msg = xmlmsg;
		if (err->request_id[0] == '\0')
			xml_text(resp->body, "RequestId", err->request_id,
			    sizeof(err->request_id));
	}
	clean_code(err->code);
	one_token(err->request_id);
	if (err->code[0] == '\0')
		snprintf(err->code, sizeof(err->code), "HTTP%ld", resp->status);

	if (code_is_auth(err->code) || resp->status == 401 ||
	    (resp->status == 403 && strcmp(err->code, "HTTP403") == 0))
		err->kind = UKTV_ERR_NOPERM;
	else if (uktv_aws_code_is_throttle(err->code) ||
	    uktv_aws_code_is_transient(err->code, resp->status))
		err->kind = UKTV_ERR_UNAVAILABLE;
	else if (strcmp(err->code, "ResourceNotFoundException") == 0 ||
	    strcmp(err->code, "NoSuchKey") == 0 ||
	    strcmp(err->code, "NoSuchBucket") == 0 || resp->status == 404)
		err->kind = UKTV_ERR_NOTFOUND;
	else
		err->kind = UKTV_ERR_SERVICE;
	err->retryable = uktv_aws_code_is_throttle(err->code) ||
	    uktv_aws_code_is_transient(err->code, resp->status);
	snprintf(err->message, sizeof(err->message), "%s%s%s (HTTP %ld)",
	    err->code, msg ? ": " : "", msg ? msg : "", resp->status);
	for (char *p = err->message; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	json_object_put(doc);
}

void
uktv_aws_backoff(struct uktv_aws *aws, int attempt)
{
	uktv_sleep_ms(uktv_backoff_ms(aws->backoff_base_ms, UKTV_BACKOFF_CAP_MS,
	    attempt, UKTV_JITTER_FULL));
}

long
uktv_aws_retry_base_ms(const struct uktv_aws *aws)
{
	return aws->backoff_base_ms;
}

static int
send_once(struct uktv_aws *aws, const struct uktv_aws_request *req,
    const struct endpoint *ep, const char *region,
    struct uktv_http_response *resp, struct uktv_error *err)
{
	const struct uktv_creds *creds;
	struct uktv_sigv4_creds sc;
	struct uktv_sigv4_config cfg = { 0 };
	struct uktv_sigv4_request sr;
	struct uktv_header *hdrs = NULL, *signed_hdrs = NULL;
	size_t nhdrs = 0, nsigned = 0;
	char *path = NULL, *url = NULL;
	int rc = -1;

	if ((creds = uktv_awsconf_credentials(aws->conf, aws->http, err)) == NULL)
		return -1;
	if (asprintf(&path, "%s%s", ep->base,
	    req->path && *req->path ? req->path : "/") == -1) {
		path = NULL;
		goto oom;
	}
	if (asprintf(&url, "%s%s%s%s", ep->url, path, req->query ? "?" : "",
	    req->query ? req->query : "") == -1) {
		url = NULL;
		goto oom;
	}
	if ((hdrs = calloc(req->nheaders + 1, sizeof(*hdrs))) == NULL)
		goto oom;
	hdrs[0].name = "Host";
	hdrs[0].value = ep->host;
	for (size_t i = 0; i < req->nheaders; i++)
		hdrs[i + 1] = req->headers[i];
	nhdrs = req->nheaders + 1;

	sc.access_key_id = creds->access_key_id;
	sc.secret_access_key = creds->secret_access_key;
	sc.session_token = creds->session_token;
	cfg.region = region;
	cfg.service = req->svc->signing_name;
	cfg.now = time(NULL);
	cfg.normalize_path = !req->s3;
	cfg.double_encode = !req->s3;
	cfg.sign_body = req->s3;
	sr.method = req->method;
	sr.path = path;
	sr.query = req->query;
	sr.headers = hdrs;
	sr.nheaders = nhdrs;
	sr.body = req->body;
	sr.body_len = req->body_len;
	if (uktv_sigv4_sign_headers(aws->signer, &cfg, &sc, &sr, &signed_hdrs,
	    &nsigned, err) == -1)
		goto out;
	{
		struct uktv_header *all;

		if ((all = reallocarray(hdrs, nhdrs + nsigned, sizeof(*all))) == NULL)
			goto oom;
		hdrs = all;
		for (size_t i = 0; i < nsigned; i++)
			hdrs[nhdrs + i] = signed_hdrs[i];
	}
	aws->stats.requests++;
	rc = uktv_http_request(aws->http, req->method, url, hdrs,
	    nhdrs + nsigned, req->body, req->body_len, resp, err);
	goto out;
oom:
	uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
out:
	uktv_sigv4_headers_free(signed_hdrs, nsigned);
	free(hdrs);
	free(path);
	free(url);
	return rc;
}

/*
 * A JSON or Query service answers every error with a code; a bare 404 comes
 * from something else at that URL (a wrong AWS_ENDPOINT_URL, a path after
 * the host): say the URL, as a refused connection does, and ask.  S3 is
 * left out: its HEAD of a missing key is a bare 404 too.
 */
static void
wrong_endpoint(const struct uktv_aws_request *req, const struct endpoint *ep,
    struct uktv_error *err)
{
	uktv_error_set(err, UKTV_ERR_CONFIG, "%s %s%s%s: HTTP 404 (nothing "
	    "there): is the endpoint URL right?", req->method, ep->url, ep->base,
	    req->path && *req->path ? req->path : "/");
}

int
uktv_aws_send(struct uktv_aws *aws, const struct uktv_aws_request *req,
    struct uktv_http_response *resp, struct uktv_error *err)
{
	const struct endpoint *ep = NULL;
	const char *region;
	int attempt, retried = 0;

	memset(resp, 0, sizeof(*resp));
	if ((region = uktv_aws_region(aws, err)) == NULL)
		return -1;
	if (endpoint_for(aws, req->svc, &ep, err) == -1)
		return -1;
	for (attempt = 1;; attempt++) {
		long cost;

		uktv_error_clear(err);
		if (send_once(aws, req, ep, region, resp, err) == 0) {
			if (resp->status >= 200 && resp->status < 300) {
				/* Success refunds what the retries took. */
				aws->retry_quota += retried ? RETRY_COST : 1;
				if (aws->retry_quota > RETRY_QUOTA_MAX)
					aws->retry_quota = RETRY_QUOTA_MAX;
				return 0;
			}
			parse_error(resp, err);
			uktv_http_response_free(resp);
			if (!req->s3 && strcmp(err->code, "HTTP404") == 0)
				wrong_endpoint(req, ep, err);
			if (uktv_aws_code_is_throttle(err->code))
				aws->stats.throttles++;
		} else if (err->kind == UKTV_ERR_CONFIG ||
		    err->kind == UKTV_ERR_INTERNAL || err->kind == UKTV_ERR_NOPERM)
			return -1;
		if (!err->retryable)
			return -1;
		cost = strcmp(err->code, "RequestTimeout") == 0 ?
		    RETRY_TIMEOUT_COST : RETRY_COST;
		if (attempt >= aws->max_attempts || aws->retry_quota < cost) {
			char more[96];

			snprintf(more, sizeof(more), " (gave up after %d attempt%s%s)",
			    attempt, attempt == 1 ? "" : "s",
			    aws->retry_quota < cost ? ", retry quota spent" : "");
			strlcat(err->message, more, sizeof(err->message));
			err->kind = UKTV_ERR_UNAVAILABLE;
			return -1;
		}
		aws->retry_quota -= cost;
		aws->stats.retries++;
		retried = 1;
		uktv_aws_backoff(aws, attempt);
	}
}
