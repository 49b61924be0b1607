/*
 * publisher.h: NDJSON lines published as Kinesis records, the way
 * uktv-publish(1) does it: each line becomes one record (recordline.h),
 * records go out in PutRecords calls at Kinesis's limits (kinesis.h's
 * batch: partial failures resent, pacing), and every line that is not
 * sent or not delivered is dead-lettered (deadletter.h) and counted.
 *
 *   p = uktv_publisher_open(&opts, &err);
 *   for each line ln of the input:
 *           uktv_publisher_add(p, aws, &ln);    (sends when a call is full)
 *           if (uktv_publisher_failed(p)) stop reading;
 *   when no input is waiting, and at the end:
 *           uktv_publisher_flush(p, aws);
 *   uktv_publisher_counts(p, &counts); uktv_publisher_close(p, &err);
 *
 * What becomes of each line is handed to opts.hook, once per line: the
 * tool prints and logs it (the library never prints).  No global state.
 */
#ifndef UKTV_PUBLISHER_H
#define UKTV_PUBLISHER_H

#include <stddef.h>

#include "error.h"
#include "kinesis.h"
#include "ndjson.h"
#include "recordline.h"

enum uktv_publish_outcome {
	UKTV_PUBLISH_DELIVERED,	/* in the stream: shard, sequence */
	UKTV_PUBLISH_REJECTED,	/* never sent: the line cannot be a record,
				 * or the service failed for good before it */
	UKTV_PUBLISH_FAILED	/* sent, not delivered: given up on */
};

/* One line's outcome; its pointers are valid during the hook only. */
struct uktv_publish_result {
	enum uktv_publish_outcome outcome;
	unsigned long long	 line;		/* the input line's number */
	/* DELIVERED: where it landed (NULL with batch.brief_success). */
	const char		*shard;
	const char		*sequence;
	/* REJECTED and FAILED: the dead letter's "error" and "message". */
	const char		*code;
	const char		*message;	/* never NULL, may be "" */
	/* FAILED: the times it was sent, and whether the whole call failed
	 * (after its retries; message then names the call's error). */
	int			 attempts;
	int			 call_failed;
};

typedef void (*uktv_publisher_fn)(const struct uktv_publish_result *,
	    void *arg);

struct uktv_publisher_opts {
	struct uktv_kinesis_stream	 stream;
	/* Per call and per record; max_records 0 is Kinesis's limit, and a
	 * max_rate below it sends calls of max_rate records (a paced stream
	 * sends small calls rather than a second's worth). */
	struct uktv_kinesis_batch_opts	 batch;
	/* How a line becomes a record: borrowed, the caller frees it after
	 * uktv_publisher_close. */
	struct uktv_recordline		*lines;
	/* At most one record per partition key in a call: a key already in
	 * the call waits for the next, so a key's records land in order. */
	int				 strict_order;
	const char			*dead_letter;	/* a path, or NULL */
	uktv_publisher_fn		 hook;		/* may be NULL */
	void				*hook_arg;
};

struct uktv_publisher_counts {
	unsigned long long		 lines;		/* lines added */
	unsigned long long		 rejected;	/* never sent */
	unsigned long long		 failed;	/* not delivered */
	/* Dead letters that could not be written (the close's error, or
	 * the file's, says why). */
	unsigned long long		 dead_errors;
	struct uktv_kinesis_batch_stats	 sent;		/* the calls' figures */
};

struct uktv_publisher;

/*
 * Opens the dead-letter file (when one is named: a file that cannot be
 * written fails here, before any input) and makes the batch.  NULL with
 * err (UKTV_ERR_CANTCREAT, or out of memory).  Free with
 * uktv_publisher_close.
 */
struct uktv_publisher *uktv_publisher_open(const struct uktv_publisher_opts *,
	    struct uktv_error *);
/*
 * Closes the dead-letter file and frees the publisher; records still held
 * are dropped (flush first).  0, or -1 with err (UKTV_ERR_IO: a dead letter
 * that did not reach the file).  NULL is fine.
 */
int	uktv_publisher_close(struct uktv_publisher *, struct uktv_error *);

/*
 * One line from the reader (ndjson.h): one the reader rejected, or that
 * cannot be a record, or that comes after the service failed for good, is
 * rejected at once; else its record joins the call, which is sent first
 * when the record would not fit (or, with strict_order, when its key is in
 * it) and after it when it is full.  Outcomes go to the hook as they are
 * known.
 */
void	uktv_publisher_add(struct uktv_publisher *, struct uktv_aws *,
	    const struct uktv_ndjson_line *);
/* Sends the records held (none: nothing is sent). */
void	uktv_publisher_flush(struct uktv_publisher *, struct uktv_aws *);
/* Records held, not yet sent. */
size_t	uktv_publisher_pending(const struct uktv_publisher *);

/* The error of a call that failed outright (after its retries), else NULL:
 * the lines after it are not worth reading. */
const struct uktv_error *uktv_publisher_failed(const struct uktv_publisher *);
void	uktv_publisher_counts(const struct uktv_publisher *,
	    struct uktv_publisher_counts *);

#endif
