/*
 * http.h: one libcurl easy handle per process, reused for keep-alive.
 *
 * Owns: the CURL handle and the response buffers it fills.  TLS verification
 * is always on (CA bundle from opts->ca_bundle, else the system's).  Timeouts:
 * connect_timeout_ms bounds the TCP+TLS connect; read_timeout_ms bounds how
 * long a transfer may make no progress (a stalled server fails within it);
 * attempt_timeout_ms bounds one request as a whole, connect to last byte (a
 * server that trickles a byte now and then never stalls, and fails within
 * it).  Each ends the request as a timeout: retryable, code RequestTimeout.
 * The library never prints; with opts->trace set, one line per request is
 * passed to it (method, URL with apiKey redacted, status, bytes, ms).
 */
#ifndef UKTV_HTTP_H
#define UKTV_HTTP_H

#include <stddef.h>

#include "error.h"

struct uktv_header {
	char	*name;
	char	*value;
};

struct uktv_http_response {
	long			 status;
	char			*body;		/* NUL-terminated, may hold NULs */
	size_t			 body_len;
	struct uktv_header	*headers;	/* as received, in order */
	size_t			 nheaders;
};

struct uktv_http_opts {
	long		 connect_timeout_ms;	/* 0: 5000 */
	long		 read_timeout_ms;	/* 0: 60000 */
	long		 attempt_timeout_ms;	/* 0: 120000 */
	const char	*ca_bundle;		/* NULL: system default */
	void		(*trace)(void *arg, const char *line);
	void		*trace_arg;
};

struct uktv_http;

/* Caller frees with uktv_http_free. */
struct uktv_http *uktv_http_new(const struct uktv_http_opts *, struct uktv_error *);
void	uktv_http_free(struct uktv_http *);

/*
 * Sends one request and waits for the whole answer.  Any HTTP status is a
 * success (0) here: resp is filled and the caller reads status.  A transport
 * failure (refused, reset, timeout, TLS) returns -1 with err->kind
 * UKTV_ERR_UNAVAILABLE and err->retryable set.  headers are sent as given
 * (no Expect: 100-continue, no default Content-Type).  resp is reset first;
 * free it with uktv_http_response_free.
 */
int	uktv_http_request(struct uktv_http *, const char *method, const char *url,
	    const struct uktv_header *headers, size_t nheaders,
	    const void *body, size_t body_len,
	    struct uktv_http_response *resp, struct uktv_error *);

/* Case-insensitive lookup of the last header named name; NULL if absent. */
const char *uktv_http_header_get(const struct uktv_http_response *, const char *name);
void	uktv_http_response_free(struct uktv_http_response *);

/* Percent-encodes s as RFC 3986 unreserved-only (A-Z a-z 0-9 - . _ ~). Caller frees. */
char	*uktv_http_urlencode(const char *s);

#endif
