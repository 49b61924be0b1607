/*
 * streamopt.h: what the stream tools (uktv-consume, uktv-notify) share in
 * front of lib/stream: their reader's notes on the log, and the exit code a
 * follower ends with.  cmd/common: may print, never installed.
 */
#ifndef UKTV_STREAMOPT_H
#define UKTV_STREAMOPT_H

#include "consumer.h"
#include "consumerun.h"
#include "log.h"
#include "streamreader.h"
#include "toolopt.h"

/* The options both stream tools take, numbered apart from each tool's own
 * (UKTV_OPT_FIRST_FREE on). */
enum {
	UKTV_OPT_CHECKPOINT = UKTV_OPT_FIRST_FREE + 0x80,
	UKTV_OPT_FROM,
	UKTV_OPT_POLL,
	UKTV_OPT_DEAD_LETTER
};

#define UKTV_STREAMOPT_LONGOPTS						\
	{ "exit",		no_argument,	   NULL, 'e' },			\
	{ "from",		required_argument, NULL, UKTV_OPT_FROM },	\
	{ "checkpoint",		required_argument, NULL, UKTV_OPT_CHECKPOINT }, \
	{ "dead-letter",	required_argument, NULL, UKTV_OPT_DEAD_LETTER }, \
	{ "poll-interval",	required_argument, NULL, UKTV_OPT_POLL }

struct uktv_streamopt {
	long		 poll_min_ms;	/* the tool's: --poll-interval's least */
	int		 to_end;	/* -e */
	const char	*from;		/* --from, parsed by the tool */
	const char	*checkpoint;	/* --checkpoint DIR */
	const char	*dead_letter;	/* --dead-letter FILE */
	long		 poll_ms;	/* --poll-interval; 0: the reader's */
};

/* 1 when ch is one of the shared options (now in so), else 0; a bad
 * value is a usage error. */
int	uktv_streamopt_handle(struct uktv_streamopt *,
	    const struct uktv_toolopt *, int ch, const char *arg);

/*
 * A uktv_sr_note_fn (arg: struct uktv_log *): a trimmed position or a bad
 * KPL aggregate is a warning, a shard gone, an iterator renewed and the
 * backing off are told with -v, the rest with -vv.  "shard ID: message".
 */
void	uktv_streamopt_note(void *arg, enum uktv_sr_note, const char *shard,
	    const char *message);

/*
 * How a follower that otherwise succeeded ends: 128 + the signal that
 * stopped it, UKTV_EXIT_PIPE when its stdout's reader went away (as `tail
 * -f | head`: silently, what was written is checkpointed), else status.
 */
int	uktv_streamopt_exit(int closed, int status);

/* A usage error whose reason is formatted ("--x takes ..., not '%s'"):
 * uktv_toolopt_usage with the text. */
void	uktv_streamopt_usagef(const struct uktv_toolopt *, const char *fmt, ...)
	    __attribute__((noreturn, format(printf, 2, 3)));

/*
 * A uktv_consumer_event_fn (arg: struct uktv_log *): a lease table's shard
 * list out of date, a failed lease round and a forced reset are warnings,
 * a shard's lease lost is told with -v.
 */
void	uktv_streamopt_event(void *arg, enum uktv_consumer_event,
	    const char *shard, const char *message);

/* A uktv_consumerun_note_fn (arg: struct uktv_log *): a stream run's
 * notes into the log at their level. */
void	uktv_streamopt_runnote(void *arg, enum uktv_consumerun_note,
	    const char *message);

#endif
