/*
 * ddbstreams.h: the DynamoDB Streams operations uktv uses, over awsjson.
 *
 * DescribeStream pages through a stream's shards with ExclusiveStartShardId
 * and LastEvaluatedShardId (at most 100 per page, API Reference), and is
 * limited to 10 calls per second per account: a LimitExceededException is
 * waited out with a growing delay beyond the client's own retries.
 * GetRecords always sends a Limit (1 .. 1000).
 */
#ifndef UKTV_DDBSTREAMS_H
#define UKTV_DDBSTREAMS_H

#include <json-c/json.h>

#include "aws.h"

/* API Reference: DescribeStream Limit 1..100, GetRecords Limit 1..1000. */
#define UKTV_DDBSTREAMS_DESCRIBE_MAX	100
#define UKTV_DDBSTREAMS_GET_RECORDS_MAX	1000
/* Tries of one DescribeStream page under LimitExceededException. */
#define UKTV_DDBSTREAMS_DESCRIBE_ATTEMPTS 8

/*
 * The table's current stream ARN (DynamoDB DescribeTable, LatestStreamArn).
 * *arn: caller frees.  UKTV_ERR_NOTFOUND when the table has no stream.
 */
int	uktv_ddbstreams_latest_arn(struct uktv_aws *, const char *table,
	    char **arn, struct uktv_error *);

/*
 * Called once per shard ({"ShardId", "ParentShardId", "SequenceNumberRange"},
 * borrowed); non-zero stops the listing (which then returns 0).
 */
typedef int (*uktv_ddbstreams_shard_fn)(struct json_object *shard, void *arg);

/*
 * DescribeStream, every page (page_size 1..100, 0: 100).  *description, if
 * not NULL, gets the first page's StreamDescription without its Shards (new
 * reference: caller puts), for StreamStatus and StreamViewType.
 */
int	uktv_ddbstreams_describe(struct uktv_aws *, const char *stream_arn,
	    int page_size, uktv_ddbstreams_shard_fn, void *arg,
	    struct json_object **description, struct uktv_error *);

/*
 * GetShardIterator.  type: "TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER",
 * "AFTER_SEQUENCE_NUMBER" (sequence set).  *iterator: caller frees.  A
 * sequence number the stream has trimmed fails with the code
 * TrimmedDataAccessException.
 */
int	uktv_ddbstreams_get_shard_iterator(struct uktv_aws *,
	    const char *stream_arn, const char *shard_id, const char *type,
	    const char *sequence, char **iterator, struct uktv_error *);

/*
 * GetRecords with Limit (clamped to 1 .. 1000).  The answer as it came (new
 * reference: caller puts): Records, NextShardIterator (absent or null at the
 * end of a closed shard).
 */
int	uktv_ddbstreams_get_records(struct uktv_aws *, const char *iterator,
	    int limit, struct json_object **response, struct uktv_error *);

#endif
