/*
 * consumer.c: shard list, the one claim rule, checkpoints and lease <-> reader
 * sync for the stream tools (consumer.h).
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "consumer.h"
#include "time.h"

struct uktv_consumer {
	struct uktv_consumer_opts	 o;
	char				*at_shard;
	struct uktv_streamreader	*reader;	/* not owned */
	/* Shards this run claimed to read (rule 3). */
	char				**read;
	size_t				 nread, capread;
	int				 lease_sync;	/* a shard without a lease seen */
	int				 refresh;	/* a held shard is not read */
	long				 checkpoints;
	/* The last stats line's figures (rates are since then). */
	unsigned long long		 stats_records, stats_bytes;
	long long			 stats_ms;
};

/* ------------------------------------------------------------ shards */

static char *
keep(struct uktv_consumer_shards *l, const char *s)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL) {
		l->failed = 1;
		return NULL;
	}
	l->owned[l->nowned++] = d;
	return d;
}

static void
collect_shard(void *arg, const struct uktv_shard_info *info)
{
	struct uktv_consumer_shards *l = arg;

	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 16;
		struct uktv_lease_shard *v = reallocarray(l->v, nc, sizeof(*v));
		char **o = reallocarray(l->owned, nc * 3, sizeof(*o));

		if (v != NULL)
			l->v = v;
		if (o != NULL)
			l->owned = o;
		if (v == NULL || o == NULL) {
			l->failed = 1;
			return;
		}
		l->cap = nc;
	}
	l->v[l->n].shard = keep(l, info->shard_id);
	l->v[l->n].parent = keep(l, info->parent);
	l->v[l->n].adjacent_parent = keep(l, info->adjacent_parent);
	l->n++;
}

void
uktv_consumer_shards_free(struct uktv_consumer_shards *l)
{
	for (size_t i = 0; i < l->nowned; i++)
		free(l->owned[i]);
	free(l->owned);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int
uktv_consumer_list_shards(struct uktv_aws *aws, enum uktv_sr_backend be,
    const char *stream, struct uktv_consumer_shards *l, struct uktv_error *err)
{
	memset(l, 0, sizeof(*l));
	if (uktv_streamreader_list(aws, be, stream, collect_shard, l, err) == -1) {
		uktv_consumer_shards_free(l);
		return -1;
	}
	if (l->failed) {
		uktv_consumer_shards_free(l);
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	}
	return 0;
}

/* ------------------------------------------------------------ the object */

struct uktv_consumer *
uktv_consumer_new(const struct uktv_consumer_opts *o, struct uktv_error *err)
{
	struct uktv_consumer *c;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (o->at_shard != NULL && (c->at_shard = strdup(o->at_shard)) == NULL)) {
		free(c);
		uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	c->o = *o;
	c->o.at_shard = c->at_shard;
	c->stats_ms = uktv_time_now_ms();
	return c;
}

void
uktv_consumer_free(struct uktv_consumer *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nread; i++)
		free(c->read[i]);
	free(c->read);
	free(c->at_shard);
	free(c);
}

struct uktv_streamreader *
uktv_consumer_reader(struct uktv_consumer *c, struct uktv_streamreader_opts *ro,
    struct uktv_error *err)
{
	ro->claim = uktv_consumer_claim;
	ro->note = uktv_consumer_note;
	ro->arg = c;
	return c->reader = uktv_streamreader_new(c->o.aws, ro, err);
}

long
uktv_consumer_checkpoints(const struct uktv_consumer *c)
{
	return c->checkpoints;
}

static void
event(struct uktv_consumer *c, enum uktv_consumer_event ev, const char *shard,
    const char *msg)
{
	if (c->o.event != NULL)
		c->o.event(c->o.arg, ev, shard, msg);
}

void
uktv_consumer_note(void *arg, enum uktv_sr_note kind, const char *shard,
    const char *msg)
{
	struct uktv_consumer *c = arg;

	if (c->o.note != NULL)
		c->o.note(c->o.arg, kind, shard, msg);
}

/* ------------------------------------------------------------ claims */

static int
was_read(const struct uktv_consumer *c, const char *shard)
{
	if (shard == NULL)
		return 0;
	for (size_t i = 0; i < c->nread; i++)
		if (strcmp(c->read[i], shard) == 0)
			return 1;
	return 0;
}

static int
mark_read(struct uktv_consumer *c, const char *shard)
{
	if (was_read(c, shard))
		return 0;
	if (c->nread == c->capread) {
		size_t nc = c->capread ? c->capread * 2 : 16;
		char **v = reallocarray(c->read, nc, sizeof(*v));

		if (v == NULL)
			return -1;
		c->read = v;
		c->capread = nc;
	}
	if ((c->read[c->nread] = strdup(shard)) == NULL)
		return -1;
	c->nread++;
	return 0;
}

/* Rule 1 with a lease table: the lease's checkpoint into *got. */
static int
claim_lease(struct uktv_consumer *c, const struct uktv_shard_info *info,
    struct uktv_position *got)
{
	const struct uktv_lease *l;

	if ((l = uktv_leases_find(c->o.leases, info->shard_id)) == NULL) {
		/* A shard born since the last sync (a reshard): its lease is
		 * made at the next tick, and taken by the balance rule. */
		c->lease_sync = 1;
		return UKTV_SR_CLAIM_SKIP;
	}
	if (l->checkpoint.kind == UKTV_POS_SHARD_END)
		return UKTV_SR_CLAIM_DONE;
	if (!uktv_leases_holds(c->o.leases, info->shard_id))
		return UKTV_SR_CLAIM_SKIP;
	*got = l->checkpoint;
	return UKTV_SR_CLAIM_READ;
}

int
uktv_consumer_claim(void *arg, const struct uktv_shard_info *info,
    struct uktv_position *pos, struct uktv_error *err)
{
	struct uktv_consumer *c = arg;
	struct uktv_position got;
	int rc = UKTV_SR_CLAIM_READ;

	/* NONE: nothing stored (a checkpoint or lease never holds NONE). */
	uktv_position_set(&got, UKTV_POS_NONE);
	if (c->o.leases != NULL)
		rc = claim_lease(c, info, &got);
	else if (c->o.ckdir != NULL)
		rc = uktv_streamreader_claim_checkpoint(c->o.ckdir, info, &got,
		    err);
	if (rc != UKTV_SR_CLAIM_READ)
		return rc;
	if (got.kind != UKTV_POS_NONE)
		*pos = got;
	else if (c->at_shard != NULL && strcmp(info->shard_id, c->at_shard) == 0)
		*pos = c->o.at_pos;
	else if (was_read(c, info->parent) || was_read(c, info->adjacent_parent))
		uktv_position_set(pos, UKTV_POS_TRIM_HORIZON);
	/* LATEST on a closed shard reads nothing: its children are news. */
	if ((pos->kind != UKTV_POS_LATEST || info->ending_sequence == NULL) &&
	    mark_read(c, info->shard_id) == -1)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	return UKTV_SR_CLAIM_READ;
}

/* ------------------------------------------------------------ leases */

static int
lease_sync(struct uktv_consumer *c, struct uktv_error *err)
{
	struct uktv_consumer_shards l;
	struct uktv_error e;

	if (uktv_consumer_list_shards(c->o.aws, c->o.backend, c->o.stream, &l,
	    err) == -1)
		return -1;
	uktv_error_clear(&e);
	if (uktv_leases_sync(c->o.leases, l.v, l.n, &e) == -1)
		event(c, UKTV_CONSUMER_SYNC_FAILED, NULL, e.message);
	uktv_consumer_shards_free(&l);
	c->lease_sync = 0;
	return 0;
}

static int
held_check(void *arg, const struct uktv_shard_info *info,
    enum uktv_sr_shard_state st, const struct uktv_position *pos,
    long long behind)
{
	struct uktv_consumer *c = arg;
	int holds = uktv_leases_holds(c->o.leases, info->shard_id);

	if (st == UKTV_SR_SHARD_READING && !holds) {
		event(c, UKTV_CONSUMER_LEASE_LOST, info->shard_id,
		    "lease lost: stopped reading");
		uktv_streamreader_release(c->reader, info->shard_id);
	} else if ((st == UKTV_SR_SHARD_SKIPPED ||
	    st == UKTV_SR_SHARD_WAITING) && holds)
		c->refresh = 1;
	return 0;
}

int
uktv_consumer_lease_tick(struct uktv_consumer *c, struct uktv_error *err)
{
	struct uktv_error e;

	if (c->o.leases == NULL)
		return 0;
	if (c->lease_sync && lease_sync(c, err) == -1)
		return -1;
	uktv_error_clear(&e);
	if (uktv_leases_tick(c->o.leases, &e) == -1) {
		if (e.kind == UKTV_ERR_NOPERM || e.kind == UKTV_ERR_CONFIG) {
			*err = e;
			return -1;
		}
		event(c, UKTV_CONSUMER_TICK_FAILED, NULL, e.message);
	}
	if (c->reader == NULL)
		return 0;
	uktv_streamreader_shards(c->reader, held_check, c);
	if (c->refresh) {
		c->refresh = 0;
		uktv_streamreader_refresh(c->reader);
	}
	return 0;
}

int
uktv_consumer_lease_poll(struct uktv_consumer *c, long long now,
    long long *wait_ms, struct uktv_error *err)
{
	long long next;

	if (c->o.leases == NULL)
		return 0;
	if ((now >= uktv_leases_next_ms(c->o.leases) || c->lease_sync) &&
	    uktv_consumer_lease_tick(c, err) == -1)
		return -1;
	next = uktv_leases_next_ms(c->o.leases);
	if (next - now < *wait_ms)
		*wait_ms = next - now;
	return 0;
}

int
uktv_consumer_lease_start(struct uktv_consumer *c, struct uktv_error *err)
{
	if (c->o.leases == NULL)
		return 0;
	if (uktv_leases_ensure_table(c->o.leases, err) == -1 ||
	    lease_sync(c, err) == -1)
		return -1;
	return uktv_consumer_lease_tick(c, err);
}

/* ------------------------------------------------------------ checkpoints */

int
uktv_consumer_checkpoint(struct uktv_consumer *c, const char *shard,
    const struct uktv_position *pos, struct uktv_error *err)
{
	if (c->o.ckdir != NULL) {
		if (uktv_checkpoint_write(c->o.ckdir, shard, pos, err) == -1)
			return -1;
	} else if (c->o.leases != NULL) {
		if (uktv_leases_checkpoint(c->o.leases, shard, pos, err) == -1) {
			if (strcmp(err->code, UKTV_LEASE_LOST) != 0)
				return -1;
			event(c, UKTV_CONSUMER_LEASE_LOST_CHECKPOINT, shard,
			    "lease lost before the checkpoint: its new holder "
			    "reads on");
			if (c->reader != NULL)
				uktv_streamreader_release(c->reader, shard);
			uktv_error_clear(err);
			return 1;
		}
	} else
		return 0;
	c->checkpoints++;
	return 0;
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
add_int(struct json_object *o, const char *key, long long v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

struct json_object *
uktv_consumer_stats_json(struct uktv_consumer *c, long reported)
{
	const struct uktv_streamreader_stats *s = uktv_streamreader_stats(c->reader);
	const struct uktv_aws_stats *as = uktv_aws_stats(c->o.aws);
	struct json_object *o = json_object_new_object(), *arr;
	long long now = uktv_time_now_ms(), dt = now - c->stats_ms;
	char ts[32];

	if (dt <= 0)
		dt = 1;
	uktv_time_format(now, ts);
	json_object_object_add(o, "time", json_object_new_string(ts));
	add_int(o, "records", (long long)s->records);
	add_int(o, "bytes", (long long)s->bytes);
	json_object_object_add(o, "records_per_s", json_object_new_double(
	    (double)(s->records - c->stats_records) * 1000.0 / (double)dt));
	json_object_object_add(o, "bytes_per_s", json_object_new_double(
	    (double)(s->bytes - c->stats_bytes) * 1000.0 / (double)dt));
	add_int(o, "get_records", (long long)s->calls);
	add_int(o, "throttles", (long long)(s->throttles +
	    (unsigned long long)as->throttles));
	add_int(o, "retries", as->retries);
	add_int(o, "expired_iterators", (long long)s->expired);
	add_int(o, "checkpoints", c->checkpoints);
	add_int(o, "reported", reported);
	arr = json_object_new_array();
	uktv_streamreader_shards(c->reader, stats_shard, arr);
	json_object_object_add(o, "shards", arr);
	c->stats_records = s->records;
	c->stats_bytes = s->bytes;
	c->stats_ms = now;
	return o;
}

/* ------------------------------------------------------------ reset */

static int
reset_one(struct uktv_consumer *c, const char *shard,
    const struct uktv_position *pos, long *n, struct uktv_error *err)
{
	if (uktv_checkpoint_write(c->o.ckdir, shard, pos, err) == -1)
		return -1;
	(*n)++;
	return 0;
}

struct reset_walk {
	struct uktv_consumer		*c;
	const struct uktv_position	*pos;
	long				*n;
	struct uktv_error		*err;
	int				 failed;
};

static int
reset_file(const char *shard, const struct uktv_position *old, void *arg)
{
	struct reset_walk *w = arg;

	if (reset_one(w->c, shard, w->pos, w->n, w->err) == -1) {
		w->failed = 1;
		return 1;
	}
	return 0;
}

/* Shards of the stream that have no file yet get one too. */
static int
reset_unlisted(struct uktv_consumer *c, const struct uktv_position *pos,
    long *n, struct uktv_error *err)
{
	struct uktv_consumer_shards l;
	struct uktv_position old;
	int rc = 0;

	if (uktv_consumer_list_shards(c->o.aws, c->o.backend, c->o.stream, &l,
	    err) == -1)
		return -1;
	for (size_t i = 0; i < l.n && rc == 0; i++) {
		if ((rc = uktv_checkpoint_read(c->o.ckdir, l.v[i].shard, &old,
		    err)) == -1)
			break;
		rc = old.kind == UKTV_POS_NONE ?
		    reset_one(c, l.v[i].shard, pos, n, err) : 0;
	}
	uktv_consumer_shards_free(&l);
	return rc == -1 ? -1 : 0;
}

int
uktv_consumer_reset(struct uktv_consumer *c, const struct uktv_position *pos,
    int force, long *n, struct uktv_error *err)
{
	struct reset_walk w = { c, pos, n, err, 0 };
	struct uktv_error e;

	*n = 0;
	if (c->o.leases != NULL)
		return uktv_leases_reset(c->o.leases, pos, force, err);
	uktv_error_clear(&e);
	if (uktv_checkpoint_lock(c->o.ckdir, &e) == -1) {
		if (!force) {
			*err = e;
			return -1;
		}
		event(c, UKTV_CONSUMER_LOCK_FORCED, NULL, e.message);
	}
	if (uktv_checkpoint_list(c->o.ckdir, reset_file, &w, err) == -1 ||
	    w.failed)
		return -1;
	if (c->o.stream != NULL)
		return reset_unlisted(c, pos, n, err);
	return 0;
}
