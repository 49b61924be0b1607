/*
 * uktv-consume: reads every shard of a Kinesis stream of title events and
 * prints them as NDJSON; with -t stores them in the guide table (the
 * original app's consumer Lambda and its enrichment trigger in one),
 * checkpointed in a directory or in a KCL-compatible lease table, at least
 * once.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <json-c/json.h>

#include "checkpoint.h"
#include "consumer.h"
#include "deadletter.h"
#include "parse.h"
#include "guidestore.h"
#include "kinesis.h"
#include "lease.h"
#include "log.h"
#include "ndjson.h"
#include "streamopt.h"
#include "streamout.h"
#include "streamreader.h"
#include "toolopt.h"
#include "watchmode.h"

#define PROG	"uktv-consume"

enum {
	OPT_ENVELOPE = UKTV_OPT_FIRST_FREE,
	OPT_UNTIL,
	OPT_LEASE_TABLE,
	OPT_WORKER_ID,
	OPT_LEASE_DURATION,
	OPT_LEASE_RENEW,
	OPT_SHOW,
	OPT_RESET,
	OPT_FORCE,
	OPT_STATS,
	OPT_STATS_FILE,
	OPT_ENRICH,
	OPT_ENRICH_MISSING,
	OPT_ENRICH_OLDER,
	OPT_LIMIT,
	OPT_COUNTRY
};

static struct option longopts[] = {
	UKTV_TOOLOPT_LONGOPTS,
	UKTV_WATCHMODE_LONGOPTS,
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

/* Everything the loop needs. */
struct ctx {
	struct uktv_aws		*aws;
	const char		*stream;
	const char		*table;
	int			 no_output;
	int			 envelope;
	long long		 count;		/* -c: 0 no bound */
	long long		 done;		/* records handled */
	struct uktv_checkpoint_dir *ckdir;
	struct uktv_leases	*leases;
	struct uktv_guidestore	*store;
	struct uktv_streamreader *reader;
	struct uktv_streamout	 out;
	struct uktv_deadletter	*dead;
	struct uktv_consumer	*cons;
	/* --from at-sequence=SHARD:SEQ */
	char			*at_shard;
	struct uktv_position	 at_pos;
	long			 bad;		/* records reported */
	int			 closed;	/* stdout's reader went away */
	struct uktv_watchmode	*wm;
	/* --stats */
	long			 stats_ms;
	FILE			*statsfp;
	long long		 stats_at;
	long long		 started;
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
	    UKTV_WATCHMODE_USAGE
	    UKTV_TOOLOPT_USAGE);
}

static void __attribute__((noreturn))
usage(const char *why)
{
	uktv_toolopt_usage(&to, why);
}

/* Lists the stream's shards into l (dies on failure). */
static void
list_shards(struct ctx *c, struct uktv_consumer_shards *l)
{
	struct uktv_error e;

	uktv_error_clear(&e);
	if (uktv_consumer_list_shards(c->aws, UKTV_SR_KINESIS, c->stream, l,
	    &e) == -1)
		uktv_log_die(&logger, &e);
}

/* ------------------------------------------------------------ batches */

static void
report(struct ctx *c, const struct uktv_stream_record *r, const char *code,
    const char *why)
{
	struct uktv_error e;

	if (r->sub_sequence >= 0)
		uktv_log_warn(&logger, "shard %s: sequence %s/%lld: %s",
		    r->shard_id, r->sequence, r->sub_sequence, why);
	else
		uktv_log_warn(&logger, "shard %s: sequence %s: %s",
		    r->shard_id, r->sequence, why);
	uktv_error_clear(&e);
	if (c->dead != NULL &&
	    uktv_deadletter_record(c->dead, r, code, why, &e) == -1)
		uktv_log_die(&logger, &e);
	c->bad++;
}

/* A failed write to stdout: a reader that went away stops the run where
 * it is (batch() checkpoints what was written); anything else is fatal. */
static void
stdout_failed(struct ctx *c)
{
	if (!uktv_toolopt_pipe_closed(errno))
		uktv_log_fatal_errno(&logger, EX_IOERR, errno, "stdout");
	c->closed = 1;
}

/* Prints r; *lines gets r's index as this batch's next line. */
static void
print(struct ctx *c, const struct uktv_stream_record *r,
    enum uktv_streamout_check chk, size_t *lines, size_t *nlines, size_t i)
{
	int rc;

	if (c->no_output || c->closed)
		return;
	lines[(*nlines)++] = i;
	rc = c->envelope ? uktv_streamout_envelope(&c->out, r, chk) :
	    uktv_streamout_data(&c->out, r, chk);
	if (rc == -1)
		stdout_failed(c);
}

/* Parses OBJECT records and stores them (-t); events[i] for records[i]. */
static void
store(struct ctx *c, const struct uktv_stream_batch *b,
    const enum uktv_streamout_check *chk, struct uktv_title_event *ev,
    size_t *map)
{
	struct uktv_error e;
	struct json_tokener *tok;
	size_t n = 0;

	if ((tok = json_tokener_new_ex(UKTV_NDJSON_MAX_DEPTH * 2)) == NULL)
		uktv_log_fatal(&logger, EX_OSERR, "out of memory");
	for (size_t i = 0; i < b->n; i++) {
		const struct uktv_stream_record *r = &b->records[i];
		struct json_object *o;

		map[i] = (size_t)-1;
		if (chk[i] != UKTV_SO_OBJECT)
			continue;
		json_tokener_reset(tok);
		o = json_tokener_parse_ex(tok, (const char *)r->data,
		    (int)r->data_len);
		if (o == NULL)
			continue;
		memset(&ev[n], 0, sizeof(ev[n]));
		ev[n].event = o;
		ev[n].shard = r->shard_id;
		ev[n].sequence = r->sequence;
		map[i] = n++;
	}
	json_tokener_free(tok);
	uktv_error_clear(&e);
	if (n > 0 && uktv_guidestore_apply(c->store, ev, n, &e) == -1)
		uktv_log_die(&logger, &e);	/* nothing of this batch is checkpointed */
}

static void
write_checkpoint(struct ctx *c, const char *shard,
    const struct uktv_position *pos)
{
	struct uktv_error e;

	uktv_error_clear(&e);
	if (uktv_consumer_checkpoint(c->cons, shard, pos, &e) == -1)
		uktv_log_die(&logger, &e);
}

/*
 * stdout's reader went away in the middle of batch b: the checkpoint goes
 * after the last record whose line was written whole (lines[k] is the
 * record of the batch's line k), so the next run starts with the first
 * record its reader may not have had.  No line written: no checkpoint.
 */
static void
checkpoint_written(struct ctx *c, const struct uktv_stream_batch *b,
    const size_t *lines, unsigned long long written)
{
	const struct uktv_stream_record *r;
	struct uktv_position pos;

	if (written == 0)
		return;
	r = &b->records[lines[written - 1]];
	if (uktv_position_set_sequence(&pos, r->sequence, r->sub_sequence) == -1)
		return;
	write_checkpoint(c, b->shard_id, &pos);
	c->done += (long long)lines[written - 1] + 1;
}

/*
 * What becomes of one record: 0 to print it, else it was reported (and
 * dead-lettered): data that is not an object (unless an envelope without
 * a store carries it as data_base64), or a title event the store refused
 * or failed (t: its event, NULL when its data did not parse).
 */
static int
one_record(struct ctx *c, const struct uktv_stream_record *r,
    enum uktv_streamout_check chk, const struct uktv_title_event *t)
{
	char why[256];

	if (chk != UKTV_SO_OBJECT) {
		if (c->envelope && c->store == NULL)
			return 0;
		uktv_streamout_check(r->data, r->data_len, why, sizeof(why));
		report(c, r, uktv_streamout_check_code(chk), why);
		return -1;
	}
	if (c->store == NULL)
		return 0;
	if (t == NULL) {
		report(c, r, "invalid_json", "data is not JSON");
		return -1;
	}
	if (t->result == UKTV_TITLE_REJECTED || t->result == UKTV_TITLE_FAILED) {
		report(c, r, t->code[0] ? t->code : t->result ==
		    UKTV_TITLE_REJECTED ? "bad_event" : "failed", t->reason);
		return -1;
	}
	if (t->enrich_failed)
		uktv_log_info(&logger, "shard %s: sequence %s: not enriched: %s",
		    r->shard_id, r->sequence, t->reason_enrich);
	return 0;
}

static void
batch(struct ctx *c, const struct uktv_stream_batch *b)
{
	enum uktv_streamout_check *chk = NULL;
	struct uktv_title_event *ev = NULL, *t;
	size_t *map = NULL, *lines = NULL, nlines = 0;
	unsigned long long lines0 = c->out.lines_out;
	char why[256];
	int failed = 0;

	if (b->n > 0 && ((chk = calloc(b->n, sizeof(*chk))) == NULL ||
	    (lines = calloc(b->n, sizeof(*lines))) == NULL ||
	    (c->store != NULL && ((ev = calloc(b->n, sizeof(*ev))) == NULL ||
	    (map = calloc(b->n, sizeof(*map))) == NULL))))
		uktv_log_fatal(&logger, EX_OSERR, "out of memory");
	for (size_t i = 0; i < b->n; i++)
		chk[i] = uktv_streamout_check(b->records[i].data,
		    b->records[i].data_len, why, sizeof(why));
	if (c->store != NULL && b->n > 0)
		store(c, b, chk, ev, map);
	for (size_t i = 0; i < b->n && !c->closed; i++) {
		t = map == NULL || map[i] == (size_t)-1 ? NULL : &ev[map[i]];
		if (one_record(c, &b->records[i], chk[i], t) == 0)
			print(c, &b->records[i], chk[i], lines, &nlines, i);
		else if (t != NULL && t->result == UKTV_TITLE_FAILED)
			failed++;
	}
	if (ev != NULL)
		for (size_t i = 0; i < b->n; i++)
			json_object_put(ev[i].event);
	free(ev);
	free(map);
	free(chk);
	/* Written whole even when SIGTERM comes while a slow reader holds
	 * the pipe full: the loop stops after the checkpoint below. */
	if (!c->closed && (uktv_streamout_flush(&c->out) == -1 ||
	    ferror(stdout)))
		stdout_failed(c);
	if (failed > 0 && c->dead == NULL) {
		/* Not stored and nowhere else to go: stop before the
		 * checkpoint, so the next run tries them again. */
		uktv_log_warn(&logger, "%d record%s not stored: stopping before "
		    "the checkpoint (use --dead-letter to go on)", failed,
		    failed == 1 ? "" : "s");
		exit(1);
	}
	if (c->closed)
		checkpoint_written(c, b, lines, c->out.lines_out - lines0);
	else {
		write_checkpoint(c, b->shard_id, &b->checkpoint);
		c->done += (long long)b->n;
	}
	free(lines);
}

/* ------------------------------------------------------------ stats */

static void
stats_line(struct ctx *c)
{
	struct json_object *o = uktv_consumer_stats_json(c->cons, c->bad);
	const char *text;
	size_t len;

	if (c->store != NULL)
		uktv_guidestore_stats_json(c->store, o);
	text = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	fprintf(c->statsfp, "%s\n", text);
	fflush(c->statsfp);
	json_object_put(o);
}

/* ------------------------------------------------------------ modes */

static void
show_one(struct ctx *c, const char *shard, const struct uktv_position *pos)
{
	struct json_object *o = json_object_new_object();
	struct uktv_error e;
	long long lag;

	json_object_object_add(o, "shard", json_object_new_string(shard));
	if (pos != NULL && pos->kind != UKTV_POS_NONE)
		uktv_position_to_json(pos, o);
	/* The lag is known when the stream is named (one GetRecords). */
	uktv_error_clear(&e);
	if (c != NULL && c->stream != NULL && pos != NULL &&
	    pos->kind != UKTV_POS_NONE) {
		if (uktv_streamreader_lag(c->aws, UKTV_SR_KINESIS, c->stream,
		    shard, pos, &lag, &e) == 0)
			json_object_object_add(o, "lag_ms",
			    json_object_new_int64(lag));
		else if (e.kind != UKTV_ERR_USAGE)
			uktv_log_info(&logger, "shard %s: no lag: %s", shard,
			    e.message);
	}
	uktv_toolopt_write_json(&to, o);
}

static int
show_file(const char *shard, const struct uktv_position *pos, void *arg)
{
	show_one(arg, shard, pos);
	return 0;
}

static int
show_checkpoints(struct ctx *c)
{
	struct uktv_error e;
	struct uktv_consumer_shards l;

	uktv_error_clear(&e);
	if (c->leases != NULL) {
		if (uktv_leases_read(c->leases, &e) == -1)
			uktv_log_die(&logger, &e);
		for (size_t i = 0; i < uktv_leases_count(c->leases); i++) {
			uktv_toolopt_write_json(&to,
			    uktv_lease_to_json(uktv_leases_at(c->leases, i)));
		}
		return 0;
	}
	if (c->stream == NULL) {
		if (uktv_checkpoint_list(c->ckdir, show_file, c, &e) == -1)
			uktv_log_die(&logger, &e);
		return 0;
	}
	/* With -s: every shard of the stream, checkpointed or not. */
	list_shards(c, &l);
	for (size_t i = 0; i < l.n; i++) {
		struct uktv_position pos;

		if (uktv_checkpoint_read(c->ckdir, l.v[i].shard, &pos, &e) == -1)
			uktv_log_die(&logger, &e);
		show_one(c, l.v[i].shard, &pos);
	}
	uktv_consumer_shards_free(&l);
	return 0;
}

static int
reset_checkpoints(struct ctx *c, const struct uktv_position *pos, int force)
{
	struct uktv_error e;
	long n;

	uktv_error_clear(&e);
	if (uktv_consumer_reset(c->cons, pos, force, &n, &e) == -1)
		uktv_log_die(&logger, &e);
	if (c->leases != NULL)
		uktv_log_info(&logger, "lease checkpoints set to %s",
		    uktv_position_text(pos));
	else
		uktv_log_info(&logger, "%ld checkpoint%s set to %s", n,
		    n == 1 ? "" : "s", uktv_position_text(pos));
	return 0;
}

/* Where a draining run is, on a terminal only (log.c prints nothing else). */
static void
progress(const struct ctx *c)
{
	long long ms = uktv_time_now_ms() - c->started;

	uktv_log_progress(&logger, "%lld records, %.0f/s", c->done,
	    ms > 0 ? (double)c->done * 1000.0 / (double)ms : 0.0);
}

static void
on_enriched(const char *id, int ok, const struct uktv_error *e, void *arg)
{
	if (ok)
		uktv_log_info(&logger, "title %s: enriched", id);
	else
		uktv_log_warn(&logger, "title %s: not enriched: %s", id,
		    e != NULL ? e->message : "unknown error");
}

/* ------------------------------------------------------------ options */

enum mode { MODE_FOLLOW, MODE_SHOW, MODE_RESET, MODE_ENRICH_MISSING };

/* What the options say, beyond what the loop keeps in ctx. */
struct args {
	enum mode			 mode;
	struct uktv_watchmode_opts	 wo;
	struct uktv_position		 from, reset_pos;
	struct uktv_streamopt		 so;
	const char	*lease_table, *worker, *stats_path;
	const char	*until_arg, *reset_arg;
	char		 country[3];
	long long	 until_ms;
	long		 lease_duration, lease_renew, limit;
	int		 force, enrich, older_days;
};

static long long
number(const char *arg, long long min, long long max, const char *why)
{
	long long v;

	if (uktv_parse_uint(arg, min, max, &v) == -1)
		usage(why);
	return v;
}

/* The options that take a value or set a flag of the loop. */
static void
set_option(struct args *a, struct ctx *c, int ch, const char *arg)
{
	if (uktv_streamopt_handle(&a->so, &to, ch, arg))
		return;
	switch (ch) {
	case 's': c->stream = arg; break;
	case 't': c->table = arg; break;
	case 'n': c->no_output = 1; break;
	case 'c':
		c->count = number(arg, 1, 1000000000000LL,
		    "-c takes a number of records (1 or more)");
		break;
	case OPT_ENVELOPE: c->envelope = 1; break;
	case OPT_UNTIL: a->until_arg = arg; break;
	case OPT_LEASE_TABLE: a->lease_table = arg; break;
	case OPT_WORKER_ID: a->worker = arg; break;
	case OPT_LEASE_DURATION:
		a->lease_duration = uktv_toolopt_seconds(&to, "--lease-duration",
		    arg, 100);
		break;
	case OPT_LEASE_RENEW:
		a->lease_renew = uktv_toolopt_seconds(&to, "--lease-renew", arg,
		    10);
		break;
	case OPT_SHOW: a->mode = MODE_SHOW; break;
	case OPT_RESET: a->reset_arg = arg; break;
	case OPT_FORCE: a->force = 1; break;
	case OPT_STATS:
		c->stats_ms = uktv_toolopt_seconds(&to, "--stats", arg, 10);
		break;
	case OPT_STATS_FILE: a->stats_path = arg; break;
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
			usage("--country takes a two-letter country code");
		break;
	}
}

/* --from, --until and --reset-checkpoints: positions and times. */
static void
parse_positions(struct args *a, struct ctx *c, long long now)
{
	const char *p, *colon;

	if (a->so.from != NULL && strncmp(a->so.from, "at-sequence=", 12) == 0) {
		p = a->so.from + 12;
		colon = strchr(p, ':');
		if (colon == NULL || colon == p ||
		    (c->at_shard = strndup(p, (size_t)(colon - p))) == NULL ||
		    !uktv_shard_id_valid(c->at_shard) ||
		    uktv_position_set_sequence(&c->at_pos, colon + 1, -1) == -1)
			usage("--from at-sequence= takes SHARD:SEQUENCE");
		c->at_pos.inclusive = 1;
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
check_args(struct args *a, const struct ctx *c)
{
	int show = a->mode == MODE_SHOW, reset = a->reset_arg != NULL;
	int missing = a->mode == MODE_ENRICH_MISSING;

	if (show && reset)
		usage("--show-checkpoints and --reset-checkpoints cannot be used "
		    "together");
	if ((show || reset) && a->so.checkpoint == NULL && a->lease_table == NULL)
		usage(show ? "--show-checkpoints needs --checkpoint DIR or "
		    "--lease-table TABLE" : "--reset-checkpoints needs "
		    "--checkpoint DIR or --lease-table TABLE");
	if (a->force && !reset)
		usage("--force goes with --reset-checkpoints");
	if (a->so.checkpoint != NULL && a->lease_table != NULL)
		usage("--checkpoint and --lease-table cannot be used together");
	if ((a->lease_table != NULL) != (a->worker != NULL) && !show && !reset)
		usage(a->lease_table != NULL ? "--lease-table needs --worker-id ID"
		    : "--worker-id goes with --lease-table");
	if ((a->lease_duration || a->lease_renew) && a->lease_table == NULL)
		usage("--lease-duration and --lease-renew go with --lease-table");
	if (a->lease_duration && a->lease_renew &&
	    a->lease_renew >= a->lease_duration)
		usage("--lease-renew must be shorter than --lease-duration");
	if (a->enrich && c->table == NULL)
		usage("--enrich needs -t TABLE");
	if (missing && c->table == NULL)
		usage("--enrich-missing needs -t TABLE");
	if (a->older_days >= 0 && !missing)
		usage("--enrich-older-than goes with --enrich-missing");
	if (a->stats_path != NULL && c->stats_ms == 0)
		usage("--stats-file needs --stats SECONDS");
	if (c->stream == NULL && !missing && !show && !reset)
		usage("no stream: -s STREAM is required");
	if (reset)
		a->mode = MODE_RESET;
}

static void
parse_args(int argc, char *argv[], struct args *a, struct ctx *c)
{
	char why[256];
	int ch;

	uktv_position_set(&a->from, UKTV_POS_TRIM_HORIZON);
	a->so.poll_min_ms = 200;
	a->older_days = -1;
	strlcpy(a->country, "GB", sizeof(a->country));
	uktv_toolopt_init(&to, PROG);
	to.synopsis = SYNOPSIS;
	to.usage = usage_text;
	while ((ch = uktv_toolopt_next(&to, argc, argv, "s:t:nec:", longopts,
	    NULL)) != -1) {
		switch (uktv_watchmode_opt_handle(&a->wo, ch, optarg, why,
		    sizeof(why))) {
		case UKTV_TOOLOPT_HANDLED:
			continue;
		case UKTV_TOOLOPT_BAD:
			usage(why);
		default:
			set_option(a, c, ch, optarg);
		}
	}
	if (optind < argc)
		uktv_streamopt_usagef(&to, "unexpected argument '%s'", argv[optind]);
	uktv_log_init(&logger, PROG, to.verbosity);
	check_args(a, c);
	parse_positions(a, c, uktv_time_now_ms());
}

/* ------------------------------------------------------------ set-up */

static void
on_event(void *arg, enum uktv_consumer_event ev, const char *shard,
    const char *msg)
{
	switch (ev) {
	case UKTV_CONSUMER_SYNC_FAILED:
		uktv_log_warn(&logger, "%s", msg);
		break;
	case UKTV_CONSUMER_TICK_FAILED:
		uktv_log_warn(&logger, "lease table: %s", msg);
		break;
	case UKTV_CONSUMER_LOCK_FORCED:
		uktv_log_warn(&logger, "%s (--force: resetting anyway)", msg);
		break;
	default:
		uktv_log_info(&logger, "shard %s: %s", shard, msg);
	}
}

/* Where positions are kept, the title store, and the consumer over them. */
static void
open_stores(struct args *a, struct ctx *c)
{
	struct uktv_lease_opts lo = { 0 };
	struct uktv_guidestore_opts go = { 0 };
	struct uktv_consumer_opts co = { 0 };
	struct uktv_error e;

	uktv_error_clear(&e);
	if (a->so.checkpoint != NULL && (c->ckdir = uktv_checkpoint_open(a->so.checkpoint,
	    a->mode != MODE_SHOW, &e)) == NULL)
		uktv_log_die(&logger, &e);
	if (a->lease_table != NULL) {
		lo.table = a->lease_table;
		lo.worker_id = a->worker != NULL ? a->worker : PROG;
		lo.duration_ms = a->lease_duration;
		lo.renew_ms = a->lease_renew;
		lo.initial = &a->from;
		if ((c->leases = uktv_leases_new(c->aws, &lo, &e)) == NULL)
			uktv_log_die(&logger, &e);
	}
	if (c->table != NULL) {
		/* Before a record is read or a Watchmode credit spent. */
		uktv_toolopt_table(&to, c->table);
		uktv_toolopt_need_table(&to, c->aws);
		if ((a->enrich || a->mode == MODE_ENRICH_MISSING) &&
		    (c->wm = uktv_watchmode_new(uktv_aws_http(c->aws), c->aws,
		    &a->wo, &e)) == NULL)
			uktv_log_die(&logger, &e);
		go.table = c->table;
		go.wm = c->wm;
		go.region = a->country;
		if ((c->store = uktv_guidestore_new(c->aws, &go, &e)) == NULL)
			uktv_log_die(&logger, &e);
	}
	co.aws = c->aws;
	co.backend = UKTV_SR_KINESIS;
	co.stream = c->stream;
	co.ckdir = c->ckdir;
	co.leases = c->leases;
	co.at_shard = c->at_shard;
	co.at_pos = c->at_pos;
	co.event = on_event;
	co.note = uktv_streamopt_note;
	co.arg = &logger;
	if ((c->cons = uktv_consumer_new(&co, &e)) == NULL)
		uktv_log_die(&logger, &e);
}

/* The outputs and the positions' lock, before the reader starts. */
static void
open_outputs(struct args *a, struct ctx *c)
{
	struct uktv_error e;

	uktv_error_clear(&e);
	if (c->ckdir != NULL && uktv_checkpoint_lock(c->ckdir, &e) == -1) {
		/* Another reader holding the positions is a busy service
		 * (69); a lock that cannot be made keeps its own kind (a
		 * read-only directory: 73). */
		if (strcmp(e.code, "CheckpointsInUse") == 0)
			e.kind = UKTV_ERR_UNAVAILABLE;
		uktv_log_die(&logger, &e);
	}
	if (a->so.dead_letter != NULL &&
	    (c->dead = uktv_deadletter_open(a->so.dead_letter, &e)) == NULL)
		uktv_log_die(&logger, &e);
	if (c->stats_ms > 0) {
		c->statsfp = stderr;
		if (a->stats_path != NULL &&
		    (c->statsfp = fopen(a->stats_path, "a")) == NULL)
			uktv_log_fatal_errno(&logger, EX_CANTCREAT, errno, "%s",
			    a->stats_path);
	}
	uktv_streamout_init(&c->out, stdout);
	if (uktv_consumer_lease_start(c->cons, &e) == -1)
		uktv_log_die(&logger, &e);
}

/* ------------------------------------------------------------ modes */

static int
enrich_missing(struct args *a, struct ctx *c)
{
	struct uktv_error e;
	long failed;

	uktv_error_clear(&e);
	failed = uktv_guidestore_enrich_missing(c->store, a->older_days, 0,
	    on_enriched, NULL, &e);
	if (failed == -1)
		uktv_log_die(&logger, &e);
	return failed > 0;
}

static void
start_reader(struct args *a, struct ctx *c)
{
	struct uktv_streamreader_opts ro;
	struct uktv_error e;

	memset(&ro, 0, sizeof(ro));
	ro.backend = UKTV_SR_KINESIS;
	ro.stream = c->stream;
	ro.start = a->from;
	ro.until_ms = a->until_ms;
	ro.to_end = a->so.to_end;
	ro.limit = (int)a->limit;
	ro.poll_ms = a->so.poll_ms;
	ro.stop = &uktv_stop_signal;
	/* Caught up, a follower writes nothing: it learns that its reader
	 * went away while it waits. */
	if (!c->no_output)
		ro.watch_fd = STDOUT_FILENO;
	uktv_error_clear(&e);
	if ((c->reader = uktv_consumer_reader(c->cons, &ro, &e)) == NULL)
		uktv_log_die(&logger, &e);
}

/* How long the next wait may be: until the next stats line or lease round. */
static long long
next_wait(struct ctx *c, long long now)
{
	long long wait = 1000;
	struct uktv_error e;

	if (c->stats_ms > 0) {
		if (now >= c->stats_at) {
			stats_line(c);
			c->stats_at = now + c->stats_ms;
		}
		if (c->stats_at - now < wait)
			wait = c->stats_at - now;
	}
	uktv_error_clear(&e);
	if (uktv_consumer_lease_poll(c->cons, now, &wait, &e) == -1)
		uktv_log_die(&logger, &e);
	return wait < 0 ? 0 : wait;
}

static void
follow(struct args *a, struct ctx *c)
{
	struct uktv_stream_batch b;
	struct uktv_error e;
	size_t max;
	long wait;
	int rc;

	open_outputs(a, c);
	start_reader(a, c);
	c->started = uktv_time_now_ms();
	c->stats_at = c->started + c->stats_ms;
	while (!c->closed) {
		wait = (long)next_wait(c, uktv_time_now_ms());
		max = c->count > 0 ? (size_t)(c->count - c->done) : 0;
		uktv_error_clear(&e);
		rc = uktv_streamreader_next(c->reader, max, wait, &b, &e);
		if (rc == -1)
			uktv_log_die(&logger, &e);
		if (rc == UKTV_SR_END || rc == UKTV_SR_STOPPED)
			break;
		if (rc == UKTV_SR_CLOSED)
			c->closed = 1;
		if (rc == UKTV_SR_BATCH) {
			batch(c, &b);
			progress(c);
			if (c->count > 0 && c->done >= c->count)
				break;
		}
	}
	uktv_log_progress_done(&logger);
	if (c->stats_ms > 0)
		stats_line(c);
}

/* After a follow: leases given back, what was reported, the exit code. */
static int
finish(struct ctx *c)
{
	const struct uktv_error *ee;
	struct uktv_error e;
	int enrich_rc = 0;

	uktv_error_clear(&e);
	if (c->leases != NULL && uktv_leases_release(c->leases, &e) == -1)
		uktv_log_warn(&logger, "releasing leases: %s", e.message);
	if (c->bad > 0)
		uktv_log_warn(&logger, "%ld record%s reported", c->bad,
		    c->bad == 1 ? "" : "s");
	/* Titles were stored, but a refused key or a spent quota is the
	 * operator's to fix: say so and exit with its code (77, 69). */
	if ((ee = uktv_guidestore_enrich_error(c->store)) != NULL) {
		uktv_log_warn(&logger, "enrichment stopped: %s", ee->message);
		enrich_rc = uktv_error_exit_code(ee);
	}
	uktv_error_clear(&e);
	if (uktv_deadletter_close(c->dead, &e) == -1)
		uktv_log_die(&logger, &e);
	c->dead = NULL;
	if (c->statsfp != NULL && c->statsfp != stderr)
		fclose(c->statsfp);
	return uktv_streamopt_exit(c->closed, enrich_rc != 0 ? enrich_rc :
	    c->bad > 0);
}

int
main(int argc, char *argv[])
{
	struct args a;
	struct ctx c;
	int rc;

	memset(&a, 0, sizeof(a));
	memset(&c, 0, sizeof(c));
	parse_args(argc, argv, &a, &c);
	uktv_toolopt_catch_stop();
	c.aws = uktv_toolopt_aws(&to);
	open_stores(&a, &c);
	switch (a.mode) {
	case MODE_SHOW:
		rc = show_checkpoints(&c);
		break;
	case MODE_RESET:
		rc = reset_checkpoints(&c, &a.reset_pos, a.force);
		break;
	case MODE_ENRICH_MISSING:
		rc = enrich_missing(&a, &c);
		break;
	default:
		follow(&a, &c);
		rc = finish(&c);
	}
	uktv_streamreader_free(c.reader);
	uktv_streamout_free(&c.out);
	uktv_consumer_free(c.cons);
	uktv_guidestore_free(c.store);
	uktv_watchmode_free(c.wm);
	uktv_leases_free(c.leases);
	uktv_checkpoint_close(c.ckdir);
	uktv_aws_free(c.aws);
	free(c.at_shard);
	return rc;
}
