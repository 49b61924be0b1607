/*
 * titleplan.h: what uktv-titles decides between asking Watchmode and
 * printing: the followed (source, genre) pairs, whether Watchmode's changes
 * can spare a listing, how many calls the listing will take, and the
 * reconciling of the titles seen with the state (titlestate.h) into title
 * events (titleevent.h).  Nothing here calls Watchmode, prints or exits.
 *
 *   uktv_titleplan_pairs(&prefs, &pairs, &npairs, &err);
 *   ... uktv_titleplan_list_pair(wm, &q, pairs, i, &hits, &used, &err) ...
 *   uktv_titleplan_reconcile(&st, &run, &events, &tally, &err);
 */
#ifndef UKTV_TITLEPLAN_H
#define UKTV_TITLEPLAN_H

#include <stddef.h>

#include <json-c/json.h>

#include "error.h"
#include "prefs.h"
#include "titlestate.h"
#include "watchmode.h"

/* One followed (source, genre) pair. */
struct uktv_titleplan_pair {
	char				 key[UKTV_TITLESTATE_PAIR_MAX + 1];
	char				 source[UKTV_TITLESTATE_ID_MAX + 1];
	char				 genre[UKTV_TITLESTATE_ID_MAX + 1];
	const char			*user;	/* first follower, byte order */
	int				 list;	/* to be listed this run */
	enum uktv_titlestate_fate	 fate;
	long				 pages;
	long				 titles;
};

/* A title in one pair's answer. */
struct uktv_titleplan_hit {
	long long		 id;
	size_t			 pair;
	struct json_object	*summary;	/* a reference */
};

struct uktv_titleplan_hits {
	struct uktv_titleplan_hit	*v;
	size_t				 n, cap;
	size_t				 pair;	/* being listed */
	long				 bad;	/* summaries without id or title */
};

/* An event to print: an upsert (obj) or a remove (obj NULL). */
struct uktv_titleplan_event {
	long long		 id;
	struct json_object	*obj;
};

struct uktv_titleplan_events {
	struct uktv_titleplan_event	*v;
	size_t				 n, cap;
};

struct uktv_titleplan_tally {
	long	verdicts[UKTV_TITLESTATE_REMOVE + 1];
};

/* ---- what is asked ---- */

/* --types: known title types (api.md 6), sorted and distinct, into out (a
 * CSV).  -1 with err (UKTV_ERR_USAGE, naming the value) otherwise. */
int	uktv_titleplan_types(const char *arg, char *out, size_t len,
	    struct uktv_error *);
/* --since YYYY-MM-DD, a real day, as YYYYMMDD (release_date_start); -1
 * when it is not one. */
int	uktv_titleplan_since(const char *arg, char out[9]);
/* The state's query: what was asked besides the pairs. */
void	uktv_titleplan_query(const char *country, const char *types,
	    const char *since, char *out, size_t len);

/*
 * The distinct pairs users follow: each user's sources x genres (a user
 * with sources and no genres, or the reverse, follows none), sorted by key,
 * each to be listed.  A pair's user is its first follower in byte order
 * (borrowed from set).  Caller frees *out.
 */
int	uktv_titleplan_pairs(const struct uktv_prefs_set *,
	    struct uktv_titleplan_pair **out, size_t *n, struct uktv_error *);

/* ---- the changes window ---- */

/* Why asking Watchmode for changes could not spare a listing, or NULL. */
const char *uktv_titleplan_changes_useless(const struct uktv_titlestate *,
	    struct uktv_titleplan_pair *, size_t n, long long now_ms,
	    long long refresh_ms);
/* The changes endpoints' start (api.md 7.10: YYYYMMDDHHMMSS): the last
 * complete run's start less overlap_ms. */
void	uktv_titleplan_changes_since(const struct uktv_titlestate *,
	    long long overlap_ms, char out[16]);
/* Nothing changed: the pairs the state holds complete are not listed
 * again.  Returns how many pairs are still to be listed. */
size_t	uktv_titleplan_skip_complete(const struct uktv_titlestate *,
	    struct uktv_titleplan_pair *, size_t n);

/*
 * Asks one changes endpoint (api.md 7.10: "new_titles",
 * "titles_sources_changed") whether anything changed since since, types
 * (NULL: all) and region (NULL: none) as given, spending at most budget
 * calls (0: no bound); *used grows by the calls billed.  1 yes, 0 no, -1
 * with err (err->http_status 401: not in the plan; code "MaxCalls").
 */
int	uktv_titleplan_changed(struct uktv_watchmode *, const char *change,
	    const char *since, const char *types, const char *region,
	    long budget, long *used, struct uktv_error *);

/* ---- quota ---- */

/* The calls the listing will take: the pages each pair to list took last
 * time, else one; bounded by max_calls - used when max_calls > 0. */
long long uktv_titleplan_planned_calls(const struct uktv_titlestate *,
	    const struct uktv_titleplan_pair *, size_t n, long long max_calls,
	    long used);

/* ---- listing and reconciling ---- */

void	uktv_titleplan_hits_free(struct uktv_titleplan_hits *);

/* What a listing asks besides the pair. */
struct uktv_titleplan_query {
	const char	*country;	/* regions (list-titles answers for the
					 * US without it, api.md 7.6) */
	const char	*types;		/* CSV, "" none */
	const char	*since;		/* YYYYMMDD, "" none */
	long long	 max_calls;	/* 0: no bound */
};

/*
 * Every page of list-titles for pairs[i] into hits: the pair's pages,
 * titles and fate (LISTED; PARTIAL or CARRIED when cut short) are set and
 * *used grows by the pages.  0; -1 with err (code "MaxCalls" when the next
 * page would exceed max_calls); -2 when out of memory collecting titles.
 */
int	uktv_titleplan_list_pair(struct uktv_watchmode *,
	    const struct uktv_titleplan_query *, struct uktv_titleplan_pair *,
	    size_t i, struct uktv_titleplan_hits *, long *used,
	    struct uktv_error *);

/* One run as the state sees it. */
struct uktv_titleplan_run {
	struct uktv_titleplan_pair	*pairs;
	size_t				 npairs;
	struct uktv_titleplan_hits	*hits;
	int				 complete;	/* nothing cut short */
	long long			 started_ms;
	long long			 now_ms;
	long long			 refresh_ms;	/* <0: never */
	const char			*component;	/* the header's */
	const char			*ts;		/* the header's */
};

/*
 * Each title seen is decided (its memberships merged with what the state
 * carries for pairs not listed, its payload built and digested), the titles
 * gone from every followed pair swept out (after a complete run only): the
 * events of both are appended to events, the verdicts counted in tally.
 */
int	uktv_titleplan_reconcile(struct uktv_titlestate *,
	    const struct uktv_titleplan_run *, struct uktv_titleplan_events *,
	    struct uktv_titleplan_tally *, struct uktv_error *);
/* Events in id order. */
void	uktv_titleplan_events_sort(struct uktv_titleplan_events *);
void	uktv_titleplan_events_free(struct uktv_titleplan_events *);

/*
 * stdout's reader went away after the first written events: st becomes the
 * state at path (the one this run started from) with only those titles
 * brought up to date (sent, or removed), so that it claims nothing that was
 * not written; pairs and the last complete run stay as they were.
 */
int	uktv_titleplan_keep_written(struct uktv_titlestate *, const char *path,
	    const struct uktv_titleplan_events *, size_t written,
	    struct uktv_error *);

#endif
