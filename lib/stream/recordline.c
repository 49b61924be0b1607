/* recordline.c: see recordline.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "jsonscan.h"
#include "ndjson.h"
#include "recordline.h"

/* The longest partition key text that can still decode to 256 characters:
 * one character is at most 12 bytes of JSON ("\ud83d\ude00"). */
#define PK_TEXT_MAX	(UKTV_KINESIS_PARTITION_KEY_MAX * 12 + 2)

/* Paths scanned in each line, by index. */
enum { P_KEY, P_EHK, P_DATA, P_DATA64, P_MAX };

struct uktv_recordline {
	int			 envelope;
	int			 default_key;	/* no key path given */
	int			 has_ehk;
	struct uktv_jsonpath	 paths[P_MAX];
	size_t			 npaths;
	const char		*key_path;	/* for messages */
	const char		*ehk_path;
	char			*buf;		/* envelope data, decoded */
	char			 pk[PK_TEXT_MAX];
	char			 hk[64];
	char			 sha[65];
};

struct uktv_recordline *
uktv_recordline_new(const struct uktv_recordline_opts *o,
    enum uktv_recordline_bad *bad)
{
	struct uktv_recordline *l;
	char full[300];

	*bad = UKTV_RECORDLINE_NOMEM;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->envelope = o->envelope;
	l->default_key = o->key_path == NULL;
	/* The key (or the envelope's), then the hash key, then the data. */
	l->key_path = o->envelope ? ".partition_key" :
	    o->key_path != NULL ? o->key_path : ".payload.id";
	l->ehk_path = o->hash_key_path;
	if (uktv_jsonpath_parse(l->key_path, &l->paths[P_KEY]) == -1) {
		*bad = UKTV_RECORDLINE_BAD_KEY_PATH;
		goto fail;
	}
	if (o->hash_key_path != NULL) {
		/* In an envelope the hash key is looked up in the data. */
		snprintf(full, sizeof(full), "%s%s", o->envelope ? ".data" : "",
		    o->hash_key_path);
		if (o->hash_key_path[0] != '.' ||
		    uktv_jsonpath_parse(full, &l->paths[P_EHK]) == -1) {
			*bad = UKTV_RECORDLINE_BAD_HASH_PATH;
			goto fail;
		}
		l->has_ehk = 1;
	}
	l->npaths = P_DATA;
	if (o->envelope) {
		uktv_jsonpath_parse(".data", &l->paths[P_DATA]);
		uktv_jsonpath_parse(".data_base64", &l->paths[P_DATA64]);
		l->npaths = P_MAX;
		if ((l->buf = malloc(o->max_line)) == NULL)
			goto fail;
	}
	*bad = UKTV_RECORDLINE_OK;
	return l;
fail:
	free(l);
	return NULL;
}

void
uktv_recordline_free(struct uktv_recordline *l)
{
	if (l == NULL)
		return;
	free(l->buf);
	free(l);
}

static int
bad(const char **code, const char *c, char *why, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int
bad(const char **code, const char *c, char *why, size_t n, const char *fmt, ...)
{
	va_list ap;

	*code = c;
	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return -1;
}

static int
scan_bad(enum uktv_jsonscan_status st, size_t at, const char **code, char *why,
    size_t n)
{
	if (st == UKTV_JSONSCAN_TOO_DEEP)
		return bad(code, uktv_ndjson_reject_code(UKTV_NDJSON_TOO_DEEP),
		    why, n, "JSON nested deeper than %d levels",
		    UKTV_NDJSON_MAX_DEPTH);
	if (st == UKTV_JSONSCAN_NOT_OBJECT)
		return bad(code, uktv_ndjson_reject_code(UKTV_NDJSON_NOT_OBJECT),
		    why, n, "not a JSON object");
	return bad(code, uktv_ndjson_reject_code(UKTV_NDJSON_BAD_JSON), why, n,
	    "invalid JSON at byte offset %zu", at);
}

/* The text of a key or hash key value: a string decoded into buf, or a
 * number as written.  NULL for other types. */
static const char *
scalar_text(const struct uktv_jsonscan_value *v, char *buf, size_t bufsz,
    size_t *len)
{
	if (v->type == UKTV_JSON_NUMBER) {
		*len = v->len;
		return v->text;
	}
	if (v->type != UKTV_JSON_STRING)
		return NULL;
	if (v->len > bufsz) {
		*len = (size_t)-1;	/* too long to be a key at all */
		return buf;
	}
	*len = uktv_jsonscan_string(v, buf);
	return buf;
}

/* An envelope's data into rec. */
static int
envelope_data(struct uktv_recordline *l, const struct uktv_jsonscan_value *v,
    struct uktv_kinesis_record *rec, const char **code, char *why, size_t n)
{
	size_t dn;

	if (v[P_KEY].type != UKTV_JSON_STRING)
		return bad(code, "bad_envelope", why, n,
		    "envelope has no partition_key string");
	if ((v[P_DATA].type != UKTV_JSON_ABSENT) ==
	    (v[P_DATA64].type != UKTV_JSON_ABSENT))
		return bad(code, "bad_envelope", why, n,
		    "envelope needs one of data and data_base64");
	rec->data = l->buf;
	if (v[P_DATA].type != UKTV_JSON_ABSENT) {
		/* Compact JSON: only whitespace changes. */
		rec->data_len = uktv_jsonscan_compact(v[P_DATA].text,
		    v[P_DATA].len, l->buf);
		return 0;
	}
	/* Base64 needs no escapes: an escaped one is not ours. */
	if (v[P_DATA64].type != UKTV_JSON_STRING || v[P_DATA64].escaped ||
	    uktv_base64_decode(v[P_DATA64].text + 1, v[P_DATA64].len - 2,
	    l->buf, &dn) == -1)
		return bad(code, "bad_envelope", why, n,
		    "data_base64 is not base64");
	rec->data_len = dn;
	return 0;
}

/* The partition key and the explicit hash key into rec. */
static int
keys(struct uktv_recordline *l, const struct uktv_jsonscan_value *v,
    const char *text, size_t len, struct uktv_kinesis_record *rec,
    const char **code, char *why, size_t n)
{
	const char *s;
	size_t hn;

	rec->partition_key = scalar_text(&v[P_KEY], l->pk, sizeof(l->pk),
	    &rec->partition_key_len);
	if (rec->partition_key == NULL && l->default_key && !l->envelope) {
		uktv_kinesis_hash_partition_key(text, len, l->sha);
		rec->partition_key = l->sha;
		rec->partition_key_len = 64;
	}
	if (rec->partition_key == NULL)
		return bad(code, "no_partition_key", why, n, "no string or number "
		    "at %s for the partition key", l->key_path);
	if (rec->partition_key_len == (size_t)-1 ||
	    !uktv_kinesis_partition_key_valid(rec->partition_key,
	    rec->partition_key_len))
		return bad(code, "bad_partition_key", why, n, "partition key at "
		    "%s %s", l->key_path, rec->partition_key_len == 0 ?
		    "is empty" : "is longer than 256 characters");
	if (!l->has_ehk)
		return 0;
	s = scalar_text(&v[P_EHK], l->hk, sizeof(l->hk), &hn);
	if (s == NULL || hn == (size_t)-1 || !uktv_kinesis_hash_key_valid(s, hn))
		return bad(code, "bad_hash_key", why, n, "%s at %s", s == NULL ?
		    "no explicit hash key" : "explicit hash key is not a "
		    "decimal from 0 to 2^128-1", l->paths[P_EHK].text);
	rec->explicit_hash_key = s;
	rec->explicit_hash_key_len = hn;
	return 0;
}

int
uktv_recordline_build(struct uktv_recordline *l, const char *text, size_t len,
    unsigned long long tag, struct uktv_kinesis_record *rec, const char **code,
    char *why, size_t n)
{
	struct uktv_jsonscan_value v[P_MAX];
	enum uktv_jsonscan_status st;
	size_t at = 0;

	memset(rec, 0, sizeof(*rec));
	rec->tag = tag;
	st = uktv_jsonscan(text, len, 0, l->paths, l->npaths, v, &at);
	if (st != UKTV_JSONSCAN_OK)
		return scan_bad(st, at, code, why, n);
	if (l->envelope) {
		if (envelope_data(l, v, rec, code, why, n) == -1)
			return -1;
		rec->note = text;
		rec->note_len = len;
	} else {
		rec->data = text;
		rec->data_len = len;
	}
	if (keys(l, v, text, len, rec, code, why, n) == -1)
		return -1;
	if (rec->data_len + rec->partition_key_len > UKTV_KINESIS_RECORD_MAX_BYTES)
		return bad(code, "record_too_large", why, n, "record of %zu bytes "
		    "with its partition key is over Kinesis's limit of %zu",
		    rec->data_len + rec->partition_key_len,
		    UKTV_KINESIS_RECORD_MAX_BYTES);
	return 0;
}
