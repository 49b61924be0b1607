/*
 * log.h: the binaries' messages on stderr, and redaction of secrets.
 *
 * This is the one place in libuktv that prints, and only cmd/ code calls it:
 * library modules report through struct uktv_error and never log.  Every
 * message is one line, "prog: what happened", written with one write so that
 * lines from tools sharing a terminal do not interleave.  Control characters
 * in a formatted message (a newline or an escape sequence from input data)
 * are shown as '?', so one message stays one line and cannot drive the
 * terminal.
 *
 * Verbosity (ARCHITECTURE.md): -1 with -q, 0 by default, 1 with -v, 2 with -vv.
 *   warn, line_error, errno, error   always (a reported failure is never
 *                                    silenced: nothing is dropped without a
 *                                    message)
 *   info                             verbosity >= 1
 *   debug                            verbosity >= 2
 *   progress                         stderr is a terminal and verbosity >= 0
 */
#ifndef UKTV_LOG_H
#define UKTV_LOG_H

#include <stddef.h>

#include "error.h"

struct uktv_log {
	const char	*prog;		/* not owned: a literal or argv[0] */
	int		 verbosity;
	int		 is_tty;	/* stderr is a terminal: progress is shown */
	int		 progress_shown;/* a progress line is on screen */
};

/* prog is used from its last '/' on, so argv[0] may be passed. */
void	uktv_log_init(struct uktv_log *, const char *prog, int verbosity);

void	uktv_log_warn(struct uktv_log *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* "prog: msg: strerror(errnum)" */
void	uktv_log_errno(struct uktv_log *, int errnum, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* "prog: err->message" */
void	uktv_log_error(struct uktv_log *, const struct uktv_error *);
/* "prog: line N: msg", the input-line report ARCHITECTURE.md pins. */
void	uktv_log_line_error(struct uktv_log *, unsigned long long lineno,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/*
 * The tools' one way out on a fatal error (in place of err(3)/errx(3),
 * which would bypass the one-line escaping): the message, then exit.
 * uktv_log_die exits with the code ARCHITECTURE.md gives the error's kind.
 */
void	uktv_log_die(struct uktv_log *, const struct uktv_error *)
	    __attribute__((noreturn));
void	uktv_log_fatal(struct uktv_log *, int status, const char *fmt, ...)
	    __attribute__((noreturn, format(printf, 3, 4)));
void	uktv_log_fatal_errno(struct uktv_log *, int status, int errnum,
	    const char *fmt, ...) __attribute__((noreturn, format(printf, 4, 5)));
void	uktv_log_info(struct uktv_log *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	uktv_log_debug(struct uktv_log *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * "\rprog: msg\033[K": a status line redrawn in place.  Only on a terminal
 * (a log file or a pipe would fill with them) and not with -q.  Any other
 * message first erases it; uktv_log_progress_done erases it for good.
 */
void	uktv_log_progress(struct uktv_log *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	uktv_log_progress_done(struct uktv_log *);

/*
 * A copy of text with every occurrence of each non-empty secret replaced by
 * "****"; where secrets overlap at a position the longest is replaced.
 * secrets is NULL-terminated (or NULL: a plain copy).  NULL on ENOMEM or
 * when text is NULL.  Caller frees with free().
 */
char	*uktv_redact(const char *text, const char *const *secrets);
/*
 * Overwrites, in buf[0, len) (which may hold NULs), every occurrence of
 * secret with as many '*': the length cannot change in place.  An empty or
 * NULL secret does nothing.
 */
void	uktv_redact_inplace(char *buf, size_t len, const char *secret);

#endif
