/*
 * jwt.h: JSON Web Tokens as signed, compact JWS (RFC 7515, 7519), RS256
 * only, checked with OpenSSL's EVP: nothing here is hand-written crypto.
 *
 * The parser is strict: exactly three base64url parts without padding, a
 * token of at most UKTV_JWT_MAX bytes and no NUL, a header and a claims
 * set that are each one JSON object (nothing after it, nesting at most
 * UKTV_JWT_MAX_DEPTH), "alg" exactly "RS256" ("none", HS256 and every
 * other algorithm are refused before any key is looked at: the algorithm
 * is the verifier's choice, never the token's), no "crit" header (we
 * understand no extension), "kid" a string when present, and a signature.
 * Claims are not checked here: what they must say belongs to the issuer's
 * verifier (cognito.h for Amazon Cognito).
 *
 * Errors: UKTV_ERR_NOPERM for a token that is malformed or does not
 * verify, UKTV_ERR_INPUT for a key that is not a usable RSA key,
 * UKTV_ERR_INTERNAL for out of memory.  Messages say why in words and
 * never hold the token or any part of it.
 */
#ifndef UKTV_JWT_H
#define UKTV_JWT_H

#include <stddef.h>

#include <openssl/evp.h>

#include "error.h"

struct json_object;

/* The largest token accepted, in bytes (Cognito's ID tokens are 1-2 KiB). */
#define UKTV_JWT_MAX		16384
/* The deepest JSON nesting accepted in the header and the claims. */
#define UKTV_JWT_MAX_DEPTH	16
/* RSA moduli accepted, in bits: at least NIST SP 800-131A's 2048; at most
 * 8192, which bounds what one verification may cost. */
#define UKTV_JWT_MIN_RSA_BITS	2048
#define UKTV_JWT_MAX_RSA_BITS	8192

struct uktv_jwt {
	struct json_object	*header;	/* the decoded header object */
	struct json_object	*claims;	/* the decoded claims object */
	char			*alg;		/* "RS256" once parsed */
	char			*kid;		/* NULL when the header has none */
	unsigned char		*sig;		/* the decoded signature */
	size_t			 sig_len;
	char			*signing_input;	/* "HEADER.PAYLOAD" as sent, NUL-terminated */
	size_t			 signing_input_len;
};

/*
 * Parses token[0, len) into jwt (which is cleared first).  0, or -1 with
 * err and jwt left empty.  On success the caller frees jwt's contents with
 * uktv_jwt_free.  Parsing verifies nothing: call uktv_jwt_verify_rs256.
 */
int	uktv_jwt_parse(const char *token, size_t len, struct uktv_jwt *,
	    struct uktv_error *);
/* Frees what uktv_jwt_parse put into jwt and clears it; jwt may be NULL. */
void	uktv_jwt_free(struct uktv_jwt *);

/*
 * An RSA public key from a JWK's base64url "n" and "e" (RFC 7518 section
 * 6.3.1), made with EVP_PKEY_fromdata and checked (EVP_PKEY_public_check,
 * UKTV_JWT_MIN_RSA_BITS to UKTV_JWT_MAX_RSA_BITS bits, an odd exponent of
 * at least 3).  Caller frees with EVP_PKEY_free; NULL and err when the
 * values are not such a key.
 */
EVP_PKEY *uktv_jwt_rsa_key(const char *n_b64url, const char *e_b64url,
	    struct uktv_error *);

/*
 * Checks jwt's RS256 signature (RSASSA-PKCS1-v1_5 with SHA-256) over its
 * signing input with key, which must be an RSA key of the sizes above.
 * 0 when it verifies; -1 and err otherwise.  key is only read: several
 * threads may verify with one key at once.
 */
int	uktv_jwt_verify_rs256(const struct uktv_jwt *, EVP_PKEY *,
	    struct uktv_error *);

#endif
