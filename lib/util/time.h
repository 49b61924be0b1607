/*
 * time.h: the one date parser and formatter of libuktv (aws-c-common's
 * date_time.h shape: one parser, a form to say what the caller accepts),
 * and the clocks.
 *
 * Times are milliseconds since the Unix epoch, UTC.  The parser is strict:
 * fixed-width fields, a real calendar day (31 February is refused, not
 * carried into March), hours 0-23, minutes 0-59, seconds 0-60, a zone of
 * Z, "UTC" (as the AWS CLI v1's sso login writes it), +hh:mm or +hhmm; no
 * zone at all is UTC, as AWS services send it.  Fractions of a second are
 * read to the millisecond; finer digits are dropped.
 */
#ifndef UKTV_TIME_H
#define UKTV_TIME_H

#include <time.h>

/* "2025-07-04T16:02:51.855Z" and its terminating NUL. */
#define UKTV_TIME_TEXT_MAX	32

enum uktv_time_form {
	/* A timestamp as AWS and Watchmode answer one: date, 'T' (or 't'
	 * or a space), hh:mm:ss, optional fraction, optional zone. */
	UKTV_TIME_TIMESTAMP,
	/* What a person types in an option or a file: the above, or a
	 * date alone (midnight UTC), or hh:mm without seconds. */
	UKTV_TIME_DATE_OR_TIMESTAMP
};

/* 0 and *ms, or -1 (s NULL or not of the form; *ms untouched). */
int	uktv_time_parse_iso8601(const char *s, enum uktv_time_form form,
	    long long *ms);
/* As uktv_time_parse_iso8601(UKTV_TIME_TIMESTAMP), in whole seconds. */
int	uktv_time_parse_epoch(const char *s, time_t *t);
/* An option's time: "now", a relative "-5m" / "+2h" (s, m, h, d) from
 * now_ms, or an ISO 8601 date or timestamp. */
int	uktv_time_parse(const char *s, long long now_ms, long long *ms);
/* "YYYY-MM-DDThh:mm:ss.mmmZ" into out. */
void	uktv_time_format(long long ms, char out[UKTV_TIME_TEXT_MAX]);

/* The wall clock (for stamps that leave the process) and the monotonic
 * clock (for durations and deadlines, which a clock step must not move). */
long long uktv_time_now_ms(void);
long long uktv_time_mono_ms(void);

#endif
