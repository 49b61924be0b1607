/*
 * s3.c: see s3.h.  PutObject, ListObjectsV2 and DeleteObject over
 * uktv_aws_send with S3's signing rules, a small XML reader for the listing,
 * and the sync of a set of files to a key prefix.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "parse.h"
#include "base64.h"
#include "private/s3.h"
#include "xml.h"
#include "strbuf.h"

struct uktv_s3 {
	struct uktv_aws			*aws;
	char				*bucket;
	int				 path_style;
	int				 max_keys;
	/* A virtual-hosted bucket is addressed as its own service: the
	 * default endpoint https://<host_prefix>.<region>.amazonaws.com is
	 * then the bucket's host. */
	char				*vhost_prefix;
	struct uktv_aws_service		 vsvc;
	const struct uktv_aws_service	*svc;
};

/* ---- objects ---- */

void
uktv_s3_objects_init(struct uktv_s3_objects *o)
{
	memset(o, 0, sizeof(*o));
}

void
uktv_s3_objects_free(struct uktv_s3_objects *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->v[i].key);
		free(o->v[i].etag);
	}
	free(o->v);
	memset(o, 0, sizeof(*o));
}

/* Takes over key and etag (freeing them on failure). */
static int
objects_add(struct uktv_s3_objects *o, char *key, char *etag, long long size)
{
	struct uktv_s3_object *v;
	size_t cap;

	if (o->n == o->cap) {
		cap = o->cap ? o->cap * 2 : 64;
		if ((v = reallocarray(o->v, cap, sizeof(*v))) == NULL) {
			free(key);
			free(etag);
			return -1;
		}
		o->v = v;
		o->cap = cap;
	}
	o->v[o->n].key = key;
	o->v[o->n].etag = etag;
	o->v[o->n].size = size;
	o->n++;
	return 0;
}

/* ---- names, URLs, keys ---- */

int
uktv_s3_bucket_valid(const char *s)
{
	size_t n = strlen(s), i;
	int dots = 0, digits_only = 1;

	if (n < 3 || n > UKTV_S3_BUCKET_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '-'))
			return 0;
		if (c == '.') {
			dots++;
			if (i > 0 && s[i - 1] == '.')
				return 0;
		} else if (!(c >= '0' && c <= '9'))
			digits_only = 0;
	}
	if (!isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
		return 0;
	/* "Bucket names must not be formatted as an IP address." */
	if (dots == 3 && digits_only)
		return 0;
	return 1;
}

static void
say(char *why, size_t whylen, const char *msg)
{
	if (why != NULL && whylen > 0)
		snprintf(why, whylen, "%s", msg);
}

/* 1 if every '/'-separated segment of s[0, n) is non-empty and not "." or "..". */
static int
segments_ok(const char *s, size_t n)
{
	size_t i = 0, j;

	while (i <= n) {
		for (j = i; j < n && s[j] != '/'; j++)
			continue;
		if (j == i || (j - i == 1 && s[i] == '.') ||
		    (j - i == 2 && s[i] == '.' && s[i + 1] == '.'))
			return 0;
		i = j + 1;
	}
	return 1;
}

int
uktv_s3_url_parse(const char *url, char **bucket, char **prefix, char *why,
    size_t whylen)
{
	const char *b, *slash;
	size_t blen, plen;
	char *bk = NULL, *pf = NULL;

	*bucket = *prefix = NULL;
	if (strncmp(url, "s3://", 5) != 0) {
		say(why, whylen, "not an s3://BUCKET/PREFIX URL");
		return -1;
	}
	b = url + 5;
	slash = strchr(b, '/');
	blen = slash ? (size_t)(slash - b) : strlen(b);
	if ((bk = strndup(b, blen)) == NULL) {
		say(why, whylen, "out of memory");
		return -1;
	}
	if (!uktv_s3_bucket_valid(bk)) {
		say(why, whylen, "not a valid bucket name (3-63 characters of "
		    "a-z 0-9 . -)");
		free(bk);
		return -1;
	}
	plen = slash ? strlen(slash + 1) : 0;
	if (plen > 0 && slash[plen] == '/')
		plen--;		/* "s3://b/site/" is "s3://b/site" */
	if (plen > 0 && !segments_ok(slash + 1, plen)) {
		say(why, whylen, "the prefix has an empty, \".\" or \"..\" part");
		free(bk);
		return -1;
	}
	if (plen + 1 >= UKTV_S3_KEY_MAX) {
		say(why, whylen, "the prefix is too long");
		free(bk);
		return -1;
	}
	if (plen == 0)
		pf = strdup("");
	else if ((pf = malloc(plen + 2)) != NULL) {
		memcpy(pf, slash + 1, plen);
		pf[plen] = '/';
		pf[plen + 1] = '\0';
	}
	if (pf == NULL) {
		say(why, whylen, "out of memory");
		free(bk);
		return -1;
	}
	*bucket = bk;
	*prefix = pf;
	return 0;
}

/* 1 if no '/'-separated segment of key is "." or "..": HTTP clients and
 * servers remove those from a path, and the signed path would differ. */
static int
no_dot_segments(const char *key)
{
	const char *p = key, *q;
	size_t n;

	for (;;) {
		q = strchr(p, '/');
		n = q ? (size_t)(q - p) : strlen(p);
		if ((n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		if (q == NULL)
			return 1;
		p = q + 1;
	}
}

int
uktv_s3_key_valid(const char *key)
{
	size_t n = strlen(key);

	return n > 0 && n <= UKTV_S3_KEY_MAX && no_dot_segments(key);
}

char *
uktv_s3_key_encode(const char *key)
{
	static const char hex[] = "0123456789ABCDEF";
	struct uktv_strbuf b = { 0 };
	const unsigned char *p;

	uktv_strbuf_addn(&b, "", 0);
	for (p = (const unsigned char *)key; *p != '\0'; p++) {
		unsigned char c = *p;

		/* RFC 3986 unreserved, and '/' between segments: S3 signs the
		 * path as sent, encoded once (SigV4 for S3). */
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~' || c == '/')
			uktv_strbuf_addc(&b, (char)(c));
		else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };

			uktv_strbuf_addn(&b, e, 3);
		}
	}
	if (b.failed) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

/* ---- XML ---- */

/* Appends the decoded character data s[0, n) to b; -1 on a bad entity. */
static int
xml_text_add(struct uktv_strbuf *b, const char *s, size_t n)
{
	char *d;
	size_t len;

	if ((d = malloc(n + 1)) == NULL) {
		b->failed = 1;
		return 0;
	}
	if (uktv_xml_decode(s, n, d, &len) == -1) {
		free(d);
		return -1;
	}
	uktv_strbuf_addn(b, d, len);
	free(d);
	return 0;
}

/* Percent-decoding of a key listed with EncodingType url ('+' is a space,
 * as S3 encodes it).  In place: the result is never longer. */
static int
url_decode_inplace(char *s)
{
	char *o = s;
	int hi, lo;

	for (; *s != '\0'; s++) {
		if (*s == '+')
			*o++ = ' ';
		else if (*s == '%') {
			if ((hi = uktv_parse_hexdigit((unsigned char)s[1])) < 0 ||
			    (lo = uktv_parse_hexdigit((unsigned char)s[2])) < 0 ||
			    (hi == 0 && lo == 0))
				return -1;
			*o++ = (char)(hi << 4 | lo);
			s += 2;
		} else
			*o++ = *s;
	}
	*o = '\0';
	return 0;
}

int
uktv_s3_list_parse(const char *xml, size_t len, struct uktv_s3_objects *out,
    int *truncated, char **next_token, struct uktv_error *err)
{
	/* The elements read: where they are and what they hold. */
	enum { F_NONE, F_KEY, F_ETAG, F_SIZE, F_TRUNC, F_TOKEN, F_ENC } field;
	struct uktv_xml x;
	struct uktv_strbuf text = { 0 };
	char *key = NULL, *etag = NULL, *token = NULL, *endp;
	long long size = 0;
	size_t first = out->n, i;
	const char *open_name[UKTV_XML_MAX_DEPTH];	/* to match closing tags */
	size_t open_len[UKTV_XML_MAX_DEPTH];
	int depth = 0, in_contents = 0, have_root = 0, url_enc = 0;
	int trunc = 0;
	enum uktv_xml_tok t;
	const char *what = "not a ListObjectsV2 answer";

	*truncated = 0;
	*next_token = NULL;
	uktv_xml_init(&x, xml, len);
	field = F_NONE;
	while ((t = uktv_xml_next(&x)) != UKTV_XML_EOF) {
		switch (t) {
		case UKTV_XML_BAD:
			what = "malformed XML in the ListObjectsV2 answer";
			goto bad;
		case UKTV_XML_TEXT:
		case UKTV_XML_CDATA:
			if (depth == 0) {
				/* Only white space may surround the root. */
				for (i = 0; i < x.tlen; i++)
					if (!isspace((unsigned char)x.text[i]))
						goto bad;
				break;
			}
			if (field == F_NONE)
				break;
			if (t == UKTV_XML_CDATA)
				uktv_strbuf_addn(&text, x.text, x.tlen);
			else if (xml_text_add(&text, x.text, x.tlen) == -1) {
				what = "a bad XML entity in the ListObjectsV2 "
				    "answer";
				goto bad;
			}
			break;
		case UKTV_XML_OPEN:
		case UKTV_XML_EMPTY:
			if (depth == 0) {
				if (have_root || !uktv_xml_name_is(&x, "ListBucketResult"))
					goto bad;
				have_root = 1;
			}
			field = F_NONE;
			text.len = 0;
			uktv_strbuf_addn(&text, "", 0);
			if (depth == 1 && uktv_xml_name_is(&x, "Contents")) {
				in_contents = 1;
				free(key);
				free(etag);
				key = etag = NULL;
				size = 0;
			} else if (depth == 2 && in_contents) {
				if (uktv_xml_name_is(&x, "Key"))
					field = F_KEY;
				else if (uktv_xml_name_is(&x, "ETag"))
					field = F_ETAG;
				else if (uktv_xml_name_is(&x, "Size"))
					field = F_SIZE;
			} else if (depth == 1) {
				if (uktv_xml_name_is(&x, "IsTruncated"))
					field = F_TRUNC;
				else if (uktv_xml_name_is(&x, "NextContinuationToken"))
					field = F_TOKEN;
				else if (uktv_xml_name_is(&x, "EncodingType"))
					field = F_ENC;
			}
			if (t == UKTV_XML_OPEN) {
				if (depth == UKTV_XML_MAX_DEPTH)
					goto bad;
				open_name[depth] = x.name;
				open_len[depth] = x.nlen;
				depth++;
				break;
			}
			/* <Key/>: an empty element is an empty value. */
			/* FALLTHROUGH */
		case UKTV_XML_CLOSE:
			if (t == UKTV_XML_CLOSE) {
				if (depth == 0 || open_len[depth - 1] != x.nlen ||
				    memcmp(open_name[depth - 1], x.name, x.nlen) != 0) {
					what = "malformed XML in the ListObjectsV2 "
					    "answer";
					goto bad;
				}
				depth--;
			}
			if (text.failed)
				goto oom;
			switch (field) {
			case F_KEY:
				free(key);
				if ((key = strdup(text.s)) == NULL)
					goto oom;
				break;
			case F_ETAG: {
				const char *e = text.s;
				size_t n = text.len;

				/* The ETag is a quoted string. */
				if (n >= 2 && e[0] == '"' && e[n - 1] == '"') {
					e++;
					n -= 2;
				}
				free(etag);
				if ((etag = strndup(e, n)) == NULL)
					goto oom;
				break;
			}
			case F_SIZE:
				errno = 0;
				size = strtoll(text.s, &endp, 10);
				if (text.len == 0 || *endp != '\0' || errno != 0 ||
				    size < 0 || !isdigit((unsigned char)text.s[0])) {
					what = "a bad Size in the ListObjectsV2 "
					    "answer";
					goto bad;
				}
				break;
			case F_TRUNC:
				trunc = strcmp(text.s, "true") == 0;
				break;
			case F_TOKEN:
				free(token);
				if ((token = strdup(text.s)) == NULL)
					goto oom;
				break;
			case F_ENC:
				url_enc = strcmp(text.s, "url") == 0;
				break;
			case F_NONE:
				break;
			}
			field = F_NONE;
			if (t == UKTV_XML_CLOSE && depth == 1 && in_contents &&
			    uktv_xml_name_is(&x, "Contents")) {
				in_contents = 0;
				if (key == NULL) {
					what = "a Contents without a Key in the "
					    "ListObjectsV2 answer";
					goto bad;
				}
				if (objects_add(out, key, etag != NULL ? etag :
				    strdup(""), size) == -1) {
					key = etag = NULL;
					goto oom;
				}
				key = etag = NULL;
				if (out->v[out->n - 1].etag == NULL)
					goto oom;
			}
			break;
		case UKTV_XML_EOF:
			break;
		}
	}
	if (!have_root || depth != 0)
		goto bad;
	if (url_enc)
		for (i = first; i < out->n; i++)
			if (url_decode_inplace(out->v[i].key) == -1) {
				what = "a bad url-encoded Key in the "
				    "ListObjectsV2 answer";
				goto bad;
			}
	if (trunc && (token == NULL || *token == '\0')) {
		what = "a truncated ListObjectsV2 answer without "
		    "NextContinuationToken";
		goto bad;
	}
	free(text.s);
	free(key);
	free(etag);
	*truncated = trunc;
	*next_token = token;
	return 0;
oom:
	free(text.s);
	free(key);
	free(etag);
	free(token);
	return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
bad:
	free(text.s);
	free(key);
	free(etag);
	free(token);
	return uktv_error_set(err, UKTV_ERR_SERVICE, "%s", what);
}

/* ---- MD5, ETags, content types ---- */

void
uktv_s3_md5_hex(const void *body, size_t len, char hex[33])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	if (EVP_Digest(body, len, md, &mdlen, EVP_md5(), NULL) != 1 ||
	    mdlen != 16) {
		/* Never matches an ETag: the file is simply sent again. */
		memset(hex, '-', 32);
		hex[32] = '\0';
		return;
	}
	for (i = 0; i < 16; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[32] = '\0';
}

int
uktv_s3_etag_is(const char *etag, const char *md5hex)
{
	size_t n = strlen(etag);

	if (n >= 2 && etag[0] == '"' && etag[n - 1] == '"') {
		etag++;
		n -= 2;
	}
	/* A multipart or SSE-KMS ETag is not an MD5 and never matches. */
	return n == 32 && strlen(md5hex) == 32 &&
	    strncasecmp(etag, md5hex, 32) == 0;
}

static const char *
extension(const char *name)
{
	const char *slash = strrchr(name, '/'), *dot = strrchr(name, '.');

	if (dot == NULL || (slash != NULL && dot < slash))
		return "";
	return dot + 1;
}

static const struct {
	const char	*ext;
	const char	*type;
	int		 page;	/* changes with the data: short cache */
} types[] = {
	{ "html", "text/html; charset=utf-8", 1 },
	{ "htm", "text/html; charset=utf-8", 1 },
	{ "css", "text/css; charset=utf-8", 0 },
	{ "js", "text/javascript; charset=utf-8", 0 },
	{ "json", "application/json", 1 },
	{ "ndjson", "application/x-ndjson", 1 },
	{ "txt", "text/plain; charset=utf-8", 1 },
	{ "xml", "application/xml", 1 },
	{ "png", "image/png", 0 },
	{ "jpg", "image/jpeg", 0 },
	{ "jpeg", "image/jpeg", 0 },
	{ "gif", "image/gif", 0 },
	{ "svg", "image/svg+xml", 0 },
	{ "webp", "image/webp", 0 },
	{ "ico", "image/vnd.microsoft.icon", 0 },
};

const char *
uktv_s3_content_type(const char *name)
{
	const char *ext = extension(name);

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcasecmp(ext, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

const char *
uktv_s3_cache_control(const char *name)
{
	const char *ext = extension(name);

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcasecmp(ext, types[i].ext) == 0 && types[i].page)
			/* Pages follow the table, rewritten hourly by cron:
			 * a browser or CDN may keep them five minutes. */
			return "public, max-age=300";
	/* The stylesheet and images change only with a new uktv. */
	return "public, max-age=86400";
}

/* ---- the client ---- */

/* 1 if bucket can be a host label under TLS: *.s3.REGION.amazonaws.com's
 * certificate covers one label, so a name with dots cannot. */
static int
vhost_ok(const char *bucket)
{
	return strchr(bucket, '.') == NULL;
}

struct uktv_s3 *
uktv_s3_new(struct uktv_aws *aws, const char *bucket, struct uktv_error *err)
{
	struct uktv_s3 *s;
	const char *region, *mk;
	char *url = NULL, *want = NULL;
	long long n;

	if (!uktv_s3_bucket_valid(bucket)) {
		uktv_error_set(err, UKTV_ERR_USAGE, "'%.64s' is not a valid "
		    "bucket name", bucket);
		return NULL;
	}
	if ((region = uktv_aws_region(aws, err)) == NULL)
		return NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		goto oom;
	s->aws = aws;
	s->max_keys = UKTV_S3_LIST_MAX_KEYS;
	/* The environment is the configuration's to read. */
	if ((mk = uktv_awsconf_s3_max_keys(uktv_aws_conf(aws))) != NULL) {
		char *end;

		errno = 0;
		n = strtoll(mk, &end, 10);
		if (*end != '\0' || errno != 0 || n < 1 ||
		    n > UKTV_S3_LIST_MAX_KEYS) {
			uktv_error_set(err, UKTV_ERR_CONFIG, "%s must be a "
			    "number from 1 to %d", UKTV_S3_MAX_KEYS_ENV,
			    UKTV_S3_LIST_MAX_KEYS);
			uktv_s3_free(s);
			return NULL;
		}
		s->max_keys = (int)n;
	}
	if ((s->bucket = strdup(bucket)) == NULL)
		goto oom;
	s->svc = &uktv_svc_s3;
	s->path_style = 1;
	if (!vhost_ok(bucket))
		return s;
	if (asprintf(&s->vhost_prefix, "%s.s3", bucket) == -1) {
		s->vhost_prefix = NULL;
		goto oom;
	}
	s->vsvc = uktv_svc_s3;
	s->vsvc.host_prefix = s->vhost_prefix;
	/* No endpoint configured: the resolved URL is the default one built
	 * from host_prefix, and the bucket is addressed by host name. */
	if ((url = uktv_endpoints_url(uktv_aws_conf(aws), &s->vsvc, err)) == NULL) {
		uktv_s3_free(s);
		return NULL;
	}
	if (asprintf(&want, "https://%s.%s.amazonaws.com%s", s->vhost_prefix,
	    region, strncmp(region, "cn-", 3) == 0 ? ".cn" : "") == -1) {
		want = NULL;
		free(url);
		goto oom;
	}
	if (strcmp(url, want) == 0) {
		s->path_style = 0;
		s->svc = &s->vsvc;
	}
	free(url);
	free(want);
	return s;
oom:
	uktv_s3_free(s);
	uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	return NULL;
}

void
uktv_s3_free(struct uktv_s3 *s)
{
	if (s == NULL)
		return;
	free(s->bucket);
	free(s->vhost_prefix);
	free(s);
}

int
uktv_s3_path_style(const struct uktv_s3 *s)
{
	return s->path_style;
}

const char *
uktv_s3_bucket(const struct uktv_s3 *s)
{
	return s->bucket;
}

/* The wire path of key ("" for the bucket itself).  Caller frees. */
static char *
wire_path(const struct uktv_s3 *s, const char *key)
{
	char *enc, *path;

	if ((enc = uktv_s3_key_encode(key)) == NULL)
		return NULL;
	if (asprintf(&path, "/%s%s%s", s->path_style ? s->bucket : "",
	    s->path_style && *key != '\0' ? "/" : "", enc) == -1)
		path = NULL;
	free(enc);
	return path;
}

static int
check_key(const char *key, struct uktv_error *err)
{
	if (!uktv_s3_key_valid(key))
		return uktv_error_set(err, UKTV_ERR_USAGE, "'%.200s' is not an "
		    "S3 key uktv sends (1-%d bytes, no \".\" or \"..\" part)",
		    key, UKTV_S3_KEY_MAX);
	return 0;
}

static void
context(struct uktv_error *err, const char *op, const struct uktv_s3 *s,
    const char *key)
{
	uktv_error_prefix(err, "%s s3://%s/%.300s", op, s->bucket, key);
}

/* ListObjectsV2 of every key under prefix ("" for all), every page
 * (continuation tokens followed), appended to out in S3's order (UTF-8
 * binary order of keys). */
static int
list_all(struct uktv_s3 *s, const char *prefix, struct uktv_s3_objects *out,
    struct uktv_error *err)
{
	struct uktv_aws_request req;
	struct uktv_http_response resp;
	char *path = NULL, *query = NULL, *eprefix = NULL, *etoken = NULL;
	char *token = NULL;
	int truncated, rc = -1;

	if ((path = wire_path(s, "")) == NULL ||
	    (eprefix = uktv_http_urlencode(prefix)) == NULL)
		goto oom;
	do {
		free(query);
		free(etoken);
		etoken = NULL;
		if (token != NULL && (etoken = uktv_http_urlencode(token)) == NULL)
			goto oom;
		/* Parameters in SigV4's canonical order already. */
		if (asprintf(&query, "%s%s%slist-type=2&max-keys=%d&prefix=%s",
		    etoken ? "continuation-token=" : "", etoken ? etoken : "",
		    etoken ? "&" : "", s->max_keys, eprefix) == -1) {
			query = NULL;
			goto oom;
		}
		memset(&req, 0, sizeof(req));
		req.svc = s->svc;
		req.method = "GET";
		req.path = path;
		req.query = query;
		req.s3 = 1;
		if (uktv_aws_send(s->aws, &req, &resp, err) == -1) {
			context(err, "list", s, prefix);
			goto out;
		}
		free(token);
		token = NULL;
		if (uktv_s3_list_parse(resp.body, resp.body_len, out, &truncated,
		    &token, err) == -1) {
			uktv_http_response_free(&resp);
			context(err, "list", s, prefix);
			goto out;
		}
		uktv_http_response_free(&resp);
	} while (truncated);
	rc = 0;
	goto out;
oom:
	uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
out:
	free(path);
	free(query);
	free(eprefix);
	free(etoken);
	free(token);
	return rc;
}

/*
 * PutObject of body with Content-Type, Cache-Control (either may be NULL:
 * not sent) and Content-MD5 (S3 refuses a body damaged on the way).  The
 * ETag S3 answers is checked against the body's MD5.
 */
static int
put_object(struct uktv_s3 *s, const char *key, const void *body, size_t len,
    const char *content_type, const char *cache_control, struct uktv_error *err)
{
	struct uktv_aws_request req;
	struct uktv_http_response resp;
	struct uktv_header h[3];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char md5b64[UKTV_BASE64_ENCODED_LEN(16) + 1];
	char *path;
	size_t nh = 0;
	int rc;

	if (check_key(key, err) == -1)
		return -1;
	if ((path = wire_path(s, key)) == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	if (content_type != NULL) {
		h[nh].name = "Content-Type";
		h[nh++].value = (char *)content_type;
	}
	if (cache_control != NULL) {
		h[nh].name = "Cache-Control";
		h[nh++].value = (char *)cache_control;
	}
	/* Content-MD5 (RFC 1864): S3 refuses a body that arrives damaged. */
	if (EVP_Digest(body, len, md, &mdlen, EVP_md5(), NULL) == 1 &&
	    mdlen == 16) {
		md5b64[uktv_base64_encode(md, 16, md5b64)] = '\0';
		h[nh].name = "Content-MD5";
		h[nh++].value = md5b64;
	}
	memset(&req, 0, sizeof(req));
	req.svc = s->svc;
	req.method = "PUT";
	req.path = path;
	req.headers = h;
	req.nheaders = nh;
	req.body = body;
	req.body_len = len;
	req.s3 = 1;
	rc = uktv_aws_send(s->aws, &req, &resp, err);
	if (rc == 0)
		uktv_http_response_free(&resp);
	else
		context(err, "put", s, key);
	free(path);
	return rc;
}

/* DeleteObject; deleting a key that is not there is not an error (S3
 * answers 204 either way). */
static int
delete_object(struct uktv_s3 *s, const char *key, struct uktv_error *err)
{
	struct uktv_aws_request req;
	struct uktv_http_response resp;
	char *path;
	int rc;

	if (check_key(key, err) == -1)
		return -1;
	if ((path = wire_path(s, key)) == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	memset(&req, 0, sizeof(req));
	req.svc = s->svc;
	req.method = "DELETE";
	req.path = path;
	req.s3 = 1;
	rc = uktv_aws_send(s->aws, &req, &resp, err);
	if (rc == 0)
		uktv_http_response_free(&resp);
	else
		context(err, "delete", s, key);
	free(path);
	return rc;
}

/* ---- sync ---- */

static int
object_cmp(const void *a, const void *b)
{
	return strcmp(((const struct uktv_s3_object *)a)->key,
	    ((const struct uktv_s3_object *)b)->key);
}

int
uktv_s3_sync(struct uktv_s3 *s, const char *prefix,
    const struct uktv_s3_file *files, size_t nfiles, uktv_s3_sync_fn fn,
    void *arg, struct uktv_s3_sync_stats *stats, struct uktv_error *err)
{
	struct uktv_s3_objects listed;
	struct uktv_s3_object probe, *found;
	struct uktv_s3_sync_stats st;
	unsigned char *keep = NULL;
	char md5[33], *key = NULL;
	size_t i;
	int rc = -1;

	memset(&st, 0, sizeof(st));
	uktv_s3_objects_init(&listed);
	if (list_all(s, prefix, &listed, err) == -1)
		goto out;
	st.listed = (long)listed.n;
	/* S3 lists in UTF-8 binary order, which is strcmp's; sorted again so
	 * that the lookup does not depend on it. */
	if (listed.n > 0)
		uktv_qsort(listed.v, listed.n, sizeof(listed.v[0]), object_cmp);
	if ((keep = calloc(listed.n + 1, 1)) == NULL)
		goto oom;
	for (i = 0; i < nfiles; i++) {
		const struct uktv_s3_file *f = &files[i];

		free(key);
		if (asprintf(&key, "%s%s", prefix, f->name) == -1) {
			key = NULL;
			goto oom;
		}
		probe.key = key;
		found = listed.n == 0 ? NULL : uktv_bsearch(&probe, listed.v,
		    listed.n, sizeof(listed.v[0]), object_cmp);
		if (found != NULL)
			keep[found - listed.v] = 1;
		uktv_s3_md5_hex(f->body, f->len, md5);
		if (found != NULL && uktv_s3_etag_is(found->etag, md5)) {
			st.unchanged++;
			continue;
		}
		if (put_object(s, key, f->body, f->len,
		    f->content_type ? f->content_type : uktv_s3_content_type(f->name),
		    f->cache_control ? f->cache_control :
		    uktv_s3_cache_control(f->name), err) == -1)
			goto out;
		st.uploaded++;
		if (fn != NULL)
			fn(UKTV_S3_UPLOADED, key, arg);
	}
	/* Deleted last: a page that goes away is no longer linked from the
	 * pages just sent. */
	for (i = 0; i < listed.n; i++) {
		if (keep[i])
			continue;
		if (delete_object(s, listed.v[i].key, err) == -1)
			goto out;
		st.deleted++;
		if (fn != NULL)
			fn(UKTV_S3_DELETED, listed.v[i].key, arg);
	}
	rc = 0;
	goto out;
oom:
	uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
out:
	if (stats != NULL)
		*stats = st;
	free(key);
	free(keep);
	uktv_s3_objects_free(&listed);
	return rc;
}
