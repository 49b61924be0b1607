/*
 * watchmode.h: the Watchmode API v1 client (behaviour: tests/fixtures/
 * watchmode-api.md, copied from the project's reference).
 *
 * Owns: the base URL, the API key (wiped on free; never put in an error
 * message, a trace or argv), the rate-limit and quota figures read from the
 * last answer, and a call counter.  Uses the caller's struct uktv_http.
 *
 * Base URL: https://api.watchmode.com, or WATCHMODE_ENDPOINT_URL (scheme,
 * host, port; no /v1).  Key: WATCHMODE_API_KEY, --api-key-file FILE (first
 * line), or --api-key-secret ARN (Secrets Manager SecretString).  Sent as
 * X-API-Key, or as the legacy apiKey query parameter with --key-in-query.
 *
 * HTTP 429: Retry-After honoured (on 429 only) with backoff, up to a bound;
 * 5xx and connection errors retried likewise.  The error envelope
 * {"success":false,"statusCode":N,"statusMessage":...} becomes an error
 * naming the endpoint; 401 -> UKTV_ERR_NOPERM ("invalid API key, or an
 * endpoint your plan does not include"), 402 -> UKTV_ERR_QUOTA.
 */
#ifndef UKTV_WATCHMODE_H
#define UKTV_WATCHMODE_H

#include <json-c/json.h>

#include "aws.h"
#include "error.h"
#include "http.h"

#define UKTV_WATCHMODE_PAGE_MAX	250	/* list-titles limit, documented */

struct uktv_watchmode_opts {
	const char	*api_key_file;		/* --api-key-file */
	const char	*api_key_secret;	/* --api-key-secret ARN */
	int		 key_in_query;		/* --key-in-query */
	int		 max_429_retries;	/* 0: 5 */
};

struct uktv_watchmode_quota {
	long	rate_limit;		/* X-RateLimit-Limit, -1 unknown */
	long	rate_remaining;		/* X-RateLimit-Remaining, -1 unknown */
	long	quota;			/* X-Account-Quota, -1 unknown */
	long	quota_used;		/* X-Account-Quota-Used, -1 unknown */
	long	calls;			/* requests this client sent */
};

struct uktv_watchmode;

/*
 * Resolves base URL and key (aws is needed only for --api-key-secret and may
 * be NULL otherwise).  No key anywhere: UKTV_ERR_CONFIG naming the three
 * sources.  Caller frees with uktv_watchmode_free.
 */
struct uktv_watchmode *uktv_watchmode_new(struct uktv_http *, struct uktv_aws *,
	    const struct uktv_watchmode_opts *, struct uktv_error *);
void	uktv_watchmode_free(struct uktv_watchmode *);

/*
 * GET /v1/<path> with query parameters (pairs: name, value, ..., NULL; the
 * values are URL-encoded here), answer parsed into *out (caller puts).
 */
int	uktv_watchmode_get(struct uktv_watchmode *, const char *path,
	    const char *const *params, struct json_object **out, struct uktv_error *);

/* Every page of a paged endpoint (list-titles, changes/...): fn is called
 * with each page's "titles" array element (borrowed).  limit per page. */
typedef int (*uktv_watchmode_title_fn)(struct json_object *title, void *arg);
int	uktv_watchmode_pages(struct uktv_watchmode *, const char *path,
	    const char *const *params, int limit, long max_calls,
	    uktv_watchmode_title_fn, void *arg, struct uktv_error *);

const struct uktv_watchmode_quota *uktv_watchmode_quota(const struct uktv_watchmode *);
/* Refuses (UKTV_ERR_QUOTA) when planned_calls exceeds the remaining quota
 * as known (asks /v1/status/ when nothing is known yet). */
int	uktv_watchmode_check_quota(struct uktv_watchmode *, long planned_calls,
	    struct uktv_error *);

#endif
