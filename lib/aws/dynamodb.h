/*
 * dynamodb.h: the DynamoDB operations uktv uses, over awsjson.
 *
 * Items are json-c objects in DynamoDB's typed form ({"PK":{"S":".."}, ...});
 * uktv_ddb_to_typed/uktv_ddb_from_typed convert plain JSON values, with the
 * same mapping boto3's TypeSerializer used in the original app (strings S,
 * numbers N, true/false BOOL, null NULL, arrays L, objects M), so items
 * written by either side read the same.
 *
 * Limits (DynamoDB API Reference): BatchWriteItem takes at most 25 requests,
 * BatchGetItem at most 100 keys per call; UnprocessedItems/UnprocessedKeys are
 * retried with the standard backoff up to UKTV_DDB_UNPROCESSED_ATTEMPTS;
 * past that the error's code is "UnprocessedItems" / "UnprocessedKeys".
 */
#ifndef UKTV_DYNAMODB_H
#define UKTV_DYNAMODB_H

#include <stddef.h>

#include <json-c/json.h>

#include "aws.h"

#define UKTV_DDB_BATCH_WRITE_MAX	25	/* BatchWriteItem */
#define UKTV_DDB_BATCH_GET_MAX		100	/* BatchGetItem */
#define UKTV_DDB_UNPROCESSED_ATTEMPTS	10

/* Plain JSON value -> AttributeValue (new reference; NULL on OOM). */
struct json_object *uktv_ddb_to_typed(struct json_object *plain);
/* AttributeValue -> plain JSON value (new reference).  N becomes an int64
 * when it is integral and fits, else a double; SS/NS become arrays. */
struct json_object *uktv_ddb_from_typed(struct json_object *typed);
/* A typed item (map of AttributeValues) -> plain object (new reference). */
struct json_object *uktv_ddb_item_to_plain(struct json_object *item);
/* Reads a string attribute ("S") of a typed item; NULL when absent. */
const char *uktv_ddb_item_str(struct json_object *item, const char *attr);
/* Reads a number attribute ("N") of a typed item; dflt when absent. */
long long uktv_ddb_item_num(struct json_object *item, const char *attr,
	    long long dflt);
/* One AttributeValue {type: s}, e.g. {"S": "x"}, and a number {"N": "v"}
 * (new references; NULL on OOM). */
struct json_object *uktv_ddb_av(const char *type, const char *s);
struct json_object *uktv_ddb_av_n(long long v);
/* A typed key {"PK":{"S":pk},"SK":{"S":sk}} (new reference). */
struct json_object *uktv_ddb_key(const char *pk, const char *sk);

/* Called once per item; the item is borrowed.  Return non-zero to stop. */
typedef int (*uktv_ddb_item_fn)(struct json_object *item, void *arg);

/*
 * Query for one partition key (all pages); sk_prefix, if not NULL, adds
 * begins_with(SK, :p).  consistent: ConsistentRead.
 */
int	uktv_ddb_query(struct uktv_aws *, const char *table, const char *pk,
	    const char *sk_prefix, int consistent, uktv_ddb_item_fn, void *arg,
	    struct uktv_error *);
/* Scan (all pages); pk_prefix, if not NULL, filters begins_with(PK, :p). */
int	uktv_ddb_scan(struct uktv_aws *, const char *table, const char *pk_prefix,
	    uktv_ddb_item_fn, void *arg, struct uktv_error *);

/*
 * BatchGetItem for keys (an array of typed keys, borrowed), in chunks of 100,
 * UnprocessedKeys retried; each item found is passed to fn (order not kept;
 * keys not found are simply not passed).
 */
int	uktv_ddb_batch_get(struct uktv_aws *, const char *table,
	    struct json_object *keys, uktv_ddb_item_fn, void *arg,
	    struct uktv_error *);

/*
 * A BatchWriteItem queue: puts and deletes are queued and sent 25 at a time;
 * UnprocessedItems are sent again with backoff.  After the bound, what is
 * still unprocessed is left in uktv_ddb_batch_failed() (an array of write
 * requests) and flush returns -1 with err set.
 */
struct uktv_ddb_batch;

struct uktv_ddb_batch *uktv_ddb_batch_new(struct uktv_aws *, const char *table);
void	uktv_ddb_batch_free(struct uktv_ddb_batch *);
/* Takes over the caller's reference to item. */
int	uktv_ddb_batch_put(struct uktv_ddb_batch *, struct json_object *item,
	    struct uktv_error *);
int	uktv_ddb_batch_delete(struct uktv_ddb_batch *, const char *pk,
	    const char *sk, struct uktv_error *);
/* Sends every full group of 25 now (call flush at the end for the rest). */
int	uktv_ddb_batch_flush(struct uktv_ddb_batch *, struct uktv_error *);
/* Write requests that could not be written ({"PutRequest":..}/{"DeleteRequest":..}). */
struct json_object *uktv_ddb_batch_failed(struct uktv_ddb_batch *);
struct uktv_ddb_batch_stats {
	long	calls;		/* BatchWriteItem calls made */
	long	puts;		/* put requests written */
	long	deletes;	/* delete requests written */
	long	unprocessed;	/* requests DynamoDB handed back at least once */
};
const struct uktv_ddb_batch_stats *uktv_ddb_batch_stats(const struct uktv_ddb_batch *);

#endif
