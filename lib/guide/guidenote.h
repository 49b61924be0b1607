/*
 * guidenote.h: how a lib/guide run (titlerun.h, prefsrun.h) says what a
 * tool would log, since the library never prints: one formatted line at a
 * time to a hook the tool routes to its log (cmd/common/guidelog.h).
 */
#ifndef UKTV_GUIDENOTE_H
#define UKTV_GUIDENOTE_H

/* What a note is, as the tool's log would say it. */
enum uktv_guidenote_kind {
	UKTV_GUIDENOTE_INFO,		/* with -v */
	UKTV_GUIDENOTE_NOTICE,		/* unless -q: not an error, maybe a
					 * typo */
	UKTV_GUIDENOTE_WARN,		/* always: what was refused or failed
					 * ("line N: ..." for an input line) */
	UKTV_GUIDENOTE_PROGRESS,	/* a status line redrawn in place */
	UKTV_GUIDENOTE_PROGRESS_DONE	/* msg "": the status line is over */
};

typedef void (*uktv_guidenote_fn)(void *arg, enum uktv_guidenote_kind,
    const char *msg);

/* Formats one line (at most 1023 bytes) and hands it to fn (NULL: said to
 * nobody). */
void	uktv_guidenote(uktv_guidenote_fn, void *arg, enum uktv_guidenote_kind,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
