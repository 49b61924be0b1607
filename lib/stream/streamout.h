/*
 * streamout.h: stream records as NDJSON lines, the way uktv's stream readers
 * print them (uktv-consume, and uktv-notify --envelope).
 *
 *   data       the record's data as it was put, when it is one JSON object
 *              (UTF-8, strict JSON as ndjson.h pins it, at most
 *              UKTV_NDJSON_MAX_DEPTH deep): NDJSON in, NDJSON out.  Data
 *              spread over lines, or with spaces around it, is compacted to
 *              one line; anything else is printed as it came.
 *   envelope   {"shard","sequence",("sub_sequence"),"partition_key",
 *              "arrival","data"}: arrival ISO 8601 UTC with milliseconds,
 *              data the JSON object itself, or "data_base64" in its place
 *              when the data is not a JSON object (kcat -J's habit).
 * (Dead-letter lines are deadletter.h's.)
 *
 * Lines are gathered in the streamout's own buffer and written in chunks of
 * about 64 KiB through uktv_ndjson_write_all, so that a signal (SIGTERM
 * while a slow reader holds the pipe full) never cuts a line: what has been
 * handed to the buffer is written whole.  The caller flushes with
 * uktv_streamout_flush (uktv-consume does once a batch, before it
 * checkpoints); nothing is written at exit without it.  No global state.
 */
#ifndef UKTV_STREAMOUT_H
#define UKTV_STREAMOUT_H

#include <stddef.h>
#include <stdio.h>

#include "streamreader.h"

enum uktv_streamout_check {
	UKTV_SO_OBJECT = 0,	/* one JSON object */
	UKTV_SO_NOT_UTF8,
	UKTV_SO_NOT_JSON,	/* includes: too deep */
	UKTV_SO_NOT_OBJECT	/* JSON, but not an object */
};

/* Checks data; why (if not NULL) gets one line for anything but OBJECT,
 * e.g. "not JSON at byte 12". */
enum uktv_streamout_check uktv_streamout_check(const void *data, size_t len,
	    char *why, size_t whylen);
/* "not_utf8", "invalid_json", "not_object" (dead-letter "error"). */
const char *uktv_streamout_check_code(enum uktv_streamout_check);

/* 1 when s[0, len) is valid UTF-8 (no overlongs, surrogates, or code points
 * above U+10FFFF) without NUL bytes. */
int	uktv_utf8_valid(const void *s, size_t len);

struct uktv_streamout {
	FILE	*fp;		/* not owned */
	char	*buf;		/* scratch, owned */
	size_t	 cap;
	char	*out;		/* lines not yet written, owned */
	size_t	 outlen;
	/* Lines written whole to fp so far (a line's "\n" went out): when a
	 * write fails (EPIPE) the lines after these did not reach fp. */
	unsigned long long lines_out;
};

void	uktv_streamout_init(struct uktv_streamout *, FILE *);
/* Frees the buffers; what was not flushed is dropped. */
void	uktv_streamout_free(struct uktv_streamout *);
/* Writes the lines gathered so far to fp (and fflushes fp).  0, or -1 with
 * errno. */
int	uktv_streamout_flush(struct uktv_streamout *);

/* The data line (check is what uktv_streamout_check said: only OBJECT data
 * is compacted).  0, or -1 with errno. */
int	uktv_streamout_data(struct uktv_streamout *,
	    const struct uktv_stream_record *, enum uktv_streamout_check check);
int	uktv_streamout_envelope(struct uktv_streamout *,
	    const struct uktv_stream_record *, enum uktv_streamout_check check);

#endif
