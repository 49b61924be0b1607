/*
 * consumerun.h: one run of a stream consumer, as uktv-consume(1) makes it
 * around the consumer (consumer.h): where positions are kept (a checkpoint
 * directory or a KCL lease table), the outputs (NDJSON lines, dead
 * letters, --stats lines), the step from one batch to its lines and its
 * checkpoint, the reading loop, showing and resetting the stored positions,
 * and the end of a run.
 *
 * One batch, in order: each record's data is checked (streamout.h); the
 * sink (when there is one) takes the batch's JSON objects and says what
 * became of each; a record is then printed, or reported (the note hook)
 * and dead-lettered; the lines are flushed; the checkpoint goes after the
 * batch, or, when the output's reader went away in the middle, after the
 * last record whose line was written whole.  A record the sink FAILED with
 * no dead-letter file to keep it stops the run before the checkpoint, so
 * that the next run tries it again.
 *
 *   uktv_consumerun_init(&r);  ... what is asked into r ...
 *   uktv_consumerun_open(&r, &err);    (then r.sink, for a follow)
 *   uktv_consumerun_follow(&r, &ro, &err); status = uktv_consumerun_finish(&r, &err);
 *   (or uktv_consumerun_show / uktv_consumerun_reset)
 *   uktv_consumerun_free(&r);
 *
 * The library never prints: what a tool would log is handed, one line at
 * a time, to the run's note hook.
 */
#ifndef UKTV_CONSUMERUN_H
#define UKTV_CONSUMERUN_H

#include <stddef.h>
#include <stdio.h>

#include "aws.h"
#include "checkpoint.h"
#include "consumer.h"
#include "deadletter.h"
#include "error.h"
#include "lease.h"
#include "streamout.h"
#include "streamreader.h"

struct json_object;

/* What a note is, as the tool's log would say it. */
enum uktv_consumerun_note {
	UKTV_CONSUMERUN_INFO,		/* with -v */
	UKTV_CONSUMERUN_WARN,		/* always: a record reported, what the
					 * run gave up on */
	UKTV_CONSUMERUN_PROGRESS,	/* a status line redrawn in place */
	UKTV_CONSUMERUN_PROGRESS_DONE	/* msg "": the status line is over */
};
typedef void (*uktv_consumerun_note_fn)(void *arg, enum uktv_consumerun_note,
	    const char *msg);

/* What the sink made of one record whose data is a JSON object. */
enum uktv_consumerun_verdict_kind {
	UKTV_CONSUMERUN_KEEP = 0,	/* done: printed */
	UKTV_CONSUMERUN_REFUSED,	/* reported and dead-lettered: a bad
					 * record, trying again will not help */
	UKTV_CONSUMERUN_FAILED		/* reported; without a dead-letter file
					 * the run stops before the checkpoint */
};
struct uktv_consumerun_verdict {
	enum uktv_consumerun_verdict_kind kind;
	char		 code[64];	/* not KEEP: the dead letter's "error" */
	char		 why[256];	/* not KEEP: one line */
	char		 info[320];	/* KEEP: "" or a -v note ("not enriched:
					 * ...") */
};

/*
 * Where a batch's records go before they are printed (uktv-consume -t:
 * the guide table).  apply is given the batch, each record's check, and
 * v[i] (zeroed, KEEP) for records[i]; it fills v[i] for the OBJECT records
 * (the others are the run's).  0, or -1 with err: nothing of the batch is
 * checkpointed and the run stops.  stats adds the sink's figures to a
 * --stats line; finish, at the end of a follow, returns an exit code when
 * part of the sink's work stopped (having said so its own way), else 0.
 */
struct uktv_consumerun_sink {
	int	(*apply)(void *arg, const struct uktv_stream_batch *,
		    const enum uktv_streamout_check *,
		    struct uktv_consumerun_verdict *v, struct uktv_error *);
	void	(*stats)(void *arg, struct json_object *);
	int	(*finish)(void *arg);
	void	*arg;
};

struct uktv_consumerun {
	/* What is asked, before uktv_consumerun_open. */
	struct uktv_aws		*aws;		/* borrowed */
	enum uktv_sr_backend	 backend;
	const char		*stream;	/* NULL: none (show, reset) */
	const char		*checkpoint;	/* a directory, or NULL */
	int			 create;	/* make it when missing */
	struct uktv_lease_opts	 lease;		/* lease.table NULL: none */
	uktv_consumer_event_fn	 event;		/* the consumer's hooks */
	uktv_sr_note_fn		 sr_note;
	void			*event_arg;	/* of event and sr_note */
	uktv_consumerun_note_fn	 note;		/* what a tool would log */
	void			*note_arg;
	FILE			*out;		/* the lines (not owned) */
	const char		*out_name;	/* for its errors: "stdout" */
	/* What is asked, before uktv_consumerun_follow or _batch. */
	int			 no_output;
	int			 envelope;	/* streamout's envelope lines */
	long long		 count;		/* stop after; 0: no bound */
	const char		*dead_letter;	/* a file, or NULL */
	long			 stats_ms;	/* 0: no --stats lines */
	const char		*stats_path;	/* NULL: stats_fp */
	FILE			*stats_fp;	/* not owned */
	struct uktv_consumerun_sink sink;	/* apply NULL: none */

	/* What the run holds and finds out. */
	char			*at_shard;	/* uktv_consumerun_at_sequence */
	struct uktv_position	 at_pos;
	struct uktv_checkpoint_dir *ckdir;
	struct uktv_leases	*leases;
	struct uktv_consumer	*cons;
	struct uktv_streamreader *reader;
	struct uktv_streamout	 so;
	struct uktv_deadletter	*dead;
	FILE			*statsfp;	/* owned when stats_path */
	long long		 done;		/* records handled */
	long			 bad;		/* records reported */
	int			 closed;	/* the output's reader went away */
	long long		 started, stats_at;
};

/* Nothing asked: Kinesis, no stream, stdout as "stdout", stats on stderr. */
void	uktv_consumerun_init(struct uktv_consumerun *);
/* Frees what the run holds (without releasing leases: see finish). */
void	uktv_consumerun_free(struct uktv_consumerun *);

/*
 * --from at-sequence=SHARD:SEQ's value (after the "="): that shard starts
 * AT the sequence (the consumer's claim rule 2).  0, or -1 when text is
 * not SHARD:SEQUENCE; -2 out of memory.
 */
int	uktv_consumerun_at_sequence(struct uktv_consumerun *, const char *text);

/* The checkpoint directory (created when r->create), the lease table's
 * client, the consumer over them, and the lines' output.  0, or -1 with
 * err. */
int	uktv_consumerun_open(struct uktv_consumerun *, struct uktv_error *);

/*
 * The outputs, the reader (ro: what to read; backend, stream, the watched
 * descriptor and the hooks are the run's), then batches until the end
 * asked for, a stop, count records, or the output's reader going away;
 * --stats lines every stats_ms and one at the end, lease rounds between
 * reads.  0; -1 with err (a directory another reader holds: kind
 * UNAVAILABLE; a sink FAILED record with no dead-letter file: SERVICE,
 * code "NotStored"); -2 out of memory.
 */
int	uktv_consumerun_follow(struct uktv_consumerun *,
	    struct uktv_streamreader_opts *ro, struct uktv_error *);
/*
 * One batch, as the loop takes it (above), after uktv_consumerun_open (and
 * with r->dead set for dead letters: follow opens r->dead_letter).  0; 1
 * when the output's reader went away (r->closed); -1 with err; -2 out of
 * memory.
 */
int	uktv_consumerun_batch(struct uktv_consumerun *,
	    const struct uktv_stream_batch *, struct uktv_error *);
/* The --stats line's object: the consumer's figures and the sink's. */
struct json_object *uktv_consumerun_stats_json(struct uktv_consumerun *);

/*
 * After a follow: leases given back (a failure is a warning), the count of
 * records reported said, the sink's finish, the dead-letter file closed.
 * The status: the sink's code, else 1 when records were reported, else 0;
 * -1 with err when the dead-letter file could not be closed.
 */
int	uktv_consumerun_finish(struct uktv_consumerun *, struct uktv_error *);

/*
 * Each stored position as one JSON object handed to fn (which owns it), in
 * shard order: the lease table's leases (uktv_lease_to_json), or each
 * checkpoint file's {"shard", "position", ...}; with a stream, every shard
 * of it, checkpointed or not, with its "lag_ms" when it can be had.
 * 0, or -1 with err.
 */
typedef void (*uktv_consumerun_show_fn)(void *arg, struct json_object *);
int	uktv_consumerun_show(struct uktv_consumerun *, uktv_consumerun_show_fn,
	    void *arg, struct uktv_error *);
/* Every stored position set to pos (uktv_consumer_reset), said with -v.
 * 0, or -1 with err. */
int	uktv_consumerun_reset(struct uktv_consumerun *,
	    const struct uktv_position *, int force, struct uktv_error *);

#endif
