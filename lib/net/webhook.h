/*
 * webhook.h: delivering one JSON document to an HTTP endpoint, signed, with
 * retries (uktv-notify --webhook URL).
 *
 * Each POST carries Content-Type: application/json, X-Uktv-Event-Id (the
 * caller's id for deduplication) and X-Uktv-Signature: "sha256=" followed by
 * the lower-case hex HMAC-SHA256 of the exact body under the shared secret,
 * so a receiver checks the body came from the holder of the secret (compare
 * in constant time).  The secret comes from a file or the environment,
 * never argv; it is copied here and wiped when the webhook is freed.
 *
 * Retries: a transport failure (refused, reset, timeout, stalled answer),
 * 5xx, 408 and 429 are tried again, up to attempts in all, after a
 * full-jitter exponential backoff (a random time in [0, min(base * 2^(n-1),
 * max)]) as the AWS SDKs' standard mode; another answer is final.  Posts go
 * through the caller's struct uktv_http (one reused handle, its timeouts).
 */
#ifndef UKTV_WEBHOOK_H
#define UKTV_WEBHOOK_H

#include <signal.h>
#include <stddef.h>

#include "error.h"
#include "http.h"

#define UKTV_WEBHOOK_ATTEMPTS		5
#define UKTV_WEBHOOK_BASE_MS		1000L
#define UKTV_WEBHOOK_MAX_BACKOFF_MS	20000L
#define UKTV_WEBHOOK_SIGNATURE_HEADER	"X-Uktv-Signature"
#define UKTV_WEBHOOK_EVENT_ID_HEADER	"X-Uktv-Event-Id"
/* "sha256=" + 64 hex digits + NUL. */
#define UKTV_WEBHOOK_SIGNATURE_LEN	(7 + 64 + 1)
/* A secret longer than this is a mistake (a wrong file), not a key. */
#define UKTV_WEBHOOK_SECRET_MAX		4096
#define UKTV_WEBHOOK_SECRET_ENV		"UKTV_WEBHOOK_SECRET"

struct uktv_webhook_opts {
	const char	*url;		/* http:// or https:// */
	const char	*secret;	/* copied; may hold any bytes */
	size_t		 secret_len;	/* 1 .. UKTV_WEBHOOK_SECRET_MAX */
	int		 attempts;	/* 0: UKTV_WEBHOOK_ATTEMPTS */
	long		 base_ms;	/* 0: UKTV_WEBHOOK_BASE_MS; < 0: no wait */
	long		 max_ms;	/* 0: UKTV_WEBHOOK_MAX_BACKOFF_MS */
	const char	*user_agent;	/* NULL: none sent */
	/* Set by a signal handler: a backoff wait ends at once and the post
	 * fails as it stands (not retried again). */
	volatile sig_atomic_t *stop;
};

struct uktv_webhook;

/* Borrows http (keep it alive); copies opts' strings.  NULL with err
 * (UKTV_ERR_USAGE: a URL that is not http(s), a secret empty or too long).
 * Caller frees with uktv_webhook_free, which wipes the secret. */
struct uktv_webhook *uktv_webhook_new(struct uktv_http *,
	    const struct uktv_webhook_opts *, struct uktv_error *);
void	uktv_webhook_free(struct uktv_webhook *);

/*
 * POSTs body (len bytes) with event_id.  0 when a 2xx came back.  -1 with
 * err: UKTV_ERR_UNAVAILABLE when it still failed after the retries
 * (retryable set), UKTV_ERR_NOPERM for 401/403 (the receiver refused the
 * signature: every other post would fail the same way), UKTV_ERR_SERVICE for
 * another answer (this body refused); err->http_status is the last status
 * (0 for a transport failure), err->code "HTTP <status>" or the transport's.
 */
int	uktv_webhook_post(struct uktv_webhook *, const char *body, size_t len,
	    const char *event_id, struct uktv_error *);

/* "sha256=<hex HMAC-SHA256 of body under secret>" into out.  0, or -1. */
int	uktv_webhook_sign(const void *secret, size_t secret_len,
	    const void *body, size_t body_len, char out[UKTV_WEBHOOK_SIGNATURE_LEN]);

/*
 * Reads a secret file: its bytes with one trailing "\n" (or "\r\n")
 * stripped.  *secret is NUL-terminated; caller frees with
 * uktv_webhook_secret_free (which wipes it).  UKTV_ERR_NOINPUT when the file
 * is missing, UKTV_ERR_CONFIG when it is empty or over
 * UKTV_WEBHOOK_SECRET_MAX, UKTV_ERR_IO when it cannot be read.
 */
int	uktv_webhook_read_secret(const char *path, char **secret, size_t *len,
	    struct uktv_error *);
void	uktv_webhook_secret_free(char *secret, size_t len);

#endif
