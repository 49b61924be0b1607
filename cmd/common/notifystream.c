/*
 * notifystream.c: see notifystream.h.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ddbstreams.h"
#include "notifystream.h"
#include "streamopt.h"
#include "streamreader.h"
#include "toolopt.h"

/* How long one wait for records may last: digests and the preferences'
 * refresh are looked at between waits. */
#define MAX_WAIT_MS	1000L

int
uktv_notifystream_dead(void *arg, const struct uktv_notifyrun_dead *dl,
    struct uktv_error *err)
{
	struct uktv_notifystream *ns = arg;
	struct uktv_dead_entry d;
	int rc;

	uktv_dead_entry_init(&d);
	d.input = dl->text;
	d.len = strlen(dl->text);
	d.error = dl->code;
	d.message = dl->message;
	d.shard = dl->where->shard;
	d.sequence = dl->where->sequence;
	d.line = dl->where->line;
	d.index = dl->where->index;
	rc = uktv_deadletter_put(ns->dead, &d, err);
	if (dl->delivery)
		uktv_dead_tally_add(&ns->fails, dl->code, dl->message);
	return rc;
}

void
uktv_notifystream_report(struct uktv_notifystream *ns)
{
	for (size_t i = 0; i < ns->fails.n; i++)
		uktv_log_warn(ns->log, "%lu notification%s not delivered (%s: "
		    "%s): dead-lettered to %s", ns->fails.kind[i].n,
		    ns->fails.kind[i].n == 1 ? "" : "s", ns->fails.kind[i].code,
		    ns->fails.kind[i].message, uktv_deadletter_path(ns->dead));
	ns->fails.n = 0;
}

int
uktv_notifystream_sync(struct uktv_notifystream *ns)
{
	uktv_notifyrun_flush(ns->run);
	/* Once per batch (and at the end): what failed, by kind. */
	uktv_notifystream_report(ns);
	return uktv_notifyrun_sync(ns->run);
}

void
uktv_notifystream_prefs(struct uktv_notifystream *ns, int first)
{
	struct uktv_error e;
	int rc;

	uktv_error_clear(&e);
	rc = first ? uktv_notifyrun_prefs_table(ns->run, 1, &e) :
	    uktv_notifyrun_prefs_tick(ns->run, &e);
	if (rc == -1)
		uktv_log_die(ns->log, &e);
	if (rc == 1)
		uktv_log_debug(ns->log, "preferences of %zu user%s read",
		    ns->run->prefs.n, ns->run->prefs.n == 1 ? "" : "s");
}

int
uktv_notifystream_finish(struct uktv_notifystream *ns, int flush)
{
	struct uktv_notifyrun *r = ns->run;
	struct uktv_error e;

	/* Digests whose period ended go out; with --flush-digests every
	 * pending one (the others stay spooled for the next run). */
	if (r->fatal.kind == UKTV_ERR_NONE && !uktv_stop_signal)
		uktv_notifyrun_digests(r, flush);
	uktv_notifyrun_flush(r);
	uktv_notifystream_report(ns);
	if (r->fatal.kind != UKTV_ERR_NONE && !r->closed)
		uktv_log_error(ns->log, &r->fatal);
	uktv_notifyrun_report(r);
	uktv_error_clear(&e);
	if (uktv_deadletter_close(ns->dead, &e) == -1 &&
	    r->fatal.kind == UKTV_ERR_NONE) {
		uktv_log_error(ns->log, &e);
		r->fatal.kind = UKTV_ERR_IO;
	}
	ns->dead = NULL;
	/* Stopped by a signal: what was in hand was finished or
	 * dead-lettered, and a delivery cut short is not a failure. */
	return uktv_streamopt_exit(r->closed, uktv_notifyrun_status(r));
}

static void
checkpoint(struct uktv_notifystream *ns, const char *shard,
    const struct uktv_position *pos)
{
	struct uktv_error e;

	uktv_error_clear(&e);
	if (uktv_consumer_checkpoint(ns->cons, shard, pos, &e) == -1)
		uktv_notifyrun_fail(ns->run, &e);
}

static void
batch(struct uktv_notifystream *ns, const struct uktv_stream_batch *b)
{
	struct uktv_notifyrun_where w = { 0, -1, b->shard_id, NULL };
	struct uktv_position pos;
	size_t i;

	for (i = 0; i < b->n; i++) {
		w.sequence = b->records[i].sequence;
		if (uktv_notifyrun_record(ns->run, b->records[i].record, &w) == -1)
			break;
	}
	if (uktv_notifystream_sync(ns) == -1)
		return;
	if (i == b->n && ns->run->fatal.kind == UKTV_ERR_NONE) {
		checkpoint(ns, b->shard_id, &b->checkpoint);
		return;
	}
	/* Stopped at record i: the checkpoint goes after the one before it,
	 * so the next run starts with record i. */
	if (i > 0 && uktv_position_set_sequence(&pos,
	    b->records[i - 1].sequence, -1) == 0)
		checkpoint(ns, b->shard_id, &pos);
}

/* The table's stream through the consumer; dies when there is none. */
static struct uktv_streamreader *
open_reader(struct uktv_notifystream *ns, const struct uktv_position *start,
    int to_end, long poll_ms, char **arn)
{
	struct uktv_streamreader_opts o;
	struct uktv_streamreader *r;
	struct uktv_error e;

	uktv_error_clear(&e);
	if (uktv_ddbstreams_latest_arn(ns->run->aws, ns->run->table, arn,
	    &e) == -1)
		uktv_log_die(ns->log, &e);
	uktv_log_info(ns->log, "following %s", *arn);
	memset(&o, 0, sizeof(o));
	o.backend = UKTV_SR_DDBSTREAMS;
	o.stream = *arn;
	o.start = *start;
	o.to_end = to_end;
	o.poll_ms = poll_ms;
	o.stop = &uktv_stop_signal;
	/* Caught up, it writes nothing: it learns while it waits that its
	 * reader went away. */
	o.watch_fd = STDOUT_FILENO;
	if ((r = uktv_consumer_reader(ns->cons, &o, &e)) == NULL)
		uktv_log_die(ns->log, &e);
	return r;
}

void
uktv_notifystream_follow(struct uktv_notifystream *ns,
    const struct uktv_position *start, int to_end, long poll_ms)
{
	struct uktv_notifyrun *run = ns->run;
	struct uktv_streamreader *r;
	struct uktv_stream_batch b;
	struct uktv_error e;
	char *arn = NULL;
	int rc;

	r = open_reader(ns, start, to_end, poll_ms, &arn);
	while (run->fatal.kind == UKTV_ERR_NONE && !uktv_stop_signal) {
		uktv_error_clear(&e);
		rc = uktv_streamreader_next(r, 0, MAX_WAIT_MS, &b, &e);
		if (rc == -1) {
			uktv_notifyrun_fail(run, &e);
			break;
		}
		if (rc == UKTV_SR_END || rc == UKTV_SR_STOPPED)
			break;
		if (rc == UKTV_SR_CLOSED) {
			uktv_notifyrun_closed(run);
			break;
		}
		if (rc == UKTV_SR_BATCH)
			batch(ns, &b);
		if (run->fatal.kind != UKTV_ERR_NONE)
			break;
		uktv_notifystream_prefs(ns, 0);
		uktv_notifyrun_digests(run, 0);
	}
	uktv_streamreader_free(r);
	free(arn);
}
