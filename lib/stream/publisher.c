/* publisher.c: see publisher.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "deadletter.h"
#include "publisher.h"

struct uktv_publisher {
	struct uktv_kinesis_batch	*batch;
	struct uktv_recordline		*lines;		/* borrowed */
	struct uktv_deadletter		*dead;
	int				 strict_order;
	size_t				 batch_max;	/* records per call */
	uktv_publisher_fn		 hook;
	void				*hook_arg;
	struct uktv_publisher_counts	 n;
	struct uktv_error		 fatal;		/* a call failed outright */
};

struct uktv_publisher *
uktv_publisher_open(const struct uktv_publisher_opts *o, struct uktv_error *err)
{
	struct uktv_kinesis_batch_opts bo = o->batch;
	struct uktv_publisher *p;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	p->lines = o->lines;
	p->strict_order = o->strict_order;
	p->hook = o->hook;
	p->hook_arg = o->hook_arg;
	p->batch_max = bo.max_records > 0 &&
	    bo.max_records < UKTV_KINESIS_PUT_MAX_RECORDS ?
	    (size_t)bo.max_records : UKTV_KINESIS_PUT_MAX_RECORDS;
	if (bo.max_rate > 0 && bo.max_rate < (double)p->batch_max)
		p->batch_max = (size_t)(bo.max_records = (int)bo.max_rate);
	/* The dead letters first: a file that cannot be written is said
	 * before anything else is tried. */
	if ((o->dead_letter != NULL &&
	    (p->dead = uktv_deadletter_open(o->dead_letter, err)) == NULL) ||
	    (p->batch = uktv_kinesis_batch_new(&o->stream, &bo, err)) == NULL) {
		uktv_publisher_close(p, NULL);
		return NULL;
	}
	return p;
}

int
uktv_publisher_close(struct uktv_publisher *p, struct uktv_error *err)
{
	int rc;

	if (p == NULL)
		return 0;
	rc = uktv_deadletter_close(p->dead, err);
	uktv_kinesis_batch_free(p->batch);
	free(p);
	return rc;
}

/* One dead-letter line (deadletter.h); a line too long to hold (input
 * NULL) has only its length. */
static void
dead_letter(struct uktv_publisher *p, unsigned long long line,
    const void *input, size_t len, const char *code, const char *message)
{
	struct uktv_dead_entry d;
	struct uktv_error e;

	if (p->dead == NULL)
		return;
	uktv_dead_entry_init(&d);
	d.input = input;
	d.len = len;
	d.error = code;
	d.message = message;
	d.line = line;
	uktv_error_clear(&e);
	if (uktv_deadletter_put(p->dead, &d, &e) == -1)
		p->n.dead_errors++;
}

static void
tell(struct uktv_publisher *p, const struct uktv_publish_result *r)
{
	if (p->hook != NULL)
		p->hook(r, p->hook_arg);
}

/* A line that is not sent: dead letter, hook. */
static void
reject(struct uktv_publisher *p, const struct uktv_ndjson_line *ln,
    const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
reject(struct uktv_publisher *p, const struct uktv_ndjson_line *ln,
    const char *code, const char *fmt, ...)
{
	struct uktv_publish_result r = { 0 };
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dead_letter(p, ln->lineno, ln->text, ln->len, code, msg);
	r.outcome = UKTV_PUBLISH_REJECTED;
	r.line = ln->lineno;
	r.code = code;
	r.message = msg;
	tell(p, &r);
	p->n.rejected++;
}

/* The final outcome of a record the batch took. */
static void
on_result(const struct uktv_kinesis_result *res, void *arg)
{
	struct uktv_publisher *p = arg;
	struct uktv_publish_result r = { 0 };

	r.line = res->tag;
	if (res->error_code == NULL) {
		r.outcome = UKTV_PUBLISH_DELIVERED;
		r.shard = res->shard_id;
		r.sequence = res->sequence;
		tell(p, &r);
		return;
	}
	r.outcome = UKTV_PUBLISH_FAILED;
	r.code = res->error_code;
	r.message = res->error_message ? res->error_message : "";
	r.attempts = res->attempts;
	r.call_failed = res->call_failed;
	/* The input is the data itself, or the envelope line kept as note. */
	if (res->note != NULL)
		dead_letter(p, res->tag, res->note, res->note_len, r.code,
		    r.message);
	else
		dead_letter(p, res->tag, res->data, res->data_len, r.code,
		    r.message);
	tell(p, &r);
	p->n.failed++;
}

void
uktv_publisher_flush(struct uktv_publisher *p, struct uktv_aws *aws)
{
	struct uktv_error e;

	if (uktv_kinesis_batch_count(p->batch) == 0)
		return;
	uktv_error_clear(&e);
	if (uktv_kinesis_batch_flush(aws, p->batch, on_result, p, &e) == -1 &&
	    p->fatal.kind == UKTV_ERR_NONE)
		p->fatal = e;
}

/* One good line (UTF-8 checked by the reader): its record into the batch. */
static void
add_record(struct uktv_publisher *p, struct uktv_aws *aws,
    const struct uktv_ndjson_line *ln)
{
	struct uktv_kinesis_record rec;
	struct uktv_error e;
	const char *code;
	char why[512];

	if (uktv_recordline_build(p->lines, ln->text, ln->len, ln->lineno, &rec,
	    &code, why, sizeof(why)) == -1) {
		reject(p, ln, code, "%s", why);
		return;
	}
	if ((p->strict_order && uktv_kinesis_batch_has_key(p->batch,
	    rec.partition_key, rec.partition_key_len)) ||
	    !uktv_kinesis_batch_fits(p->batch, rec.data_len,
	    rec.partition_key_len))
		uktv_publisher_flush(p, aws);
	if (p->fatal.kind != UKTV_ERR_NONE) {
		/* The service is gone: what would have been sent is kept. */
		reject(p, ln, p->fatal.code[0] ? p->fatal.code : "Unavailable",
		    "%s", p->fatal.message);
		return;
	}
	/* e is filled only on failure: no clearing per line. */
	if (uktv_kinesis_batch_add(p->batch, &rec, &e) == -1)
		reject(p, ln, "invalid_record", "%s", e.message);
}

void
uktv_publisher_add(struct uktv_publisher *p, struct uktv_aws *aws,
    const struct uktv_ndjson_line *ln)
{
	p->n.lines++;
	if (ln->reject != UKTV_NDJSON_OK)
		reject(p, ln, uktv_ndjson_reject_code(ln->reject), "%s",
		    ln->reason);
	else
		add_record(p, aws, ln);
	if (uktv_kinesis_batch_count(p->batch) >= p->batch_max)
		uktv_publisher_flush(p, aws);
}

size_t
uktv_publisher_pending(const struct uktv_publisher *p)
{
	return uktv_kinesis_batch_count(p->batch);
}

const struct uktv_error *
uktv_publisher_failed(const struct uktv_publisher *p)
{
	return p->fatal.kind != UKTV_ERR_NONE ? &p->fatal : NULL;
}

void
uktv_publisher_counts(const struct uktv_publisher *p,
    struct uktv_publisher_counts *out)
{
	*out = p->n;
	out->sent = *uktv_kinesis_batch_stats(p->batch);
}
