/*
 * watchmode.c: see watchmode.h.  Behaviour follows tests/fixtures/
 * watchmode-api.md (sections cited as "api.md N").
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "secrets.h"
#include "watchmode.h"
#include "strbuf.h"
#include "private/watchmode.h"

#ifndef UKTV_VERSION
#define UKTV_VERSION "0.0.0"
#endif

#define DEFAULT_429_RETRIES	5
#define DEFAULT_ATTEMPTS	4	/* 5xx and connection errors: one more
					 * than the AWS SDKs, the cron job has
					 * nothing better to do */
#define DEFAULT_RETRY_AFTER_MAX_MS 60000L
#define MAX_BACKOFF_MS		20000L
#define MAX_PAGES		100000L	/* a server that never ends paging */
#define MAX_SHOWN_MESSAGE	200	/* of Watchmode's statusMessage */

struct uktv_watchmode {
	struct uktv_http		*http;
	char				*base;	/* scheme://host[:port], no '/' */
	char				*key;	/* wiped on free */
	int				 key_in_query;
	int				 max_429;
	int				 max_attempts;
	long				 retry_after_max_ms;
	long				 backoff_base_ms;
	unsigned int			 rand_state;
	struct uktv_watchmode_quota	 q;
};

/* Options. */

int
uktv_watchmode_country(const char *arg, char out[3])
{
	if (arg == NULL || strlen(arg) != 2 ||
	    !isalpha((unsigned char)arg[0]) || !isalpha((unsigned char)arg[1]) ||
	    (unsigned char)arg[0] > 127 || (unsigned char)arg[1] > 127)
		return -1;
	/* api.md 6: region codes are ISO 3166-1 alpha-2, upper case. */
	out[0] = toupper((unsigned char)arg[0]);
	out[1] = toupper((unsigned char)arg[1]);
	out[2] = '\0';
	return 0;
}

/* The key. */

/* Strips surrounding white space in place (a key file ends with a newline,
 * a secret pasted into the console often with one more). */
static char *
trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}

static int
key_from_file(const char *path, char **key, struct uktv_error *err)
{
	FILE *fp;
	char *line = NULL, *k;
	size_t cap = 0;
	ssize_t n;
	int rc = -1;

	if ((fp = fopen(path, "r")) == NULL)
		return uktv_error_set(err, UKTV_ERR_NOINPUT,
		    "cannot open the Watchmode API key file %s: %s", path,
		    strerror(errno));
	n = getline(&line, &cap, fp);
	if (n == -1 && ferror(fp))
		uktv_error_set(err, UKTV_ERR_IO,
		    "cannot read the Watchmode API key file %s: %s", path,
		    strerror(errno));
	else if (n == -1 || *(k = trim(line)) == '\0')
		uktv_error_set(err, UKTV_ERR_CONFIG,
		    "the Watchmode API key file %s is empty", path);
	else if ((*key = strdup(k)) == NULL)
		uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	else
		rc = 0;
	if (line != NULL) {
		explicit_bzero(line, cap);
		free(line);
	}
	fclose(fp);
	return rc;
}

static int
key_from_secret(struct uktv_aws *aws, const char *arn, char **key,
    struct uktv_error *err)
{
	char *s, *k;
	int rc = -1;

	if (aws == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL,
		    "--api-key-secret needs an AWS client");
	if ((s = uktv_secrets_get_string(aws, arn, err)) == NULL) {
		/* A secret that is not there is a configuration mistake. */
		if (err != NULL && err->kind == UKTV_ERR_NOTFOUND)
			err->kind = UKTV_ERR_CONFIG;
		uktv_error_prefix(err, "Watchmode API key from secret %s", arn);
		return -1;
	}
	if (*(k = trim(s)) == '\0')
		uktv_error_set(err, UKTV_ERR_CONFIG,
		    "the Watchmode API key secret %s is empty", arn);
	else if ((*key = strdup(k)) == NULL)
		uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	else
		rc = 0;
	explicit_bzero(s, strlen(s));
	free(s);
	return rc;
}

/* A key goes into a header line or a URL: only visible ASCII may. */
static int
key_valid(const char *k)
{
	for (; *k != '\0'; k++)
		if ((unsigned char)*k <= 0x20 || (unsigned char)*k >= 0x7f)
			return 0;
	return 1;
}

static int
base_url(const char *e, char **base, struct uktv_error *err)
{
	char *b;
	size_t n;

	if (e == NULL || *e == '\0')
		e = UKTV_WATCHMODE_BASE_URL;
	if (strncmp(e, "http://", 7) != 0 && strncmp(e, "https://", 8) != 0)
		return uktv_error_set(err, UKTV_ERR_CONFIG,
		    "WATCHMODE_ENDPOINT_URL must start with http:// or https://");
	if (strpbrk(e, "?# \t\r\n") != NULL)
		return uktv_error_set(err, UKTV_ERR_CONFIG,
		    "WATCHMODE_ENDPOINT_URL must be scheme, host and port only");
	if ((b = strdup(e)) == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	/* ARCHITECTURE.md: the variable holds no /v1 (the original's
	 * WATCHMODE_HOSTNAME); one given anyway is not doubled. */
	n = strlen(b);
	while (n > 0 && b[n - 1] == '/')
		b[--n] = '\0';
	if (n >= 3 && strcmp(b + n - 3, "/v1") == 0)
		b[n -= 3] = '\0';
	while (n > 0 && b[n - 1] == '/')
		b[--n] = '\0';
	*base = b;
	return 0;
}

struct uktv_watchmode *
uktv_watchmode_open(struct uktv_http *http, struct uktv_aws *aws,
    const struct uktv_watchmode_opts *opts, struct uktv_error *err)
{
	struct uktv_watchmode_opts none = { 0 };
	struct uktv_watchmode *wm;
	const char *from;
	int rc;

	if (opts == NULL)
		opts = &none;
	if (http == NULL) {
		uktv_error_set(err, UKTV_ERR_INTERNAL, "no HTTP handle");
		return NULL;
	}
	if ((wm = calloc(1, sizeof(*wm))) == NULL) {
		uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	wm->http = http;
	wm->key_in_query = opts->key_in_query;
	wm->max_429 = opts->max_429_retries > 0 ? opts->max_429_retries :
	    DEFAULT_429_RETRIES;
	wm->max_attempts = opts->max_attempts > 0 ? opts->max_attempts :
	    DEFAULT_ATTEMPTS;
	wm->retry_after_max_ms = opts->retry_after_max_ms > 0 ?
	    opts->retry_after_max_ms : DEFAULT_RETRY_AFTER_MAX_MS;
	wm->q.rate_limit = wm->q.rate_remaining = -1;
	wm->q.quota = wm->q.quota_used = -1;
	/* The same setting as the AWS client's backoff: tests shorten both. */
	if (opts->retry_base_set)
		wm->backoff_base_ms = opts->retry_base_ms;
	else if (aws != NULL)
		wm->backoff_base_ms = uktv_aws_retry_base_ms(aws);
	else
		wm->backoff_base_ms = UKTV_RETRY_BASE_DEFAULT_MS;
	wm->rand_state = (unsigned int)time(NULL) ^ (unsigned int)getpid();

	if (base_url(opts->endpoint_url, &wm->base, err) == -1)
		goto fail;
	if (opts->api_key_file != NULL) {
		from = "--api-key-file";
		rc = key_from_file(opts->api_key_file, &wm->key, err);
	} else if (opts->api_key_secret != NULL) {
		from = "--api-key-secret";
		rc = key_from_secret(aws, opts->api_key_secret, &wm->key, err);
	} else if (opts->api_key != NULL && *opts->api_key != '\0') {
		from = "WATCHMODE_API_KEY";
		if ((wm->key = strdup(opts->api_key)) == NULL)
			rc = uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
		else
			rc = 0;
	} else {
		uktv_error_set(err, UKTV_ERR_CONFIG, "no Watchmode API key: set "
		    "WATCHMODE_API_KEY, or use --api-key-file FILE or "
		    "--api-key-secret ARN");
		goto fail;
	}
	if (rc == -1)
		goto fail;
	if (!key_valid(wm->key)) {
		uktv_error_set(err, UKTV_ERR_CONFIG, "the Watchmode API key from "
		    "%s has characters no key has (spaces or control characters)",
		    from);
		goto fail;
	}
	return wm;
fail:
	uktv_watchmode_free(wm);
	return NULL;
}

void
uktv_watchmode_free(struct uktv_watchmode *wm)
{
	if (wm == NULL)
		return;
	if (wm->key != NULL) {
		explicit_bzero(wm->key, strlen(wm->key));
		free(wm->key);
	}
	free(wm->base);
	free(wm);
}

const struct uktv_watchmode_quota *
uktv_watchmode_quota(const struct uktv_watchmode *wm)
{
	return &wm->q;
}

const char *
uktv_watchmode_base_url(const struct uktv_watchmode *wm)
{
	return wm->base;
}

/* Errors. */

/* Copies src into dst with every occurrence of key replaced by "****", so a
 * message Watchmode (or something posing as it) echoes never shows a key. */
static void
mask_key(char *dst, size_t dstlen, const char *src, const char *key)
{
	size_t klen = key != NULL ? strlen(key) : 0;
	size_t o = 0;

	if (dstlen == 0)
		return;
	while (*src != '\0' && o + 1 < dstlen) {
		if (klen > 0 && strncmp(src, key, klen) == 0) {
			for (const char *m = "****"; *m && o + 1 < dstlen; m++)
				dst[o++] = *m;
			src += klen;
			continue;
		}
		/* Control characters would break the one-line message. */
		dst[o++] = ((unsigned char)*src < 0x20) ? ' ' : *src;
		src++;
	}
	dst[o] = '\0';
}

/* Sets err from Watchmode's status and message (msg may be NULL). */
static int
status_error(const char *endpoint, long status, const char *msg,
    const char *key, struct uktv_error *err)
{
	char shown[MAX_SHOWN_MESSAGE + 8] = "";
	char tail[MAX_SHOWN_MESSAGE + 16] = "";
	enum uktv_error_kind kind;
	const char *what, *code;

	if (msg != NULL && *msg != '\0') {
		mask_key(shown, MAX_SHOWN_MESSAGE + 1, msg, key);
		if (strlen(msg) > MAX_SHOWN_MESSAGE)
			strlcat(shown, "...", sizeof(shown));
		snprintf(tail, sizeof(tail), " (%s)", shown);
	}
	/* api.md 3.2: the documented meaning of each status. */
	switch (status) {
	case 401:
		kind = UKTV_ERR_NOPERM;
		code = "InvalidApiKey";
		what = "invalid API key, or an endpoint your plan does not include";
		break;
	case 402:
		kind = UKTV_ERR_QUOTA;
		code = "QuotaExceeded";
		what = "the account's monthly quota is used up";
		break;
	case 403:
		kind = UKTV_ERR_NOPERM;
		code = "Forbidden";
		what = "the API key may not make this request";
		break;
	case 404:
		kind = UKTV_ERR_NOTFOUND;
		code = "NotFound";
		what = "not found";
		break;
	case 429:
		kind = UKTV_ERR_UNAVAILABLE;
		code = "RateLimited";
		what = "rate limit exceeded";
		break;
	default:
		if (status >= 500) {
			kind = UKTV_ERR_UNAVAILABLE;
			code = "ServerError";
			what = "server error";
		} else {
			kind = UKTV_ERR_SERVICE;
			code = "BadRequest";
			what = "request refused";
		}
		break;
	}
	uktv_error_set(err, kind, "Watchmode %s: HTTP %ld: %s%s", endpoint,
	    status, what, tail);
	if (err != NULL) {
		err->http_status = status;
		err->retryable = status == 429 || status >= 500;
		strlcpy(err->code, code, sizeof(err->code));
	}
	return -1;
}

/* Parses a whole body as JSON; NULL if it is not. */
static struct json_object *
parse_body(const struct uktv_http_response *resp)
{
	struct json_tokener *tok;
	struct json_object *o;
	size_t used;

	if (resp->body == NULL || resp->body_len > INT_MAX)
		return NULL;
	if ((tok = json_tokener_new()) == NULL)
		return NULL;
	o = json_tokener_parse_ex(tok, resp->body, (int)resp->body_len);
	if (o != NULL && json_tokener_get_error(tok) == json_tokener_success) {
		used = json_tokener_get_parse_end(tok);
		while (used < resp->body_len && isspace((unsigned char)resp->body[used]))
			used++;
		if (used != resp->body_len) {
			json_object_put(o);
			o = NULL;
		}
	} else {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

static const char *
envelope_message(struct json_object *doc)
{
	struct json_object *m;

	if (json_object_is_type(doc, json_type_object) &&
	    json_object_object_get_ex(doc, "statusMessage", &m) &&
	    json_object_is_type(m, json_type_string))
		return json_object_get_string(m);
	return NULL;
}

int
uktv_watchmode_answer_error(const char *endpoint,
    const struct uktv_http_response *resp, const char *key,
    struct uktv_error *err)
{
	struct json_object *doc = parse_body(resp);
	int rc;

	rc = status_error(endpoint, resp->status, envelope_message(doc), key, err);
	json_object_put(doc);
	return rc;
}

/* Requests. */

static long
header_long(const struct uktv_http_response *resp, const char *name)
{
	const char *v = uktv_http_header_get(resp, name);
	const char *e = NULL;
	long long n;

	if (v == NULL)
		return -1;
	n = strtonum(v, 0, LONG_MAX, &e);
	return e == NULL ? (long)n : -1;
}

/* api.md 4.1: the rate-limit and quota headers come on ordinary answers. */
static void
read_headers(struct uktv_watchmode *wm, const struct uktv_http_response *resp)
{
	long v;

	if ((v = header_long(resp, "X-RateLimit-Limit")) >= 0)
		wm->q.rate_limit = v;
	if ((v = header_long(resp, "X-RateLimit-Remaining")) >= 0)
		wm->q.rate_remaining = v;
	if ((v = header_long(resp, "X-Account-Quota")) >= 0)
		wm->q.quota = v;
	if ((v = header_long(resp, "X-Account-Quota-Used")) >= 0)
		wm->q.quota_used = v;
}

/* Retry-After in milliseconds: delta-seconds or an HTTP-date (RFC 9110
 * 10.2.3); -1 when absent or unreadable. */
static long
retry_after_ms(const struct uktv_http_response *resp)
{
	const char *v = uktv_http_header_get(resp, "Retry-After");
	const char *e = NULL;
	long long n;
	struct tm tm;
	time_t t, now;

	if (v == NULL)
		return -1;
	n = strtonum(v, 0, 86400 * 7, &e);
	if (e == NULL)
		return (long)n * 1000;
	memset(&tm, 0, sizeof(tm));
	if (strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm) == NULL)
		return -1;
	t = timegm(&tm);
	now = time(NULL);
	return t > now ? (long)(t - now) * 1000 : 0;
}

static void
sleep_ms(long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Full-jitter exponential backoff, as the AWS SDKs' standard mode. */
static long
backoff_ms(struct uktv_watchmode *wm, int attempt)
{
	long cap = wm->backoff_base_ms;

	for (int i = 1; i < attempt && cap < MAX_BACKOFF_MS; i++)
		cap *= 2;
	if (cap > MAX_BACKOFF_MS)
		cap = MAX_BACKOFF_MS;
	return cap > 0 ? (long)(rand_r(&wm->rand_state) % (cap + 1)) : 0;
}

static void
sb_add_encoded(struct uktv_strbuf *b, const char *s)
{
	char *e = uktv_http_urlencode(s);

	if (e == NULL) {
		b->failed = 1;
		return;
	}
	uktv_strbuf_add(b, e);
	free(e);
}

/* A path below /v1/ may hold only what Watchmode's paths hold. */
static int
path_valid(const char *path)
{
	if (*path == '\0' || strstr(path, "..") != NULL)
		return 0;
	for (const char *p = path; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && strchr("/-_.", *p) == NULL)
			return 0;
	return 1;
}

/*
 * The URL without the key, and the endpoint name for messages
 * ("/v1/sources/").  Caller frees both.
 */
static int
build_url(struct uktv_watchmode *wm, const char *path,
    const char *const *params, char **url, char **endpoint,
    struct uktv_error *err)
{
	struct uktv_strbuf b = { 0 }, ep = { 0 };
	int first = 1;

	while (*path == '/')
		path++;
	if (!path_valid(path))
		return uktv_error_set(err, UKTV_ERR_INTERNAL,
		    "not a Watchmode path: %s", path);
	uktv_strbuf_add(&ep, "/v1/");
	uktv_strbuf_add(&ep, path);
	uktv_strbuf_add(&b, wm->base);
	uktv_strbuf_add(&b, ep.s != NULL ? ep.s : "");
	for (size_t i = 0; params != NULL && params[i] != NULL; i += 2) {
		if (params[i + 1] == NULL)
			continue;
		uktv_strbuf_add(&b, first ? "?" : "&");
		first = 0;
		sb_add_encoded(&b, params[i]);
		uktv_strbuf_add(&b, "=");
		/* api.md 1: list values are one comma-separated string; the
		 * commas are sent as they are, as Watchmode's examples do. */
		for (const char *v = params[i + 1]; *v != '\0'; ) {
			size_t n = strcspn(v, ",");
			char *part = strndup(v, n);

			if (part == NULL) {
				b.failed = 1;
				break;
			}
			sb_add_encoded(&b, part);
			free(part);
			v += n;
			if (*v == ',') {
				uktv_strbuf_add(&b, ",");
				v++;
			}
		}
	}
	if (b.failed || ep.failed || b.s == NULL || ep.s == NULL) {
		free(b.s);
		free(ep.s);
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	}
	*url = b.s;
	*endpoint = ep.s;
	return 0;
}

/* url with the legacy apiKey parameter (api.md 2); caller wipes and frees. */
static char *
url_with_key(const char *url, const char *key)
{
	char *enc, *out;
	size_t n;

	if ((enc = uktv_http_urlencode(key)) == NULL)
		return NULL;
	n = strlen(url) + strlen(enc) + 16;
	if ((out = malloc(n)) != NULL)
		snprintf(out, n, "%s%sapiKey=%s", url,
		    strchr(url, '?') != NULL ? "&" : "?", enc);
	explicit_bzero(enc, strlen(enc));
	free(enc);
	return out;
}

/*
 * One GET with the retry policy: 429 waits Retry-After (or a backoff when
 * there is none) up to max_429 times; 5xx and transport failures back off up
 * to max_attempts.  On success resp holds the 2xx answer.
 */
static int
send_get(struct uktv_watchmode *wm, const char *url, const char *endpoint,
    struct uktv_http_response *resp, struct uktv_error *err)
{
	struct uktv_header hdrs[3];
	size_t nh = 0;
	char *keyed = NULL;
	const char *target = url;
	int n429 = 0, nfail = 0, rc = -1;

	hdrs[nh].name = "Accept";
	hdrs[nh++].value = "application/json";
	hdrs[nh].name = "User-Agent";
	hdrs[nh++].value = "uktv/" UKTV_VERSION;
	if (wm->key_in_query) {
		if ((keyed = url_with_key(url, wm->key)) == NULL)
			return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
		target = keyed;
	} else {
		/* api.md 2: the header form the newer docs recommend. */
		hdrs[nh].name = "X-API-Key";
		hdrs[nh++].value = wm->key;
	}

	for (;;) {
		struct uktv_error e;
		long wait;

		uktv_error_clear(&e);
		wm->q.calls++;
		if (uktv_http_request(wm->http, "GET", target, hdrs, nh, NULL, 0,
		    resp, &e) == -1) {
			if (e.retryable && nfail + 1 < wm->max_attempts) {
				nfail++;
				wm->q.retries++;
				sleep_ms(backoff_ms(wm, nfail));
				continue;
			}
			/* http.c names the URL without its query: no key. */
			if (err != NULL)
				*err = e;
			uktv_error_set(err, e.kind, "Watchmode %s: %s%s", endpoint,
			    e.message, nfail > 0 ? " (after retries)" : "");
			break;
		}
		read_headers(wm, resp);
		if (resp->status >= 200 && resp->status < 300) {
			rc = 0;
			break;
		}
		if (resp->status == 429) {
			wm->q.rate_limited++;
			wait = retry_after_ms(resp);
			/* A 429 while the month's credits are gone is the
			 * quota, not the rate (api.md 3.2: some clients see
			 * this instead of 402); waiting will not help. */
			if (wm->q.quota > 0 && wm->q.quota_used >= wm->q.quota) {
				uktv_watchmode_answer_error(endpoint, resp,
				    wm->key, err);
				uktv_error_set(err, UKTV_ERR_QUOTA, "Watchmode %s: "
				    "HTTP 429 with the account's monthly quota "
				    "used up (%ld of %ld)", endpoint,
				    wm->q.quota_used, wm->q.quota);
				break;
			}
			if (n429 >= wm->max_429) {
				uktv_watchmode_answer_error(endpoint, resp,
				    wm->key, err);
				uktv_error_set(err, UKTV_ERR_UNAVAILABLE,
				    "Watchmode %s: rate limit still exceeded "
				    "(HTTP 429) after %d retries; try again "
				    "later", endpoint, n429);
				break;
			}
			if (wait > wm->retry_after_max_ms) {
				uktv_watchmode_answer_error(endpoint, resp,
				    wm->key, err);
				uktv_error_set(err, UKTV_ERR_UNAVAILABLE,
				    "Watchmode %s: rate limit exceeded (HTTP 429) "
				    "and Retry-After asks for %ld s, more than "
				    "the %ld s uktv waits", endpoint, wait / 1000,
				    wm->retry_after_max_ms / 1000);
				break;
			}
			n429++;
			wm->q.retries++;
			/* Retry-After is honoured on 429 only (api.md 4.1);
			 * without one (or with 0) a backoff spaces the calls. */
			if (wait <= 0)
				wait = backoff_ms(wm, n429);
			uktv_http_response_free(resp);
			sleep_ms(wait);
			continue;
		}
		if (resp->status >= 500 && nfail + 1 < wm->max_attempts) {
			nfail++;
			wm->q.retries++;
			uktv_http_response_free(resp);
			sleep_ms(backoff_ms(wm, nfail));
			continue;
		}
		uktv_watchmode_answer_error(endpoint, resp, wm->key, err);
		if (resp->status >= 500 && nfail > 0 && err != NULL)
			strlcat(err->message, " (after retries)",
			    sizeof(err->message));
		break;
	}
	if (rc == -1)
		uktv_http_response_free(resp);
	if (keyed != NULL) {
		explicit_bzero(keyed, strlen(keyed));
		free(keyed);
	}
	return rc;
}

int
uktv_watchmode_get(struct uktv_watchmode *wm, const char *path,
    const char *const *params, struct json_object **out, struct uktv_error *err)
{
	struct uktv_http_response resp;
	struct json_object *doc, *ok;
	char *url = NULL, *endpoint = NULL;
	int rc = -1;

	*out = NULL;
	memset(&resp, 0, sizeof(resp));
	if (build_url(wm, path, params, &url, &endpoint, err) == -1)
		return -1;
	if (send_get(wm, url, endpoint, &resp, err) == -1)
		goto done;
	if ((doc = parse_body(&resp)) == NULL) {
		uktv_error_set(err, UKTV_ERR_SERVICE,
		    "Watchmode %s: the answer is not JSON (HTTP %ld)", endpoint,
		    resp.status);
		goto done;
	}
	/* The error envelope (api.md 3.1) on a 2xx is an error all the same. */
	if (json_object_is_type(doc, json_type_object) &&
	    json_object_object_get_ex(doc, "success", &ok) &&
	    json_object_is_type(ok, json_type_boolean) &&
	    !json_object_get_boolean(ok)) {
		struct json_object *sc;
		long status = 400;

		if (json_object_object_get_ex(doc, "statusCode", &sc) &&
		    json_object_is_type(sc, json_type_int))
			status = (long)json_object_get_int64(sc);
		status_error(endpoint, status, envelope_message(doc), wm->key, err);
		json_object_put(doc);
		goto done;
	}
	*out = doc;
	rc = 0;
done:
	uktv_http_response_free(&resp);
	free(url);
	free(endpoint);
	return rc;
}

/* GET that must answer a JSON value of the given type. */
static int
get_typed(struct uktv_watchmode *wm, const char *path,
    const char *const *params, enum json_type want, struct json_object **out,
    struct uktv_error *err)
{
	if (uktv_watchmode_get(wm, path, params, out, err) == -1)
		return -1;
	if (!json_object_is_type(*out, want)) {
		json_object_put(*out);
		*out = NULL;
		return uktv_error_set(err, UKTV_ERR_SERVICE,
		    "Watchmode /v1/%s: the answer is not a JSON %s", path,
		    want == json_type_array ? "array" : "object");
	}
	return 0;
}

static long
obj_long(struct json_object *o, const char *name, long dflt)
{
	struct json_object *v;

	if (json_object_object_get_ex(o, name, &v) &&
	    json_object_is_type(v, json_type_int))
		return (long)json_object_get_int64(v);
	return dflt;
}

/* Every page of path (watchmode.h: uktv_watchmode_title_fn), also
 * reporting the pages fetched and the total_results the first page
 * announced (-1 unknown); either pointer may be NULL. */
static int
uktv_watchmode_pages_ex(struct uktv_watchmode *wm, const char *path,
    const char *const *params, int limit, long max_calls,
    uktv_watchmode_title_fn fn, void *arg, long *pages, long *total_results,
    struct uktv_error *err)
{
	const char **p;
	size_t n = 0;
	char pagebuf[24], limitbuf[24];
	long page, total_pages;
	int rc = 0;

	if (pages != NULL)
		*pages = 0;
	if (total_results != NULL)
		*total_results = -1;
	if (limit <= 0 || limit > UKTV_WATCHMODE_PAGE_MAX)
		limit = UKTV_WATCHMODE_PAGE_MAX;
	while (params != NULL && params[n] != NULL)
		n += 2;
	if ((p = calloc(n + 5, sizeof(*p))) == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	for (size_t i = 0; i < n; i++)
		p[i] = params[i];
	p[n] = "page";
	p[n + 1] = pagebuf;
	p[n + 2] = "limit";
	p[n + 3] = limitbuf;
	p[n + 4] = NULL;
	snprintf(limitbuf, sizeof(limitbuf), "%d", limit);

	for (page = 1; page <= MAX_PAGES; page++) {
		struct json_object *doc, *arr;
		size_t len;

		if (max_calls > 0 && page > max_calls) {
			rc = uktv_error_set(err, UKTV_ERR_SERVICE,
			    "Watchmode /v1/%s: stopped before page %ld: at most "
			    "%ld calls allowed", path, page, max_calls);
			if (err != NULL)
				strlcpy(err->code, "MaxCalls", sizeof(err->code));
			break;
		}
		snprintf(pagebuf, sizeof(pagebuf), "%ld", page);
		if (get_typed(wm, path, p, json_type_object, &doc, err) == -1) {
			rc = -1;
			break;
		}
		if (!json_object_object_get_ex(doc, "titles", &arr) &&
		    !json_object_object_get_ex(doc, "people", &arr))
			arr = NULL;
		if (!json_object_is_type(arr, json_type_array)) {
			json_object_put(doc);
			rc = uktv_error_set(err, UKTV_ERR_SERVICE,
			    "Watchmode /v1/%s: page %ld has no titles array",
			    path, page);
			break;
		}
		if (page == 1 && total_results != NULL)
			*total_results = obj_long(doc, "total_results", -1);
		total_pages = obj_long(doc, "total_pages", -1);
		if (pages != NULL)
			(*pages)++;
		len = json_object_array_length(arr);
		for (size_t i = 0; i < len && rc == 0; i++)
			rc = fn(json_object_array_get_idx(arr, i), arg);
		json_object_put(doc);
		if (rc != 0)
			break;
		/* api.md 7.6: stop at total_pages; without it, at a short page. */
		if (len == 0 || (total_pages >= 0 && page >= total_pages) ||
		    (total_pages < 0 && len < (size_t)limit))
			break;
	}
	free(p);
	return rc;
}

/* The same without the counts. */
static int
uktv_watchmode_pages(struct uktv_watchmode *wm, const char *path,
    const char *const *params, int limit, long max_calls,
    uktv_watchmode_title_fn fn, void *arg, struct uktv_error *err)
{
	return uktv_watchmode_pages_ex(wm, path, params, limit, max_calls, fn,
	    arg, NULL, NULL, err);
}

/* The typed endpoints. */

int
uktv_watchmode_sources(struct uktv_watchmode *wm, const char *regions,
    const char *types, struct json_object **out, struct uktv_error *err)
{
	const char *params[] = { "regions", regions, "types", types, NULL };

	return get_typed(wm, "sources/", params, json_type_array, out, err);
}

int
uktv_watchmode_genres(struct uktv_watchmode *wm, struct json_object **out,
    struct uktv_error *err)
{
	return get_typed(wm, "genres/", NULL, json_type_array, out, err);
}

int
uktv_watchmode_regions(struct uktv_watchmode *wm, struct json_object **out,
    struct uktv_error *err)
{
	return get_typed(wm, "regions/", NULL, json_type_array, out, err);
}

int
uktv_watchmode_status(struct uktv_watchmode *wm, long *quota, long *used,
    struct uktv_error *err)
{
	struct json_object *doc;
	long q, u;

	if (get_typed(wm, "status/", NULL, json_type_object, &doc, err) == -1)
		return -1;
	/* api.md 7.1: {"quota": N, "quotaUsed": M}. */
	q = obj_long(doc, "quota", -1);
	u = obj_long(doc, "quotaUsed", -1);
	json_object_put(doc);
	if (q >= 0)
		wm->q.quota = q;
	if (u >= 0)
		wm->q.quota_used = u;
	if (quota != NULL)
		*quota = wm->q.quota;
	if (used != NULL)
		*used = wm->q.quota_used;
	return 0;
}

int
uktv_watchmode_list_titles(struct uktv_watchmode *wm,
    const struct uktv_watchmode_filter *f, int limit, long max_calls,
    uktv_watchmode_title_fn fn, void *arg, long *pages, long *total_results,
    struct uktv_error *err)
{
	struct uktv_watchmode_filter none = { 0 };
	const char *params[31];
	size_t n = 0;

	if (f == NULL)
		f = &none;
#define P(name) do { params[n++] = #name; params[n++] = f->name; } while (0)
	P(types);
	P(regions);
	P(source_types);
	P(source_ids);
	P(genres);
	P(network_ids);
	P(languages);
	P(release_date_start);
	P(release_date_end);
	P(user_rating_low);
	P(user_rating_high);
	P(critic_score_low);
	P(critic_score_high);
	P(person_id);
	P(sort_by);
#undef P
	params[n] = NULL;
	return uktv_watchmode_pages_ex(wm, "list-titles/", params, limit,
	    max_calls, fn, arg, pages, total_results, err);
}

/* api.md 5: a Watchmode id, an IMDb id, or movie-N / tv-N. */
static int
title_id_valid(const char *id)
{
	size_t n = 0;

	for (const char *p = id; *p != '\0'; p++, n++)
		if (!isalnum((unsigned char)*p) && *p != '-')
			return 0;
	return n > 0 && n <= 32;
}

int
uktv_watchmode_title_details(struct uktv_watchmode *wm, const char *id,
    const char *append, const char *regions, struct json_object **out,
    struct uktv_error *err)
{
	const char *params[] = { "append_to_response", append,
	    "regions", regions, NULL };
	char path[64];

	*out = NULL;
	if (!title_id_valid(id))
		return uktv_error_set(err, UKTV_ERR_INPUT,
		    "not a Watchmode title id: %.40s", id);
	snprintf(path, sizeof(path), "title/%s/details/", id);
	return get_typed(wm, path, params, json_type_object, out, err);
}

int
uktv_watchmode_title_sources(struct uktv_watchmode *wm, const char *id,
    const char *regions, struct json_object **out, struct uktv_error *err)
{
	const char *params[] = { "regions", regions, NULL };
	char path[64];

	*out = NULL;
	if (!title_id_valid(id))
		return uktv_error_set(err, UKTV_ERR_INPUT,
		    "not a Watchmode title id: %.40s", id);
	snprintf(path, sizeof(path), "title/%s/sources/", id);
	return get_typed(wm, path, params, json_type_array, out, err);
}

int
uktv_watchmode_changes(struct uktv_watchmode *wm, const char *change,
    const char *start_date, const char *end_date, const char *types,
    const char *region, long max_calls, uktv_watchmode_title_fn fn, void *arg,
    struct uktv_error *err)
{
	/* api.md 7.10: one region per call, in "regions". */
	const char *params[] = { "start_date", start_date, "end_date", end_date,
	    "types", types, "regions", region, NULL };
	char path[64];

	if (change == NULL || *change == '\0' ||
	    strspn(change, "abcdefghijklmnopqrstuvwxyz_") != strlen(change) ||
	    strlen(change) > 40)
		return uktv_error_set(err, UKTV_ERR_INTERNAL,
		    "not a Watchmode change type: %.40s", change ? change : "");
	snprintf(path, sizeof(path), "changes/%s/", change);
	return uktv_watchmode_pages(wm, path, params, UKTV_WATCHMODE_PAGE_MAX,
	    max_calls, fn, arg, err);
}

int
uktv_watchmode_check_quota(struct uktv_watchmode *wm, long planned,
    struct uktv_error *err)
{
	long remaining;

	if (wm->q.quota < 0 || wm->q.quota_used < 0) {
		struct uktv_error e;

		uktv_error_clear(&e);
		/* /v1/status/ costs no credit (api.md 4.3). */
		if (uktv_watchmode_status(wm, NULL, NULL, &e) == -1) {
			/* A key that is refused, a quota that is gone or a
			 * service that is down fails the run here; a status
			 * endpoint this server lacks leaves the quota unknown. */
			if (e.kind != UKTV_ERR_NOTFOUND && e.kind != UKTV_ERR_SERVICE) {
				if (err != NULL)
					*err = e;
				return -1;
			}
		}
	}
	if (wm->q.quota < 0 || wm->q.quota_used < 0)
		return 0;
	remaining = wm->q.quota - wm->q.quota_used;
	if (remaining < 0)
		remaining = 0;
	if (planned > remaining) {
		uktv_error_set(err, UKTV_ERR_QUOTA, "Watchmode quota: this run "
		    "plans %ld call%s but only %ld of the month's %ld credits "
		    "remain", planned, planned == 1 ? "" : "s", remaining,
		    wm->q.quota);
		if (err != NULL)
			strlcpy(err->code, "QuotaPlanned", sizeof(err->code));
		return -1;
	}
	return 0;
}
