/*
 * fakehttp.c: a stand-in for lib/net/http.c in the fuzz targets (fuzz.h).
 *
 * Defines every public function of lib/net/http.h, so a replay binary linked
 * with libuktv.a never pulls http.o in (an archive member is only taken for
 * a symbol still undefined) and the fuzz build leaves lib/net/http.c out.  If
 * http.c gains a public function the lib uses, add it here too: the link
 * then fails loudly with a duplicate symbol rather than quietly.
 *
 * Requests are answered from the script set by fuzz_http_script (fuzz.h).
 * Test code, so a little global state is fine here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"
#include "private/http.h"
#include "fuzz.h"

struct uktv_http {
	struct uktv_http_opts	opts;
};

static struct {
	char	*script;
	size_t	 len;
	size_t	 pos;		/* next unread byte of script */
	int	 done;		/* script used up */
	long	 requests;
	long	 writes;	/* of them, DynamoDB writes */
	char	*last_body;
	char	*last_url;
} fk;

void
fuzz_http_reset(void)
{
	free(fk.script);
	free(fk.last_body);
	free(fk.last_url);
	memset(&fk, 0, sizeof(fk));
}

void
fuzz_http_script(const uint8_t *data, size_t len)
{
	fuzz_http_reset();
	if ((fk.script = malloc(len + 1)) == NULL)
		abort();
	if (len > 0)
		memcpy(fk.script, data, len);
	fk.script[len] = '\0';
	fk.len = len;
}

int
fuzz_http_script_has(const char *s)
{
	return fk.script != NULL && memmem(fk.script, fk.len, s, strlen(s)) != NULL;
}

void
fuzz_check_aws_error(const struct uktv_error *err)
{
	FUZZ_CHECK(memchr(err->message, '\0', sizeof(err->message)) != NULL,
	    "message not terminated");
	FUZZ_CHECK(memchr(err->code, '\0', sizeof(err->code)) != NULL,
	    "code not terminated");
	FUZZ_CHECK(strchr(err->message, '\n') == NULL, "message spans lines");
	if (!fuzz_http_script_has(FUZZ_AWS_SECRET))
		FUZZ_CHECK(strstr(err->message, FUZZ_AWS_SECRET) == NULL,
		    "secret key in an error message");
	if (!fuzz_http_script_has(FUZZ_AWS_TOKEN))
		FUZZ_CHECK(strstr(err->message, FUZZ_AWS_TOKEN) == NULL,
		    "session token in an error message");
}

long
fuzz_http_requests(void)
{
	return fk.requests;
}

long
fuzz_http_writes(void)
{
	return fk.writes;
}

/* 1 when the request asks DynamoDB to change the table (awsjson.c names
 * the operation in X-Amz-Target: "DynamoDB_20120810.<Operation>"). */
static int
is_write(const struct uktv_header *headers, size_t nheaders)
{
	static const char *const ops[] = {
		"BatchWriteItem", "PutItem", "UpdateItem", "DeleteItem",
		"TransactWriteItems", "ExecuteStatement",
		"BatchExecuteStatement", "ExecuteTransaction",
	};
	const char *dot;

	for (size_t i = 0; i < nheaders; i++) {
		if (strcasecmp(headers[i].name, "X-Amz-Target") != 0 ||
		    strncmp(headers[i].value, "DynamoDB_", 9) != 0 ||
		    (dot = strchr(headers[i].value, '.')) == NULL)
			continue;
		for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
			if (strcmp(dot + 1, ops[k]) == 0)
				return 1;
	}
	return 0;
}

const char *
fuzz_http_last_body(void)
{
	return fk.last_body != NULL ? fk.last_body : "";
}

const char *
fuzz_http_last_url(void)
{
	return fk.last_url != NULL ? fk.last_url : "";
}

static void *
xmemdup(const void *p, size_t n)
{
	char *d;

	if ((d = malloc(n + 1)) == NULL)
		abort();
	if (n > 0)
		memcpy(d, p, n);
	d[n] = '\0';
	return d;
}

/* Finds sep in s[0, n) (which may hold NULs); n when absent. */
static size_t
find(const char *s, size_t n, const char *sep)
{
	size_t k = strlen(sep);

	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(s + i, sep, k) == 0)
			return i;
	return n;
}

static void
add_header(struct uktv_http_response *r, const char *line, size_t n)
{
	const char *colon = memchr(line, ':', n);
	struct uktv_header *h;
	size_t nl, v;

	if (colon == NULL)
		return;
	nl = (size_t)(colon - line);
	v = nl + 1;
	while (v < n && (line[v] == ' ' || line[v] == '\t'))
		v++;
	h = reallocarray(r->headers, r->nheaders + 1, sizeof(*h));
	if (h == NULL)
		abort();
	r->headers = h;
	h[r->nheaders].name = xmemdup(line, nl);
	h[r->nheaders].value = xmemdup(line + v, n - v);
	r->nheaders++;
}

/* Fills r from the next part of the script; 0, or -1 when used up. */
static int
next_answer(struct uktv_http_response *r)
{
	const char *part, *p, *end, *eol;
	size_t n, k;

	if (fk.done || fk.script == NULL)
		return -1;
	part = fk.script + fk.pos;
	n = find(part, fk.len - fk.pos, FUZZ_HTTP_SEP);
	if (fk.pos + n >= fk.len)
		fk.done = 1;
	else
		fk.pos += n + strlen(FUZZ_HTTP_SEP);
	end = part + n;
	r->status = 200;
	p = part;
	if (n >= 4 && part[0] >= '0' && part[0] <= '9' && part[1] >= '0' &&
	    part[1] <= '9' && part[2] >= '0' && part[2] <= '9' && part[3] == '\n') {
		r->status = (part[0] - '0') * 100 + (part[1] - '0') * 10 +
		    (part[2] - '0');
		p = part + 4;
		while (p < end && *p != '\n') {
			eol = memchr(p, '\n', (size_t)(end - p));
			if (eol == NULL)
				eol = end;
			k = (size_t)(eol - p);
			if (k > 0 && p[k - 1] == '\r')
				k--;
			add_header(r, p, k);
			p = eol < end ? eol + 1 : end;
		}
		if (p < end && *p == '\n')
			p++;
	}
	r->body_len = (size_t)(end - p);
	r->body = xmemdup(p, r->body_len);
	return 0;
}

struct uktv_http *
uktv_http_new(const struct uktv_http_opts *opts, struct uktv_error *err)
{
	struct uktv_http *h;

	if ((h = calloc(1, sizeof(*h))) == NULL) {
		uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	if (opts != NULL)
		h->opts = *opts;
	return h;
}

void
uktv_http_free(struct uktv_http *http)
{
	free(http);
}

long
uktv_http_connections(struct uktv_http *http)
{
	(void)http;
	return 1;
}

int
uktv_http_request(struct uktv_http *http, const char *method, const char *url,
    const struct uktv_header *headers, size_t nheaders,
    const void *body, size_t body_len,
    struct uktv_http_response *resp, struct uktv_error *err)
{
	(void)http;
	(void)method;
	/* What http.c promises its callers about their arguments. */
	for (size_t i = 0; i < nheaders; i++)
		if (headers[i].name == NULL || headers[i].value == NULL)
			abort();
	memset(resp, 0, sizeof(*resp));
	fk.requests++;
	if (is_write(headers, nheaders))
		fk.writes++;
	free(fk.last_body);
	free(fk.last_url);
	fk.last_body = xmemdup(body != NULL ? body : "", body != NULL ? body_len : 0);
	fk.last_url = xmemdup(url, strlen(url));
	if (next_answer(resp) == -1) {
		uktv_error_set(err, UKTV_ERR_UNAVAILABLE,
		    "fuzz transport: no more answers");
		if (err != NULL)
			err->retryable = 1;
		return -1;
	}
	return 0;
}

/* The three below are copies of lib/net/http.c's (same contract). */
const char *
uktv_http_header_get(const struct uktv_http_response *r, const char *name)
{
	for (size_t i = r->nheaders; i > 0; i--)
		if (strcasecmp(r->headers[i - 1].name, name) == 0)
			return r->headers[i - 1].value;
	return NULL;
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
