/*
 * kinesis.h: the Kinesis Data Streams operations uktv uses, over awsjson.
 *
 * Reading (uktv-consume): DescribeStreamSummary, ListShards (every page),
 * GetShardIterator and GetRecords (always with a Limit: without one moto
 * answers the whole shard, MOTO-NOTES.md).  Writing (uktv-publish): a
 * PutRecords batch whose request body is built as records are added (base64
 * of the data, partition key, optional explicit hash key), so publishing
 * costs no JSON object per record; partial failures (FailedRecordCount > 0)
 * are resent, only the failed records, with backoff.
 *
 * A stream is named by its name or by its ARN (struct uktv_kinesis_stream):
 * requests carry StreamName or StreamARN accordingly.
 */
#ifndef UKTV_KINESIS_H
#define UKTV_KINESIS_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "aws.h"

/*
 * Limits, from the Amazon Kinesis Data Streams API Reference, PutRecords:
 * "Each PutRecords request can support up to 500 records. Each record in the
 * request can be as large as 1 MiB, up to a limit of 5 MiB for the entire
 * request, including partition keys."  Sizes are of the data before base64.
 * PartitionKey: 1 to 256 Unicode characters; ExplicitHashKey: a decimal
 * 0 .. 2^128 - 1 (PutRecordsRequestEntry).  GetRecords: Limit 1 .. 10,000
 * (GetRecords).  ListShards: MaxResults 1 .. 10,000 (ListShards).
 */
#define UKTV_KINESIS_PUT_MAX_RECORDS	500
#define UKTV_KINESIS_PUT_MAX_BYTES	((size_t)5 << 20)
#define UKTV_KINESIS_RECORD_MAX_BYTES	((size_t)1 << 20)
#define UKTV_KINESIS_PARTITION_KEY_MAX	256
#define UKTV_KINESIS_GET_RECORDS_MAX	10000
#define UKTV_KINESIS_LIST_SHARDS_MAX	10000

/* How many times a record is sent when PutRecords keeps failing it. */
#define UKTV_KINESIS_PUT_ATTEMPTS	10

struct uktv_kinesis_stream {
	const char	*name;		/* StreamName, or NULL */
	const char	*arn;		/* StreamARN (wins when both are set) */
};

/*
 * Called once per shard object of ListShards ({"ShardId", "ParentShardId",
 * "HashKeyRange", "SequenceNumberRange", ...}, borrowed).  Return non-zero
 * to stop listing (uktv_kinesis_list_shards then returns 0).
 */
typedef int (*uktv_kinesis_shard_fn)(struct json_object *shard, void *arg);

/*
 * ListShards, every page.  The first call names the stream (and filter, a
 * ShardFilter object such as {"Type":"AT_TRIM_HORIZON"}, borrowed, or NULL);
 * the next pages send NextToken alone, as AWS requires ("NextToken and
 * StreamName cannot be provided together").  page_size 0: the service's
 * default, else 1 .. UKTV_KINESIS_LIST_SHARDS_MAX (MaxResults).
 */
int	uktv_kinesis_list_shards(struct uktv_aws *,
	    const struct uktv_kinesis_stream *, struct json_object *filter,
	    int page_size, uktv_kinesis_shard_fn, void *arg, struct uktv_error *);

/*
 * GetShardIterator.  type: "TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER",
 * "AFTER_SEQUENCE_NUMBER" (sequence set) or "AT_TIMESTAMP" (timestamp_ms:
 * milliseconds since the epoch).  *iterator: caller frees.
 */
int	uktv_kinesis_get_shard_iterator(struct uktv_aws *,
	    const struct uktv_kinesis_stream *, const char *shard_id,
	    const char *type, const char *sequence, long long timestamp_ms,
	    char **iterator, struct uktv_error *);

/*
 * GetRecords with Limit (1 .. UKTV_KINESIS_GET_RECORDS_MAX, clamped).  The
 * answer as it came (new reference: caller puts): Records (Data in base64:
 * decode with uktv_base64_decode), NextShardIterator (absent or null at the
 * end of a closed shard), MillisBehindLatest, ChildShards.  stream may be
 * NULL; with an ARN it is sent as StreamARN.
 */
int	uktv_kinesis_get_records(struct uktv_aws *,
	    const struct uktv_kinesis_stream *, const char *iterator, int limit,
	    struct json_object **response, struct uktv_error *);

/*
 * The same with the answer left raw in *resp (free with
 * uktv_http_response_free), for a reader that scans it instead of building
 * a JSON object per record.  Errors are prefixed "Kinesis GetRecords".
 */
int	uktv_kinesis_get_records_raw(struct uktv_aws *,
	    const struct uktv_kinesis_stream *, const char *iterator, int limit,
	    struct uktv_http_response *resp, struct uktv_error *);

/* 1 when s[0, len) is a valid ExplicitHashKey: "0", or 1-39 digits without a
 * leading zero, at most 2^128 - 1. */
int	uktv_kinesis_hash_key_valid(const char *s, size_t len);
/* 1 when s[0, len) is a valid PartitionKey: 1-256 characters (s is UTF-8). */
int	uktv_kinesis_partition_key_valid(const char *s, size_t len);
/* The lowercase hex SHA-256 of data (64 characters and a NUL in out): a
 * partition key for records that have none, spread evenly over the shards
 * and the same for the same data. */
void	uktv_kinesis_hash_partition_key(const void *data, size_t len, char out[65]);

/*
 * A PutRecords batch.
 *
 *   b = uktv_kinesis_batch_new(&stream, &opts, &err);
 *   for each record:
 *           if (!uktv_kinesis_batch_fits(b, datalen, pklen))
 *                   uktv_kinesis_batch_flush(aws, b, report, arg, &err);
 *           uktv_kinesis_batch_add(b, &rec, &err);
 *   uktv_kinesis_batch_flush(aws, b, report, arg, &err);
 *
 * Memory: the request body (the base64 data, about 4/3 of the batch's data)
 * and, for each record, a few offsets and its note (see below).  A resend
 * compacts the body in place to the failed records, so a batch never holds
 * more than one request.
 */
struct uktv_kinesis_record {
	const void	*data;
	size_t		 data_len;
	const char	*partition_key;		/* UTF-8, not NUL-terminated */
	size_t		 partition_key_len;
	const char	*explicit_hash_key;	/* digits, or NULL */
	size_t		 explicit_hash_key_len;
	uint64_t	 tag;			/* the caller's (a line number) */
	/* Kept with the record and given back with its result (for a
	 * dead-letter line: the input it came from when that is not the
	 * data itself), or NULL. */
	const void	*note;
	size_t		 note_len;
};

/* The final outcome of one record, given to the flush callback. */
struct uktv_kinesis_result {
	uint64_t	 tag;
	const void	*note;
	size_t		 note_len;
	const char	*shard_id;	/* success: where it landed */
	const char	*sequence;
	const char	*error_code;	/* failure: NULL on success */
	const char	*error_message;
	int		 attempts;	/* times it was sent */
	int		 call_failed;	/* the whole call failed (after its
					 * retries): error_message says why */
	/* Failure only: the record's data again (for dead-lettering). */
	const void	*data;
	size_t		 data_len;
	const char	*partition_key;
	size_t		 partition_key_len;
};

/* Pointers in the result are valid during the call only. */
typedef void (*uktv_kinesis_result_fn)(const struct uktv_kinesis_result *,
	    void *arg);

struct uktv_kinesis_batch_opts {
	/* Records per call, 1 .. UKTV_KINESIS_PUT_MAX_RECORDS (0: the max). */
	int	 max_records;
	/* Sends per record under partial failures (0: UKTV_KINESIS_PUT_ATTEMPTS). */
	int	 max_attempts;
	/* Pace calls to at most this many records per second (0: no pacing).
	 * Resends count too: they are records the shard has to take. */
	double	 max_rate;
	/* Report successes without shard_id and sequence when the whole call
	 * succeeded: the answer's results are then not read one by one. */
	int	 brief_success;
};

struct uktv_kinesis_batch_stats {
	uint64_t	calls;		/* PutRecords calls that got an answer */
	uint64_t	records;	/* records delivered */
	uint64_t	bytes;		/* data + partition key bytes delivered */
	uint64_t	resent;		/* records sent again after a partial failure */
	uint64_t	failed;		/* records given up on */
};

struct uktv_kinesis_batch;

/* Caller frees with uktv_kinesis_batch_free.  opts may be NULL. */
struct uktv_kinesis_batch *uktv_kinesis_batch_new(
	    const struct uktv_kinesis_stream *,
	    const struct uktv_kinesis_batch_opts *, struct uktv_error *);
void	uktv_kinesis_batch_free(struct uktv_kinesis_batch *);

/* Records in the batch (not yet flushed). */
size_t	uktv_kinesis_batch_count(const struct uktv_kinesis_batch *);

/* 1 when a record of data_len bytes with a partition key of pk_len bytes can
 * go into this batch without passing a per-call limit.  An empty batch takes
 * any record within UKTV_KINESIS_RECORD_MAX_BYTES. */
int	uktv_kinesis_batch_fits(const struct uktv_kinesis_batch *,
	    size_t data_len, size_t pk_len);

/* 1 when a record with this partition key is in the batch already. */
int	uktv_kinesis_batch_has_key(const struct uktv_kinesis_batch *,
	    const char *pk, size_t pk_len);

/*
 * Adds a record (copied).  Fails with UKTV_ERR_INPUT and a message for the
 * record itself (partition key empty or over 256 characters, hash key not a
 * 128-bit decimal, data + key over 1 MiB), or UKTV_ERR_USAGE when it does
 * not fit (check uktv_kinesis_batch_fits first).
 */
int	uktv_kinesis_batch_add(struct uktv_kinesis_batch *,
	    const struct uktv_kinesis_record *, struct uktv_error *);

/*
 * Sends the batch and empties it.  Whole-call throttling, 5xx and transport
 * failures are retried by uktv_aws_send (the standard retry policy).
 * Records the answer fails (FailedRecordCount > 0, ErrorCode per record) are
 * sent again, only they, with the standard backoff, up to max_attempts;
 * those whose error is not transient (e.g. KMSAccessDeniedException) are
 * given up at once.  fn is called once for each record with its final
 * outcome (in the order records settle).  Returns 0 when every call was
 * answered (some records may still have failed: see the results), or -1
 * with err set when a call failed outright (after its retries): every record
 * not yet delivered is then reported failed with err's code and message.
 */
int	uktv_kinesis_batch_flush(struct uktv_aws *, struct uktv_kinesis_batch *,
	    uktv_kinesis_result_fn fn, void *arg, struct uktv_error *);

const struct uktv_kinesis_batch_stats *uktv_kinesis_batch_stats(
	    const struct uktv_kinesis_batch *);

#endif
