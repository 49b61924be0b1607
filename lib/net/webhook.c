/*
 * webhook.c: see webhook.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "backoff.h"
#include "webhook.h"

/* Counted as it goes; kept for a debugger, nothing reads them yet. */
struct uktv_webhook_stats {
	long	posts;		/* HTTP requests made, retries included */
	long	retries;
	long	delivered;
	long	failed;
};

struct uktv_webhook {
	struct uktv_http		*http;		/* borrowed */
	char				*url;
	char				*secret;
	size_t				 secret_len;
	char				*user_agent;
	int				 attempts;
	long				 base_ms;
	long				 max_ms;
	volatile sig_atomic_t		*stop;
	struct uktv_webhook_stats	 stats;
};

int
uktv_webhook_sign(const void *secret, size_t secret_len, const void *body,
    size_t body_len, char out[UKTV_WEBHOOK_SIGNATURE_LEN])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	if (secret_len > (size_t)UKTV_WEBHOOK_SECRET_MAX ||
	    HMAC(EVP_sha256(), secret, (int)secret_len, body, body_len, md,
	    &mdlen) == NULL || mdlen != 32)
		return -1;
	memcpy(out, "sha256=", 7);
	for (i = 0; i < mdlen; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[7 + 2 * i + 1] = hex[md[i] & 15];
	}
	out[7 + 2 * mdlen] = '\0';
	explicit_bzero(md, sizeof(md));
	return 0;
}

void
uktv_webhook_secret_free(char *secret, size_t len)
{
	if (secret == NULL)
		return;
	explicit_bzero(secret, len);
	free(secret);
}

int
uktv_webhook_read_secret(const char *path, char **secret, size_t *lenp,
    struct uktv_error *err)
{
	char *buf;
	size_t len = 0;
	ssize_t n;
	int fd;

	*secret = NULL;
	*lenp = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return uktv_error_set(err, errno == ENOENT ? UKTV_ERR_NOINPUT :
		    UKTV_ERR_IO, "%s: %s", path, strerror(errno));
	/* One byte more than allowed (and a "\r\n"), to tell "too long". */
	if ((buf = malloc(UKTV_WEBHOOK_SECRET_MAX + 3)) == NULL) {
		close(fd);
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	}
	while (len < UKTV_WEBHOOK_SECRET_MAX + 3) {
		n = read(fd, buf + len, UKTV_WEBHOOK_SECRET_MAX + 3 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			uktv_error_set(err, UKTV_ERR_IO, "%s: %s", path,
			    strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	fd = -1;
	/* Editors and `echo secret > file` add a newline nobody meant. */
	if (len > 0 && buf[len - 1] == '\n') {
		len--;
		if (len > 0 && buf[len - 1] == '\r')
			len--;
	}
	if (len == 0) {
		uktv_error_set(err, UKTV_ERR_CONFIG, "%s: the secret is empty", path);
		goto fail;
	}
	if (len > UKTV_WEBHOOK_SECRET_MAX) {
		uktv_error_set(err, UKTV_ERR_CONFIG,
		    "%s: a secret of more than %d bytes", path,
		    UKTV_WEBHOOK_SECRET_MAX);
		goto fail;
	}
	buf[len] = '\0';
	*secret = buf;
	*lenp = len;
	return 0;
fail:
	if (fd != -1)
		close(fd);
	uktv_webhook_secret_free(buf, UKTV_WEBHOOK_SECRET_MAX + 3);
	return -1;
}

void
uktv_webhook_free(struct uktv_webhook *w)
{
	if (w == NULL)
		return;
	uktv_webhook_secret_free(w->secret, w->secret_len);
	free(w->url);
	free(w->user_agent);
	free(w);
}

struct uktv_webhook *
uktv_webhook_new(struct uktv_http *http, const struct uktv_webhook_opts *o,
    struct uktv_error *err)
{
	struct uktv_webhook *w;

	if (o->url == NULL || (strncasecmp(o->url, "http://", 7) != 0 &&
	    strncasecmp(o->url, "https://", 8) != 0)) {
		uktv_error_set(err, UKTV_ERR_USAGE,
		    "the webhook URL must start with http:// or https://");
		return NULL;
	}
	if (o->secret == NULL || o->secret_len == 0 ||
	    o->secret_len > UKTV_WEBHOOK_SECRET_MAX) {
		uktv_error_set(err, UKTV_ERR_USAGE,
		    "the webhook secret must be 1 to %d bytes",
		    UKTV_WEBHOOK_SECRET_MAX);
		return NULL;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (w->url = strdup(o->url)) == NULL ||
	    (w->secret = malloc(o->secret_len + 1)) == NULL ||
	    (o->user_agent != NULL &&
	    (w->user_agent = strdup(o->user_agent)) == NULL)) {
		uktv_webhook_free(w);
		uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	memcpy(w->secret, o->secret, o->secret_len);
	w->secret[o->secret_len] = '\0';
	w->secret_len = o->secret_len;
	w->http = http;
	w->attempts = o->attempts > 0 ? o->attempts : UKTV_WEBHOOK_ATTEMPTS;
	w->base_ms = o->base_ms != 0 ? o->base_ms : UKTV_WEBHOOK_BASE_MS;
	w->max_ms = o->max_ms > 0 ? o->max_ms : UKTV_WEBHOOK_MAX_BACKOFF_MS;
	w->stop = o->stop;
	return w;
}

static int
stopped(const struct uktv_webhook *w)
{
	return w->stop != NULL && *w->stop;
}

/* The backoff before retry number attempt (1..): full jitter up to
 * min(base * 2^(attempt-1), max), cut short by a stop. */
static void
backoff(struct uktv_webhook *w, int attempt)
{
	long long ms, step;

	ms = uktv_backoff_ms(w->base_ms, w->max_ms, attempt, UKTV_JITTER_FULL);
	/* In slices, so that a signal's stop is seen within 50 ms. */
	while (ms > 0 && !stopped(w)) {
		step = ms < 50 ? ms : 50;
		uktv_sleep_ms(step);
		ms -= step;
	}
}

/* 1 for an answer worth trying again: 5xx, 408 Request Timeout, 429. */
static int
status_retryable(long status)
{
	return status >= 500 || status == 408 || status == 429;
}

int
uktv_webhook_post(struct uktv_webhook *w, const char *body, size_t len,
    const char *event_id, struct uktv_error *err)
{
	struct uktv_header h[4];
	struct uktv_http_response resp;
	char sig[UKTV_WEBHOOK_SIGNATURE_LEN];
	size_t nh = 0;
	int attempt;

	if (uktv_webhook_sign(w->secret, w->secret_len, body, len, sig) == -1)
		return uktv_error_set(err, UKTV_ERR_INTERNAL,
		    "cannot compute the HMAC-SHA256 signature");
	h[nh].name = (char *)"Content-Type";
	h[nh++].value = (char *)"application/json";
	h[nh].name = (char *)UKTV_WEBHOOK_SIGNATURE_HEADER;
	h[nh++].value = sig;
	if (event_id != NULL) {
		h[nh].name = (char *)UKTV_WEBHOOK_EVENT_ID_HEADER;
		h[nh++].value = (char *)event_id;
	}
	if (w->user_agent != NULL) {
		h[nh].name = (char *)"User-Agent";
		h[nh++].value = w->user_agent;
	}
	memset(&resp, 0, sizeof(resp));
	for (attempt = 1;; attempt++) {
		uktv_error_clear(err);
		w->stats.posts++;
		if (uktv_http_request(w->http, "POST", w->url, h, nh, body, len,
		    &resp, err) == 0) {
			long status = resp.status;

			uktv_http_response_free(&resp);
			if (status >= 200 && status < 300) {
				w->stats.delivered++;
				return 0;
			}
			err->http_status = status;
			snprintf(err->code, sizeof(err->code), "HTTP %ld", status);
			if (status == 401 || status == 403) {
				err->kind = UKTV_ERR_NOPERM;
				snprintf(err->message, sizeof(err->message),
				    "webhook answered HTTP %ld: it refused the "
				    "signature (is the secret the receiver's?)",
				    status);
				break;
			}
			if (!status_retryable(status)) {
				err->kind = UKTV_ERR_SERVICE;
				snprintf(err->message, sizeof(err->message),
				    "webhook answered HTTP %ld", status);
				break;
			}
			err->kind = UKTV_ERR_UNAVAILABLE;
			err->retryable = 1;
			snprintf(err->message, sizeof(err->message),
			    "webhook answered HTTP %ld", status);
		} else if (!err->retryable)
			break;
		if (attempt >= w->attempts || stopped(w)) {
			size_t l = strlen(err->message);

			snprintf(err->message + l, sizeof(err->message) - l,
			    " (%d attempt%s)", attempt, attempt == 1 ? "" : "s");
			break;
		}
		w->stats.retries++;
		backoff(w, attempt);
	}
	explicit_bzero(sig, sizeof(sig));
	w->stats.failed++;
	return -1;
}
