/*
 * kpl.c: see kpl.h.  A protobuf reader just big enough for AggregatedRecord:
 * varints, length-delimited fields, and skipping of any field it does not
 * know (fixed32/fixed64 too), as protobuf requires of a reader.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "kpl.h"
#include "private/kpl.h"

/* Protobuf wire types (protobuf.dev, "Encoding"). */
#define WT_VARINT	0
#define WT_I64		1
#define WT_LEN		2
#define WT_I32		5

struct pb {
	const unsigned char	*p, *end;
};

static int
pb_varint(struct pb *b, uint64_t *v)
{
	uint64_t x = 0;

	for (int shift = 0; shift < 64; shift += 7) {
		if (b->p >= b->end)
			return -1;
		x |= (uint64_t)(*b->p & 0x7f) << shift;
		if ((*b->p++ & 0x80) == 0) {
			*v = x;
			return 0;
		}
	}
	return -1;
}

/* Reads a field's key; 0 at the end, 1 with *field and *wt, -1 if bad. */
static int
pb_key(struct pb *b, uint64_t *field, int *wt)
{
	uint64_t k;

	if (b->p == b->end)
		return 0;
	if (pb_varint(b, &k) == -1 || (k >> 3) == 0)
		return -1;
	*field = k >> 3;
	*wt = (int)(k & 7);
	return 1;
}

static int
pb_bytes(struct pb *b, const unsigned char **s, size_t *len)
{
	uint64_t n;

	if (pb_varint(b, &n) == -1 || n > (uint64_t)(b->end - b->p))
		return -1;
	*s = b->p;
	*len = (size_t)n;
	b->p += n;
	return 0;
}

static int
pb_skip(struct pb *b, int wt)
{
	const unsigned char *s;
	size_t n;
	uint64_t v;

	switch (wt) {
	case WT_VARINT:
		return pb_varint(b, &v);
	case WT_I64:
		if (b->end - b->p < 8)
			return -1;
		b->p += 8;
		return 0;
	case WT_LEN:
		return pb_bytes(b, &s, &n);
	case WT_I32:
		if (b->end - b->p < 4)
			return -1;
		b->p += 4;
		return 0;
	default:		/* groups (3, 4) are not in this format */
		return -1;
	}
}

static void
say(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || whylen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

int
uktv_kpl_is_aggregated(const void *buf, size_t len)
{
	return len >= UKTV_KPL_MAGIC_LEN + UKTV_KPL_DIGEST_LEN &&
	    memcmp(buf, UKTV_KPL_MAGIC, UKTV_KPL_MAGIC_LEN) == 0;
}

static int
md5(const unsigned char *p, size_t n, unsigned char out[16])
{
	unsigned int len = 0;

	return EVP_Digest(p, n, out, &len, EVP_md5(), NULL) == 1 && len == 16 ?
	    0 : -1;
}

/* Appends (s, n) to a table; grows it by doubling. */
static int
table_add(const unsigned char ***tab, size_t **lens, size_t *n, size_t *cap,
    const unsigned char *s, size_t len)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		const unsigned char **t;
		size_t *l;

		if ((t = reallocarray(*tab, nc, sizeof(*t))) == NULL)
			return -1;
		*tab = t;
		if ((l = reallocarray(*lens, nc, sizeof(*l))) == NULL)
			return -1;
		*lens = l;
		*cap = nc;
	}
	(*tab)[*n] = s;
	(*lens)[*n] = len;
	(*n)++;
	return 0;
}

/* One Record message into r; -1 with why on a bad one. */
static int
decode_record(struct uktv_kpl_aggregate *agg, const unsigned char *s, size_t n,
    struct uktv_kpl_user_record *r, char *why, size_t whylen)
{
	struct pb b = { s, s + n };
	uint64_t field, pki = 0, ehki = 0;
	int wt, rc, have_pk = 0, have_ehk = 0, have_data = 0;

	memset(r, 0, sizeof(*r));
	while ((rc = pb_key(&b, &field, &wt)) == 1) {
		if (field == 1 && wt == WT_VARINT) {
			if (pb_varint(&b, &pki) == -1)
				break;
			have_pk = 1;
		} else if (field == 2 && wt == WT_VARINT) {
			if (pb_varint(&b, &ehki) == -1)
				break;
			have_ehk = 1;
		} else if (field == 3 && wt == WT_LEN) {
			if (pb_bytes(&b, &r->data, &r->data_len) == -1)
				break;
			have_data = 1;
		} else if (pb_skip(&b, wt) == -1)
			break;
	}
	if (rc != 0) {
		say(why, whylen, "record %zu: truncated or malformed protobuf",
		    agg->n);
		return -1;
	}
	if (!have_pk || !have_data) {
		say(why, whylen, "record %zu: no %s", agg->n,
		    have_pk ? "data" : "partition_key_index");
		return -1;
	}
	if (pki >= agg->npk) {
		say(why, whylen, "record %zu: partition_key_index %llu is outside "
		    "the table of %zu", agg->n, (unsigned long long)pki, agg->npk);
		return -1;
	}
	r->partition_key = (const char *)agg->pk[pki];
	r->partition_key_len = agg->pk_len[pki];
	if (have_ehk) {
		if (ehki >= agg->nehk) {
			say(why, whylen, "record %zu: explicit_hash_key_index %llu "
			    "is outside the table of %zu", agg->n,
			    (unsigned long long)ehki, agg->nehk);
			return -1;
		}
		r->explicit_hash_key = (const char *)agg->ehk[ehki];
		r->explicit_hash_key_len = agg->ehk_len[ehki];
	}
	return 0;
}

enum uktv_kpl_status
uktv_kpl_decode(const void *buf, size_t len, struct uktv_kpl_aggregate *agg,
    char *why, size_t whylen)
{
	const unsigned char *p = buf, *msg, *s;
	unsigned char digest[UKTV_KPL_DIGEST_LEN];
	size_t msglen, n;
	struct pb b;
	uint64_t field;
	int wt, rc;

	agg->n = agg->npk = agg->nehk = 0;
	if (!uktv_kpl_is_aggregated(buf, len)) {
		say(why, whylen, "not a KPL aggregate");
		return UKTV_KPL_NOT_AGGREGATED;
	}
	msg = p + UKTV_KPL_MAGIC_LEN;
	msglen = len - UKTV_KPL_MAGIC_LEN - UKTV_KPL_DIGEST_LEN;
	if (md5(msg, msglen, digest) == -1) {
		say(why, whylen, "MD5 unavailable");
		return UKTV_KPL_NOMEM;
	}
	if (memcmp(digest, msg + msglen, UKTV_KPL_DIGEST_LEN) != 0) {
		say(why, whylen, "KPL aggregate with a bad MD5 digest");
		return UKTV_KPL_BAD_DIGEST;
	}

	/* Pass 1: the key tables (the KPL writes them first, but protobuf
	 * lets fields come in any order). */
	b.p = msg;
	b.end = msg + msglen;
	while ((rc = pb_key(&b, &field, &wt)) == 1) {
		if ((field == 1 || field == 2) && wt == WT_LEN) {
			if (pb_bytes(&b, &s, &n) == -1)
				break;
			if ((field == 1 ? table_add(&agg->pk, &agg->pk_len,
			    &agg->npk, &agg->cap_pk, s, n) : table_add(&agg->ehk,
			    &agg->ehk_len, &agg->nehk, &agg->cap_ehk, s, n)) == -1)
				return UKTV_KPL_NOMEM;
		} else if (pb_skip(&b, wt) == -1)
			break;
	}
	if (rc != 0) {
		say(why, whylen, "KPL aggregate: truncated or malformed protobuf");
		return UKTV_KPL_BAD_MESSAGE;
	}

	/* Pass 2: the records. */
	b.p = msg;
	while ((rc = pb_key(&b, &field, &wt)) == 1) {
		if (field == 3 && wt == WT_LEN) {
			if (pb_bytes(&b, &s, &n) == -1)
				break;
			if (agg->n == agg->cap) {
				size_t nc = agg->cap ? agg->cap * 2 : 64;
				struct uktv_kpl_user_record *r;

				if ((r = reallocarray(agg->records, nc,
				    sizeof(*r))) == NULL) {
					agg->n = 0;
					return UKTV_KPL_NOMEM;
				}
				agg->records = r;
				agg->cap = nc;
			}
			if (decode_record(agg, s, n, &agg->records[agg->n], why,
			    whylen) == -1) {
				agg->n = 0;
				return UKTV_KPL_BAD_MESSAGE;
			}
			agg->n++;
		} else if (pb_skip(&b, wt) == -1)
			break;
	}
	if (rc != 0) {
		agg->n = 0;
		say(why, whylen, "KPL aggregate: truncated or malformed protobuf");
		return UKTV_KPL_BAD_MESSAGE;
	}
	return UKTV_KPL_OK;
}

void
uktv_kpl_aggregate_free(struct uktv_kpl_aggregate *agg)
{
	if (agg == NULL)
		return;
	free(agg->records);
	free(agg->pk);
	free(agg->pk_len);
	free(agg->ehk);
	free(agg->ehk_len);
	memset(agg, 0, sizeof(*agg));
}

/* ------------------------------------------------------------ encoding */

struct obuf {
	unsigned char	*p;
	size_t		 len, cap;
};

static int
ob_put(struct obuf *o, const void *s, size_t n)
{
	if (o->len + n > o->cap) {
		size_t nc = o->cap ? o->cap : 256;
		unsigned char *p;

		while (nc < o->len + n)
			nc *= 2;
		if ((p = realloc(o->p, nc)) == NULL)
			return -1;
		o->p = p;
		o->cap = nc;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	return 0;
}

static size_t
varint_enc(uint64_t v, unsigned char out[10])
{
	size_t n = 0;

	while (v >= 0x80) {
		out[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	out[n++] = (unsigned char)v;
	return n;
}

static int
ob_varint(struct obuf *o, uint64_t v)
{
	unsigned char b[10];

	return ob_put(o, b, varint_enc(v, b));
}

static int
ob_field_bytes(struct obuf *o, int field, const void *s, size_t n)
{
	if (ob_varint(o, (uint64_t)field << 3 | WT_LEN) == -1 ||
	    ob_varint(o, n) == -1)
		return -1;
	return n ? ob_put(o, s, n) : 0;
}

/* Index of (s, n) in keys[0, nkeys), or -1. */
static long
find_key(const struct uktv_kpl_user_record *recs, size_t *keys, size_t nkeys,
    int ehk, const char *s, size_t n)
{
	for (size_t i = 0; i < nkeys; i++) {
		const struct uktv_kpl_user_record *r = &recs[keys[i]];
		const char *t = ehk ? r->explicit_hash_key : r->partition_key;
		size_t tn = ehk ? r->explicit_hash_key_len : r->partition_key_len;

		if (tn == n && memcmp(t, s, n) == 0)
			return (long)i;
	}
	return -1;
}

int
uktv_kpl_encode(const struct uktv_kpl_user_record *recs, size_t n,
    unsigned char **out, size_t *outlen)
{
	struct obuf o = { 0 }, rec = { 0 };
	size_t *pks = NULL, *ehks = NULL, npk = 0, nehk = 0;
	unsigned char digest[UKTV_KPL_DIGEST_LEN];

	*out = NULL;
	*outlen = 0;
	if ((pks = calloc(n ? n : 1, sizeof(*pks))) == NULL ||
	    (ehks = calloc(n ? n : 1, sizeof(*ehks))) == NULL)
		goto nomem;
	if (ob_put(&o, UKTV_KPL_MAGIC, UKTV_KPL_MAGIC_LEN) == -1)
		goto nomem;
	/* The tables, each key once, in order of first use. */
	for (size_t i = 0; i < n; i++) {
		if (find_key(recs, pks, npk, 0, recs[i].partition_key,
		    recs[i].partition_key_len) == -1) {
			pks[npk++] = i;
			if (ob_field_bytes(&o, 1, recs[i].partition_key,
			    recs[i].partition_key_len) == -1)
				goto nomem;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (recs[i].explicit_hash_key != NULL &&
		    find_key(recs, ehks, nehk, 1, recs[i].explicit_hash_key,
		    recs[i].explicit_hash_key_len) == -1) {
			ehks[nehk++] = i;
			if (ob_field_bytes(&o, 2, recs[i].explicit_hash_key,
			    recs[i].explicit_hash_key_len) == -1)
				goto nomem;
		}
	}
	for (size_t i = 0; i < n; i++) {
		rec.len = 0;
		if (ob_varint(&rec, 1 << 3 | WT_VARINT) == -1 ||
		    ob_varint(&rec, (uint64_t)find_key(recs, pks, npk, 0,
		    recs[i].partition_key, recs[i].partition_key_len)) == -1)
			goto nomem;
		if (recs[i].explicit_hash_key != NULL &&
		    (ob_varint(&rec, 2 << 3 | WT_VARINT) == -1 ||
		    ob_varint(&rec, (uint64_t)find_key(recs, ehks, nehk, 1,
		    recs[i].explicit_hash_key,
		    recs[i].explicit_hash_key_len)) == -1))
			goto nomem;
		if (ob_field_bytes(&rec, 3, recs[i].data, recs[i].data_len) == -1 ||
		    ob_field_bytes(&o, 3, rec.p, rec.len) == -1)
			goto nomem;
	}
	if (md5(o.p + UKTV_KPL_MAGIC_LEN, o.len - UKTV_KPL_MAGIC_LEN,
	    digest) == -1 || ob_put(&o, digest, sizeof(digest)) == -1)
		goto nomem;
	free(pks);
	free(ehks);
	free(rec.p);
	*out = o.p;
	*outlen = o.len;
	return 0;
nomem:
	free(pks);
	free(ehks);
	free(rec.p);
	free(o.p);
	errno = ENOMEM;
	return -1;
}
