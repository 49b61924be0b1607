/* streamopt.c: see streamopt.h. */
#include <stdarg.h>
#include <stdio.h>

#include "streamopt.h"
#include "toolopt.h"

void
uktv_streamopt_note(void *arg, enum uktv_sr_note kind, const char *shard,
    const char *msg)
{
	struct uktv_log *lg = arg;

	switch (kind) {
	case UKTV_SR_NOTE_TRIMMED:
	case UKTV_SR_NOTE_KPL:
		uktv_log_warn(lg, "shard %s: %s", shard, msg);
		break;
	case UKTV_SR_NOTE_GONE:
	case UKTV_SR_NOTE_EXPIRED:
	case UKTV_SR_NOTE_THROTTLED:
	case UKTV_SR_NOTE_RETRY:
		uktv_log_info(lg, "shard %s: %s", shard, msg);
		break;
	default:
		uktv_log_debug(lg, "shard %s: %s", shard, msg);
	}
}

int
uktv_streamopt_exit(int closed, int status)
{
	if (uktv_stop_signal)
		return 128 + uktv_stop_signal;
	if (closed)
		return UKTV_EXIT_PIPE;
	return status;
}

void
uktv_streamopt_usagef(const struct uktv_toolopt *to, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	uktv_toolopt_usage(to, why);
}

int
uktv_streamopt_handle(struct uktv_streamopt *so, const struct uktv_toolopt *to,
    int ch, const char *arg)
{
	switch (ch) {
	case 'e':
		so->to_end = 1;
		return 1;
	case UKTV_OPT_FROM:
		so->from = arg;
		return 1;
	case UKTV_OPT_CHECKPOINT:
		so->checkpoint = arg;
		return 1;
	case UKTV_OPT_DEAD_LETTER:
		so->dead_letter = arg;
		return 1;
	case UKTV_OPT_POLL:
		so->poll_ms = uktv_toolopt_seconds(to, "--poll-interval", arg,
		    so->poll_min_ms);
		return 1;
	}
	return 0;
}

void
uktv_streamopt_event(void *arg, enum uktv_consumer_event ev, const char *shard,
    const char *msg)
{
	struct uktv_log *lg = arg;

	switch (ev) {
	case UKTV_CONSUMER_SYNC_FAILED:
		uktv_log_warn(lg, "%s", msg);
		break;
	case UKTV_CONSUMER_TICK_FAILED:
		uktv_log_warn(lg, "lease table: %s", msg);
		break;
	case UKTV_CONSUMER_LOCK_FORCED:
		uktv_log_warn(lg, "%s (--force: resetting anyway)", msg);
		break;
	default:
		uktv_log_info(lg, "shard %s: %s", shard, msg);
	}
}

void
uktv_streamopt_runnote(void *arg, enum uktv_consumerun_note kind,
    const char *msg)
{
	struct uktv_log *lg = arg;

	switch (kind) {
	case UKTV_CONSUMERUN_INFO:
		uktv_log_info(lg, "%s", msg);
		break;
	case UKTV_CONSUMERUN_WARN:
		uktv_log_warn(lg, "%s", msg);
		break;
	case UKTV_CONSUMERUN_PROGRESS:
		uktv_log_progress(lg, "%s", msg);
		break;
	case UKTV_CONSUMERUN_PROGRESS_DONE:
		uktv_log_progress_done(lg);
		break;
	}
}
