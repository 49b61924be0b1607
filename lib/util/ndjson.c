/* ndjson.c: see ndjson.h. */
#include <sys/stat.h>
#include <sys/uio.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ndjson.h"

/*
 * Every read(2) asks for at least this much, so a stream of short lines costs
 * one system call per 64 KiB, whatever max_line is.
 */
#define READ_MIN	((size_t)64 * 1024)

struct uktv_ndjson_reader {
	FILE			*fp;
	int			 fd;		/* -1: no descriptor, read with fread */
	int			 flags;
	size_t			 max_line;
	/*
	 * buf[pos, end) holds data not yet handed out; the first `scanned`
	 * bytes of it are known to hold no '\n'.  cap leaves room for the
	 * longest acceptable line plus its "\r" and one READ_MIN read; one
	 * byte more is allocated so a line ending at buf[cap] can still be
	 * NUL-terminated.
	 */
	char			*buf;
	size_t			 cap;
	size_t			 pos;
	size_t			 end;
	size_t			 scanned;
	int			 eof;
	/* Skipping a line over max_line: its length so far and last byte. */
	int			 skipping;
	size_t			 skip_len;
	char			 skip_last;
	unsigned long long	 lineno;
	unsigned long long	 blanks;
	struct json_tokener	*tok;
	json_object		*obj;		/* the last line's value, ours */
	char			 reason[128];
};

struct uktv_ndjson_reader *
uktv_ndjson_reader_new(FILE *fp, size_t max_line)
{
	struct uktv_ndjson_reader *r;

	/* json_tokener_parse_ex takes an int length (the line plus its NUL). */
	if (fp == NULL || max_line == 0 || max_line > (size_t)INT_MAX - 2) {
		errno = EINVAL;
		return NULL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->fp = fp;
	r->fd = fileno(fp);
	r->max_line = max_line;
	r->cap = max_line + 2 + READ_MIN;
	if ((r->buf = malloc(r->cap + 1)) == NULL)
		goto fail;
	/* json-c counts the innermost scalar as a level too; json_check
	 * enforces the bound, json-c must not refuse what it passed. */
	if ((r->tok = json_tokener_new_ex(UKTV_NDJSON_MAX_DEPTH + 1)) == NULL) {
		errno = ENOMEM;
		goto fail;
	}
	json_tokener_set_flags(r->tok, JSON_TOKENER_STRICT);
	return r;
fail:
	free(r->buf);
	free(r);
	return NULL;
}

void
uktv_ndjson_reader_free(struct uktv_ndjson_reader *r)
{
	if (r == NULL)
		return;
	json_object_put(r->obj);
	if (r->tok != NULL)
		json_tokener_free(r->tok);
	free(r->buf);
	free(r);
}

void
uktv_ndjson_reader_set_flags(struct uktv_ndjson_reader *r, int flags)
{
	r->flags = flags;
}

unsigned long long
uktv_ndjson_blank_count(const struct uktv_ndjson_reader *r)
{
	return r->blanks;
}

unsigned long long
uktv_ndjson_lineno(const struct uktv_ndjson_reader *r)
{
	return r->lineno;
}

const char *
uktv_ndjson_reject_code(enum uktv_ndjson_reject why)
{
	switch (why) {
	case UKTV_NDJSON_OK:		return "ok";
	case UKTV_NDJSON_TOO_LONG:	return "line_too_long";
	case UKTV_NDJSON_NUL:		return "nul_byte";
	case UKTV_NDJSON_BAD_UTF8:	return "invalid_utf8";
	case UKTV_NDJSON_BAD_JSON:	return "invalid_json";
	case UKTV_NDJSON_TOO_DEEP:	return "too_deep";
	case UKTV_NDJSON_NOT_OBJECT:	return "not_object";
	}
	return "unknown";
}

/*
 * Offset of the first byte that does not start a well-formed UTF-8 sequence
 * (Unicode 15, table 3-7: no overlongs, no surrogates, nothing above
 * U+10FFFF, no truncated sequence), or n when all is well.  ASCII, the bulk
 * of real input, is skipped eight bytes at a time.
 */
static size_t
utf8_check(const unsigned char *s, size_t n)
{
	size_t i = 0;
	unsigned char c, lo, hi;
	uint64_t w;

	while (i < n) {
		c = s[i];
		if (c < 0x80) {
			while (i + 8 <= n) {
				memcpy(&w, s + i, 8);
				if (w & UINT64_C(0x8080808080808080))
					break;
				i += 8;
			}
			while (i < n && s[i] < 0x80)
				i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			if (i + 1 >= n || (s[i + 1] & 0xc0) != 0x80)
				return i;
			i += 2;
		} else if (c >= 0xe0 && c <= 0xef) {
			lo = c == 0xe0 ? 0xa0 : 0x80;	/* overlong below */
			hi = c == 0xed ? 0x9f : 0xbf;	/* surrogates above */
			if (i + 2 >= n || s[i + 1] < lo || s[i + 1] > hi ||
			    (s[i + 2] & 0xc0) != 0x80)
				return i;
			i += 3;
		} else if (c >= 0xf0 && c <= 0xf4) {
			lo = c == 0xf0 ? 0x90 : 0x80;	/* overlong below */
			hi = c == 0xf4 ? 0x8f : 0xbf;	/* > U+10FFFF above */
			if (i + 3 >= n || s[i + 1] < lo || s[i + 1] > hi ||
			    (s[i + 2] & 0xc0) != 0x80 || (s[i + 3] & 0xc0) != 0x80)
				return i;
			i += 4;
		} else
			return i;	/* 80-C1 (stray or overlong), F5-FF */
	}
	return n;
}

#define IS_DIGIT(c)	((c) >= '0' && (c) <= '9')
#define IS_WS(c)	((c) == ' ' || (c) == '\t' || (c) == '\r' || (c) == '\n')
#define ONES		UINT64_C(0x0101010101010101)
#define HIGHS		UINT64_C(0x8080808080808080)
/* Whether some byte of w is zero / is below n (n <= 128).  Borrows can mark
 * bytes above a true hit, never without one: exact as to "any". */
#define HAS_ZERO(w)	(((w) - ONES) & ~(w) & HIGHS)
#define HAS_LESS(w, n)	(((w) - ONES * (n)) & ~(w) & HIGHS)

static const unsigned char is_hex[256] = {
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
};

struct verdict {
	enum uktv_ndjson_reject	 why;
	size_t			 at;	/* byte offset of the fault */
	const char		*what;	/* static */
	unsigned char		 top;	/* first byte of the value */
};

/*
 * A strict RFC 8259 check of s[0, n), which utf8_check has passed and which
 * holds no NUL; s[n] is NUL, so looking one byte past the end is safe.
 *
 * json-c is not the judge: even in strict mode 0.16 accepts single-quoted
 * strings, NaN, Infinity, "1.", "01" and raw control characters inside
 * strings, and uktv re-sends accepted text to readers that would not take
 * them.  Checking without building objects is also several times faster
 * than json-c, so a caller that only wants the text (UKTV_NDJSON_NO_PARSE)
 * pays for no objects.  Iterative, with a stack of UKTV_NDJSON_MAX_DEPTH
 * containers: deeper text is refused where it crosses the bound.
 * Returns 0, or -1 with *v saying where and why.
 */
static int
json_check(const unsigned char *s, size_t n, struct verdict *v)
{
	unsigned char stack[UKTV_NDJSON_MAX_DEPTH], c;
	size_t i = 0, depth = 0;
	int in_key = 0;
	uint64_t w;

#define FAIL(what_) do { v->at = i; v->what = (what_); return -1; } while (0)
#define SKIP_WS() do { while (i < n && IS_WS(s[i])) i++; } while (0)

	v->why = UKTV_NDJSON_BAD_JSON;
	SKIP_WS();
	v->top = s[i];
value:
	if (i >= n)
		FAIL("unexpected end of line");
	switch ((c = s[i])) {
	case '{':
	case '[':
		if (depth == UKTV_NDJSON_MAX_DEPTH) {
			v->why = UKTV_NDJSON_TOO_DEEP;
			FAIL("nested too deep");
		}
		stack[depth++] = c;
		i++;
		SKIP_WS();
		if (s[i] == (c == '{' ? '}' : ']')) {
			i++;
			depth--;
			goto after;
		}
		if (c == '[')
			goto value;
		goto key;
	case '"':
		goto string;
	case 't':
		if (n - i < 4 || memcmp(s + i, "true", 4) != 0)
			FAIL("unexpected character");
		i += 4;
		goto after;
	case 'f':
		if (n - i < 5 || memcmp(s + i, "false", 5) != 0)
			FAIL("unexpected character");
		i += 5;
		goto after;
	case 'n':
		if (n - i < 4 || memcmp(s + i, "null", 4) != 0)
			FAIL("unexpected character");
		i += 4;
		goto after;
	default:
		if (c == '-')
			i++;
		else if (!IS_DIGIT(c))
			FAIL("unexpected character");
		if (s[i] == '0')
			i++;
		else if (IS_DIGIT(s[i]))
			while (IS_DIGIT(s[i]))
				i++;
		else
			FAIL("digit expected");
		if (s[i] == '.') {
			i++;
			if (!IS_DIGIT(s[i]))
				FAIL("digit expected");
			while (IS_DIGIT(s[i]))
				i++;
		}
		if (s[i] == 'e' || s[i] == 'E') {
			i++;
			if (s[i] == '+' || s[i] == '-')
				i++;
			if (!IS_DIGIT(s[i]))
				FAIL("digit expected");
			while (IS_DIGIT(s[i]))
				i++;
		}
		goto after;
	}

key:
	if (s[i] != '"')
		FAIL("'\"' expected");
	in_key = 1;
string:
	for (i++;;) {
		/* Eight bytes at a time past text with no '"', '\\' or
		 * control character: the bulk of a line. */
		while (i + 8 <= n) {
			memcpy(&w, s + i, 8);
			if (HAS_LESS(w, 0x20) | HAS_ZERO(w ^ (ONES * '"')) |
			    HAS_ZERO(w ^ (ONES * '\\')))
				break;
			i += 8;
		}
		if (i >= n)
			FAIL("unterminated string");
		c = s[i];
		if (c == '"')
			break;
		if (c < 0x20)
			FAIL("control character in string");
		if (c != '\\') {
			i++;
			continue;
		}
		c = s[i + 1];
		if (c == 'u') {
			if (n - i < 6 || !is_hex[s[i + 2]] || !is_hex[s[i + 3]] ||
			    !is_hex[s[i + 4]] || !is_hex[s[i + 5]])
				FAIL("invalid \\u escape");
			i += 6;
		} else if (c == '"' || c == '\\' || c == '/' || c == 'b' ||
		    c == 'f' || c == 'n' || c == 'r' || c == 't')
			i += 2;
		else
			FAIL("invalid escape");
	}
	i++;
	if (in_key) {
		in_key = 0;
		SKIP_WS();
		if (s[i] != ':')
			FAIL("':' expected");
		i++;
		SKIP_WS();
		goto value;
	}
after:
	SKIP_WS();
	if (depth == 0) {
		if (i < n)
			FAIL("data after the JSON value");
		return 0;
	}
	c = stack[depth - 1];
	if (s[i] == ',') {
		i++;
		SKIP_WS();
		if (c == '{')
			goto key;
		goto value;
	}
	if (s[i] == (c == '{' ? '}' : ']')) {
		i++;
		depth--;
		goto after;
	}
	if (i >= n)
		FAIL("unexpected end of line");
	FAIL(c == '{' ? "',' or '}' expected" : "',' or ']' expected");
#undef FAIL
#undef SKIP_WS
}

static const char *
type_of(unsigned char top)
{
	switch (top) {
	case '{':	return "object";
	case '[':	return "array";
	case '"':	return "string";
	case 't':
	case 'f':	return "boolean";
	case 'n':	return "null";
	default:	return "number";
	}
}

static int
reject(struct uktv_ndjson_reader *r, struct uktv_ndjson_line *out,
    enum uktv_ndjson_reject why)
{
	out->reject = why;
	out->reason = r->reason;
	return 1;
}

int
uktv_ndjson_parse(struct uktv_ndjson_reader *r, struct uktv_ndjson_line *ln)
{
	json_object *obj;

	if (ln->obj != NULL)
		return 0;
	if (ln->reject != UKTV_NDJSON_OK || ln->text == NULL) {
		errno = EINVAL;
		return -1;
	}
	/* len + 1 takes in the NUL, which ends a top-level number. */
	json_tokener_reset(r->tok);
	obj = json_tokener_parse_ex(r->tok, ln->text, (int)ln->len + 1);
	if (json_tokener_get_error(r->tok) != json_tokener_success) {
		/* json_check passed it: json-c ran out of memory. */
		json_object_put(obj);
		errno = ENOMEM;
		return -1;
	}
	json_object_put(r->obj);
	r->obj = obj;
	ln->obj = obj;
	return 0;
}

/*
 * Fills *out from one physical line (without its "\n"); line[len] may be
 * overwritten.  Returns 1 for a line to hand out, 0 for a blank one, -1
 * when out of memory.
 */
static int
take(struct uktv_ndjson_reader *r, char *line, size_t len,
    struct uktv_ndjson_line *out)
{
	struct verdict v;
	const char *nul;
	size_t i;

	r->lineno++;
	out->lineno = r->lineno;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	out->len = len;
	if (len > r->max_line) {
		snprintf(r->reason, sizeof(r->reason),
		    "line of %zu bytes is longer than the limit of %zu",
		    len, r->max_line);
		return reject(r, out, UKTV_NDJSON_TOO_LONG);
	}
	for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t' ||
	    line[i] == '\r'); i++)
		;
	if (i == len) {
		r->blanks++;
		return 0;
	}
	line[len] = '\0';
	out->text = line;

	if ((nul = memchr(line, '\0', len)) != NULL) {
		snprintf(r->reason, sizeof(r->reason),
		    "NUL byte at byte offset %zu", (size_t)(nul - line));
		return reject(r, out, UKTV_NDJSON_NUL);
	}
	if ((i = utf8_check((const unsigned char *)line, len)) != len) {
		snprintf(r->reason, sizeof(r->reason),
		    "invalid UTF-8 at byte offset %zu", i);
		return reject(r, out, UKTV_NDJSON_BAD_UTF8);
	}
	if (r->flags & UKTV_NDJSON_BYTES_ONLY)
		return 1;
	if (json_check((const unsigned char *)line, len, &v) == -1) {
		if (v.why == UKTV_NDJSON_TOO_DEEP)
			snprintf(r->reason, sizeof(r->reason),
			    "JSON nested deeper than %d levels",
			    UKTV_NDJSON_MAX_DEPTH);
		else if (v.at == 0 && len >= 3 &&
		    memcmp(line, "\xEF\xBB\xBF", 3) == 0)
			/* Invisible in an editor: name it, or the reader
			 * stares at a line that looks right. */
			snprintf(r->reason, sizeof(r->reason), "invalid JSON: "
			    "the line starts with a UTF-8 byte-order mark (save "
			    "the file without BOM)");
		else
			snprintf(r->reason, sizeof(r->reason),
			    "invalid JSON at byte offset %zu: %s", v.at, v.what);
		return reject(r, out, v.why);
	}
	if (!(r->flags & UKTV_NDJSON_ANY_VALUE) && v.top != '{') {
		snprintf(r->reason, sizeof(r->reason), "not a JSON object (%s)",
		    type_of(v.top));
		return reject(r, out, UKTV_NDJSON_NOT_OBJECT);
	}
	if (r->flags & UKTV_NDJSON_NO_PARSE)
		return 1;
	return uktv_ndjson_parse(r, out) == 0 ? 1 : -1;
}

static int
too_long(struct uktv_ndjson_reader *r, struct uktv_ndjson_line *out)
{
	size_t len = r->skip_len;

	r->skipping = 0;
	r->lineno++;
	if (len > 0 && r->skip_last == '\r')
		len--;
	out->lineno = r->lineno;
	out->len = len;
	snprintf(r->reason, sizeof(r->reason),
	    "line of %zu bytes is longer than the limit of %zu",
	    len, r->max_line);
	return reject(r, out, UKTV_NDJSON_TOO_LONG);
}

/* One read into the free end of buf; -1 with errno on error. */
static int
fill(struct uktv_ndjson_reader *r)
{
	size_t room;
	ssize_t n;

	if (r->cap - r->end < READ_MIN && r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->end - r->pos);
		r->end -= r->pos;
		r->pos = 0;
	}
	room = r->cap - r->end;
	if (r->fd >= 0) {
		if ((n = read(r->fd, r->buf + r->end, room)) < 0)
			return -1;
	} else {
		n = (ssize_t)fread(r->buf + r->end, 1, room, r->fp);
		if (n == 0 && ferror(r->fp)) {
			if (errno == 0)
				errno = EIO;
			return -1;
		}
	}
	if (n == 0)
		r->eof = 1;
	r->end += (size_t)n;
	return 0;
}

int
uktv_ndjson_next(struct uktv_ndjson_reader *r, struct uktv_ndjson_line *out)
{
	char *line, *nl;
	size_t avail, k;
	int rc;

	json_object_put(r->obj);
	r->obj = NULL;
	memset(out, 0, sizeof(*out));
	for (;;) {
		if (r->skipping) {
			/* Constant memory: what was looked at is dropped. */
			avail = r->end - r->pos;
			if ((nl = memchr(r->buf + r->pos, '\n', avail)) != NULL) {
				k = (size_t)(nl - (r->buf + r->pos));
				if (k > 0)
					r->skip_last = nl[-1];
				r->skip_len += k;
				r->pos += k + 1;
				return too_long(r, out);
			}
			if (avail > 0) {
				r->skip_last = r->buf[r->end - 1];
				r->skip_len += avail;
			}
			r->pos = r->end = 0;
			if (r->eof)
				return too_long(r, out);
			if (fill(r) == -1)
				return -1;
			continue;
		}
		avail = r->end - r->pos;
		line = r->buf + r->pos;
		if ((nl = memchr(line + r->scanned, '\n',
		    avail - r->scanned)) != NULL) {
			k = (size_t)(nl - line);
			r->pos += k + 1;
			r->scanned = 0;
			if ((rc = take(r, line, k, out)) != 0)
				return rc;
			continue;
		}
		/* Over max_line even if its last byte is a "\r". */
		if (avail > r->max_line + 1) {
			r->skipping = 1;
			r->skip_len = 0;
			r->skip_last = 0;
			r->scanned = 0;
			continue;
		}
		if (r->eof) {
			if (avail == 0)
				return 0;
			r->pos = r->end;
			r->scanned = 0;
			if ((rc = take(r, line, avail, out)) != 0)
				return rc;
			continue;
		}
		r->scanned = avail;
		if (fill(r) == -1)
			return -1;
	}
}

void
uktv_ndjson_writer_init(struct uktv_ndjson_writer *w, FILE *fp)
{
	struct stat st;
	int fd;

	w->fp = fp;
	fd = fileno(fp);
	w->flush_lines = !(fd >= 0 && fstat(fd, &st) == 0 &&
	    S_ISREG(st.st_mode));
}

/*
 * iov[0, n) to fp, in order.  writev may stop anywhere, inside a piece
 * too, when a signal comes or the pipe has room for part only: go on from
 * there.  iov is used up.
 */
static int
write_pieces(FILE *fp, struct iovec *iov, int n, size_t *done)
{
	ssize_t w;
	int fd = fileno(fp);

	*done = 0;
	if (fd < 0) {
		for (int i = 0; i < n; i++) {
			size_t k = fwrite(iov[i].iov_base, 1, iov[i].iov_len,
			    fp);

			*done += k;
			if (k != iov[i].iov_len)
				return -1;
		}
		return 0;
	}
	if (fflush(fp) == EOF)
		return -1;
	while (n > 0) {
		if (iov->iov_len == 0) {
			iov++;
			n--;
			continue;
		}
		if ((w = writev(fd, iov, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		*done += (size_t)w;
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

int
uktv_ndjson_write_all(FILE *fp, const void *buf, size_t len)
{
	size_t done;

	return uktv_ndjson_write_part(fp, buf, len, &done);
}

int
uktv_ndjson_write_part(FILE *fp, const void *buf, size_t len, size_t *done)
{
	struct iovec iov = { (void *)(uintptr_t)buf, len };

	return write_pieces(fp, &iov, 1, done);
}

int
uktv_ndjson_writer_put_raw(struct uktv_ndjson_writer *w, const char *text,
    size_t len)
{
	struct iovec iov[2] = {
		{ (void *)(uintptr_t)text, len },
		{ (void *)(uintptr_t)"\n", 1 }
	};

	/* A line to a pipe is written out now, so it goes around stdio:
	 * see uktv_ndjson_write_all. */
	size_t done;

	if (w->flush_lines)
		return write_pieces(w->fp, iov, 2, &done);
	if (fwrite(text, 1, len, w->fp) != len || putc('\n', w->fp) == EOF)
		return -1;
	return 0;
}

int
uktv_ndjson_writer_put(struct uktv_ndjson_writer *w, json_object *obj)
{
	const char *s;
	size_t len;

	s = json_object_to_json_string_length(obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (s == NULL) {
		errno = ENOMEM;
		return -1;
	}
	return uktv_ndjson_writer_put_raw(w, s, len);
}

int
uktv_ndjson_write(FILE *fp, json_object *obj)
{
	struct uktv_ndjson_writer w;

	uktv_ndjson_writer_init(&w, fp);
	return uktv_ndjson_writer_put(&w, obj);
}
