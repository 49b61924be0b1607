/*
 * jsonscan.c: see jsonscan.h.  A recursive-descent checker over the bytes
 * of one line; recursion is bounded by UKTV_NDJSON_MAX_DEPTH.
 */
#include <stdint.h>
#include <string.h>

#include "jsonscan.h"
#include "ndjson.h"

struct scan {
	const unsigned char		*start;
	const unsigned char		*p;
	const unsigned char		*end;
	int				 depth;
	const struct uktv_jsonpath	*paths;
	size_t				 npaths;
	struct uktv_jsonscan_value	*vals;
	enum uktv_jsonscan_status	 status;
};

/* Bytes that end the fast run through a string: '"', '\\' and controls. */
static const uint8_t str_stop[256] = {
	1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1, 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
	0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
	0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,
};

#define IS_DIGIT(c)	((c) >= '0' && (c) <= '9')
#define IS_WS(c)	((c) == ' ' || (c) == '\t' || (c) == '\n' || (c) == '\r')

int
uktv_jsonpath_parse(const char *s, struct uktv_jsonpath *jp)
{
	size_t n;
	char *k, *dot;

	memset(jp, 0, sizeof(*jp));
	if (s == NULL || s[0] != '.' || (n = strlen(s)) >= sizeof(jp->text))
		return -1;
	memcpy(jp->text, s, n + 1);
	k = jp->text + 1;
	for (;;) {
		if (jp->n == UKTV_JSONPATH_MAX_KEYS)
			return -1;
		dot = strchr(k, '.');
		jp->key[jp->n] = k;
		jp->len[jp->n] = dot ? (size_t)(dot - k) : strlen(k);
		if (jp->len[jp->n] == 0)
			return -1;
		jp->n++;
		if (dot == NULL)
			return 0;
		k = dot + 1;
	}
}

static int
fail(struct scan *s, enum uktv_jsonscan_status st)
{
	if (s->status == UKTV_JSONSCAN_OK)
		s->status = st;
	return -1;
}

static void
skip_ws(struct scan *s)
{
	while (s->p < s->end && IS_WS(*s->p))
		s->p++;
}

static int
hex4(const unsigned char *p, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		unsigned char c = p[i];

		v <<= 4;
		if (IS_DIGIT(c))
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	*out = v;
	return 0;
}

#define ONES	UINT64_C(0x0101010101010101)
#define HIGHS	UINT64_C(0x8080808080808080)

/* Non-zero when one of the 8 bytes of w is '"', '\\' or below 0x20 (a
 * byte above a hit may be flagged too; the byte loop sorts it out). */
static uint64_t
stop8(uint64_t w)
{
	uint64_t q = w ^ (ONES * '"'), b = w ^ (ONES * '\\');

	return (((q - ONES) & ~q) | ((b - ONES) & ~b) |
	    ((w - ONES * 0x20) & ~w)) & HIGHS;
}

/* A string at s->p (on its '"'); leaves s->p after the closing quote. */
static int
string(struct scan *s, int *escaped)
{
	const unsigned char *p = s->p + 1, *end = s->end;
	uint64_t w;
	unsigned u;

	*escaped = 0;
	for (;;) {
		/* Eight bytes at a time through plain text. */
		while (end - p >= 8) {
			memcpy(&w, p, 8);
			if (stop8(w))
				break;
			p += 8;
		}
		while (p < end && !str_stop[*p])
			p++;
		if (p >= end) {
			s->p = p;
			return fail(s, UKTV_JSONSCAN_BAD_JSON);
		}
		if (*p == '"')
			break;
		if (*p < 0x20) {
			s->p = p;
			return fail(s, UKTV_JSONSCAN_BAD_JSON);
		}
		/* A backslash. */
		*escaped = 1;
		if (p + 1 >= end) {
			s->p = p;
			return fail(s, UKTV_JSONSCAN_BAD_JSON);
		}
		switch (p[1]) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n':
		case 'r': case 't':
			p += 2;
			break;
		case 'u':
			if (end - p < 6 || hex4(p + 2, &u) == -1) {
				s->p = p;
				return fail(s, UKTV_JSONSCAN_BAD_JSON);
			}
			p += 6;
			break;
		default:
			s->p = p;
			return fail(s, UKTV_JSONSCAN_BAD_JSON);
		}
	}
	s->p = p + 1;
	return 0;
}

static int
number(struct scan *s)
{
	const unsigned char *p = s->p, *end = s->end;

	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0')
		p++;
	else if (p < end && IS_DIGIT(*p))
		while (p < end && IS_DIGIT(*p))
			p++;
	else
		goto bad;
	if (p < end && *p == '.') {
		p++;
		if (p >= end || !IS_DIGIT(*p))
			goto bad;
		while (p < end && IS_DIGIT(*p))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || !IS_DIGIT(*p))
			goto bad;
		while (p < end && IS_DIGIT(*p))
			p++;
	}
	s->p = p;
	return 0;
bad:
	s->p = p;
	return fail(s, UKTV_JSONSCAN_BAD_JSON);
}

static int
literal(struct scan *s, const char *word, size_t n)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0) {
		/* Point at the first byte that differs. */
		while (s->p < s->end && *s->p == (unsigned char)*word) {
			s->p++;
			word++;
		}
		return fail(s, UKTV_JSONSCAN_BAD_JSON);
	}
	s->p += n;
	return 0;
}

/* Does the raw key text (between the quotes) decode to want? */
static int
key_is(const unsigned char *raw, size_t rawlen, int escaped, const char *want,
    size_t wantlen)
{
	char buf[6 * 64];
	struct uktv_jsonscan_value v;

	if (!escaped)
		return rawlen == wantlen && memcmp(raw, want, wantlen) == 0;
	/* An escape is at most 6 bytes for 1: longer raw text cannot match. */
	if (rawlen + 2 > sizeof(buf) || rawlen > 6 * wantlen)
		return 0;
	v.type = UKTV_JSON_STRING;
	v.text = (const char *)raw - 1;
	v.len = rawlen + 2;
	v.escaped = 1;
	return uktv_jsonscan_string(&v, buf) == wantlen &&
	    memcmp(buf, want, wantlen) == 0;
}

static int value(struct scan *, unsigned live, size_t level, unsigned capture);

/* After an object's member or an array's element: 1 when a ',' says more
 * follow, 0 at the closing bracket, -1 (failed) at anything else. */
static int
after_member(struct scan *s, char close)
{
	skip_ws(s);
	if (s->p < s->end && *s->p == ',') {
		s->p++;
		skip_ws(s);
		return 1;
	}
	if (s->p < s->end && *s->p == close) {
		s->p++;
		return 0;
	}
	return fail(s, UKTV_JSONSCAN_BAD_JSON);
}

static int
object(struct scan *s, unsigned live, size_t level)
{
	const unsigned char *key;
	size_t keylen;
	unsigned child, capture;
	int escaped, more;

	s->p++;		/* '{' */
	skip_ws(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		return 0;
	}
	for (;;) {
		if (s->p >= s->end || *s->p != '"')
			return fail(s, UKTV_JSONSCAN_BAD_JSON);
		key = s->p + 1;
		if (string(s, &escaped) == -1)
			return -1;
		keylen = (size_t)(s->p - 1 - key);
		child = capture = 0;
		for (size_t i = 0; live != 0 && i < s->npaths; i++) {
			const struct uktv_jsonpath *jp = &s->paths[i];

			if (!(live & (1u << i)) || !key_is(key, keylen, escaped,
			    jp->key[level], jp->len[level]))
				continue;
			if (level + 1 == jp->n)
				capture |= 1u << i;
			else {
				/* A later duplicate key wins: forget what an
				 * earlier one held. */
				child |= 1u << i;
				s->vals[i].type = UKTV_JSON_ABSENT;
			}
		}
		skip_ws(s);
		if (s->p >= s->end || *s->p != ':')
			return fail(s, UKTV_JSONSCAN_BAD_JSON);
		s->p++;
		skip_ws(s);
		if (value(s, child, level + 1, capture) == -1)
			return -1;
		if ((more = after_member(s, '}')) != 1)
			return more;
	}
}

static int
array(struct scan *s)
{
	int more;

	s->p++;		/* '[' */
	skip_ws(s);
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		return 0;
	}
	for (;;) {
		if (value(s, 0, 0, 0) == -1)
			return -1;
		if ((more = after_member(s, ']')) != 1)
			return more;
	}
}

/*
 * One value at s->p.  live: the paths whose first `level` keys led here;
 * capture: the paths that end at this value.
 */
static int
value(struct scan *s, unsigned live, size_t level, unsigned capture)
{
	const unsigned char *at = s->p;
	enum uktv_json_type type;
	int escaped = 0, rc;

	if (s->p >= s->end)
		return fail(s, UKTV_JSONSCAN_BAD_JSON);
	switch (*s->p) {
	case '{':
	case '[':
		if (++s->depth > UKTV_NDJSON_MAX_DEPTH)
			return fail(s, UKTV_JSONSCAN_TOO_DEEP);
		if (*s->p == '{') {
			type = UKTV_JSON_OBJECT;
			rc = object(s, live, level);
		} else {
			type = UKTV_JSON_ARRAY;
			rc = array(s);
		}
		s->depth--;
		break;
	case '"':
		type = UKTV_JSON_STRING;
		rc = string(s, &escaped);
		break;
	case 't':
		type = UKTV_JSON_TRUE;
		rc = literal(s, "true", 4);
		break;
	case 'f':
		type = UKTV_JSON_FALSE;
		rc = literal(s, "false", 5);
		break;
	case 'n':
		type = UKTV_JSON_NULL;
		rc = literal(s, "null", 4);
		break;
	default:
		type = UKTV_JSON_NUMBER;
		rc = number(s);
		break;
	}
	if (rc == -1)
		return -1;
	for (size_t i = 0; capture != 0 && i < s->npaths; i++)
		if (capture & (1u << i)) {
			s->vals[i].type = type;
			s->vals[i].text = (const char *)at;
			s->vals[i].len = (size_t)(s->p - at);
			s->vals[i].escaped = escaped;
		}
	return 0;
}

enum uktv_jsonscan_status
uktv_jsonscan(const char *text, size_t len, int flags,
    const struct uktv_jsonpath *paths, size_t npaths,
    struct uktv_jsonscan_value *vals, size_t *errpos)
{
	struct scan s;
	unsigned live = 0;

	memset(&s, 0, sizeof(s));
	s.start = s.p = (const unsigned char *)text;
	s.end = s.start + len;
	s.paths = paths;
	s.npaths = npaths > UKTV_JSONSCAN_MAX_PATHS ? UKTV_JSONSCAN_MAX_PATHS :
	    npaths;
	s.vals = vals;
	for (size_t i = 0; i < s.npaths; i++) {
		vals[i].type = UKTV_JSON_ABSENT;
		vals[i].text = NULL;
		vals[i].len = 0;
		vals[i].escaped = 0;
		if (paths[i].n > 0)
			live |= 1u << i;
	}
	skip_ws(&s);
	if (value(&s, live, 0, 0) == 0) {
		skip_ws(&s);
		if (s.p != s.end)
			fail(&s, UKTV_JSONSCAN_BAD_JSON);
	}
	if (s.status == UKTV_JSONSCAN_OK && !(flags & UKTV_JSONSCAN_ANY_VALUE)) {
		const unsigned char *q = s.start;

		while (IS_WS(*q))
			q++;
		if (*q != '{') {
			s.status = UKTV_JSONSCAN_NOT_OBJECT;
			s.p = q;
		}
	}
	if (s.status != UKTV_JSONSCAN_OK && errpos != NULL)
		*errpos = (size_t)(s.p - s.start);
	return s.status;
}

/* The end of the valid JSON value at p (the text was checked before). */
static const char *
skip_value(const char *p, const char *end)
{
	int depth = 0;

	do {
		switch (*p) {
		case '"':
			/* The closing quote: the first one after an even run of
			 * backslashes. */
			for (p++;;) {
				const char *q = memchr(p, '"', (size_t)(end - p));
				const char *k;

				if (q == NULL)
					return end;
				for (k = q; k > p && k[-1] == '\\'; k--)
					;
				p = q + 1;
				if ((q - k) % 2 == 0)
					break;
			}
			break;
		case '{':
		case '[':
			depth++;
			p++;
			break;
		case '}':
		case ']':
			depth--;
			p++;
			break;
		default:
			if (depth == 0) {
				/* A number or literal: up to a delimiter. */
				while (p < end && *p != ',' && *p != ']' &&
				    *p != '}' && !IS_WS(*p))
					p++;
				return p;
			}
			p++;
		}
	} while (depth > 0 && p < end);
	return p;
}

int
uktv_jsonscan_array_next(const struct uktv_jsonscan_value *array, size_t *pos,
    struct uktv_jsonscan_value *elem)
{
	const char *p = array->text + *pos, *end = array->text + array->len;
	const char *e;

	if (*pos == 0)
		p++;	/* '[' */
	while (p < end && (IS_WS(*p) || *p == ','))
		p++;
	if (p >= end || *p == ']')
		return 0;
	e = skip_value(p, end);
	switch (*p) {
	case '{': elem->type = UKTV_JSON_OBJECT; break;
	case '[': elem->type = UKTV_JSON_ARRAY; break;
	case '"': elem->type = UKTV_JSON_STRING; break;
	case 't': elem->type = UKTV_JSON_TRUE; break;
	case 'f': elem->type = UKTV_JSON_FALSE; break;
	case 'n': elem->type = UKTV_JSON_NULL; break;
	default: elem->type = UKTV_JSON_NUMBER; break;
	}
	elem->text = p;
	elem->len = (size_t)(e - p);
	elem->escaped = elem->type == UKTV_JSON_STRING &&
	    memchr(p, '\\', elem->len) != NULL;
	*pos = (size_t)(e - array->text);
	return 1;
}

/* Appends code point cp as UTF-8; returns the new end. */
static char *
put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80)
		*o++ = (char)cp;
	else if (cp < 0x800) {
		*o++ = (char)(0xc0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | cp >> 12);
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | cp >> 18);
		*o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	return o;
}

size_t
uktv_jsonscan_string(const struct uktv_jsonscan_value *v, char *out)
{
	const unsigned char *p = (const unsigned char *)v->text + 1;
	const unsigned char *end = (const unsigned char *)v->text + v->len - 1;
	char *o = out;
	unsigned cp, lo;

	if (!v->escaped) {
		memcpy(out, p, (size_t)(end - p));
		return (size_t)(end - p);
	}
	while (p < end) {
		if (*p != '\\') {
			*o++ = (char)*p++;
			continue;
		}
		switch (p[1]) {
		case 'b': *o++ = '\b'; p += 2; continue;
		case 'f': *o++ = '\f'; p += 2; continue;
		case 'n': *o++ = '\n'; p += 2; continue;
		case 'r': *o++ = '\r'; p += 2; continue;
		case 't': *o++ = '\t'; p += 2; continue;
		case 'u': break;
		default: *o++ = (char)p[1]; p += 2; continue;
		}
		hex4(p + 2, &cp);
		p += 6;
		if (cp >= 0xd800 && cp <= 0xdbff && end - p >= 6 && p[0] == '\\' &&
		    p[1] == 'u' && hex4(p + 2, &lo) == 0 && lo >= 0xdc00 &&
		    lo <= 0xdfff) {
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			p += 6;
		} else if (cp >= 0xd800 && cp <= 0xdfff)
			cp = 0xfffd;
		o = put_utf8(o, cp);
	}
	return (size_t)(o - out);
}

size_t
uktv_jsonscan_compact(const char *text, size_t len, char *out)
{
	const char *p = text, *end = text + len;
	char *o = out;

	while (p < end) {
		char c = *p++;

		if (IS_WS(c))
			continue;
		*o++ = c;
		if (c != '"')
			continue;
		while (p < end) {
			c = *p++;
			*o++ = c;
			if (c == '\\' && p < end)
				*o++ = *p++;
			else if (c == '"')
				break;
		}
	}
	return (size_t)(o - out);
}
