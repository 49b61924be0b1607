/*
 * lease.c: see lease.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "awsjson.h"
#include "backoff.h"
#include "dynamodb.h"
#include "lease.h"
#include "private/lease.h"

/* Counted as it goes; kept for a debugger, nothing reads them yet. */
struct uktv_lease_stats {
	long	taken;		/* free or expired leases taken */
	long	stolen;
	long	lost;		/* leases another worker took from us */
	long	renewals;
	long	checkpoints;
	long	conflicts;	/* conditional writes that lost */
};
struct uktv_leases {
	struct uktv_aws		*aws;
	char			*table;
	char			 me[UKTV_LEASE_OWNER_MAX + 1];
	long			 duration_ms;
	long			 renew_ms;
	long			 create_wait_ms;
	struct uktv_position	 initial;
	long long		(*now_ms)(void);

	struct uktv_lease	*leases;	/* sorted by shard */
	size_t			 n;
	/* Parallel to leases: when this worker last renewed a held lease. */
	long long		*renewed_ms;
	long long		 next_ms;
	struct uktv_lease_stats	 stats;
};

static int
lease_cmp(const void *a, const void *b)
{
	return strcmp(((const struct uktv_lease *)a)->shard,
	    ((const struct uktv_lease *)b)->shard);
}

/* A lease item (typed) -> struct.  -1 when it has no usable leaseKey. */
static int
lease_from_item(struct json_object *item, struct uktv_lease *l)
{
	const char *key = uktv_ddb_item_str(item, "leaseKey"), *s;
	struct json_object *a, *ss;

	memset(l, 0, sizeof(*l));
	if (key == NULL || strlen(key) > UKTV_SHARD_ID_MAX)
		return -1;
	strlcpy(l->shard, key, sizeof(l->shard));
	if ((s = uktv_ddb_item_str(item, "leaseOwner")) != NULL)
		strlcpy(l->owner, s, sizeof(l->owner));
	l->counter = uktv_ddb_item_num(item, "leaseCounter", 0);
	l->owner_switches = uktv_ddb_item_num(item,
	    "ownerSwitchesSinceCheckpoint", 0);
	uktv_position_set(&l->checkpoint, UKTV_POS_NONE);
	if ((s = uktv_ddb_item_str(item, "checkpoint")) != NULL) {
		if (strcmp(s, "AT_TIMESTAMP") == 0) {
			uktv_position_set(&l->checkpoint, UKTV_POS_AT_TIMESTAMP);
			l->checkpoint.timestamp_ms = uktv_ddb_item_num(item,
			    "uktvCheckpointTimestamp", 0);
		} else if (uktv_position_parse(s, 0, &l->checkpoint) == -1)
			/* The KCL's (seq, sub): see "Sub-sequence numbers". */
			(void)uktv_position_set_sequence(&l->checkpoint, s,
			    uktv_ddb_item_num(item,
			    "checkpointSubSequenceNumber", 0));
	}
	if (json_object_object_get_ex(item, "parentShardId", &a) &&
	    json_object_object_get_ex(a, "SS", &ss) &&
	    json_object_is_type(ss, json_type_array))
		for (size_t i = 0; i < json_object_array_length(ss) &&
		    l->nparents < UKTV_LEASE_MAX_PARENTS; i++)
			strlcpy(l->parents[l->nparents++], json_object_get_string(
			    json_object_array_get_idx(ss, i)),
			    sizeof(l->parents[0]));
	return 0;
}

struct uktv_leases *
uktv_leases_new(struct uktv_aws *aws, const struct uktv_lease_opts *o,
    struct uktv_error *err)
{
	struct uktv_leases *l;
	size_t wlen = o->worker_id ? strlen(o->worker_id) : 0;

	if (o->table == NULL || *o->table == '\0') {
		uktv_error_set(err, UKTV_ERR_USAGE, "no lease table given");
		return NULL;
	}
	if (wlen == 0 || wlen > UKTV_LEASE_OWNER_MAX) {
		uktv_error_set(err, UKTV_ERR_USAGE, "a worker id is 1-%d bytes",
		    UKTV_LEASE_OWNER_MAX);
		return NULL;
	}
	for (size_t i = 0; i < wlen; i++)
		if ((unsigned char)o->worker_id[i] < 0x20 ||
		    o->worker_id[i] == 0x7f) {
			uktv_error_set(err, UKTV_ERR_USAGE,
			    "a worker id has no control characters");
			return NULL;
		}
	if (o->duration_ms < 0 || o->renew_ms < 0 || o->create_wait_ms < 0) {
		uktv_error_set(err, UKTV_ERR_USAGE, "negative lease duration");
		return NULL;
	}
	if ((l = calloc(1, sizeof(*l))) == NULL ||
	    (l->table = strdup(o->table)) == NULL) {
		free(l);
		uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	l->aws = aws;
	strlcpy(l->me, o->worker_id, sizeof(l->me));
	l->duration_ms = o->duration_ms ? o->duration_ms : UKTV_LEASE_DURATION_MS;
	l->renew_ms = o->renew_ms ? o->renew_ms : l->duration_ms / 3;
	if (l->renew_ms <= 0)
		l->renew_ms = 1;
	if (l->renew_ms >= l->duration_ms) {
		free(l->table);
		free(l);
		uktv_error_set(err, UKTV_ERR_USAGE, "the renew interval must "
		    "be shorter than the lease duration");
		return NULL;
	}
	l->create_wait_ms = o->create_wait_ms ? o->create_wait_ms :
	    UKTV_LEASE_CREATE_WAIT_MS;
	if (o->initial != NULL)
		l->initial = *o->initial;
	else
		uktv_position_set(&l->initial, UKTV_POS_TRIM_HORIZON);
	l->now_ms = o->now_ms ? o->now_ms : uktv_time_now_ms;
	return l;
}

void
uktv_leases_free(struct uktv_leases *l)
{
	if (l == NULL)
		return;
	free(l->table);
	free(l->leases);
	free(l->renewed_ms);
	free(l);
}

size_t
uktv_leases_count(const struct uktv_leases *l)
{
	return l->n;
}

const struct uktv_lease *
uktv_leases_at(const struct uktv_leases *l, size_t i)
{
	return i < l->n ? &l->leases[i] : NULL;
}

static struct uktv_lease *
find(const struct uktv_leases *l, const char *shard, size_t *idx)
{
	struct uktv_lease key, *p;

	if (strlen(shard) > UKTV_SHARD_ID_MAX)
		return NULL;
	strlcpy(key.shard, shard, sizeof(key.shard));
	p = uktv_bsearch(&key, l->leases, l->n, sizeof(*l->leases), lease_cmp);
	if (p != NULL && idx != NULL)
		*idx = (size_t)(p - l->leases);
	return p;
}

const struct uktv_lease *
uktv_leases_find(const struct uktv_leases *l, const char *shard)
{
	return find(l, shard, NULL);
}

int
uktv_leases_holds(const struct uktv_leases *l, const char *shard)
{
	const struct uktv_lease *p = find(l, shard, NULL);

	return p != NULL && p->held;
}

long long
uktv_leases_next_ms(const struct uktv_leases *l)
{
	return l->next_ms;
}

/* ------------------------------------------------------------ the table */

static int
describe_status(struct uktv_leases *l, char *status, size_t len,
    struct uktv_error *err)
{
	struct json_object *req = json_object_new_object(), *resp, *t, *s;
	int rc;

	json_object_object_add(req, "TableName", json_object_new_string(l->table));
	rc = uktv_awsjson_call(l->aws, &uktv_svc_dynamodb, "DescribeTable", req,
	    &resp, err);
	json_object_put(req);
	if (rc == -1)
		return -1;
	status[0] = '\0';
	if (json_object_object_get_ex(resp, "Table", &t) &&
	    json_object_object_get_ex(t, "TableStatus", &s))
		strlcpy(status, json_object_get_string(s), len);
	json_object_put(resp);
	return 0;
}

int
uktv_leases_ensure_table(struct uktv_leases *l, struct uktv_error *err)
{
	struct json_object *req, *resp, *defs, *def, *ks, *k;
	char status[32];
	int created = 0;
	long long deadline;

	if (describe_status(l, status, sizeof(status), err) == 0) {
		if (strcmp(status, "ACTIVE") == 0)
			return 0;
	} else if (strcmp(err->code, "ResourceNotFoundException") != 0)
		return -1;
	else {
		/* The KCL's lease table: hash key leaseKey (S), on demand. */
		req = json_object_new_object();
		json_object_object_add(req, "TableName",
		    json_object_new_string(l->table));
		defs = json_object_new_array();
		def = json_object_new_object();
		json_object_object_add(def, "AttributeName",
		    json_object_new_string("leaseKey"));
		json_object_object_add(def, "AttributeType",
		    json_object_new_string("S"));
		json_object_array_add(defs, def);
		json_object_object_add(req, "AttributeDefinitions", defs);
		ks = json_object_new_array();
		k = json_object_new_object();
		json_object_object_add(k, "AttributeName",
		    json_object_new_string("leaseKey"));
		json_object_object_add(k, "KeyType", json_object_new_string("HASH"));
		json_object_array_add(ks, k);
		json_object_object_add(req, "KeySchema", ks);
		json_object_object_add(req, "BillingMode",
		    json_object_new_string("PAY_PER_REQUEST"));
		if (uktv_awsjson_call(l->aws, &uktv_svc_dynamodb, "CreateTable",
		    req, &resp, err) == 0) {
			json_object_put(resp);
			created = 1;
		} else if (strcmp(err->code, "ResourceInUseException") != 0) {
			/* (another worker creating it at the same time is fine) */
			json_object_put(req);
			return -1;
		}
		json_object_put(req);
	}
	deadline = l->now_ms() + l->create_wait_ms;
	for (;;) {
		if (describe_status(l, status, sizeof(status), err) == 0 &&
		    strcmp(status, "ACTIVE") == 0)
			return created;
		if (l->now_ms() >= deadline)
			return uktv_error_set(err, UKTV_ERR_UNAVAILABLE,
			    "lease table %s not ACTIVE after %ld ms", l->table,
			    l->create_wait_ms);
		uktv_sleep_ms(100);
	}
}

/* Reads the whole table, consistently, into a fresh sorted array. */
static int
scan(struct uktv_leases *l, struct uktv_lease **out, size_t *nout,
    struct uktv_error *err)
{
	struct json_object *req = json_object_new_object(), *resp, *items, *last;
	struct uktv_lease *arr = NULL;
	size_t n = 0;

	json_object_object_add(req, "TableName", json_object_new_string(l->table));
	/* Another worker's take or renewal just before must be seen. */
	json_object_object_add(req, "ConsistentRead", json_object_new_boolean(1));
	for (;;) {
		if (uktv_awsjson_call(l->aws, &uktv_svc_dynamodb, "Scan", req,
		    &resp, err) == -1) {
			json_object_put(req);
			free(arr);
			return -1;
		}
		if (json_object_object_get_ex(resp, "Items", &items))
			for (size_t i = 0; i < json_object_array_length(items);
			    i++) {
				struct uktv_lease *p;

				if ((p = reallocarray(arr, n + 1,
				    sizeof(*arr))) == NULL) {
					json_object_put(resp);
					json_object_put(req);
					free(arr);
					return uktv_error_set(err,
					    UKTV_ERR_INTERNAL, "out of memory");
				}
				arr = p;
				if (lease_from_item(json_object_array_get_idx(
				    items, i), &arr[n]) == 0)
					n++;
			}
		if (!json_object_object_get_ex(resp, "LastEvaluatedKey", &last)) {
			json_object_put(resp);
			break;
		}
		json_object_object_add(req, "ExclusiveStartKey",
		    json_object_get(last));
		json_object_put(resp);
	}
	json_object_put(req);
	if (n > 0)
		uktv_qsort(arr, n, sizeof(*arr), lease_cmp);
	*out = arr;
	*nout = n;
	return 0;
}

/*
 * Takes in a fresh read of the table.  A lease this worker holds keeps
 * this worker's copy (its counter is the one our writes are conditioned
 * on); for the others, seen_ms moves when the counter or owner moved.
 */
static int
merge(struct uktv_leases *l, struct uktv_lease *fresh, size_t nfresh)
{
	long long now = l->now_ms();
	long long *ren = calloc(nfresh ? nfresh : 1, sizeof(*ren));

	if (ren == NULL)
		return -1;
	for (size_t i = 0; i < nfresh; i++) {
		size_t j;
		struct uktv_lease *old = find(l, fresh[i].shard, &j);

		fresh[i].seen_ms = now;
		if (old == NULL)
			continue;
		if (old->held) {
			/* Still ours as we last wrote it: keep our copy.
			 * Else another worker took it: stop at once rather
			 * than at the next renewal. */
			if (strcmp(fresh[i].owner, l->me) == 0 &&
			    fresh[i].counter == old->counter) {
				fresh[i] = *old;
				ren[i] = l->renewed_ms[j];
				continue;
			}
			l->stats.lost++;
		}
		if (old->counter == fresh[i].counter &&
		    strcmp(old->owner, fresh[i].owner) == 0)
			fresh[i].seen_ms = old->seen_ms;
	}
	/* A held lease gone from the table (deleted by an operator) is lost
	 * too. */
	for (size_t j = 0; j < l->n; j++)
		if (l->leases[j].held && uktv_bsearch(&l->leases[j], fresh, nfresh,
		    sizeof(*fresh), lease_cmp) == NULL)
			l->stats.lost++;
	free(l->leases);
	free(l->renewed_ms);
	l->leases = fresh;
	l->n = nfresh;
	l->renewed_ms = ren;
	return 0;
}

int
uktv_leases_read(struct uktv_leases *l, struct uktv_error *err)
{
	struct uktv_lease *fresh = NULL;
	size_t n = 0;

	if (scan(l, &fresh, &n, err) == -1)
		return -1;
	if (merge(l, fresh, n) == -1) {
		free(fresh);
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	}
	return 0;
}

static struct json_object *
key_of(const char *shard)
{
	struct json_object *k = json_object_new_object();

	json_object_object_add(k, "leaseKey", uktv_ddb_av("S", shard));
	return k;
}

int
uktv_leases_sync(struct uktv_leases *l, const struct uktv_lease_shard *shards,
    size_t n, struct uktv_error *err)
{
	if (uktv_leases_read(l, err) == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct json_object *req, *item, *resp, *ss;
		struct uktv_position start = l->initial;
		const char *par[2] = { shards[i].parent, shards[i].adjacent_parent };
		int has_parent_listed = 0;

		if (find(l, shards[i].shard, NULL) != NULL)
			continue;
		item = key_of(shards[i].shard);
		json_object_object_add(item, "leaseCounter", uktv_ddb_av_n(0));
		json_object_object_add(item, "ownerSwitchesSinceCheckpoint",
		    uktv_ddb_av_n(0));
		json_object_object_add(item, "checkpointSubSequenceNumber",
		    uktv_ddb_av_n(0));
		ss = json_object_new_array();
		for (int p = 0; p < 2; p++) {
			if (par[p] == NULL || *par[p] == '\0')
				continue;
			json_object_array_add(ss, json_object_new_string(par[p]));
			for (size_t j = 0; j < n; j++)
				if (strcmp(shards[j].shard, par[p]) == 0)
					has_parent_listed = 1;
		}
		if (json_object_array_length(ss) > 0) {
			struct json_object *a = json_object_new_object();

			json_object_object_add(a, "SS", ss);
			json_object_object_add(item, "parentShardId", a);
		} else
			json_object_put(ss);
		/* A child is read from its start once its parents are done;
		 * a shard whose parents are gone starts where asked. */
		if (has_parent_listed)
			uktv_position_set(&start, UKTV_POS_TRIM_HORIZON);
		json_object_object_add(item, "checkpoint",
		    uktv_ddb_av("S", start.kind == UKTV_POS_NONE ?
		    "TRIM_HORIZON" : uktv_position_text(&start)));
		if (start.kind == UKTV_POS_AT_TIMESTAMP)
			json_object_object_add(item, "uktvCheckpointTimestamp",
			    uktv_ddb_av_n(start.timestamp_ms));
		req = json_object_new_object();
		json_object_object_add(req, "TableName",
		    json_object_new_string(l->table));
		json_object_object_add(req, "Item", item);
		json_object_object_add(req, "ConditionExpression",
		    json_object_new_string("attribute_not_exists(leaseKey)"));
		if (uktv_awsjson_call(l->aws, &uktv_svc_dynamodb, "PutItem", req,
		    &resp, err) == 0)
			json_object_put(resp);
		else if (strcmp(err->code, "ConditionalCheckFailedException") != 0) {
			json_object_put(req);
			return -1;
		}
		json_object_put(req);
	}
	return uktv_leases_read(l, err);
}

/* ------------------------------------------------------------ writes */

/*
 * One conditional UpdateItem on a lease: update (SET/REMOVE text), with
 * values :n (the new counter) and :c (the counter expected) added here, and
 * the condition "leaseCounter = :c" plus cond_extra.  On success *out (if
 * not NULL) gets the lease as written (ReturnValues ALL_NEW).  Returns 0,
 * 1 when the condition failed, -1 with err.
 */
static int
lease_update(struct uktv_leases *l, const char *shard, long long expect,
    const char *update, const char *cond_extra, struct json_object *vals,
    struct json_object *names, struct uktv_lease *out, struct uktv_error *err)
{
	struct json_object *req = json_object_new_object(), *resp, *attrs;
	char cond[256];
	int rc;

	json_object_object_add(vals, ":n", uktv_ddb_av_n(expect + 1));
	json_object_object_add(vals, ":c", uktv_ddb_av_n(expect));
	snprintf(cond, sizeof(cond), "leaseCounter = :c%s%s",
	    cond_extra ? " AND " : "", cond_extra ? cond_extra : "");
	json_object_object_add(req, "TableName", json_object_new_string(l->table));
	json_object_object_add(req, "Key", key_of(shard));
	json_object_object_add(req, "UpdateExpression",
	    json_object_new_string(update));
	json_object_object_add(req, "ConditionExpression",
	    json_object_new_string(cond));
	json_object_object_add(req, "ExpressionAttributeValues", vals);
	if (names != NULL)
		json_object_object_add(req, "ExpressionAttributeNames", names);
	json_object_object_add(req, "ReturnValues",
	    json_object_new_string("ALL_NEW"));
	rc = uktv_awsjson_call(l->aws, &uktv_svc_dynamodb, "UpdateItem", req,
	    &resp, err);
	json_object_put(req);
	if (rc == -1) {
		if (strcmp(err->code, "ConditionalCheckFailedException") == 0) {
			l->stats.conflicts++;
			return 1;
		}
		return -1;
	}
	if (out != NULL && json_object_object_get_ex(resp, "Attributes", &attrs)) {
		struct uktv_lease fresh;

		if (lease_from_item(attrs, &fresh) == 0) {
			fresh.seen_ms = out->seen_ms;
			fresh.held = out->held;
			*out = fresh;
		}
	}
	json_object_put(resp);
	return 0;
}

static void
drop(struct uktv_leases *l, size_t i)
{
	if (l->leases[i].held) {
		l->leases[i].held = 0;
		l->stats.lost++;
	}
}

/* Renews the held leases that are due.  0, or -1 on an error other than a
 * lost condition (the lease then stays held until its time runs out). */
static int
renew(struct uktv_leases *l, long long now, struct uktv_error *err)
{
	int rc = 0;

	for (size_t i = 0; i < l->n; i++) {
		struct uktv_lease *p = &l->leases[i];
		struct json_object *vals;
		struct uktv_error rerr = { 0 };
		int r;

		if (!p->held || now < l->renewed_ms[i] + l->renew_ms)
			continue;
		vals = json_object_new_object();
		json_object_object_add(vals, ":me", uktv_ddb_av("S", l->me));
		r = lease_update(l, p->shard, p->counter,
		    "SET leaseCounter = :n", "leaseOwner = :me", vals, NULL,
		    NULL, &rerr);
		if (r == 0) {
			p->counter++;
			p->seen_ms = now;
			l->renewed_ms[i] = now;
			l->stats.renewals++;
		} else if (r == 1)
			drop(l, i);
		else {
			/* A lease this worker could not renew in time is
			 * another's to take: stop reading it. */
			if (now - l->renewed_ms[i] >= l->duration_ms)
				drop(l, i);
			if (err != NULL)
				*err = rerr;
			rc = -1;
		}
	}
	return rc;
}

int
uktv_lease_eligible(const struct uktv_lease *leases, size_t n, size_t i)
{
	const struct uktv_lease *p = &leases[i];

	if (p->checkpoint.kind == UKTV_POS_SHARD_END)
		return 0;
	for (int k = 0; k < p->nparents; k++)
		for (size_t j = 0; j < n; j++)
			if (strcmp(leases[j].shard, p->parents[k]) == 0 &&
			    leases[j].checkpoint.kind != UKTV_POS_SHARD_END)
				return 0;
	return 1;
}

static int
expired(const struct uktv_lease *p, const char *me, long long now,
    long duration_ms)
{
	if (p->held)
		return 0;
	/* Free, or ours by name from an earlier life of this worker id. */
	if (p->owner[0] == '\0' || strcmp(p->owner, me) == 0)
		return 1;
	return now - p->seen_ms > duration_ms;
}

size_t
uktv_lease_plan(const struct uktv_lease *leases, size_t n, const char *me,
    long long now_ms, long duration_ms, int *want)
{
	size_t eligible = 0, mine = 0, workers = 1, target, need, marked = 0;
	const char *most = NULL;
	size_t most_count = 0;

	for (size_t i = 0; i < n; i++)
		want[i] = 0;
	for (size_t i = 0; i < n; i++) {
		const struct uktv_lease *p = &leases[i];
		int seen = 0;

		if (!uktv_lease_eligible(leases, n, i))
			continue;
		eligible++;
		if (p->held) {
			mine++;
			continue;
		}
		if (expired(p, me, now_ms, duration_ms))
			continue;
		/* A live worker: count it once. */
		for (size_t j = 0; j < i && !seen; j++)
			seen = uktv_lease_eligible(leases, n, j) &&
			    !leases[j].held &&
			    !expired(&leases[j], me, now_ms, duration_ms) &&
			    strcmp(leases[j].owner, p->owner) == 0;
		if (!seen)
			workers++;
	}
	if (eligible == 0)
		return 0;
	target = (eligible + workers - 1) / workers;
	if (mine >= target)
		return 0;
	need = target - mine;
	for (size_t i = 0; i < n && marked < need; i++)
		if (uktv_lease_eligible(leases, n, i) && !leases[i].held &&
		    expired(&leases[i], me, now_ms, duration_ms)) {
			want[i] = 1;
			marked++;
		}
	if (marked > 0)
		return marked;

	/* Nothing free: steal one from the most loaded live worker. */
	for (size_t i = 0; i < n; i++) {
		const struct uktv_lease *p = &leases[i];
		size_t c = 0;

		if (!uktv_lease_eligible(leases, n, i) || p->held ||
		    expired(p, me, now_ms, duration_ms))
			continue;
		for (size_t j = 0; j < n; j++)
			if (uktv_lease_eligible(leases, n, j) && !leases[j].held &&
			    !expired(&leases[j], me, now_ms, duration_ms) &&
			    strcmp(leases[j].owner, p->owner) == 0)
				c++;
		if (c > most_count || (c == most_count && most != NULL &&
		    strcmp(p->owner, most) < 0)) {
			most = p->owner;
			most_count = c;
		}
	}
	if (most == NULL || !(most_count > target ||
	    (most_count == target && need > 1)))
		return 0;
	/* The most loaded worker's last lease in shard order. */
	for (size_t i = n; i-- > 0;)
		if (uktv_lease_eligible(leases, n, i) && !leases[i].held &&
		    !expired(&leases[i], me, now_ms, duration_ms) &&
		    strcmp(leases[i].owner, most) == 0) {
			want[i] = 2;
			return 1;
		}
	return 0;
}

/* Takes lease i (free, expired or stolen). */
static int
take(struct uktv_leases *l, size_t i, int steal, long long now,
    struct uktv_error *err)
{
	struct uktv_lease *p = &l->leases[i];
	struct json_object *vals = json_object_new_object();
	const char *update, *cond;
	int r;

	json_object_object_add(vals, ":me", uktv_ddb_av("S", l->me));
	if (p->owner[0] == '\0') {
		update = "SET leaseOwner = :me, leaseCounter = :n";
		cond = "attribute_not_exists(leaseOwner)";
	} else {
		json_object_object_add(vals, ":old", uktv_ddb_av("S", p->owner));
		if (strcmp(p->owner, l->me) == 0)
			update = "SET leaseOwner = :me, leaseCounter = :n";
		else {
			/* The KCL counts the owner changes a checkpoint has
			 * not followed (a lease bouncing between workers). */
			json_object_object_add(vals, ":one", uktv_ddb_av_n(1));
			json_object_object_add(vals, ":zero", uktv_ddb_av_n(0));
			update = "SET leaseOwner = :me, leaseCounter = :n, "
			    "ownerSwitchesSinceCheckpoint = "
			    "if_not_exists(ownerSwitchesSinceCheckpoint, :zero) "
			    "+ :one";
		}
		cond = "leaseOwner = :old";
	}
	p->held = 1;
	p->seen_ms = now;
	r = lease_update(l, p->shard, p->counter, update, cond, vals, NULL, p,
	    err);
	if (r != 0) {
		p->held = 0;
		return r == 1 ? 0 : -1;
	}
	l->renewed_ms[i] = now;
	if (steal)
		l->stats.stolen++;
	else
		l->stats.taken++;
	return 0;
}

int
uktv_leases_tick(struct uktv_leases *l, struct uktv_error *err)
{
	long long now = l->now_ms();
	struct uktv_error werr = { 0 };
	int *want, hard = 0;

	l->next_ms = now + l->renew_ms;
	/* A renewal or take that fails for a passing reason is tried again
	 * next tick (a lease not renewed in time is dropped by renew());
	 * only auth and configuration errors end the round. */
	if (renew(l, now, &werr) == -1 && (werr.kind == UKTV_ERR_NOPERM ||
	    werr.kind == UKTV_ERR_CONFIG))
		hard = 1;
	if (!hard && uktv_leases_read(l, err) == -1)
		return -1;
	if (!hard && l->n > 0) {
		if ((want = calloc(l->n, sizeof(*want))) == NULL)
			return uktv_error_set(err, UKTV_ERR_INTERNAL,
			    "out of memory");
		now = l->now_ms();
		uktv_lease_plan(l->leases, l->n, l->me, now, l->duration_ms,
		    want);
		for (size_t i = 0; i < l->n && !hard; i++)
			if (want[i] != 0 && take(l, i, want[i] == 2, now,
			    &werr) == -1 && (werr.kind == UKTV_ERR_NOPERM ||
			    werr.kind == UKTV_ERR_CONFIG))
				hard = 1;
		free(want);
	}
	if (hard) {
		if (err != NULL)
			*err = werr;
		return -1;
	}
	return 0;
}

static void
position_values(const struct uktv_position *pos, struct json_object *vals,
    int *has_ts)
{
	long long sub = pos->kind == UKTV_POS_SEQUENCE && pos->sub_sequence > 0 ?
	    pos->sub_sequence : 0;

	json_object_object_add(vals, ":cp", uktv_ddb_av("S",
	    pos->kind == UKTV_POS_NONE ? "TRIM_HORIZON" :
	    uktv_position_text(pos)));
	json_object_object_add(vals, ":sub", uktv_ddb_av_n(sub));
	*has_ts = pos->kind == UKTV_POS_AT_TIMESTAMP;
	if (*has_ts)
		json_object_object_add(vals, ":ts",
		    uktv_ddb_av_n(pos->timestamp_ms));
}

int
uktv_leases_checkpoint(struct uktv_leases *l, const char *shard,
    const struct uktv_position *pos, struct uktv_error *err)
{
	size_t i;
	struct uktv_lease *p = find(l, shard, &i);
	struct json_object *vals;
	int has_ts, r;

	if (p == NULL || !p->held) {
		uktv_error_set(err, UKTV_ERR_SERVICE, "the lease of %s is not "
		    "held by %s", shard, l->me);
		if (err != NULL)
			strlcpy(err->code, UKTV_LEASE_LOST, sizeof(err->code));
		return -1;
	}
	vals = json_object_new_object();
	json_object_object_add(vals, ":me", uktv_ddb_av("S", l->me));
	json_object_object_add(vals, ":zero", uktv_ddb_av_n(0));
	position_values(pos, vals, &has_ts);
	r = lease_update(l, shard, p->counter, has_ts ?
	    "SET checkpoint = :cp, checkpointSubSequenceNumber = :sub, "
	    "ownerSwitchesSinceCheckpoint = :zero, leaseCounter = :n, "
	    "uktvCheckpointTimestamp = :ts" :
	    "SET checkpoint = :cp, checkpointSubSequenceNumber = :sub, "
	    "ownerSwitchesSinceCheckpoint = :zero, leaseCounter = :n "
	    "REMOVE uktvCheckpointTimestamp", "leaseOwner = :me", vals, NULL,
	    NULL, err);
	if (r == 1) {
		drop(l, i);
		uktv_error_set(err, UKTV_ERR_SERVICE, "lease of %s taken by "
		    "another worker", shard);
		if (err != NULL)
			strlcpy(err->code, UKTV_LEASE_LOST, sizeof(err->code));
		return -1;
	}
	if (r == -1)
		return -1;
	p->counter++;
	p->checkpoint = *pos;
	p->owner_switches = 0;
	p->seen_ms = l->renewed_ms[i] = l->now_ms();
	l->stats.checkpoints++;
	/* A shard read to its end needs no reader: its children are next. */
	if (pos->kind == UKTV_POS_SHARD_END)
		p->held = 0;
	return 0;
}

int
uktv_leases_release(struct uktv_leases *l, struct uktv_error *err)
{
	int rc = 0;

	for (size_t i = 0; i < l->n; i++) {
		struct uktv_lease *p = &l->leases[i];
		struct json_object *vals;
		int r;

		if (!p->held)
			continue;
		vals = json_object_new_object();
		json_object_object_add(vals, ":me", uktv_ddb_av("S", l->me));
		r = lease_update(l, p->shard, p->counter,
		    "SET leaseCounter = :n REMOVE leaseOwner", "leaseOwner = :me",
		    vals, NULL, NULL, err);
		if (r == -1)
			rc = -1;
		else if (r == 0) {
			p->counter++;
			p->owner[0] = '\0';
		}
		p->held = 0;
	}
	return rc;
}

int
uktv_leases_reset(struct uktv_leases *l, const struct uktv_position *pos,
    int force, struct uktv_error *err)
{
	struct uktv_lease *before = NULL;
	size_t nbefore = 0;

	if (uktv_leases_read(l, err) == -1)
		return -1;
	if (!force) {
		int owned = 0;

		for (size_t i = 0; i < l->n; i++)
			if (l->leases[i].owner[0] != '\0' && !l->leases[i].held)
				owned = 1;
		if (owned) {
			/* A live holder renews within the lease duration:
			 * watch the counters that long. */
			if ((before = calloc(l->n, sizeof(*before))) == NULL)
				return uktv_error_set(err, UKTV_ERR_INTERNAL,
				    "out of memory");
			memcpy(before, l->leases, l->n * sizeof(*before));
			nbefore = l->n;
			uktv_sleep_ms(l->duration_ms);
			if (uktv_leases_read(l, err) == -1) {
				free(before);
				return -1;
			}
			for (size_t i = 0; i < l->n; i++) {
				const struct uktv_lease *p = &l->leases[i];

				for (size_t j = 0; j < nbefore; j++) {
					if (strcmp(before[j].shard, p->shard) != 0 ||
					    p->owner[0] == '\0')
						continue;
					if (before[j].counter != p->counter) {
						free(before);
						uktv_error_set(err, UKTV_ERR_SERVICE,
						    "the lease of %s is held by "
						    "live worker %s (use --force)",
						    p->shard, p->owner);
						if (err != NULL)
							strlcpy(err->code,
							    UKTV_LEASE_HELD,
							    sizeof(err->code));
						return -1;
					}
				}
			}
			free(before);
		}
	}
	for (size_t i = 0; i < l->n; i++) {
		struct uktv_lease *p = &l->leases[i];
		struct json_object *vals = json_object_new_object();
		int has_ts, r;

		json_object_object_add(vals, ":zero", uktv_ddb_av_n(0));
		position_values(pos, vals, &has_ts);
		r = lease_update(l, p->shard, p->counter, has_ts ?
		    "SET checkpoint = :cp, checkpointSubSequenceNumber = :sub, "
		    "ownerSwitchesSinceCheckpoint = :zero, leaseCounter = :n, "
		    "uktvCheckpointTimestamp = :ts REMOVE leaseOwner" :
		    "SET checkpoint = :cp, checkpointSubSequenceNumber = :sub, "
		    "ownerSwitchesSinceCheckpoint = :zero, leaseCounter = :n "
		    "REMOVE leaseOwner, uktvCheckpointTimestamp", NULL, vals,
		    NULL, p, err);
		if (r == -1)
			return -1;
		if (r == 1)
			return uktv_error_set(err, UKTV_ERR_SERVICE, "the lease "
			    "of %s changed while resetting it: try again",
			    p->shard);
		p->held = 0;
	}
	return 0;
}

struct json_object *
uktv_lease_to_json(const struct uktv_lease *p)
{
	struct json_object *o = json_object_new_object(), *par;

	json_object_object_add(o, "shard", json_object_new_string(p->shard));
	uktv_position_to_json(&p->checkpoint, o);
	if (p->owner[0] != '\0')
		json_object_object_add(o, "owner", json_object_new_string(p->owner));
	json_object_object_add(o, "lease_counter", json_object_new_int64(p->counter));
	json_object_object_add(o, "owner_switches",
	    json_object_new_int64(p->owner_switches));
	if (p->nparents > 0) {
		par = json_object_new_array();
		for (int i = 0; i < p->nparents; i++)
			json_object_array_add(par,
			    json_object_new_string(p->parents[i]));
		json_object_object_add(o, "parents", par);
	}
	return o;
}
