/*
 * fuzz_sigv4.c: SigV4 canonicalisation (lib/sigv4.c) on any path, query and
 * headers a request may carry.
 *
 * Input: one byte of settings, then the wire path, "\n", the wire query,
 * "\n", then header lines "name:value" (one per line).
 *
 * Checks, beyond "no crash, no leak":
 *   - path normalisation is idempotent: normalising a normalised path gives
 *     it back, and it starts with "/" and holds no "//", "/./" or "/../";
 *   - header canonicalisation is idempotent: the canonical headers block
 *     read back as headers canonicalises to itself (names lower-cased,
 *     values trimmed and folded, duplicates comma-joined in order);
 *   - the canonical query string read back as a wire query canonicalises
 *     to itself;
 *   - URI encoding is NOT checked for idempotence (SigV4 encodes the wire
 *     path a second time on purpose): it is checked against the vectors
 *     below at start-up, and against the whole aws-c-auth suite by
 *     `make sigv4-suite`;
 *   - a double-encoded URI holds only unreserved characters, "/" and
 *     upper-case %XX; signing headers and presigning always give an answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "private/sigv4.h"
#include "fuzz.h"

#define MAXH	16

static const struct {
	const char	*path;
	int		 normalize, double_encode;
	const char	*want;
} vectors[] = {
	/* aws-c-auth v4 suite: get-space-normalized, get-utf8,
	 * get-relative-relative, get-slashes-normalized, get-unreserved. */
	{ "/example%20space/", 1, 1, "/example%2520space/" },
	{ "/\xe1\x88\xb4", 1, 1, "/%E1%88%B4" },
	{ "/example1/example2/../..", 1, 1, "/" },
	{ "//example//", 1, 1, "/example/" },
	{ "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
	  1, 1, "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" },
	/* S3: the wire path as it is, no normalising. */
	{ "/bucket/a%20b//./c", 0, 0, "/bucket/a%20b//./c" },
	{ "/%3A", 1, 1, "/%253A" },
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct uktv_sigv4_config cfg = { 0 };
	char *got;

	(void)argc;
	(void)argv;
	fuzz_env();
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		cfg.normalize_path = vectors[i].normalize;
		cfg.double_encode = vectors[i].double_encode;
		got = uktv_sigv4_canonical_uri(&cfg, vectors[i].path);
		if (got == NULL || strcmp(got, vectors[i].want) != 0) {
			fprintf(stderr, "canonical URI of %s: %s, want %s\n",
			    vectors[i].path, got ? got : "(null)",
			    vectors[i].want);
			abort();
		}
		free(got);
	}
	return 0;
}

/* The lines of a canonical request: method, uri, query, headers ..., "",
 * signed headers, payload hash.  Returns the header block [*hb, *he). */
static void
split_canonical(const char *cr, const char **q, size_t *qlen,
    const char **hb, const char **he)
{
	const char *p = cr, *e;

	p = strchr(p, '\n');		/* after method */
	FUZZ_CHECK(p != NULL, "canonical request: no method line");
	p = strchr(p + 1, '\n');	/* after uri */
	FUZZ_CHECK(p != NULL, "canonical request: no uri line");
	*q = p + 1;
	e = strchr(p + 1, '\n');
	FUZZ_CHECK(e != NULL, "canonical request: no query line");
	*qlen = (size_t)(e - *q);
	*hb = e + 1;
	e = strstr(*hb, "\n\n");
	if (e == NULL && **hb == '\n')	/* no headers at all */
		e = *hb - 1;
	FUZZ_CHECK(e != NULL, "canonical request: no end of headers");
	*he = e + 1;
}

static char *
canonical(const struct uktv_sigv4_config *cfg, const char *path,
    const char *query, struct uktv_header *h, size_t nh)
{
	struct uktv_sigv4_creds creds = { "AKIDFUZZ", FUZZ_AWS_SECRET, NULL };
	struct uktv_sigv4_request req = { 0 };

	req.method = "POST";
	req.path = path;
	req.query = query;
	req.headers = h;
	req.nheaders = nh;
	req.body = "{}";
	req.body_len = 2;
	return uktv_sigv4_canonical_request(cfg, &creds, &req, 0);
}

static void
check_path(const char *path)
{
	struct uktv_sigv4_config cfg = { 0 };
	char *n1, *n2, *d;

	cfg.normalize_path = 1;
	n1 = uktv_sigv4_canonical_uri(&cfg, path);
	FUZZ_CHECK(n1 != NULL, "no canonical URI");
	FUZZ_CHECK(n1[0] == '/', "normalised path does not start with /");
	FUZZ_CHECK(strstr(n1, "//") == NULL, "normalised path holds //");
	FUZZ_CHECK(strstr(n1, "/./") == NULL && strstr(n1, "/../") == NULL,
	    "normalised path holds a dot segment");
	n2 = uktv_sigv4_canonical_uri(&cfg, n1);
	FUZZ_CHECK(n2 != NULL, "no canonical URI");
	if (strcmp(n1, n2) != 0) {
		fprintf(stderr, "path %s\nonce  %s\ntwice %s\n", path, n1, n2);
		FUZZ_CHECK(0, "path normalisation is not idempotent");
	}
	cfg.double_encode = 1;
	d = uktv_sigv4_canonical_uri(&cfg, path);
	FUZZ_CHECK(d != NULL, "no canonical URI");
	for (const char *p = d; *p; p++) {
		if (*p == '%') {
			FUZZ_CHECK(strchr("0123456789ABCDEF", p[1]) && p[1] &&
			    strchr("0123456789ABCDEF", p[2]) && p[2],
			    "encoded URI: bad %XX");
			p += 2;
			continue;
		}
		FUZZ_CHECK((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p) != NULL,
		    "encoded URI: a reserved character left");
	}
	free(n1);
	free(n2);
	free(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uktv_sigv4_config cfg = { 0 };
	struct uktv_header h[MAXH + 1], h2[MAXH * 2 + 1];
	struct fuzz_in in = { data, size };
	char *path, *query, *lines[MAXH], *cr1, *cr2, *hblock, *q1;
	const char *q, *hb, *he, *q2p, *hb2, *he2;
	size_t nh = 0, nh2 = 0, qlen, q2len;
	unsigned settings;

	settings = fuzz_byte(&in);
	path = fuzz_field(&in, '\n');
	query = fuzz_field(&in, '\n');
	h[nh].name = "Host";
	h[nh].value = "dynamodb.eu-west-2.amazonaws.com";
	nh++;
	memset(lines, 0, sizeof(lines));
	for (size_t i = 0; i < MAXH && in.n > 0; i++) {
		char *line = fuzz_field(&in, '\n'), *colon;

		lines[i] = line;
		/* A header name is an HTTP token: no ':' and no line break
		 * (a value may hold anything but "\n", which ends the line). */
		if ((colon = strchr(line, ':')) == NULL)
			continue;
		*colon = '\0';
		h[nh].name = line;
		h[nh].value = colon + 1;
		nh++;
	}

	check_path(path);

	cfg.region = "eu-west-2";
	cfg.service = "dynamodb";
	cfg.now = 1700000000;
	cfg.normalize_path = 1;
	cfg.double_encode = 1;
	cfg.expires = 300;
	cr1 = canonical(&cfg, path, query[0] ? query : NULL, h, nh);
	FUZZ_CHECK(cr1 != NULL, "no canonical request");
	split_canonical(cr1, &q, &qlen, &hb, &he);

	/* Read the header block back as headers. */
	if ((hblock = strndup(hb, (size_t)(he - hb))) == NULL)
		abort();
	for (char *l = hblock, *nl; *l != '\0' && nh2 < MAXH * 2; l = nl + 1) {
		char *colon;

		if ((nl = strchr(l, '\n')) == NULL)
			break;
		*nl = '\0';
		colon = strchr(l, ':');
		FUZZ_CHECK(colon != NULL, "canonical header without ':'");
		*colon = '\0';
		h2[nh2].name = l;
		h2[nh2].value = colon + 1;
		nh2++;
	}
	if ((q1 = strndup(q, qlen)) == NULL)
		abort();
	cr2 = canonical(&cfg, path, q1[0] ? q1 : NULL, h2, nh2);
	FUZZ_CHECK(cr2 != NULL, "no canonical request");
	split_canonical(cr2, &q2p, &q2len, &hb2, &he2);
	if ((size_t)(he - hb) != (size_t)(he2 - hb2) ||
	    memcmp(hb, hb2, (size_t)(he - hb)) != 0) {
		fprintf(stderr, "once:\n%.*s\ntwice:\n%.*s\n", (int)(he - hb),
		    hb, (int)(he2 - hb2), hb2);
		FUZZ_CHECK(0, "header canonicalisation is not idempotent");
	}
	if (qlen != q2len || memcmp(q, q2p, qlen) != 0) {
		fprintf(stderr, "query once:  %.*s\nquery twice: %.*s\n",
		    (int)qlen, q, (int)q2len, q2p);
		FUZZ_CHECK(0, "query canonicalisation is not idempotent");
	}

	/* The whole signer, headers and presigned, S3 rules or not. */
	{
		struct uktv_sigv4_creds creds = { "AKIDFUZZ", FUZZ_AWS_SECRET,
		    (settings & 1) ? FUZZ_AWS_TOKEN : NULL };
		struct uktv_sigv4_request req = { 0 };
		struct uktv_header *out = NULL;
		struct uktv_error err;
		size_t nout = 0;
		char *pq, *sts;

		cfg.normalize_path = !(settings & 2);
		cfg.double_encode = !(settings & 2);
		cfg.sign_body = (settings & 4) != 0;
		cfg.omit_session_token = (settings & 8) != 0;
		req.method = (settings & 16) ? "GET" : "POST";
		req.path = path;
		req.query = query[0] ? query : NULL;
		req.headers = h;
		req.nheaders = nh;
		req.body = data;
		req.body_len = size;
		if (uktv_sigv4_sign_headers(NULL, &cfg, &creds, &req, &out, &nout,
		    &err) == 0) {
			FUZZ_CHECK(nout >= 2, "signed without Authorization");
			FUZZ_CHECK(strncmp(out[nout - 1].value,
			    "AWS4-HMAC-SHA256 Credential=", 28) == 0,
			    "Authorization header form");
			uktv_sigv4_headers_free(out, nout);
		}
		if ((pq = uktv_sigv4_presign_query(NULL, &cfg, &creds, &req,
		    &err)) != NULL) {
			FUZZ_CHECK(strstr(pq, "X-Amz-Signature=") != NULL,
			    "presigned query without a signature");
			if (memmem(data, size, FUZZ_AWS_SECRET,
			    strlen(FUZZ_AWS_SECRET)) == NULL)
				FUZZ_CHECK(strstr(pq, FUZZ_AWS_SECRET) == NULL,
				    "secret in a presigned query");
			free(pq);
		}
		sts = uktv_sigv4_string_to_sign(&cfg, cr1);
		free(sts);
	}

	free(cr1);
	free(cr2);
	free(hblock);
	free(q1);
	for (size_t i = 0; i < MAXH; i++)
		free(lines[i]);
	free(path);
	free(query);
	return 0;
}
