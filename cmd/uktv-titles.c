/*
 * uktv-titles: the titles of every (source, genre) pair users follow, as
 * title events for uktv-publish, each title with its OWN source and genre
 * ids; with --state only what is new, changed, due for a refresh or gone.
 * It replaces the original PeriodicUKTitlesForUserPrefsFunction, which
 * asked for one page of the union of everyone's choices and stamped that
 * union onto every title.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include <json-c/json.h>

#include "checkpoint.h"
#include "parse.h"
#include "log.h"
#include "ndjson.h"
#include "prefs.h"
#include "titleevent.h"
#include "titlestate.h"
#include "toolopt.h"
#include "watchmode.h"
#include "watchopt.h"

#define PROG		"uktv-titles"
#define DAY_MS		(86400LL * 1000)
/* The changes endpoints' time zone is not documented for certain (api.md
 * 7.10: US Eastern or Pacific); looking back this much more than the last
 * complete run's start covers either. */
#define DEFAULT_OVERLAP_MS	(8LL * 3600 * 1000)

enum {
	OPT_PREFS_FROM = UKTV_OPT_FIRST_FREE,
	OPT_STATE,
	OPT_COUNTRY,
	OPT_TYPES,
	OPT_SINCE,
	OPT_MAX_CALLS,
	OPT_REFRESH_AFTER,
	OPT_CHANGES,
	OPT_CHANGES_OVERLAP,
	OPT_FORCE
};

/* api.md 6: the list-titles "types" filter values (tv_movie as a filter is
 * unverified but is a title type). */
static const char *const title_types[] = {
	"movie", "tv_series", "tv_special", "tv_miniseries", "tv_movie",
	"short_film", NULL
};

/* One followed (source, genre) pair. */
struct pair {
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
struct hit {
	long long		 id;
	size_t			 pair;
	struct json_object	*summary;	/* a reference */
};

struct hits {
	struct hit	*v;
	size_t		 n, cap;
	size_t		 pair;		/* being listed */
	long		 bad;		/* summaries without id or title */
};

/* An event to print: an upsert (obj) or a remove (obj NULL). */
struct out {
	long long		 id;
	struct json_object	*obj;
};

struct outs {
	struct out	*v;
	size_t		 n, cap;
};

static struct uktv_log lg;

/* uktv-titles(1)'s SYNOPSIS: what a usage error prints. */
#define SYNOPSIS \
	"usage: " PROG " [-qvV] [-t TABLE | --prefs-from FILE] [--state FILE]\n" \
	"           [--country CC] [--types LIST] [--since YYYY-MM-DD]\n" \
	"           [--max-calls N] [--refresh-after DAYS] [--changes]\n" \
	"           [--changes-overlap SEC] [--force]\n" \
	"           [--api-key-file FILE | --api-key-secret ARN] [--key-in-query]\n"

static struct uktv_toolopt to;

static void
usage_text(FILE *fp)
{
	fprintf(fp,
	    SYNOPSIS
	    "Prints a title event (NDJSON) for each title of the source x genre pairs\n"
	    "users follow; with --state only titles new, changed, due or gone.\n"
	    "  -t, --table TABLE       read preferences from TABLE (else UKTV_TABLE,\n"
	    "                          else UKTVProgrammes)\n"
	    "  --prefs-from FILE       read preferences as `uktv-prefs list` NDJSON\n"
	    "                          ('-': standard input) instead of a table\n"
	    "  --state FILE            remember what was sent; send only what changed\n"
	    "  --country CC            the country whose catalogue is listed (default GB)\n"
	    "  --types LIST            only titles of these types (movie,tv_series,\n"
	    "                          tv_special,tv_miniseries,tv_movie,short_film)\n"
	    "  --since YYYY-MM-DD      only titles released on or after that day\n"
	    "  --max-calls N           at most N Watchmode calls; stop there (exit 1)\n"
	    "  --refresh-after DAYS    send a title again DAYS after it was last sent\n"
	    "  --changes               ask Watchmode's changes first, list nothing when\n"
	    "                          nothing changed (paid plans)\n"
	    "  --changes-overlap SEC   look back SEC before the last complete run\n"
	    "                          (default 28800)\n"
	    "  --force                 run even when the calls exceed the remaining quota\n"
	    UKTV_WATCHOPT_USAGE
	    UKTV_TOOLOPT_USAGE);
}

static void __attribute__((noreturn))
usage(const char *why)
{
	uktv_toolopt_usage(&to, why);
}

static void __attribute__((noreturn))
die(const struct uktv_error *e)
{
	uktv_log_error(&lg, e);
	exit(uktv_error_exit_code(e));
}

static void __attribute__((noreturn))
die_oom(void)
{
	uktv_log_warn(&lg, "out of memory");
	exit(EX_OSERR);
}

/* ---- options ---- */

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* --types: known types, sorted and distinct, into out (a CSV). */
static int
parse_types(const char *arg, char *out, size_t len, char *why, size_t whylen)
{
	const char *v[16];
	size_t n = 0, k = 0;
	char *copy, *p, *tok;

	if ((copy = strdup(arg)) == NULL)
		die_oom();
	for (p = copy; (tok = strsep(&p, ",")) != NULL; ) {
		size_t i;

		for (i = 0; title_types[i] != NULL &&
		    strcmp(title_types[i], tok) != 0; i++)
			;
		if (title_types[i] == NULL) {
			snprintf(why, whylen, "--types: unknown title type '%.40s' "
			    "(movie, tv_series, tv_special, tv_miniseries, "
			    "tv_movie, short_film)", tok);
			free(copy);
			return -1;
		}
		if (n < sizeof(v) / sizeof(v[0]))
			v[n++] = title_types[i];
	}
	free(copy);
	uktv_qsort(v, n, sizeof(v[0]), str_cmp);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(v[i], v[i - 1]) == 0)
			continue;
		if (k++ > 0)
			strlcat(out, ",", len);
		strlcat(out, v[i], len);
	}
	return 0;
}

/* --since YYYY-MM-DD, a real day, as YYYYMMDD (release_date_start). */
static int
parse_since(const char *arg, char out[9])
{
	long long ms;
	char back[32];

	if (strlen(arg) != 10 || arg[4] != '-' || arg[7] != '-' ||
	    uktv_time_parse(arg, 0, &ms) == -1)
		return -1;
	/* 2025-02-30 would roll over: the day must come back as given. */
	uktv_time_format(ms, back);
	if (strncmp(back, arg, 10) != 0)
		return -1;
	snprintf(out, 9, "%.4s%.2s%.2s", arg, arg + 5, arg + 8);
	return 0;
}

/* ---- the plan ---- */

static int
pair_cmp(const void *a, const void *b)
{
	return uktv_titlestate_pair_cmp(((const struct pair *)a)->key,
	    ((const struct pair *)b)->key);
}

/* Pair order, then first follower first. */
static int
pair_user_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c;

	if ((c = pair_cmp(a, b)) != 0)
		return c;
	return strcmp(x->user, y->user);
}

/*
 * The distinct pairs users follow: each user's sources x genres (a user
 * with sources and no genres, or the reverse, follows none).  A pair's user
 * is its first follower in byte order, the publishCause of its titles.
 */
static struct pair *
make_pairs(const struct uktv_prefs_set *set, size_t *np)
{
	struct pair *v = NULL, *nv;
	size_t n = 0, cap = 0, k = 0;

	for (size_t u = 0; u < set->n; u++) {
		const struct uktv_prefs *p = &set->v[u];
		const struct uktv_prefs_ids *s = &p->lists[UKTV_PREFS_SOURCE];
		const struct uktv_prefs_ids *g = &p->lists[UKTV_PREFS_GENRE];

		for (size_t i = 0; i < s->n; i++)
			for (size_t j = 0; j < g->n; j++) {
				if (n == cap) {
					cap = cap ? cap * 2 : 32;
					if ((nv = reallocarray(v, cap,
					    sizeof(*v))) == NULL)
						die_oom();
					v = nv;
				}
				memset(&v[n], 0, sizeof(v[n]));
				/* Ids read from a table are kept as stored
				 * ("0203"): the query wants 203. */
				if (uktv_prefs_id_canon(s->v[i], v[n].source) == -1 ||
				    uktv_prefs_id_canon(g->v[j], v[n].genre) == -1 ||
				    uktv_titlestate_pair_key(v[n].source,
				    v[n].genre, v[n].key, sizeof(v[n].key)) == -1)
					continue;
				v[n].user = p->user;
				v[n].list = 1;
				n++;
			}
	}
	if (n > 0)
		uktv_qsort(v, n, sizeof(*v), pair_user_cmp);
	for (size_t i = 0; i < n; i++)
		if (k == 0 || strcmp(v[k - 1].key, v[i].key) != 0)
			v[k++] = v[i];
	*np = k;
	return v;
}

static struct pair *
find_pair(struct pair *v, size_t n, const char *key)
{
	struct pair k;

	strlcpy(k.key, key, sizeof(k.key));
	return uktv_bsearch(&k, v, n, sizeof(*v), pair_cmp);
}

static void
on_reject(unsigned long long lineno, const char *reason, void *arg)
{
	(void)arg;
	uktv_log_line_error(&lg, lineno, "%s", reason);
}

/* ---- listing ---- */

static long long
summary_id(struct json_object *o)
{
	struct json_object *v;

	if (json_object_is_type(o, json_type_object) &&
	    json_object_object_get_ex(o, "id", &v) &&
	    json_object_is_type(v, json_type_int))
		return json_object_get_int64(v);
	return -1;
}

static int
on_title(struct json_object *t, void *arg)
{
	struct hits *h = arg;
	struct json_object *name;
	long long id = summary_id(t);

	/* ARCHITECTURE.md: a title event needs a positive id and a title. */
	if (id <= 0 || !json_object_object_get_ex(t, "title", &name) ||
	    !json_object_is_type(name, json_type_string)) {
		h->bad++;
		return 0;
	}
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 1024;
		struct hit *nv;

		if ((nv = reallocarray(h->v, cap, sizeof(*nv))) == NULL)
			die_oom();
		h->v = nv;
		h->cap = cap;
	}
	h->v[h->n].id = id;
	h->v[h->n].pair = h->pair;
	h->v[h->n].summary = json_object_get(t);
	h->n++;
	return 0;
}

static int
hit_cmp(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->pair < y->pair ? -1 : x->pair > y->pair;
}

/* Billed requests since a snapshot: requests less the ones sent again. */
static long
pages_since(const struct uktv_watchmode_quota *q, long calls0, long retries0)
{
	return (q->calls - calls0) - (q->retries - retries0);
}

static int
on_change(struct json_object *id, void *arg)
{
	(void)id;
	(void)arg;
	/* One id is enough to know a listing is needed: stop paging. */
	return 1;
}

/*
 * Asks one changes endpoint whether anything changed since since.  1 yes,
 * 0 no, -1 with e (e->http_status 401: not in the plan).
 */
static int
changed(struct uktv_watchmode *wm, const char *change, const char *since,
    const char *types, const char *region, long budget, long *used,
    struct uktv_error *e)
{
	const struct uktv_watchmode_quota *q = uktv_watchmode_quota(wm);
	long c0 = q->calls, r0 = q->retries;
	int rc;

	rc = uktv_watchmode_changes(wm, change, since, NULL, types, region,
	    budget, on_change, NULL, e);
	*used += pages_since(q, c0, r0);
	uktv_log_info(&lg, "Watchmode /v1/changes/%s/ since %s: %s", change,
	    since, rc == 1 ? "changes" : rc == 0 ? "none" : "failed");
	return rc;
}

/* ---- events ---- */

static void
outs_add(struct outs *o, long long id, struct json_object *obj)
{
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 256;
		struct out *nv;

		if ((nv = reallocarray(o->v, cap, sizeof(*nv))) == NULL)
			die_oom();
		o->v = nv;
		o->cap = cap;
	}
	o->v[o->n].id = id;
	o->v[o->n].obj = obj;
	o->n++;
}

static int
on_remove(const char *id, void *arg)
{
	const char *e = NULL;
	long long n = strtonum(id, 1, LLONG_MAX, &e);

	if (e != NULL)
		return 1;
	outs_add(arg, n, NULL);
	return 0;
}

static int
out_cmp(const void *a, const void *b)
{
	const struct out *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

struct tally {
	long	verdicts[UKTV_TITLESTATE_REMOVE + 1];
};

/*
 * Decides each title seen (hits sorted by id, then pair): merges its
 * memberships with what the state carries for pairs not listed, builds its
 * payload and lets the state say whether it goes out.
 */
static void
decide_all(struct uktv_titlestate *st, const struct uktv_titlestate_plan *plan,
    struct pair *pairs, size_t npairs, struct hits *h, struct outs *o,
    const char *ts, struct tally *t)
{
	const char **seen;
	struct uktv_error e;

	if ((seen = calloc(npairs + 1, sizeof(*seen))) == NULL)
		die_oom();
	for (size_t i = 0, j; i < h->n; i = j) {
		struct json_object *pl, *ev;
		char id[UKTV_TITLESTATE_ID_MAX + 1];
		char digest[UKTV_TITLESTATE_DIGEST_LEN + 1];
		char cause[UKTV_PREFS_KEY_MAX];
		const char *user = NULL;
		char **merged;
		size_t nseen = 0, nmerged;
		int v;

		for (j = i; j < h->n && h->v[j].id == h->v[i].id; j++)
			if (j == i || h->v[j].pair != h->v[j - 1].pair)
				seen[nseen++] = pairs[h->v[j].pair].key;
		snprintf(id, sizeof(id), "%lld", h->v[i].id);
		uktv_error_clear(&e);
		if (uktv_titlestate_merge(st, id, seen, nseen, plan, &merged,
		    &nmerged, &e) == -1)
			die(&e);
		for (size_t k = 0; k < nmerged; k++) {
			struct pair *p = find_pair(pairs, npairs, merged[k]);

			if (p != NULL && (user == NULL || strcmp(p->user, user) < 0))
				user = p->user;
		}
		pl = uktv_titleevent_payload(h->v[i].id, h->v[i].summary,
		    merged, nmerged);
		if (pl == NULL || uktv_titlestate_digest(pl, digest) == -1)
			die_oom();
		uktv_error_clear(&e);
		if ((v = uktv_titlestate_decide(st, id, digest,
		    (const char *const *)merged, nmerged, plan, &e)) == -1)
			die(&e);
		t->verdicts[v]++;
		uktv_titlestate_pairs_free(merged, nmerged);
		if (v == UKTV_TITLESTATE_UNCHANGED) {
			json_object_put(pl);
			continue;
		}
		snprintf(cause, sizeof(cause), "userpref:%s", user ? user : "");
		if ((ev = uktv_titleevent_upsert(PROG, ts, cause, pl)) == NULL)
			die_oom();
		outs_add(o, h->v[i].id, ev);
	}
	free(seen);
}

/*
 * Prints the events in id order; returns how many were written before
 * stdout's reader went away (o->n: all of them).
 */
static size_t
print_all(struct outs *o, const char *ts)
{
	struct uktv_ndjson_writer w;

	uktv_qsort(o->v, o->n, sizeof(*o->v), out_cmp);
	uktv_ndjson_writer_init(&w, stdout);
	for (size_t i = 0; i < o->n; i++) {
		struct json_object *ev = o->v[i].obj;
		int rc;

		if (ev == NULL) {
			if ((ev = uktv_titleevent_remove(PROG, ts,
			    o->v[i].id)) == NULL)
				die_oom();
			rc = uktv_ndjson_writer_put(&w, ev);
			json_object_put(ev);
		} else
			rc = uktv_ndjson_writer_put(&w, ev);
		if (rc == -1 && uktv_toolopt_pipe_closed(errno))
			return i;
		if (rc == -1) {
			/* The state is not saved: the next run sends again. */
			uktv_log_errno(&lg, errno, "stdout");
			exit(EX_IOERR);
		}
	}
	if (fflush(stdout) == EOF) {
		uktv_log_errno(&lg, errno, "stdout");
		exit(EX_IOERR);
	}
	return o->n;
}

/* One run: the options, then what the steps below find out. */
struct run {
	const char		*table;
	const char		*prefs_from;
	const char		*state_path;
	char			 country[3];
	char			 types[128];	/* CSV, sorted */
	char			 since[9];	/* YYYYMMDD */
	long long		 max_calls;	/* 0: no bound */
	long long		 refresh_ms;	/* -1: never */
	long long		 overlap_ms;
	int			 changes;
	int			 force;

	struct uktv_aws		*aws;
	struct uktv_watchmode	*wm;
	struct uktv_prefs_set	 set;
	unsigned long		 rejected;	/* preference lines */
	struct pair		*pairs;
	size_t			 npairs;
	size_t			 nlist;		/* pairs to list this run */
	size_t			 nlisted;	/* pairs listed to the end */
	struct uktv_titlestate	 st;
	long long		 started_ms;
	long			 used;		/* billed calls */
	int			 stopped;	/* by --max-calls */
	struct uktv_error	 failed;	/* a listing that failed */
	struct hits		 hits;
	struct outs		 outs;
	struct tally		 tally;
};

static void
load_prefs(struct run *r)
{
	struct uktv_error e;
	FILE *fp = stdin;

	uktv_error_clear(&e);
	uktv_prefs_set_init(&r->set);
	if (r->prefs_from == NULL) {
		if (uktv_prefs_load_table(r->aws, r->table, &r->set, &e) == -1)
			die(&e);
	} else {
		if (strcmp(r->prefs_from, "-") != 0 &&
		    (fp = fopen(r->prefs_from, "r")) == NULL) {
			uktv_log_errno(&lg, errno, "%s", r->prefs_from);
			exit(errno == ENOENT ? EX_NOINPUT : EX_IOERR);
		}
		if (uktv_prefs_load_ndjson(fp, UKTV_NDJSON_DEFAULT_MAX_LINE,
		    &r->set, on_reject, NULL, &r->rejected, &e) == -1)
			die(&e);
		if (fp != stdin)
			fclose(fp);
	}
	r->pairs = make_pairs(&r->set, &r->npairs);
	uktv_log_info(&lg, "%zu user%s follow %zu distinct source x genre pair%s",
	    r->set.n, r->set.n == 1 ? "" : "s", r->npairs,
	    r->npairs == 1 ? "" : "s");
	if (r->npairs == 0 && r->rejected == 0)
		uktv_log_warn(&lg, "no user follows both a source and a genre: "
		    "there is nothing to list");
}

static void
load_state(struct run *r)
{
	struct uktv_error e;
	char query[256];
	int found = 0;

	/* What was asked besides the pairs: pairs listed under another query
	 * say nothing about this one. */
	snprintf(query, sizeof(query), "regions=%s%s%s%s%s", r->country,
	    *r->types ? "&types=" : "", r->types,
	    *r->since ? "&release_date_start=" : "", r->since);
	uktv_error_clear(&e);
	uktv_titlestate_init(&r->st);
	if (r->state_path != NULL &&
	    uktv_titlestate_load(&r->st, r->state_path, &found, &e) == -1) {
		strlcat(e.message, " (move it away to start afresh: every title "
		    "is then sent again)", sizeof(e.message));
		die(&e);
	}
	if (found && (r->st.query == NULL || strcmp(r->st.query, query) != 0)) {
		uktv_log_info(&lg, "state: the query changed (%s, was %s): every "
		    "pair is listed", query, r->st.query ? r->st.query : "none");
		for (size_t i = 0; i < r->st.npairs; i++)
			r->st.pairs[i].complete = 0;
	}
	if (uktv_titlestate_set_query(&r->st, query) == -1)
		die_oom();
}

/* Why asking for changes could not spare a listing, or NULL. */
static const char *
changes_useless(struct run *r)
{
	if (r->st.last_complete_ms <= 0)
		return "no complete run recorded in the state";
	if (uktv_titlestate_due(&r->st, r->started_ms, r->refresh_ms) > 0)
		return "titles are due for a refresh";
	for (size_t i = 0; i < r->st.npairs; i++) {
		if (!r->st.pairs[i].complete)
			return "a pair's last listing did not finish";
		if (find_pair(r->pairs, r->npairs, r->st.pairs[i].key) == NULL)
			return "a pair is no longer followed";
	}
	return NULL;
}

/*
 * --changes: when the last complete run listed every pair the state knows,
 * all of them still followed, and Watchmode reports no new title and no
 * title whose sources changed since then, the pairs it listed need not be
 * listed again (new pairs still are).
 */
static void
ask_changes(struct run *r)
{
	struct uktv_error e;
	const char *no, *types = *r->types ? r->types : NULL;
	char since[16];
	time_t sec;
	struct tm tm;
	int c1, c2 = 0;

	if ((no = changes_useless(r)) != NULL) {
		uktv_log_info(&lg, "--changes: %s: listing every pair", no);
		return;
	}
	/* api.md 7.10: YYYYMMDDHHMMSS. */
	sec = (time_t)((r->st.last_complete_ms - r->overlap_ms) / 1000);
	gmtime_r(&sec, &tm);
	strftime(since, sizeof(since), "%Y%m%d%H%M%S", &tm);
	uktv_error_clear(&e);
	if (!r->force && uktv_watchmode_check_quota(r->wm, r->max_calls > 0 &&
	    r->max_calls < 2 ? (long)r->max_calls : 2, &e) == -1)
		die(&e);
	c1 = changed(r->wm, "new_titles", since, types, NULL, r->max_calls,
	    &r->used, &e);
	if (c1 == 0)
		c2 = changed(r->wm, "titles_sources_changed", since, types,
		    r->country, r->max_calls > 0 ? r->max_calls - r->used : 0,
		    &r->used, &e);
	if ((c1 == -1 || c2 == -1) && e.http_status == 401) {
		uktv_log_warn(&lg, "Watchmode's changes need a paid plan "
		    "(HTTP 401): listing every pair");
		return;
	}
	if (c1 == -1 || c2 == -1) {
		if (strcmp(e.code, "MaxCalls") == 0) {
			uktv_log_warn(&lg, "--max-calls %lld reached while asking "
			    "for changes: nothing listed", r->max_calls);
			exit(1);
		}
		die(&e);
	}
	if (c1 == 1 || c2 == 1)
		return;
	r->nlist = 0;
	for (size_t i = 0; i < r->npairs; i++) {
		struct uktv_titlestate_pair *sp =
		    uktv_titlestate_pair_find(&r->st, r->pairs[i].key);

		if (sp != NULL && sp->complete)
			r->pairs[i].list = 0;
		r->nlist += r->pairs[i].list;
	}
	uktv_log_info(&lg, "--changes: nothing changed since %s: %zu known "
	    "pair%s not listed, %zu new", since, r->npairs - r->nlist,
	    r->npairs - r->nlist == 1 ? "" : "s", r->nlist);
}

/* The quota check: the pages each pair took last time, else one. */
static void
check_quota(struct run *r)
{
	struct uktv_error e;
	long long planned = 0;

	if (r->nlist == 0 || r->force)
		return;
	for (size_t i = 0; i < r->npairs; i++) {
		struct uktv_titlestate_pair *sp;

		if (!r->pairs[i].list)
			continue;
		sp = uktv_titlestate_pair_find(&r->st, r->pairs[i].key);
		planned += sp != NULL && sp->pages > 0 ? sp->pages : 1;
	}
	if (r->max_calls > 0 && planned > r->max_calls - r->used)
		planned = r->max_calls - r->used;
	uktv_error_clear(&e);
	if (planned > 0 && uktv_watchmode_check_quota(r->wm, (long)planned,
	    &e) == -1) {
		if (e.kind == UKTV_ERR_QUOTA)
			strlcat(e.message, " (--force runs anyway)",
			    sizeof(e.message));
		die(&e);
	}
}

/*
 * One list-titles query per pair, every page, until a call fails for good
 * (r->failed) or the next would exceed --max-calls (r->stopped).
 */
static void
list_pairs(struct run *r)
{
	uktv_error_clear(&r->failed);
	for (size_t i = 0; i < r->npairs; i++) {
		struct uktv_watchmode_filter f = { 0 };
		struct pair *p = &r->pairs[i];
		struct uktv_error e;
		long pages = 0, total = -1;
		size_t before = r->hits.n;
		int rc;

		if (!p->list)
			continue;
		if (r->max_calls > 0 && r->used >= r->max_calls) {
			r->stopped = 1;
			return;
		}
		f.source_ids = p->source;
		f.genres = p->genre;
		/* Without regions list-titles answers for the US (api.md 7.6). */
		f.regions = r->country;
		f.types = *r->types ? r->types : NULL;
		f.release_date_start = *r->since ? r->since : NULL;
		r->hits.pair = i;
		/* On a terminal: which pair, out of how many, and what it cost. */
		uktv_log_progress(&lg, "pair %zu/%zu (source %s x genre %s), "
		    "%ld call%s, %zu titles", i + 1, r->npairs, p->source,
		    p->genre, r->used, r->used == 1 ? "" : "s", r->hits.n);
		uktv_error_clear(&e);
		rc = uktv_watchmode_list_titles(r->wm, &f, UKTV_WATCHMODE_PAGE_MAX,
		    r->max_calls > 0 ? r->max_calls - r->used : 0, on_title,
		    &r->hits, &pages, &total, &e);
		r->used += pages;
		p->pages = pages;
		p->titles = (long)(r->hits.n - before);
		uktv_log_progress_done(&lg);
		if (rc == 0) {
			p->fate = UKTV_TITLESTATE_LISTED;
			r->nlisted++;
			uktv_log_info(&lg, "source %s x genre %s: %ld title%s, "
			    "%ld page%s", p->source, p->genre, p->titles,
			    p->titles == 1 ? "" : "s", pages, pages == 1 ? "" : "s");
			continue;
		}
		if (rc != -1)
			die_oom();
		p->fate = pages > 0 ? UKTV_TITLESTATE_PARTIAL :
		    UKTV_TITLESTATE_CARRIED;
		if (strcmp(e.code, "MaxCalls") == 0)
			r->stopped = 1;
		else
			r->failed = e;
		return;
	}
}

/*
 * The run as the state sees it: each seen title decided, the titles gone
 * from every followed pair swept out (after a complete run only), the
 * events of both collected in r->outs.
 */
static void
reconcile(struct run *r, long long now_ms, const char *ts)
{
	struct uktv_titlestate_plan plan;
	struct uktv_titlestate_plan_pair *pp;
	struct uktv_error e;
	long removed;

	if ((pp = calloc(r->npairs + 1, sizeof(*pp))) == NULL)
		die_oom();
	for (size_t i = 0; i < r->npairs; i++) {
		pp[i].key = r->pairs[i].key;
		pp[i].fate = r->pairs[i].list ? r->pairs[i].fate :
		    UKTV_TITLESTATE_CARRIED;
		pp[i].pages = r->pairs[i].pages;
	}
	plan.v = pp;
	plan.n = r->npairs;
	plan.complete = !r->stopped && r->failed.kind == UKTV_ERR_NONE &&
	    r->rejected == 0;
	plan.now_ms = now_ms;
	plan.refresh_ms = r->refresh_ms;

	uktv_qsort(r->hits.v, r->hits.n, sizeof(*r->hits.v), hit_cmp);
	decide_all(&r->st, &plan, r->pairs, r->npairs, &r->hits, &r->outs, ts,
	    &r->tally);
	uktv_error_clear(&e);
	if ((removed = uktv_titlestate_sweep(&r->st, &plan, r->started_ms,
	    on_remove, &r->outs, &e)) == -1)
		die(&e);
	r->tally.verdicts[UKTV_TITLESTATE_REMOVE] = removed;
	free(pp);
}

/*
 * stdout's reader went away after the first written of r->outs: the state
 * to save is the one this run started from with only those titles brought
 * up to date (sent, or removed), so that it claims nothing that was not
 * written; the rest are found new, changed or gone again next time.  The
 * run itself counts as cut short: pairs and the last complete run stay as
 * they were, or --changes would not ask again for what was not sent.
 */
static void
keep_written(struct run *r, size_t written)
{
	struct uktv_titlestate old;
	struct uktv_titlestate_title *t, *nt;
	struct uktv_error e;
	char id[UKTV_TITLESTATE_ID_MAX + 1];
	int found;

	if (r->state_path == NULL)
		return;
	uktv_titlestate_init(&old);
	uktv_error_clear(&e);
	if (uktv_titlestate_load(&old, r->state_path, &found, &e) == -1)
		die(&e);
	for (size_t i = 0; i < written; i++) {
		snprintf(id, sizeof(id), "%lld", r->outs.v[i].id);
		if ((t = uktv_titlestate_title_find(&r->st, id)) == NULL) {
			uktv_titlestate_title_remove(&old, id);
			continue;
		}
		if ((nt = uktv_titlestate_title_put(&old, id)) == NULL ||
		    uktv_titlestate_title_set_pairs(nt,
		    (const char *const *)t->pairs, t->npairs) == -1)
			die_oom();
		memcpy(nt->digest, t->digest, sizeof(nt->digest));
		nt->emitted_ms = t->emitted_ms;
	}
	uktv_titlestate_clear(&r->st);
	r->st = old;
}

static void
save_state(struct run *r)
{
	struct uktv_error e;

	if (r->state_path == NULL)
		return;
	uktv_error_clear(&e);
	if (uktv_titlestate_save(&r->st, r->state_path, uktv_time_now_ms(),
	    &e) == -1) {
		strlcat(e.message, " (the titles printed will be sent again next "
		    "time)", sizeof(e.message));
		die(&e);
	}
}

/* What happened, on stderr; returns the exit code. */
static int
report(struct run *r)
{
	const struct uktv_watchmode_quota *q = uktv_watchmode_quota(r->wm);
	const long *v = r->tally.verdicts;
	int rc = 0;

	uktv_log_info(&lg, "titles: %ld new, %ld changed, %ld refreshed, %ld "
	    "removed, %ld unchanged", v[UKTV_TITLESTATE_NEW],
	    v[UKTV_TITLESTATE_CHANGED], v[UKTV_TITLESTATE_REFRESH],
	    v[UKTV_TITLESTATE_REMOVE], v[UKTV_TITLESTATE_UNCHANGED]);
	uktv_log_info(&lg, "Watchmode: %ld call%s (%ld retried, %ld "
	    "rate-limited); quota: %ld of %ld credits used, %ld left", r->used,
	    r->used == 1 ? "" : "s", q->retries, q->rate_limited, q->quota_used,
	    q->quota, q->quota >= 0 && q->quota_used >= 0 ?
	    q->quota - q->quota_used : -1);
	if (r->hits.bad > 0) {
		uktv_log_warn(&lg, "%ld title%s in Watchmode's answers had no id "
		    "or no title: left out", r->hits.bad,
		    r->hits.bad == 1 ? "" : "s");
		rc = 1;
	}
	if (r->rejected > 0) {
		uktv_log_warn(&lg, "%lu preference line%s rejected: no title was "
		    "removed this run", r->rejected, r->rejected == 1 ? "" : "s");
		rc = 1;
	}
	if (r->stopped) {
		uktv_log_warn(&lg, "stopped at --max-calls %lld: %zu of %zu pair%s "
		    "listed; no title was removed this run", r->max_calls,
		    r->nlisted, r->nlist, r->nlist == 1 ? "" : "s");
		rc = 1;
	}
	if (r->failed.kind != UKTV_ERR_NONE) {
		uktv_log_error(&lg, &r->failed);
		uktv_log_warn(&lg, "%zu of %zu pair%s listed; no title was removed "
		    "this run", r->nlisted, r->nlist, r->nlist == 1 ? "" : "s");
		rc = uktv_error_exit_code(&r->failed);
	}
	return rc;
}

static void
run_free(struct run *r)
{
	for (size_t i = 0; i < r->hits.n; i++)
		json_object_put(r->hits.v[i].summary);
	free(r->hits.v);
	for (size_t i = 0; i < r->outs.n; i++)
		json_object_put(r->outs.v[i].obj);
	free(r->outs.v);
	free(r->pairs);
	uktv_titlestate_clear(&r->st);
	uktv_prefs_set_free(&r->set);
	uktv_watchmode_free(r->wm);
	uktv_aws_free(r->aws);
}

int
main(int argc, char *argv[])
{
	static struct option longopts[] = {
		UKTV_TOOLOPT_LONGOPTS,
		UKTV_WATCHOPT_LONGOPTS,
		{ "table",		required_argument, NULL, 't' },
		{ "prefs-from",		required_argument, NULL, OPT_PREFS_FROM },
		{ "state",		required_argument, NULL, OPT_STATE },
		{ "country",		required_argument, NULL, OPT_COUNTRY },
		{ "types",		required_argument, NULL, OPT_TYPES },
		{ "since",		required_argument, NULL, OPT_SINCE },
		{ "max-calls",		required_argument, NULL, OPT_MAX_CALLS },
		{ "refresh-after",	required_argument, NULL, OPT_REFRESH_AFTER },
		{ "changes",		no_argument,	   NULL, OPT_CHANGES },
		{ "changes-overlap",	required_argument, NULL, OPT_CHANGES_OVERLAP },
		{ "force",		no_argument,	   NULL, OPT_FORCE },
		{ NULL, 0, NULL, 0 }
	};
	struct uktv_watchmode_opts wo = { 0 };
	struct uktv_error e;
	struct run r;
	long long now_ms, days;
	char why[300], ts[32];
	long ms;
	int ch, rc;
	size_t written;

	memset(&r, 0, sizeof(r));
	strlcpy(r.country, "GB", sizeof(r.country));
	r.refresh_ms = -1;
	r.overlap_ms = DEFAULT_OVERLAP_MS;
	uktv_toolopt_init(&to, PROG);
	to.synopsis = SYNOPSIS;
	to.usage = usage_text;
	while ((ch = uktv_toolopt_next(&to, argc, argv, "t:", longopts,
	    NULL)) != -1) {
		switch (uktv_watchopt_handle(&wo, ch, optarg, why, sizeof(why))) {
		case UKTV_TOOLOPT_HANDLED:
			continue;
		case UKTV_TOOLOPT_BAD:
			usage(why);
		default:
			break;
		}
		switch (ch) {
		case 't':
			if (*optarg == '\0')
				usage("-t needs a table name");
			r.table = optarg;
			break;
		case OPT_PREFS_FROM:
			if (*optarg == '\0')
				usage("--prefs-from needs a file name, or - for "
				    "the standard input");
			r.prefs_from = optarg;
			break;
		case OPT_STATE:
			if (*optarg == '\0')
				usage("--state needs a file name");
			r.state_path = optarg;
			break;
		case OPT_COUNTRY:
			if (uktv_watchmode_country(optarg, r.country) == -1) {
				snprintf(why, sizeof(why), "--country takes a "
				    "two-letter country code (GB), not '%.40s'",
				    optarg);
				usage(why);
			}
			break;
		case OPT_TYPES:
			if (parse_types(optarg, r.types, sizeof(r.types), why,
			    sizeof(why)) == -1)
				usage(why);
			break;
		case OPT_SINCE:
			if (parse_since(optarg, r.since) == -1) {
				snprintf(why, sizeof(why), "--since takes a day "
				    "as YYYY-MM-DD, not '%.40s'", optarg);
				usage(why);
			}
			break;
		case OPT_MAX_CALLS:
			if (uktv_parse_uint(optarg, 1, 1000000,
			    &r.max_calls) == -1) {
				snprintf(why, sizeof(why), "--max-calls takes a "
				    "number from 1 to 1000000, not '%.40s'", optarg);
				usage(why);
			}
			break;
		case OPT_REFRESH_AFTER:
			if (uktv_parse_uint(optarg, 0, 36500, &days) == -1) {
				snprintf(why, sizeof(why), "--refresh-after takes "
				    "days from 0 to 36500, not '%.40s'", optarg);
				usage(why);
			}
			r.refresh_ms = days * DAY_MS;
			break;
		case OPT_CHANGES:
			r.changes = 1;
			break;
		case OPT_CHANGES_OVERLAP:
			if (uktv_parse_seconds(optarg, &ms) == -1) {
				snprintf(why, sizeof(why), "--changes-overlap "
				    "takes seconds from 0 to 86400, not '%.40s'",
				    optarg);
				usage(why);
			}
			r.overlap_ms = ms;
			break;
		case OPT_FORCE:
			r.force = 1;
			break;
		}
	}
	if (optind < argc) {
		snprintf(why, sizeof(why), "unexpected argument '%.40s'", argv[optind]);
		usage(why);
	}
	if (r.table != NULL && r.prefs_from != NULL)
		usage("-t and --prefs-from cannot be used together");
	if (r.changes && r.state_path == NULL)
		usage("--changes needs --state FILE (it asks what changed since "
		    "the last complete run)");
	if (r.refresh_ms >= 0 && r.state_path == NULL)
		usage("--refresh-after needs --state FILE");
	if (r.prefs_from == NULL)
		r.table = uktv_toolopt_table(&to, r.table);
	uktv_log_init(&lg, PROG, to.verbosity);

	/* Region and credentials are checked on first use: with --prefs-from
	 * and the key in the environment no AWS call is made. */
	r.aws = uktv_toolopt_aws(&to);
	/* What can be checked is, before a Watchmode credit is spent or a
	 * title printed (a cron pipe would publish them every hour): the
	 * table, and that the state can be saved at the end. */
	uktv_error_clear(&e);
	if (r.table != NULL)
		uktv_toolopt_need_table(&to, r.aws);
	if (r.state_path != NULL &&
	    uktv_titlestate_check_save(r.state_path, &e) == -1)
		die(&e);
	load_prefs(&r);
	load_state(&r);
	uktv_error_clear(&e);
	if ((r.wm = uktv_watchopt_client(uktv_aws_http(r.aws), r.aws, &wo,
	    &e)) == NULL)
		die(&e);
	r.nlist = r.npairs;
	r.started_ms = uktv_time_now_ms();
	if (r.changes)
		ask_changes(&r);
	check_quota(&r);
	list_pairs(&r);

	now_ms = uktv_time_now_ms();
	uktv_time_format(now_ms, ts);
	reconcile(&r, now_ms, ts);
	written = print_all(&r.outs, ts);
	if (written < r.outs.n) {
		/* The reader went away (`| head`): the state claims only
		 * what it was sent, silently, as `tail -f | head` ends. */
		keep_written(&r, written);
		save_state(&r);
		run_free(&r);
		return UKTV_EXIT_PIPE;
	}
	/* Only once every event is out: a write that failed before leaves
	 * the state as it was, and the next run sends them again. */
	save_state(&r);
	rc = report(&r);
	run_free(&r);
	return rc;
}
