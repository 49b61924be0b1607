/*
 * sigv4.c: AWS Signature Version 4, header and presigned-query signing.
 *
 * The steps follow the AWS documentation ("Create a signed AWS API request"):
 * canonical request, string to sign, signing key, signature.  Where the
 * documentation leaves a choice open, we do what aws-c-auth does, because its
 * signing suite (tests/fixtures/sigv4) is what we test against.
 *
 * Every intermediate string is built in a growable buffer that records an
 * allocation failure instead of reporting it at each append; the caller
 * checks once when it takes the string.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "parse.h"
#include "private/sigv4.h"
#include "strbuf.h"

#define ALGORITHM	"AWS4-HMAC-SHA256"
#define SCOPE_TERM	"aws4_request"
#define SHA256_LEN	32
#define SHA256_HEX_LEN	64
#define AMZ_DATE_LEN	16		/* 20150830T123600Z */
#define DATE_LEN	8		/* 20150830 */
/* SHA-256 of the empty string: the payload hash of a request with no body. */
#define EMPTY_SHA256 \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
/*
 * A process talks to a few services in one or two regions (uktv-consume:
 * Kinesis and DynamoDB), so a handful of cached keys avoids re-deriving on
 * every call without any eviction policy smarter than round robin.
 */
#define KEY_SLOTS	4

struct key_slot {
	char		 date[DATE_LEN + 1];
	char		*region;		/* NULL: slot unused */
	char		*service;
	char		*access_key_id;
	unsigned char	 key[SHA256_LEN];
};

struct uktv_sigv4_signer {
	struct key_slot	 slots[KEY_SLOTS];
	size_t		 next;			/* slot replaced on a miss */
	unsigned long	 derivations;
};

/* ---- encoding ------------------------------------------------------------ */

/* RFC 3986 unreserved characters, which SigV4 never percent-encodes. */
static int
unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

/* Percent-encodes with upper-case hex, as SigV4 requires; '/' kept if asked. */
static void
buf_encode(struct uktv_strbuf *b, const char *s, size_t n, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;
	char pct[3];
	size_t i, run;

	for (i = 0; i < n; i += run) {
		/* Copy runs of safe bytes at once: most input needs no encoding. */
		for (run = 0; i + run < n; run++) {
			c = (unsigned char)s[i + run];
			if (!unreserved(c) && !(keep_slash && c == '/'))
				break;
		}
		if (run > 0) {
			uktv_strbuf_addn(b, s + i, run);
			continue;
		}
		c = (unsigned char)s[i];
		pct[0] = '%';
		pct[1] = hex[c >> 4];
		pct[2] = hex[c & 0x0f];
		uktv_strbuf_addn(b, pct, 3);
		run = 1;
	}
}

/* Decodes %XX; a '%' not followed by two hex digits stands for itself. */
static void
buf_decode(struct uktv_strbuf *b, const char *s, size_t n)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n &&
		    (hi = uktv_parse_hexdigit(s[i + 1])) >= 0 &&
		    (lo = uktv_parse_hexdigit(s[i + 2])) >= 0) {
			uktv_strbuf_addc(b, (char)(hi << 4 | lo));
			i += 2;
		} else
			uktv_strbuf_addc(b, s[i]);
	}
}

static void
hex_encode(const unsigned char *p, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

/* ---- crypto -------------------------------------------------------------- */

static int
sha256_hex(const void *p, size_t n, char out[SHA256_HEX_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;

	if (p == NULL)
		p = "";
	if (EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != SHA256_LEN)
		return -1;
	hex_encode(md, SHA256_LEN, out);
	return 0;
}

static int
hmac_sha256(const void *key, size_t keylen, const void *msg, size_t msglen,
    unsigned char out[SHA256_LEN])
{
	unsigned int outlen = 0;

	if (HMAC(EVP_sha256(), key, (int)keylen, msg, msglen, out,
	    &outlen) == NULL || outlen != SHA256_LEN)
		return -1;
	return 0;
}

/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request") */
static int
derive_key(const char *secret, const char *date, const char *region,
    const char *service, unsigned char out[SHA256_LEN])
{
	unsigned char k1[SHA256_LEN], k2[SHA256_LEN];
	size_t slen = strlen(secret);
	char *seed;
	int rc = -1;

	if ((seed = malloc(slen + 5)) == NULL)
		return -1;
	memcpy(seed, "AWS4", 4);
	memcpy(seed + 4, secret, slen + 1);
	if (hmac_sha256(seed, slen + 4, date, strlen(date), k1) == 0 &&
	    hmac_sha256(k1, sizeof(k1), region, strlen(region), k2) == 0 &&
	    hmac_sha256(k2, sizeof(k2), service, strlen(service), k1) == 0 &&
	    hmac_sha256(k1, sizeof(k1), SCOPE_TERM, strlen(SCOPE_TERM), out) == 0)
		rc = 0;
	explicit_bzero(seed, slen + 4);
	free(seed);
	explicit_bzero(k1, sizeof(k1));
	explicit_bzero(k2, sizeof(k2));
	return rc;
}

/* ---- signer and its key cache -------------------------------------------- */

struct uktv_sigv4_signer *
uktv_sigv4_signer_new(void)
{
	return calloc(1, sizeof(struct uktv_sigv4_signer));
}

static void
slot_clear(struct key_slot *s)
{
	explicit_bzero(s->key, sizeof(s->key));
	free(s->region);
	free(s->service);
	free(s->access_key_id);
	memset(s, 0, sizeof(*s));
}

void
uktv_sigv4_signer_free(struct uktv_sigv4_signer *signer)
{
	size_t i;

	if (signer == NULL)
		return;
	for (i = 0; i < KEY_SLOTS; i++)
		slot_clear(&signer->slots[i]);
	free(signer);
}

unsigned long
uktv_sigv4_signer_derivations(const struct uktv_sigv4_signer *signer)
{
	return signer ? signer->derivations : 0;
}

/*
 * Fills key with the signing key for the scope, from the cache when it holds
 * one.  The cache is keyed by access key id and not by secret: an access key
 * id names exactly one secret for its whole life.
 */
static int
signing_key(struct uktv_sigv4_signer *signer, const char *date,
    const char *region, const char *service, const struct uktv_sigv4_creds *creds,
    unsigned char key[SHA256_LEN])
{
	struct key_slot *s;
	size_t i;

	if (signer == NULL)
		return derive_key(creds->secret_access_key, date, region,
		    service, key);
	for (i = 0; i < KEY_SLOTS; i++) {
		s = &signer->slots[i];
		if (s->region != NULL && strcmp(s->date, date) == 0 &&
		    strcmp(s->region, region) == 0 &&
		    strcmp(s->service, service) == 0 &&
		    strcmp(s->access_key_id, creds->access_key_id) == 0) {
			memcpy(key, s->key, SHA256_LEN);
			return 0;
		}
	}
	if (derive_key(creds->secret_access_key, date, region, service,
	    key) == -1)
		return -1;
	signer->derivations++;
	s = &signer->slots[signer->next];
	signer->next = (signer->next + 1) % KEY_SLOTS;
	slot_clear(s);
	s->region = strdup(region);
	s->service = strdup(service);
	s->access_key_id = strdup(creds->access_key_id);
	if (s->region == NULL || s->service == NULL ||
	    s->access_key_id == NULL) {
		/* Not caching is fine: the key in hand is still good. */
		slot_clear(s);
		return 0;
	}
	strlcpy(s->date, date, sizeof(s->date));
	memcpy(s->key, key, SHA256_LEN);
	return 0;
}

/* ---- canonical URI ------------------------------------------------------- */

/*
 * Removes "." and ".." segments and empty segments (so "//" collapses), and
 * keeps a trailing slash when the wire path had one, as aws-c-auth,
 * botocore and smithy-rs do.
 */
static void
normalize_path(struct uktv_strbuf *out, const char *path)
{
	const char *p = path, *seg;
	size_t n, len = strlen(path);

	while (*p != '\0') {
		while (*p == '/')
			p++;
		seg = p;
		while (*p != '\0' && *p != '/')
			p++;
		n = (size_t)(p - seg);
		if (n == 0 || (n == 1 && seg[0] == '.'))
			continue;
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			/* Drop the last segment written, if any. */
			while (out->len > 0 && out->s[out->len - 1] != '/')
				out->len--;
			if (out->len > 0)
				out->len--;
			if (out->s != NULL)
				out->s[out->len] = '\0';
			continue;
		}
		uktv_strbuf_addc(out, '/');
		uktv_strbuf_addn(out, seg, n);
	}
	if (out->len == 0 || path[len - 1] == '/')
		uktv_strbuf_addc(out, '/');
}

static void
append_canonical_uri(struct uktv_strbuf *out, const struct uktv_sigv4_config *cfg,
    const char *path)
{
	struct uktv_strbuf tmp = { 0 };
	const char *p;

	if (path == NULL || *path == '\0')
		path = "/";
	if (cfg->normalize_path) {
		normalize_path(&tmp, path);
		if (tmp.failed) {
			out->failed = 1;
			uktv_strbuf_free(&tmp);
			return;
		}
		p = tmp.s;
	} else {
		if (path[0] != '/')
			uktv_strbuf_addc(out, '/');
		p = path;
	}
	/*
	 * "Double" encoding: the wire path is already percent-encoded once, and
	 * every service but S3 wants it encoded again (so "%3A" signs as
	 * "%253A").  S3 signs the wire path as it is.
	 */
	if (cfg->double_encode)
		buf_encode(out, p, strlen(p), 1);
	else
		uktv_strbuf_add(out, p);
	uktv_strbuf_free(&tmp);
}

char *
uktv_sigv4_canonical_uri(const struct uktv_sigv4_config *cfg, const char *path)
{
	struct uktv_strbuf b = { 0 };

	if (cfg == NULL)
		return NULL;
	append_canonical_uri(&b, cfg, path);
	return uktv_strbuf_take(&b);
}

/* ---- canonical query ----------------------------------------------------- */

/*
 * Parameters are encoded into one buffer and sorted afterwards; offsets are
 * kept while the buffer can still move, pointers once it cannot.
 */
struct qparam {
	size_t		 name_off, name_len, value_off, value_len;
	const char	*name, *value;
};

struct qlist {
	struct qparam	*v;
	size_t		 n, cap;
	struct uktv_strbuf	 enc;		/* encoded names and values */
	struct uktv_strbuf	 tmp;		/* one decoded name or value */
	int		 failed;
};

/* Adds a parameter given in plain (decoded) form. */
static void
qlist_add(struct qlist *q, const char *name, size_t nlen, const char *value,
    size_t vlen)
{
	struct qparam *v, *p;
	size_t cap;

	uktv_strbuf_reserve(&q->enc, 0);	/* so enc.s is never NULL when emitted */
	if (q->n == q->cap) {
		cap = q->cap ? q->cap * 2 : 16;
		if ((v = reallocarray(q->v, cap, sizeof(*v))) == NULL) {
			q->failed = 1;
			return;
		}
		q->v = v;
		q->cap = cap;
	}
	p = &q->v[q->n++];
	p->name_off = q->enc.len;
	buf_encode(&q->enc, name, nlen, 0);
	p->name_len = q->enc.len - p->name_off;
	p->value_off = q->enc.len;
	buf_encode(&q->enc, value, vlen, 0);
	p->value_len = q->enc.len - p->value_off;
}

static void
qlist_add_str(struct qlist *q, const char *name, const char *value)
{
	qlist_add(q, name, strlen(name), value, strlen(value));
}

/* Adds "name=value" (or "name") as sent on the wire: decoded, then re-encoded. */
static void
qlist_add_wire(struct qlist *q, const char *s, size_t n)
{
	const char *eq = memchr(s, '=', n);
	size_t nlen = eq ? (size_t)(eq - s) : n, vstart;

	q->tmp.len = 0;
	buf_decode(&q->tmp, s, nlen);
	vstart = q->tmp.len;
	if (eq != NULL)
		buf_decode(&q->tmp, eq + 1, n - nlen - 1);
	if (q->tmp.failed) {
		q->failed = 1;
		return;
	}
	qlist_add(q, q->tmp.s ? q->tmp.s : "", vstart,
	    q->tmp.s ? q->tmp.s + vstart : "", q->tmp.len - vstart);
}

static void
qlist_add_query(struct qlist *q, const char *query)
{
	const char *p, *amp;
	size_t n;

	if (query == NULL)
		return;
	for (p = query; *p != '\0'; p += n + (p[n] == '&')) {
		amp = strchr(p, '&');
		n = amp ? (size_t)(amp - p) : strlen(p);
		if (n > 0)
			qlist_add_wire(q, p, n);
	}
}

static int
cmp_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return (alen > blen) - (alen < blen);
}

/* Sorted by encoded name, then by encoded value (the SigV4 rule). */
static int
qparam_cmp(const void *a, const void *b)
{
	const struct qparam *x = a, *y = b;
	int c;

	if ((c = cmp_bytes(x->name, x->name_len, y->name, y->name_len)) != 0)
		return c;
	return cmp_bytes(x->value, x->value_len, y->value, y->value_len);
}

static void
qlist_emit(struct qlist *q, struct uktv_strbuf *out)
{
	size_t i;

	if (q->failed || q->enc.failed) {
		out->failed = 1;
		return;
	}
	for (i = 0; i < q->n; i++) {
		q->v[i].name = q->enc.s + q->v[i].name_off;
		q->v[i].value = q->enc.s + q->v[i].value_off;
	}
	if (q->n > 1)
		uktv_qsort(q->v, q->n, sizeof(q->v[0]), qparam_cmp);
	for (i = 0; i < q->n; i++) {
		if (i > 0)
			uktv_strbuf_addc(out, '&');
		uktv_strbuf_addn(out, q->v[i].name, q->v[i].name_len);
		uktv_strbuf_addc(out, '=');
		uktv_strbuf_addn(out, q->v[i].value, q->v[i].value_len);
	}
}

static void
qlist_free(struct qlist *q)
{
	free(q->v);
	uktv_strbuf_free(&q->enc);
	uktv_strbuf_free(&q->tmp);
}

/* ---- canonical headers --------------------------------------------------- */

struct chdr {
	const char	*name;		/* lower case */
	const char	*value;		/* as given; trimmed when emitted */
	size_t		 order;		/* keeps duplicates in request order */
};

static int
chdr_cmp(const void *a, const void *b)
{
	const struct chdr *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return (x->order > y->order) - (x->order < y->order);
}

static int
is_lws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * The SigV4 "Trimall": no leading or trailing white space, and each run of
 * white space inside folded to one space.  Line breaks count as white space,
 * so an obs-fold multi-line value signs as one line.
 */
static void
buf_trimall(struct uktv_strbuf *b, const char *v)
{
	const char *p;
	int gap = 0;

	while (is_lws(*v))
		v++;
	while (*v != '\0') {
		if (is_lws(*v)) {
			gap = 1;
			v++;
			continue;
		}
		if (gap)
			uktv_strbuf_addc(b, ' ');
		gap = 0;
		for (p = v; *p != '\0' && !is_lws(*p); p++)
			;
		uktv_strbuf_addn(b, v, (size_t)(p - v));
		v = p;
	}
}

/*
 * The signer owns these headers: a copy left in the request from an earlier
 * attempt is not signed, since the signer supplies the current one.
 */
static int
signer_owned(const char *lname, const struct uktv_sigv4_config *cfg,
    const struct uktv_sigv4_creds *creds)
{
	if (strcmp(lname, "authorization") == 0 ||
	    strcmp(lname, "x-amz-date") == 0)
		return 1;
	if (strcmp(lname, "x-amz-security-token") == 0)
		return creds->session_token != NULL &&
		    creds->session_token[0] != '\0';
	if (strcmp(lname, "x-amz-content-sha256") == 0)
		return cfg->sign_body;
	return 0;
}

/* ---- the canonical request ----------------------------------------------- */

struct parts {
	char	 amz_date[AMZ_DATE_LEN + 1];
	char	 date[DATE_LEN + 1];
	char	*scope;			/* date/region/service/aws4_request */
	char	*signed_headers;
	char	*payload_hash;
	char	*canonical;
};

static void
parts_free(struct parts *p)
{
	free(p->scope);
	free(p->signed_headers);
	free(p->payload_hash);
	free(p->canonical);
	memset(p, 0, sizeof(*p));
}

static int
format_dates(time_t now, char amz[AMZ_DATE_LEN + 1], char date[DATE_LEN + 1])
{
	struct tm tm;

	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(amz, AMZ_DATE_LEN + 1, "%Y%m%dT%H%M%SZ", &tm) !=
	    AMZ_DATE_LEN)
		return -1;
	memcpy(date, amz, DATE_LEN);
	date[DATE_LEN] = '\0';
	return 0;
}

static char *
make_scope(const char *date, const struct uktv_sigv4_config *cfg)
{
	struct uktv_strbuf b = { 0 };

	uktv_strbuf_add(&b, date);
	uktv_strbuf_addc(&b, '/');
	uktv_strbuf_add(&b, cfg->region);
	uktv_strbuf_addc(&b, '/');
	uktv_strbuf_add(&b, cfg->service);
	uktv_strbuf_add(&b, "/" SCOPE_TERM);
	return uktv_strbuf_take(&b);
}

static const char *
session_token(const struct uktv_sigv4_creds *creds)
{
	if (creds->session_token == NULL || creds->session_token[0] == '\0')
		return NULL;
	return creds->session_token;
}

/*
 * The payload hash: of the body when signing it; else a caller's own
 * x-amz-content-sha256 (S3's UNSIGNED-PAYLOAD, say), which must match what
 * is signed; else of the body, as every JSON service requires.
 */
static char *
payload_hash(const struct uktv_sigv4_config *cfg,
    const struct uktv_sigv4_request *req)
{
	char hex[SHA256_HEX_LEN + 1];
	const char *given = NULL;
	struct uktv_strbuf b = { 0 };
	size_t i;

	if (!cfg->sign_body) {
		for (i = 0; i < req->nheaders; i++)
			if (strcasecmp(req->headers[i].name,
			    "x-amz-content-sha256") == 0)
				given = req->headers[i].value ?
				    req->headers[i].value : "";
	}
	if (given != NULL) {
		buf_trimall(&b, given);
		return uktv_strbuf_take(&b);
	}
	if (req->body_len == 0)
		return strdup(EMPTY_SHA256);
	if (sha256_hex(req->body, req->body_len, hex) == -1)
		return NULL;
	return strdup(hex);
}

/* Appends the canonical headers block and fills p->signed_headers. */
static int
append_headers(struct uktv_strbuf *out, struct parts *p,
    const struct uktv_sigv4_config *cfg, const struct uktv_sigv4_creds *creds,
    const struct uktv_sigv4_request *req, int presign)
{
	struct chdr *h;
	struct uktv_strbuf sh = { 0 };
	char *names, *w;
	const char *token = session_token(creds);
	size_t i, j, n = 0, total = 0;

	for (i = 0; i < req->nheaders; i++)
		total += strlen(req->headers[i].name) + 1;
	/* +3: X-Amz-Date, x-amz-content-sha256, X-Amz-Security-Token */
	h = reallocarray(NULL, req->nheaders + 3, sizeof(*h));
	names = malloc(total ? total : 1);
	if (h == NULL || names == NULL) {
		free(h);
		free(names);
		return -1;
	}
	w = names;
	for (i = 0; i < req->nheaders; i++) {
		const char *s = req->headers[i].name;

		h[n].name = w;
		while (*s != '\0') {
			*w++ = (*s >= 'A' && *s <= 'Z') ? (char)(*s - 'A' + 'a') : *s;
			s++;
		}
		*w++ = '\0';
		if (signer_owned(h[n].name, cfg, creds))
			continue;
		h[n].value = req->headers[i].value ? req->headers[i].value : "";
		h[n].order = n;
		n++;
	}
	if (!presign) {
		h[n].name = "x-amz-date";
		h[n].value = p->amz_date;
		h[n].order = n;
		n++;
		if (cfg->sign_body) {
			h[n].name = "x-amz-content-sha256";
			h[n].value = p->payload_hash;
			h[n].order = n;
			n++;
		}
		if (token != NULL && !cfg->omit_session_token) {
			h[n].name = "x-amz-security-token";
			h[n].value = token;
			h[n].order = n;
			n++;
		}
	}
	uktv_qsort(h, n, sizeof(h[0]), chdr_cmp);
	for (i = 0; i < n; i = j) {
		/* Repeated names become one line, values comma-joined in order. */
		uktv_strbuf_add(out, h[i].name);
		uktv_strbuf_addc(out, ':');
		buf_trimall(out, h[i].value);
		for (j = i + 1; j < n && strcmp(h[j].name, h[i].name) == 0; j++) {
			uktv_strbuf_addc(out, ',');
			buf_trimall(out, h[j].value);
		}
		uktv_strbuf_addc(out, '\n');
		if (sh.len > 0)
			uktv_strbuf_addc(&sh, ';');
		uktv_strbuf_add(&sh, h[i].name);
	}
	free(h);
	free(names);
	p->signed_headers = uktv_strbuf_take(&sh);
	return p->signed_headers ? 0 : -1;
}

static int
build(const struct uktv_sigv4_config *cfg, const struct uktv_sigv4_creds *creds,
    const struct uktv_sigv4_request *req, int presign, struct parts *p)
{
	struct uktv_strbuf cr = { 0 }, hdrs = { 0 }, cred = { 0 };
	struct qlist q = { 0 };
	const char *token = session_token(creds);
	char expires[32];
	char *credential;

	memset(p, 0, sizeof(*p));
	if (format_dates(cfg->now, p->amz_date, p->date) == -1 ||
	    (p->scope = make_scope(p->date, cfg)) == NULL ||
	    (p->payload_hash = payload_hash(cfg, req)) == NULL ||
	    append_headers(&hdrs, p, cfg, creds, req, presign) == -1)
		goto fail;

	qlist_add_query(&q, req->query);
	if (presign) {
		uktv_strbuf_add(&cred, creds->access_key_id);
		uktv_strbuf_addc(&cred, '/');
		uktv_strbuf_add(&cred, p->scope);
		if ((credential = uktv_strbuf_take(&cred)) == NULL)
			goto fail;
		snprintf(expires, sizeof(expires), "%ld", cfg->expires);
		qlist_add_str(&q, "X-Amz-Algorithm", ALGORITHM);
		qlist_add_str(&q, "X-Amz-Credential", credential);
		qlist_add_str(&q, "X-Amz-Date", p->amz_date);
		qlist_add_str(&q, "X-Amz-Expires", expires);
		qlist_add_str(&q, "X-Amz-SignedHeaders", p->signed_headers);
		if (token != NULL && !cfg->omit_session_token)
			qlist_add_str(&q, "X-Amz-Security-Token", token);
		free(credential);
	}

	uktv_strbuf_add(&cr, req->method);
	uktv_strbuf_addc(&cr, '\n');
	append_canonical_uri(&cr, cfg, req->path);
	uktv_strbuf_addc(&cr, '\n');
	qlist_emit(&q, &cr);
	uktv_strbuf_addc(&cr, '\n');
	if (hdrs.len > 0)
		uktv_strbuf_addn(&cr, hdrs.s, hdrs.len);
	uktv_strbuf_addc(&cr, '\n');
	uktv_strbuf_add(&cr, p->signed_headers);
	uktv_strbuf_addc(&cr, '\n');
	uktv_strbuf_add(&cr, p->payload_hash);
	if ((p->canonical = uktv_strbuf_take(&cr)) == NULL)
		goto fail;
	qlist_free(&q);
	uktv_strbuf_free(&hdrs);
	return 0;
fail:
	qlist_free(&q);
	uktv_strbuf_free(&hdrs);
	uktv_strbuf_free(&cr);
	parts_free(p);
	return -1;
}

static int
usable(const struct uktv_sigv4_config *cfg, const struct uktv_sigv4_creds *creds,
    const struct uktv_sigv4_request *req)
{
	size_t i;

	if (cfg == NULL || creds == NULL || req == NULL ||
	    cfg->region == NULL || cfg->service == NULL ||
	    creds->access_key_id == NULL || creds->secret_access_key == NULL ||
	    req->method == NULL || (req->nheaders > 0 && req->headers == NULL))
		return 0;
	for (i = 0; i < req->nheaders; i++)
		if (req->headers[i].name == NULL)
			return 0;
	return 1;
}

char *
uktv_sigv4_canonical_request(const struct uktv_sigv4_config *cfg,
    const struct uktv_sigv4_creds *creds, const struct uktv_sigv4_request *req,
    int presign)
{
	struct parts p;
	char *s;

	if (!usable(cfg, creds, req) || build(cfg, creds, req, presign, &p) == -1)
		return NULL;
	s = p.canonical;
	p.canonical = NULL;
	parts_free(&p);
	return s;
}

/* ---- string to sign and signature ---------------------------------------- */

static char *
make_string_to_sign(const char *amz_date, const char *scope,
    const char *canonical)
{
	char hex[SHA256_HEX_LEN + 1];
	struct uktv_strbuf b = { 0 };

	if (sha256_hex(canonical, strlen(canonical), hex) == -1)
		return NULL;
	uktv_strbuf_add(&b, ALGORITHM "\n");
	uktv_strbuf_add(&b, amz_date);
	uktv_strbuf_addc(&b, '\n');
	uktv_strbuf_add(&b, scope);
	uktv_strbuf_addc(&b, '\n');
	uktv_strbuf_add(&b, hex);
	return uktv_strbuf_take(&b);
}

char *
uktv_sigv4_string_to_sign(const struct uktv_sigv4_config *cfg,
    const char *canonical_request)
{
	char amz[AMZ_DATE_LEN + 1], date[DATE_LEN + 1];
	char *scope, *sts;

	if (cfg == NULL || cfg->region == NULL || cfg->service == NULL ||
	    canonical_request == NULL ||
	    format_dates(cfg->now, amz, date) == -1 ||
	    (scope = make_scope(date, cfg)) == NULL)
		return NULL;
	sts = make_string_to_sign(amz, scope, canonical_request);
	free(scope);
	return sts;
}

static int
signature(struct uktv_sigv4_signer *signer, const struct uktv_sigv4_config *cfg,
    const struct uktv_sigv4_creds *creds, const struct parts *p,
    char out[SHA256_HEX_LEN + 1])
{
	unsigned char key[SHA256_LEN], mac[SHA256_LEN];
	char *sts;
	int rc = -1;

	if ((sts = make_string_to_sign(p->amz_date, p->scope,
	    p->canonical)) == NULL)
		return -1;
	if (signing_key(signer, p->date, cfg->region, cfg->service, creds,
	    key) == 0 &&
	    hmac_sha256(key, sizeof(key), sts, strlen(sts), mac) == 0) {
		hex_encode(mac, sizeof(mac), out);
		rc = 0;
	}
	explicit_bzero(key, sizeof(key));
	free(sts);
	return rc;
}

/* The checks both signing calls make before building anything. */
static int
check_request(const struct uktv_sigv4_config *cfg,
    const struct uktv_sigv4_creds *creds, const struct uktv_sigv4_request *req,
    struct uktv_error *err)
{
	size_t i;

	if (cfg == NULL || creds == NULL || req == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL,
		    "sigv4: missing config, credentials or request");
	if (cfg->region == NULL || cfg->region[0] == '\0')
		return uktv_error_set(err, UKTV_ERR_CONFIG, "sigv4: no region");
	if (cfg->service == NULL || cfg->service[0] == '\0')
		return uktv_error_set(err, UKTV_ERR_INTERNAL,
		    "sigv4: no signing name");
	if (creds->access_key_id == NULL || creds->access_key_id[0] == '\0' ||
	    creds->secret_access_key == NULL ||
	    creds->secret_access_key[0] == '\0')
		return uktv_error_set(err, UKTV_ERR_CONFIG,
		    "sigv4: no credentials");
	if (!usable(cfg, creds, req) || req->method[0] == '\0')
		return uktv_error_set(err, UKTV_ERR_INTERNAL,
		    "sigv4: request without method or with a nameless header");
	for (i = 0; i < req->nheaders; i++)
		if (strcasecmp(req->headers[i].name, "host") == 0)
			return 0;
	return uktv_error_set(err, UKTV_ERR_INTERNAL,
	    "sigv4: request has no Host header");
}

/* ---- header signing ------------------------------------------------------ */

void
uktv_sigv4_headers_free(struct uktv_header *h, size_t n)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(h[i].name);
		/* One of them is the session token. */
		if (h[i].value != NULL)
			explicit_bzero(h[i].value, strlen(h[i].value));
		free(h[i].value);
	}
	free(h);
}

static int
set_header(struct uktv_header *h, size_t *n, const char *name,
    const char *value)
{
	h[*n].name = strdup(name);
	h[*n].value = strdup(value);
	(*n)++;
	return h[*n - 1].name && h[*n - 1].value ? 0 : -1;
}

int
uktv_sigv4_sign_headers(struct uktv_sigv4_signer *signer,
    const struct uktv_sigv4_config *cfg, const struct uktv_sigv4_creds *creds,
    const struct uktv_sigv4_request *req,
    struct uktv_header **out, size_t *nout, struct uktv_error *err)
{
	char sig[SHA256_HEX_LEN + 1];
	const char *token;
	struct uktv_header *h;
	struct uktv_strbuf auth = { 0 };
	struct parts p;
	char *authz;
	size_t n = 0;
	int rc;

	if (out == NULL || nout == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL,
		    "sigv4: no place for the signed headers");
	*out = NULL;
	*nout = 0;
	if (check_request(cfg, creds, req, err) == -1)
		return -1;
	if (build(cfg, creds, req, 0, &p) == -1)
		return uktv_error_set(err, UKTV_ERR_INTERNAL,
		    "sigv4: cannot build the canonical request "
		    "(out of memory or time out of range)");
	if (signature(signer, cfg, creds, &p, sig) == -1) {
		parts_free(&p);
		return uktv_error_set(err, UKTV_ERR_INTERNAL,
		    "sigv4: cannot compute the signature");
	}
	uktv_strbuf_add(&auth, ALGORITHM " Credential=");
	uktv_strbuf_add(&auth, creds->access_key_id);
	uktv_strbuf_addc(&auth, '/');
	uktv_strbuf_add(&auth, p.scope);
	uktv_strbuf_add(&auth, ", SignedHeaders=");
	uktv_strbuf_add(&auth, p.signed_headers);
	uktv_strbuf_add(&auth, ", Signature=");
	uktv_strbuf_add(&auth, sig);
	authz = uktv_strbuf_take(&auth);

	token = session_token(creds);
	if (authz == NULL || (h = calloc(4, sizeof(*h))) == NULL) {
		free(authz);
		parts_free(&p);
		return uktv_error_set(err, UKTV_ERR_INTERNAL,
		    "sigv4: out of memory");
	}
	rc = set_header(h, &n, "X-Amz-Date", p.amz_date);
	if (rc == 0 && cfg->sign_body)
		rc = set_header(h, &n, "x-amz-content-sha256", p.payload_hash);
	if (rc == 0 && token != NULL)
		rc = set_header(h, &n, "X-Amz-Security-Token", token);
	if (rc == 0)
		rc = set_header(h, &n, "Authorization", authz);
	free(authz);
	parts_free(&p);
	if (rc == -1) {
		uktv_sigv4_headers_free(h, n);
		return uktv_error_set(err, UKTV_ERR_INTERNAL,
		    "sigv4: out of memory");
	}
	*out = h;
	*nout = n;
	return 0;
}

/* ---- presigned URLs ------------------------------------------------------ */

char *
uktv_sigv4_presign_query(struct uktv_sigv4_signer *signer,
    const struct uktv_sigv4_config *cfg, const struct uktv_sigv4_creds *creds,
    const struct uktv_sigv4_request *req, struct uktv_error *err)
{
	char sig[SHA256_HEX_LEN + 1], expires[32];
	const char *token;
	struct uktv_strbuf b = { 0 };
	struct parts p;
	char *s;

	if (check_request(cfg, creds, req, err) == -1)
		return NULL;
	if (cfg->expires < 1 || cfg->expires > UKTV_SIGV4_MAX_EXPIRES) {
		uktv_error_set(err, UKTV_ERR_USAGE,
		    "sigv4: presigned URL lifetime %ld s is not within 1..%ld",
		    cfg->expires, (long)UKTV_SIGV4_MAX_EXPIRES);
		return NULL;
	}
	if (build(cfg, creds, req, 1, &p) == -1) {
		uktv_error_set(err, UKTV_ERR_INTERNAL,
		    "sigv4: cannot build the canonical request "
		    "(out of memory or time out of range)");
		return NULL;
	}
	if (signature(signer, cfg, creds, &p, sig) == -1) {
		parts_free(&p);
		uktv_error_set(err, UKTV_ERR_INTERNAL,
		    "sigv4: cannot compute the signature");
		return NULL;
	}
	/*
	 * The request's own parameters go out exactly as given; the signing
	 * parameters follow in the order aws-c-auth writes them (order does not
	 * matter to AWS, but it makes the suite's signed requests comparable).
	 */
	if (req->query != NULL && req->query[0] != '\0') {
		uktv_strbuf_add(&b, req->query);
		uktv_strbuf_addc(&b, '&');
	}
	snprintf(expires, sizeof(expires), "%ld", cfg->expires);
	uktv_strbuf_add(&b, "X-Amz-Algorithm=" ALGORITHM "&X-Amz-Credential=");
	buf_encode(&b, creds->access_key_id, strlen(creds->access_key_id), 0);
	uktv_strbuf_add(&b, "%2F");
	buf_encode(&b, p.scope, strlen(p.scope), 0);
	uktv_strbuf_add(&b, "&X-Amz-Date=");
	uktv_strbuf_add(&b, p.amz_date);
	uktv_strbuf_add(&b, "&X-Amz-SignedHeaders=");
	buf_encode(&b, p.signed_headers, strlen(p.signed_headers), 0);
	uktv_strbuf_add(&b, "&X-Amz-Expires=");
	uktv_strbuf_add(&b, expires);
	token = session_token(creds);
	if (token != NULL) {
		uktv_strbuf_add(&b, "&X-Amz-Security-Token=");
		buf_encode(&b, token, strlen(token), 0);
	}
	uktv_strbuf_add(&b, "&X-Amz-Signature=");
	uktv_strbuf_add(&b, sig);
	parts_free(&p);
	if ((s = uktv_strbuf_take(&b)) == NULL)
		uktv_error_set(err, UKTV_ERR_INTERNAL, "sigv4: out of memory");
	return s;
}
