/*
 * streamout.c: see streamout.h.  Lines are built by hand in one scratch
 * buffer and written with one fwrite: a stream reader prints tens of
 * thousands of records a second, and a json-c object per record would cost
 * more than everything else it does.  Lines are gathered in a second buffer
 * and written OUT_CHUNK at a time: one system call per many records, and
 * every byte through the one EINTR-safe writer (ndjson.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "jsonscan.h"
#include "ndjson.h"
#include "streamout.h"

/* Lines are written when this much has gathered (and at each flush); a
 * line longer than this is written straight from where it is. */
#define OUT_CHUNK	((size_t)64 * 1024)

int
uktv_utf8_valid(const void *v, size_t len)
{
	const unsigned char *s = v, *end = s + len;

	while (s < end) {
		unsigned c = *s;
		size_t n;
		unsigned cp;

		if (c < 0x80) {
			if (c == 0)
				return 0;
			s++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else
			return 0;
		if ((size_t)(end - s) <= n)
			return 0;
		for (size_t i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		s += n + 1;
	}
	return 1;
}

enum uktv_streamout_check
uktv_streamout_check(const void *data, size_t len, char *why, size_t whylen)
{
	enum uktv_jsonscan_status st;
	size_t pos = 0;

	if (!uktv_utf8_valid(data, len)) {
		if (why != NULL)
			snprintf(why, whylen, "data is not UTF-8 text");
		return UKTV_SO_NOT_UTF8;
	}
	st = uktv_jsonscan(data, len, 0, NULL, 0, NULL, &pos);
	switch (st) {
	case UKTV_JSONSCAN_OK:
		return UKTV_SO_OBJECT;
	case UKTV_JSONSCAN_NOT_OBJECT:
		if (why != NULL)
			snprintf(why, whylen, "data is JSON but not an object");
		return UKTV_SO_NOT_OBJECT;
	case UKTV_JSONSCAN_TOO_DEEP:
		if (why != NULL)
			snprintf(why, whylen, "data nests deeper than %d",
			    UKTV_NDJSON_MAX_DEPTH);
		return UKTV_SO_NOT_JSON;
	default:
		if (why != NULL)
			snprintf(why, whylen, "data is not JSON (at byte %zu)",
			    pos);
		return UKTV_SO_NOT_JSON;
	}
}

const char *
uktv_streamout_check_code(enum uktv_streamout_check c)
{
	switch (c) {
	case UKTV_SO_NOT_UTF8:
		return "not_utf8";
	case UKTV_SO_NOT_JSON:
		return "invalid_json";
	case UKTV_SO_NOT_OBJECT:
		return "not_object";
	default:
		return "ok";
	}
}

void
uktv_streamout_init(struct uktv_streamout *o, FILE *fp)
{
	memset(o, 0, sizeof(*o));
	o->fp = fp;
}

void
uktv_streamout_free(struct uktv_streamout *o)
{
	free(o->buf);
	free(o->out);
	o->buf = o->out = NULL;
	o->cap = o->outlen = 0;
}

/* buf[0, len) out, counting the lines that went out whole: on EPIPE after
 * part of a chunk the caller learns which records its reader has. */
static int
write_out(struct uktv_streamout *o, const char *buf, size_t len)
{
	const char *p = buf, *end, *nl;
	size_t done;
	int rc;

	rc = uktv_ndjson_write_part(o->fp, buf, len, &done);
	for (end = buf + done; p < end && (nl = memchr(p, '\n',
	    (size_t)(end - p))) != NULL; p = nl + 1)
		o->lines_out++;
	return rc;
}

int
uktv_streamout_flush(struct uktv_streamout *o)
{
	size_t n = o->outlen;

	o->outlen = 0;
	if (n > 0 && write_out(o, o->out, n) == -1)
		return -1;
	return fflush(o->fp) == EOF ? -1 : 0;
}

static int
reserve(struct uktv_streamout *o, size_t n)
{
	char *b;

	if (n <= o->cap)
		return 0;
	if ((b = realloc(o->buf, n)) == NULL)
		return -1;
	o->buf = b;
	o->cap = n;
	return 0;
}

/* JSON string body of s[0, n) (no quotes) at out; returns the length.
 * Room needed: 6 * n. */
static size_t
escape(char *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char *o = out;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			*o++ = '\\';
			switch (c) {
			case '\n': *o++ = 'n'; break;
			case '\r': *o++ = 'r'; break;
			case '\t': *o++ = 't'; break;
			default:
				*o++ = 'u';
				*o++ = '0';
				*o++ = '0';
				*o++ = hex[c >> 4];
				*o++ = hex[c & 15];
			}
		} else
			*o++ = (char)c;
	}
	return (size_t)(o - out);
}

/* 1 when an object's text must be compacted to stay on one line (or to
 * lose spaces around it). */
static int
needs_compact(const unsigned char *d, size_t n)
{
	if (n == 0)
		return 0;
	if (d[0] != '{' || d[n - 1] != '}')
		return 1;
	return memchr(d, '\n', n) != NULL || memchr(d, '\r', n) != NULL;
}

static int
put(struct uktv_streamout *o, const char *s, size_t n)
{
	if (o->outlen + n > OUT_CHUNK && o->outlen > 0) {
		size_t len = o->outlen;

		o->outlen = 0;
		if (write_out(o, o->out, len) == -1)
			return -1;
	}
	if (n >= OUT_CHUNK)
		return write_out(o, s, n);
	if (o->out == NULL && (o->out = malloc(OUT_CHUNK)) == NULL)
		return -1;
	memcpy(o->out + o->outlen, s, n);
	o->outlen += n;
	return 0;
}

int
uktv_streamout_data(struct uktv_streamout *o, const struct uktv_stream_record *r,
    enum uktv_streamout_check check)
{
	size_t n;

	if (check == UKTV_SO_OBJECT && needs_compact(r->data, r->data_len)) {
		if (reserve(o, r->data_len + 1) == -1)
			return -1;
		n = uktv_jsonscan_compact((const char *)r->data, r->data_len,
		    o->buf);
		o->buf[n++] = '\n';
		return put(o, o->buf, n);
	}
	if (put(o, (const char *)r->data, r->data_len) == -1 ||
	    put(o, "\n", 1) == -1)
		return -1;
	return 0;
}

int
uktv_streamout_envelope(struct uktv_streamout *o,
    const struct uktv_stream_record *r, enum uktv_streamout_check check)
{
	size_t need, n = 0, pklen = r->partition_key_len;
	char ts[32];

	need = 256 + strlen(r->shard_id) + strlen(r->sequence) + 6 * pklen +
	    (check == UKTV_SO_OBJECT ? r->data_len :
	    UKTV_BASE64_ENCODED_LEN(r->data_len));
	if (reserve(o, need) == -1)
		return -1;
	/* Shard ids and sequence numbers are [A-Za-z0-9_.-]: no escaping. */
	n += (size_t)snprintf(o->buf + n, need - n,
	    "{\"shard\":\"%s\",\"sequence\":\"%s\"", r->shard_id, r->sequence);
	if (r->sub_sequence >= 0)
		n += (size_t)snprintf(o->buf + n, need - n,
		    ",\"sub_sequence\":%lld", r->sub_sequence);
	if (r->partition_key != NULL) {
		memcpy(o->buf + n, ",\"partition_key\":\"", 18);
		n += 18;
		n += escape(o->buf + n, r->partition_key, pklen);
		o->buf[n++] = '"';
	}
	uktv_time_format(r->arrival_ms, ts);
	n += (size_t)snprintf(o->buf + n, need - n, ",\"arrival\":\"%s\"", ts);
	if (check == UKTV_SO_OBJECT) {
		memcpy(o->buf + n, ",\"data\":", 8);
		n += 8;
		n += uktv_jsonscan_compact((const char *)r->data, r->data_len,
		    o->buf + n);
	} else {
		memcpy(o->buf + n, ",\"data_base64\":\"", 16);
		n += 16;
		n += uktv_base64_encode(r->data, r->data_len, o->buf + n);
		o->buf[n++] = '"';
	}
	o->buf[n++] = '}';
	o->buf[n++] = '\n';
	return put(o, o->buf, n);
}
