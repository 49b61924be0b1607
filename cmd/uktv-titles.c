/*
 * uktv-titles: the titles of every (source, genre) pair users follow, as
 * title events for uktv-publish, each title with its OWN source and genre
 * ids; with --state only what is new, changed, due for a refresh or gone.
 * It replaces the original PeriodicUKTitlesForUserPrefsFunction, which
 * asked for one page of the union of everyone's choices and stamped that
 * union onto every title.  The rules of a run are lib/guide/titleplan's;
 * this file asks Watchmode, prints and says what happened.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <json-c/json.h>

#include "log.h"
#include "ndjson.h"
#include "parse.h"
#include "prefs.h"
#include "time.h"
#include "titleevent.h"
#include "titleplan.h"
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
	struct uktv_watchmode_opts wo;

	struct uktv_aws		*aws;
	struct uktv_watchmode	*wm;
	struct uktv_prefs_set	 set;
	unsigned long		 rejected;	/* preference lines */
	struct uktv_titleplan_pair *pairs;
	size_t			 npairs;
	size_t			 nlist;		/* pairs to list this run */
	size_t			 nlisted;	/* pairs listed to the end */
	struct uktv_titlestate	 st;
	long long		 started_ms;
	long			 used;		/* billed calls */
	int			 stopped;	/* by --max-calls */
	struct uktv_error	 failed;	/* a listing that failed */
	struct uktv_titleplan_hits hits;
	struct uktv_titleplan_events outs;
	struct uktv_titleplan_tally tally;
};

static struct uktv_log lg;
static struct uktv_toolopt to;

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
die_oom(void)
{
	uktv_log_fatal(&lg, EX_OSERR, "out of memory");
}

/* ---- options ---- */

/* The options whose value needs a check; why is filled when it fails. */
static int
value_option(struct run *r, int ch, const char *arg, char *why, size_t len)
{
	struct uktv_error e;
	long long days;
	long ms;

	uktv_error_clear(&e);
	switch (ch) {
	case OPT_COUNTRY:
		if (uktv_watchmode_country(arg, r->country) == 0)
			return 0;
		snprintf(why, len, "--country takes a two-letter country code "
		    "(GB), not '%.40s'", arg);
		return -1;
	case OPT_TYPES:
		if (uktv_titleplan_types(arg, r->types, sizeof(r->types), &e) == 0)
			return 0;
		strlcpy(why, e.message, len);
		return -1;
	case OPT_SINCE:
		if (uktv_titleplan_since(arg, r->since) == 0)
			return 0;
		snprintf(why, len, "--since takes a day as YYYY-MM-DD, not "
		    "'%.40s'", arg);
		return -1;
	case OPT_MAX_CALLS:
		if (uktv_parse_uint(arg, 1, 1000000, &r->max_calls) == 0)
			return 0;
		snprintf(why, len, "--max-calls takes a number from 1 to "
		    "1000000, not '%.40s'", arg);
		return -1;
	case OPT_REFRESH_AFTER:
		if (uktv_parse_uint(arg, 0, 36500, &days) == 0) {
			r->refresh_ms = days * DAY_MS;
			return 0;
		}
		snprintf(why, len, "--refresh-after takes days from 0 to 36500, "
		    "not '%.40s'", arg);
		return -1;
	default:	/* OPT_CHANGES_OVERLAP */
		if (uktv_parse_seconds(arg, &ms) == 0) {
			r->overlap_ms = ms;
			return 0;
		}
		snprintf(why, len, "--changes-overlap takes seconds from 0 to "
		    "86400, not '%.40s'", arg);
		return -1;
	}
}

static void
option(struct run *r, int ch, const char *arg)
{
	char why[300];

	switch (ch) {
	case 't':
		if (*arg == '\0')
			usage("-t needs a table name");
		r->table = arg;
		break;
	case OPT_PREFS_FROM:
		if (*arg == '\0')
			usage("--prefs-from needs a file name, or - for the "
			    "standard input");
		r->prefs_from = arg;
		break;
	case OPT_STATE:
		if (*arg == '\0')
			usage("--state needs a file name");
		r->state_path = arg;
		break;
	case OPT_CHANGES:
		r->changes = 1;
		break;
	case OPT_FORCE:
		r->force = 1;
		break;
	default:
		if (value_option(r, ch, arg, why, sizeof(why)) == -1)
			usage(why);
	}
}

static void
parse_args(int argc, char *argv[], struct run *r)
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
	char why[300];
	int ch;

	memset(r, 0, sizeof(*r));
	strlcpy(r->country, "GB", sizeof(r->country));
	r->refresh_ms = -1;
	r->overlap_ms = DEFAULT_OVERLAP_MS;
	uktv_toolopt_init(&to, PROG);
	to.synopsis = SYNOPSIS;
	to.usage = usage_text;
	while ((ch = uktv_watchopt_next(&to, &r->wo, argc, argv, "t:",
	    longopts)) != -1)
		option(r, ch, optarg);
	if (optind < argc) {
		snprintf(why, sizeof(why), "unexpected argument '%.40s'", argv[optind]);
		usage(why);
	}
	if (r->table != NULL && r->prefs_from != NULL)
		usage("-t and --prefs-from cannot be used together");
	if (r->changes && r->state_path == NULL)
		usage("--changes needs --state FILE (it asks what changed since "
		    "the last complete run)");
	if (r->refresh_ms >= 0 && r->state_path == NULL)
		usage("--refresh-after needs --state FILE");
	if (r->prefs_from == NULL)
		r->table = uktv_toolopt_table(&to, r->table);
	uktv_log_init(&lg, PROG, to.verbosity);
}

/* ---- before listing ---- */

static void
on_reject(unsigned long long lineno, const char *reason, void *arg)
{
	(void)arg;
	uktv_log_line_error(&lg, lineno, "%s", reason);
}

static void
load_prefs(struct run *r)
{
	struct uktv_error e;
	FILE *fp = stdin;

	uktv_error_clear(&e);
	uktv_prefs_set_init(&r->set);
	if (r->prefs_from == NULL) {
		if (uktv_prefs_load_table(r->aws, r->table, &r->set, &e) == -1)
			uktv_log_die(&lg, &e);
	} else {
		if (strcmp(r->prefs_from, "-") != 0 &&
		    (fp = fopen(r->prefs_from, "r")) == NULL)
			uktv_log_fatal_errno(&lg, errno == ENOENT ? EX_NOINPUT :
			    EX_IOERR, errno, "%s", r->prefs_from);
		if (uktv_prefs_load_ndjson(fp, UKTV_NDJSON_DEFAULT_MAX_LINE,
		    &r->set, on_reject, NULL, &r->rejected, &e) == -1)
			uktv_log_die(&lg, &e);
		if (fp != stdin)
			fclose(fp);
	}
	if (uktv_titleplan_pairs(&r->set, &r->pairs, &r->npairs, &e) == -1)
		uktv_log_die(&lg, &e);
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

	uktv_titleplan_query(r->country, r->types, r->since, query,
	    sizeof(query));
	uktv_error_clear(&e);
	uktv_titlestate_init(&r->st);
	if (r->state_path != NULL &&
	    uktv_titlestate_load(&r->st, r->state_path, &found, &e) == -1) {
		strlcat(e.message, " (move it away to start afresh: every title "
		    "is then sent again)", sizeof(e.message));
		uktv_log_die(&lg, &e);
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

/*
 * Asks one changes endpoint whether anything changed since since.  1 yes,
 * 0 no, -1 with e (e->http_status 401: not in the plan).
 */
static int
changed(struct run *r, const char *change, const char *since,
    const char *region, long budget, struct uktv_error *e)
{
	int rc;

	rc = uktv_titleplan_changed(r->wm, change, since,
	    *r->types ? r->types : NULL, region, budget, &r->used, e);
	uktv_log_info(&lg, "Watchmode /v1/changes/%s/ since %s: %s", change,
	    since, rc == 1 ? "changes" : rc == 0 ? "none" : "failed");
	return rc;
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
	const char *no;
	char since[16];
	int c1, c2 = 0;

	if ((no = uktv_titleplan_changes_useless(&r->st, r->pairs, r->npairs,
	    r->started_ms, r->refresh_ms)) != NULL) {
		uktv_log_info(&lg, "--changes: %s: listing every pair", no);
		return;
	}
	uktv_titleplan_changes_since(&r->st, r->overlap_ms, since);
	uktv_error_clear(&e);
	if (!r->force && uktv_watchmode_check_quota(r->wm, r->max_calls > 0 &&
	    r->max_calls < 2 ? (long)r->max_calls : 2, &e) == -1)
		uktv_log_die(&lg, &e);
	c1 = changed(r, "new_titles", since, NULL, r->max_calls, &e);
	if (c1 == 0)
		c2 = changed(r, "titles_sources_changed", since, r->country,
		    r->max_calls > 0 ? r->max_calls - r->used : 0, &e);
	if ((c1 == -1 || c2 == -1) && e.http_status == 401) {
		uktv_log_warn(&lg, "Watchmode's changes need a paid plan "
		    "(HTTP 401): listing every pair");
		return;
	}
	if ((c1 == -1 || c2 == -1) && strcmp(e.code, "MaxCalls") == 0)
		uktv_log_fatal(&lg, 1, "--max-calls %lld reached while asking "
		    "for changes: nothing listed", r->max_calls);
	if (c1 == -1 || c2 == -1)
		uktv_log_die(&lg, &e);
	if (c1 == 1 || c2 == 1)
		return;
	r->nlist = uktv_titleplan_skip_complete(&r->st, r->pairs, r->npairs);
	uktv_log_info(&lg, "--changes: nothing changed since %s: %zu known "
	    "pair%s not listed, %zu new", since, r->npairs - r->nlist,
	    r->npairs - r->nlist == 1 ? "" : "s", r->nlist);
}

/* The quota check: the pages each pair took last time, else one. */
static void
check_quota(struct run *r)
{
	struct uktv_error e;
	long long planned;

	if (r->nlist == 0 || r->force)
		return;
	planned = uktv_titleplan_planned_calls(&r->st, r->pairs, r->npairs,
	    r->max_calls, r->used);
	uktv_error_clear(&e);
	if (planned > 0 && uktv_watchmode_check_quota(r->wm, (long)planned,
	    &e) == -1) {
		if (e.kind == UKTV_ERR_QUOTA)
			strlcat(e.message, " (--force runs anyway)",
			    sizeof(e.message));
		uktv_log_die(&lg, &e);
	}
}

/* ---- listing ---- */

/* Every page of pair i: 0, or -1 with e. */
static int
list_pair(struct run *r, size_t i, struct uktv_error *e)
{
	struct uktv_titleplan_query q = { r->country, r->types, r->since,
	    r->max_calls };
	struct uktv_titleplan_pair *p = &r->pairs[i];
	int rc;

	/* On a terminal: which pair, out of how many, and what it cost. */
	uktv_log_progress(&lg, "pair %zu/%zu (source %s x genre %s), "
	    "%ld call%s, %zu titles", i + 1, r->npairs, p->source,
	    p->genre, r->used, r->used == 1 ? "" : "s", r->hits.n);
	uktv_error_clear(e);
	rc = uktv_titleplan_list_pair(r->wm, &q, r->pairs, i, &r->hits,
	    &r->used, e);
	uktv_log_progress_done(&lg);
	if (rc == -2)
		die_oom();
	if (rc == 0) {
		r->nlisted++;
		uktv_log_info(&lg, "source %s x genre %s: %ld title%s, "
		    "%ld page%s", p->source, p->genre, p->titles,
		    p->titles == 1 ? "" : "s", p->pages,
		    p->pages == 1 ? "" : "s");
	}
	return rc;
}

/*
 * One list-titles query per pair, every page, until a call fails for good
 * (r->failed) or the next would exceed --max-calls (r->stopped).
 */
static void
list_pairs(struct run *r)
{
	struct uktv_error e;

	uktv_error_clear(&r->failed);
	for (size_t i = 0; i < r->npairs; i++) {
		if (!r->pairs[i].list)
			continue;
		if (r->max_calls > 0 && r->used >= r->max_calls) {
			r->stopped = 1;
			return;
		}
		if (list_pair(r, i, &e) == 0)
			continue;
		if (strcmp(e.code, "MaxCalls") == 0)
			r->stopped = 1;
		else
			r->failed = e;
		return;
	}
}

/* ---- after listing ---- */

static void
reconcile(struct run *r, long long now_ms, const char *ts)
{
	struct uktv_titleplan_run pr = { 0 };
	struct uktv_error e;

	pr.pairs = r->pairs;
	pr.npairs = r->npairs;
	pr.hits = &r->hits;
	pr.complete = !r->stopped && r->failed.kind == UKTV_ERR_NONE &&
	    r->rejected == 0;
	pr.started_ms = r->started_ms;
	pr.now_ms = now_ms;
	pr.refresh_ms = r->refresh_ms;
	pr.component = PROG;
	pr.ts = ts;
	uktv_error_clear(&e);
	if (uktv_titleplan_reconcile(&r->st, &pr, &r->outs, &r->tally,
	    &e) == -1)
		uktv_log_die(&lg, &e);
}

/*
 * Prints the events in id order; returns how many were written before
 * stdout's reader went away (all of them: r->outs.n).
 */
static size_t
print_all(struct run *r, const char *ts)
{
	struct uktv_titleplan_events *o = &r->outs;
	struct uktv_ndjson_writer w;

	uktv_titleplan_events_sort(o);
	uktv_ndjson_writer_init(&w, stdout);
	for (size_t i = 0; i < o->n; i++) {
		struct json_object *ev = o->v[i].obj;
		int rc;

		if (ev == NULL && (ev = uktv_titleevent_remove(PROG, ts,
		    o->v[i].id)) == NULL)
			die_oom();
		rc = uktv_ndjson_writer_put(&w, ev);
		if (o->v[i].obj == NULL)
			json_object_put(ev);
		if (rc == -1 && uktv_toolopt_pipe_closed(errno))
			return i;
		/* A failed write: the state is not saved, the next run sends
		 * again. */
		if (rc == -1)
			uktv_log_fatal_errno(&lg, EX_IOERR, errno, "stdout");
	}
	if (fflush(stdout) == EOF)
		uktv_log_fatal_errno(&lg, EX_IOERR, errno, "stdout");
	return o->n;
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
		uktv_log_die(&lg, &e);
	}
}

/* What was cut short, on stderr; returns the exit code. */
static int
report_problems(struct run *r)
{
	int rc = 0;

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

/* What happened, on stderr; returns the exit code. */
static int
report(struct run *r)
{
	const struct uktv_watchmode_quota *q = uktv_watchmode_quota(r->wm);
	const long *v = r->tally.verdicts;

	uktv_log_info(&lg, "titles: %ld new, %ld changed, %ld refreshed, %ld "
	    "removed, %ld unchanged", v[UKTV_TITLESTATE_NEW],
	    v[UKTV_TITLESTATE_CHANGED], v[UKTV_TITLESTATE_REFRESH],
	    v[UKTV_TITLESTATE_REMOVE], v[UKTV_TITLESTATE_UNCHANGED]);
	uktv_log_info(&lg, "Watchmode: %ld call%s (%ld retried, %ld "
	    "rate-limited); quota: %ld of %ld credits used, %ld left", r->used,
	    r->used == 1 ? "" : "s", q->retries, q->rate_limited, q->quota_used,
	    q->quota, q->quota >= 0 && q->quota_used >= 0 ?
	    q->quota - q->quota_used : -1);
	return report_problems(r);
}

static void
run_free(struct run *r)
{
	uktv_titleplan_hits_free(&r->hits);
	uktv_titleplan_events_free(&r->outs);
	free(r->pairs);
	uktv_titlestate_clear(&r->st);
	uktv_prefs_set_free(&r->set);
	uktv_watchmode_free(r->wm);
	uktv_aws_free(r->aws);
}

/*
 * What can be checked is, before a Watchmode credit is spent or a title
 * printed (a cron pipe would publish them every hour): the table, and that
 * the state can be saved at the end.  Region and credentials are checked
 * on first use: with --prefs-from and the key in the environment no AWS
 * call is made.
 */
static void
start(struct run *r)
{
	struct uktv_error e;

	r->aws = uktv_toolopt_aws(&to);
	uktv_error_clear(&e);
	if (r->table != NULL)
		uktv_toolopt_need_table(&to, r->aws);
	if (r->state_path != NULL &&
	    uktv_titlestate_check_save(r->state_path, &e) == -1)
		uktv_log_die(&lg, &e);
	load_prefs(r);
	load_state(r);
	uktv_error_clear(&e);
	if ((r->wm = uktv_watchopt_client(uktv_aws_http(r->aws), r->aws,
	    &r->wo, &e)) == NULL)
		uktv_log_die(&lg, &e);
	r->nlist = r->npairs;
	r->started_ms = uktv_time_now_ms();
}

/* The reader went away (`| head`): the state claims only what it was
 * sent, silently, as `tail -f | head` ends. */
static int
cut_short(struct run *r, size_t written)
{
	struct uktv_error e;

	uktv_error_clear(&e);
	if (r->state_path != NULL && uktv_titleplan_keep_written(&r->st,
	    r->state_path, &r->outs, written, &e) == -1)
		uktv_log_die(&lg, &e);
	save_state(r);
	return UKTV_EXIT_PIPE;
}

int
main(int argc, char *argv[])
{
	struct run r;
	long long now_ms;
	char ts[32];
	size_t written;
	int rc;

	parse_args(argc, argv, &r);
	start(&r);
	if (r.changes)
		ask_changes(&r);
	check_quota(&r);
	list_pairs(&r);

	now_ms = uktv_time_now_ms();
	uktv_time_format(now_ms, ts);
	reconcile(&r, now_ms, ts);
	written = print_all(&r, ts);
	if (written < r.outs.n)
		rc = cut_short(&r, written);
	else {
		/* Only once every event is out: a write that failed before
		 * leaves the state as it was, and the next run sends them
		 * again. */
		save_state(&r);
		rc = report(&r);
	}
	run_free(&r);
	return rc;
}
