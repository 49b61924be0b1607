/*
 * consumerun.c: see consumerun.h.  Moved from uktv-consume's main so that
 * a second program (a service with its own sink, a test) runs the same
 * batch -> sink -> lines -> checkpoint step and says what happened its own
 * way.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "consumerun.h"
#include "time.h"

/* One line for the run's note hook. */
static void __attribute__((format(printf, 3, 4)))
note(const struct uktv_consumerun *r, enum uktv_consumerun_note kind,
    const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	if (r->note == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->note(r->note_arg, kind, msg);
}

static const char *
plural(long long n)
{
	return n == 1 ? "" : "s";
}

void
uktv_consumerun_init(struct uktv_consumerun *r)
{
	memset(r, 0, sizeof(*r));
	r->backend = UKTV_SR_KINESIS;
	r->out = stdout;
	r->out_name = "stdout";
	r->stats_fp = stderr;
	uktv_streamout_init(&r->so, r->out);
}

void
uktv_consumerun_free(struct uktv_consumerun *r)
{
	struct uktv_error e;

	uktv_streamreader_free(r->reader);
	uktv_streamout_free(&r->so);
	uktv_consumer_free(r->cons);
	uktv_leases_free(r->leases);
	uktv_checkpoint_close(r->ckdir);
	/* Closed by finish after a follow; what is left was never written. */
	uktv_deadletter_close(r->dead, &e);
	if (r->statsfp != NULL && r->statsfp != r->stats_fp)
		fclose(r->statsfp);
	free(r->at_shard);
	memset(r, 0, sizeof(*r));
}

int
uktv_consumerun_at_sequence(struct uktv_consumerun *r, const char *text)
{
	const char *colon = strchr(text, ':');

	free(r->at_shard);
	r->at_shard = NULL;
	if (colon == NULL || colon == text)
		return -1;
	if ((r->at_shard = strndup(text, (size_t)(colon - text))) == NULL)
		return -2;
	if (!uktv_shard_id_valid(r->at_shard) ||
	    uktv_position_set_sequence(&r->at_pos, colon + 1, -1) == -1)
		return -1;
	r->at_pos.inclusive = 1;
	return 0;
}

int
uktv_consumerun_open(struct uktv_consumerun *r, struct uktv_error *err)
{
	struct uktv_consumer_opts co = { 0 };

	uktv_streamout_init(&r->so, r->out);
	if (r->checkpoint != NULL && (r->ckdir = uktv_checkpoint_open(
	    r->checkpoint, r->create, err)) == NULL)
		return -1;
	if (r->lease.table != NULL &&
	    (r->leases = uktv_leases_new(r->aws, &r->lease, err)) == NULL)
		return -1;
	co.aws = r->aws;
	co.backend = r->backend;
	co.stream = r->stream;
	co.ckdir = r->ckdir;
	co.leases = r->leases;
	co.at_shard = r->at_shard;
	co.at_pos = r->at_pos;
	co.event = r->event;
	co.note = r->sr_note;
	co.arg = r->event_arg;
	if ((r->cons = uktv_consumer_new(&co, err)) == NULL)
		return -1;
	return 0;
}

/* ------------------------------------------------------------ a batch */

/* A record that is not delivered: said, and dead-lettered when asked. */
static int
report(struct uktv_consumerun *r, const struct uktv_stream_record *rec,
    const char *code, const char *why, struct uktv_error *err)
{
	if (rec->sub_sequence >= 0)
		note(r, UKTV_CONSUMERUN_WARN, "shard %s: sequence %s/%lld: %s",
		    rec->shard_id, rec->sequence, rec->sub_sequence, why);
	else
		note(r, UKTV_CONSUMERUN_WARN, "shard %s: sequence %s: %s",
		    rec->shard_id, rec->sequence, why);
	r->bad++;
	if (r->dead != NULL &&
	    uktv_deadletter_record(r->dead, rec, code, why, err) == -1)
		return -1;
	return 0;
}

/* A failed write of the lines: a reader that went away (EPIPE) stops the
 * run where it is (the batch checkpoints what was written); anything else
 * is an error. */
static int
out_failed(struct uktv_consumerun *r, struct uktv_error *err)
{
	if (errno != EPIPE)
		return uktv_error_set(err, UKTV_ERR_IO, "%s: %s", r->out_name,
		    strerror(errno));
	r->closed = 1;
	return 0;
}

/* Prints rec; lines gets its index as the batch's next line. */
static int
print(struct uktv_consumerun *r, const struct uktv_stream_record *rec,
    enum uktv_streamout_check chk, size_t *lines, size_t *nlines, size_t i,
    struct uktv_error *err)
{
	int rc;

	if (r->no_output || r->closed)
		return 0;
	lines[(*nlines)++] = i;
	rc = r->envelope ? uktv_streamout_envelope(&r->so, rec, chk) :
	    uktv_streamout_data(&r->so, rec, chk);
	return rc == -1 ? out_failed(r, err) : 0;
}

/*
 * What becomes of one record: 0 to print it, 1 when it was reported (and
 * dead-lettered): data that is not an object (unless envelopes without a
 * sink carry it as data_base64), or what the sink refused or failed (v:
 * its verdict, NULL without a sink).  -1 with err.
 */
static int
one_record(struct uktv_consumerun *r, const struct uktv_stream_record *rec,
    enum uktv_streamout_check chk, const struct uktv_consumerun_verdict *v,
    struct uktv_error *err)
{
	char why[256];

	if (chk != UKTV_SO_OBJECT) {
		if (r->envelope && v == NULL)
			return 0;
		uktv_streamout_check(rec->data, rec->data_len, why, sizeof(why));
		return report(r, rec, uktv_streamout_check_code(chk), why,
		    err) == -1 ? -1 : 1;
	}
	if (v == NULL)
		return 0;
	if (v->kind != UKTV_CONSUMERUN_KEEP)
		return report(r, rec, v->code, v->why, err) == -1 ? -1 : 1;
	if (v->info[0] != '\0')
		note(r, UKTV_CONSUMERUN_INFO, "shard %s: sequence %s: %s",
		    rec->shard_id, rec->sequence, v->info);
	return 0;
}

static int
checkpoint(struct uktv_consumerun *r, const char *shard,
    const struct uktv_position *pos, struct uktv_error *err)
{
	return uktv_consumer_checkpoint(r->cons, shard, pos, err) == -1 ? -1 : 0;
}

/*
 * The output's reader went away in the middle of batch b: the checkpoint
 * goes after the last record whose line was written whole (lines[k] is the
 * record of the batch's line k), so the next run starts with the first
 * record its reader may not have had.  No line written: no checkpoint.
 */
static int
checkpoint_written(struct uktv_consumerun *r, const struct uktv_stream_batch *b,
    const size_t *lines, unsigned long long written, struct uktv_error *err)
{
	const struct uktv_stream_record *rec;
	struct uktv_position pos;

	if (written == 0)
		return 0;
	rec = &b->records[lines[written - 1]];
	if (uktv_position_set_sequence(&pos, rec->sequence,
	    rec->sub_sequence) == -1)
		return 0;
	if (checkpoint(r, b->shard_id, &pos, err) == -1)
		return -1;
	r->done += (long long)lines[written - 1] + 1;
	return 0;
}

/* Each record's check, the sink's verdicts, and the lines printed; *failed
 * counts the records the sink FAILED.  0, or -1 with err. */
static int
records(struct uktv_consumerun *r, const struct uktv_stream_batch *b,
    enum uktv_streamout_check *chk, struct uktv_consumerun_verdict *v,
    size_t *lines, size_t *nlines, int *failed, struct uktv_error *err)
{
	char why[256];
	int rc;

	for (size_t i = 0; i < b->n; i++)
		chk[i] = uktv_streamout_check(b->records[i].data,
		    b->records[i].data_len, why, sizeof(why));
	if (v != NULL && b->n > 0 &&
	    r->sink.apply(r->sink.arg, b, chk, v, err) == -1)
		return -1;	/* nothing of this batch is checkpointed */
	for (size_t i = 0; i < b->n && !r->closed; i++) {
		rc = one_record(r, &b->records[i], chk[i],
		    v == NULL ? NULL : &v[i], err);
		if (rc == -1 || (rc == 0 && print(r, &b->records[i], chk[i],
		    lines, nlines, i, err) == -1))
			return -1;
		if (rc == 1 && v != NULL && chk[i] == UKTV_SO_OBJECT &&
		    v[i].kind == UKTV_CONSUMERUN_FAILED)
			(*failed)++;
	}
	return 0;
}

/* After the records: the lines flushed, then the checkpoint. */
static int
batch_end(struct uktv_consumerun *r, const struct uktv_stream_batch *b,
    const size_t *lines, unsigned long long lines0, int failed,
    struct uktv_error *err)
{
	/* Written whole even when SIGTERM comes while a slow reader holds
	 * the pipe full: the loop stops after the checkpoint below. */
	if (!r->closed && (uktv_streamout_flush(&r->so) == -1 ||
	    ferror(r->out)) && out_failed(r, err) == -1)
		return -1;
	if (failed > 0 && r->dead == NULL) {
		/* Not stored and nowhere else to go: stop before the
		 * checkpoint, so the next run tries them again. */
		uktv_error_set(err, UKTV_ERR_SERVICE, "%d record%s not stored: "
		    "stopping before the checkpoint (use --dead-letter to go "
		    "on)", failed, plural(failed));
		strlcpy(err->code, "NotStored", sizeof(err->code));
		return -1;
	}
	if (r->closed)
		return checkpoint_written(r, b, lines, r->so.lines_out - lines0,
		    err);
	if (checkpoint(r, b->shard_id, &b->checkpoint, err) == -1)
		return -1;
	r->done += (long long)b->n;
	return 0;
}

int
uktv_consumerun_batch(struct uktv_consumerun *r,
    const struct uktv_stream_batch *b, struct uktv_error *err)
{
	enum uktv_streamout_check *chk = NULL;
	struct uktv_consumerun_verdict *v = NULL;
	size_t *lines = NULL, nlines = 0;
	unsigned long long lines0 = r->so.lines_out;
	int failed = 0, rc = -2;

	if (b->n > 0 && ((chk = calloc(b->n, sizeof(*chk))) == NULL ||
	    (lines = calloc(b->n, sizeof(*lines))) == NULL ||
	    (r->sink.apply != NULL &&
	    (v = calloc(b->n, sizeof(*v))) == NULL)))
		goto out;
	rc = -1;
	if (records(r, b, chk, v, lines, &nlines, &failed, err) == -1 ||
	    batch_end(r, b, lines, lines0, failed, err) == -1)
		goto out;
	rc = r->closed;
out:
	free(v);
	free(chk);
	free(lines);
	return rc;
}

/* ------------------------------------------------------------ the loop */

struct json_object *
uktv_consumerun_stats_json(struct uktv_consumerun *r)
{
	struct json_object *o = uktv_consumer_stats_json(r->cons, r->bad);

	if (o != NULL && r->sink.stats != NULL)
		r->sink.stats(r->sink.arg, o);
	return o;
}

static void
stats_line(struct uktv_consumerun *r)
{
	struct json_object *o = uktv_consumerun_stats_json(r);
	const char *text;
	size_t len;

	if (o == NULL)
		return;
	text = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	fprintf(r->statsfp, "%s\n", text);
	fflush(r->statsfp);
	json_object_put(o);
}

/* The outputs and the positions' lock, before the reader starts. */
static int
open_outputs(struct uktv_consumerun *r, struct uktv_error *err)
{
	if (r->ckdir != NULL && uktv_checkpoint_lock(r->ckdir, err) == -1) {
		/* Another reader holding the positions is a busy service
		 * (69); a lock that cannot be made keeps its own kind (a
		 * read-only directory: 73). */
		if (strcmp(err->code, "CheckpointsInUse") == 0)
			err->kind = UKTV_ERR_UNAVAILABLE;
		return -1;
	}
	if (r->dead_letter != NULL &&
	    (r->dead = uktv_deadletter_open(r->dead_letter, err)) == NULL)
		return -1;
	if (r->stats_ms > 0) {
		r->statsfp = r->stats_fp;
		if (r->stats_path != NULL &&
		    (r->statsfp = fopen(r->stats_path, "a")) == NULL)
			return uktv_error_set(err, UKTV_ERR_CANTCREAT, "%s: %s",
			    r->stats_path, strerror(errno));
	}
	return uktv_consumer_lease_start(r->cons, err);
}

/* How long the next wait may be: until the next stats line or lease round. */
static int
next_wait(struct uktv_consumerun *r, long long now, long *wait_ms,
    struct uktv_error *err)
{
	long long wait = 1000;

	if (r->stats_ms > 0) {
		if (now >= r->stats_at) {
			stats_line(r);
			r->stats_at = now + r->stats_ms;
		}
		if (r->stats_at - now < wait)
			wait = r->stats_at - now;
	}
	if (uktv_consumer_lease_poll(r->cons, now, &wait, err) == -1)
		return -1;
	*wait_ms = wait < 0 ? 0 : (long)wait;
	return 0;
}

/* Where a draining run is (a tool shows it on a terminal only). */
static void
progress(const struct uktv_consumerun *r)
{
	long long ms = uktv_time_now_ms() - r->started;

	note(r, UKTV_CONSUMERUN_PROGRESS, "%lld records, %.0f/s", r->done,
	    ms > 0 ? (double)r->done * 1000.0 / (double)ms : 0.0);
}

/* One read and what it brought: 1 when the loop is over, 0 to go on. */
static int
step(struct uktv_consumerun *r, struct uktv_error *err)
{
	struct uktv_stream_batch b;
	size_t max;
	long wait;
	int rc;

	if (next_wait(r, uktv_time_now_ms(), &wait, err) == -1)
		return -1;
	max = r->count > 0 ? (size_t)(r->count - r->done) : 0;
	rc = uktv_streamreader_next(r->reader, max, wait, &b, err);
	if (rc == -1)
		return -1;
	if (rc == UKTV_SR_END || rc == UKTV_SR_STOPPED)
		return 1;
	if (rc == UKTV_SR_CLOSED)
		r->closed = 1;
	if (rc == UKTV_SR_BATCH) {
		if ((rc = uktv_consumerun_batch(r, &b, err)) < 0)
			return rc;
		progress(r);
		if (r->count > 0 && r->done >= r->count)
			return 1;
	}
	return 0;
}

int
uktv_consumerun_follow(struct uktv_consumerun *r,
    struct uktv_streamreader_opts *ro, struct uktv_error *err)
{
	int rc = 0;

	if (open_outputs(r, err) == -1)
		return -1;
	ro->backend = r->backend;
	ro->stream = r->stream;
	/* Caught up, a follower writes nothing: it learns that its reader
	 * went away while it waits. */
	ro->watch_fd = r->no_output ? 0 : fileno(r->out);
	if ((r->reader = uktv_consumer_reader(r->cons, ro, err)) == NULL)
		return -1;
	r->started = uktv_time_now_ms();
	r->stats_at = r->started + r->stats_ms;
	while (!r->closed && (rc = step(r, err)) == 0)
		;
	if (rc < 0)
		return rc;
	note(r, UKTV_CONSUMERUN_PROGRESS_DONE, "%s", "");
	if (r->stats_ms > 0)
		stats_line(r);
	return 0;
}

int
uktv_consumerun_finish(struct uktv_consumerun *r, struct uktv_error *err)
{
	struct uktv_error e;
	int status;

	uktv_error_clear(&e);
	if (r->leases != NULL && uktv_leases_release(r->leases, &e) == -1)
		note(r, UKTV_CONSUMERUN_WARN, "releasing leases: %s", e.message);
	if (r->bad > 0)
		note(r, UKTV_CONSUMERUN_WARN, "%ld record%s reported", r->bad,
		    plural(r->bad));
	status = r->sink.finish != NULL ? r->sink.finish(r->sink.arg) : 0;
	if (uktv_deadletter_close(r->dead, err) == -1) {
		r->dead = NULL;
		return -1;
	}
	r->dead = NULL;
	if (r->statsfp != NULL && r->statsfp != r->stats_fp)
		fclose(r->statsfp);
	r->statsfp = NULL;
	return status != 0 ? status : r->bad > 0;
}

/* ------------------------------------------------------------ positions */

/* One checkpoint's line: the shard, its position and, with the stream
 * named, its lag (one GetRecords). */
static struct json_object *
show_one(struct uktv_consumerun *r, const char *shard,
    const struct uktv_position *pos)
{
	struct json_object *o = json_object_new_object();
	struct uktv_error e;
	long long lag;

	json_object_object_add(o, "shard", json_object_new_string(shard));
	if (pos != NULL && pos->kind != UKTV_POS_NONE)
		uktv_position_to_json(pos, o);
	uktv_error_clear(&e);
	if (r->stream != NULL && pos != NULL && pos->kind != UKTV_POS_NONE) {
		if (uktv_streamreader_lag(r->aws, r->backend, r->stream,
		    shard, pos, &lag, &e) == 0)
			json_object_object_add(o, "lag_ms",
			    json_object_new_int64(lag));
		else if (e.kind != UKTV_ERR_USAGE)
			note(r, UKTV_CONSUMERUN_INFO, "shard %s: no lag: %s",
			    shard, e.message);
	}
	return o;
}

struct show {
	struct uktv_consumerun	*r;
	uktv_consumerun_show_fn	 fn;
	void			*arg;
};

static int
show_file(const char *shard, const struct uktv_position *pos, void *arg)
{
	struct show *s = arg;

	s->fn(s->arg, show_one(s->r, shard, pos));
	return 0;
}

/* With a stream: every shard of it, checkpointed or not. */
static int
show_shards(struct show *s, struct uktv_error *err)
{
	struct uktv_consumer_shards l;
	struct uktv_position pos;
	int rc = 0;

	if (uktv_consumer_list_shards(s->r->aws, s->r->backend, s->r->stream,
	    &l, err) == -1)
		return -1;
	for (size_t i = 0; i < l.n && rc == 0; i++) {
		if ((rc = uktv_checkpoint_read(s->r->ckdir, l.v[i].shard, &pos,
		    err)) != -1)
			s->fn(s->arg, show_one(s->r, l.v[i].shard, &pos));
	}
	uktv_consumer_shards_free(&l);
	return rc == -1 ? -1 : 0;
}

int
uktv_consumerun_show(struct uktv_consumerun *r, uktv_consumerun_show_fn fn,
    void *arg, struct uktv_error *err)
{
	struct show s = { r, fn, arg };

	if (r->leases != NULL) {
		if (uktv_leases_read(r->leases, err) == -1)
			return -1;
		for (size_t i = 0; i < uktv_leases_count(r->leases); i++)
			fn(arg, uktv_lease_to_json(uktv_leases_at(r->leases, i)));
		return 0;
	}
	if (r->stream == NULL)
		return uktv_checkpoint_list(r->ckdir, show_file, &s, err) == -1 ?
		    -1 : 0;
	return show_shards(&s, err);
}

int
uktv_consumerun_reset(struct uktv_consumerun *r,
    const struct uktv_position *pos, int force, struct uktv_error *err)
{
	long n;

	if (uktv_consumer_reset(r->cons, pos, force, &n, err) == -1)
		return -1;
	if (r->leases != NULL)
		note(r, UKTV_CONSUMERUN_INFO, "lease checkpoints set to %s",
		    uktv_position_text(pos));
	else
		note(r, UKTV_CONSUMERUN_INFO, "%ld checkpoint%s set to %s", n,
		    plural(n), uktv_position_text(pos));
	return 0;
}
