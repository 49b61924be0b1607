/*
 * streamreader.h: reads every shard of a Kinesis data stream or a DynamoDB
 * stream, in lineage order, as a sequence of batches: the engine under
 * uktv-consume (Kinesis) and uktv-notify (DynamoDB Streams).
 *
 *   struct uktv_streamreader_opts o = { .backend = UKTV_SR_KINESIS,
 *       .stream = "ProgrammeDataStream", .claim = my_claim, .arg = ctx };
 *   uktv_position_set(&o.start, UKTV_POS_TRIM_HORIZON);
 *   r = uktv_streamreader_new(aws, &o, &err);
 *   while ((rc = uktv_streamreader_next(r, 1000, 1000, &b, &err)) > 0) {
 *           if (rc != UKTV_SR_BATCH)
 *                   continue;                   (idle: housekeeping)
 *           for (i = 0; i < b.n; i++)
 *                   use(&b.records[i]);
 *           flush output, store ...;
 *           checkpoint(b.shard_id, &b.checkpoint);   (after the work: at least once)
 *   }
 *   rc == UKTV_SR_END: every shard read to its end (-e / until); -1: err.
 *
 * What it does as AWS asks of a consumer:
 * - shards: Kinesis ListShards, every page, later pages with NextToken alone;
 *   DynamoDB Streams DescribeStream, every page (ExclusiveStartShardId /
 *   LastEvaluatedShardId, 100 a page, LimitExceeded waited out).  Listed
 *   again at refresh_ms and whenever a shard ends (its children appear).
 * - lineage: a shard is read only once its parents (ParentShardId,
 *   AdjacentParentShardId) are finished: read to their end here, or claimed
 *   finished (a SHARD_END checkpoint), or gone from the listing (trimmed
 *   away: a parent that no longer exists never holds its children back).
 *   The records that come with a shard's null NextShardIterator are
 *   delivered, then an end batch (shard_end, checkpoint SHARD_END).
 * - GetRecords always with a Limit, at most 5 calls a second per shard
 *   (min_interval_ms), poll_ms between calls once a shard is caught up;
 *   throttling (ProvisionedThroughputExceeded, LimitExceeded) backed off per
 *   shard without holding the others; an ExpiredIteratorException renews
 *   the iterator AFTER the last record delivered, never from the start.
 * - a start position behind the trim horizon (the sequence was trimmed) is
 *   reset to TRIM_HORIZON and reported (note UKTV_SR_NOTE_TRIMMED, naming
 *   the position and the first record read after the gap), never a stuck
 *   reader.
 * - sequence numbers are compared as numbers (uktv_cmp_decimal).
 * - KPL aggregates (Kinesis) are de-aggregated: one record per user
 *   record, with its own partition key and sub_sequence; a bad digest is
 *   reported (UKTV_SR_NOTE_KPL) and the record delivered whole.  A position
 *   inside an aggregate resumes after its sub-sequence.
 * - the end: with until_ms a shard stops at its first record that arrived
 *   after until_ms (that record is not delivered), or once it is caught up
 *   after until_ms has passed; to_end sets until_ms to the time the reader
 *   was made ("read to the end the stream had when the run started", so a
 *   stream that keeps receiving records still ends; records that arrived
 *   up to half a second later are taken too, for clock skew).  A child whose parent
 *   stopped that way is not read: its records all came later.
 *
 * Memory: one GetRecords answer at a time (up to 10 MiB from Kinesis),
 * decoded in place; batches point into it.  No global state; not
 * thread-safe (one reader per thread).
 */
#ifndef UKTV_STREAMREADER_H
#define UKTV_STREAMREADER_H

#include <signal.h>
#include <stddef.h>

#include <json-c/json.h>

#include "aws.h"
#include "checkpoint.h"

enum uktv_sr_backend {
	UKTV_SR_KINESIS = 0,
	UKTV_SR_DDBSTREAMS
};

/* One record.  Pointers are valid until the next uktv_streamreader_next. */
struct uktv_stream_record {
	const char		*shard_id;
	const char		*sequence;
	/* Index of the user record inside a KPL aggregate; -1 for a record
	 * that was not aggregated. */
	long long		 sub_sequence;
	const char		*partition_key;	/* Kinesis; NULL for Streams */
	size_t			 partition_key_len;
	const char		*explicit_hash_key;	/* KPL only, else NULL */
	size_t			 explicit_hash_key_len;
	long long		 arrival_ms;	/* ApproximateArrivalTimestamp /
						 * ApproximateCreationDateTime */
	/* Kinesis: the data as it was put (decoded from base64).
	 * DynamoDB Streams: the stream record's JSON text. */
	const unsigned char	*data;
	size_t			 data_len;
	/* DynamoDB Streams: the stream record (borrowed); NULL for Kinesis. */
	struct json_object	*record;
	/* A record with the KPL magic whose digest or message was bad,
	 * delivered whole (UKTV_SR_NOTE_KPL said why). */
	int			 kpl_bad;
};

struct uktv_stream_batch {
	const char			*shard_id;
	const struct uktv_stream_record	*records;
	size_t				 n;	/* 0 only for an end batch */
	long long			 millis_behind;	/* -1: not known */
	/* This batch ends the shard (read to its null NextShardIterator):
	 * its children will be read next. */
	int				 shard_end;
	/* What to store once the batch is done: after its last record, or
	 * SHARD_END for an end batch. */
	struct uktv_position		 checkpoint;
};

struct uktv_shard_info {
	const char	*shard_id;
	const char	*parent;		/* NULL when none */
	const char	*adjacent_parent;	/* NULL when none */
	const char	*starting_sequence;
	const char	*ending_sequence;	/* NULL while the shard is open */
};

/* What a claim hook answers for a shard whose parents are finished. */
enum uktv_sr_claim {
	UKTV_SR_CLAIM_SKIP = 0,	/* not this reader's (now): asked again at
				 * the next refresh */
	UKTV_SR_CLAIM_READ,	/* read it from *pos */
	UKTV_SR_CLAIM_DONE	/* finished (SHARD_END): its children may go */
};

/*
 * Called when a shard may be read.  *pos comes set to opts->start; the hook
 * puts the shard's checkpoint there if it has one (a checkpoint wins).  A
 * READ with a SHARD_END position counts as DONE.  Returns a claim, or -1
 * with err set (the reader then fails).
 */
typedef int (*uktv_sr_claim_fn)(void *arg, const struct uktv_shard_info *,
	    struct uktv_position *pos, struct uktv_error *err);

enum uktv_sr_note {
	UKTV_SR_NOTE_TRIMMED,	/* a position was trimmed: reset, gap named */
	UKTV_SR_NOTE_EXPIRED,	/* iterator expired: renewed after the last record */
	UKTV_SR_NOTE_THROTTLED,	/* throttled: backing off */
	UKTV_SR_NOTE_RETRY,	/* a transient failure: backing off */
	UKTV_SR_NOTE_KPL,	/* a bad KPL aggregate delivered whole */
	UKTV_SR_NOTE_START,	/* a shard is being read (from where) */
	UKTV_SR_NOTE_END,	/* a shard was read to its end */
	UKTV_SR_NOTE_STOP,	/* a shard reached until_ms */
	UKTV_SR_NOTE_GONE	/* a shard no longer exists: finished */
};

/* Things worth telling an operator; message is one line without the shard. */
typedef void (*uktv_sr_note_fn)(void *arg, enum uktv_sr_note,
	    const char *shard_id, const char *message);

struct uktv_streamreader_opts {
	enum uktv_sr_backend	 backend;
	/* Kinesis: a stream name or ARN; DynamoDB Streams: a stream ARN. */
	const char		*stream;
	/* Where a shard without a checkpoint starts (NONE: TRIM_HORIZON). */
	struct uktv_position	 start;
	long long		 until_ms;	/* 0: no end time */
	int			 to_end;	/* -e */
	/* GetRecords Limit; 0: the backend's maximum (Kinesis 10,000,
	 * DynamoDB Streams 1,000). */
	int			 limit;
	long			 min_interval_ms; /* per shard; 0: 200 (5/s) */
	long			 poll_ms;	  /* caught up; 0: 1000 */
	long			 refresh_ms;	  /* re-listing; 0: 30000 */
	/* Shards per ListShards / DescribeStream page; 0: the service's
	 * default (tests make it small to see the paging). */
	int			 list_page_size;
	int			 no_deaggregate;  /* deliver KPL aggregates whole */
	/* Set by a signal handler: uktv_streamreader_next returns
	 * UKTV_SR_STOPPED at its next wait or call. */
	volatile sig_atomic_t	*stop;
	/*
	 * The descriptor the caller writes what it reads to (standard output:
	 * 1), watched while the reader waits between calls: a caught-up
	 * follower writes nothing, so without this it would never learn that
	 * its reader went away (`uktv-consume -s S | head -1`).  When poll(2)
	 * says POLLERR or POLLHUP (a pipe or socket whose reader closed),
	 * uktv_streamreader_next returns UKTV_SR_CLOSED.  0: none (standard
	 * input is never an output, and 0 is what a zeroed opts holds).
	 */
	int			 watch_fd;
	uktv_sr_claim_fn	 claim;		/* NULL: read every shard from start */
	uktv_sr_note_fn		 note;		/* NULL: no notes */
	void			*arg;
};

enum uktv_sr_result {
	UKTV_SR_END = 0,	/* every shard at its end (to_end / until_ms) */
	UKTV_SR_BATCH = 1,	/* *batch filled */
	UKTV_SR_IDLE = 2,	/* nothing within max_wait_ms */
	UKTV_SR_STOPPED = 3,	/* *opts->stop was set */
	UKTV_SR_CLOSED = 4	/* opts->watch_fd's reader went away */
};

struct uktv_streamreader_stats {
	unsigned long long	records;	/* delivered (user records) */
	unsigned long long	bytes;		/* their data bytes */
	unsigned long long	calls;		/* GetRecords answered */
	unsigned long long	throttles;	/* throttled calls, after retries */
	unsigned long long	expired;	/* iterators renewed */
	unsigned long long	trimmed;	/* positions reset to TRIM_HORIZON */
	unsigned long long	aggregates;	/* KPL aggregates de-aggregated */
	unsigned long long	kpl_bad;	/* KPL records delivered whole */
	unsigned long long	listings;	/* shard listings */
};

struct uktv_streamreader;

/* The reader borrows aws and the strings in opts (keep them alive).  Caller
 * frees with uktv_streamreader_free.  Nothing is called before the first
 * uktv_streamreader_next. */
struct uktv_streamreader *uktv_streamreader_new(struct uktv_aws *,
	    const struct uktv_streamreader_opts *, struct uktv_error *);
void	uktv_streamreader_free(struct uktv_streamreader *);

/*
 * The next batch of at most max_records records (0: no bound) of one
 * shard, or UKTV_SR_IDLE when nothing came within max_wait_ms (< 0: wait
 * as long as it takes), UKTV_SR_END, UKTV_SR_STOPPED, UKTV_SR_CLOSED (seen
 * while waiting: nothing is pending then), or -1 with err (a
 * failure that retrying did not cure, or the claim hook's).  The batch is
 * valid until the next call.  Records of one shard come in order; a
 * shard's batches are never interleaved with a child's.
 */
int	uktv_streamreader_next(struct uktv_streamreader *, size_t max_records,
	    long max_wait_ms, struct uktv_stream_batch *, struct uktv_error *);

/* Stop reading a shard (e.g. its lease was lost): its undelivered records
 * are dropped and it is claimed again at the next refresh. */
void	uktv_streamreader_release(struct uktv_streamreader *, const char *shard_id);
/* List the shards and ask the claim hook again at the next call. */
void	uktv_streamreader_refresh(struct uktv_streamreader *);

enum uktv_sr_shard_state {
	UKTV_SR_SHARD_WAITING,	/* parents not finished, or not claimed yet */
	UKTV_SR_SHARD_SKIPPED,	/* claim said SKIP */
	UKTV_SR_SHARD_READING,
	UKTV_SR_SHARD_DONE,	/* finished (SHARD_END or gone) */
	UKTV_SR_SHARD_STOPPED	/* reached until_ms */
};

/* Called per known shard, in listing order: its state, the position after
 * the last record delivered (or where it starts), and its last
 * MillisBehindLatest (-1: not known).  Non-zero stops. */
typedef int (*uktv_sr_shard_fn)(void *arg, const struct uktv_shard_info *,
	    enum uktv_sr_shard_state, const struct uktv_position *,
	    long long millis_behind);
void	uktv_streamreader_shards(struct uktv_streamreader *, uktv_sr_shard_fn,
	    void *arg);
const char *uktv_sr_shard_state_name(enum uktv_sr_shard_state);

/* Lists the stream's shards once (no reading, no claims): for operators'
 * commands such as --show-checkpoints and --reset-checkpoints. */
int	uktv_streamreader_list(struct uktv_aws *, enum uktv_sr_backend,
	    const char *stream, void (*fn)(void *arg, const struct uktv_shard_info *),
	    void *arg, struct uktv_error *);

/*
 * How far behind the tip of its shard a position is, in milliseconds
 * (Kinesis: MillisBehindLatest of one GetRecords of Limit 1 from the
 * position; 0 when nothing is after it).  For --show-checkpoints.  -1 with
 * *lag_ms -1 when it cannot be known (DynamoDB Streams, SHARD_END, LATEST)
 * or the calls fail (err says why).
 */
int	uktv_streamreader_lag(struct uktv_aws *, enum uktv_sr_backend,
	    const char *stream, const char *shard_id,
	    const struct uktv_position *, long long *lag_ms, struct uktv_error *);

const struct uktv_streamreader_stats *uktv_streamreader_stats(
	    const struct uktv_streamreader *);

/*
 * A claim hook over a checkpoint directory (arg: struct
 * uktv_checkpoint_dir *): a shard's file wins over the default start; a
 * SHARD_END file makes the shard DONE; no file: READ from the default.
 * This is step 1 of the stream tools' claim rule; the whole rule (a
 * shard whose parent this run read starts at TRIM_HORIZON) is
 * uktv_consumer_claim's (consumer.h), which calls this one.
 */
int	uktv_streamreader_claim_checkpoint(void *arg,
	    const struct uktv_shard_info *, struct uktv_position *pos,
	    struct uktv_error *);

#endif
