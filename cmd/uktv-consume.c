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
#include "streamout.h"
#include "streamreader.h"
#include "toolopt.h"
#include "watchmode.h"

#define PROG	"uktv-consume"

enum {
	OPT_ENVELOPE = UKTV_OPT_FIRST_FREE,
	OPT_FROM,
	OPT_UNTIL,
	OPT_CHECKPOINT,
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
	OPT_DEAD_LETTER,
	OPT_LIMIT,
	OPT_POLL,
	OPT_COUNTRY
};

static struct option longopts[] = {
	UKTV_TOOLOPT_LONGOPTS,
	UKTV_WATCHMODE_LONGOPTS,
	{ "stream",		required_argument, NULL, 's' },
	{ "table",		required_argument, NULL, 't' },
	{ "no-output",		no_argument,	   NULL, 'n' },
	{ "exit",		no_argument,	   NULL, 'e' },
	{ "count",		required_argument, NULL, 'c' },
	{ "envelope",		no_argument,	   NULL, OPT_ENVELOPE },
	{ "from",		required_argument, NULL, OPT_FROM },
	{ "until",		required_argument, NULL, OPT_UNTIL },
	{ "checkpoint",		required_argument, NULL, OPT_CHECKPOINT },
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
	{ "dead-letter",	required_argument, NULL, OPT_DEAD_LETTER },
	{ "limit",		required_argument, NULL, OPT_LIMIT },
	{ "poll-interval",	required_argument, NULL, OPT_POLL },
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
	/* --stats */
	long			 stats_ms;
	FILE			*statsfp;
	long long		 stats_at;
	long long		 started;
	unsigned long long	 last_records, last_bytes;
	long long		 last_ms;
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

/* ------------------------------------------------------------ notes */

static void
on_note(void *arg, enum uktv_sr_note kind, const char *shard, const char *msg)
{
	switch (kind) {
	case UKTV_SR_NOTE_TRIMMED:
	case UKTV_SR_NOTE_KPL:
		uktv_log_warn(&logger, "shard %s: %s", shard, msg);
		break;
	case UKTV_SR_NOTE_GONE:
	case UKTV_SR_NOTE_EXPIRED:
	case UKTV_SR_NOTE_THROTTLED:
	case UKTV_SR_NOTE_RETRY:
		uktv_log_info(&logger, "shard %s: %s", shard, msg);
		break;
	default:
		uktv_log_debug(&logger, "shard %s: %s", shard, msg);
	}
}

/* ------------------------------------------------------------ leases */

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
	default:
		uktv_log_info(&logger, "shard %s: %s", shard, msg);
	}
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

static void
batch(struct ctx *c, const struct uktv_stream_batch *b)
{
	enum uktv_streamout_check *chk = NULL;
	struct uktv_title_event *ev = NULL;
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
		const struct uktv_stream_record *r = &b->records[i];
		struct uktv_title_event *t;

		if (chk[i] != UKTV_SO_OBJECT) {
			/* The envelope carries any data (data_base64); a
			 * title store needs an object. */
			if (c->envelope && c->store == NULL) {
				print(c, r, chk[i], lines, &nlines, i);
				continue;
			}
			uktv_streamout_check(r->data, r->data_len, why,
			    sizeof(why));
			report(c, r, uktv_streamout_check_code(chk[i]), why);
			continue;
		}
		if (c->store != NULL) {
			t = map[i] == (size_t)-1 ? NULL : &ev[map[i]];
			if (t == NULL) {
				report(c, r, "invalid_json", "data is not JSON");
				continue;
			}
			if (t->result == UKTV_TITLE_REJECTED) {
				report(c, r, t->code[0] ? t->code : "bad_event",
				    t->reason);
				continue;
			}
			if (t->result == UKTV_TITLE_FAILED) {
				report(c, r, t->code[0] ? t->code : "failed",
				    t->reason);
				failed++;
				continue;
			}
			if (t->enrich_failed)
				uktv_log_info(&logger, "shard %s: sequence %s: "
				    "not enriched: %s", r->shard_id, r->sequence,
				    t->reason_enrich);
		}
		print(c, r, chk[i], lines, &nlines, i);
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

static int
stats_shard(void *arg, const struct uktv_shard_info *info,
    enum uktv_sr_shard_state st, const struct uktv_position *pos,
    long long behind)
{
	struct json_object *arr = arg, *o = json_object_new_object();

	json_object_object_add(o, "shard", json_object_new_string(info->shard_id));
	json_object_object_add(o, "state",
	    json_object_new_string(uktv_sr_shard_state_name(st)));
	if (behind >= 0)
		json_object_object_add(o, "lag_ms", json_object_new_int64(behind));
	json_object_array_add(arr, o);
	return 0;
}

static void
stats_line(struct ctx *c)
{
	const struct uktv_streamreader_stats *s = uktv_streamreader_stats(c->reader);
	const struct uktv_aws_stats *as = uktv_aws_stats(c->aws);
	struct json_object *o = json_object_new_object(), *arr;
	long long now = uktv_time_now_ms(), dt = now - c->last_ms;
	char ts[32];
	const char *text;
	size_t len;

	if (dt <= 0)
		dt = 1;
	uktv_time_format(now, ts);
	json_object_object_add(o, "time", json_object_new_string(ts));
	json_object_object_add(o, "records",
	    json_object_new_int64((int64_t)s->records));
	json_object_object_add(o, "bytes", json_object_new_int64((int64_t)s->bytes));
	json_object_object_add(o, "records_per_s", json_object_new_double(
	    (double)(s->records - c->last_records) * 1000.0 / (double)dt));
	json_object_object_add(o, "bytes_per_s", json_object_new_double(
	    (double)(s->bytes - c->last_bytes) * 1000.0 / (double)dt));
	json_object_object_add(o, "get_records",
	    json_object_new_int64((int64_t)s->calls));
	json_object_object_add(o, "throttles", json_object_new_int64(
	    (int64_t)(s->throttles + (unsigned long long)as->throttles)));
	json_object_object_add(o, "retries", json_object_new_int64(as->retries));
	json_object_object_add(o, "expired_iterators",
	    json_object_new_int64((int64_t)s->expired));
	json_object_object_add(o, "checkpoints", json_object_new_int64(uktv_consumer_checkpoints(c->cons)));
	json_object_object_add(o, "reported", json_object_new_int64(c->bad));
	arr = json_object_new_array();
	uktv_streamreader_shards(c->reader, stats_shard, arr);
	json_object_object_add(o, "shards", arr);
	if (c->store != NULL)
		uktv_guidestore_stats_json(c->store, o);
	text = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	fprintf(c->statsfp, "%s\n", text);
	fflush(c->statsfp);
	json_object_put(o);
	c->last_records = s->records;
	c->last_bytes = s->bytes;
	c->last_ms = now;
}

/* ------------------------------------------------------------ modes */

struct showctx {
	struct ctx	*c;
	int		 listed;
};

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

struct resetctx {
	struct ctx			*c;
	const struct uktv_position	*pos;
	long				 n;
};

static int
reset_file(const char *shard, const struct uktv_position *old, void *arg)
{
	struct resetctx *r = arg;
	struct uktv_error e;

	uktv_error_clear(&e);
	if (uktv_checkpoint_write(r->c->ckdir, shard, r->pos, &e) == -1)
		uktv_log_die(&logger, &e);
	r->n++;
	return 0;
}

static int
reset_checkpoints(struct ctx *c, const struct uktv_position *pos, int force)
{
	struct resetctx r = { c, pos, 0 };
	struct uktv_error e;
	struct uktv_consumer_shards l;

	uktv_error_clear(&e);
	if (c->leases != NULL) {
		if (uktv_leases_reset(c->leases, pos, force, &e) == -1)
			uktv_log_die(&logger, &e);
		uktv_log_info(&logger, "lease checkpoints set to %s",
		    uktv_position_text(pos));
		return 0;
	}
	if (uktv_checkpoint_lock(c->ckdir, &e) == -1) {
		if (!force)
			uktv_log_die(&logger, &e);
		uktv_log_warn(&logger, "%s (--force: resetting anyway)",
		    e.message);
	}
	if (uktv_checkpoint_list(c->ckdir, reset_file, &r, &e) == -1)
		uktv_log_die(&logger, &e);
	if (c->stream != NULL) {
		/* Shards that have no file yet get one too. */
		list_shards(c, &l);
		for (size_t i = 0; i < l.n; i++) {
			struct uktv_position old;

			if (uktv_checkpoint_read(c->ckdir, l.v[i].shard, &old,
			    &e) == -1)
				uktv_log_die(&logger, &e);
			if (old.kind == UKTV_POS_NONE)
				reset_file(l.v[i].shard, &old, &r);
		}
		uktv_consumer_shards_free(&l);
	}
	uktv_log_info(&logger, "%ld checkpoint%s set to %s", r.n,
	    r.n == 1 ? "" : "s", uktv_position_text(pos));
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

/* ------------------------------------------------------------ main */

int
main(int argc, char *argv[])
{
	struct uktv_watchmode_opts wo = { 0 };
	struct uktv_watchmode *wm = NULL;
	struct uktv_streamreader_opts ro;
	struct uktv_lease_opts lo = { 0 };
	struct uktv_consumer_opts co = { 0 };
	struct uktv_guidestore_opts go = { 0 };
	struct uktv_stream_batch b;
	struct uktv_position from, reset_pos;
	struct uktv_error e;
	const struct uktv_error *ee;
	struct ctx c;
	const char *ckpath = NULL, *lease_table = NULL, *worker = NULL;
	const char *dead_path = NULL, *stats_path = NULL, *from_arg = NULL;
	const char *until_arg = NULL, *reset_arg = NULL;
	char why[256], country[3] = "GB";
	long long now_wall = uktv_time_now_ms(), v, until_ms = 0;
	long lease_duration = 0, lease_renew = 0, poll_ms = 0, limit = 0;
	int ch, to_end = 0, show = 0, force = 0, enrich = 0;
	int enrich_missing = 0, older_days = -1, rc, enrich_rc = 0;

	memset(&c, 0, sizeof(c));
	uktv_position_set(&from, UKTV_POS_TRIM_HORIZON);
	uktv_toolopt_init(&to, PROG);
	to.synopsis = SYNOPSIS;
	to.usage = usage_text;
	while ((ch = uktv_toolopt_next(&to, argc, argv, "s:t:nec:", longopts,
	    NULL)) != -1) {
		switch (uktv_watchmode_opt_handle(&wo, ch, optarg, why,
		    sizeof(why))) {
		case UKTV_TOOLOPT_HANDLED:
			continue;
		case UKTV_TOOLOPT_BAD:
			usage(why);
		default:
			break;
		}
		switch (ch) {
		case 's':
			c.stream = optarg;
			break;
		case 't':
			c.table = optarg;
			break;
		case 'n':
			c.no_output = 1;
			break;
		case 'e':
			to_end = 1;
			break;
		case 'c':
			if (uktv_parse_uint(optarg, 1, 1000000000000LL, &v)
			    == -1)
				usage("-c takes a number of records (1 or more)");
			c.count = v;
			break;
		case OPT_ENVELOPE:
			c.envelope = 1;
			break;
		case OPT_FROM:
			from_arg = optarg;
			break;
		case OPT_UNTIL:
			until_arg = optarg;
			break;
		case OPT_CHECKPOINT:
			ckpath = optarg;
			break;
		case OPT_LEASE_TABLE:
			lease_table = optarg;
			break;
		case OPT_WORKER_ID:
			worker = optarg;
			break;
		case OPT_LEASE_DURATION:
			lease_duration = uktv_toolopt_seconds(&to, "--lease-duration", optarg, 100);
			break;
		case OPT_LEASE_RENEW:
			lease_renew = uktv_toolopt_seconds(&to, "--lease-renew", optarg, 10);
			break;
		case OPT_SHOW:
			show = 1;
			break;
		case OPT_RESET:
			reset_arg = optarg;
			break;
		case OPT_FORCE:
			force = 1;
			break;
		case OPT_STATS:
			c.stats_ms = uktv_toolopt_seconds(&to, "--stats", optarg, 10);
			break;
		case OPT_STATS_FILE:
			stats_path = optarg;
			break;
		case OPT_ENRICH:
			enrich = 1;
			break;
		case OPT_ENRICH_MISSING:
			enrich_missing = 1;
			break;
		case OPT_ENRICH_OLDER:
			if (uktv_parse_uint(optarg, 0, 36500, &v) == -1)
				usage("--enrich-older-than takes a number of days");
			older_days = (int)v;
			break;
		case OPT_DEAD_LETTER:
			dead_path = optarg;
			break;
		case OPT_LIMIT:
			if (uktv_parse_uint(optarg, 1,
			    UKTV_KINESIS_GET_RECORDS_MAX, &v) == -1)
				usage("--limit takes 1 to 10000 records");
			limit = (long)v;
			break;
		case OPT_POLL:
			poll_ms = uktv_toolopt_seconds(&to, "--poll-interval", optarg, 200);
			break;
		case OPT_COUNTRY:
			if (uktv_watchmode_country(optarg, country) == -1)
				usage("--country takes a two-letter country code");
			break;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 0) {
		snprintf(why, sizeof(why), "unexpected argument '%s'", argv[0]);
		usage(why);
	}
	uktv_log_init(&logger, PROG, to.verbosity);

	/* Argument checks. */
	if (show && reset_arg != NULL)
		usage("--show-checkpoints and --reset-checkpoints cannot be used "
		    "together");
	if ((show || reset_arg != NULL) && ckpath == NULL && lease_table == NULL)
		usage(show ? "--show-checkpoints needs --checkpoint DIR or "
		    "--lease-table TABLE" : "--reset-checkpoints needs "
		    "--checkpoint DIR or --lease-table TABLE");
	if (force && reset_arg == NULL)
		usage("--force goes with --reset-checkpoints");
	if (ckpath != NULL && lease_table != NULL)
		usage("--checkpoint and --lease-table cannot be used together");
	if ((lease_table != NULL) != (worker != NULL) && !show &&
	    reset_arg == NULL)
		usage(lease_table != NULL ? "--lease-table needs --worker-id ID" :
		    "--worker-id goes with --lease-table");
	if ((lease_duration || lease_renew) && lease_table == NULL)
		usage("--lease-duration and --lease-renew go with --lease-table");
	if (lease_duration && lease_renew && lease_renew >= lease_duration)
		usage("--lease-renew must be shorter than --lease-duration");
	if (enrich && c.table == NULL)
		usage("--enrich needs -t TABLE");
	if (enrich_missing && c.table == NULL)
		usage("--enrich-missing needs -t TABLE");
	if (older_days >= 0 && !enrich_missing)
		usage("--enrich-older-than goes with --enrich-missing");
	if (stats_path != NULL && c.stats_ms == 0)
		usage("--stats-file needs --stats SECONDS");
	if (c.stream == NULL && !enrich_missing && !show && reset_arg == NULL)
		usage("no stream: -s STREAM is required");
	if (from_arg != NULL) {
		if (strncmp(from_arg, "at-sequence=", 12) == 0) {
			const char *p = from_arg + 12, *colon = strchr(p, ':');

			if (colon == NULL || colon == p ||
			    (c.at_shard = strndup(p, (size_t)(colon - p))) == NULL ||
			    !uktv_shard_id_valid(c.at_shard) ||
			    uktv_position_set_sequence(&c.at_pos, colon + 1,
			    -1) == -1)
				usage("--from at-sequence= takes SHARD:SEQUENCE");
			c.at_pos.inclusive = 1;
		} else if (uktv_position_parse(from_arg, now_wall, &from) == -1 ||
		    from.kind == UKTV_POS_SHARD_END) {
			snprintf(why, sizeof(why), "--from takes trim-horizon, "
			    "latest, at-timestamp=TIME or at-sequence=SHARD:SEQ, "
			    "not '%s'", from_arg);
			usage(why);
		}
	}
	if (until_arg != NULL && uktv_time_parse(until_arg, now_wall,
	    &until_ms) == -1) {
		snprintf(why, sizeof(why), "--until takes an ISO 8601 time or a "
		    "relative one such as -1h, not '%s'", until_arg);
		usage(why);
	}
	if (reset_arg != NULL && (uktv_position_parse(reset_arg, now_wall,
	    &reset_pos) == -1 || reset_pos.kind == UKTV_POS_SHARD_END)) {
		snprintf(why, sizeof(why), "--reset-checkpoints takes "
		    "trim-horizon, latest or at-timestamp=TIME, not '%s'",
		    reset_arg);
		usage(why);
	}

	uktv_toolopt_catch_stop();
	c.aws = uktv_toolopt_aws(&to);
	uktv_error_clear(&e);

	if (ckpath != NULL && (c.ckdir = uktv_checkpoint_open(ckpath,
	    !show, &e)) == NULL)
		uktv_log_die(&logger, &e);
	if (lease_table != NULL) {
		lo.table = lease_table;
		lo.worker_id = worker != NULL ? worker : PROG;
		lo.duration_ms = lease_duration;
		lo.renew_ms = lease_renew;
		lo.initial = &from;
		if ((c.leases = uktv_leases_new(c.aws, &lo, &e)) == NULL)
			uktv_log_die(&logger, &e);
	}

	if (c.table != NULL) {
		/* Before a record is read or a Watchmode credit spent. */
		uktv_toolopt_table(&to, c.table);
		uktv_toolopt_need_table(&to, c.aws);
		if (enrich || enrich_missing) {
			wm = uktv_watchmode_new(uktv_aws_http(c.aws), c.aws, &wo,
			    &e);
			if (wm == NULL)
				uktv_log_die(&logger, &e);
		}
		go.table = c.table;
		go.wm = wm;
		go.region = country;
		if ((c.store = uktv_guidestore_new(c.aws, &go, &e)) == NULL)
			uktv_log_die(&logger, &e);
	}

	if (show)
		rc = show_checkpoints(&c);
	else if (reset_arg != NULL)
		rc = reset_checkpoints(&c, &reset_pos, force);
	else if (enrich_missing) {
		long failed = uktv_guidestore_enrich_missing(c.store, older_days,
		    0, on_enriched, NULL, &e);

		if (failed == -1)
			uktv_log_die(&logger, &e);
		rc = failed > 0;
	} else
		rc = -1;
	if (rc != -1) {
		uktv_guidestore_free(c.store);
		uktv_watchmode_free(wm);
		uktv_leases_free(c.leases);
		uktv_checkpoint_close(c.ckdir);
		uktv_aws_free(c.aws);
		free(c.at_shard);
		return rc;
	}

	/* The reader. */
	if (c.ckdir != NULL && uktv_checkpoint_lock(c.ckdir, &e) == -1) {
		/* Another reader holding the positions is a busy service
		 * (69); a lock that cannot be made keeps its own kind (a
		 * read-only directory: 73). */
		if (strcmp(e.code, "CheckpointsInUse") == 0)
			e.kind = UKTV_ERR_UNAVAILABLE;
		uktv_log_die(&logger, &e);
	}
	if (dead_path != NULL &&
	    (c.dead = uktv_deadletter_open(dead_path, &e)) == NULL)
		uktv_log_die(&logger, &e);
	if (c.stats_ms > 0) {
		c.statsfp = stderr;
		if (stats_path != NULL && (c.statsfp = fopen(stats_path, "a")) ==
		    NULL)
			uktv_log_fatal_errno(&logger, EX_CANTCREAT, errno, "%s",
			    stats_path);
	}
	uktv_streamout_init(&c.out, stdout);
	co.aws = c.aws;
	co.backend = UKTV_SR_KINESIS;
	co.stream = c.stream;
	co.ckdir = c.ckdir;
	co.leases = c.leases;
	co.at_shard = c.at_shard;
	co.at_pos = c.at_pos;
	co.event = on_event;
	if ((c.cons = uktv_consumer_new(&co, &e)) == NULL ||
	    uktv_consumer_lease_start(c.cons, &e) == -1)
		uktv_log_die(&logger, &e);
	memset(&ro, 0, sizeof(ro));
	ro.backend = UKTV_SR_KINESIS;
	ro.stream = c.stream;
	ro.start = from;
	ro.until_ms = until_ms;
	ro.to_end = to_end;
	ro.limit = (int)limit;
	ro.poll_ms = poll_ms;
	ro.stop = &uktv_stop_signal;
	/* Caught up, a follower writes nothing: it learns that its reader
	 * went away while it waits. */
	if (!c.no_output)
		ro.watch_fd = STDOUT_FILENO;
	ro.claim = uktv_consumer_claim;
	ro.note = on_note;
	ro.arg = c.cons;
	if ((c.reader = uktv_streamreader_new(c.aws, &ro, &e)) == NULL)
		uktv_log_die(&logger, &e);
	uktv_consumer_set_reader(c.cons, c.reader);
	c.started = c.last_ms = uktv_time_now_ms();
	c.stats_at = c.started + c.stats_ms;

	for (;;) {
		long long now = uktv_time_now_ms(), wait = 1000;
		size_t max = 0;

		if (c.stats_ms > 0) {
			if (now >= c.stats_at) {
				stats_line(&c);
				c.stats_at = now + c.stats_ms;
			}
			if (c.stats_at - now < wait)
				wait = c.stats_at - now;
		}
		uktv_error_clear(&e);
		if (uktv_consumer_lease_poll(c.cons, now, &wait, &e) == -1)
			uktv_log_die(&logger, &e);
		if (wait < 0)
			wait = 0;
		if (c.count > 0)
			max = (size_t)(c.count - c.done);
		uktv_error_clear(&e);
		rc = uktv_streamreader_next(c.reader, max, (long)wait, &b, &e);
		if (rc == -1)
			uktv_log_die(&logger, &e);
		if (rc == UKTV_SR_END || rc == UKTV_SR_STOPPED)
			break;
		if (rc == UKTV_SR_CLOSED)
			c.closed = 1;
		if (rc == UKTV_SR_BATCH) {
			batch(&c, &b);
			progress(&c);
			if (c.count > 0 && c.done >= c.count)
				break;
		}
		if (c.closed)
			break;
	}

	uktv_log_progress_done(&logger);
	if (c.stats_ms > 0)
		stats_line(&c);
	if (c.leases != NULL) {
		uktv_error_clear(&e);
		if (uktv_leases_release(c.leases, &e) == -1)
			uktv_log_warn(&logger, "releasing leases: %s", e.message);
	}
	if (c.bad > 0)
		uktv_log_warn(&logger, "%ld record%s reported", c.bad,
		    c.bad == 1 ? "" : "s");
	/* Titles were stored, but a refused key or a spent quota is the
	 * operator's to fix: say so and exit with its code (77, 69). */
	if ((ee = uktv_guidestore_enrich_error(c.store)) != NULL) {
		uktv_log_warn(&logger, "enrichment stopped: %s", ee->message);
		enrich_rc = uktv_error_exit_code(ee);
	}
	uktv_streamreader_free(c.reader);
	uktv_streamout_free(&c.out);
	uktv_error_clear(&e);
	if (uktv_deadletter_close(c.dead, &e) == -1)
		uktv_log_die(&logger, &e);
	uktv_consumer_free(c.cons);
	if (c.statsfp != NULL && c.statsfp != stderr)
		fclose(c.statsfp);
	uktv_guidestore_free(c.store);
	uktv_watchmode_free(wm);
	uktv_leases_free(c.leases);
	uktv_checkpoint_close(c.ckdir);
	uktv_aws_free(c.aws);
	free(c.at_shard);
	if (uktv_stop_signal)
		return 128 + uktv_stop_signal;
	/* As `tail -f | head`: silent, what was written is checkpointed. */
	if (c.closed)
		return UKTV_EXIT_PIPE;
	if (enrich_rc != 0)
		return enrich_rc;
	return c.bad > 0 ? 1 : 0;
}
