/*
 * private/shardread.h: the shard-reading calls Kinesis and DynamoDB Streams
 * share.  DynamoDB Streams copied Kinesis' API: GetShardIterator and
 * GetRecords have the same shape and differ only in the target prefix, the
 * GetRecords Limit, the member that names the stream and the one that holds
 * a sequence number.  kinesis.c and ddbstreams.c keep their typed functions
 * on top of these; nothing else includes this header.
 */
#ifndef UKTV_PRIVATE_SHARDREAD_H
#define UKTV_PRIVATE_SHARDREAD_H

#include <json-c/json.h>

#include "aws.h"

struct uktv_shardread_api {
	const struct uktv_aws_service *svc;
	const char	*name;		/* in messages: "Kinesis" */
	const char	*arn_member;	/* the stream's ARN: "StreamARN" */
	const char	*sequence_member; /* "StartingSequenceNumber" */
	int		 records_max;	/* GetRecords Limit, 1 .. this */
	int		 timestamps;	/* AT_TIMESTAMP sends Timestamp */
};

extern const struct uktv_shardread_api uktv_shardread_kinesis;
extern const struct uktv_shardread_api uktv_shardread_ddbstreams;

/* Called once per shard object of a listing (borrowed); non-zero stops. */
typedef int (*uktv_shardread_fn)(struct json_object *shard, void *arg);

/*
 * One page of a shard listing (Kinesis ListShards, DynamoDB Streams
 * DescribeStream): fn over holder's Shards, then *next gets the token in
 * holder's member token (a non-empty string: caller frees) or NULL at the
 * last page.  0, 1 when fn stopped the listing, -1 out of memory.
 */
int	uktv_shardread_page(struct json_object *holder, const char *token,
	    uktv_shardread_fn, void *arg, char **next, struct uktv_error *);

/*
 * GetShardIterator.  req names the stream already (the caller's members)
 * and is released here, whatever happens.  *iterator: caller frees.
 */
int	uktv_shardread_get_iterator(struct uktv_aws *,
	    const struct uktv_shardread_api *, struct json_object *req,
	    const char *shard_id, const char *type, const char *sequence,
	    long long timestamp_ms, char **iterator, struct uktv_error *);

/*
 * GetRecords with Limit clamped to 1 .. records_max, and the stream's ARN
 * when stream_arn is not NULL: the answer parsed (caller puts), or raw in
 * *resp (free with uktv_http_response_free) for readers that scan it.
 */
int	uktv_shardread_get_records(struct uktv_aws *,
	    const struct uktv_shardread_api *, const char *iterator, int limit,
	    const char *stream_arn, struct json_object **response,
	    struct uktv_error *);
int	uktv_shardread_get_records_raw(struct uktv_aws *,
	    const struct uktv_shardread_api *, const char *iterator, int limit,
	    const char *stream_arn, struct uktv_http_response *resp,
	    struct uktv_error *);

#endif
