/*
 * guidelog.c: see guidelog.h.
 */
#include "guidelog.h"
#include "log.h"

void
uktv_guidelog_note(void *arg, enum uktv_guidenote_kind kind, const char *msg)
{
	struct uktv_log *lg = arg;

	switch (kind) {
	case UKTV_GUIDENOTE_INFO:
		uktv_log_info(lg, "%s", msg);
		break;
	case UKTV_GUIDENOTE_NOTICE:
		if (lg->verbosity >= 0)
			uktv_log_warn(lg, "%s", msg);
		break;
	case UKTV_GUIDENOTE_WARN:
		uktv_log_warn(lg, "%s", msg);
		break;
	case UKTV_GUIDENOTE_PROGRESS:
		uktv_log_progress(lg, "%s", msg);
		break;
	case UKTV_GUIDENOTE_PROGRESS_DONE:
		uktv_log_progress_done(lg);
		break;
	}
}
