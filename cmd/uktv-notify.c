/*
 * uktv-notify: follows the guide table's DynamoDB Stream (or reads stream
 * records from a file) and prints who should hear about what changed: new
 * titles on the pairs a user follows, changes to their favourites, titles
 * gone.  Optionally posts each notification to a webhook, signed, or groups
 * them into one digest per user and period.  The original app's "final
 * function triggered by the stream".
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
#include "ddbstreams.h"
#include "digest.h"
#include "log.h"
#include "ndjson.h"
#include "notify.h"
#include "prefs.h"
#include "streamopt.h"
#include "streamreader.h"
#include "toolopt.h"
#include "webhook.h"

#define PROG	"uktv-notify"

#define DEF_PREFS_REFRESH_MS	300000L
/* How long one wait for records may last: digests and the preferences'
 * refresh are looked at between waits. */
#define MAX_WAIT_MS	1000L

enum {
	OPT_RECORDS_FROM = UKTV_OPT_FIRST_FREE,
	OPT_PREFS_FROM,
	OPT_PREFS_REFRESH,
	OPT_WEBHOOK,
	OPT_WEBHOOK_SECRET_FILE,
	OPT_WEBHOOK_ATTEMPTS,
	OPT_DIGEST,
	OPT_FLUSH_DIGESTS,
	OPT_MAX_LINE
};

static struct option longopts[] = {
	UKTV_TOOLOPT_LONGOPTS,
	UKTV_STREAMOPT_LONGOPTS,
	{ "table",		required_argument, NULL, 't' },
	{ "records-from",	required_argument, NULL, OPT_RECORDS_FROM },
	{ "prefs-from",		required_argument, NULL, OPT_PREFS_FROM },
	{ "prefs-refresh",	required_argument, NULL, OPT_PREFS_REFRESH },
	{ "webhook",		required_argument, NULL, OPT_WEBHOOK },
	{ "webhook-secret-file", required_argument, NULL, OPT_WEBHOOK_SECRET_FILE },
	{ "webhook-attempts",	required_argument, NULL, OPT_WEBHOOK_ATTEMPTS },
	{ "digest",		required_argument, NULL, OPT_DIGEST },
	{ "flush-digests",	no_argument,	   NULL, OPT_FLUSH_DIGESTS },
	{ "max-line",		required_argument, NULL, OPT_MAX_LINE },
	{ NULL, 0, NULL, 0 }
};

/* Where a record came from, for messages and dead letters. */
struct where {
	unsigned long long	 line;		/* --records-from: 1-based */
	long			 index;		/* in a Lambda event; -1 none */
	const char		*shard;		/* the stream */
	const char		*sequence;
};

struct ctx {
	struct uktv_aws			*aws;		/* NULL: no AWS at all */
	const char			*table;
	struct uktv_prefs_set		 prefs;
	const char			*prefs_from;
	long				 prefs_refresh_ms;
	long long			 prefs_at;	/* next refresh */
	size_t				 max_line;
	struct uktv_ndjson_writer	 out;
	struct uktv_webhook		*hook;
	struct uktv_http		*own_http;	/* without AWS */
	struct uktv_deadletter		*dead;
	const char			*dead_path;
	struct uktv_digest		*digest;
	struct uktv_checkpoint_dir	*ckdir;
	struct uktv_position		 start;
	struct uktv_consumer		*cons;
	/* What happened. */
	unsigned long long		 records;
	unsigned long long		 notes;
	unsigned long			 bad;		/* records, lines reported */
	unsigned long			 dead_count;	/* dead-lettered */
	/* Deliveries that failed since the last report, by kind. */
	struct uktv_dead_tally		 fails;
	struct uktv_error		 fatal;		/* stop: kind set */
	int				 closed;	/* stdout's reader went away
							 * (fatal holds a marker) */
};

static struct uktv_log logger;

static struct uktv_toolopt to;

/* uktv-notify(1)'s SYNOPSIS: what a usage error prints. */
#define SYNOPSIS \
	"usage: " PROG " [-eqvV] [-t TABLE] [--checkpoint DIR] [--from POSITION]\n" \
	"           [--records-from FILE] [--prefs-from FILE] [--prefs-refresh SEC]\n" \
	"           [--webhook URL [--webhook-secret-file FILE]\n" \
	"           [--webhook-attempts N]] [--dead-letter FILE]\n" \
	"           [--digest PERIOD [--flush-digests]]\n"

static void
usage_text(FILE *fp)
{
	fprintf(fp,
	    SYNOPSIS
	    "Follows the table's DynamoDB Stream and prints one JSON line per user\n"
	    "and change: new_title, favourite_changed, title_removed.\n"
	    "  -t, --table TABLE         the guide table (else UKTV_TABLE, UKTVProgrammes)\n"
	    "  -e, --exit                exit at the end the stream had when the run started\n"
	    "  --checkpoint DIR          keep each shard's position (and the digest spool) in DIR\n"
	    "  --from POSITION           latest (default), trim-horizon, at-timestamp=TIME\n"
	    "                            (a checkpoint wins)\n"
	    "  --poll-interval SEC       wait between calls once caught up (default 1)\n"
	    "  --records-from FILE       read stream records from FILE ('-': stdin): a Lambda\n"
	    "                            event {\"Records\":[...]} or NDJSON of records\n"
	    "  --prefs-from FILE         users' preferences from FILE (uktv-prefs list form)\n"
	    "                            instead of the table\n"
	    "  --prefs-refresh SEC       read the preferences again every SEC (default 300)\n"
	    "  --webhook URL             POST each notification to URL, signed\n"
	    "  --webhook-secret-file FILE  the signing secret (else UKTV_WEBHOOK_SECRET)\n"
	    "  --webhook-attempts N      tries per notification (default %d)\n"
	    "  --dead-letter FILE        append notifications not delivered to FILE\n"
	    "  --digest PERIOD           one digest per user and PERIOD (30s, 15m, 1h, 1d;\n"
	    "                            aligned to UTC), spooled in the checkpoint DIR\n"
	    "  --flush-digests           emit the digests of unfinished periods too\n"
	    "  --max-line BYTES          longest input line (default 1M)\n"
	    UKTV_TOOLOPT_USAGE, UKTV_WEBHOOK_ATTEMPTS);
}

static void __attribute__((noreturn))
usage(const char *why)
{
	uktv_toolopt_usage(&to, why);
}

static void
set_fatal(struct ctx *c, const struct uktv_error *e)
{
	if (c->fatal.kind == UKTV_ERR_NONE)
		c->fatal = *e;
}

static void
fatal_io(struct ctx *c, const char *what)
{
	struct uktv_error e;

	uktv_error_clear(&e);
	uktv_error_set(&e, UKTV_ERR_IO, "%s: %s", what, strerror(errno));
	set_fatal(c, &e);
}

/*
 * Standard output's reader went away: the run stops as for a fatal error,
 * before the record in hand, so that only records whose lines were all
 * written are checkpointed; but silently, and with UKTV_EXIT_PIPE, as
 * `tail -f | head` does.
 */
static void
stdout_closed(struct ctx *c)
{
	struct uktv_error e;

	if (c->fatal.kind == UKTV_ERR_NONE)
		c->closed = 1;
	uktv_error_clear(&e);
	uktv_error_set(&e, UKTV_ERR_IO, "stdout: closed by its reader");
	set_fatal(c, &e);
}

static void
stdout_failed(struct ctx *c)
{
	if (uktv_toolopt_pipe_closed(errno))
		stdout_closed(c);
	else
		fatal_io(c, "stdout");
}

/* "line 3", "line 3: Records[1]", "shard X: sequence Y" */
static const char *
where_text(const struct where *w, char *buf, size_t len)
{
	if (w->shard != NULL)
		snprintf(buf, len, "shard %s: sequence %s", w->shard, w->sequence);
	else if (w->index >= 0)
		snprintf(buf, len, "line %llu: Records[%ld]", w->line, w->index);
	else
		snprintf(buf, len, "line %llu", w->line);
	return buf;
}

/* One dead-letter line: the text, a code, why, and where it came from. */
static void
dead_letter(struct ctx *c, const char *text, const char *code,
    const char *message, const struct where *w)
{
	struct uktv_dead_entry d;
	struct uktv_error e;

	if (c->dead == NULL)
		return;
	uktv_dead_entry_init(&d);
	d.input = text;
	d.len = strlen(text);
	d.error = code;
	d.message = message;
	d.shard = w->shard;
	d.sequence = w->sequence;
	d.line = w->line;
	d.index = w->index;
	uktv_error_clear(&e);
	if (uktv_deadletter_put(c->dead, &d, &e) == -1)
		set_fatal(c, &e);
}

/* One line per kind of failed delivery since the last report. */
static void
report_failures(struct ctx *c)
{
	for (size_t i = 0; i < c->fails.n; i++)
		uktv_log_warn(&logger, "%lu notification%s not delivered (%s: "
		    "%s): dead-lettered to %s", c->fails.kind[i].n,
		    c->fails.kind[i].n == 1 ? "" : "s", c->fails.kind[i].code,
		    c->fails.kind[i].message, c->dead_path);
	c->fails.n = 0;
}

/*
 * One line out: stdout, then the webhook.  A delivery that failed for good
 * is dead-lettered; without --dead-letter it stops the run before the
 * record (its checkpoint is not written: nothing is lost).  0, or -1 when
 * the run must stop.
 */
static int
emit(struct ctx *c, struct json_object *line, const char *event_id,
    const struct where *w)
{
	struct uktv_error e;
	const char *text, *code;
	char buf[UKTV_SHARD_ID_MAX + UKTV_SEQUENCE_MAX + 32];

	text = json_object_to_json_string_ext(line, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (uktv_ndjson_writer_put_raw(&c->out, text, strlen(text)) == -1) {
		stdout_failed(c);
		return -1;
	}
	c->notes++;
	if (c->hook == NULL)
		return 0;
	uktv_error_clear(&e);
	if (uktv_webhook_post(c->hook, text, strlen(text), event_id, &e) == 0)
		return 0;
	if (e.kind == UKTV_ERR_NOPERM || e.kind == UKTV_ERR_INTERNAL) {
		set_fatal(c, &e);
		return -1;
	}
	if (c->dead == NULL) {
		uktv_error_prefix(&e, "%s: not delivered (no --dead-letter): "
		    "stopping before it", where_text(w, buf, sizeof(buf)));
		set_fatal(c, &e);
		return -1;
	}
	/* Each one with -v; counted by kind for the report. */
	uktv_log_info(&logger, "%s: event %s: %s: dead-lettered",
	    where_text(w, buf, sizeof(buf)), event_id ? event_id : "-",
	    e.message);
	code = e.kind == UKTV_ERR_UNAVAILABLE ? "webhook_unavailable" :
	    "webhook_refused";
	dead_letter(c, text, code, e.message, w);
	c->dead_count++;
	uktv_dead_tally_add(&c->fails, code, e.message);
	return c->fatal.kind == UKTV_ERR_NONE ? 0 : -1;
}

/* ------------------------------------------------------------ digests */

/*
 * Emits the digests that are due (every pending one with all) and drops
 * them from the spool once each was delivered or dead-lettered.
 */
static int
digest_tick(struct ctx *c, int all)
{
	struct json_object *lines, *d, *u, *ps;
	struct uktv_error e;
	struct where w = { 0, -1, NULL, NULL };
	char id[UKTV_USER_ID_MAX + 64];
	size_t i, n;
	long long now = uktv_time_now_ms();

	if (c->digest == NULL || (!all && !uktv_digest_due(c->digest, now)))
		return 0;
	uktv_error_clear(&e);
	if (uktv_digest_take(c->digest, now, all, &lines, &e) == -1) {
		set_fatal(c, &e);
		return -1;
	}
	n = json_object_array_length(lines);
	for (i = 0; i < n; i++) {
		d = json_object_array_get_idx(lines, i);
		u = json_object_object_get(d, "user");
		ps = json_object_object_get(d, "period_start");
		/* A digest's own id: the same digest posted again (after a
		 * crash) has the same one. */
		snprintf(id, sizeof(id), "digest:%s:%s", json_object_get_string(ps),
		    json_object_get_string(u));
		if (emit(c, d, id, &w) == -1) {
			json_object_put(lines);
			return -1;
		}
	}
	json_object_put(lines);
	uktv_error_clear(&e);
	if (uktv_digest_commit(c->digest, &e) == -1) {
		set_fatal(c, &e);
		return -1;
	}
	if (n > 0)
		uktv_log_info(&logger, "%zu digest%s sent", n, n == 1 ? "" : "s");
	return 0;
}

/* ------------------------------------------------------------ records */

/* One stream record: its notifications out (or spooled).  0, or -1 when
 * the run must stop before the record. */
static int
record(struct ctx *c, struct json_object *rec, const struct where *w)
{
	struct json_object *lines, *l;
	struct uktv_error e;
	char buf[UKTV_SHARD_ID_MAX + UKTV_SEQUENCE_MAX + 32];
	const char *eid;
	size_t i, n;
	long long now;

	c->records++;
	uktv_error_clear(&e);
	if (uktv_notify_record(&c->prefs, rec, &lines, NULL, &e) == -1) {
		if (e.kind == UKTV_ERR_INTERNAL) {
			set_fatal(c, &e);
			return -1;
		}
		uktv_log_warn(&logger, "%s: %s", where_text(w, buf, sizeof(buf)),
		    e.message);
		c->bad++;
		if (c->dead != NULL) {
			dead_letter(c, json_object_to_json_string_ext(rec,
			    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
			    "bad_record", e.message, w);
			c->dead_count++;
		}
		return c->fatal.kind == UKTV_ERR_NONE ? 0 : -1;
	}
	eid = uktv_notify_event_id(rec);
	n = json_object_array_length(lines);
	now = uktv_time_now_ms();
	for (i = 0; i < n; i++) {
		l = json_object_array_get_idx(lines, i);
		if (c->digest != NULL) {
			uktv_error_clear(&e);
			if (uktv_digest_add(c->digest, l, now, &e) == -1) {
				set_fatal(c, &e);
				break;
			}
		} else if (emit(c, l, eid, w) == -1)
			break;
	}
	json_object_put(lines);
	return i == n ? 0 : -1;
}

/* Makes what was spooled durable: before any checkpoint. */
static int
spool_sync(struct ctx *c)
{
	struct uktv_error e;

	/* Once per batch (and at the end): what failed, by kind. */
	report_failures(c);
	uktv_error_clear(&e);
	if (c->digest != NULL && uktv_digest_sync(c->digest, &e) == -1) {
		set_fatal(c, &e);
		return -1;
	}
	return 0;
}

/* A value read from --records-from: a Lambda event or one record. */
static void
input_value(struct ctx *c, struct json_object *v, unsigned long long lineno)
{
	struct json_object *recs;
	struct where w = { lineno, -1, NULL, NULL };
	char why[256];
	size_t i, n;
	int event;

	if (uktv_notify_input_records(v, &recs, why, sizeof(why)) == -1) {
		uktv_log_line_error(&logger, lineno, "%s", why);
		c->bad++;
		return;
	}
	event = json_object_object_get_ex(v, "Records", NULL);
	n = json_object_array_length(recs);
	for (i = 0; i < n && c->fatal.kind == UKTV_ERR_NONE; i++) {
		w.index = event ? (long)i : -1;
		if (record(c, json_object_array_get_idx(recs, i), &w) == -1)
			break;
	}
	json_object_put(recs);
}

/* --records-from: NDJSON, or values spread over lines (notify.h). */
static void
read_records(struct ctx *c, FILE *fp)
{
	struct uktv_notify_input *in;
	struct json_object *v;
	unsigned long long lineno;
	const char *why;
	int rc;

	if ((in = uktv_notify_input_new(fp, c->max_line)) == NULL)
		uktv_log_fatal_errno(&logger, EX_OSERR, errno, "reader");
	while (c->fatal.kind == UKTV_ERR_NONE && !uktv_stop_signal) {
		rc = uktv_notify_input_next(in, &v, &lineno, &why);
		if (rc == -1 && errno == EINTR)
			continue;
		if (rc == -1) {
			fatal_io(c, "reading records");
			break;
		}
		if (rc == UKTV_NOTIFY_INPUT_END)
			break;
		if (rc == UKTV_NOTIFY_INPUT_REJECT) {
			uktv_log_line_error(&logger, lineno, "%s", why);
			c->bad++;
		} else
			input_value(c, v, lineno);
	}
	uktv_notify_input_free(in);
}

/* ------------------------------------------------------------ preferences */

static void
prefs_reject(unsigned long long lineno, const char *reason, void *arg)
{
	const char *path = arg;

	uktv_log_warn(&logger, "%s: line %llu: %s", path, lineno, reason);
}

static void
prefs_load_file(struct ctx *c)
{
	struct uktv_error e;
	unsigned long rejected = 0;
	FILE *fp;
	int is_stdin = strcmp(c->prefs_from, "-") == 0;

	if (is_stdin)
		fp = stdin;
	else if ((fp = fopen(c->prefs_from, "re")) == NULL) {
		uktv_log_errno(&logger, errno, "%s", c->prefs_from);
		exit(errno == ENOENT ? EX_NOINPUT : EX_IOERR);
	}
	uktv_error_clear(&e);
	if (uktv_prefs_load_ndjson(fp, c->max_line, &c->prefs, prefs_reject,
	    (void *)(is_stdin ? "stdin" : c->prefs_from), &rejected, &e) == -1)
		uktv_log_die(&logger, &e);
	if (!is_stdin)
		fclose(fp);
	c->bad += rejected;
}

/* Reads the preference items of the table again; keeps the old ones when
 * it cannot (dies only at the start). */
static void
prefs_load_table(struct ctx *c, int first)
{
	struct uktv_prefs_set fresh;
	struct uktv_error e;

	uktv_prefs_set_init(&fresh);
	uktv_error_clear(&e);
	if (uktv_prefs_load_table(c->aws, c->table, &fresh, &e) == -1) {
		uktv_prefs_set_free(&fresh);
		if (first || e.kind == UKTV_ERR_NOPERM || e.kind == UKTV_ERR_CONFIG)
			uktv_log_die(&logger, &e);
		uktv_log_warn(&logger, "refreshing preferences: %s (keeping "
		    "the ones read before)", e.message);
		return;
	}
	uktv_prefs_set_free(&c->prefs);
	c->prefs = fresh;
	uktv_log_debug(&logger, "preferences of %zu user%s read", fresh.n,
	    fresh.n == 1 ? "" : "s");
}

static void
prefs_tick(struct ctx *c)
{
	long long now;

	if (c->prefs_from != NULL)
		return;
	now = uktv_time_now_ms();
	if (now < c->prefs_at)
		return;
	prefs_load_table(c, 0);
	c->prefs_at = now + c->prefs_refresh_ms;
}

/* ------------------------------------------------------------ the stream */

static void
checkpoint(struct ctx *c, const char *shard, const struct uktv_position *pos)
{
	struct uktv_error e;

	uktv_error_clear(&e);
	if (uktv_consumer_checkpoint(c->cons, shard, pos, &e) == -1)
		set_fatal(c, &e);
}

static void
batch(struct ctx *c, const struct uktv_stream_batch *b)
{
	struct uktv_position pos;
	struct where w = { 0, -1, b->shard_id, NULL };
	size_t i;

	for (i = 0; i < b->n; i++) {
		w.sequence = b->records[i].sequence;
		if (record(c, b->records[i].record, &w) == -1)
			break;
	}
	if (fflush(stdout) == EOF)
		stdout_failed(c);
	if (spool_sync(c) == -1)
		return;
	if (i == b->n && c->fatal.kind == UKTV_ERR_NONE) {
		checkpoint(c, b->shard_id, &b->checkpoint);
		return;
	}
	/* Stopped at record i: the checkpoint goes after the one before it,
	 * so the next run starts with record i. */
	if (i > 0 && uktv_position_set_sequence(&pos,
	    b->records[i - 1].sequence, -1) == 0)
		checkpoint(c, b->shard_id, &pos);
}

static void
follow(struct ctx *c, int to_end, long poll_ms)
{
	struct uktv_streamreader_opts o;
	struct uktv_streamreader *r;
	struct uktv_stream_batch b;
	struct uktv_error e;
	char *arn = NULL;
	int rc;

	uktv_error_clear(&e);
	if (uktv_ddbstreams_latest_arn(c->aws, c->table, &arn, &e) == -1)
		uktv_log_die(&logger, &e);
	uktv_log_info(&logger, "following %s", arn);
	memset(&o, 0, sizeof(o));
	o.backend = UKTV_SR_DDBSTREAMS;
	o.stream = arn;
	o.start = c->start;
	o.to_end = to_end;
	o.poll_ms = poll_ms;
	o.stop = &uktv_stop_signal;
	/* Caught up, it writes nothing: it learns while it waits that its
	 * reader went away. */
	o.watch_fd = STDOUT_FILENO;
	if ((r = uktv_consumer_reader(c->cons, &o, &e)) == NULL)
		uktv_log_die(&logger, &e);
	while (c->fatal.kind == UKTV_ERR_NONE && !uktv_stop_signal) {
		uktv_error_clear(&e);
		rc = uktv_streamreader_next(r, 0, MAX_WAIT_MS, &b, &e);
		if (rc == -1) {
			set_fatal(c, &e);
			break;
		}
		if (rc == UKTV_SR_END || rc == UKTV_SR_STOPPED)
			break;
		if (rc == UKTV_SR_CLOSED) {
			stdout_closed(c);
			break;
		}
		if (rc == UKTV_SR_BATCH)
			batch(c, &b);
		if (c->fatal.kind != UKTV_ERR_NONE)
			break;
		prefs_tick(c);
		digest_tick(c, 0);
	}
	uktv_streamreader_free(r);
	free(arn);
}

/* ------------------------------------------------------------ main */

static void
open_webhook(struct ctx *c, const char *url,
    const char *secret_file, int attempts)
{
	struct uktv_webhook_opts o;
	struct uktv_http_opts ho;
	struct uktv_http *http;
	struct uktv_error e;
	const char *env, *s;
	char *secret = NULL;
	size_t len = 0;
	long long v;

	uktv_error_clear(&e);
	if (secret_file != NULL) {
		if (uktv_webhook_read_secret(secret_file, &secret, &len, &e) == -1)
			uktv_log_die(&logger, &e);
	} else if ((env = getenv(UKTV_WEBHOOK_SECRET_ENV)) != NULL && *env != '\0') {
		len = strlen(env);
		if ((secret = strdup(env)) == NULL)
			uktv_log_fatal_errno(&logger, EX_OSERR, errno, "webhook secret");
	} else
		uktv_log_fatal(&logger, EX_CONFIG, "--webhook needs a secret: --webhook-secret-file "
		    "FILE or " UKTV_WEBHOOK_SECRET_ENV);
	if (c->aws != NULL)
		http = uktv_aws_http(c->aws);
	else {
		memset(&ho, 0, sizeof(ho));
		ho.connect_timeout_ms = to.aws.connect_timeout_ms;
		ho.read_timeout_ms = to.aws.read_timeout_ms;
		ho.attempt_timeout_ms = to.aws.attempt_timeout_ms;
		ho.ca_bundle = to.aws.ca_bundle != NULL ? to.aws.ca_bundle :
		    getenv("AWS_CA_BUNDLE");
		if ((c->own_http = http = uktv_http_new(&ho, &e)) == NULL)
			uktv_log_die(&logger, &e);
	}
	memset(&o, 0, sizeof(o));
	o.url = url;
	o.secret = secret;
	o.secret_len = len;
	o.attempts = attempts;
	o.user_agent = PROG "/" UKTV_VERSION;
	o.stop = &uktv_stop_signal;
	/* The same setting as the AWS retries (tests make them fast). */
	if ((s = getenv("UKTV_RETRY_BASE_MS")) != NULL &&
	    uktv_parse_uint(s, 0, 60000, &v) == 0)
		o.base_ms = v > 0 ? (long)v : -1;
	c->hook = uktv_webhook_new(http, &o, &e);
	uktv_webhook_secret_free(secret, len);
	if (c->hook == NULL)
		uktv_log_die(&logger, &e);
}

/* ------------------------------------------------------------ options */

/* What the options say, beyond what the loop keeps in ctx. */
struct args {
	struct uktv_streamopt	 so;
	const char	*records_from, *webhook, *secret_file, *digest;
	long long	 period;
	int		 flush, attempts;
};

static void
set_option(struct args *a, struct ctx *c, int ch, const char *arg)
{
	long long v;

	if (uktv_streamopt_handle(&a->so, &to, ch, arg))
		return;
	switch (ch) {
	case 't': c->table = arg; break;
	case OPT_RECORDS_FROM: a->records_from = arg; break;
	case OPT_PREFS_FROM: c->prefs_from = arg; break;
	case OPT_PREFS_REFRESH:
		c->prefs_refresh_ms = uktv_toolopt_seconds(&to, "--prefs-refresh",
		    arg, 1);
		break;
	case OPT_WEBHOOK: a->webhook = arg; break;
	case OPT_WEBHOOK_SECRET_FILE: a->secret_file = arg; break;
	case OPT_WEBHOOK_ATTEMPTS:
		if (uktv_parse_uint(arg, 1, 20, &v) == -1)
			uktv_streamopt_usagef(&to, "--webhook-attempts takes 1 to 20, not '%s'", arg);
		a->attempts = (int)v;
		break;
	case OPT_DIGEST:
		if (uktv_digest_parse_period(arg, &a->period) == -1)
			uktv_streamopt_usagef(&to, "--digest takes a period of 1s to 31d (30s, 15m, "
			    "1h, 1d), not '%s'", arg);
		a->digest = arg;
		break;
	case OPT_FLUSH_DIGESTS: a->flush = 1; break;
	case OPT_MAX_LINE:
		if (uktv_parse_size(arg, &c->max_line) == -1 ||
		    c->max_line < 2 || c->max_line > ((size_t)1 << 30))
			uktv_streamopt_usagef(&to, "--max-line takes 2 bytes to 1G, not '%s'", arg);
		break;
	}
}

/* The options' one block of checks. */
static void
check_args(struct args *a, struct ctx *c)
{
	if (a->digest != NULL && a->so.checkpoint == NULL)
		usage("--digest needs --checkpoint DIR (the spool is kept there)");
	if (a->flush && a->digest == NULL)
		usage("--flush-digests needs --digest PERIOD");
	if ((a->secret_file != NULL || a->attempts > 0) && a->webhook == NULL)
		usage("--webhook-secret-file and --webhook-attempts need "
		    "--webhook URL");
	if (a->records_from != NULL && c->prefs_from != NULL &&
	    strcmp(a->records_from, "-") == 0 && strcmp(c->prefs_from, "-") == 0)
		usage("--records-from and --prefs-from cannot both be stdin");
	if (a->records_from != NULL && a->so.from != NULL)
		usage("--from is for the stream, not --records-from");
	if (a->so.from == NULL)
		uktv_position_set(&c->start, UKTV_POS_LATEST);
	else if (uktv_position_parse(a->so.from, uktv_time_now_ms(), &c->start) ==
	    -1 || c->start.kind == UKTV_POS_SHARD_END)
		uktv_streamopt_usagef(&to, "--from takes latest, trim-horizon or "
		    "at-timestamp=TIME, not '%s'", a->so.from);
	c->table = uktv_toolopt_table(&to, c->table);
}

static void
parse_args(int argc, char *argv[], struct args *a, struct ctx *c)
{
	int ch;

	a->so.poll_min_ms = 1;
	uktv_toolopt_init(&to, PROG);
	to.synopsis = SYNOPSIS;
	to.usage = usage_text;
	while ((ch = uktv_toolopt_next(&to, argc, argv, "t:e", longopts,
	    NULL)) != -1)
		set_option(a, c, ch, optarg);
	if (optind < argc)
		uktv_streamopt_usagef(&to, "unexpected argument '%s'", argv[optind]);
	c->dead_path = a->so.dead_letter;
	check_args(a, c);
}

/* ------------------------------------------------------------ set-up */

/* AWS (unless records and preferences both come from files), the
 * positions, the digest spool, the dead letters, the webhook, the
 * preferences: all before the first record. */
static void
open_all(struct args *a, struct ctx *c)
{
	struct uktv_consumer_opts co = { 0 };
	struct uktv_error e;

	if (a->records_from == NULL || c->prefs_from == NULL) {
		c->aws = uktv_toolopt_aws(&to);
		uktv_toolopt_need_table(&to, c->aws);
	}
	uktv_error_clear(&e);
	if (a->so.checkpoint != NULL &&
	    (c->ckdir = uktv_checkpoint_open(a->so.checkpoint, 1, &e)) == NULL)
		uktv_log_die(&logger, &e);
	if (a->digest != NULL) {
		if ((c->digest = uktv_digest_open(a->so.checkpoint, a->period, &e)) == NULL)
			uktv_log_die(&logger, &e);
		if (uktv_digest_damaged(c->digest) > 0)
			uktv_log_warn(&logger, "%s: %lu line%s that are not "
			    "spooled notifications (left there)",
			    uktv_digest_path(c->digest), uktv_digest_damaged(c->digest),
			    uktv_digest_damaged(c->digest) == 1 ? "" : "s");
	}
	if (c->dead_path != NULL &&
	    (c->dead = uktv_deadletter_open(c->dead_path, &e)) == NULL)
		uktv_log_die(&logger, &e);
	co.aws = c->aws;
	co.backend = UKTV_SR_DDBSTREAMS;
	co.ckdir = c->ckdir;
	co.note = uktv_streamopt_note;
	co.arg = &logger;
	if ((c->cons = uktv_consumer_new(&co, &e)) == NULL)
		uktv_log_die(&logger, &e);
	if (a->webhook != NULL)
		open_webhook(c, a->webhook, a->secret_file, a->attempts);
	if (c->prefs_from != NULL)
		prefs_load_file(c);
	else {
		prefs_load_table(c, 1);
		c->prefs_at = uktv_time_now_ms() + c->prefs_refresh_ms;
	}
}

/* ------------------------------------------------------------ modes */

static void
records_from(struct ctx *c, const char *path)
{
	FILE *fp = stdin;

	if (strcmp(path, "-") != 0 && (fp = fopen(path, "re")) == NULL)
		uktv_log_fatal_errno(&logger, errno == ENOENT ? EX_NOINPUT :
		    EX_IOERR, errno, "%s", path);
	read_records(c, fp);
	if (fflush(stdout) == EOF)
		stdout_failed(c);
	spool_sync(c);
	if (fp != stdin)
		fclose(fp);
}

/* The end of a run: digests due, what failed, the exit code. */
static int
finish(struct ctx *c, int flush)
{
	struct uktv_error e;

	/* Digests whose period ended go out; with --flush-digests every
	 * pending one (the others stay spooled for the next run). */
	if (c->fatal.kind == UKTV_ERR_NONE && !uktv_stop_signal)
		digest_tick(c, flush);
	if (fflush(stdout) == EOF)
		stdout_failed(c);
	report_failures(c);
	if (c->fatal.kind != UKTV_ERR_NONE && !c->closed)
		uktv_log_error(&logger, &c->fatal);
	if (c->bad > 0 || c->dead_count > 0)
		uktv_log_warn(&logger, "%lu record%s reported, %lu dead-lettered",
		    c->bad, c->bad == 1 ? "" : "s", c->dead_count);
	uktv_log_info(&logger, "%llu record%s read, %llu line%s out",
	    c->records, c->records == 1 ? "" : "s", c->notes,
	    c->notes == 1 ? "" : "s");
	uktv_error_clear(&e);
	if (uktv_deadletter_close(c->dead, &e) == -1 &&
	    c->fatal.kind == UKTV_ERR_NONE) {
		uktv_log_error(&logger, &e);
		c->fatal.kind = UKTV_ERR_IO;
	}
	c->dead = NULL;
	/* Stopped by a signal: what was in hand was finished or
	 * dead-lettered, and a delivery cut short is not a failure. */
	return uktv_streamopt_exit(c->closed, c->fatal.kind != UKTV_ERR_NONE ?
	    uktv_error_exit_code(&c->fatal) : c->bad > 0 || c->dead_count > 0);
}

int
main(int argc, char *argv[])
{
	struct args a;
	struct ctx c;
	int rc;

	memset(&a, 0, sizeof(a));
	memset(&c, 0, sizeof(c));
	uktv_prefs_set_init(&c.prefs);
	c.prefs_refresh_ms = DEF_PREFS_REFRESH_MS;
	c.max_line = UKTV_NDJSON_DEFAULT_MAX_LINE;
	parse_args(argc, argv, &a, &c);
	uktv_log_init(&logger, PROG, to.verbosity);
	uktv_toolopt_catch_stop();
	uktv_ndjson_writer_init(&c.out, stdout);
	open_all(&a, &c);
	if (a.records_from != NULL)
		records_from(&c, a.records_from);
	else
		follow(&c, a.so.to_end, a.so.poll_ms);
	rc = finish(&c, a.flush);
	uktv_webhook_free(c.hook);
	uktv_http_free(c.own_http);
	uktv_digest_close(c.digest);
	uktv_consumer_free(c.cons);
	uktv_checkpoint_close(c.ckdir);
	uktv_prefs_set_free(&c.prefs);
	uktv_aws_free(c.aws);
	return rc;
}
