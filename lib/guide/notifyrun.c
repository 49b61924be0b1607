/*
 * notifyrun.c: see notifyrun.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "notify.h"
#include "notifyrun.h"
#include "parse.h"
#include "time.h"

/* One line for the run's note hook. */
#define note(r, kind, ...) \
	uktv_guidenote((r)->note, (r)->note_arg, (kind), __VA_ARGS__)

/* Room for where_text: a shard id and a sequence number are 128 bytes at
 * most (lib/stream's checkpoint.h). */
#define WHERE_MAX	(128 + 128 + 32)

void
uktv_notifyrun_init(struct uktv_notifyrun *r, FILE *out)
{
	memset(r, 0, sizeof(*r));
	r->prefs_refresh_ms = UKTV_NOTIFYRUN_PREFS_REFRESH_MS;
	r->max_line = UKTV_NDJSON_DEFAULT_MAX_LINE;
	uktv_ndjson_writer_init(&r->out, out);
	uktv_prefs_set_init(&r->prefs);
	uktv_error_clear(&r->fatal);
}

void
uktv_notifyrun_free(struct uktv_notifyrun *r)
{
	uktv_prefs_set_free(&r->prefs);
	uktv_digest_close(r->digest);
	r->digest = NULL;
}

void
uktv_notifyrun_fail(struct uktv_notifyrun *r, const struct uktv_error *e)
{
	if (r->fatal.kind == UKTV_ERR_NONE)
		r->fatal = *e;
}

static void
fail_io(struct uktv_notifyrun *r, const char *what)
{
	struct uktv_error e;

	uktv_error_clear(&e);
	uktv_error_set(&e, UKTV_ERR_IO, "%s: %s", what, strerror(errno));
	uktv_notifyrun_fail(r, &e);
}

/*
 * The output's reader went away: the run stops as for a fatal error,
 * before the record in hand, so that only records whose lines were all
 * written are checkpointed; but silently, as `tail -f | head` does.
 */
void
uktv_notifyrun_closed(struct uktv_notifyrun *r)
{
	struct uktv_error e;

	if (r->fatal.kind == UKTV_ERR_NONE)
		r->closed = 1;
	uktv_error_clear(&e);
	uktv_error_set(&e, UKTV_ERR_IO, "stdout: closed by its reader");
	uktv_notifyrun_fail(r, &e);
}

/* A write to the output failed with errno. */
static void
out_failed(struct uktv_notifyrun *r)
{
	if (errno == EPIPE)
		uktv_notifyrun_closed(r);
	else
		fail_io(r, "stdout");
}

/* "line 3", "line 3: Records[1]", "shard X: sequence Y" */
static const char *
where_text(const struct uktv_notifyrun_where *w, char *buf, size_t len)
{
	if (w->shard != NULL)
		snprintf(buf, len, "shard %s: sequence %s", w->shard, w->sequence);
	else if (w->index >= 0)
		snprintf(buf, len, "line %llu: Records[%ld]", w->line, w->index);
	else
		snprintf(buf, len, "line %llu", w->line);
	return buf;
}

/* One dead letter through the hook; counted whether or not it was
 * written (a failed write stops the run). */
static void
dead_letter(struct uktv_notifyrun *r, const char *text, const char *code,
    const char *message, const struct uktv_notifyrun_where *w, int delivery)
{
	struct uktv_notifyrun_dead d = { text, code, message, w, delivery };
	struct uktv_error e;

	uktv_error_clear(&e);
	if (r->dead(r->dead_arg, &d, &e) == -1)
		uktv_notifyrun_fail(r, &e);
	r->dead_count++;
}

/*
 * One line out: the output, then the webhook.  A delivery that failed for
 * good is dead-lettered; without a dead hook it stops the run before the
 * record (its checkpoint is not written: nothing is lost).  0, or -1 when
 * the run must stop.
 */
static int
emit(struct uktv_notifyrun *r, struct json_object *line, const char *event_id,
    const struct uktv_notifyrun_where *w)
{
	struct uktv_error e;
	const char *text, *code;
	char buf[WHERE_MAX];

	text = json_object_to_json_string_ext(line, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (uktv_ndjson_writer_put_raw(&r->out, text, strlen(text)) == -1) {
		out_failed(r);
		return -1;
	}
	r->notes++;
	if (r->hook == NULL)
		return 0;
	uktv_error_clear(&e);
	if (uktv_webhook_post(r->hook, text, strlen(text), event_id, &e) == 0)
		return 0;
	if (e.kind == UKTV_ERR_NOPERM || e.kind == UKTV_ERR_INTERNAL) {
		uktv_notifyrun_fail(r, &e);
		return -1;
	}
	if (r->dead == NULL) {
		uktv_error_prefix(&e, "%s: not delivered (no --dead-letter): "
		    "stopping before it", where_text(w, buf, sizeof(buf)));
		uktv_notifyrun_fail(r, &e);
		return -1;
	}
	/* Each one with -v; the dead hook counts them by kind for a report. */
	note(r, UKTV_GUIDENOTE_INFO, "%s: event %s: %s: dead-lettered",
	    where_text(w, buf, sizeof(buf)), event_id ? event_id : "-",
	    e.message);
	code = e.kind == UKTV_ERR_UNAVAILABLE ? "webhook_unavailable" :
	    "webhook_refused";
	dead_letter(r, text, code, e.message, w, 1);
	return r->fatal.kind == UKTV_ERR_NONE ? 0 : -1;
}

/* ------------------------------------------------------------ digests */

int
uktv_notifyrun_open_digest(struct uktv_notifyrun *r, const char *dir,
    long long period_ms, struct uktv_error *err)
{
	unsigned long damaged;

	if ((r->digest = uktv_digest_open(dir, period_ms, err)) == NULL)
		return -1;
	if ((damaged = uktv_digest_damaged(r->digest)) > 0)
		note(r, UKTV_GUIDENOTE_WARN, "%s: %lu line%s that are not "
		    "spooled notifications (left there)",
		    uktv_digest_path(r->digest), damaged, damaged == 1 ? "" : "s");
	return 0;
}

/* Every digest of lines out, each under its own id: the same digest
 * posted again (after a crash) has the same one. */
static int
emit_digests(struct uktv_notifyrun *r, struct json_object *lines)
{
	struct uktv_notifyrun_where w = { 0, -1, NULL, NULL };
	struct json_object *d, *u, *ps;
	char id[UKTV_USER_ID_MAX + 64];
	size_t i, n = json_object_array_length(lines);

	for (i = 0; i < n; i++) {
		d = json_object_array_get_idx(lines, i);
		u = json_object_object_get(d, "user");
		ps = json_object_object_get(d, "period_start");
		snprintf(id, sizeof(id), "digest:%s:%s", json_object_get_string(ps),
		    json_object_get_string(u));
		if (emit(r, d, id, &w) == -1)
			return -1;
	}
	return 0;
}

/* Drops the digests from the spool once each was delivered or
 * dead-lettered. */
int
uktv_notifyrun_digests(struct uktv_notifyrun *r, int all)
{
	struct json_object *lines;
	struct uktv_error e;
	size_t n;
	long long now = uktv_time_now_ms();

	if (r->digest == NULL || (!all && !uktv_digest_due(r->digest, now)))
		return 0;
	uktv_error_clear(&e);
	if (uktv_digest_take(r->digest, now, all, &lines, &e) == -1) {
		uktv_notifyrun_fail(r, &e);
		return -1;
	}
	n = json_object_array_length(lines);
	if (emit_digests(r, lines) == -1) {
		json_object_put(lines);
		return -1;
	}
	json_object_put(lines);
	uktv_error_clear(&e);
	if (uktv_digest_commit(r->digest, &e) == -1) {
		uktv_notifyrun_fail(r, &e);
		return -1;
	}
	if (n > 0)
		note(r, UKTV_GUIDENOTE_INFO, "%zu digest%s sent", n,
		    n == 1 ? "" : "s");
	return 0;
}

int
uktv_notifyrun_flush(struct uktv_notifyrun *r)
{
	if (fflush(r->out.fp) == EOF) {
		out_failed(r);
		return -1;
	}
	return 0;
}

int
uktv_notifyrun_sync(struct uktv_notifyrun *r)
{
	struct uktv_error e;

	uktv_error_clear(&e);
	if (r->digest != NULL && uktv_digest_sync(r->digest, &e) == -1) {
		uktv_notifyrun_fail(r, &e);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ records */

/* A record that is not a stream record: noted, counted, dead-lettered. */
static int
refuse(struct uktv_notifyrun *r, struct json_object *rec,
    const struct uktv_notifyrun_where *w, const struct uktv_error *e)
{
	char buf[WHERE_MAX];

	note(r, UKTV_GUIDENOTE_WARN, "%s: %s", where_text(w, buf, sizeof(buf)),
	    e->message);
	r->bad++;
	if (r->dead != NULL)
		dead_letter(r, json_object_to_json_string_ext(rec,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
		    "bad_record", e->message, w, 0);
	return r->fatal.kind == UKTV_ERR_NONE ? 0 : -1;
}

int
uktv_notifyrun_record(struct uktv_notifyrun *r, struct json_object *rec,
    const struct uktv_notifyrun_where *w)
{
	struct json_object *lines, *l;
	struct uktv_error e;
	const char *eid;
	size_t i, n;
	long long now;

	r->records++;
	uktv_error_clear(&e);
	if (uktv_notify_record(&r->prefs, rec, &lines, NULL, &e) == -1) {
		if (e.kind != UKTV_ERR_INTERNAL)
			return refuse(r, rec, w, &e);
		uktv_notifyrun_fail(r, &e);
		return -1;
	}
	eid = uktv_notify_event_id(rec);
	n = json_object_array_length(lines);
	now = uktv_time_now_ms();
	for (i = 0; i < n; i++) {
		l = json_object_array_get_idx(lines, i);
		if (r->digest != NULL) {
			uktv_error_clear(&e);
			if (uktv_digest_add(r->digest, l, now, &e) == -1) {
				uktv_notifyrun_fail(r, &e);
				break;
			}
		} else if (emit(r, l, eid, w) == -1)
			break;
	}
	json_object_put(lines);
	return i == n ? 0 : -1;
}

/* A value read from a file: a Lambda event or one record. */
static void
input_value(struct uktv_notifyrun *r, struct json_object *v,
    unsigned long long lineno)
{
	struct uktv_notifyrun_where w = { lineno, -1, NULL, NULL };
	struct json_object *recs;
	char why[256];
	size_t i, n;
	int event;

	if (uktv_notify_input_records(v, &recs, why, sizeof(why)) == -1) {
		note(r, UKTV_GUIDENOTE_WARN, "line %llu: %s", lineno, why);
		r->bad++;
		return;
	}
	event = json_object_object_get_ex(v, "Records", NULL);
	n = json_object_array_length(recs);
	for (i = 0; i < n && r->fatal.kind == UKTV_ERR_NONE; i++) {
		w.index = event ? (long)i : -1;
		if (uktv_notifyrun_record(r, json_object_array_get_idx(recs, i),
		    &w) == -1)
			break;
	}
	json_object_put(recs);
}

/* NDJSON, or values spread over lines (notify.h). */
int
uktv_notifyrun_read(struct uktv_notifyrun *r, FILE *fp)
{
	struct uktv_notify_input *in;
	struct json_object *v;
	unsigned long long lineno;
	const char *why;
	int rc;

	if ((in = uktv_notify_input_new(fp, r->max_line)) == NULL)
		return -1;
	while (r->fatal.kind == UKTV_ERR_NONE &&
	    (r->stop == NULL || !*r->stop)) {
		rc = uktv_notify_input_next(in, &v, &lineno, &why);
		if (rc == -1 && errno == EINTR)
			continue;
		if (rc == -1) {
			fail_io(r, "reading records");
			break;
		}
		if (rc == UKTV_NOTIFY_INPUT_END)
			break;
		if (rc == UKTV_NOTIFY_INPUT_REJECT) {
			note(r, UKTV_GUIDENOTE_WARN, "line %llu: %s", lineno, why);
			r->bad++;
		} else
			input_value(r, v, lineno);
	}
	uktv_notify_input_free(in);
	return 0;
}

/* ------------------------------------------------------------ preferences */

struct reject_arg {
	struct uktv_notifyrun	*r;
	const char		*name;
};

static void
prefs_reject(unsigned long long lineno, const char *reason, void *arg)
{
	struct reject_arg *a = arg;

	note(a->r, UKTV_GUIDENOTE_WARN, "%s: line %llu: %s", a->name, lineno,
	    reason);
}

int
uktv_notifyrun_prefs_file(struct uktv_notifyrun *r, FILE *fp,
    const char *name, struct uktv_error *err)
{
	struct reject_arg a = { r, name };
	unsigned long rejected = 0;

	if (uktv_prefs_load_ndjson(fp, r->max_line, &r->prefs, prefs_reject, &a,
	    &rejected, err) == -1)
		return -1;
	r->bad += rejected;
	return 0;
}

/* Reads the preference items of the table again; keeps the old ones when
 * it cannot (stops only at the start, or when it will not mend). */
static int
prefs_load(struct uktv_notifyrun *r, int first, struct uktv_error *err)
{
	struct uktv_prefs_set fresh;

	uktv_prefs_set_init(&fresh);
	uktv_error_clear(err);
	if (uktv_prefs_load_table(r->aws, r->table, &fresh, err) == -1) {
		uktv_prefs_set_free(&fresh);
		if (first || err->kind == UKTV_ERR_NOPERM ||
		    err->kind == UKTV_ERR_CONFIG)
			return -1;
		note(r, UKTV_GUIDENOTE_WARN, "refreshing preferences: %s "
		    "(keeping the ones read before)", err->message);
		return 0;
	}
	uktv_prefs_set_free(&r->prefs);
	r->prefs = fresh;
	return 1;
}

int
uktv_notifyrun_prefs_table(struct uktv_notifyrun *r, int first,
    struct uktv_error *err)
{
	int rc = prefs_load(r, first, err);

	r->prefs_table = 1;
	r->prefs_at = uktv_time_now_ms() + r->prefs_refresh_ms;
	return rc;
}

int
uktv_notifyrun_prefs_tick(struct uktv_notifyrun *r, struct uktv_error *err)
{
	long long now;
	int rc;

	if (!r->prefs_table)
		return 0;
	now = uktv_time_now_ms();
	if (now < r->prefs_at)
		return 0;
	rc = prefs_load(r, 0, err);
	r->prefs_at = now + r->prefs_refresh_ms;
	return rc;
}

/* ------------------------------------------------------------ the end */

void
uktv_notifyrun_report(const struct uktv_notifyrun *r)
{
	if (r->bad > 0 || r->dead_count > 0)
		note(r, UKTV_GUIDENOTE_WARN, "%lu record%s reported, %lu "
		    "dead-lettered", r->bad, r->bad == 1 ? "" : "s",
		    r->dead_count);
	note(r, UKTV_GUIDENOTE_INFO, "%llu record%s read, %llu line%s out",
	    r->records, r->records == 1 ? "" : "s", r->notes,
	    r->notes == 1 ? "" : "s");
}

int
uktv_notifyrun_status(const struct uktv_notifyrun *r)
{
	if (r->fatal.kind != UKTV_ERR_NONE)
		return uktv_error_exit_code(&r->fatal);
	return r->bad > 0 || r->dead_count > 0;
}
