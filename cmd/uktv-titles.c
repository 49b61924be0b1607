/*
 * uktv-titles: the titles of every (source, genre) pair users follow, as
 * title events for uktv-publish, each title with its OWN source and genre
 * ids; with --state only what is new, changed, due for a refresh or gone.
 * It replaces the original PeriodicUKTitlesForUserPrefsFunction, which
 * asked for one page of the union of everyone's choices and stamped that
 * union onto every title.  The run's steps are lib/guide/titlerun's (its
 * rules titleplan's); this file reads the options and the preferences,
 * prints the events, saves the state and logs what the run notes.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <json-c/json.h>

#include "guidelog.h"
#include "log.h"
#include "ndjson.h"
#include "parse.h"
#include "prefs.h"
#include "time.h"
#include "titleevent.h"
#include "titleplan.h"
#include "titlerun.h"
#include "titlestate.h"
#include "toolopt.h"
#include "watchmode.h"
#include "watchopt.h"

#define PROG		"uktv-titles"
#define DAY_MS		(86400LL * 1000)
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

/* One run: where the preferences come from, the Watchmode options, then
 * the run itself (titlerun.h). */
struct run {
	const char		*table;
	const char		*prefs_from;
	struct uktv_watchmode_opts wo;
	struct uktv_aws		*aws;
	struct uktv_watchmode	*wm;
	struct uktv_titlerun	 tr;
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
die_oom(void)
{
	uktv_log_fatal(&lg, EX_OSERR, "out of memory");
}

/* ---- options ---- */

/* The options whose value needs a check; why is filled when it fails. */
static int
value_option(struct uktv_titlerun *r, int ch, const char *arg, char *why, size_t len)
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
		r->table = uktv_toolopt_value(&to, arg, "-t needs a table name");
		break;
	case OPT_PREFS_FROM:
		r->prefs_from = uktv_toolopt_value(&to, arg, "--prefs-from needs "
		    "a file name, or - for the standard input");
		break;
	case OPT_STATE:
		r->tr.state_path = uktv_toolopt_value(&to, arg,
		    "--state needs a file name");
		break;
	case OPT_CHANGES:
		r->tr.changes = 1;
		break;
	case OPT_FORCE:
		r->tr.force = 1;
		break;
	default:
		if (value_option(&r->tr, ch, arg, why, sizeof(why)) == -1)
			uktv_usage(why);
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
	uktv_titlerun_init(&r->tr, PROG);
	r->tr.note = uktv_guidelog_note;
	r->tr.note_arg = &lg;
	uktv_toolopt_init(&to, PROG);
	to.synopsis = SYNOPSIS;
	to.usage = usage_text;
	while ((ch = uktv_watchopt_next(&to, &r->wo, argc, argv, "t:",
	    longopts)) != -1)
		option(r, ch, optarg);
	if (optind < argc) {
		snprintf(why, sizeof(why), "unexpected argument '%.40s'", argv[optind]);
		uktv_usage(why);
	}
	if (r->table != NULL && r->prefs_from != NULL)
		uktv_usage("-t and --prefs-from cannot be used together");
	if (r->tr.changes && r->tr.state_path == NULL)
		uktv_usage("--changes needs --state FILE (it asks what changed "
		    "since the last complete run)");
	if (r->tr.refresh_ms >= 0 && r->tr.state_path == NULL)
		uktv_usage("--refresh-after needs --state FILE");
	if (r->prefs_from == NULL)
		r->table = uktv_toolopt_table(&to, r->table);
	uktv_log_init(&lg, PROG, to.verbosity);
}

/* ---- the run ---- */

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
	if (r->prefs_from == NULL) {
		if (uktv_prefs_load_table(r->aws, r->table, &r->tr.set,
		    &e) == -1)
			uktv_log_die(&lg, &e);
	} else {
		if (strcmp(r->prefs_from, "-") != 0 &&
		    (fp = fopen(r->prefs_from, "r")) == NULL)
			uktv_log_fatal_errno(&lg, errno == ENOENT ? EX_NOINPUT :
			    EX_IOERR, errno, "%s", r->prefs_from);
		if (uktv_prefs_load_ndjson(fp, UKTV_NDJSON_DEFAULT_MAX_LINE,
		    &r->tr.set, on_reject, NULL, &r->tr.rejected, &e) == -1)
			uktv_log_die(&lg, &e);
		if (fp != stdin)
			fclose(fp);
	}
	if (uktv_titlerun_pairs(&r->tr, &e) == -1)
		uktv_log_die(&lg, &e);
}

/* A step's failure: -2 is out of memory, -1 what e says. */
static void
check(int rc, const struct uktv_error *e)
{
	if (rc == -2)
		die_oom();
	if (rc == -1)
		uktv_log_die(&lg, e);
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
	if (r->tr.state_path != NULL &&
	    uktv_titlestate_check_save(r->tr.state_path, &e) == -1)
		uktv_log_die(&lg, &e);
	load_prefs(r);
	uktv_error_clear(&e);
	check(uktv_titlerun_load_state(&r->tr, &e), &e);
	uktv_error_clear(&e);
	if ((r->wm = uktv_watchopt_client(uktv_aws_http(r->aws), r->aws,
	    &r->wo, &e)) == NULL)
		uktv_log_die(&lg, &e);
}

/* The events, in id order; returns how many went out before stdout's
 * reader went away (all of them: r->tr.outs.n). */
static size_t
print_all(struct run *r, const char *ts)
{
	size_t written;
	int rc;

	rc = uktv_titlerun_print(&r->tr, stdout, ts, &written);
	if (rc == -2)
		die_oom();
	/* A failed write: the state is not saved, the next run sends
	 * again. */
	if (rc == -1 && (written == r->tr.outs.n ||
	    !uktv_toolopt_pipe_closed(errno)))
		uktv_log_fatal_errno(&lg, EX_IOERR, errno, "stdout");
	return written;
}

int
main(int argc, char *argv[])
{
	struct uktv_error e;
	struct run r;
	long long now_ms;
	char ts[32];
	size_t written;
	int rc;

	parse_args(argc, argv, &r);
	start(&r);
	check(uktv_titlerun_plan(&r.tr, r.wm, &e), &e);
	check(uktv_titlerun_list(&r.tr), NULL);

	now_ms = uktv_time_now_ms();
	uktv_time_format(now_ms, ts);
	uktv_error_clear(&e);
	check(uktv_titlerun_reconcile(&r.tr, now_ms, ts, &e), &e);
	written = print_all(&r, ts);
	/* Only once the events are out: a write that failed before leaves
	 * the state as it was, and the next run sends them again.  A reader
	 * that went away (`| head`) ends the run silently, as `tail -f |
	 * head` ends, the state claiming only what it was sent. */
	uktv_error_clear(&e);
	check(uktv_titlerun_save(&r.tr, written, &e), &e);
	rc = written < r.tr.outs.n ? UKTV_EXIT_PIPE :
	    uktv_titlerun_report(&r.tr);
	uktv_titlerun_free(&r.tr);
	uktv_watchmode_free(r.wm);
	uktv_aws_free(r.aws);
	return rc;
}
