/* jwt.c: see jwt.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "base64.h"
#include "jsonscan.h"
#include "jwt.h"

static int
oom(struct uktv_error *err)
{
	return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
}

static int
bad(struct uktv_error *err, const char *why)
{
	return uktv_error_set(err, UKTV_ERR_NOPERM, "malformed token: %s", why);
}

/*
 * One of the token's first two parts, decoded and read as one JSON object.
 * json-c's strict mode still takes single quotes, so the grammar is
 * jsonscan's (RFC 8259, an object at the top); json-c then checks UTF-8
 * and the depth (it counts the innermost scalar as a level, hence + 1).
 */
static struct json_object *
decode_object(const char *b64, size_t n, const char *what,
    struct uktv_error *err)
{
	struct json_tokener *tok;
	struct json_object *o = NULL;
	char *buf, why[64];
	size_t len;

	if ((buf = malloc(UKTV_BASE64URL_DECODED_MAX(n) + 1)) == NULL) {
		oom(err);
		return NULL;
	}
	snprintf(why, sizeof(why), "the %s is not a JSON object", what);
	if (uktv_base64url_decode(b64, n, buf, &len) == -1) {
		snprintf(why, sizeof(why), "the %s is not base64url", what);
		bad(err, why);
		goto out;
	}
	/* A NUL is never part of a JSON text; json-c would stop at none. */
	if (len == 0 || memchr(buf, '\0', len) != NULL ||
	    uktv_jsonscan(buf, len, 0, NULL, 0, NULL, NULL) != UKTV_JSONSCAN_OK) {
		bad(err, why);
		goto out;
	}
	if ((tok = json_tokener_new_ex(UKTV_JWT_MAX_DEPTH + 1)) == NULL) {
		oom(err);
		goto out;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len ||
	    !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
		bad(err, why);
	}
	json_tokener_free(tok);
out:
	free(buf);
	return o;
}

/* A string member with no NUL inside (json-c keeps "\u0000"); NULL when
 * absent, -1 in *ok when present and not such a string. */
static const char *
header_string(struct json_object *h, const char *key, int *ok)
{
	struct json_object *v;
	const char *s;

	*ok = 1;
	if (!json_object_object_get_ex(h, key, &v))
		return NULL;
	if (!json_object_is_type(v, json_type_string) ||
	    (size_t)json_object_get_string_len(v) !=
	    strlen(s = json_object_get_string(v))) {
		*ok = 0;
		return NULL;
	}
	return s;
}

/* The header's rules (jwt.h): the algorithm is ours to choose. */
static int
check_header(struct uktv_jwt *jwt, struct uktv_error *err)
{
	const char *alg, *kid;
	int ok;

	alg = header_string(jwt->header, "alg", &ok);
	if (!ok || alg == NULL)
		return bad(err, "no \"alg\" in the header");
	if (strcmp(alg, "RS256") != 0) {
		/* Named when it is one of the usual ones; a strange value is
		 * not repeated into a log line. */
		static const char *known[] = { "none", "HS256", "HS384",
		    "HS512", "RS384", "RS512", "PS256", "PS384", "PS512",
		    "ES256", "ES384", "ES512", "EdDSA" };

		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (strcmp(alg, known[i]) == 0)
				return uktv_error_set(err, UKTV_ERR_NOPERM,
				    "algorithm \"%s\" not allowed (RS256 only)",
				    known[i]);
		return uktv_error_set(err, UKTV_ERR_NOPERM,
		    "algorithm not allowed (RS256 only)");
	}
	if (json_object_object_get_ex(jwt->header, "crit", NULL))
		return bad(err, "a \"crit\" header names extensions not "
		    "understood");
	kid = header_string(jwt->header, "kid", &ok);
	if (!ok)
		return bad(err, "\"kid\" is not a string");
	if ((jwt->alg = strdup(alg)) == NULL ||
	    (kid != NULL && (jwt->kid = strdup(kid)) == NULL))
		return oom(err);
	return 0;
}

int
uktv_jwt_parse(const char *token, size_t len, struct uktv_jwt *jwt,
    struct uktv_error *err)
{
	const char *dot1, *dot2, *p3;
	size_t n1, n2, n3;

	memset(jwt, 0, sizeof(*jwt));
	if (token == NULL || len == 0)
		return bad(err, "empty");
	if (len > UKTV_JWT_MAX)
		return uktv_error_set(err, UKTV_ERR_NOPERM, "malformed token: "
		    "longer than %d bytes", UKTV_JWT_MAX);
	if (memchr(token, '\0', len) != NULL)
		return bad(err, "a NUL byte");
	/* Three parts: exactly two dots (a JWE has four). */
	if ((dot1 = memchr(token, '.', len)) == NULL ||
	    (dot2 = memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token)))
	    == NULL ||
	    memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)) != NULL)
		return bad(err, "not three dot-separated parts");
	n1 = (size_t)(dot1 - token);
	n2 = (size_t)(dot2 - dot1 - 1);
	p3 = dot2 + 1;
	n3 = len - (size_t)(p3 - token);
	if (n1 == 0 || n2 == 0)
		return bad(err, "an empty header or payload");
	if ((jwt->header = decode_object(token, n1, "header", err)) == NULL)
		goto fail;
	if (check_header(jwt, err) == -1)
		goto fail;
	if ((jwt->claims = decode_object(dot1 + 1, n2, "payload", err)) == NULL)
		goto fail;
	if (n3 == 0) {
		bad(err, "no signature");
		goto fail;
	}
	if ((jwt->sig = malloc(UKTV_BASE64URL_DECODED_MAX(n3))) == NULL) {
		oom(err);
		goto fail;
	}
	if (uktv_base64url_decode(p3, n3, jwt->sig, &jwt->sig_len) == -1) {
		bad(err, "the signature is not base64url");
		goto fail;
	}
	jwt->signing_input_len = (size_t)(dot2 - token);
	if ((jwt->signing_input = strndup(token, jwt->signing_input_len))
	    == NULL) {
		oom(err);
		goto fail;
	}
	return 0;
fail:
	uktv_jwt_free(jwt);
	return -1;
}

void
uktv_jwt_free(struct uktv_jwt *jwt)
{
	if (jwt == NULL)
		return;
	json_object_put(jwt->header);
	json_object_put(jwt->claims);
	free(jwt->alg);
	free(jwt->kid);
	free(jwt->sig);
	free(jwt->signing_input);
	memset(jwt, 0, sizeof(*jwt));
}

/* A JWK member as a big number; NULL when it is not strict base64url of a
 * non-empty value (RFC 7518 section 6.3.1: a positive integer). */
static BIGNUM *
jwk_bignum(const char *b64, size_t max_bytes)
{
	unsigned char *buf;
	size_t n, len;
	BIGNUM *bn = NULL;

	if (b64 == NULL || (n = strlen(b64)) == 0 ||
	    UKTV_BASE64URL_DECODED_MAX(n) > max_bytes + 1)
		return NULL;
	if ((buf = malloc(UKTV_BASE64URL_DECODED_MAX(n))) == NULL)
		return NULL;
	if (uktv_base64url_decode(b64, n, buf, &len) == 0 && len > 0)
		bn = BN_bin2bn(buf, (int)len, NULL);
	free(buf);
	return bn;
}

static int
key_bad(struct uktv_error *err, const char *why)
{
	return uktv_error_set(err, UKTV_ERR_INPUT, "RSA key: %s", why);
}

/* What every key we verify with must be, from a JWK or elsewhere. */
static int
check_rsa(EVP_PKEY *key, struct uktv_error *err)
{
	int bits;

	if (key == NULL || !EVP_PKEY_is_a(key, "RSA"))
		return key_bad(err, "not an RSA key");
	bits = EVP_PKEY_get_bits(key);
	if (bits < UKTV_JWT_MIN_RSA_BITS)
		return uktv_error_set(err, UKTV_ERR_INPUT,
		    "RSA key: %d bits, fewer than %d", bits,
		    UKTV_JWT_MIN_RSA_BITS);
	if (bits > UKTV_JWT_MAX_RSA_BITS)
		return uktv_error_set(err, UKTV_ERR_INPUT,
		    "RSA key: %d bits, more than %d", bits,
		    UKTV_JWT_MAX_RSA_BITS);
	return 0;
}

EVP_PKEY *
uktv_jwt_rsa_key(const char *n_b64url, const char *e_b64url,
    struct uktv_error *err)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key = NULL;
	BIGNUM *n = NULL, *e = NULL;

	if ((n = jwk_bignum(n_b64url, UKTV_JWT_MAX_RSA_BITS / 8)) == NULL) {
		key_bad(err, "\"n\" is not a base64url modulus of a usable "
		    "size");
		goto out;
	}
	/* e = 1 would make every signature its own message: refuse an even
	 * exponent or one below 3 before OpenSSL sees it. */
	if ((e = jwk_bignum(e_b64url, 8)) == NULL || !BN_is_odd(e) ||
	    BN_get_word(e) < 3) {
		key_bad(err, "\"e\" is not an odd exponent of at least 3");
		goto out;
	}
	if (BN_num_bits(n) < UKTV_JWT_MIN_RSA_BITS ||
	    BN_num_bits(n) > UKTV_JWT_MAX_RSA_BITS) {
		uktv_error_set(err, UKTV_ERR_INPUT, "RSA key: %d bits, not "
		    "%d to %d", BN_num_bits(n), UKTV_JWT_MIN_RSA_BITS,
		    UKTV_JWT_MAX_RSA_BITS);
		goto out;
	}
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL) {
		oom(err);
		goto out;
	}
	if (EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		key_bad(err, "OpenSSL refuses n and e");
		goto out;
	}
	EVP_PKEY_CTX_free(ctx);
	/* OpenSSL's own public-key check (SP 800-56B: n odd, not a
	 * small prime's multiple, e in range). */
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL)) == NULL) {
		oom(err);
		goto fail;
	}
	if (EVP_PKEY_public_check(ctx) != 1) {
		key_bad(err, "fails OpenSSL's public key check");
		goto fail;
	}
	if (check_rsa(key, err) == -1)
		goto fail;
	goto out;
fail:
	EVP_PKEY_free(key);
	key = NULL;
out:
	/* Nothing of a failure is left in this thread's OpenSSL queue for
	 * an unrelated later call to find. */
	if (key == NULL)
		ERR_clear_error();
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return key;
}

int
uktv_jwt_verify_rs256(const struct uktv_jwt *jwt, EVP_PKEY *key,
    struct uktv_error *err)
{
	EVP_MD_CTX *md;
	EVP_PKEY_CTX *pctx = NULL;
	int rc;

	if (jwt->alg == NULL || strcmp(jwt->alg, "RS256") != 0 ||
	    jwt->signing_input == NULL)
		return uktv_error_set(err, UKTV_ERR_NOPERM,
		    "algorithm not allowed (RS256 only)");
	if (check_rsa(key, err) == -1)
		return -1;
	/* RFC 8017 section 8.2.2: the signature is exactly k octets. */
	if (jwt->sig_len != (size_t)EVP_PKEY_get_size(key))
		return uktv_error_set(err, UKTV_ERR_NOPERM,
		    "signature does not match (wrong length)");
	if ((md = EVP_MD_CTX_new()) == NULL)
		return oom(err);
	rc = EVP_DigestVerifyInit_ex(md, &pctx, "SHA256", NULL, NULL, key,
	    NULL) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1 ?
	    EVP_DigestVerify(md, jwt->sig, jwt->sig_len,
	    (const unsigned char *)jwt->signing_input,
	    jwt->signing_input_len) : -2;
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	if (rc == 1)
		return 0;
	if (rc == -2)
		return uktv_error_set(err, UKTV_ERR_INTERNAL,
		    "OpenSSL cannot set up an RS256 verification");
	return uktv_error_set(err, UKTV_ERR_NOPERM, "signature does not match");
}
