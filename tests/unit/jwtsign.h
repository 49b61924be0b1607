/*
 * jwtsign.h: what test_jwt.c and test_cognito.c share to make tokens: RSA
 * keys (tests/fixtures/jwt), RS256 and HS256 signing, JWK
 * members.  Test code only; each function aborts on an OpenSSL failure,
 * which is a broken test machine, not a finding.
 */
#ifndef UKTV_JWTSIGN_H
#define UKTV_JWTSIGN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "base64.h"

/*
 * A test key from tests/fixtures/jwt (2048-bit RSA, made once with
 * `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`): made in
 * the test, two keys cost 40 s under valgrind.  Test keys only, signing
 * nothing but these tests' tokens.
 */
static __attribute__((unused)) EVP_PKEY *
load_rsa(const char *path)
{
	FILE *fp = fopen(path, "r");
	EVP_PKEY *k;

	if (fp == NULL)
		abort();
	k = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	fclose(fp);
	if (k == NULL)
		abort();
	return k;
}

/* base64url of n bytes, NUL-terminated; caller frees. */
static __attribute__((unused)) char *
b64url(const void *p, size_t n)
{
	char *s = malloc(UKTV_BASE64URL_ENCODED_LEN(n) + 1);

	if (s == NULL)
		abort();
	s[uktv_base64url_encode(p, n, s)] = '\0';
	return s;
}

/* "b64url(header).b64url(claims)"; caller frees. */
static __attribute__((unused)) char *
signing_input(const char *header, const char *claims)
{
	char *h = b64url(header, strlen(header)), *c = b64url(claims,
	    strlen(claims)), *s;

	if (asprintf(&s, "%s.%s", h, c) == -1)
		abort();
	free(h);
	free(c);
	return s;
}

static __attribute__((unused)) char *
join_sig(char *input, const unsigned char *sig, size_t n)
{
	char *s64 = b64url(sig, n), *tok;

	if (asprintf(&tok, "%s.%s", input, s64) == -1)
		abort();
	free(s64);
	free(input);
	return tok;
}

/* An RS256 token over header and claims as given; caller frees. */
static __attribute__((unused)) char *
sign_rs256(EVP_PKEY *key, const char *header, const char *claims)
{
	char *input = signing_input(header, claims);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char sig[1024];
	size_t n = sizeof(sig);

	if (md == NULL || EVP_DigestSignInit_ex(md, NULL, "SHA256", NULL, NULL,
	    key, NULL) != 1 || EVP_DigestSign(md, sig, &n,
	    (unsigned char *)input, strlen(input)) != 1)
		abort();
	EVP_MD_CTX_free(md);
	return join_sig(input, sig, n);
}

/* An HS256 token with secret as the HMAC key; caller frees. */
static __attribute__((unused)) char *
sign_hs256(const void *secret, size_t len, const char *header,
    const char *claims)
{
	char *input = signing_input(header, claims);
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (HMAC(EVP_sha256(), secret, (int)len, (unsigned char *)input,
	    strlen(input), mac, &n) == NULL)
		abort();
	return join_sig(input, mac, n);
}

/* The key's public half as PEM (what an HS256 attack uses as secret). */
static __attribute__((unused)) char *
public_pem(EVP_PKEY *key)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p, *s;
	long n;

	if (b == NULL || PEM_write_bio_PUBKEY(b, key) != 1)
		abort();
	n = BIO_get_mem_data(b, &p);
	if ((s = strndup(p, (size_t)n)) == NULL)
		abort();
	BIO_free(b);
	return s;
}

/* A JWK member ("n" or "e") of key, base64url; caller frees. */
static __attribute__((unused)) char *
jwk_member(EVP_PKEY *key, const char *which)
{
	BIGNUM *bn = NULL;
	unsigned char buf[2048];
	int n;

	if (EVP_PKEY_get_bn_param(key, strcmp(which, "n") == 0 ?
	    OSSL_PKEY_PARAM_RSA_N : OSSL_PKEY_PARAM_RSA_E, &bn) != 1 ||
	    (n = BN_bn2bin(bn, buf)) <= 0)
		abort();
	BN_free(bn);
	return b64url(buf, (size_t)n);
}

/* {"kty":"RSA","kid":KID,"use":"sig","alg":"RS256","n":..,"e":..}. */
static __attribute__((unused)) char *
jwk_json(EVP_PKEY *key, const char *kid)
{
	char *n = jwk_member(key, "n"), *e = jwk_member(key, "e"), *s;

	if (asprintf(&s, "{\"alg\":\"RS256\",\"e\":\"%s\",\"kid\":\"%s\","
	    "\"kty\":\"RSA\",\"n\":\"%s\",\"use\":\"sig\"}", e, kid, n) == -1)
		abort();
	free(n);
	free(e);
	return s;
}

#endif
