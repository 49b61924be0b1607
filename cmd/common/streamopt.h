/*
 * streamopt.h: what the stream tools (uktv-consume, uktv-notify) share in
 * front of lib/stream: their reader's notes on the log, and the exit code a
 * follower ends with.  cmd/common: may print, never installed.
 */
#ifndef UKTV_STREAMOPT_H
#define UKTV_STREAMOPT_H

#include "log.h"
#include "streamreader.h"
#include "toolopt.h"

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

#endif
