/*
 * ndjson.h: the bounded NDJSON line reader every tool reads its input with,
 * and the writer every tool prints its records with.
 *
 * Reader.  ARCHITECTURE.md pins the rules for input lines: UTF-8 JSON objects of at
 * most max_line bytes; a trailing "\r" is stripped (CRLF files work); blank
 * lines are skipped and counted; duplicate keys: the last wins (json-c's
 * json_object_object_add replaces); invalid UTF-8, a NUL byte, nesting deeper
 * than 64, a line over the bound, text that is not JSON and (by default) a
 * value that is not an object are rejected with the line number and a reason.
 * A line over the bound is never held whole: it is skipped to its newline in
 * constant memory and reported with its true length.
 *
 *   struct uktv_ndjson_reader *r = uktv_ndjson_reader_new(stdin, 1 << 20);
 *   struct uktv_ndjson_line ln;
 *   int rc;
 *   while ((rc = uktv_ndjson_next(r, &ln)) == 1) {
 *           if (ln.reject != UKTV_NDJSON_OK) {
 *                   uktv_log_line_error(&log, ln.lineno, "%s", ln.reason);
 *                   continue;
 *           }
 *           use(ln.obj, ln.text, ln.len);
 *   }
 *   if (rc == -1) ... read error, errno says why
 *   uktv_ndjson_reader_free(r);
 *
 * The reader reads the FILE's descriptor with read(2), not fread(3): fread
 * waits until its whole request is filled, so a tool at the end of a live
 * pipe would sit on lines that have arrived.  Hence the caller must not read
 * from the FILE itself before or while a reader uses it.  A FILE without a
 * descriptor (fmemopen, fopencookie) is read with fread instead.
 *
 * JSON is checked by the reader itself, strictly (RFC 8259), before json-c
 * builds the object: json-c 0.16 even in strict mode accepts single-quoted
 * strings, NaN, Infinity, "1.", "01" and raw control characters inside
 * strings, and a line accepted here must be JSON for any other reader too
 * (the raw text is what uktv-publish re-sends).  Nesting: at most
 * UKTV_NDJSON_MAX_DEPTH objects/arrays inside one another.  Numbers: json-c
 * keeps integers in int64 range as int64, larger positive integers up to
 * 2^64-1 as uint64, larger ones clamped to UINT64_MAX / INT64_MIN, and
 * decimals as doubles (1e400 becomes inf, printed back as "1e400"); the raw
 * text is untouched.  Escaped lone surrogates ("\ud800") are legal JSON text
 * and json-c decodes them to U+FFFD.
 *
 * Not thread-safe; one reader per stream.
 */
#ifndef UKTV_NDJSON_H
#define UKTV_NDJSON_H

#include <stddef.h>
#include <stdio.h>

#include <json-c/json.h>

/* The JSON nesting bound ARCHITECTURE.md pins: deeper lines are rejected. */
#define UKTV_NDJSON_MAX_DEPTH	64
/* --max-line's default (ARCHITECTURE.md): 1 MiB. */
#define UKTV_NDJSON_DEFAULT_MAX_LINE	((size_t)1 << 20)

/*
 * Reader flags, for uktv_ndjson_reader_set_flags.  The default, 0: every
 * check, an object required, the object built (obj) and the raw text given.
 */
/* Accept any JSON value, not only an object. */
#define UKTV_NDJSON_ANY_VALUE	0x01
/* Every check, JSON included, but no object built: obj is NULL until the
 * caller asks for it with uktv_ndjson_parse.  For a tool that forwards the
 * raw text: on 300-byte title events about 2M lines/s, against 0.35M/s
 * when json-c builds every object. */
#define UKTV_NDJSON_NO_PARSE	0x02
/* Only the size, blank, NUL and UTF-8 checks: the text need not be JSON. */
#define UKTV_NDJSON_BYTES_ONLY	0x04

enum uktv_ndjson_reject {
	UKTV_NDJSON_OK = 0,
	UKTV_NDJSON_TOO_LONG,		/* over max_line: text NULL, len the true length */
	UKTV_NDJSON_NUL,		/* a NUL byte */
	UKTV_NDJSON_BAD_UTF8,		/* overlong, surrogate, > U+10FFFF, truncated ... */
	UKTV_NDJSON_BAD_JSON,		/* not JSON text */
	UKTV_NDJSON_TOO_DEEP,		/* nested deeper than UKTV_NDJSON_MAX_DEPTH */
	UKTV_NDJSON_NOT_OBJECT		/* JSON, but not an object (default rule) */
};

struct uktv_ndjson_line {
	unsigned long long	 lineno;	/* 1-based, every physical line counts */
	/*
	 * The line without "\n" and without one trailing "\r"; NUL-terminated
	 * (text[len] == '\0').  Points into the reader's buffer: valid until
	 * the next uktv_ndjson_next or uktv_ndjson_reader_free.  Also given
	 * for a rejected line, except TOO_LONG (NULL).
	 */
	const char		*text;
	size_t			 len;
	/*
	 * The parsed value (an object unless UKTV_NDJSON_ANY_VALUE; JSON null
	 * is NULL, as json-c has it), NULL for a rejected line and with
	 * UKTV_NDJSON_NO_PARSE / BYTES_ONLY.  Owned by the reader and released
	 * on the next call: to keep it, take a reference with
	 * json_object_get(line.obj) and json_object_put it when done.
	 */
	json_object		*obj;
	enum uktv_ndjson_reject	 reject;	/* UKTV_NDJSON_OK for a good line */
	/* One line saying why, e.g. "invalid UTF-8 at byte offset 17"; NULL
	 * for a good line.  Valid as long as text. */
	const char		*reason;
};

struct uktv_ndjson_reader;

/*
 * A reader of fp that accepts lines of at most max_line bytes, not counting
 * "\n" and a trailing "\r" (1 <= max_line <= INT_MAX - 2: json-c takes an
 * int length).  Its buffer is about max_line + 64 KiB.  The reader does not
 * own fp (it never closes it).  NULL with errno EINVAL or ENOMEM.  Caller
 * frees with uktv_ndjson_reader_free.
 */
struct uktv_ndjson_reader *uktv_ndjson_reader_new(FILE *fp, size_t max_line);
void	uktv_ndjson_reader_free(struct uktv_ndjson_reader *);
void	uktv_ndjson_reader_set_flags(struct uktv_ndjson_reader *, int flags);

/*
 * The next non-blank line: 1 with *out filled (check out->reject), 0 at the
 * end of the input, -1 with errno on a read error.  errno EINTR means a
 * signal interrupted read(2) (handlers installed without SA_RESTART): nothing
 * is lost, the caller checks its stop flag and may call again.  ENOMEM: no
 * memory for the object (the line is lost: stop).  A last line without "\n"
 * is a line.
 */
int	uktv_ndjson_next(struct uktv_ndjson_reader *, struct uktv_ndjson_line *out);

/*
 * Builds ln->obj for the line uktv_ndjson_next just gave (with
 * UKTV_NDJSON_NO_PARSE); does nothing if it is already there.  The object
 * is the reader's, as in the default mode.  0, or -1 with errno EINVAL (a
 * rejected line) or ENOMEM.
 */
int	uktv_ndjson_parse(struct uktv_ndjson_reader *, struct uktv_ndjson_line *ln);

/* Blank lines (empty, or only spaces, tabs and "\r") skipped so far. */
unsigned long long uktv_ndjson_blank_count(const struct uktv_ndjson_reader *);
/* The number of the last physical line read (0 before the first). */
unsigned long long uktv_ndjson_lineno(const struct uktv_ndjson_reader *);

/* A short code for the rejection, for a dead-letter record's "error":
 * "line_too_long", "nul_byte", "invalid_utf8", "invalid_json",
 * "too_deep", "not_object" ("ok" for UKTV_NDJSON_OK).  Static. */
const char *uktv_ndjson_reject_code(enum uktv_ndjson_reject);

/*
 * Writer: compact JSON (JSON_C_TO_STRING_PLAIN | NOSLASHESCAPE) and "\n",
 * written out with each line when the stream is not a regular file (a pipe, a
 * terminal, a socket: the next tool sees each record as soon as it is made),
 * left to stdio's buffering for a regular file.  The choice is made once, by
 * uktv_ndjson_writer_init's fstat.  Writes return 0, or -1 with errno (EPIPE
 * when the reader went away and SIGPIPE is ignored).  For a regular file a
 * write error may only show at fflush/fclose: the caller checks those.
 *
 * A line to a pipe, terminal or socket goes out through
 * uktv_ndjson_write_all, whole even when a signal interrupts the write.
 */
struct uktv_ndjson_writer {
	FILE	*fp;		/* not owned */
	int	 flush_lines;	/* fflush after each line */
};

void	uktv_ndjson_writer_init(struct uktv_ndjson_writer *, FILE *);
int	uktv_ndjson_writer_put(struct uktv_ndjson_writer *, json_object *);
/* Writes text (len bytes, taken as one JSON text without "\n") and "\n". */
int	uktv_ndjson_writer_put_raw(struct uktv_ndjson_writer *,
	    const char *text, size_t len);
/* One line to fp, with a one-off writer (an fstat per call: use a writer in
 * loops). */
int	uktv_ndjson_write(FILE *, json_object *);

/*
 * All len bytes of buf to fp, after whatever fp's stdio buffer holds: the
 * one EINTR-safe writer that uktv's record output (this writer, streamout.h)
 * goes through.  The tools install their stop handlers without SA_RESTART,
 * so write(2) to a full pipe returns EINTR, or a short count, when SIGTERM
 * comes; here the write goes on from where it stopped, and the caller sees
 * its stop flag once the data is out.  stdio cannot do that: glibc drops
 * what an interrupted flush had not written, and the reader gets half a
 * line.  Hence a stream written with this must get nothing through stdio
 * that could still be unflushed when a signal comes (regular files never
 * return EINTR).  A FILE without a descriptor (fmemopen) gets fwrite.
 * 0, or -1 with errno (EPIPE when the reader went away and SIGPIPE is
 * ignored, ENOSPC ...).
 */
int	uktv_ndjson_write_all(FILE *, const void *buf, size_t len);
/* As uktv_ndjson_write_all, and *done says how many of the len bytes went
 * out, on failure too (EPIPE after part of a chunk: the lines wholly in
 * that part were written, the rest were not). */
int	uktv_ndjson_write_part(FILE *, const void *buf, size_t len,
	    size_t *done);

#endif
