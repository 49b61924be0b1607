/*
 * lease.h: sharing a stream's shards among workers through a lease table in
 * DynamoDB, in the Kinesis Client Library 2.x's schema and attribute names,
 * so a KCL application and uktv-consume can read each other's table
 * (uktv-consume --lease-table TABLE --worker-id ID).
 *
 * Table: hash key leaseKey (S), PAY_PER_REQUEST, created when missing.
 * One item per shard:
 *   leaseKey                      S   the shard id
 *   leaseOwner                    S   the worker id holding it; absent: free
 *   leaseCounter                  N   bumped by every write of the holder:
 *                                     a counter that stops moving means a
 *                                     dead holder
 *   checkpoint                    S   a sequence number, or TRIM_HORIZON,
 *                                     LATEST, AT_TIMESTAMP, SHARD_END
 *   checkpointSubSequenceNumber   N   see "Sub-sequence numbers" below
 *   ownerSwitchesSinceCheckpoint  N   owner changes since the last checkpoint
 *   parentShardId                 SS  the parent (and adjacent parent) shards
 *   uktvCheckpointTimestamp       N   ms since the epoch, only with
 *                                     AT_TIMESTAMP (the KCL keeps that time in
 *                                     its configuration; it ignores this)
 *
 * The protocol (as the KCL's): every write is conditioned on leaseCounter
 * (and leaseOwner) being what this worker last saw, and bumps the counter.
 *   - take: a free lease, or an expired one: its counter has not moved for
 *     the lease duration as seen by this worker (no clocks are compared
 *     between workers); a lease still owned under this worker's own id (an
 *     earlier run that was killed) is taken at once;
 *   - renew: every renew interval, each held lease; a renewal that loses the
 *     condition means another worker took it: the lease is dropped here;
 *   - balance: target = ceil(eligible leases / live workers), live workers
 *     being the owners of unexpired leases plus this one; below target a
 *     worker takes free or expired leases, and when there are none steals
 *     one lease per tick from the most loaded worker while that one holds
 *     more than target (or target while this one is two or more short);
 *   - eligible: not at SHARD_END, and every parent either at SHARD_END or
 *     without a lease (trimmed away): children are leased only after their
 *     parents were read to the end, so per-key order survives resharding;
 *   - checkpoint: conditioned on owner and counter, resets
 *     ownerSwitchesSinceCheckpoint; SHARD_END stops the renewals;
 *   - release (shutdown): leaseOwner removed, so another worker takes the
 *     lease at once instead of after the lease duration.
 *
 * Sub-sequence numbers: the KCL's checkpoint (seq, sub) means "done with
 * every record up to seq, and inside a KPL aggregate at seq with the user
 * records up to sub"; a record that was not aggregated counts as sub 0.  So
 * a struct uktv_position with sub_sequence -1 (a whole record) is written
 * as 0, and 0 is read back as sub_sequence 0: a reader resuming from it
 * starts AT the sequence number and skips the user records with a
 * sub-sequence <= sub, a record that is not an aggregate being sub 0 (the
 * KCL's rule).  At least once, never a gap.
 *
 * Durations come from the options (tests use short ones); the clock is
 * injectable.  No printing, no global state.
 */
#ifndef UKTV_LEASE_H
#define UKTV_LEASE_H

#include <stddef.h>

#include <json-c/json.h>

#include "aws.h"
#include "checkpoint.h"
#include "error.h"

/* KCL 2.x defaults: failoverTimeMillis 10 s; the KCL renews every
 * failoverTime/3 less an epsilon. */
#define UKTV_LEASE_DURATION_MS		10000L
#define UKTV_LEASE_CREATE_WAIT_MS	60000L
#define UKTV_LEASE_OWNER_MAX		256
#define UKTV_LEASE_MAX_PARENTS		2

/* Error code (err->code, kind UKTV_ERR_SERVICE) of a write that found the
 * lease in another worker's hands: the caller stops reading the shard. */
#define UKTV_LEASE_LOST			"LeaseLost"
/* Error code of a reset refused because a live worker holds a lease. */
#define UKTV_LEASE_HELD			"LeaseHeld"

struct uktv_lease {
	char			 shard[UKTV_SHARD_ID_MAX + 1];	/* leaseKey */
	char			 owner[UKTV_LEASE_OWNER_MAX + 1]; /* "" free */
	long long		 counter;
	struct uktv_position	 checkpoint;
	long long		 owner_switches;
	char			 parents[UKTV_LEASE_MAX_PARENTS][UKTV_SHARD_ID_MAX + 1];
	int			 nparents;
	/* This worker's view. */
	long long		 seen_ms;	/* when counter last changed here */
	int			 held;		/* held by this worker */
};

/* A shard as ListShards / DescribeStream gives it (for uktv_leases_sync). */
struct uktv_lease_shard {
	const char	*shard;
	const char	*parent;		/* NULL when none */
	const char	*adjacent_parent;	/* NULL when none */
};

struct uktv_lease_opts {
	const char	*table;
	const char	*worker_id;		/* 1-UKTV_LEASE_OWNER_MAX bytes */
	long		 duration_ms;		/* 0: UKTV_LEASE_DURATION_MS */
	long		 renew_ms;		/* 0: duration / 3 */
	long		 create_wait_ms;	/* 0: UKTV_LEASE_CREATE_WAIT_MS */
	/* Where a new lease of a shard without a parent starts (NULL:
	 * TRIM_HORIZON); a child's lease starts at TRIM_HORIZON, after its
	 * parents. */
	const struct uktv_position *initial;
	long long	(*now_ms)(void);	/* NULL: uktv_time_now_ms */
};

struct uktv_leases;

/* Borrows aws; copies opts.  Caller frees with uktv_leases_free (which does
 * not release: call uktv_leases_release first on a clean shutdown).  NULL
 * with err (UKTV_ERR_USAGE for a bad worker id or durations). */
struct uktv_leases *uktv_leases_new(struct uktv_aws *,
	    const struct uktv_lease_opts *, struct uktv_error *);
void	uktv_leases_free(struct uktv_leases *);

/* Creates the table when missing (PAY_PER_REQUEST) and waits, at most
 * create_wait_ms, until it is ACTIVE.  1 created, 0 it was there, -1. */
int	uktv_leases_ensure_table(struct uktv_leases *, struct uktv_error *);

/* Adds a lease (no owner, counter 0) for each shard that has none; another
 * worker adding the same one at the same time is fine. */
int	uktv_leases_sync(struct uktv_leases *, const struct uktv_lease_shard *,
	    size_t n, struct uktv_error *);

/*
 * One round of the protocol: renews the held leases that are due, reads the
 * table, and takes/steals leases by the balance rule.  Call it at least
 * every renew_ms (uktv_leases_next_ms says when).  Afterwards the held set
 * (uktv_lease.held) says which shards to read: a shard newly held starts
 * from its lease's checkpoint, a shard no longer held must not be read or
 * checkpointed any more.  A renewal or take that fails for a passing reason
 * (throttling, a timeout) is tried again next tick, and a lease this worker
 * could not renew for duration_ms is dropped here too.  -1 when the table
 * cannot be read, or on an auth or configuration error (err says which).
 */
int	uktv_leases_tick(struct uktv_leases *, struct uktv_error *);
/* The time (ms since the epoch) the next tick is due. */
long long uktv_leases_next_ms(const struct uktv_leases *);

/* Every lease known from the last read of the table, in shard order. */
size_t	uktv_leases_count(const struct uktv_leases *);
const struct uktv_lease *uktv_leases_at(const struct uktv_leases *, size_t i);
/* The lease of shard, or NULL; and whether this worker holds it. */
const struct uktv_lease *uktv_leases_find(const struct uktv_leases *,
	    const char *shard);
int	uktv_leases_holds(const struct uktv_leases *, const char *shard);

/*
 * Writes pos as the checkpoint of a held lease (conditioned on owner and
 * counter; resets ownerSwitchesSinceCheckpoint).  A lease found in another
 * worker's hands: -1 with err->code UKTV_LEASE_LOST and the lease dropped
 * (stop reading the shard; what was read since the last checkpoint will be
 * read again by the new holder: at least once).  pos SHARD_END also stops
 * the renewals of the lease.
 */
int	uktv_leases_checkpoint(struct uktv_leases *, const char *shard,
	    const struct uktv_position *, struct uktv_error *);

/* Releases every held lease (shutdown): leaseOwner removed, conditioned on
 * owner and counter.  Leases already lost are skipped. */
int	uktv_leases_release(struct uktv_leases *, struct uktv_error *);

/*
 * Reads the whole table (consistent) into the known set without taking
 * anything: for --show-checkpoints.
 */
int	uktv_leases_read(struct uktv_leases *, struct uktv_error *);

/*
 * --reset-checkpoints: sets every lease's checkpoint to pos, with the owner
 * removed.  Unless force, refused (UKTV_LEASE_HELD, kind UKTV_ERR_SERVICE,
 * naming the shard and owner) when any lease's holder is alive: an owned
 * lease's counter is watched for the lease duration first (the only
 * liveness a KCL table shows).
 */
int	uktv_leases_reset(struct uktv_leases *, const struct uktv_position *pos,
	    int force, struct uktv_error *);

/* A lease as one JSON line of --show-checkpoints: {"shard", "position",
 * ("sub_sequence", "timestamp"), "owner", "lease_counter",
 * "owner_switches", "parents"} (new reference). */
struct json_object *uktv_lease_to_json(const struct uktv_lease *);

#endif
