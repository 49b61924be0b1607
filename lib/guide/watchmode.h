/*
 * watchmode.h: the Watchmode API v1 client (behaviour: tests/fixtures/
 * watchmode-api.md, copied from the project's reference).
 *
 * Owns: the base URL, the API key (wiped on free; never put in an error
 * message, a trace or argv), the rate-limit and quota figures read from the
 * last answer, and a call counter.  Uses the caller's struct uktv_http.
 *
 * Base URL: https://api.watchmode.com, or endpoint_url (scheme, host, port;
 * no /v1).  Key: api_key_file (first line), api_key_secret (a Secrets
 * Manager SecretString), or api_key.  Sent as X-API-Key, or as the legacy
 * apiKey query parameter with key_in_query.  This client reads neither argv
 * nor the environment: the tools' options and WATCHMODE_ENDPOINT_URL /
 * WATCHMODE_API_KEY are cmd/common/watchopt.h's.
 *
 * HTTP 429: Retry-After honoured (on 429 only) with backoff, up to a bound;
 * 5xx and connection errors retried likewise.  The error envelope
 * {"success":false,"statusCode":N,"statusMessage":...} becomes an error
 * naming the endpoint; 401 -> UKTV_ERR_NOPERM ("invalid API key, or an
 * endpoint your plan does not include"), 402 -> UKTV_ERR_QUOTA.
 *
 *   struct uktv_watchmode_opts wo = { .api_key = key };
 *   wm = uktv_watchmode_open(uktv_aws_http(aws), aws, &wo, &err);
 *   uktv_watchmode_check_quota(wm, planned_calls, &err);   (unless --force)
 *   uktv_watchmode_sources(wm, "GB", NULL, &arr, &err);
 */
#ifndef UKTV_WATCHMODE_H
#define UKTV_WATCHMODE_H

#include <stddef.h>

#include <json-c/json.h>

#include "aws.h"
#include "error.h"
#include "http.h"

#define UKTV_WATCHMODE_PAGE_MAX	250	/* list-titles limit, documented */
#define UKTV_WATCHMODE_BASE_URL	"https://api.watchmode.com"

struct uktv_watchmode_opts {
	const char	*endpoint_url;		/* NULL: UKTV_WATCHMODE_BASE_URL */
	const char	*api_key;		/* the key itself (WATCHMODE_API_KEY) */
	const char	*api_key_file;		/* --api-key-file: wins over api_key */
	const char	*api_key_secret;	/* --api-key-secret ARN: likewise */
	int		 key_in_query;		/* --key-in-query */
	int		 retry_base_set;	/* retry_base_ms given; else aws's
						 * uktv_aws_retry_base_ms, or 1 s
						 * without aws */
	long		 retry_base_ms;		/* base of the retry backoff */
	int		 max_429_retries;	/* 0: 5 */
	long		 retry_after_max_ms;	/* 0: 60 s; a longer Retry-After
						 * is not waited for: the call fails */
	int		 max_attempts;		/* 5xx / connection errors: 0: 3 */
};

struct uktv_watchmode_quota {
	long	rate_limit;		/* X-RateLimit-Limit, -1 unknown */
	long	rate_remaining;		/* X-RateLimit-Remaining, -1 unknown */
	long	quota;			/* X-Account-Quota, -1 unknown */
	long	quota_used;		/* X-Account-Quota-Used, -1 unknown */
	long	calls;			/* requests this client sent */
	long	rate_limited;		/* 429 answers received */
	long	retries;		/* requests sent again (429, 5xx, transport) */
};

struct uktv_watchmode;

/* A --country value: two ASCII letters, stored upper-case in out (3 bytes).
 * Returns 0, or -1 when arg is not a country code. */
int	uktv_watchmode_country(const char *arg, char out[3]);

/*
 * Resolves base URL and key (aws is needed only for api_key_secret and may
 * be NULL otherwise).  No key anywhere: UKTV_ERR_CONFIG naming the three
 * sources.  A missing key file: UKTV_ERR_NOINPUT.  A bad endpoint_url:
 * UKTV_ERR_CONFIG (the message names WATCHMODE_ENDPOINT_URL, where tools
 * take it from).  Caller frees with uktv_watchmode_free.
 */
struct uktv_watchmode *uktv_watchmode_open(struct uktv_http *, struct uktv_aws *,
	    const struct uktv_watchmode_opts *, struct uktv_error *);
void	uktv_watchmode_free(struct uktv_watchmode *);

/*
 * GET /v1/<path> with query parameters (pairs: name, value, ..., ended by
 * a NULL name; a pair whose value is NULL is not sent, so optional filters
 * can be passed as they are; values are URL-encoded here; params may be
 * NULL), answer parsed into *out (caller puts).  path is relative to /v1/
 * ("sources/", "title/1/details/").
 * Errors name the endpoint ("Watchmode /v1/sources/: ...") and set
 * err->http_status to Watchmode's status (401 for a paid-only endpoint on a
 * free plan, so callers can fall back).
 */
int	uktv_watchmode_get(struct uktv_watchmode *, const char *path,
	    const char *const *params, struct json_object **out, struct uktv_error *);

/*
 * Every page of a paged endpoint (list-titles, changes/...): fn is called
 * with each element of the page's "titles" (or "people") array (borrowed;
 * a title summary for list-titles, a bare integer id for changes/...), in
 * order.  limit per page (0: UKTV_WATCHMODE_PAGE_MAX).  max_calls bounds the
 * requests this paging may send (0: no bound): when the next page would
 * exceed it, it stops with UKTV_ERR_SERVICE, code "MaxCalls", having passed
 * every title of the pages it fetched.  fn returns 0 to go on; any other
 * value stops the paging and is returned (err untouched).  Paging ends
 * at total_pages, or at an empty page.
 */
typedef int (*uktv_watchmode_title_fn)(struct json_object *title, void *arg);

/* The typed endpoints.  Arrays and objects returned in *out: caller puts. */

/* /v1/sources/: regions and types are CSV strings or NULL. */
int	uktv_watchmode_sources(struct uktv_watchmode *, const char *regions,
	    const char *types, struct json_object **out, struct uktv_error *);
/* /v1/genres/ */
int	uktv_watchmode_genres(struct uktv_watchmode *, struct json_object **out,
	    struct uktv_error *);
/* /v1/regions/ */
int	uktv_watchmode_regions(struct uktv_watchmode *, struct json_object **out,
	    struct uktv_error *);
/* /v1/status/: {"quota":N,"quotaUsed":M}; also stored in the quota figures. */
int	uktv_watchmode_status(struct uktv_watchmode *, long *quota, long *quota_used,
	    struct uktv_error *);

/* /v1/list-titles/ filters (documented names; CSV strings, NULL: not sent). */
struct uktv_watchmode_filter {
	const char	*types;
	const char	*regions;
	const char	*source_types;
	const char	*source_ids;
	const char	*genres;
	const char	*network_ids;
	const char	*languages;
	const char	*release_date_start;	/* YYYYMMDD */
	const char	*release_date_end;
	const char	*user_rating_low;
	const char	*user_rating_high;
	const char	*critic_score_low;
	const char	*critic_score_high;
	const char	*person_id;
	const char	*sort_by;
};
/* Every page of /v1/list-titles/ (paged as above; pages and total_results,
 * the first page's, -1 unknown, may be NULL). */
int	uktv_watchmode_list_titles(struct uktv_watchmode *,
	    const struct uktv_watchmode_filter *, int limit, long max_calls,
	    uktv_watchmode_title_fn, void *arg, long *pages, long *total_results,
	    struct uktv_error *);

/*
 * /v1/title/{id}/details/: id is a Watchmode id, an IMDb id or movie-N/tv-N;
 * append_to_response and regions are CSV strings or NULL.  An unknown title:
 * UKTV_ERR_NOTFOUND.
 */
int	uktv_watchmode_title_details(struct uktv_watchmode *, const char *id,
	    const char *append_to_response, const char *regions,
	    struct json_object **out, struct uktv_error *);
/* /v1/title/{id}/sources/: a bare array of offers. */
int	uktv_watchmode_title_sources(struct uktv_watchmode *, const char *id,
	    const char *regions, struct json_object **out, struct uktv_error *);

/*
 * /v1/changes/<change>/ ("new_titles", "titles_sources_changed", ...), every
 * page; fn gets each title id (a json int, borrowed).  start_date/end_date
 * YYYYMMDD[HHMMSS], types CSV, region a single code (titles_sources_changed);
 * NULL: not sent.  Paid plans only: a free key gets UKTV_ERR_NOPERM with
 * err->http_status 401.
 */
int	uktv_watchmode_changes(struct uktv_watchmode *, const char *change,
	    const char *start_date, const char *end_date, const char *types,
	    const char *region, long max_calls, uktv_watchmode_title_fn, void *arg,
	    struct uktv_error *);

const struct uktv_watchmode_quota *uktv_watchmode_quota(const struct uktv_watchmode *);
/* Refuses (UKTV_ERR_QUOTA) when planned_calls exceeds the remaining quota
 * as known (asks /v1/status/ when nothing is known yet). */
int	uktv_watchmode_check_quota(struct uktv_watchmode *, long planned_calls,
	    struct uktv_error *);

/* The base URL in use (no trailing slash, no /v1), for messages. */
const char *uktv_watchmode_base_url(const struct uktv_watchmode *);

#endif
