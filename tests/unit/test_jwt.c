/*
 * test_jwt.c: lib/util/jwt.c (compact JWS, RS256 with OpenSSL's EVP) and
 * base64url in lib/util/base64.c, with RSA keys generated here.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jwt.h"
#include "jwtsign.h"
#include "unit.h"

#define HDR	"{\"kid\":\"k1\",\"alg\":\"RS256\"}"
#define CLAIMS	"{\"sub\":\"aaaa-bbbb\",\"token_use\":\"id\",\"n\":1}"

static EVP_PKEY *key1, *key2;

static void
test_base64url(void)
{
	static const struct { const char *bin, *text; } v[] = {
		{ "", "" }, { "f", "Zg" }, { "fo", "Zm8" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg" }, { "\xfb\xff", "-_8" },
		{ "\xfb\xff\xfe", "-__-" },
	};
	static const char *bad[] = {
		"Zg==", "Zm8=", "Z", "Zm9vY", "Zh", "Zm9", "+_8", "-/8",
		"Zm 9", "Zm9v\n", "Zm.v"
	};
	unsigned char buf[64];
	char text[64];
	size_t n;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		n = uktv_base64url_encode(v[i].bin, strlen(v[i].bin), text);
		text[n] = '\0';
		CHECK_STR(text, v[i].text);
		CHECK_INT(n, UKTV_BASE64URL_ENCODED_LEN(strlen(v[i].bin)));
		CHECK_INT(uktv_base64url_decode(v[i].text, strlen(v[i].text),
		    buf, &n), 0);
		CHECK_INT(n, strlen(v[i].bin));
		CHECK(memcmp(buf, v[i].bin, n) == 0);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_INT(uktv_base64url_decode(bad[i], strlen(bad[i]), buf,
		    &n), -1);
	/* Every length round-trips, in place too. */
	for (size_t len = 0; len < 40; len++) {
		unsigned char bin[40];
		size_t got;

		for (size_t k = 0; k < len; k++)
			bin[k] = (unsigned char)(k * 37 + len);
		n = uktv_base64url_encode(bin, len, text);
		CHECK(UKTV_BASE64URL_DECODED_MAX(n) >= len);
		CHECK_INT(uktv_base64url_decode(text, n, text, &got), 0);
		CHECK_INT(got, len);
		CHECK(memcmp(text, bin, len) == 0);
	}
}

static void
test_parse_and_verify(void)
{
	char *tok = sign_rs256(key1, HDR, CLAIMS);
	struct uktv_jwt jwt;
	struct uktv_error err;
	struct json_object *v;

	uktv_error_clear(&err);
	CHECK_INT(uktv_jwt_parse(tok, strlen(tok), &jwt, &err), 0);
	CHECK_STR(jwt.alg, "RS256");
	CHECK_STR(jwt.kid, "k1");
	CHECK_INT(jwt.sig_len, 256);
	CHECK_INT(jwt.signing_input_len, strrchr(tok, '.') - tok);
	CHECK(strncmp(jwt.signing_input, tok, jwt.signing_input_len) == 0);
	CHECK_INT(strlen(jwt.signing_input), jwt.signing_input_len);
	CHECK(json_object_object_get_ex(jwt.claims, "sub", &v));
	CHECK_STR(json_object_get_string(v), "aaaa-bbbb");
	CHECK_INT(uktv_jwt_verify_rs256(&jwt, key1, &err), 0);
	/* Another key does not verify it. */
	CHECK_INT(uktv_jwt_verify_rs256(&jwt, key2, &err), -1);
	CHECK_INT(err.kind, UKTV_ERR_NOPERM);
	CHECK_STR(err.message, "signature does not match");
	uktv_jwt_free(&jwt);
	CHECK(jwt.claims == NULL && jwt.sig == NULL);
	uktv_jwt_free(&jwt);
	uktv_jwt_free(NULL);
	free(tok);
	/* Whitespace around the JSON is JSON (RFC 8259 section 2). */
	tok = sign_rs256(key1, " {\"alg\" : \"RS256\"}\r\n", "{}\t");
	CHECK_INT(uktv_jwt_parse(tok, strlen(tok), &jwt, &err), 0);
	CHECK(jwt.kid == NULL);
	CHECK_INT(uktv_jwt_verify_rs256(&jwt, key1, &err), 0);
	uktv_jwt_free(&jwt);
	free(tok);
}

/* A token whose payload was changed after signing: the signature part
 * is kept, the middle part replaced. */
static void
test_changed_payload(void)
{
	char *tok = sign_rs256(key1, HDR, CLAIMS), *other, *forged;
	const char *admin = "{\"sub\":\"admin\",\"token_use\":\"id\",\"n\":1}";
	char *p2 = b64url(admin, strlen(admin));
	struct uktv_jwt jwt;
	struct uktv_error err;

	other = strchr(tok, '.');
	CHECK(asprintf(&forged, "%.*s.%s%s", (int)(other - tok), tok, p2,
	    strrchr(tok, '.')) > 0);
	CHECK_INT(uktv_jwt_parse(forged, strlen(forged), &jwt, &err), 0);
	CHECK_INT(uktv_jwt_verify_rs256(&jwt, key1, &err), -1);
	CHECK_STR(err.message, "signature does not match");
	uktv_jwt_free(&jwt);
	free(forged);
	/* One character of the signature changed. */
	forged = strdup(tok);
	forged[strlen(forged) - 5] = forged[strlen(forged) - 5] == 'A' ? 'B' :
	    'A';
	CHECK_INT(uktv_jwt_parse(forged, strlen(forged), &jwt, &err), 0);
	CHECK_INT(uktv_jwt_verify_rs256(&jwt, key1, &err), -1);
	uktv_jwt_free(&jwt);
	free(forged);
	free(p2);
	free(tok);
}

static void
check_refused(const char *tok, const char *want)
{
	struct uktv_jwt jwt;
	struct uktv_error err;

	uktv_error_clear(&err);
	memset(&jwt, 0x5a, sizeof(jwt));
	CHECK_INT(uktv_jwt_parse(tok, strlen(tok), &jwt, &err), -1);
	CHECK_INT(err.kind, UKTV_ERR_NOPERM);
	if (strstr(err.message, want) == NULL)
		printf("# \"%s\" not in \"%s\"\n", want, err.message);
	CHECK(strstr(err.message, want) != NULL);
	/* Left empty: uktv_jwt_free after a failure is harmless. */
	CHECK(jwt.header == NULL && jwt.claims == NULL && jwt.sig == NULL &&
	    jwt.alg == NULL && jwt.kid == NULL);
}

/* The algorithm is the verifier's choice: none, HS256 signed with the
 * public key as the HMAC secret (the classic confusion), and every other
 * algorithm are refused by the parser, before any key is looked at. */
static void
test_algorithms(void)
{
	char *pem = public_pem(key1), *tok, *input;

	tok = sign_hs256(pem, strlen(pem),
	    "{\"kid\":\"k1\",\"alg\":\"HS256\"}", CLAIMS);
	check_refused(tok, "algorithm \"HS256\" not allowed");
	free(tok);
	input = signing_input("{\"kid\":\"k1\",\"alg\":\"none\"}", CLAIMS);
	if (asprintf(&tok, "%s.", input) == -1)
		abort();
	check_refused(tok, "algorithm \"none\" not allowed");
	free(tok);
	/* With a signature part too: still none. */
	tok = sign_rs256(key1, "{\"kid\":\"k1\",\"alg\":\"none\"}", CLAIMS);
	check_refused(tok, "algorithm \"none\" not allowed");
	free(tok);
	free(input);
	static const char *hdrs[] = {
		"{\"kid\":\"k1\",\"alg\":\"RS512\"}", "algorithm \"RS512\"",
		"{\"kid\":\"k1\",\"alg\":\"PS256\"}", "algorithm \"PS256\"",
		"{\"kid\":\"k1\",\"alg\":\"rs256\"}", "algorithm not allowed",
		"{\"kid\":\"k1\",\"alg\":\"RS256 \"}", "algorithm not allowed",
		"{\"kid\":\"k1\",\"alg\":\"RS256\\u0000\"}", "no \"alg\"",
		"{\"kid\":\"k1\"}", "no \"alg\"",
		"{\"kid\":\"k1\",\"alg\":256}", "no \"alg\"",
		"{\"kid\":\"k1\",\"alg\":null}", "no \"alg\"",
		"{\"kid\":1,\"alg\":\"RS256\"}", "\"kid\" is not a string",
		"{\"alg\":\"RS256\",\"crit\":[\"b64\"],\"b64\":false}", "crit",
		/* Duplicate names: the last wins, as json-c reads them, and
		 * the verifier sees the same value the check did. */
		"{\"alg\":\"RS256\",\"alg\":\"none\"}", "algorithm \"none\"",
	};
	for (size_t i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i += 2) {
		tok = sign_rs256(key1, hdrs[i], CLAIMS);
		check_refused(tok, hdrs[i + 1]);
		free(tok);
	}
	free(pem);
}

static void refused_fmt(const char *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
refused_fmt(const char *want, const char *fmt, ...)
{
	va_list ap;
	char *tok;

	va_start(ap, fmt);
	if (vasprintf(&tok, fmt, ap) == -1)
		abort();
	va_end(ap);
	check_refused(tok, want);
	free(tok);
}

static void
test_malformed(void)
{
	char *good = sign_rs256(key1, HDR, CLAIMS), *h, *p, *s, *tok;
	char big[UKTV_JWT_MAX + 2];
	char deep[200];

	h = strndup(good, (size_t)(strchr(good, '.') - good));
	p = strndup(strchr(good, '.') + 1,
	    (size_t)(strrchr(good, '.') - strchr(good, '.') - 1));
	s = strrchr(good, '.') + 1;

	check_refused("", "empty");
	check_refused("abc", "three");
	check_refused("a.b", "three");
	check_refused("a.b.c.d", "three");
	check_refused("a.b.c.d.e", "three");
	check_refused(".b.c", "empty header");
	check_refused("a..c", "empty header or payload");

	refused_fmt("no signature", "%s.%s.", h, p);
	refused_fmt("header is not base64url", "%s=.%s.%s", h, p, s);
	refused_fmt("payload is not base64url", "%s.%s=.%s", h, p, s);
	refused_fmt("signature is not base64url", "%s.%s.%s=", h, p, s);
	refused_fmt("signature is not base64url", "%s.%s.%s+", h, p, s);
	refused_fmt("payload is not base64url", "%s.%s .%s", h, p, s);
	refused_fmt("header is not base64url", " %s.%s.%s", h, p, s);

	static const char *objs[] = {
		"[1,2]", "\"RS256\"", "null", "{", "{\"a\":1}x", "{\"a\":1}{}",
		"{'a':1}", "{\"a\":1,}", "{\"a\":\"\xff\"}", "{\"a\":01}",
		"{\"a\":\"\x01\"}", "{\"a\":NaN}",
	};
	for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
		tok = sign_rs256(key1, objs[i], CLAIMS);
		check_refused(tok, "header is not a JSON object");
		free(tok);
		tok = sign_rs256(key1, HDR, objs[i]);
		check_refused(tok, "payload is not a JSON object");
		free(tok);
	}
	/* Nesting past the bound. */
	memset(deep, 0, sizeof(deep));
	strcpy(deep, "{\"a\":");
	for (int i = 0; i < 20; i++)
		strcat(deep, "[");
	for (int i = 0; i < 20; i++)
		strcat(deep, "]");
	strcat(deep, "}");
	tok = sign_rs256(key1, HDR, deep);
	check_refused(tok, "payload is not a JSON object");
	free(tok);
	/* A NUL inside, and the length bound. */
	{
		struct uktv_jwt jwt;
		struct uktv_error err;
		char *nul = strdup(good);

		nul[5] = '\0';
		CHECK_INT(uktv_jwt_parse(nul, strlen(good), &jwt, &err), -1);
		CHECK(strstr(err.message, "NUL") != NULL);
		free(nul);
	}
	memset(big, 'A', sizeof(big));
	big[10] = '.';
	big[20] = '.';
	big[UKTV_JWT_MAX + 1] = '\0';
	check_refused(big, "longer than 16384 bytes");
	free(h);
	free(p);
	free(good);
}

static void
test_rsa_key(void)
{
	char *n = jwk_member(key1, "n"), *e = jwk_member(key1, "e");
	char *tok = sign_rs256(key1, HDR, CLAIMS), *n1024;
	struct uktv_error err;
	struct uktv_jwt jwt;
	unsigned char small[128];
	EVP_PKEY *k;

	CHECK_STR(e, "AQAB");
	uktv_error_clear(&err);
	k = uktv_jwt_rsa_key(n, e, &err);
	CHECK(k != NULL);
	CHECK_INT(EVP_PKEY_get_bits(k), 2048);
	CHECK_INT(uktv_jwt_parse(tok, strlen(tok), &jwt, &err), 0);
	CHECK_INT(uktv_jwt_verify_rs256(&jwt, k, &err), 0);
	/* A signature one byte short, or long, is refused as such. */
	jwt.sig_len--;
	CHECK_INT(uktv_jwt_verify_rs256(&jwt, k, &err), -1);
	CHECK(strstr(err.message, "wrong length") != NULL);
	uktv_jwt_free(&jwt);
	EVP_PKEY_free(k);

	/* Exponents that make RSA no signature at all. */
	CHECK(uktv_jwt_rsa_key(n, "AQ", &err) == NULL);		/* 1 */
	CHECK_INT(err.kind, UKTV_ERR_INPUT);
	CHECK(uktv_jwt_rsa_key(n, "Ag", &err) == NULL);		/* 2 */
	CHECK(uktv_jwt_rsa_key(n, "AQAA", &err) == NULL);	/* even */
	CHECK(uktv_jwt_rsa_key(n, "", &err) == NULL);
	CHECK(uktv_jwt_rsa_key(n, NULL, &err) == NULL);
	CHECK(uktv_jwt_rsa_key(n, "AQAB=", &err) == NULL);
	CHECK(uktv_jwt_rsa_key(NULL, e, &err) == NULL);
	CHECK(uktv_jwt_rsa_key("", e, &err) == NULL);
	CHECK(uktv_jwt_rsa_key("AQAB", e, &err) == NULL);
	/* 1024 bits: below the floor, whatever else it is. */
	memset(small, 0xc5, sizeof(small));
	n1024 = b64url(small, sizeof(small));
	CHECK(uktv_jwt_rsa_key(n1024, e, &err) == NULL);
	CHECK(strstr(err.message, "1024 bits") != NULL);
	free(n1024);
	/* An even modulus fails OpenSSL's own check. */
	{
		unsigned char even[256];
		char *t;

		memset(even, 0xc4, sizeof(even));
		t = b64url(even, sizeof(even));
		CHECK(uktv_jwt_rsa_key(t, e, &err) == NULL);
		free(t);
	}
	/* The standard alphabet is not base64url. */
	{
		char *std = strdup(n);

		for (char *q = std; *q != '\0'; q++)
			if (*q == '-')
				*q = '+';
		if (strcmp(std, n) != 0)
			CHECK(uktv_jwt_rsa_key(std, e, &err) == NULL);
		free(std);
	}
	free(tok);
	free(n);
	free(e);
}

/* verify checks the key, whatever the caller hands it. */
static void
test_verify_key_rules(void)
{
	char *tok = sign_rs256(key1, HDR, CLAIMS);
	struct uktv_jwt jwt;
	struct uktv_error err;
	EVP_PKEY *ec = EVP_EC_gen("P-256");

	CHECK(ec != NULL);
	CHECK_INT(uktv_jwt_parse(tok, strlen(tok), &jwt, &err), 0);
	CHECK_INT(uktv_jwt_verify_rs256(&jwt, ec, &err), -1);
	CHECK(strstr(err.message, "not an RSA key") != NULL);
	CHECK_INT(uktv_jwt_verify_rs256(&jwt, NULL, &err), -1);
	uktv_jwt_free(&jwt);
	EVP_PKEY_free(ec);
	free(tok);
}

int
main(void)
{
	key1 = load_rsa("tests/fixtures/jwt/key1.pem");
	key2 = load_rsa("tests/fixtures/jwt/key2.pem");
	RUN(test_base64url);
	RUN(test_parse_and_verify);
	RUN(test_changed_payload);
	RUN(test_algorithms);
	RUN(test_malformed);
	RUN(test_rsa_key);
	RUN(test_verify_key_rules);
	EVP_PKEY_free(key1);
	EVP_PKEY_free(key2);
	return UNIT_DONE();
}
