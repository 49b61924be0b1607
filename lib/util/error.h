/*
 * error.h: the one error type every libuktv call fills.
 *
 * Library functions return 0 / -1 (or a pointer / NULL) and describe what went
 * wrong here; the library never prints and never exits.  A binary prints
 * err->message and exits with uktv_error_exit_code(err), which maps the kind
 * onto the sysexits(3) codes ARCHITECTURE.md pins.  The struct owns no heap memory.
 */
#ifndef UKTV_ERROR_H
#define UKTV_ERROR_H

#include <stdarg.h>

enum uktv_error_kind {
	UKTV_ERR_NONE = 0,
	UKTV_ERR_USAGE,		/* bad option value given by the caller: 2 */
	UKTV_ERR_CONFIG,	/* no region, no credentials, bad profile: 78 */
	UKTV_ERR_NOPERM,	/* SignatureDoesNotMatch, AccessDenied, 401: 77 */
	UKTV_ERR_UNAVAILABLE,	/* unreachable, still failing after retries: 69 */
	UKTV_ERR_SERVICE,	/* a service error that is not retried: 1 */
	UKTV_ERR_NOTFOUND,	/* ResourceNotFoundException, 404: 1 */
	UKTV_ERR_INPUT,		/* a bad input record or response: 1 */
	UKTV_ERR_NOINPUT,	/* an input file is missing: 66 */
	UKTV_ERR_CANTCREAT,	/* cannot create an output/state file: 73 */
	UKTV_ERR_IO,		/* cannot read/write a file: 74 */
	UKTV_ERR_QUOTA,		/* Watchmode quota exhausted or planned over: 69 */
	UKTV_ERR_INTERNAL	/* out of memory and other surprises: 70 */
};

struct uktv_error {
	enum uktv_error_kind kind;
	long	http_status;		/* 0 when no HTTP answer was had */
	int	retryable;		/* transient: the caller may try again */
	char	code[96];		/* AWS error code, e.g. ThrottlingException */
	char	message[512];		/* one line, no secrets, no newline */
	char	request_id[96];
};

void	uktv_error_clear(struct uktv_error *);
/* Sets kind and a printf-style message; returns -1 so callers can
 * "return uktv_error_set(err, ...);". err may be NULL. */
int	uktv_error_set(struct uktv_error *, enum uktv_error_kind,
	    const char *, ...) __attribute__((format(printf, 3, 4)));
int	uktv_error_setv(struct uktv_error *, enum uktv_error_kind,
	    const char *, va_list);
/* Puts "what: " in front of the existing message (context for the reader). */
void	uktv_error_prefix(struct uktv_error *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* The sysexits(3) code ARCHITECTURE.md assigns to the kind. */
int	uktv_error_exit_code(const struct uktv_error *);
const char *uktv_error_kind_name(enum uktv_error_kind);

#endif
