/*
 * sigv4-suite: runs a SigV4 test-vector folder in the aws-c-auth layout
 * against libuktv's signer.
 *
 *	sigv4-suite DIR
 *
 * Each folder in DIR with a context.json is a case: request.txt is signed
 * with the context's credentials, region, service and time, and every
 * expected file the folder has (header-* for Authorization-header signing,
 * query-* for presigned URLs: canonical request, string to sign, signature,
 * signed request) must match byte for byte, but for one trailing newline
 * (the smithy-rs vectors end in one, the aws-c-auth ones do not).  A folder
 * without context.json is not a case: it is listed as ignored.
 *
 * Prints one line per failing case naming the files that differ, each with
 * its first differing line, then "N passed, M failed"; exits 0 only when
 * no case failed (and at least one ran).
 */
#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>

#include "private/sigv4.h"

struct text {
	char	*s;
	size_t	 len;
};

struct request {
	char			*method;
	char			*path;
	char			*query;		/* NULL: no '?' in the target */
	struct uktv_header	*h;		/* values raw, continuation lines kept */
	size_t			 nh;
	char			*body;
	size_t			 body_len;
};

struct context {
	json_object		*root;		/* owns the strings below */
	struct uktv_sigv4_creds	 creds;
	struct uktv_sigv4_config cfg;
};

static void
usage(void)
{
	fprintf(stderr, "usage: sigv4-suite DIR\n");
	exit(2);
}

/* out = dir/name; a path that does not fit is fatal, never cut short. */
static void
path_join(char out[PATH_MAX], const char *dir, const char *name)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", dir, name);

	if (n < 0 || n >= PATH_MAX)
		errx(1, "%s/%s: path too long", dir, name);
}

/* 0: read; -1: the file does not exist.  Other errors are fatal. */
static int
read_text(const char *dir, const char *name, struct text *t)
{
	char path[PATH_MAX];
	FILE *f;
	char buf[8192];
	size_t n;
	FILE *mem;

	path_join(path, dir, name);
	if ((f = fopen(path, "rb")) == NULL) {
		if (errno == ENOENT)
			return -1;
		err(1, "%s", path);
	}
	if ((mem = open_memstream(&t->s, &t->len)) == NULL)
		err(1, "open_memstream");
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, mem);
	if (ferror(f))
		err(1, "%s", path);
	fclose(f);
	if (fclose(mem) != 0)
		err(1, "open_memstream");
	return 0;
}

static char *
xstrndup(const char *s, size_t n)
{
	char *d;

	if ((d = strndup(s, n)) == NULL)
		err(1, NULL);
	return d;
}

static void
request_free(struct request *r)
{
	size_t i;

	free(r->method);
	free(r->path);
	free(r->query);
	for (i = 0; i < r->nh; i++) {
		free(r->h[i].name);
		free(r->h[i].value);
	}
	free(r->h);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/*
 * request.txt: "METHOD TARGET HTTP/1.1", header lines "Name:value" (a line
 * starting with white space continues the previous value, kept with its line
 * break), a blank line, the body.  The target may hold spaces ("GET /example
 * space/ HTTP/1.1"), so the protocol is cut from the end; smithy-rs writes
 * signed requests without it.
 */
static int
parse_request(const struct text *t, struct request *r, const char **why)
{
	const char *s = t->s, *end = t->s + t->len, *line, *eol, *sp, *q, *colon;
	struct uktv_header *h;
	size_t n, tlen;
	char *v;

	memset(r, 0, sizeof(*r));
	eol = memchr(s, '\n', t->len);
	if (eol == NULL)
		eol = end;
	n = (size_t)(eol - s);
	if (n > 0 && s[n - 1] == '\r')
		n--;
	if ((sp = memchr(s, ' ', n)) == NULL) {
		*why = "no request line";
		return -1;
	}
	r->method = xstrndup(s, (size_t)(sp - s));
	tlen = n - (size_t)(sp + 1 - s);
	if (tlen >= 9 && memcmp(sp + 1 + tlen - 9, " HTTP/1.1", 9) == 0)
		tlen -= 9;
	if ((q = memchr(sp + 1, '?', tlen)) != NULL) {
		r->path = xstrndup(sp + 1, (size_t)(q - sp - 1));
		r->query = xstrndup(q + 1, tlen - (size_t)(q - sp));
	} else
		r->path = xstrndup(sp + 1, tlen);

	for (line = eol < end ? eol + 1 : end; line < end; line = eol + 1) {
		if ((eol = memchr(line, '\n', (size_t)(end - line))) == NULL)
			eol = end;
		n = (size_t)(eol - line);
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n == 0) {
			line = eol < end ? eol + 1 : end;
			r->body_len = (size_t)(end - line);
			r->body = xstrndup(line, r->body_len);
			return 0;
		}
		if (line[0] == ' ' || line[0] == '\t') {
			if (r->nh == 0) {
				*why = "continuation line before any header";
				return -1;
			}
			if (asprintf(&v, "%s\n%.*s", r->h[r->nh - 1].value,
			    (int)n, line) == -1)
				err(1, NULL);
			free(r->h[r->nh - 1].value);
			r->h[r->nh - 1].value = v;
		} else {
			if ((colon = memchr(line, ':', n)) == NULL) {
				*why = "header line without ':'";
				return -1;
			}
			h = reallocarray(r->h, r->nh + 1, sizeof(*h));
			if (h == NULL)
				err(1, NULL);
			r->h = h;
			h[r->nh].name = xstrndup(line, (size_t)(colon - line));
			h[r->nh].value = xstrndup(colon + 1,
			    n - (size_t)(colon + 1 - line));
			r->nh++;
		}
		if (eol == end)
			break;
	}
	r->body = xstrndup("", 0);
	return 0;
}

static const char *
json_str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int
json_flag(json_object *o, const char *key, int dflt)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return dflt;
	return json_object_get_boolean(v);
}

static int
load_context(const char *dir, struct context *c, const char **why)
{
	char path[PATH_MAX];
	json_object *creds, *v;
	const char *ts;
	struct tm tm;
	char *rest;

	memset(c, 0, sizeof(*c));
	path_join(path, dir, "context.json");
	if ((c->root = json_object_from_file(path)) == NULL) {
		*why = "context.json is not valid JSON";
		return -1;
	}
	if (!json_object_object_get_ex(c->root, "credentials", &creds)) {
		*why = "context.json has no credentials";
		return -1;
	}
	c->creds.access_key_id = json_str(creds, "access_key_id");
	c->creds.secret_access_key = json_str(creds, "secret_access_key");
	c->creds.session_token = json_str(creds, "token");
	c->cfg.region = json_str(c->root, "region");
	c->cfg.service = json_str(c->root, "service");
	ts = json_str(c->root, "timestamp");
	if (c->creds.access_key_id == NULL ||
	    c->creds.secret_access_key == NULL || c->cfg.region == NULL ||
	    c->cfg.service == NULL || ts == NULL) {
		*why = "context.json lacks a key id, secret, region, service "
		    "or timestamp";
		return -1;
	}
	memset(&tm, 0, sizeof(tm));
	rest = strptime(ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (rest == NULL || *rest != '\0') {
		*why = "context.json timestamp is not YYYY-MM-DDTHH:MM:SSZ";
		return -1;
	}
	c->cfg.now = timegm(&tm);
	c->cfg.normalize_path = json_flag(c->root, "normalize", 1);
	/* The aws-c-auth harness always signs with use_double_uri_encode. */
	c->cfg.double_encode = 1;
	c->cfg.sign_body = json_flag(c->root, "sign_body", 0);
	c->cfg.omit_session_token = json_flag(c->root, "omit_session_token", 0);
	c->cfg.expires = 3600;
	if (json_object_object_get_ex(c->root, "expiration_in_seconds", &v))
		c->cfg.expires = (long)json_object_get_int64(v);
	return 0;
}

/* ---- comparing ----------------------------------------------------------- */

static int
same_text(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen > 0 && a[alen - 1] == '\n')
		alen--;
	if (blen > 0 && b[blen - 1] == '\n')
		blen--;
	return alen == blen && memcmp(a, b, alen) == 0;
}

static const char *
trim(const char *s, size_t *len)
{
	size_t n = strlen(s);

	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	*len = n;
	return s;
}

/*
 * smithy-rs writes its signed requests without " HTTP/1.1" and with a space
 * after each header's colon; such a file is compared in a common form: the
 * request parsed and printed again the aws-c-auth way, header values without
 * surrounding blanks.  Names, order and body still have to match.  Caller
 * frees; NULL if the text is not a request.
 */
static char *
common_form(const char *s, size_t len)
{
	struct text t = { (char *)s, len };
	struct request r;
	const char *why, *v;
	char *out = NULL;
	size_t olen = 0, i, vlen;
	FILE *f;

	if (parse_request(&t, &r, &why) == -1) {
		request_free(&r);
		return NULL;
	}
	if ((f = open_memstream(&out, &olen)) == NULL)
		err(1, "open_memstream");
	fprintf(f, "%s %s%s%s HTTP/1.1\n", r.method, r.path,
	    r.query ? "?" : "", r.query ? r.query : "");
	for (i = 0; i < r.nh; i++) {
		v = trim(r.h[i].value, &vlen);
		fprintf(f, "%s:%.*s\n", r.h[i].name, (int)vlen, v);
	}
	fputc('\n', f);
	fwrite(r.body, 1, r.body_len, f);
	if (fclose(f) != 0)
		err(1, "open_memstream");
	request_free(&r);
	return out;
}

static int
http11_dialect(const struct text *t)
{
	const char *eol = memchr(t->s, '\n', t->len);
	size_t n = eol ? (size_t)(eol - t->s) : t->len;

	if (n > 0 && t->s[n - 1] == '\r')
		n--;
	return n >= 9 && memcmp(t->s + n - 9, " HTTP/1.1", 9) == 0;
}

/* Writes the first line where the two differ, shortened, to report. */
static void
first_difference(FILE *report, const char *file, const struct text *want,
    const char *got, size_t glen)
{
	const char *w = want->s, *we = want->s + want->len;
	const char *g = got, *ge = got + glen, *wn, *gn;
	int line = 1;
	size_t wl, gl;

	for (;; line++) {
		wn = memchr(w, '\n', (size_t)(we - w));
		gn = memchr(g, '\n', (size_t)(ge - g));
		wl = (size_t)((wn ? wn : we) - w);
		gl = (size_t)((gn ? gn : ge) - g);
		if (wl != gl || memcmp(w, g, wl) != 0 || wn == NULL ||
		    gn == NULL)
			break;
		w = wn + 1;
		g = gn + 1;
	}
	fprintf(report, "  %s line %d\n    want: %.*s%s\n    got:  %.*s%s\n",
	    file, line, (int)(wl > 160 ? 160 : wl), w, wl > 160 ? "..." : "",
	    (int)(gl > 160 ? 160 : gl), g, gl > 160 ? "..." : "");
}

struct verdict {
	int	 compared;
	int	 failed;
	FILE	*report;	/* the short diffs */
	char	 files[512];	/* names of the files that differed */
};

/* Compares got with the folder's file, if it has one. */
static void
expect(struct verdict *v, const char *dir, const char *file, const char *got,
    int request)
{
	struct text want = { 0 };
	char *wn = NULL, *gn = NULL;

	if (read_text(dir, file, &want) == -1)
		return;
	v->compared++;
	if (got == NULL)
		got = "(libuktv returned NULL)";
	else if (request && !http11_dialect(&want)) {
		wn = common_form(want.s, want.len);
		gn = common_form(got, strlen(got));
		if (wn != NULL && gn != NULL) {
			free(want.s);
			want.s = wn;
			want.len = strlen(wn);
			wn = NULL;
			got = gn;
		}
	}
	if (!same_text(want.s, want.len, got, strlen(got))) {
		v->failed++;
		if (v->files[0] != '\0')
			strlcat(v->files, ", ", sizeof(v->files));
		strlcat(v->files, file, sizeof(v->files));
		first_difference(v->report, file, &want, got, strlen(got));
	}
	free(want.s);
	free(wn);
	free(gn);
}

/* ---- rendering signed requests ------------------------------------------- */

/* Where aws-c-auth puts the headers the signer adds, after the request's own. */
static int
added_rank(const char *name)
{
	static const char *order[] = { "x-amz-security-token", "x-amz-date",
	    "x-amz-content-sha256", "authorization" };
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (strcasecmp(name, order[i]) == 0)
			return (int)i;
	return (int)i;
}

/*
 * The request as aws-c-auth prints it: the wire target (query replaced when
 * presigning), the request's own headers as given, but for any the signer
 * replaced, then the added ones, a blank line and the body.
 */
static char *
render(const struct request *r, const char *query,
    const struct uktv_header *added, size_t nadded)
{
	char *s = NULL;
	size_t len = 0, i, j;
	int rank, replaced;
	FILE *f;

	if ((f = open_memstream(&s, &len)) == NULL)
		err(1, "open_memstream");
	fprintf(f, "%s %s%s%s HTTP/1.1\n", r->method, r->path,
	    query ? "?" : "", query ? query : "");
	for (i = 0; i < r->nh; i++) {
		for (replaced = 0, j = 0; j < nadded; j++)
			if (strcasecmp(r->h[i].name, added[j].name) == 0)
				replaced = 1;
		if (!replaced)
			fprintf(f, "%s:%s\n", r->h[i].name, r->h[i].value);
	}
	for (rank = 0; rank <= 4; rank++)
		for (j = 0; j < nadded; j++)
			if (added_rank(added[j].name) == rank)
				fprintf(f, "%s:%s\n", added[j].name,
				    added[j].value);
	fputc('\n', f);
	fwrite(r->body, 1, r->body_len, f);
	if (fclose(f) != 0)
		err(1, "open_memstream");
	return s;
}

static char *
signature_after(const char *s, const char *marker)
{
	const char *p;

	if (s == NULL || (p = strstr(s, marker)) == NULL)
		return NULL;
	p += strlen(marker);
	return xstrndup(p, strcspn(p, "&, "));
}

/* ---- one case ------------------------------------------------------------ */

static void
header_side(struct verdict *v, const char *dir, struct context *c,
    const struct request *r, const struct uktv_sigv4_request *req,
    struct uktv_sigv4_signer *signer)
{
	struct uktv_header *added = NULL;
	struct uktv_error e;
	size_t nadded = 0, i;
	char *cr, *sts, *sig = NULL, *signed_req = NULL;

	cr = uktv_sigv4_canonical_request(&c->cfg, &c->creds, req, 0);
	sts = cr ? uktv_sigv4_string_to_sign(&c->cfg, cr) : NULL;
	uktv_error_clear(&e);
	if (uktv_sigv4_sign_headers(signer, &c->cfg, &c->creds, req, &added,
	    &nadded, &e) == 0) {
		for (i = 0; i < nadded; i++)
			if (strcasecmp(added[i].name, "Authorization") == 0)
				sig = signature_after(added[i].value,
				    "Signature=");
		signed_req = render(r, r->query, added, nadded);
	} else
		fprintf(v->report, "  header signing failed: %s\n", e.message);
	expect(v, dir, "header-canonical-request.txt", cr, 0);
	expect(v, dir, "header-string-to-sign.txt", sts, 0);
	expect(v, dir, "header-signature.txt", sig, 0);
	expect(v, dir, "header-signed-request.txt", signed_req, 1);
	uktv_sigv4_headers_free(added, nadded);
	free(cr);
	free(sts);
	free(sig);
	free(signed_req);
}

static void
query_side(struct verdict *v, const char *dir, struct context *c,
    const struct request *r, const struct uktv_sigv4_request *req,
    struct uktv_sigv4_signer *signer)
{
	struct uktv_error e;
	char *cr, *sts, *q, *sig = NULL, *signed_req = NULL;

	cr = uktv_sigv4_canonical_request(&c->cfg, &c->creds, req, 1);
	sts = cr ? uktv_sigv4_string_to_sign(&c->cfg, cr) : NULL;
	uktv_error_clear(&e);
	if ((q = uktv_sigv4_presign_query(signer, &c->cfg, &c->creds, req,
	    &e)) != NULL) {
		sig = signature_after(q, "X-Amz-Signature=");
		signed_req = render(r, q, NULL, 0);
	} else
		fprintf(v->report, "  presigning failed: %s\n", e.message);
	expect(v, dir, "query-canonical-request.txt", cr, 0);
	expect(v, dir, "query-string-to-sign.txt", sts, 0);
	expect(v, dir, "query-signature.txt", sig, 0);
	expect(v, dir, "query-signed-request.txt", signed_req, 1);
	free(cr);
	free(sts);
	free(q);
	free(sig);
	free(signed_req);
}

/* 1: passed, 0: failed, -1: not a case. */
static int
run_case(const char *suite, const char *name, struct uktv_sigv4_signer *signer)
{
	char dir[PATH_MAX], ctx[PATH_MAX], *diffs = NULL;
	struct verdict v = { 0 };
	struct context c;
	struct request r = { 0 };
	struct uktv_sigv4_request req;
	struct text t = { 0 };
	struct stat st;
	const char *why = NULL;
	size_t dlen = 0;
	int passed;

	path_join(dir, suite, name);
	path_join(ctx, dir, "context.json");
	if (stat(ctx, &st) == -1) {
		printf("# ignored: %s (no context.json)\n", name);
		return -1;
	}

	if (load_context(dir, &c, &why) == -1) {
		printf("FAIL %s: %s\n", name, why);
		json_object_put(c.root);
		return 0;
	}
	if (read_text(dir, "request.txt", &t) == -1)
		why = "no request.txt";
	else if (parse_request(&t, &r, &why) == 0)
		why = NULL;
	free(t.s);
	if (why != NULL) {
		printf("FAIL %s: request.txt: %s\n", name, why);
		request_free(&r);
		json_object_put(c.root);
		return 0;
	}

	memset(&req, 0, sizeof(req));
	req.method = r.method;
	req.path = r.path;
	req.query = r.query;
	req.headers = r.h;
	req.nheaders = r.nh;
	req.body = r.body;
	req.body_len = r.body_len;

	if ((v.report = open_memstream(&diffs, &dlen)) == NULL)
		err(1, "open_memstream");
	header_side(&v, dir, &c, &r, &req, signer);
	query_side(&v, dir, &c, &r, &req, signer);
	fclose(v.report);

	passed = v.compared > 0 && v.failed == 0;
	if (v.compared == 0)
		printf("FAIL %s: no expected files\n", name);
	else if (!passed)
		printf("FAIL %s: %s differ%s\n%s", name, v.files,
		    v.failed == 1 ? "s" : "", diffs);
	free(diffs);
	request_free(&r);
	json_object_put(c.root);
	return passed;
}

static int
is_dir(const char *suite, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	path_join(path, suite, name);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int
main(int argc, char *argv[])
{
	struct uktv_sigv4_signer *signer;
	struct dirent **names;
	int i, n, rc, passed = 0, failed = 0;

	if (argc != 2)
		usage();
	if ((n = scandir(argv[1], &names, NULL, alphasort)) == -1)
		err(1, "%s", argv[1]);
	/* One signer for the whole run: cached keys must not leak across scopes. */
	if ((signer = uktv_sigv4_signer_new()) == NULL)
		err(1, NULL);
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.' &&
		    is_dir(argv[1], names[i]->d_name)) {
			rc = run_case(argv[1], names[i]->d_name, signer);
			if (rc == 1)
				passed++;
			else if (rc == 0)
				failed++;
		}
		free(names[i]);
	}
	free(names);
	uktv_sigv4_signer_free(signer);
	printf("%d passed, %d failed\n", passed, failed);
	if (passed + failed == 0) {
		warnx("no cases in %s", argv[1]);
		return 1;
	}
	return failed == 0 ? 0 : 1;
}
