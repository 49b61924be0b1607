/*
 * uktv-consume: reads every shard of a Kinesis stream of title events and
 * prints them as NDJSON; with -t stores them in the guide table (the
 * original app's consumer Lambda and its enrichment trigger in one),
 * checkpointed in a directory or in a KCL-compatible lease table, at least
 * once.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include <json-c/json.h>

#include "consumerun.h"
#include "kinesis.h"
#include "log.h"
#include "parse.h"
#include "streamopt.h"
#include "titlesink.h"
#include "toolopt.h"
#include "watchopt.h"

#define PROG	"uktv-consume"

/* The tool's own long options, after the shared ones. */
enum {
	OPT_ENVELOPE = UKTV_OPT_FIRST_FREE, OPT_UNTIL, OPT_LEASE_TABLE,
	OPT_WORKER_ID, OPT_LEASE_DURATION, OPT_LEASE_RENEW, OPT_SHOW, OPT_RESET,
	OPT_FORCE, OPT_STATS, OPT_STATS_FILE, OPT_ENRICH, OPT_ENRICH_MISSING,
	OPT_ENRICH_OLDER, OPT_LIMIT, OPT_COUNTRY
};

static struct option longopts[] = {
	UKTV_TOOLOPT_LONGOPTS,
	UKTV_WATCHOPT_LONGOPTS,
	UKTV_STREAMOPT_LONGOPTS,
	{ "stream",		required_argument, NULL, 's' },
	{ "table",		required_argument, NULL, 't' },
	{ "no-output",		no_argument,	   NULL, 'n' },
	{ "count",		required_argument, NULL, 'c' },
	{ "envelope",		no_argument,	   NULL, OPT_ENVELOPE },
	{ "until",		required_argument, NULL, OPT_UNTIL },
	{ "lease-table",	required_argument, NULL, OPT_LEASE_TABLE },
	{ "worker-id",		required_argument, NULL, OPT_WORKER_ID },
	{ "lease-duration",	required_argument, NULL, OPT_LEASE_DURATION },
	{ "lease-renew",	required_argument, NULL, OPT_LEASE_RENEW },
	{ "show-checkpoints",	no_argument,	   NULL, OPT_SHOW },
	{ "reset-checkpoints",	required_argument, NULL, OPT_RESET },
	{ "force",		no_argument,	   NULL, OPT_FORCE },
	{ "stats",		required_argument, NULL, OPT_STATS },
	{ "stats-file",		required_argument, NULL, OPT_STATS_FILE },
	{ "enrich",		no_argument,	   NULL, OPT_ENRICH },
	{ "enrich-missing",	no_argument,	   NULL, OPT_ENRICH_MISSING },
	{ "enrich-older-than",	required_argument, NULL, OPT_ENRICH_OLDER },
	{ "limit",		required_argument, NULL, OPT_LIMIT },
	{ "country",		required_argument, NULL, OPT_COUNTRY },
	{ NULL, 0, NULL, 0 }
};

static struct uktv_log logger;

static struct uktv_toolopt to;

/* uktv-consume(1)'s SYNOPSIS: what a usage error prints. */
#define SYNOPSIS \
	"usage: " PROG " -s STREAM [-enqvV] [-t TABLE] [-c COUNT] [--envelope]\n" \
	"           [--from POSITION] [--until TIME] [--checkpoint DIR |\n" \
	"           --lease-table TABLE --worker-id ID] [--dead-letter FILE]\n" \
	"           [--stats SECONDS [--stats-file FILE]] [--enrich]\n" \
	"       " PROG " --show-checkpoints | --reset-checkpoints POSITION\n" \
	"           [-s STREAM] (--checkpoint DIR | --lease-table TABLE) [--force]\n" \
	"       " PROG " --enrich-missing -t TABLE [--enrich-older-than DAYS]\n"

static void
usage_text(FILE *fp)
{
	fprintf(fp,
	    SYNOPSIS
	    "Reads every shard of a Kinesis stream and prints each record's data as\n"
	    "NDJSON; with -t stores the title events in the guide table.\n"
	    "  -s, --stream STREAM     the Kinesis stream (name or ARN)\n"
	    "  -t, --table TABLE       also store the title events in TABLE\n"
	    "  -n, --no-output         print nothing on stdout\n"
	    "  -e, --exit              exit at the end the stream had when the run started\n"
	    "  -c, --count COUNT       exit after COUNT records\n"
	    "  --envelope              print {shard, sequence, partition_key, arrival, data}\n"
	    "  --from POSITION         trim-horizon (default), latest, at-timestamp=TIME,\n"
	    "                          at-sequence=SHARD:SEQ (a checkpoint wins)\n"
	    "  --until TIME            stop each shard at its first record after TIME\n"
	    "                          (ISO 8601, or relative: -1h, -30m)\n"
	    "  --checkpoint DIR        keep each shard's position in DIR\n"
	    "  --lease-table TABLE     share the shards through a KCL lease table\n"
	    "  --worker-id ID          this worker's name in the lease table\n"
	    "  --lease-duration SEC    a lease not renewed for SEC is taken (default 10)\n"
	    "  --lease-renew SEC       renew leases every SEC (default duration / 3)\n"
	    "  --show-checkpoints      print each shard's position and exit\n"
	    "  --reset-checkpoints POSITION  set every shard's position and exit:\n"
	    "                          trim-horizon, latest or at-timestamp=TIME\n"
	    "  --force                 reset even while a reader holds the positions\n"
	    "  --dead-letter FILE      append records that are not delivered to FILE\n"
	    "  --stats SECONDS         a JSON line of running figures every SECONDS\n"
	    "  --stats-file FILE       write the figures to FILE instead of stderr\n"
	    "  --enrich                fetch Watchmode details for new and changed titles\n"
	    "  --enrich-missing        enrich every stored title that lacks it, and exit\n"
	    "  --enrich-older-than DAYS  with --enrich-missing: also refresh older ones\n"
	    "  --country CC            the country of the stored offers (default GB)\n"
	    "  --limit N               records per GetRecords call (default 10000)\n"
	    "  --poll-interval SEC     wait between calls once caught up (default 1)\n"
	    UKTV_WATCHOPT_USAGE
	    UKTV_TOOLOPT_USAGE);
}

/* ------------------------------------------------------------ options */

enum mode { MODE_FOLLOW, MODE_SHOW, MODE_RESET, MODE_ENRICH_MISSING };

/* What the options say, beyond what they set in the run. */
struct args {
	enum mode			 mode;
	struct uktv_watchmode_opts	 wo;
	struct uktv_position		 from, reset_pos;
	struct uktv_streamopt		 so;
	const char	*table, *until_arg, *reset_arg;
	char		 country[3];
	long long	 until_ms;
	long		 limit;
	int		 force, enrich, older_days;
};

static long long
number(const char *arg, long long min, long long max, const char *why)
{
	long long v;

	if (uktv_parse_uint(arg, min, max, &v) == -1)
		uktv_usage(why);
	return v;
}

/* The options that take a value or set a flag of the run. */
static void
set_option(struct args *a, struct uktv_consumerun *r, int ch, const char *arg)
{
	if (uktv_streamopt_handle(&a->so, &to, ch, arg))
		return;
	switch (ch) {
	case 's': r->stream = arg; break;
	case 't': a->table = arg; break;
	case 'n': r->no_output = 1; break;
	case 'c':
		r->count = number(arg, 1, 1000000000000LL,
		    "-c takes a number of records (1 or more)");
		break;
	case OPT_ENVELOPE: r->envelope = 1; break;
	case OPT_UNTIL: a->until_arg = arg; break;
	case OPT_LEASE_TABLE: r->lease.table = arg; break;
	case OPT_WORKER_ID: r->lease.worker_id = arg; break;
	case OPT_LEASE_DURATION:
		r->lease.duration_ms = uktv_toolopt_seconds(&to,
		    "--lease-duration", arg, 100);
		break;
	case OPT_LEASE_RENEW:
		r->lease.renew_ms = uktv_toolopt_seconds(&to, "--lease-renew",
		    arg, 10);
		break;
	case OPT_SHOW: a->mode = MODE_SHOW; break;
	case OPT_RESET: a->reset_arg = arg; break;
	case OPT_FORCE: a->force = 1; break;
	case OPT_STATS:
		r->stats_ms = uktv_toolopt_seconds(&to, "--stats", arg, 10);
		break;
	case OPT_STATS_FILE: r->stats_path = arg; break;
	case OPT_ENRICH: a->enrich = 1; break;
	case OPT_ENRICH_MISSING: a->mode = MODE_ENRICH_MISSING; break;
	case OPT_ENRICH_OLDER:
		a->older_days = (int)number(arg, 0, 36500,
		    "--enrich-older-than takes a number of days");
		break;
	case OPT_LIMIT:
		a->limit = (long)number(arg, 1, UKTV_KINESIS_GET_RECORDS_MAX,
		    "--limit takes 1 to 10000 records");
		break;
	case OPT_COUNTRY:
		if (uktv_watchmode_country(arg, a->country) == -1)
			uktv_usage("--country takes a two-letter country code");
		break;
	}
}

/* --from, --until and --reset-checkpoints: positions and times. */
static void
parse_positions(struct args *a, struct uktv_consumerun *r, long long now)
{
	if (a->so.from != NULL && strncmp(a->so.from, "at-sequence=", 12) == 0) {
		if (uktv_consumerun_at_sequence(r, a->so.from + 12) != 0)
			uktv_usage("--from at-sequence= takes SHARD:SEQUENCE");
	} else if (a->so.from != NULL && (uktv_position_parse(a->so.from, now,
	    &a->from) == -1 || a->from.kind == UKTV_POS_SHARD_END))
		uktv_streamopt_usagef(&to, "--from takes trim-horizon, latest, at-timestamp=TIME "
		    "or at-sequence=SHARD:SEQ, not '%s'", a->so.from);
	if (a->until_arg != NULL &&
	    uktv_time_parse(a->until_arg, now, &a->until_ms) == -1)
		uktv_streamopt_usagef(&to, "--until takes an ISO 8601 time or a relative one such "
		    "as -1h, not '%s'", a->until_arg);
	if (a->reset_arg != NULL && (uktv_position_parse(a->reset_arg, now,
	    &a->reset_pos) == -1 || a->reset_pos.kind == UKTV_POS_SHARD_END))
		uktv_streamopt_usagef(&to, "--reset-checkpoints takes trim-horizon, latest or "
		    "at-timestamp=TIME, not '%s'", a->reset_arg);
}

/* The options' one block of checks. */
static void
check_args(struct args *a, const struct uktv_consumerun *r)
{
	int show = a->mode == MODE_SHOW, reset = a->reset_arg != NULL;
	int missing = a->mode == MODE_ENRICH_MISSING;
	const struct uktv_lease_opts *lo = &r->lease;

	if (show && reset)
		uktv_usage("--show-checkpoints and --reset-checkpoints cannot "
		    "be used together");
	if ((show || reset) && a->so.checkpoint == NULL && lo->table == NULL)
		uktv_usage(show ? "--show-checkpoints needs --checkpoint DIR "
		    "or --lease-table TABLE" : "--reset-checkpoints needs "
		    "--checkpoint DIR or --lease-table TABLE");
	if (a->force && !reset)
		uktv_usage("--force goes with --reset-checkpoints");
	if (a->so.checkpoint != NULL && lo->table != NULL)
		uktv_usage("--checkpoint and --lease-table cannot be used "
		    "together");
	if ((lo->table != NULL) != (lo->worker_id != NULL) && !show && !reset)
		uktv_usage(lo->table != NULL ? "--lease-table needs "
		    "--worker-id ID"
		    : "--worker-id goes with --lease-table");
	if ((lo->duration_ms || lo->renew_ms) && lo->table == NULL)
		uktv_usage("--lease-duration and --lease-renew go with "
		    "--lease-table");
	if (lo->duration_ms && lo->renew_ms && lo->renew_ms >= lo->duration_ms)
		uktv_usage("--lease-renew must be shorter than "
		    "--lease-duration");
	if (a->enrich && a->table == NULL)
		uktv_usage("--enrich needs -t TABLE");
	if (missing && a->table == NULL)
		uktv_usage("--enrich-missing needs -t TABLE");
	if (a->older_days >= 0 && !missing)
		uktv_usage("--enrich-older-than goes with --enrich-missing");
	if (r->stats_path != NULL && r->stats_ms == 0)
		uktv_usage("--stats-file needs --stats SECONDS");
	if (r->stream == NULL && !missing && !show && !reset)
		uktv_usage("no stream: -s STREAM is required");
	if (reset)
		a->mode = MODE_RESET;
}

static void
parse_args(int argc, char *argv[], struct args *a, struct uktv_consumerun *r)
{
	int ch;

	uktv_position_set(&a->from, UKTV_POS_TRIM_HORIZON);
	a->so.poll_min_ms = 200;
	a->older_days = -1;
	strlcpy(a->country, "GB", sizeof(a->country));
	uktv_toolopt_init(&to, PROG);
	to.synopsis = SYNOPSIS;
	to.usage = usage_text;
	while ((ch = uktv_watchopt_next(&to, &a->wo, argc, argv, "s:t:nec:",
	    longopts)) != -1)
		set_option(a, r, ch, optarg);
	if (optind < argc)
		uktv_streamopt_usagef(&to, "unexpected argument '%s'", argv[optind]);
	uktv_log_init(&logger, PROG, to.verbosity);
	check_args(a, r);
	parse_positions(a, r, uktv_time_now_ms());
}

/* ------------------------------------------------------------ set-up */

/* Where positions are kept and the consumer over them, then the title
 * store (-t) as the run's sink. */
static void
open_run(struct args *a, struct uktv_consumerun *r, struct uktv_titlesink *ts)
{
	struct uktv_error e;

	r->aws = uktv_toolopt_aws(&to);
	r->checkpoint = a->so.checkpoint;
	r->create = a->mode != MODE_SHOW;
	if (r->lease.worker_id == NULL)
		r->lease.worker_id = PROG;
	r->lease.initial = &a->from;
	r->event = uktv_streamopt_event;
	r->sr_note = uktv_streamopt_note;
	r->event_arg = &logger;
	r->note = uktv_streamopt_runnote;
	r->note_arg = &logger;
	uktv_error_clear(&e);
	if (uktv_consumerun_open(r, &e) == -1)
		uktv_log_die(&logger, &e);
	if (a->table == NULL)
		return;
	uktv_titlesink_open(ts, &to, r->aws, a->table, a->enrich ||
	    a->mode == MODE_ENRICH_MISSING ? &a->wo : NULL, a->country,
	    &logger);
	uktv_titlesink_hook(ts, &r->sink);
}

/* ------------------------------------------------------------ modes */

static void
show_line(void *arg, struct json_object *o)
{
	(void)arg;
	uktv_toolopt_write_json(&to, o);
}

static int
show_checkpoints(struct uktv_consumerun *r)
{
	struct uktv_error e;

	uktv_error_clear(&e);
	if (uktv_consumerun_show(r, show_line, NULL, &e) == -1)
		uktv_log_die(&logger, &e);
	return 0;
}

static int
reset_checkpoints(struct uktv_consumerun *r, const struct args *a)
{
	struct uktv_error e;

	uktv_error_clear(&e);
	if (uktv_consumerun_reset(r, &a->reset_pos, a->force, &e) == -1)
		uktv_log_die(&logger, &e);
	return 0;
}

/* The stream read and printed (and stored), then the exit code. */
static int
follow(struct args *a, struct uktv_consumerun *r)
{
	struct uktv_streamreader_opts ro;
	struct uktv_error e;
	int rc;

	r->dead_letter = a->so.dead_letter;
	memset(&ro, 0, sizeof(ro));
	ro.start = a->from;
	ro.until_ms = a->until_ms;
	ro.to_end = a->so.to_end;
	ro.limit = (int)a->limit;
	ro.poll_ms = a->so.poll_ms;
	ro.stop = &uktv_stop_signal;
	uktv_error_clear(&e);
	if ((rc = uktv_consumerun_follow(r, &ro, &e)) == -2)
		uktv_log_fatal(&logger, EX_OSERR, "out of memory");
	if (rc == -1 || (rc = uktv_consumerun_finish(r, &e)) == -1)
		uktv_log_die(&logger, &e);
	return uktv_streamopt_exit(r->closed, rc);
}

int
main(int argc, char *argv[])
{
	struct uktv_consumerun r;
	struct uktv_titlesink ts = { 0 };
	struct uktv_aws *aws;
	struct args a;
	int rc;

	memset(&a, 0, sizeof(a));
	uktv_consumerun_init(&r);
	parse_args(argc, argv, &a, &r);
	uktv_toolopt_catch_stop();
	open_run(&a, &r, &ts);
	switch (a.mode) {
	case MODE_SHOW:
		rc = show_checkpoints(&r);
		break;
	case MODE_RESET:
		rc = reset_checkpoints(&r, &a);
		break;
	case MODE_ENRICH_MISSING:
		rc = uktv_titlesink_enrich_missing(&ts, a.older_days);
		break;
	default:
		rc = follow(&a, &r);
	}
	aws = r.aws;
	uktv_consumerun_free(&r);
	uktv_titlesink_free(&ts);
	uktv_aws_free(aws);
	return rc;
}
