/*
 * dynamodb.c: see dynamodb.h.
 */
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awsjson.h"
#include "dynamodb.h"

/*
 * The length of an array taken from an answer or a stored item, 0 for any
 * other value: json-c asserts (aborts) on json_object_array_length of a
 * non-array, and a malformed answer ("Items": {}, "L": "x") must not kill
 * the tool (found by tests/fuzz/fuzz_dynamodb.c).
 */
static size_t
answer_len(struct json_object *o)
{
	return json_object_is_type(o, json_type_array) ?
	    json_object_array_length(o) : 0;
}

struct json_object *
uktv_ddb_av(const char *type, const char *s)
{
	struct json_object *o = json_object_new_object();

	if (o != NULL)
		json_object_object_add(o, type, json_object_new_string(s));
	return o;
}

struct json_object *
uktv_ddb_av_n(long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	return uktv_ddb_av("N", buf);
}

struct json_object *
uktv_ddb_to_typed(struct json_object *v)
{
	struct json_object *o, *inner;
	char num[64];

	switch (json_object_get_type(v)) {
	case json_type_null:
		o = json_object_new_object();
		json_object_object_add(o, "NULL", json_object_new_boolean(1));
		return o;
	case json_type_boolean:
		o = json_object_new_object();
		json_object_object_add(o, "BOOL",
		    json_object_new_boolean(json_object_get_boolean(v)));
		return o;
	case json_type_int:
		/* json-c keeps big positive integers as uint64. */
		if (json_object_get_int64(v) == INT64_MAX)
			snprintf(num, sizeof(num), "%" PRIu64,
			    json_object_get_uint64(v));
		else
			snprintf(num, sizeof(num), "%" PRId64,
			    json_object_get_int64(v));
		return uktv_ddb_av("N", num);
	case json_type_double: {
		double d = json_object_get_double(v);

		/* The shortest text that reads back as the same double, as
		 * Python's repr (boto3 serialised Decimal(str(float))). */
		for (int prec = 1; prec <= 17; prec++) {
			snprintf(num, sizeof(num), "%.*g", prec, d);
			if (strtod(num, NULL) == d)
				break;
		}
		return uktv_ddb_av("N", num);
	}
	case json_type_string:
		return uktv_ddb_av("S", json_object_get_string(v));
	case json_type_array: {
		size_t n = json_object_array_length(v);

		inner = json_object_new_array_ext((int)n);
		for (size_t i = 0; i < n; i++)
			json_object_array_add(inner,
			    uktv_ddb_to_typed(json_object_array_get_idx(v, i)));
		o = json_object_new_object();
		json_object_object_add(o, "L", inner);
		return o;
	}
	case json_type_object:
		inner = json_object_new_object();
		json_object_object_foreach(v, key, val)
			json_object_object_add(inner, key, uktv_ddb_to_typed(val));
		o = json_object_new_object();
		json_object_object_add(o, "M", inner);
		return o;
	}
	return NULL;
}

static struct json_object *
number_from_text(const char *s)
{
	char *end;
	long long ll;
	double d;

	if (strpbrk(s, ".eE") == NULL) {
		ll = strtoll(s, &end, 10);
		if (*end == '\0' && ll != LLONG_MAX && ll != LLONG_MIN)
			return json_object_new_int64(ll);
	}
	d = strtod(s, &end);
	if (*end == '\0' && isfinite(d)) {
		if (d == floor(d) && fabs(d) < 9007199254740992.0)
			return json_object_new_int64((int64_t)d);
		/* Keep DynamoDB's text so 9.1 prints as 9.1, not 9.0999999999999996. */
		return json_object_new_double_s(d, s);
	}
	/* Out of range for a double: keep the text rather than lose it. */
	return json_object_new_string(s);
}

struct json_object *
uktv_ddb_from_typed(struct json_object *av)
{
	struct json_object *out;

	if (!json_object_is_type(av, json_type_object))
		return NULL;
	json_object_object_foreach(av, type, val) {
		if (strcmp(type, "S") == 0)
			return json_object_get(val);
		if (strcmp(type, "N") == 0)
			return number_from_text(json_object_get_string(val));
		if (strcmp(type, "BOOL") == 0)
			return json_object_new_boolean(json_object_get_boolean(val));
		if (strcmp(type, "NULL") == 0)
			return NULL;
		if (strcmp(type, "M") == 0)
			return uktv_ddb_item_to_plain(val);
		if (strcmp(type, "L") == 0 || strcmp(type, "SS") == 0 ||
		    strcmp(type, "NS") == 0 || strcmp(type, "BS") == 0) {
			size_t n = answer_len(val);
			int is_l = type[0] == 'L', is_ns = type[0] == 'N';

			out = json_object_new_array_ext((int)n);
			for (size_t i = 0; i < n; i++) {
				struct json_object *e = json_object_array_get_idx(val, i);

				json_object_array_add(out, is_l ? uktv_ddb_from_typed(e) :
				    is_ns ? number_from_text(json_object_get_string(e)) :
				    json_object_get(e));
			}
			return out;
		}
		if (strcmp(type, "B") == 0)
			return json_object_get(val);
	}
	return NULL;
}

struct json_object *
uktv_ddb_item_to_plain(struct json_object *item)
{
	struct json_object *o = json_object_new_object();

	if (o == NULL || !json_object_is_type(item, json_type_object))
		return o;
	json_object_object_foreach(item, key, av)
		json_object_object_add(o, key, uktv_ddb_from_typed(av));
	return o;
}

const char *
uktv_ddb_item_str(struct json_object *item, const char *attr)
{
	struct json_object *av, *s;

	if (!json_object_object_get_ex(item, attr, &av) ||
	    !json_object_object_get_ex(av, "S", &s))
		return NULL;
	return json_object_get_string(s);
}

long long
uktv_ddb_item_num(struct json_object *item, const char *attr, long long dflt)
{
	struct json_object *av, *n;

	if (!json_object_object_get_ex(item, attr, &av) ||
	    !json_object_object_get_ex(av, "N", &n))
		return dflt;
	return strtoll(json_object_get_string(n), NULL, 10);
}

struct json_object *
uktv_ddb_key(const char *pk, const char *sk)
{
	struct json_object *k = json_object_new_object();

	json_object_object_add(k, "PK", uktv_ddb_av("S", pk));
	json_object_object_add(k, "SK", uktv_ddb_av("S", sk));
	return k;
}

/* Runs fn over an answer's Items; returns 1 if fn asked to stop. */
static int
each_item(struct json_object *resp, uktv_ddb_item_fn fn, void *arg)
{
	struct json_object *items;

	if (!json_object_object_get_ex(resp, "Items", &items))
		return 0;
	for (size_t i = 0; i < answer_len(items); i++)
		if (fn(json_object_array_get_idx(items, i), arg) != 0)
			return 1;
	return 0;
}

/* Query and Scan page the same way: LastEvaluatedKey -> ExclusiveStartKey. */
static int
paged(struct uktv_aws *aws, const char *op, struct json_object *req,
    uktv_ddb_item_fn fn, void *arg, struct uktv_error *err)
{
	struct json_object *resp, *last;
	int stop;

	for (;;) {
		if (uktv_awsjson_call(aws, &uktv_svc_dynamodb, op, req, &resp,
		    err) == -1)
			return -1;
		stop = each_item(resp, fn, arg);
		if (stop || !json_object_object_get_ex(resp, "LastEvaluatedKey",
		    &last)) {
			json_object_put(resp);
			return 0;
		}
		json_object_object_add(req, "ExclusiveStartKey",
		    json_object_get(last));
		json_object_put(resp);
	}
}

int
uktv_ddb_query(struct uktv_aws *aws, const char *table, const char *pk,
    const char *sk_prefix, int consistent, uktv_ddb_item_fn fn, void *arg,
    struct uktv_error *err)
{
	struct json_object *req = json_object_new_object(), *vals;
	int rc;

	json_object_object_add(req, "TableName", json_object_new_string(table));
	json_object_object_add(req, "KeyConditionExpression",
	    json_object_new_string(sk_prefix ?
	    "PK = :pk AND begins_with(SK, :sk)" : "PK = :pk"));
	vals = json_object_new_object();
	json_object_object_add(vals, ":pk", uktv_ddb_av("S", pk));
	if (sk_prefix != NULL)
		json_object_object_add(vals, ":sk", uktv_ddb_av("S", sk_prefix));
	json_object_object_add(req, "ExpressionAttributeValues", vals);
	if (consistent)
		json_object_object_add(req, "ConsistentRead",
		    json_object_new_boolean(1));
	rc = paged(aws, "Query", req, fn, arg, err);
	json_object_put(req);
	return rc;
}

int
uktv_ddb_scan(struct uktv_aws *aws, const char *table, const char *pk_prefix,
    uktv_ddb_item_fn fn, void *arg, struct uktv_error *err)
{
	struct json_object *req = json_object_new_object(), *vals;
	int rc;

	json_object_object_add(req, "TableName", json_object_new_string(table));
	if (pk_prefix != NULL) {
		json_object_object_add(req, "FilterExpression",
		    json_object_new_string("begins_with(PK, :p)"));
		vals = json_object_new_object();
		json_object_object_add(vals, ":p", uktv_ddb_av("S", pk_prefix));
		json_object_object_add(req, "ExpressionAttributeValues", vals);
	}
	rc = paged(aws, "Scan", req, fn, arg, err);
	json_object_put(req);
	return rc;
}

int
uktv_ddb_batch_get(struct uktv_aws *aws, const char *table,
    struct json_object *keys, uktv_ddb_item_fn fn, void *arg,
    struct uktv_error *err)
{
	size_t n = json_object_array_length(keys);

	for (size_t off = 0; off < n; off += UKTV_DDB_BATCH_GET_MAX) {
		struct json_object *req, *items, *tab, *pending, *resp, *v, *got;
		size_t end = off + UKTV_DDB_BATCH_GET_MAX < n ?
		    off + UKTV_DDB_BATCH_GET_MAX : n;
		int attempt = 0;

		pending = json_object_new_array();
		for (size_t i = off; i < end; i++)
			json_object_array_add(pending,
			    json_object_get(json_object_array_get_idx(keys, i)));
		while (json_object_array_length(pending) > 0) {
			req = json_object_new_object();
			items = json_object_new_object();
			tab = json_object_new_object();
			json_object_object_add(tab, "Keys", pending);
			json_object_object_add(items, table, tab);
			json_object_object_add(req, "RequestItems", items);
			pending = NULL;
			if (uktv_awsjson_call(aws, &uktv_svc_dynamodb,
			    "BatchGetItem", req, &resp, err) == -1) {
				json_object_put(req);
				return -1;
			}
			json_object_put(req);
			if (json_object_object_get_ex(resp, "Responses", &v) &&
			    json_object_object_get_ex(v, table, &got))
				for (size_t i = 0; i < answer_len(got); i++)
					if (fn(json_object_array_get_idx(got, i), arg)) {
						json_object_put(resp);
						return 0;
					}
			/* DynamoDB hands back what it could not read now. */
			if (json_object_object_get_ex(resp, "UnprocessedKeys", &v) &&
			    json_object_object_get_ex(v, table, &tab) &&
			    json_object_object_get_ex(tab, "Keys", &got) &&
			    answer_len(got) > 0)
				pending = json_object_get(got);
			json_object_put(resp);
			if (pending == NULL)
				break;
			if (++attempt >= UKTV_DDB_UNPROCESSED_ATTEMPTS) {
				size_t left = json_object_array_length(pending);

				json_object_put(pending);
				uktv_error_set(err, UKTV_ERR_UNAVAILABLE,
				    "DynamoDB BatchGetItem on %s: %zu keys still "
				    "unprocessed after %d attempts", table, left,
				    attempt);
				strlcpy(err->code, "UnprocessedKeys", sizeof(err->code));
				return -1;
			}
			uktv_aws_backoff(aws, attempt);
		}
	}
	return 0;
}

struct uktv_ddb_batch {
	struct uktv_aws			*aws;
	char				*table;
	struct json_object		*queue;		/* write requests not yet sent */
	struct json_object		*failed;
	struct uktv_ddb_batch_stats	 stats;
};

struct uktv_ddb_batch *
uktv_ddb_batch_new(struct uktv_aws *aws, const char *table)
{
	struct uktv_ddb_batch *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	b->aws = aws;
	b->table = strdup(table);
	b->queue = json_object_new_array();
	b->failed = json_object_new_array();
	if (b->table == NULL || b->queue == NULL || b->failed == NULL) {
		uktv_ddb_batch_free(b);
		return NULL;
	}
	return b;
}

void
uktv_ddb_batch_free(struct uktv_ddb_batch *b)
{
	if (b == NULL)
		return;
	free(b->table);
	json_object_put(b->queue);
	json_object_put(b->failed);
	free(b);
}

struct json_object *
uktv_ddb_batch_failed(struct uktv_ddb_batch *b)
{
	return b->failed;
}

const struct uktv_ddb_batch_stats *
uktv_ddb_batch_stats(const struct uktv_ddb_batch *b)
{
	return &b->stats;
}

/* The PK/SK of a write request, for spotting duplicates in one call. */
static void
request_key(struct json_object *wr, const char **pk, const char **sk)
{
	struct json_object *r, *k;

	*pk = *sk = NULL;
	if (json_object_object_get_ex(wr, "PutRequest", &r) &&
	    json_object_object_get_ex(r, "Item", &k)) {
	} else if (json_object_object_get_ex(wr, "DeleteRequest", &r) &&
	    json_object_object_get_ex(r, "Key", &k)) {
	} else
		return;
	*pk = uktv_ddb_item_str(k, "PK");
	*sk = uktv_ddb_item_str(k, "SK");
}

static void
count_request(struct uktv_ddb_batch *b, struct json_object *wr)
{
	if (json_object_object_get_ex(wr, "PutRequest", NULL))
		b->stats.puts++;
	else
		b->stats.deletes++;
}

/* Sends up to 25 requests from the queue's front, retrying what comes back
 * unprocessed; what is still unprocessed after the bound goes to failed. */
static int
send_group(struct uktv_ddb_batch *b, struct uktv_error *err)
{
	size_t n = json_object_array_length(b->queue);
	size_t take = n < UKTV_DDB_BATCH_WRITE_MAX ? n : UKTV_DDB_BATCH_WRITE_MAX;
	struct json_object *group = json_object_new_array_ext((int)take);
	int attempt = 0, rc = 0;

	for (size_t i = 0; i < take; i++)
		json_object_array_add(group,
		    json_object_get(json_object_array_get_idx(b->queue, i)));
	json_object_array_del_idx(b->queue, 0, take);

	while (json_object_array_length(group) > 0) {
		struct json_object *req = json_object_new_object();
		struct json_object *items = json_object_new_object();
		struct json_object *resp, *un, *left = NULL;
		size_t sent = json_object_array_length(group), nleft = 0;

		json_object_object_add(items, b->table, group);
		json_object_object_add(req, "RequestItems", items);
		b->stats.calls++;
		if (uktv_awsjson_call(b->aws, &uktv_svc_dynamodb,
		    "BatchWriteItem", req, &resp, err) == -1) {
			/* The whole group failed after retries: keep it. */
			for (size_t i = 0; i < sent; i++)
				json_object_array_add(b->failed, json_object_get(
				    json_object_array_get_idx(group, i)));
			json_object_put(req);
			return -1;
		}
		if (json_object_object_get_ex(resp, "UnprocessedItems", &un) &&
		    json_object_object_get_ex(un, b->table, &left))
			nleft = answer_len(left);
		/* Count what was written: the group minus what came back. */
		for (size_t i = 0; i < sent; i++) {
			struct json_object *wr = json_object_array_get_idx(group, i);
			const char *pk, *sk;
			int back = 0;

			request_key(wr, &pk, &sk);
			for (size_t j = 0; j < nleft && pk && sk; j++) {
				const char *lpk, *lsk;

				request_key(json_object_array_get_idx(left, j),
				    &lpk, &lsk);
				if (lpk && lsk && strcmp(pk, lpk) == 0 &&
				    strcmp(sk, lsk) == 0)
					back = 1;
			}
			if (!back)
				count_request(b, wr);
		}
		group = nleft > 0 ? json_object_get(left) : NULL;
		b->stats.unprocessed += (long)nleft;
		json_object_put(req);
		json_object_put(resp);
		if (group == NULL)
			break;
		if (++attempt >= UKTV_DDB_UNPROCESSED_ATTEMPTS) {
			for (size_t i = 0; i < nleft; i++)
				json_object_array_add(b->failed, json_object_get(
				    json_object_array_get_idx(group, i)));
			json_object_put(group);
			rc = uktv_error_set(err, UKTV_ERR_UNAVAILABLE,
			    "DynamoDB BatchWriteItem on %s: %zu items still "
			    "unprocessed after %d attempts", b->table, nleft,
			    attempt);
			strlcpy(err->code, "UnprocessedItems", sizeof(err->code));
			break;
		}
		uktv_aws_backoff(b->aws, attempt);
	}
	return rc;
}

/* DynamoDB rejects a BatchWriteItem that names one key twice, so a second
 * request for a queued key first sends what is queued. */
static int
enqueue(struct uktv_ddb_batch *b, struct json_object *wr, struct uktv_error *err)
{
	const char *pk, *sk;
	int rc = 0;

	request_key(wr, &pk, &sk);
	for (size_t i = 0; i < json_object_array_length(b->queue) && pk && sk; i++) {
		const char *qpk, *qsk;

		request_key(json_object_array_get_idx(b->queue, i), &qpk, &qsk);
		if (qpk && qsk && strcmp(pk, qpk) == 0 && strcmp(sk, qsk) == 0) {
			if (uktv_ddb_batch_flush(b, err) == -1)
				rc = -1;
			break;
		}
	}
	json_object_array_add(b->queue, wr);
	while (json_object_array_length(b->queue) >= UKTV_DDB_BATCH_WRITE_MAX)
		if (send_group(b, err) == -1)
			rc = -1;
	return rc;
}

int
uktv_ddb_batch_put(struct uktv_ddb_batch *b, struct json_object *item,
    struct uktv_error *err)
{
	struct json_object *wr = json_object_new_object();
	struct json_object *put = json_object_new_object();

	json_object_object_add(put, "Item", item);
	json_object_object_add(wr, "PutRequest", put);
	return enqueue(b, wr, err);
}

int
uktv_ddb_batch_delete(struct uktv_ddb_batch *b, const char *pk, const char *sk,
    struct uktv_error *err)
{
	struct json_object *wr = json_object_new_object();
	struct json_object *del = json_object_new_object();

	json_object_object_add(del, "Key", uktv_ddb_key(pk, sk));
	json_object_object_add(wr, "DeleteRequest", del);
	return enqueue(b, wr, err);
}

int
uktv_ddb_batch_flush(struct uktv_ddb_batch *b, struct uktv_error *err)
{
	int rc = 0;

	while (json_object_array_length(b->queue) > 0)
		if (send_group(b, err) == -1)
			rc = -1;
	return rc;
}
