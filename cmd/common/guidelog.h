/*
 * guidelog.h: a lib/guide run's notes (guidenote.h) into a tool's log.
 *
 *   run.note = uktv_guidelog_note; run.note_arg = &lg;
 */
#ifndef UKTV_GUIDELOG_H
#define UKTV_GUIDELOG_H

#include "guidenote.h"

/* A uktv_guidenote_fn; arg is the struct uktv_log. */
void	uktv_guidelog_note(void *log, enum uktv_guidenote_kind,
	    const char *msg);

#endif
