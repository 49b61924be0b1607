/*
 * test_sigv4.c: what the aws-c-auth suite (tests/tools/sigv4-suite.c) does
 * not cover: the key cache, S3's rules, presigning with a session token, and
 * real-service signatures computed independently with botocore 1.43
 * (SigV4Auth, S3SigV4Auth, SigV4QueryAuth, clock fixed at the time below).
 */
#include <stdlib.h>
#include <string.h>

#include "private/sigv4.h"
#include "unit.h"

/* 2025-07-04T16:02:51Z */
#define NOW		((time_t)1751644971)
#define AKID		"AKIDEXAMPLE"
#define SECRET		"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define TOKEN		"FwoGZXIvYXdzEXAMPLETOKEN//+="
#define DDB_HOST	"dynamodb.eu-west-2.amazonaws.com"
#define DDB_BODY	"{\"TableName\":\"UKTVProgrammes\",\"Key\":{\"PK\":{\"S\":" \
			"\"title:3184039\"},\"SK\":{\"S\":\"record\"}}}"

static const struct uktv_sigv4_creds creds = { AKID, SECRET, NULL };
static const struct uktv_sigv4_creds token_creds = { AKID, SECRET, TOKEN };

static struct uktv_sigv4_config
ddb_config(void)
{
	struct uktv_sigv4_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.region = "eu-west-2";
	cfg.service = "dynamodb";
	cfg.now = NOW;
	cfg.normalize_path = 1;
	cfg.double_encode = 1;
	return cfg;
}

static struct uktv_header ddb_headers[] = {
	{ "Host", DDB_HOST },
	{ "Content-Type", "application/x-amz-json-1.0" },
	{ "X-Amz-Target", "DynamoDB_20120810.GetItem" },
};

static struct uktv_sigv4_request
ddb_request(void)
{
	struct uktv_sigv4_request req;

	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.path = "/";
	req.headers = ddb_headers;
	req.nheaders = 3;
	req.body = DDB_BODY;
	req.body_len = strlen(DDB_BODY);
	return req;
}

/* Signs and returns a copy of the Authorization value (caller frees). */
static char *
authorization(struct uktv_sigv4_signer *signer,
    const struct uktv_sigv4_config *cfg, const struct uktv_sigv4_creds *c,
    const struct uktv_sigv4_request *req)
{
	struct uktv_header *h = NULL;
	struct uktv_error err;
	size_t n = 0, i;
	char *v = NULL;

	uktv_error_clear(&err);
	if (uktv_sigv4_sign_headers(signer, cfg, c, req, &h, &n, &err) == -1) {
		printf("# sign_headers: %s\n", err.message);
		return NULL;
	}
	for (i = 0; i < n; i++)
		if (strcmp(h[i].name, "Authorization") == 0)
			v = strdup(h[i].value);
	uktv_sigv4_headers_free(h, n);
	return v;
}

/* smithy-rs double-encode-path: only its canonical-URI line is consistent. */
static void
double_encode_path_canonical_uri(void)
{
	struct uktv_sigv4_config cfg = ddb_config();
	char *uri;

	uri = uktv_sigv4_canonical_uri(&cfg,
	    "/test/@connections/JBDvjfGEIAMCERw%3D");
	CHECK_STR(uri, "/test/%40connections/JBDvjfGEIAMCERw%253D");
	free(uri);
}

static void
dynamodb_post_matches_botocore(void)
{
	struct uktv_sigv4_config cfg = ddb_config();
	struct uktv_sigv4_request req = ddb_request();
	struct uktv_header *h = NULL;
	struct uktv_error err;
	size_t n = 0;

	uktv_error_clear(&err);
	CHECK_INT(uktv_sigv4_sign_headers(NULL, &cfg, &creds, &req, &h, &n,
	    &err), 0);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_STR(h[0].name, "X-Amz-Date");
		CHECK_STR(h[0].value, "20250704T160251Z");
		CHECK_STR(h[1].name, "Authorization");
		CHECK_STR(h[1].value, "AWS4-HMAC-SHA256 "
		    "Credential=AKIDEXAMPLE/20250704/eu-west-2/dynamodb/aws4_request, "
		    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
		    "Signature=60cb355812dea76e3886f38ebe02031a857401a7a7bf4905d79daff1cd59ac1b");
	}
	uktv_sigv4_headers_free(h, n);

	/* With a session token it is signed and added before Authorization. */
	h = NULL;
	n = 0;
	CHECK_INT(uktv_sigv4_sign_headers(NULL, &cfg, &token_creds, &req, &h,
	    &n, &err), 0);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(h[1].name, "X-Amz-Security-Token");
		CHECK_STR(h[1].value, TOKEN);
		CHECK_STR(h[2].value, "AWS4-HMAC-SHA256 "
		    "Credential=AKIDEXAMPLE/20250704/eu-west-2/dynamodb/aws4_request, "
		    "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, "
		    "Signature=e55ce88354877ccaf87a5ed8323e06059008d178100a874b1e3fa616f43c50ed");
	}
	uktv_sigv4_headers_free(h, n);
}

/* A retried request still carrying the last attempt's headers signs the same. */
static void
resigning_ignores_stale_signing_headers(void)
{
	struct uktv_sigv4_config cfg = ddb_config();
	struct uktv_sigv4_request req = ddb_request();
	struct uktv_header stale[] = {
		{ "Host", DDB_HOST },
		{ "Content-Type", "application/x-amz-json-1.0" },
		{ "X-Amz-Target", "DynamoDB_20120810.GetItem" },
		{ "X-Amz-Date", "20240101T000000Z" },
		{ "X-Amz-Security-Token", "old-token" },
		{ "Authorization", "AWS4-HMAC-SHA256 Credential=old" },
	};
	char *want, *got;

	want = authorization(NULL, &cfg, &token_creds, &req);
	req.headers = stale;
	req.nheaders = sizeof(stale) / sizeof(stale[0]);
	got = authorization(NULL, &cfg, &token_creds, &req);
	CHECK(want != NULL);
	CHECK_STR(got, want);
	free(want);
	free(got);
}

static void
key_cache_reuses_and_rederives(void)
{
	struct uktv_sigv4_signer *signer = uktv_sigv4_signer_new();
	struct uktv_sigv4_config cfg = ddb_config();
	struct uktv_sigv4_request req = ddb_request();
	char *uncached, *first, *second, *other;
	int day;

	CHECK(signer != NULL);
	if (signer == NULL)
		return;
	uncached = authorization(NULL, &cfg, &creds, &req);
	first = authorization(signer, &cfg, &creds, &req);
	second = authorization(signer, &cfg, &creds, &req);
	CHECK_INT(uktv_sigv4_signer_derivations(signer), 1);
	CHECK_STR(first, uncached);
	CHECK_STR(second, first);

	/* A new day, or another service, is another scope and another key. */
	cfg.now = NOW + 8 * 3600;
	other = authorization(signer, &cfg, &creds, &req);
	CHECK_INT(uktv_sigv4_signer_derivations(signer), 2);
	CHECK(other != NULL && strstr(other, "/20250705/eu-west-2/") != NULL);
	free(other);
	cfg.now = NOW;
	cfg.service = "kinesis";
	other = authorization(signer, &cfg, &creds, &req);
	CHECK_INT(uktv_sigv4_signer_derivations(signer), 3);
	CHECK(other != NULL && strcmp(other, first) != 0);
	free(other);

	/* The first scope's key is still cached beside the others. */
	cfg.service = "dynamodb";
	other = authorization(signer, &cfg, &creds, &req);
	CHECK_INT(uktv_sigv4_signer_derivations(signer), 3);
	CHECK_STR(other, first);
	free(other);

	/* More scopes than the four slots: old keys are replaced (and wiped). */
	for (day = 2; day <= 4; day++) {
		cfg.now = NOW + day * 86400;
		free(authorization(signer, &cfg, &creds, &req));
	}
	CHECK_INT(uktv_sigv4_signer_derivations(signer), 6);
	cfg.now = NOW;
	other = authorization(signer, &cfg, &creds, &req);
	CHECK_INT(uktv_sigv4_signer_derivations(signer), 7);
	CHECK_STR(other, first);
	free(other);

	free(uncached);
	free(first);
	free(second);
	uktv_sigv4_signer_free(signer);
	uktv_sigv4_signer_free(NULL);
}

static void
path_normalisation(void)
{
	static const struct { const char *in, *want; } cases[] = {
		{ "", "/" },
		{ "/", "/" },
		{ "//", "/" },
		{ "/..", "/" },
		{ "/a/b/../c/./d//", "/a/c/d/" },
		{ "/a/b/..", "/a" },
		{ "a/b", "/a/b" },
		{ "/x%2Fy/./z", "/x%2Fy/z" },
	};
	struct uktv_sigv4_config cfg = ddb_config();
	char *once, *twice;
	size_t i;

	/* Without encoding, normalising a normalised path changes nothing. */
	cfg.double_encode = 0;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		once = uktv_sigv4_canonical_uri(&cfg, cases[i].in);
		twice = uktv_sigv4_canonical_uri(&cfg, once);
		CHECK_STR(once, cases[i].want);
		CHECK_STR(twice, once);
		free(once);
		free(twice);
	}
	cfg.double_encode = 1;
	once = uktv_sigv4_canonical_uri(&cfg, "/a b/%41/\xe1\x88\xb4/~");
	CHECK_STR(once, "/a%20b/%2541/%E1%88%B4/~");
	free(once);
}

static void
canonical_query_sorted_and_reencoded(void)
{
	struct uktv_sigv4_config cfg = ddb_config();
	struct uktv_sigv4_request req = ddb_request();
	char *cr;

	req.method = "GET";
	req.body = NULL;
	req.body_len = 0;
	req.query = "b=2&a=1&a=&c&%7e=x&p=a+b%20c&&Param-3=1&Param=2";
	cr = uktv_sigv4_canonical_request(&cfg, &creds, &req, 0);
	CHECK(cr != NULL);
	if (cr != NULL) {
		/* Line 3 of the canonical request is the query. */
		const char *q = strchr(strchr(cr, '\n') + 1, '\n') + 1;

		CHECK(strncmp(q, "Param=2&Param-3=1&a=&a=1&b=2&c=&p=a%2Bb%20c&~=x\n",
		    strlen("Param=2&Param-3=1&a=&a=1&b=2&c=&p=a%2Bb%20c&~=x\n")) == 0);
	}
	free(cr);
}

/* S3: no normalisation, the wire path signed as sent, the body hash signed. */
static void
s3_mode_matches_botocore(void)
{
	static struct uktv_header h[] = {
		{ "Host", "guide-bucket.s3.eu-west-2.amazonaws.com" },
		{ "Content-Type", "text/html" },
	};
	struct uktv_sigv4_config cfg = ddb_config();
	struct uktv_sigv4_request req;
	struct uktv_header *out = NULL;
	struct uktv_error err;
	size_t n = 0;
	char *cr;

	cfg.service = "s3";
	cfg.normalize_path = 0;
	cfg.double_encode = 0;
	cfg.sign_body = 1;
	memset(&req, 0, sizeof(req));
	req.method = "PUT";
	req.path = "/site/a//b/../index%20page.html";
	req.headers = h;
	req.nheaders = 2;
	req.body = "<html></html>";
	req.body_len = strlen("<html></html>");

	cr = uktv_sigv4_canonical_request(&cfg, &creds, &req, 0);
	CHECK_STR(cr, "PUT\n"
	    "/site/a//b/../index%20page.html\n"
	    "\n"
	    "content-type:text/html\n"
	    "host:guide-bucket.s3.eu-west-2.amazonaws.com\n"
	    "x-amz-content-sha256:b633a587c652d02386c4f16f8c6f6aab7352d97f16367c3c40576214372dd628\n"
	    "x-amz-date:20250704T160251Z\n"
	    "\n"
	    "content-type;host;x-amz-content-sha256;x-amz-date\n"
	    "b633a587c652d02386c4f16f8c6f6aab7352d97f16367c3c40576214372dd628");
	free(cr);

	uktv_error_clear(&err);
	CHECK_INT(uktv_sigv4_sign_headers(NULL, &cfg, &creds, &req, &out, &n,
	    &err), 0);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(out[1].name, "x-amz-content-sha256");
		CHECK_STR(out[1].value,
		    "b633a587c652d02386c4f16f8c6f6aab7352d97f16367c3c40576214372dd628");
		CHECK_STR(out[2].value, "AWS4-HMAC-SHA256 "
		    "Credential=AKIDEXAMPLE/20250704/eu-west-2/s3/aws4_request, "
		    "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, "
		    "Signature=b770ec86e9e68ed3483f1fab145234fdf152b7cbb0225435696a61604d120498");
	}
	uktv_sigv4_headers_free(out, n);
}

/* S3's UNSIGNED-PAYLOAD: a caller's own x-amz-content-sha256 is the hash. */
static void
caller_payload_hash_is_signed(void)
{
	static struct uktv_header h[] = {
		{ "Host", "guide-bucket.s3.eu-west-2.amazonaws.com" },
		{ "X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD" },
	};
	struct uktv_sigv4_config cfg = ddb_config();
	struct uktv_sigv4_request req;
	char *cr, *last;

	cfg.service = "s3";
	cfg.normalize_path = 0;
	cfg.double_encode = 0;
	memset(&req, 0, sizeof(req));
	req.method = "PUT";
	req.path = "/index.html";
	req.headers = h;
	req.nheaders = 2;
	req.body = "x";
	req.body_len = 1;
	cr = uktv_sigv4_canonical_request(&cfg, &creds, &req, 0);
	CHECK(cr != NULL);
	if (cr != NULL) {
		last = strrchr(cr, '\n');
		CHECK_STR(last, "\nUNSIGNED-PAYLOAD");
		CHECK(strstr(cr, "\nx-amz-content-sha256:UNSIGNED-PAYLOAD\n") != NULL);
	}
	free(cr);
}

static void
presign_with_session_token(void)
{
	static struct uktv_header h[] = {
		{ "Host", "sts.eu-west-2.amazonaws.com" },
	};
	struct uktv_sigv4_config cfg = ddb_config();
	struct uktv_sigv4_request req;
	struct uktv_error err;
	char *q, *cr;

	cfg.service = "sts";
	cfg.expires = 900;
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.path = "/";
	req.query = "Action=GetCallerIdentity&Version=2011-06-15";
	req.headers = h;
	req.nheaders = 1;

	uktv_error_clear(&err);
	q = uktv_sigv4_presign_query(NULL, &cfg, &token_creds, &req, &err);
	/* botocore orders the parameters differently; the signature is its. */
	CHECK_STR(q, "Action=GetCallerIdentity&Version=2011-06-15"
	    "&X-Amz-Algorithm=AWS4-HMAC-SHA256"
	    "&X-Amz-Credential=AKIDEXAMPLE%2F20250704%2Feu-west-2%2Fsts%2Faws4_request"
	    "&X-Amz-Date=20250704T160251Z&X-Amz-SignedHeaders=host&X-Amz-Expires=900"
	    "&X-Amz-Security-Token=FwoGZXIvYXdzEXAMPLETOKEN%2F%2F%2B%3D"
	    "&X-Amz-Signature=04addf6e32fd265e1a5b3ec0bde37299a2e185d4ef11a0cc30853fa4c2a57cee");
	free(q);

	/* omit_session_token: the token still goes out, but is not signed. */
	cfg.omit_session_token = 1;
	cr = uktv_sigv4_canonical_request(&cfg, &token_creds, &req, 1);
	CHECK(cr != NULL && strstr(cr, "Security-Token") == NULL);
	free(cr);
	q = uktv_sigv4_presign_query(NULL, &cfg, &token_creds, &req, &err);
	CHECK(q != NULL && strstr(q, "&X-Amz-Security-Token=FwoG") != NULL);
	CHECK(q != NULL && strstr(q, "Signature=04addf6e") == NULL);
	free(q);

	/* AWS accepts lifetimes of 1 s to 7 days. */
	cfg.expires = 0;
	CHECK(uktv_sigv4_presign_query(NULL, &cfg, &token_creds, &req, &err) == NULL);
	CHECK_INT(err.kind, UKTV_ERR_USAGE);
	cfg.expires = UKTV_SIGV4_MAX_EXPIRES + 1;
	CHECK(uktv_sigv4_presign_query(NULL, &cfg, &token_creds, &req, &err) == NULL);
}

static void
bad_requests_are_errors(void)
{
	static struct uktv_header nohost[] = { { "X-Amz-Target", "x" } };
	struct uktv_sigv4_config cfg = ddb_config();
	struct uktv_sigv4_request req = ddb_request();
	struct uktv_sigv4_creds nocreds = { AKID, "", NULL };
	struct uktv_header *h = (struct uktv_header *)1;
	struct uktv_error err;
	size_t n = 7;

	uktv_error_clear(&err);
	CHECK_INT(uktv_sigv4_sign_headers(NULL, &cfg, &nocreds, &req, &h, &n,
	    &err), -1);
	CHECK_INT(err.kind, UKTV_ERR_CONFIG);
	CHECK(h == NULL && n == 0);
	cfg.region = "";
	CHECK_INT(uktv_sigv4_sign_headers(NULL, &cfg, &creds, &req, &h, &n,
	    &err), -1);
	CHECK_INT(err.kind, UKTV_ERR_CONFIG);
	cfg.region = "eu-west-2";
	req.headers = nohost;
	req.nheaders = 1;
	CHECK_INT(uktv_sigv4_sign_headers(NULL, &cfg, &creds, &req, &h, &n,
	    &err), -1);
	CHECK(strstr(err.message, "Host") != NULL);
}

int
main(void)
{
	RUN(double_encode_path_canonical_uri);
	RUN(dynamodb_post_matches_botocore);
	RUN(resigning_ignores_stale_signing_headers);
	RUN(key_cache_reuses_and_rederives);
	RUN(path_normalisation);
	RUN(canonical_query_sorted_and_reencoded);
	RUN(s3_mode_matches_botocore);
	RUN(caller_payload_hash_is_signed);
	RUN(presign_with_session_token);
	RUN(bad_requests_are_errors);
	return UNIT_DONE();
}
