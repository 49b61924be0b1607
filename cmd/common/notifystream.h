/*
 * notifystream.h: uktv-notify's side of a notify run (lib/guide's
 * notifyrun.h) that lib/guide may not reach: the DynamoDB Stream through
 * lib/stream's consumer, each batch checkpointed once its notifications are
 * out and spooled for good, and the --dead-letter file the run's dead hook
 * writes, with one report line per kind of failed delivery.  cmd/common:
 * may print and exit, never installed.
 *
 *   struct uktv_notifystream ns = { &run, &log, cons, dead };
 *   run.dead = uktv_notifystream_dead; run.dead_arg = &ns;
 *   uktv_notifystream_follow(&ns, &start, to_end, poll_ms);
 */
#ifndef UKTV_NOTIFYSTREAM_H
#define UKTV_NOTIFYSTREAM_H

#include "checkpoint.h"
#include "consumer.h"
#include "deadletter.h"
#include "log.h"
#include "notifyrun.h"

struct uktv_notifystream {
	struct uktv_notifyrun	*run;
	struct uktv_log		*log;
	struct uktv_consumer	*cons;		/* positions; NULL: no stream */
	struct uktv_deadletter	*dead;		/* NULL: no --dead-letter */
	struct uktv_dead_tally	 fails;		/* since the last report */
};

/* The run's dead hook (arg: the notifystream): one line to ns->dead; a
 * failed delivery is counted by kind for the next report. */
int	uktv_notifystream_dead(void *ns, const struct uktv_notifyrun_dead *,
	    struct uktv_error *);
/* One warning per kind of delivery that failed since the last report. */
void	uktv_notifystream_report(struct uktv_notifystream *);
/* After a batch or a file: the output flushed, the failures reported, the
 * spool made durable.  0, or -1 when the spool is not: no checkpoint. */
int	uktv_notifystream_sync(struct uktv_notifystream *);
/* The preferences from the run's table (first: at the start, else when
 * their refresh is due); dies when the run cannot go on without them. */
void	uktv_notifystream_prefs(struct uktv_notifystream *, int first);
/* The end of a run: the digests due (every pending one with flush), what
 * failed and what happened, the dead letters closed; the exit code. */
int	uktv_notifystream_finish(struct uktv_notifystream *, int flush);
/*
 * Follows the run's table's stream from start (a checkpoint wins) until its
 * end at the start with to_end, a signal or a fatal error (in the run),
 * the preferences and digests looked at between waits.  Dies when the
 * stream cannot be read at all.
 */
void	uktv_notifystream_follow(struct uktv_notifystream *,
	    const struct uktv_position *start, int to_end, long poll_ms);

#endif
