/*
 * streamreader.c: see streamreader.h.
 *
 * Kinesis GetRecords answers are the hot path (up to 10,000 records and
 * 10 MiB a call): they are not built into json-c objects but scanned once,
 * strings and base64 data decoded in place in the HTTP body (decoding never
 * makes text longer), and records point into that body.  DynamoDB Streams
 * answers (at most 1,000 small records) go through json-c, since their
 * users want the record objects.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "backoff.h"
#include "base64.h"
#include "parse.h"
#include "ddbstreams.h"
#include "kinesis.h"
#include "kpl.h"
#include "streamreader.h"
#include "time.h"

/* Kinesis Developer Guide, "Quotas and limits": GetRecords, 5 transactions
 * per second per shard. */
#define DEF_MIN_INTERVAL_MS	200
/* The KCL's idleTimeBetweenReadsInMillis default. */
#define DEF_POLL_MS		1000
#define DEF_REFRESH_MS		30000
/* -e: records that arrived this long after the start still belong to the
 * run (clock skew and rounding between the service and this host). */
#define UKTV_SR_END_SLACK_MS	500
/* Consecutive failed calls of one shard, after the client's own retries,
 * before a transient failure (5xx, resets) is given up on. */
#define MAX_TRANSIENT		8
#define BACKOFF_CAP_MS		20000
/* The retry base when the client's is 0: the SDKs' 1 s. */
#define DEF_RETRY_BASE_MS	1000
/* Nesting the scanner of GetRecords answers accepts. */
#define SCAN_DEPTH		64

struct shard {
	char			*id;
	char			*parent;
	char			*adjacent;
	char			*start_seq;
	char			*end_seq;
	unsigned		 gen;		/* listing it was last seen in */
	enum uktv_sr_shard_state state;
	char			*iterator;
	struct uktv_position	 cur;		/* after the last record delivered */
	int			 skip_active;	/* AT_SEQUENCE_NUMBER: drop what
						 * is at or before skip */
	struct uktv_position	 skip;
	long long		 skip_before_ms;/* Streams have no AT_TIMESTAMP */
	long long		 next_ms;	/* earliest next call */
	int			 attempt;	/* failed calls in a row */
	int			 open_ends;	/* answers without a next
						 * iterator while listed open */
	long long		 behind;	/* MillisBehindLatest, -1 */
	int			 gap;		/* trimmed: report at next answer */
	char			 gap_from[UKTV_SEQUENCE_MAX + 1];
};

struct uktv_streamreader {
	struct uktv_aws			*aws;
	struct uktv_streamreader_opts	 o;
	struct uktv_kinesis_stream	 ks;
	long long			 until_ms;	/* 0: none */
	/* A shard caught up by a call made at or after this time is at its
	 * end (the run's start for -e, else until_ms). */
	long long			 tip_ms;
	long long			 base_ms;	/* backoff base */

	struct shard			*shards;
	size_t				 nshards, cap;
	unsigned			 gen;
	int				 need_list;
	long long			 refresh_at;
	int				 closed;	/* watch_fd's reader gone */

	/* The answer being delivered. */
	int				 pending;
	size_t				 cur;		/* shard index */
	struct uktv_http_response	 resp;		/* Kinesis */
	struct json_object		*jresp;		/* Streams */
	struct uktv_stream_record	*recs;
	size_t				 nrecs, caprecs, pos;
	int				 pend_end;
	long long			 pend_behind;
	struct uktv_kpl_aggregate	 agg;

	struct uktv_streamreader_stats	 stats;
	char				 msg[1024];
};

/* ------------------------------------------------------------ helpers */

static void
note(struct uktv_streamreader *r, enum uktv_sr_note kind, const char *shard,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
note(struct uktv_streamreader *r, enum uktv_sr_note kind, const char *shard,
    const char *fmt, ...)
{
	va_list ap;

	if (r->o.note == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	r->o.note(r->o.arg, kind, shard, r->msg);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL && *s != '\0' ? strdup(s) : NULL;
}

/* The SDKs' exponential backoff from the client's retry base, capped, with
 * equal jitter: at least half the delay, so a throttled shard is not
 * hammered. */
static long long
backoff_ms(const struct uktv_streamreader *r, int attempt)
{
	return uktv_backoff_ms(r->base_ms, BACKOFF_CAP_MS, attempt,
	    UKTV_JITTER_EQUAL);
}

static void
sleep_until(struct uktv_streamreader *r, long long when)
{
	long long d = when - uktv_time_mono_ms();
	struct timespec ts;
	struct pollfd p;

	if (d <= 0 || (r->o.stop != NULL && *r->o.stop))
		return;
	if (r->o.watch_fd > 0) {
		/* No events asked: poll wakes only for POLLERR/POLLHUP, the
		 * moment the output's reader closes, or at the time.  A
		 * signal cuts it short (EINTR): next() looks at stop. */
		p.fd = r->o.watch_fd;
		p.events = 0;
		p.revents = 0;
		if (poll(&p, 1, d > INT_MAX ? INT_MAX : (int)d) != 1 ||
		    (p.revents & POLLNVAL) == 0) {
			if ((p.revents & (POLLERR | POLLHUP)) != 0)
				r->closed = 1;
			return;
		}
		/* Not an open descriptor: nothing to watch, so sleep (an
		 * at once returning poll would spin). */
		if ((d = when - uktv_time_mono_ms()) <= 0)
			return;
	}
	ts.tv_sec = d / 1000;
	ts.tv_nsec = (d % 1000) * 1000000;
	/* A signal cuts the sleep short (EINTR): next() looks at stop. */
	nanosleep(&ts, NULL);
}

static void
shard_info(const struct shard *s, struct uktv_shard_info *info)
{
	info->shard_id = s->id;
	info->parent = s->parent;
	info->adjacent_parent = s->adjacent;
	info->starting_sequence = s->start_seq;
	info->ending_sequence = s->end_seq;
}

static struct shard *
find_shard(struct uktv_streamreader *r, const char *id)
{
	for (size_t i = 0; i < r->nshards; i++)
		if (strcmp(r->shards[i].id, id) == 0)
			return &r->shards[i];
	return NULL;
}

static void
drop_pending(struct uktv_streamreader *r)
{
	r->pending = 0;
	r->nrecs = r->pos = 0;
	r->pend_end = 0;
	uktv_http_response_free(&r->resp);
	memset(&r->resp, 0, sizeof(r->resp));
	json_object_put(r->jresp);
	r->jresp = NULL;
}

/* ------------------------------------------------------------ listing */

struct list_ctx {
	struct uktv_streamreader	*r;
	void				(*fn)(void *, const struct uktv_shard_info *);
	void				*arg;
	int				 failed;
};

static const char *
jstr_member(struct json_object *o, const char *name)
{
	struct json_object *v;

	if (o != NULL && json_object_object_get_ex(o, name, &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

static int
info_of(struct json_object *js, struct uktv_shard_info *info)
{
	struct json_object *range = NULL;

	memset(info, 0, sizeof(*info));
	if ((info->shard_id = jstr_member(js, "ShardId")) == NULL)
		return -1;
	info->parent = jstr_member(js, "ParentShardId");
	info->adjacent_parent = jstr_member(js, "AdjacentParentShardId");
	json_object_object_get_ex(js, "SequenceNumberRange", &range);
	info->starting_sequence = jstr_member(range, "StartingSequenceNumber");
	info->ending_sequence = jstr_member(range, "EndingSequenceNumber");
	return 0;
}

/* Adds or refreshes a listed shard. */
static int
on_listed(struct list_ctx *c, const struct uktv_shard_info *info)
{
	struct uktv_streamreader *r = c->r;
	struct shard *s;

	if (!uktv_shard_id_valid(info->shard_id))
		return 0;
	if ((s = find_shard(r, info->shard_id)) == NULL) {
		if (r->nshards == r->cap) {
			size_t nc = r->cap ? r->cap * 2 : 16;
			struct shard *ns = reallocarray(r->shards, nc, sizeof(*ns));

			if (ns == NULL) {
				c->failed = 1;
				return 1;
			}
			r->shards = ns;
			r->cap = nc;
		}
		s = &r->shards[r->nshards];
		memset(s, 0, sizeof(*s));
		if ((s->id = strdup(info->shard_id)) == NULL) {
			c->failed = 1;
			return 1;
		}
		s->parent = dup_or_null(info->parent);
		s->adjacent = dup_or_null(info->adjacent_parent);
		s->start_seq = dup_or_null(info->starting_sequence);
		s->state = UKTV_SR_SHARD_WAITING;
		s->behind = -1;
		uktv_position_set(&s->cur, UKTV_POS_NONE);
		r->nshards++;
	}
	if (s->end_seq == NULL && info->ending_sequence != NULL)
		s->end_seq = dup_or_null(info->ending_sequence);
	s->gen = r->gen;
	return 0;
}

static int
kinesis_listed(struct json_object *js, void *arg)
{
	struct list_ctx *c = arg;
	struct uktv_shard_info info;

	if (info_of(js, &info) == -1)
		return 0;
	if (c->fn != NULL) {
		c->fn(c->arg, &info);
		return 0;
	}
	return on_listed(c, &info);
}

static int
backend_list(struct uktv_aws *aws, enum uktv_sr_backend be, const char *stream,
    int page_size, struct list_ctx *c, struct uktv_error *err)
{
	struct uktv_kinesis_stream ks = { 0 };

	if (page_size < 0)
		page_size = 0;
	if (be == UKTV_SR_DDBSTREAMS)
		return uktv_ddbstreams_describe(aws, stream, page_size,
		    kinesis_listed, c, NULL, err);
	if (strncmp(stream, "arn:", 4) == 0)
		ks.arn = stream;
	else
		ks.name = stream;
	if (page_size > UKTV_KINESIS_LIST_SHARDS_MAX)
		page_size = UKTV_KINESIS_LIST_SHARDS_MAX;
	return uktv_kinesis_list_shards(aws, &ks, NULL, page_size,
	    kinesis_listed, c, err);
}

int
uktv_streamreader_list(struct uktv_aws *aws, enum uktv_sr_backend be,
    const char *stream, void (*fn)(void *, const struct uktv_shard_info *),
    void *arg, struct uktv_error *err)
{
	struct list_ctx c = { NULL, fn, arg, 0 };

	return backend_list(aws, be, stream, 0, &c, err);
}

/* The state a child sees of one of its parents: DONE (none, finished, or
 * gone from the listing), STOPPED, or WAITING. */
static enum uktv_sr_shard_state
parent_state(struct uktv_streamreader *r, const char *id)
{
	struct shard *p;

	if (id == NULL || (p = find_shard(r, id)) == NULL)
		return UKTV_SR_SHARD_DONE;
	if (p->state == UKTV_SR_SHARD_DONE || p->state == UKTV_SR_SHARD_STOPPED)
		return p->state;
	if (p->gen != r->gen && p->state != UKTV_SR_SHARD_READING)
		return UKTV_SR_SHARD_DONE;	/* trimmed away */
	return UKTV_SR_SHARD_WAITING;
}

static const char *
start_text(const struct uktv_position *p, char *buf, size_t len)
{
	char ts[32];

	switch (p->kind) {
	case UKTV_POS_SEQUENCE:
		if (p->sub_sequence >= 0)
			snprintf(buf, len, "after %s/%lld", p->sequence,
			    p->sub_sequence);
		else
			snprintf(buf, len, "after %s", p->sequence);
		break;
	case UKTV_POS_AT_TIMESTAMP:
		uktv_time_format(p->timestamp_ms, ts);
		snprintf(buf, len, "at %s", ts);
		break;
	default:
		snprintf(buf, len, "at %s", uktv_position_text(p));
	}
	return buf;
}

/* Claims every waiting shard whose parents are finished, parents first. */
static int
settle(struct uktv_streamreader *r, struct uktv_error *err)
{
	struct uktv_shard_info info;
	struct uktv_position pos;
	char buf[UKTV_SEQUENCE_MAX + 40];
	int changed, c;

	do {
		changed = 0;
		for (size_t i = 0; i < r->nshards; i++) {
			struct shard *s = &r->shards[i];
			enum uktv_sr_shard_state ps, as;

			if (s->state != UKTV_SR_SHARD_WAITING || s->gen != r->gen)
				continue;
			ps = parent_state(r, s->parent);
			as = parent_state(r, s->adjacent);
			if (ps == UKTV_SR_SHARD_STOPPED ||
			    as == UKTV_SR_SHARD_STOPPED) {
				/* Its records all came after the end. */
				s->state = UKTV_SR_SHARD_STOPPED;
				changed = 1;
				continue;
			}
			if (ps != UKTV_SR_SHARD_DONE || as != UKTV_SR_SHARD_DONE)
				continue;
			shard_info(s, &info);
			pos = r->o.start;
			c = UKTV_SR_CLAIM_READ;
			if (r->o.claim != NULL &&
			    (c = r->o.claim(r->o.arg, &info, &pos, err)) == -1)
				return -1;
			if (c == UKTV_SR_CLAIM_READ &&
			    pos.kind == UKTV_POS_SHARD_END)
				c = UKTV_SR_CLAIM_DONE;
			/* SHARD_END is where a closed shard ends: for one the
			 * stream lists as open it would skip whatever comes. */
			if (c == UKTV_SR_CLAIM_DONE && s->end_seq == NULL)
				return uktv_error_set(err, UKTV_ERR_INPUT,
				    "%s: its checkpoint says SHARD_END, but the "
				    "stream lists the shard as open: fix or "
				    "remove that checkpoint", s->id);
			if (pos.kind == UKTV_POS_NONE)
				uktv_position_set(&pos, UKTV_POS_TRIM_HORIZON);
			s = &r->shards[i];	/* re-read: a hook may list shards */
			switch (c) {
			case UKTV_SR_CLAIM_SKIP:
				s->state = UKTV_SR_SHARD_SKIPPED;
				break;
			case UKTV_SR_CLAIM_DONE:
				s->state = UKTV_SR_SHARD_DONE;
				uktv_position_set(&s->cur, UKTV_POS_SHARD_END);
				changed = 1;
				break;
			default:
				s->state = UKTV_SR_SHARD_READING;
				s->cur = pos;
				s->next_ms = 0;
				s->attempt = 0;
				note(r, UKTV_SR_NOTE_START, s->id, "reading %s",
				    start_text(&pos, buf, sizeof(buf)));
				changed = 1;
			}
		}
	} while (changed);
	return 0;
}

static int
list_and_settle(struct uktv_streamreader *r, struct uktv_error *err)
{
	struct list_ctx c = { r, NULL, NULL, 0 };
	long long refresh = r->o.refresh_ms > 0 ? r->o.refresh_ms : DEF_REFRESH_MS;

	r->gen++;
	if (backend_list(r->aws, r->o.backend, r->o.stream, r->o.list_page_size,
	    &c, err) == -1) {
		r->gen--;
		return -1;
	}
	if (c.failed)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	r->stats.listings++;
	r->need_list = 0;
	r->refresh_at = uktv_time_mono_ms() + refresh;
	/* Shards another reader had are asked about again. */
	for (size_t i = 0; i < r->nshards; i++)
		if (r->shards[i].state == UKTV_SR_SHARD_SKIPPED)
			r->shards[i].state = UKTV_SR_SHARD_WAITING;
	return settle(r, err);
}

/* ------------------------------------------------------------ errors */

enum fault { F_TRIMMED, F_EXPIRED, F_GONE, F_THROTTLE, F_TRANSIENT, F_FATAL };

static enum fault
classify(const struct uktv_error *err)
{
	if (strcmp(err->code, "TrimmedDataAccessException") == 0 ||
	    (strcmp(err->code, "InvalidArgumentException") == 0 &&
	    strcasestr(err->message, "trimmed") != NULL))
		return F_TRIMMED;
	if (strcmp(err->code, "ExpiredIteratorException") == 0)
		return F_EXPIRED;
	/* A shard gone (trimmed away, or a stream re-created) as opposed to
	 * the stream itself missing, which is fatal. */
	if (strcmp(err->code, "ResourceNotFoundException") == 0 &&
	    strcasestr(err->message, "shard") != NULL)
		return F_GONE;
	if (uktv_aws_code_is_throttle(err->code))
		return F_THROTTLE;
	if (err->retryable || err->kind == UKTV_ERR_UNAVAILABLE)
		return F_TRANSIENT;
	return F_FATAL;
}

static void
drop_iterator(struct shard *s)
{
	free(s->iterator);
	s->iterator = NULL;
}

/* Deals with a failed call for shard s: 0 when reading can go on. */
static int
fault(struct uktv_streamreader *r, struct shard *s, struct uktv_error *err)
{
	long long now = uktv_time_mono_ms(), d;

	switch (classify(err)) {
	case F_TRIMMED:
		r->stats.trimmed++;
		drop_iterator(s);
		if (s->cur.kind == UKTV_POS_TRIM_HORIZON) {
			/* Trimmed again while starting over: wait a little. */
			s->attempt++;
			s->next_ms = now + backoff_ms(r, s->attempt);
			return 0;
		}
		s->gap = 1;
		strlcpy(s->gap_from, s->cur.kind == UKTV_POS_SEQUENCE ?
		    s->cur.sequence : uktv_position_text(&s->cur),
		    sizeof(s->gap_from));
		uktv_position_set(&s->cur, UKTV_POS_TRIM_HORIZON);
		s->next_ms = now;
		return 0;
	case F_EXPIRED:
		r->stats.expired++;
		drop_iterator(s);
		note(r, UKTV_SR_NOTE_EXPIRED, s->id,
		    "shard iterator expired: renewed after %s",
		    s->cur.kind == UKTV_POS_SEQUENCE ? s->cur.sequence :
		    uktv_position_text(&s->cur));
		return 0;
	case F_GONE:
		drop_iterator(s);
		s->state = UKTV_SR_SHARD_DONE;
		r->need_list = 1;
		note(r, UKTV_SR_NOTE_GONE, s->id, "shard no longer exists "
		    "(trimmed away): %s", err->message);
		return 0;
	case F_THROTTLE:
		r->stats.throttles++;
		s->attempt++;
		d = backoff_ms(r, s->attempt);
		s->next_ms = now + d;
		note(r, UKTV_SR_NOTE_THROTTLED, s->id,
		    "throttled (%s): next call in %lld ms", err->code, d);
		return 0;
	case F_TRANSIENT:
		if (++s->attempt > MAX_TRANSIENT)
			return -1;
		d = backoff_ms(r, s->attempt);
		s->next_ms = now + d;
		note(r, UKTV_SR_NOTE_RETRY, s->id, "%s: next call in %lld ms",
		    err->message, d);
		return 0;
	default:
		return -1;
	}
}

/* ------------------------------------------------------------ iterators */

static int
acquire(struct uktv_streamreader *r, struct shard *s, struct uktv_error *err)
{
	const char *type = "TRIM_HORIZON", *seq = NULL;
	long long ts = 0;

	s->skip_active = 0;
	s->skip_before_ms = 0;
	switch (s->cur.kind) {
	case UKTV_POS_LATEST:
		type = "LATEST";
		break;
	case UKTV_POS_AT_TIMESTAMP:
		if (r->o.backend == UKTV_SR_KINESIS) {
			type = "AT_TIMESTAMP";
			ts = s->cur.timestamp_ms;
		} else
			/* DynamoDB Streams have no AT_TIMESTAMP iterator:
			 * read from the horizon and drop what came before. */
			s->skip_before_ms = s->cur.timestamp_ms;
		break;
	case UKTV_POS_SEQUENCE:
		seq = s->cur.sequence;
		if (s->cur.inclusive)
			type = "AT_SEQUENCE_NUMBER";
		else if (s->cur.sub_sequence >= 0) {
			/* Inside (or at the end of) an aggregate: read the
			 * aggregate again and drop the user records done. */
			type = "AT_SEQUENCE_NUMBER";
			s->skip = s->cur;
			s->skip_active = 1;
		} else
			type = "AFTER_SEQUENCE_NUMBER";
		break;
	case UKTV_POS_SHARD_END:
		s->state = UKTV_SR_SHARD_DONE;
		return 0;
	default:
		break;
	}
	if (r->o.backend == UKTV_SR_KINESIS)
		return uktv_kinesis_get_shard_iterator(r->aws, &r->ks, s->id,
		    type, seq, ts, &s->iterator, err);
	return uktv_ddbstreams_get_shard_iterator(r->aws, r->o.stream, s->id,
	    type, seq, &s->iterator, err);
}

/* ------------------------------------------------------------ records */

static struct uktv_stream_record *
new_rec(struct uktv_streamreader *r)
{
	struct uktv_stream_record *rec;

	if (r->nrecs == r->caprecs) {
		size_t nc = r->caprecs ? r->caprecs * 2 : 1024;

		if ((rec = reallocarray(r->recs, nc, sizeof(*rec))) == NULL)
			return NULL;
		r->recs = rec;
		r->caprecs = nc;
	}
	rec = &r->recs[r->nrecs++];
	memset(rec, 0, sizeof(*rec));
	return rec;
}

/* 1 when the user record (seq, sub) was done before an AT_SEQUENCE_NUMBER
 * restart and must be dropped. */
static int
skipped(struct shard *s, const char *seq, long long sub)
{
	int c;

	if (!s->skip_active)
		return 0;
	c = uktv_cmp_decimal(seq, s->skip.sequence);
	if (c > 0) {
		s->skip_active = 0;
		return 0;
	}
	if (c < 0)
		return 1;
	/* The checkpointed record itself: a plain record was done whole. */
	return sub < 0 || sub <= s->skip.sub_sequence;
}

/* One record as it came (before de-aggregation). */
struct raw {
	const char	*seq;
	long long	 arrival_ms;
	unsigned char	*data;
	size_t		 data_len;
	const char	*pk;
	size_t		 pk_len;
	struct json_object *record;
};

struct answer {
	int		 stop;		/* a record arrived after until_ms */
	size_t		 nraw;		/* records in the answer */
	const char	*first_seq;	/* first record in the answer */
};

static int
add_raw(struct uktv_streamreader *r, struct shard *s, const struct raw *w,
    struct answer *a, struct uktv_error *err)
{
	struct uktv_stream_record *rec;
	char why[200];
	enum uktv_kpl_status st;

	a->nraw++;
	if (a->first_seq == NULL)
		a->first_seq = w->seq;
	if (a->stop)
		return 0;
	if (r->until_ms != 0 && w->arrival_ms > r->until_ms) {
		a->stop = 1;
		return 0;
	}
	if (s->skip_before_ms != 0 && w->arrival_ms < s->skip_before_ms)
		return 0;
	if (r->o.backend == UKTV_SR_KINESIS && !r->o.no_deaggregate &&
	    uktv_kpl_is_aggregated(w->data, w->data_len)) {
		st = uktv_kpl_decode(w->data, w->data_len, &r->agg, why,
		    sizeof(why));
		if (st == UKTV_KPL_NOMEM)
			return uktv_error_set(err, UKTV_ERR_INTERNAL,
			    "out of memory");
		if (st == UKTV_KPL_OK) {
			r->stats.aggregates++;
			for (size_t i = 0; i < r->agg.n; i++) {
				const struct uktv_kpl_user_record *u =
				    &r->agg.records[i];

				if (skipped(s, w->seq, (long long)i))
					continue;
				if ((rec = new_rec(r)) == NULL)
					return uktv_error_set(err,
					    UKTV_ERR_INTERNAL, "out of memory");
				rec->shard_id = s->id;
				rec->sequence = w->seq;
				rec->sub_sequence = (long long)i;
				rec->partition_key = u->partition_key;
				rec->partition_key_len = u->partition_key_len;
				rec->explicit_hash_key = u->explicit_hash_key;
				rec->explicit_hash_key_len =
				    u->explicit_hash_key_len;
				rec->arrival_ms = w->arrival_ms;
				rec->data = u->data;
				rec->data_len = u->data_len;
			}
			return 0;
		}
		r->stats.kpl_bad++;
		note(r, UKTV_SR_NOTE_KPL, s->id, "sequence %s: %s: delivered "
		    "whole", w->seq, why);
		if (skipped(s, w->seq, -1))
			return 0;
		if ((rec = new_rec(r)) == NULL)
			return uktv_error_set(err, UKTV_ERR_INTERNAL,
			    "out of memory");
		rec->kpl_bad = 1;
	} else {
		if (skipped(s, w->seq, -1))
			return 0;
		if ((rec = new_rec(r)) == NULL)
			return uktv_error_set(err, UKTV_ERR_INTERNAL,
			    "out of memory");
	}
	rec->shard_id = s->id;
	rec->sequence = w->seq;
	rec->sub_sequence = -1;
	rec->partition_key = w->pk;
	rec->partition_key_len = w->pk_len;
	rec->arrival_ms = w->arrival_ms;
	rec->data = w->data;
	rec->data_len = w->data_len;
	rec->record = w->record;
	return 0;
}

/* --- a scanner for Kinesis GetRecords answers, decoding in place */

struct scan {
	char	*p, *end;
};

static void
ws(struct scan *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
	    *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int
hex4(const char *p, unsigned *v)
{
	unsigned x = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];

		x <<= 4;
		if (c >= '0' && c <= '9')
			x |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			x |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			x |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*v = x;
	return 0;
}

static char *
utf8(char *w, unsigned cp)
{
	if (cp < 0x80)
		*w++ = (char)cp;
	else if (cp < 0x800) {
		*w++ = (char)(0xc0 | cp >> 6);
		*w++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*w++ = (char)(0xe0 | cp >> 12);
		*w++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*w++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*w++ = (char)(0xf0 | cp >> 18);
		*w++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*w++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*w++ = (char)(0x80 | (cp & 0x3f));
	}
	return w;
}

/*
 * A string at j->p, decoded in place: the text moves to where its opening
 * quote was and is NUL-terminated (the decoding is never longer than the
 * escaped text, so the write position stays behind the read position).
 */
static int
scan_string(struct scan *j, char **out, size_t *len)
{
	char *q = j->p, *w = j->p, *start = j->p;
	unsigned cp, lo;

	if (q >= j->end || *q != '"')
		return -1;
	for (q++; q < j->end;) {
		unsigned char c = (unsigned char)*q;

		if (c == '"') {
			*w = '\0';
			j->p = q + 1;
			*out = start;
			*len = (size_t)(w - start);
			return 0;
		}
		if (c < 0x20)
			return -1;
		if (c != '\\') {
			*w++ = *q++;
			continue;
		}
		if (++q >= j->end)
			return -1;
		switch (*q) {
		case '"': case '\\': case '/':
			*w++ = *q++;
			break;
		case 'b': *w++ = '\b'; q++; break;
		case 'f': *w++ = '\f'; q++; break;
		case 'n': *w++ = '\n'; q++; break;
		case 'r': *w++ = '\r'; q++; break;
		case 't': *w++ = '\t'; q++; break;
		case 'u':
			if (j->end - q < 5 || hex4(q + 1, &cp) == -1)
				return -1;
			q += 5;
			if (cp >= 0xd800 && cp <= 0xdbff && j->end - q >= 6 &&
			    q[0] == '\\' && q[1] == 'u' &&
			    hex4(q + 2, &lo) == 0 && lo >= 0xdc00 &&
			    lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				q += 6;
			} else if (cp >= 0xd800 && cp <= 0xdfff)
				cp = 0xfffd;	/* a lone surrogate */
			w = utf8(w, cp);
			break;
		default:
			return -1;
		}
	}
	return -1;
}

static int
scan_number(struct scan *j, double *v)
{
	char *e;

	errno = 0;
	*v = strtod(j->p, &e);
	if (e == j->p || e > j->end)
		return -1;
	j->p = e;
	return 0;
}

static int
scan_literal(struct scan *j, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
		return -1;
	j->p += n;
	return 0;
}

static int
scan_skip(struct scan *j, int depth)
{
	char *s;
	size_t n;
	double d;
	char close;

	ws(j);
	if (j->p >= j->end || depth > SCAN_DEPTH)
		return -1;
	switch (*j->p) {
	case '"':
		return scan_string(j, &s, &n);
	case 't':
		return scan_literal(j, "true");
	case 'f':
		return scan_literal(j, "false");
	case 'n':
		return scan_literal(j, "null");
	case '{':
	case '[':
		close = *j->p == '{' ? '}' : ']';
		j->p++;
		ws(j);
		if (j->p < j->end && *j->p == close) {
			j->p++;
			return 0;
		}
		for (;;) {
			if (close == '}') {
				ws(j);
				if (scan_string(j, &s, &n) == -1)
					return -1;
				ws(j);
				if (j->p >= j->end || *j->p++ != ':')
					return -1;
			}
			if (scan_skip(j, depth + 1) == -1)
				return -1;
			ws(j);
			if (j->p >= j->end)
				return -1;
			if (*j->p == ',') {
				j->p++;
				continue;
			}
			if (*j->p++ != close)
				return -1;
			return 0;
		}
	default:
		return scan_number(j, &d);
	}
}

/*
 * Walks an object at j->p: for each member, fn(key, j) parses or skips the
 * value.  Returns 0 at the closing brace.
 */
static int
scan_object(struct scan *j, int (*fn)(const char *, struct scan *, void *),
    void *arg)
{
	char *key;
	size_t n;

	ws(j);
	if (j->p >= j->end || *j->p++ != '{')
		return -1;
	ws(j);
	if (j->p < j->end && *j->p == '}') {
		j->p++;
		return 0;
	}
	for (;;) {
		ws(j);
		if (scan_string(j, &key, &n) == -1)
			return -1;
		ws(j);
		if (j->p >= j->end || *j->p++ != ':')
			return -1;
		ws(j);
		if (fn(key, j, arg) == -1)
			return -1;
		ws(j);
		if (j->p >= j->end)
			return -1;
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		return *j->p++ == '}' ? 0 : -1;
	}
}

struct kctx {
	struct uktv_streamreader	*r;
	struct shard			*s;
	struct answer			*a;
	struct uktv_error		*err;
	struct raw			 w;
	int				 have_seq, have_data;
	char				*next;		/* NextShardIterator */
	long long			 behind;
	int				 failed;	/* err set by add_raw */
	int				 have_records;	/* a Records array */
	char				*type;		/* __type, message: an */
	char				*message;	/* error-shaped answer */
};

static int
record_member(const char *key, struct scan *j, void *arg)
{
	struct kctx *k = arg;
	char *s;
	size_t n;
	double d;

	if (strcmp(key, "SequenceNumber") == 0) {
		if (scan_string(j, &s, &n) == -1)
			return -1;
		k->w.seq = s;
		k->have_seq = 1;
	} else if (strcmp(key, "ApproximateArrivalTimestamp") == 0) {
		if (scan_number(j, &d) == -1)
			return -1;
		k->w.arrival_ms = llround(d * 1000.0);
	} else if (strcmp(key, "Data") == 0) {
		if (scan_string(j, &s, &n) == -1 ||
		    uktv_base64_decode(s, n, s, &k->w.data_len) == -1)
			return -1;
		k->w.data = (unsigned char *)s;
		k->have_data = 1;
	} else if (strcmp(key, "PartitionKey") == 0) {
		if (scan_string(j, &s, &n) == -1)
			return -1;
		k->w.pk = s;
		k->w.pk_len = n;
	} else
		return scan_skip(j, 1);
	return 0;
}

static int
top_member(const char *key, struct scan *j, void *arg)
{
	struct kctx *k = arg;
	char *s;
	size_t n;
	double d;

	if (strcmp(key, "Records") == 0) {
		if (j->p >= j->end || *j->p++ != '[')
			return -1;
		k->have_records = 1;
		ws(j);
		if (j->p < j->end && *j->p == ']') {
			j->p++;
			return 0;
		}
		for (;;) {
			memset(&k->w, 0, sizeof(k->w));
			k->have_seq = k->have_data = 0;
			if (scan_object(j, record_member, k) == -1 ||
			    !k->have_seq || !k->have_data)
				return -1;
			if (add_raw(k->r, k->s, &k->w, k->a, k->err) == -1) {
				k->failed = 1;
				return -1;
			}
			ws(j);
			if (j->p >= j->end)
				return -1;
			if (*j->p == ',') {
				j->p++;
				ws(j);
				continue;
			}
			return *j->p++ == ']' ? 0 : -1;
		}
	}
	if (strcmp(key, "NextShardIterator") == 0) {
		if (j->p < j->end && *j->p == 'n')
			return scan_literal(j, "null");
		if (scan_string(j, &s, &n) == -1)
			return -1;
		k->next = n > 0 ? s : NULL;
		return 0;
	}
	if (strcmp(key, "MillisBehindLatest") == 0) {
		if (scan_number(j, &d) == -1)
			return -1;
		k->behind = llround(d);
		return 0;
	}
	if (j->p < j->end && *j->p == '"' && (strcmp(key, "__type") == 0 ||
	    strcasecmp(key, "message") == 0)) {
		if (scan_string(j, &s, &n) == -1)
			return -1;
		if (key[0] == '_')
			k->type = s;
		else
			k->message = s;
		return 0;
	}
	return scan_skip(j, 1);
}

/* An answer without Records: a retryable service fault naming what the
 * answer said, if it was error-shaped. */
static int
no_records(struct uktv_error *err, const char *op, const char *type,
    const char *message)
{
	uktv_error_set(err, UKTV_ERR_UNAVAILABLE, "%s: the answer has no "
	    "Records (%s%s%s)", op, type != NULL ? type : "no __type",
	    message != NULL ? ": " : "", message != NULL ? message : "");
	/* Not an AWS error answer (those come with an HTTP error status), so
	 * its __type is not taken as the error code: retried as a fault. */
	err->retryable = 1;
	return -1;
}

static int
kinesis_fetch(struct uktv_streamreader *r, struct shard *s, int limit,
    struct answer *a, char **next, long long *behind, struct uktv_error *err)
{
	struct kctx k;
	struct scan j;

	if (uktv_kinesis_get_records_raw(r->aws, &r->ks, s->iterator, limit,
	    &r->resp, err) == -1)
		return -1;
	memset(&k, 0, sizeof(k));
	k.r = r;
	k.s = s;
	k.a = a;
	k.err = err;
	k.behind = -1;
	j.p = r->resp.body;
	j.end = r->resp.body + r->resp.body_len;
	if (scan_object(&j, top_member, &k) == -1) {
		if (k.failed)
			return -1;
		return uktv_error_set(err, UKTV_ERR_SERVICE, "Kinesis "
		    "GetRecords: an answer of %zu bytes that is not the "
		    "expected JSON", r->resp.body_len);
	}
	/* Every GetRecords answer has a Records array, empty or not.  One
	 * without it (an error shape sent with HTTP 200, a broken proxy) says
	 * nothing about where the shard ends: a service fault, retried. */
	if (!k.have_records)
		return no_records(err, "Kinesis GetRecords", k.type,
		    k.message);
	if (k.next != NULL && (*next = strdup(k.next)) == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	*behind = k.behind;
	return 0;
}

static int
ddb_fetch(struct uktv_streamreader *r, struct shard *s, int limit,
    struct answer *a, char **next, long long *behind, struct uktv_error *err)
{
	struct json_object *recs, *rec, *dd, *v;
	const char *it, *msg;
	struct raw w;
	size_t n;

	if (uktv_ddbstreams_get_records(r->aws, s->iterator, limit, &r->jresp,
	    err) == -1) {
		r->jresp = NULL;
		return -1;
	}
	*behind = -1;
	if (!json_object_object_get_ex(r->jresp, "Records", &recs) ||
	    !json_object_is_type(recs, json_type_array)) {
		if ((msg = jstr_member(r->jresp, "message")) == NULL)
			msg = jstr_member(r->jresp, "Message");
		return no_records(err, "DynamoDB Streams GetRecords",
		    jstr_member(r->jresp, "__type"), msg);
	}
	n = json_object_array_length(recs);
	for (size_t i = 0; i < n; i++) {
		size_t len;

		rec = json_object_array_get_idx(recs, i);
		memset(&w, 0, sizeof(w));
		if (!json_object_object_get_ex(rec, "dynamodb", &dd) ||
		    (w.seq = jstr_member(dd, "SequenceNumber")) == NULL)
			return uktv_error_set(err, UKTV_ERR_SERVICE,
			    "DynamoDB Streams GetRecords: record %zu "
			    "has no dynamodb.SequenceNumber", i);
		if (json_object_object_get_ex(dd,
		    "ApproximateCreationDateTime", &v))
			w.arrival_ms = llround(
			    json_object_get_double(v) * 1000.0);
		w.data = (unsigned char *)(uintptr_t)
		    json_object_to_json_string_length(rec,
		    JSON_C_TO_STRING_PLAIN |
		    JSON_C_TO_STRING_NOSLASHESCAPE, &len);
		w.data_len = len;
		w.record = rec;
		if (add_raw(r, s, &w, a, err) == -1)
			return -1;
	}
	if ((it = jstr_member(r->jresp, "NextShardIterator")) != NULL &&
	    *it != '\0' && (*next = strdup(it)) == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	return 0;
}

/*
 * What one answer means for its shard: caught up or not, at its end, past
 * the end time; and when to call again.
 */
static void
advance(struct uktv_streamreader *r, struct shard *s, const struct answer *a,
    long long behind, long long call_ms, int limit)
{
	long poll = r->o.poll_ms > 0 ? r->o.poll_ms : DEF_POLL_MS;
	long gap = r->o.min_interval_ms > 0 ? r->o.min_interval_ms :
	    DEF_MIN_INTERVAL_MS;
	long long now;
	int tip, closed;

	/*
	 * Caught up.  Kinesis says so with MillisBehindLatest 0; an empty
	 * answer while it is above 0 only means the reader is behind (the
	 * Kinesis Developer Guide: keep calling while MillisBehindLatest > 0),
	 * and a full page is never the tip (moto says 0 for a full page of
	 * records put in the same millisecond, with more behind them).
	 * DynamoDB Streams say nothing of lag: there an empty answer is it.
	 */
	if (behind >= 0)
		tip = behind == 0 && a->nraw < (size_t)limit;
	else
		tip = a->nraw == 0;
	/* A shard the listing gave an EndingSequenceNumber is closed: it ends
	 * at a null NextShardIterator and nowhere else, also under -e and
	 * --until, so its children are reached. */
	closed = s->end_seq != NULL;
	if (a->stop) {
		s->state = UKTV_SR_SHARD_STOPPED;
		drop_iterator(s);
		note(r, UKTV_SR_NOTE_STOP, s->id, "reached the end time");
	} else if (s->iterator == NULL && closed) {
		/* A closed shard's end: these records first, then its end. */
		r->pend_end = 1;
	} else if (s->iterator == NULL) {
		/* No next iterator for a shard listed as open: it may have
		 * closed since the listing.  List again and read on from the
		 * last record; SHARD_END is written only for a closed shard. */
		s->open_ends++;
		r->need_list = 1;
	} else if (r->until_ms != 0 && call_ms >= r->tip_ms && tip && !closed) {
		/* Caught up after the end time: nothing older is left. */
		s->state = UKTV_SR_SHARD_STOPPED;
		drop_iterator(s);
		note(r, UKTV_SR_NOTE_STOP, s->id, "read to the end time");
	}
	if (s->iterator != NULL)
		s->open_ends = 0;
	/* A closed shard has nothing more to wait for: its end is one call
	 * away, at the shortest interval. */
	now = uktv_time_mono_ms();
	s->next_ms = now + (tip && !closed ? poll : gap);
	if (s->next_ms < now + gap)
		s->next_ms = now + gap;
	if (s->open_ends > 0)
		s->next_ms = now + backoff_ms(r, s->open_ends);
}

/* One GetRecords call for shard s; its records become the pending batch. */
static int
fetch(struct uktv_streamreader *r, struct shard *s, struct uktv_error *err)
{
	struct answer a;
	char *next = NULL;
	long long call_ms, behind = -1;
	int limit = r->o.limit, rc;

	drop_pending(r);
	/* A stale code would mislead classify(). */
	uktv_error_clear(err);
	if (s->open_ends > MAX_TRANSIENT)
		return uktv_error_set(err, UKTV_ERR_UNAVAILABLE, "GetRecords: "
		    "shard %s came to an end (no NextShardIterator) %d times "
		    "while the stream lists it as open", s->id, s->open_ends);
	if (s->iterator == NULL) {
		if (acquire(r, s, err) == -1)
			return fault(r, s, err);
		if (s->state != UKTV_SR_SHARD_READING)
			return 0;
	}
	uktv_error_clear(err);
	if (limit <= 0)
		limit = r->o.backend == UKTV_SR_KINESIS ?
		    UKTV_KINESIS_GET_RECORDS_MAX :
		    UKTV_DDBSTREAMS_GET_RECORDS_MAX;
	memset(&a, 0, sizeof(a));
	r->cur = (size_t)(s - r->shards);
	call_ms = uktv_time_now_ms();
	if (r->o.backend == UKTV_SR_KINESIS)
		rc = kinesis_fetch(r, s, limit, &a, &next, &behind, err);
	else
		rc = ddb_fetch(r, s, limit, &a, &next, &behind, err);
	if (rc == -1) {
		free(next);
		drop_pending(r);
		return fault(r, s, err);
	}
	r->stats.calls++;
	s->attempt = 0;
	s->behind = behind;
	if (s->gap) {
		s->gap = 0;
		note(r, UKTV_SR_NOTE_TRIMMED, s->id, "position after %s was "
		    "trimmed from the stream: reading on from TRIM_HORIZON, "
		    "first record %s; records in between, if any, were lost",
		    s->gap_from, a.first_seq ? a.first_seq : "(none yet)");
	}
	free(s->iterator);
	s->iterator = next;
	r->pend_behind = behind;
	r->pos = 0;
	advance(r, s, &a, behind, call_ms, limit);
	r->pending = r->nrecs > 0 || r->pend_end;
	return 0;
}

static void
deliver(struct uktv_streamreader *r, size_t max, struct uktv_stream_batch *b)
{
	struct shard *s = &r->shards[r->cur];
	size_t n = r->nrecs - r->pos;

	if (max > 0 && n > max)
		n = max;
	memset(b, 0, sizeof(*b));
	b->shard_id = s->id;
	/* An end batch may carry no records and no array: NULL + 0 is
	 * undefined in C, so it stays NULL. */
	b->records = r->recs != NULL ? r->recs + r->pos : NULL;
	b->n = n;
	b->millis_behind = r->pend_behind;
	for (size_t i = 0; i < n; i++)
		r->stats.bytes += b->records[i].data_len;
	r->stats.records += n;
	r->pos += n;
	if (n > 0) {
		const struct uktv_stream_record *last = &b->records[n - 1];

		uktv_position_set_sequence(&s->cur, last->sequence,
		    last->sub_sequence);
	}
	if (r->pos == r->nrecs) {
		r->pending = 0;
		if (r->pend_end) {
			b->shard_end = 1;
			s->state = UKTV_SR_SHARD_DONE;
			uktv_position_set(&s->cur, UKTV_POS_SHARD_END);
			r->need_list = 1;
			note(r, UKTV_SR_NOTE_END, s->id,
			    "read to its end (SHARD_END)");
		}
	}
	b->checkpoint = s->cur;
}

/* ------------------------------------------------------------ public */

struct uktv_streamreader *
uktv_streamreader_new(struct uktv_aws *aws,
    const struct uktv_streamreader_opts *o, struct uktv_error *err)
{
	struct uktv_streamreader *r;
	long long base;

	if (o->stream == NULL || *o->stream == '\0') {
		uktv_error_set(err, UKTV_ERR_USAGE, "no stream named");
		return NULL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	r->aws = aws;
	r->o = *o;
	if (r->o.start.kind == UKTV_POS_NONE)
		uktv_position_set(&r->o.start, UKTV_POS_TRIM_HORIZON);
	if (strncmp(o->stream, "arn:", 4) == 0)
		r->ks.arn = o->stream;
	else
		r->ks.name = o->stream;
	/* The same base the client's retries use (tests shorten it); 0, which
	 * switches the client's waits off, keeps the reader's default. */
	if ((base = uktv_aws_retry_base_ms(aws)) <= 0)
		base = DEF_RETRY_BASE_MS;
	r->base_ms = base;
	r->until_ms = r->tip_ms = o->until_ms;
	if (o->to_end) {
		long long t0 = uktv_time_now_ms();

		/* Arrival times are the service's clock, to the millisecond
		 * (rounded): a record put just before the start may carry a
		 * slightly later time than this clock says.  Records of the
		 * next moments are still taken, so -e still ends. */
		if (r->until_ms == 0 || t0 + UKTV_SR_END_SLACK_MS < r->until_ms)
			r->until_ms = t0 + UKTV_SR_END_SLACK_MS;
		if (r->tip_ms == 0 || t0 < r->tip_ms)
			r->tip_ms = t0;
	}
	r->need_list = 1;
	return r;
}

void
uktv_streamreader_free(struct uktv_streamreader *r)
{
	if (r == NULL)
		return;
	drop_pending(r);
	for (size_t i = 0; i < r->nshards; i++) {
		struct shard *s = &r->shards[i];

		free(s->id);
		free(s->parent);
		free(s->adjacent);
		free(s->start_seq);
		free(s->end_seq);
		free(s->iterator);
	}
	free(r->shards);
	free(r->recs);
	uktv_kpl_aggregate_free(&r->agg);
	free(r);
}

int
uktv_streamreader_next(struct uktv_streamreader *r, size_t max_records,
    long max_wait_ms, struct uktv_stream_batch *b, struct uktv_error *err)
{
	long long start = uktv_time_mono_ms(), now, wake;
	long long deadline = max_wait_ms >= 0 ? start + max_wait_ms : -1;
	struct shard *best;

	memset(b, 0, sizeof(*b));
	for (;;) {
		if (r->o.stop != NULL && *r->o.stop)
			return UKTV_SR_STOPPED;
		if (r->closed)
			return UKTV_SR_CLOSED;
		if (r->pending) {
			deliver(r, max_records, b);
			return UKTV_SR_BATCH;
		}
		now = uktv_time_mono_ms();
		if (r->need_list || now >= r->refresh_at) {
			uktv_error_clear(err);
			if (list_and_settle(r, err) == -1) {
				if (r->stats.listings == 0 ||
				    classify(err) >= F_FATAL)
					return -1;
				/* Reading goes on with the shards known. */
				r->need_list = 0;
				r->refresh_at = now + backoff_ms(r, 3);
				note(r, UKTV_SR_NOTE_RETRY, "-", "%s",
				    err->message);
			}
			continue;
		}
		best = NULL;
		for (size_t i = 0; i < r->nshards; i++) {
			struct shard *s = &r->shards[i];

			if (s->state == UKTV_SR_SHARD_READING &&
			    (best == NULL || s->next_ms < best->next_ms))
				best = s;
		}
		if (best == NULL) {
			if (r->until_ms != 0)
				return UKTV_SR_END;
			wake = r->refresh_at;
		} else if (best->next_ms <= now) {
			if (fetch(r, best, err) == -1)
				return -1;
			continue;
		} else
			wake = best->next_ms < r->refresh_at ? best->next_ms :
			    r->refresh_at;
		if (deadline >= 0 && wake >= deadline) {
			if (now >= deadline)
				return UKTV_SR_IDLE;
			wake = deadline;
		}
		sleep_until(r, wake);
	}
}

void
uktv_streamreader_release(struct uktv_streamreader *r, const char *shard_id)
{
	struct shard *s = find_shard(r, shard_id);

	if (s == NULL)
		return;
	if (r->pending && &r->shards[r->cur] == s)
		drop_pending(r);
	drop_iterator(s);
	if (s->state == UKTV_SR_SHARD_READING)
		s->state = UKTV_SR_SHARD_SKIPPED;
}

void
uktv_streamreader_refresh(struct uktv_streamreader *r)
{
	r->need_list = 1;
}

void
uktv_streamreader_shards(struct uktv_streamreader *r, uktv_sr_shard_fn fn,
    void *arg)
{
	struct uktv_shard_info info;

	for (size_t i = 0; i < r->nshards; i++) {
		struct shard *s = &r->shards[i];

		shard_info(s, &info);
		if (fn(arg, &info, s->state, &s->cur, s->behind) != 0)
			break;
	}
}

const char *
uktv_sr_shard_state_name(enum uktv_sr_shard_state st)
{
	switch (st) {
	case UKTV_SR_SHARD_WAITING:
		return "waiting";
	case UKTV_SR_SHARD_SKIPPED:
		return "skipped";
	case UKTV_SR_SHARD_READING:
		return "reading";
	case UKTV_SR_SHARD_DONE:
		return "done";
	case UKTV_SR_SHARD_STOPPED:
		return "stopped";
	}
	return "?";
}

const struct uktv_streamreader_stats *
uktv_streamreader_stats(const struct uktv_streamreader *r)
{
	return &r->stats;
}

int
uktv_streamreader_claim_checkpoint(void *arg, const struct uktv_shard_info *info,
    struct uktv_position *pos, struct uktv_error *err)
{
	struct uktv_position got;
	int rc;

	if ((rc = uktv_checkpoint_read(arg, info->shard_id, &got, err)) == -1)
		return -1;
	if (rc == 1)
		*pos = got;
	return pos->kind == UKTV_POS_SHARD_END ? UKTV_SR_CLAIM_DONE :
	    UKTV_SR_CLAIM_READ;
}

int
uktv_streamreader_lag(struct uktv_aws *aws, enum uktv_sr_backend be,
    const char *stream, const char *shard_id, const struct uktv_position *pos,
    long long *lag_ms, struct uktv_error *err)
{
	struct uktv_kinesis_stream ks = { 0 };
	struct json_object *resp = NULL, *v;
	const char *type;
	char *it = NULL;
	int rc;

	*lag_ms = -1;
	if (be != UKTV_SR_KINESIS)
		return uktv_error_set(err, UKTV_ERR_USAGE,
		    "DynamoDB Streams do not say how far behind a reader is");
	switch (pos->kind) {
	case UKTV_POS_SEQUENCE:
		type = pos->inclusive || pos->sub_sequence >= 0 ?
		    "AT_SEQUENCE_NUMBER" : "AFTER_SEQUENCE_NUMBER";
		break;
	case UKTV_POS_TRIM_HORIZON:
		type = "TRIM_HORIZON";
		break;
	case UKTV_POS_AT_TIMESTAMP:
		type = "AT_TIMESTAMP";
		break;
	default:
		return uktv_error_set(err, UKTV_ERR_USAGE, "no lag at %s",
		    uktv_position_text(pos));
	}
	if (strncmp(stream, "arn:", 4) == 0)
		ks.arn = stream;
	else
		ks.name = stream;
	if (uktv_kinesis_get_shard_iterator(aws, &ks, shard_id, type,
	    pos->kind == UKTV_POS_SEQUENCE ? pos->sequence : NULL,
	    pos->timestamp_ms, &it, err) == -1)
		return -1;
	rc = uktv_kinesis_get_records(aws, &ks, it, 1, &resp, err);
	free(it);
	if (rc == -1)
		return -1;
	if (json_object_object_get_ex(resp, "MillisBehindLatest", &v))
		*lag_ms = json_object_get_int64(v);
	json_object_put(resp);
	return *lag_ms >= 0 ? 0 : uktv_error_set(err, UKTV_ERR_SERVICE,
	    "GetRecords gave no MillisBehindLatest");
}
