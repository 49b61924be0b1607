/*
 * http.c: see http.h.  One CURL easy handle is kept for the process so
 * libcurl's connection cache gives keep-alive across calls (AWS endpoints
 * answer many small requests; a TLS handshake each time would dominate).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "http.h"
#include "private/http.h"
#include "time.h"

struct uktv_http {
	CURL			*curl;
	struct uktv_http_opts	 opts;
	char			*ca_bundle;
	long			 connections;
	char			 errbuf[CURL_ERROR_SIZE];
};

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

static int
buf_add(struct buf *b, const char *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *d;

		while (cap < b->len + n + 1)
			cap *= 2;
		if ((d = realloc(b->data, cap)) == NULL)
			return -1;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

struct transfer {
	struct buf			 body;
	struct uktv_http_response	*resp;
	int				 oom;
};

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;

	if (buf_add(&t->body, p, size * n) == -1) {
		t->oom = 1;
		return 0;
	}
	return size * n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	struct uktv_http_response *r = t->resp;
	size_t len = size * n, nlen;
	const char *colon, *v, *end;
	struct uktv_header *h;

	/* A status line starts a new header block (after 100 Continue or a redirect). */
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		for (size_t i = 0; i < r->nheaders; i++) {
			free(r->headers[i].name);
			free(r->headers[i].value);
		}
		r->nheaders = 0;
		return len;
	}
	if ((colon = memchr(p, ':', len)) == NULL)
		return len;
	nlen = colon - p;
	v = colon + 1;
	end = p + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	h = reallocarray(r->headers, r->nheaders + 1, sizeof(*h));
	if (h == NULL) {
		t->oom = 1;
		return 0;
	}
	r->headers = h;
	h = &r->headers[r->nheaders];
	h->name = strndup(p, nlen);
	h->value = strndup(v, end - v);
	if (h->name == NULL || h->value == NULL) {
		free(h->name);
		free(h->value);
		t->oom = 1;
		return 0;
	}
	r->nheaders++;
	return len;
}

static int
on_socket_open(void *arg, curl_socket_t fd, curlsocktype purpose)
{
	struct uktv_http *http = arg;

	(void)fd;
	if (purpose == CURLSOCKTYPE_IPCXN)
		http->connections++;
	return CURL_SOCKOPT_OK;
}

struct uktv_http *
uktv_http_new(const struct uktv_http_opts *opts, struct uktv_error *err)
{
	struct uktv_http *http;

	/* curl_global_init is reference counted and thread-unsafe only against
	 * itself; tools call this before starting anything else. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		uktv_error_set(err, UKTV_ERR_INTERNAL, "cannot initialise libcurl");
		return NULL;
	}
	if ((http = calloc(1, sizeof(*http))) == NULL) {
		curl_global_cleanup();
		uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	if (opts != NULL)
		http->opts = *opts;
	if (http->opts.connect_timeout_ms <= 0)
		http->opts.connect_timeout_ms = 5000;
	if (http->opts.read_timeout_ms <= 0)
		http->opts.read_timeout_ms = 60000;
	if (http->opts.attempt_timeout_ms <= 0)
		http->opts.attempt_timeout_ms = 120000;
	if (http->opts.ca_bundle != NULL &&
	    (http->ca_bundle = strdup(http->opts.ca_bundle)) == NULL)
		goto oom;
	http->opts.ca_bundle = http->ca_bundle;
	if ((http->curl = curl_easy_init()) == NULL)
		goto oom;
	return http;
oom:
	uktv_http_free(http);
	uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	return NULL;
}

void
uktv_http_free(struct uktv_http *http)
{
	if (http == NULL)
		return;
	if (http->curl != NULL)
		curl_easy_cleanup(http->curl);
	free(http->ca_bundle);
	free(http);
	curl_global_cleanup();
}

long
uktv_http_connections(struct uktv_http *http)
{
	return http->connections;
}

void
uktv_http_response_free(struct uktv_http_response *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nheaders; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	free(r->headers);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

const char *
uktv_http_header_get(const struct uktv_http_response *r, const char *name)
{
	for (size_t i = r->nheaders; i > 0; i--)
		if (strcasecmp(r->headers[i - 1].name, name) == 0)
			return r->headers[i - 1].value;
	return NULL;
}

char *
uktv_http_urlencode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *out, *o;

	if ((out = malloc(n * 3 + 1)) == NULL)
		return NULL;
	for (o = out; *s != '\0'; s++) {
		unsigned char c = *s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
		    c == '~')
			*o++ = c;
		else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	return out;
}

/* The URL for a trace line: a legacy Watchmode apiKey query parameter is
 * replaced so a -v trace never shows a key. */
static void
trace_url(char *dst, size_t dstlen, const char *url)
{
	const char *k;
	size_t n;

	strlcpy(dst, url, dstlen);
	if ((k = strstr(dst, "apiKey=")) == NULL)
		return;
	n = k - dst + 7;
	if (n + 4 < dstlen) {
		const char *rest = strchr(k, '&');
		char tail[1024] = "";

		if (rest != NULL)
			strlcpy(tail, rest, sizeof(tail));
		dst[n] = '\0';
		strlcat(dst, "****", dstlen);
		strlcat(dst, tail, dstlen);
	}
}

static int
has_header(const struct uktv_header *h, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(h[i].name, name) == 0)
			return 1;
	return 0;
}

/* The request's header lines for libcurl, or NULL when out of memory. */
static struct curl_slist *
header_list(const struct uktv_header *headers, size_t nheaders)
{
	struct curl_slist *list = NULL, *l;

	for (size_t i = 0; i < nheaders; i++) {
		char *line;

		if (asprintf(&line, "%s: %s", headers[i].name, headers[i].value) == -1)
			goto oom;
		l = curl_slist_append(list, line);
		/* A header line may hold a signature or token: wipe our copy. */
		explicit_bzero(line, strlen(line));
		free(line);
		if (l == NULL)
			goto oom;
		list = l;
	}
	/* libcurl adds these by default; AWS signs exactly what we send. */
	if ((l = curl_slist_append(list, "Expect:")) == NULL)
		goto oom;
	list = l;
	/* Without this libcurl would invent a form Content-Type for a POST. */
	if (!has_header(headers, nheaders, "Content-Type")) {
		if ((l = curl_slist_append(list, "Content-Type:")) == NULL)
			goto oom;
		list = l;
	}
	return list;
oom:
	curl_slist_free_all(list);
	return NULL;
}

/* The handle set for one request: timeouts, TLS, callbacks, the method. */
static void
setup(struct uktv_http *http, const char *method, const char *url,
    struct curl_slist *list, const void *body, size_t body_len,
    struct transfer *t)
{
	CURL *c = http->curl;
	long low_speed_secs;

	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, http->errbuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, http->opts.connect_timeout_ms);
	/* A read timeout: fail a transfer that moves no byte for that long. */
	low_speed_secs = (http->opts.read_timeout_ms + 999) / 1000;
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, low_speed_secs);
	/* The low-speed check never fires while a byte comes now and then:
	 * bound the attempt as a whole too (each retry gets its own). */
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, http->opts.attempt_timeout_ms);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (http->ca_bundle != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, http->ca_bundle);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(c, CURLOPT_SOCKOPTFUNCTION, on_socket_open);
	curl_easy_setopt(c, CURLOPT_SOCKOPTDATA, http);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	if (strcmp(method, "GET") == 0)
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	else if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body != NULL ? body : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)(body != NULL ? body_len : 0));
	}
	http->errbuf[0] = '\0';
}

/* A transfer that got no answer, as an error: retryable unless the
 * certificate is bad (it stays bad). */
static int
transfer_failed(struct uktv_http *http, const char *method, const char *url,
    CURLcode rc, struct uktv_error *err)
{
	char u[1024];
	const char *why = http->errbuf[0] ? http->errbuf : curl_easy_strerror(rc);

	trace_url(u, sizeof(u), url);
	/* Cut the query: it never helps the reader and may carry a key. */
	u[strcspn(u, "?")] = '\0';
	uktv_error_set(err, UKTV_ERR_UNAVAILABLE, "%s %s: %s%s", method, u,
	    why, rc == CURLE_OPERATION_TIMEDOUT ? " (timed out)" : "");
	if (rc == CURLE_PEER_FAILED_VERIFICATION ||
	    rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_CERTPROBLEM)
		err->retryable = 0;
	else
		err->retryable = 1;
	snprintf(err->code, sizeof(err->code), "%s",
	    rc == CURLE_OPERATION_TIMEDOUT ? "RequestTimeout" :
	    "ConnectionError");
	return -1;
}

int
uktv_http_request(struct uktv_http *http, const char *method, const char *url,
    const struct uktv_header *headers, size_t nheaders,
    const void *body, size_t body_len,
    struct uktv_http_response *resp, struct uktv_error *err)
{
	CURL *c = http->curl;
	struct curl_slist *list;
	struct transfer t;
	long long t0, t1;
	CURLcode rc;

	memset(resp, 0, sizeof(*resp));
	memset(&t, 0, sizeof(t));
	t.resp = resp;
	if ((list = header_list(headers, nheaders)) == NULL)
		goto oom;
	setup(http, method, url, list, body, body_len, &t);
	t0 = uktv_time_mono_ms();
	rc = curl_easy_perform(c);
	t1 = uktv_time_mono_ms();
	curl_slist_free_all(list);
	/* Nothing in the handle may point at our header list after return. */
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);

	if (t.oom)
		goto oom;
	if (http->opts.trace != NULL) {
		char line[2048], u[1024];

		trace_url(u, sizeof(u), url);
		snprintf(line, sizeof(line), "%s %s -> %s%ld (%zu bytes, %ld ms)",
		    method, u, rc == CURLE_OK ? "" : "failed ",
		    rc == CURLE_OK ? (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE,
		    &resp->status), resp->status) : 0L, t.body.len,
		    (long)(t1 - t0));
		http->opts.trace(http->opts.trace_arg, line);
	}
	if (rc != CURLE_OK) {
		free(t.body.data);
		uktv_http_response_free(resp);
		return transfer_failed(http, method, url, rc, err);
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	if (t.body.data == NULL && buf_add(&t.body, "", 0) == -1)
		goto oom;
	resp->body = t.body.data;
	resp->body_len = t.body.len;
	return 0;
oom:
	free(t.body.data);
	uktv_http_response_free(resp);
	return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
}
