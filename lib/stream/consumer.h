/*
 * consumer.h: what uktv-consume and uktv-notify share around a stream
 * reader (ARCHITECTURE.md "Layout": consumer coordination): the shard list,
 * the claim rule, checkpoints in a directory or a lease table, and keeping
 * the reader in step with the leases this worker holds.
 *
 * The claim rule, the one both tools follow (uktv_consumer_claim):
 *   1. a stored position wins: the shard's lease checkpoint (with a lease
 *      table; a shard this worker does not hold is SKIP, one whose lease
 *      says SHARD_END is DONE) or its checkpoint file
 *      (uktv_streamreader_claim_checkpoint);
 *   2. else the one shard named by at_shard starts at at_pos (--from
 *      at-sequence=SHARD:SEQ);
 *   3. else a shard whose parent or adjacent parent this run has read
 *      starts at TRIM_HORIZON: its records all came after its parents',
 *      and none may be skipped, whatever the default start is;
 *   4. else the reader's default start (--from).
 * A shard claimed READ counts as read for rule 3, except one started at
 * LATEST that is already closed: it reads nothing, so its children are
 * news.
 *
 * No printing: what an operator should hear comes through the event hook.
 */
#ifndef UKTV_CONSUMER_H
#define UKTV_CONSUMER_H

#include <stddef.h>

#include "aws.h"
#include "checkpoint.h"
#include "error.h"
#include "lease.h"
#include "streamreader.h"

/* The shards of a stream, as uktv_leases_sync takes them. */
struct uktv_consumer_shards {
	struct uktv_lease_shard	*v;
	size_t			 n;
	/* private */
	char			**owned;
	size_t			 cap, nowned;
	int			 failed;
};

/* Lists the stream's shards once (no claims).  0, or -1 with err. */
int	uktv_consumer_list_shards(struct uktv_aws *, enum uktv_sr_backend,
	    const char *stream, struct uktv_consumer_shards *,
	    struct uktv_error *);
void	uktv_consumer_shards_free(struct uktv_consumer_shards *);

enum uktv_consumer_event {
	UKTV_CONSUMER_LEASE_LOST,	/* info: a held shard's lease went to
					 * another worker: reading stopped */
	UKTV_CONSUMER_LEASE_LOST_CHECKPOINT, /* info: lost before its checkpoint */
	UKTV_CONSUMER_SYNC_FAILED,	/* error: the lease table's shard list
					 * could not be brought up to date */
	UKTV_CONSUMER_TICK_FAILED,	/* warning: a lease round failed for a
					 * passing reason: tried again */
	UKTV_CONSUMER_LOCK_FORCED	/* warning: reset while a reader holds
					 * the positions (force) */
};
/* shard is NULL for the table-wide events; message is one line. */
typedef void (*uktv_consumer_event_fn)(void *arg, enum uktv_consumer_event,
	    const char *shard, const char *message);

struct uktv_consumer_opts {
	struct uktv_aws			*aws;
	enum uktv_sr_backend		 backend;
	const char			*stream;
	/* Where positions are kept: one or neither (borrowed). */
	struct uktv_checkpoint_dir	*ckdir;
	struct uktv_leases		*leases;
	/* One shard's own start (rule 2); NULL: none.  Copied. */
	const char			*at_shard;
	struct uktv_position		 at_pos;
	uktv_consumer_event_fn		 event;
	/* The reader's notes, passed on by uktv_consumer_note. */
	uktv_sr_note_fn			 note;
	void				*arg;		/* of event and note */
};

struct uktv_consumer;

struct uktv_consumer *uktv_consumer_new(const struct uktv_consumer_opts *,
	    struct uktv_error *);
void	uktv_consumer_free(struct uktv_consumer *);
/*
 * The reader over this consumer: opts' claim and note hooks become the
 * consumer's (the one claim rule; notes passed on to its opts.note), and
 * lease ticks release and refresh it.  The consumer does not own it: free
 * it with uktv_streamreader_free.
 */
struct uktv_streamreader *uktv_consumer_reader(struct uktv_consumer *,
	    struct uktv_streamreader_opts *, struct uktv_error *);

/* The reader's note hook (uktv_sr_note_fn; arg: the consumer): passes
 * the note on to opts.note, since the reader has one arg for both hooks. */
void	uktv_consumer_note(void *arg, enum uktv_sr_note, const char *shard,
	    const char *message);
/* The claim hook (uktv_sr_claim_fn) for a reader: arg is the consumer. */
int	uktv_consumer_claim(void *arg, const struct uktv_shard_info *,
	    struct uktv_position *pos, struct uktv_error *err);

/*
 * With a lease table: brings its shard list up to date when a claim saw a
 * shard without a lease, runs one round of the protocol, then stops
 * reading the shards no longer held and asks the reader to claim again
 * when a held one is not being read.  -1 only for what must stop the run
 * (the shards cannot be listed; an auth or configuration error).
 */
int	uktv_consumer_lease_tick(struct uktv_consumer *, struct uktv_error *);
/* In a reading loop: a lease round when one is due at now (ms since the
 * epoch) or a new shard was seen; *wait_ms is lowered to the time until
 * the next round.  -1 as uktv_consumer_lease_tick. */
int	uktv_consumer_lease_poll(struct uktv_consumer *, long long now,
	    long long *wait_ms, struct uktv_error *);
/* Sets up the lease table and takes a first round (before reading). */
int	uktv_consumer_lease_start(struct uktv_consumer *, struct uktv_error *);

/*
 * Stores pos as shard's checkpoint where positions are kept (nowhere: 0).
 * A lease lost to another worker is not a failure: the reader stops
 * reading the shard (its new holder reads on) and 1 is returned.  -1 with
 * err otherwise.
 */
int	uktv_consumer_checkpoint(struct uktv_consumer *, const char *shard,
	    const struct uktv_position *, struct uktv_error *);
/* Checkpoints written so far. */
long	uktv_consumer_checkpoints(const struct uktv_consumer *);

/*
 * The running figures of a --stats line (uktv-consume(1)): time, records,
 * bytes and their rates since the last call, GetRecords calls, throttles,
 * retries, expired iterators, checkpoints, the caller's reported count,
 * and each shard's state and lag.  A new object: the caller may add its
 * own figures, prints it and puts it.
 */
struct json_object;
struct json_object *uktv_consumer_stats_json(struct uktv_consumer *,
	    long reported);

/*
 * Sets every shard's stored position to pos (--reset-checkpoints): the
 * lease table's, or each checkpoint file's and, with a stream, a file for
 * each listed shard that has none.  A directory another reader holds is
 * an error unless force (then UKTV_CONSUMER_LOCK_FORCED).  *n: files set.
 */
int	uktv_consumer_reset(struct uktv_consumer *, const struct uktv_position *,
	    int force, long *n, struct uktv_error *);

#endif
