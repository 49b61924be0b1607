/*
 * fuzz_jwt.c: the sign-in check of uktv-api: compact JWS parsing and RS256
 * verification (lib/util/jwt.c), RSA keys from JWK members, base64url
 * (lib/util/base64.c), the claims rules and the whole Cognito ID-token
 * check with its JWKS fetch (lib/aws/cognito.c, the JWKS answered by the
 * fake transport).
 *
 * Input: one byte choosing what, then:
 *   0  a token: parsed, then verified with moto's fixed Cognito key (kid
 *      "dummy", the seeds are signed with its private half)
 *   1  a JWK's n, '\n', e
 *   2  a claims object, checked at a fixed time
 *   3  a JWKS answer script (fuzz.h), FUZZ_HTTP_SEP, an Authorization value
 *   4  base64url text
 *
 * Checks, beyond "no crash, no leak": a parsed token is RS256, its signing
 * input is the token up to the last dot and its parts are objects; every
 * refusal has a one-line message that holds no part of the token; an
 * accepted key has 2048 to 8192 bits; accepted claims give a sub that is a
 * user id; a check fetches the JWKS at most once, and a second check of
 * the same token within the minute fetches nothing more; base64url of
 * decoded bytes encodes back to the same text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base64.h"
#include "cognito.h"
#include "jwt.h"
#include "parse.h"
#include "private/cognito.h"
#include "fuzz.h"

/* moto's one Cognito signing key (moto/cognitoidp/resources/
 * jwks-public.json), as the bats suites see it too. */
#define MOTO_N	"j1pT3xKbswmMySvCefmiD3mfDaRFpZ9Y3Jl4fF0hMaCRVAt_e0yR7BeueDf" \
	"qmj_NhVSO0WB5ao5e8V-9RFQOtK8SrqKl3i01-CyWYPICwybaGKhbJJR0S_6cZ8n5ks" \
	"cF1MjpIlsJcCzm-yKgTc3Mxk6KtrLoNgRvMwGLeHUXPkhS9YHfDKRe864iMFOK4df69" \
	"brIYEICG2VLduh0hXYa0i-J3drwm7vxNdX7pVpCDu34qJtYoWq6CXt3Tzfi3YfWp8cF" \
	"jGNbaDa3WnCd2IXpp0TFsFS-cEsw5rJjSl5OllJGeZKBtLeyVTy9PYwnk7MW43WSYeY" \
	"stbk9NluX4H8Iuw"
/* The seeds' tokens are issued at FUZZ_NOW - 10 and expire an hour later. */
#define FUZZ_NOW	1751644971LL
#define FUZZ_POOL	"eu-west-2_FuzzPool1"

static EVP_PKEY *moto_key;

static time_t
fixed_wall(void *arg)
{
	(void)arg;
	return (time_t)FUZZ_NOW;
}

static long long
fixed_mono(void *arg)
{
	(void)arg;
	return 1000000;
}

static struct uktv_cognito *
verifier(void)
{
	static const char *const clients[] = { "fuzzclient1", "fuzzclient2" };
	static const struct uktv_cognito_clock clk = {
		fixed_wall, fixed_mono, NULL
	};
	struct uktv_cognito_config cfg = {
		.region = "eu-west-2", .pool_id = FUZZ_POOL,
		.client_ids = clients, .nclient_ids = 2,
		.endpoint_url = "http://cognito.fuzz.invalid",
	};
	struct uktv_cognito *c;
	struct uktv_error err;

	if ((c = uktv_cognito_new(&cfg, &err)) == NULL)
		abort();
	uktv_cognito_set_clock(c, &clk);
	return c;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct uktv_error err;

	(void)argc;
	(void)argv;
	fuzz_env();
	if ((moto_key = uktv_jwt_rsa_key(MOTO_N, "AQAB", &err)) == NULL)
		abort();
	return 0;
}

/* A refusal: one terminated line that repeats no part of the token. */
static void
check_refusal(const struct uktv_error *err, const char *tok, size_t len)
{
	const char *p, *end = tok + len, *dot;
	char part[17];

	FUZZ_CHECK(memchr(err->message, '\0', sizeof(err->message)) != NULL,
	    "message not terminated");
	FUZZ_CHECK(err->message[0] != '\0', "refusal without a reason");
	FUZZ_CHECK(strchr(err->message, '\n') == NULL, "message spans lines");
	FUZZ_CHECK(err->kind == UKTV_ERR_NOPERM ||
	    err->kind == UKTV_ERR_UNAVAILABLE || err->kind == UKTV_ERR_INTERNAL,
	    "refusal of an unexpected kind");
	/* Each part of 16 characters or more: its first 16 are not in the
	 * message (shorter ones could be any word). */
	for (p = tok; p < end; p = dot + 1) {
		if ((dot = memchr(p, '.', (size_t)(end - p))) == NULL)
			dot = end;
		if (dot - p >= 16 && memchr(p, '\0', 16) == NULL) {
			memcpy(part, p, 16);
			part[16] = '\0';
			FUZZ_CHECK(strstr(err->message, part) == NULL,
			    "a part of the token in the message");
		}
	}
}

static void
one_token(const char *text, size_t len)
{
	struct uktv_jwt jwt;
	struct uktv_error err;

	uktv_error_clear(&err);
	if (uktv_jwt_parse(text, len, &jwt, &err) == -1) {
		check_refusal(&err, text, len);
		FUZZ_CHECK(jwt.header == NULL && jwt.claims == NULL &&
		    jwt.sig == NULL && jwt.signing_input == NULL,
		    "a refused token left parts behind");
		return;
	}
	FUZZ_CHECK(len <= UKTV_JWT_MAX, "a token over the bound");
	FUZZ_CHECK(jwt.alg != NULL && strcmp(jwt.alg, "RS256") == 0,
	    "a token that is not RS256");
	FUZZ_CHECK(json_object_is_type(jwt.header, json_type_object) &&
	    json_object_is_type(jwt.claims, json_type_object),
	    "header or claims not an object");
	FUZZ_CHECK(jwt.signing_input_len < len &&
	    memcmp(jwt.signing_input, text, jwt.signing_input_len) == 0 &&
	    text[jwt.signing_input_len] == '.' &&
	    memchr(text + jwt.signing_input_len + 1, '.',
	    len - jwt.signing_input_len - 1) == NULL,
	    "signing input is not the token up to the last dot");
	FUZZ_CHECK(jwt.sig_len > 0, "no signature");
	if (uktv_jwt_verify_rs256(&jwt, moto_key, &err) == -1)
		check_refusal(&err, text, len);
	uktv_jwt_free(&jwt);
}

static void
one_jwk(struct fuzz_in *in)
{
	char *n = fuzz_field(in, '\n'), *e = fuzz_field(in, '\n');
	struct uktv_error err;
	EVP_PKEY *k;

	if ((k = uktv_jwt_rsa_key(n, e, &err)) != NULL) {
		FUZZ_CHECK(EVP_PKEY_get_bits(k) >= UKTV_JWT_MIN_RSA_BITS &&
		    EVP_PKEY_get_bits(k) <= UKTV_JWT_MAX_RSA_BITS,
		    "a key of a size outside the bounds");
		EVP_PKEY_free(k);
	} else
		FUZZ_CHECK(err.message[0] != '\0' &&
		    strchr(err.message, '\n') == NULL, "key refused badly");
	free(n);
	free(e);
}

static void
one_claims(const char *text, size_t len)
{
	struct json_tokener *tok = json_tokener_new_ex(17);
	struct json_object *o;
	struct uktv_cognito *c;
	struct uktv_cognito_claims cl;
	struct uktv_error err;

	if (tok == NULL)
		abort();
	o = json_tokener_parse_ex(tok, text, (int)len);
	json_tokener_free(tok);
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return;
	}
	c = verifier();
	uktv_error_clear(&err);
	if (uktv_cognito_check_claims(c, o, (time_t)FUZZ_NOW, &cl, &err) == 0) {
		FUZZ_CHECK(uktv_user_id_valid(cl.sub), "sub not a user id");
		FUZZ_CHECK(cl.exp > FUZZ_NOW - UKTV_COGNITO_LEEWAY_S,
		    "an expired token accepted");
		FUZZ_CHECK(memchr(cl.email, '\0', sizeof(cl.email)) != NULL &&
		    memchr(cl.username, '\0', sizeof(cl.username)) != NULL,
		    "claims not terminated");
	} else
		FUZZ_CHECK(err.kind == UKTV_ERR_NOPERM &&
		    strchr(err.message, '\n') == NULL, "claims refused badly");
	uktv_cognito_free(c);
	json_object_put(o);
}

static void
one_check(const uint8_t *data, size_t size)
{
	const uint8_t *sep = memmem(data, size, FUZZ_HTTP_SEP,
	    strlen(FUZZ_HTTP_SEP));
	struct uktv_cognito *c;
	struct uktv_cognito_claims cl;
	struct uktv_error err;
	char *auth;
	size_t alen;
	int rc;

	if (sep == NULL)
		return;
	fuzz_http_script(data, (size_t)(sep - data));
	sep += strlen(FUZZ_HTTP_SEP);
	alen = size - (size_t)(sep - data);
	if ((auth = malloc(alen + 1)) == NULL)
		abort();
	memcpy(auth, sep, alen);
	auth[alen] = '\0';
	c = verifier();
	for (int round = 0; round < 2; round++) {
		uktv_error_clear(&err);
		rc = uktv_cognito_verify(c, auth, &cl, &err);
		FUZZ_CHECK(fuzz_http_requests() <= 1,
		    "the JWKS fetched twice within the minute");
		if (rc == 0)
			FUZZ_CHECK(uktv_user_id_valid(cl.sub) &&
			    cl.exp > FUZZ_NOW - UKTV_COGNITO_LEEWAY_S,
			    "accepted claims out of the rules");
		else
			check_refusal(&err, auth, strlen(auth));
	}
	FUZZ_CHECK(uktv_cognito_fetches(c) == fuzz_http_requests(),
	    "fetch count differs from the requests made");
	uktv_cognito_free(c);
	fuzz_http_reset();
	free(auth);
}

static void
one_base64url(const char *text, size_t len)
{
	unsigned char *dec = malloc(UKTV_BASE64URL_DECODED_MAX(len) + 1);
	char *enc;
	size_t n;

	if (dec == NULL)
		abort();
	if (uktv_base64url_decode(text, len, dec, &n) == 0) {
		FUZZ_CHECK(n <= UKTV_BASE64URL_DECODED_MAX(len),
		    "decoded past the bound");
		if ((enc = malloc(UKTV_BASE64URL_ENCODED_LEN(n) + 1)) == NULL)
			abort();
		FUZZ_CHECK(uktv_base64url_encode(dec, n, enc) == len &&
		    memcmp(enc, text, len) == 0,
		    "base64url does not round-trip");
		free(enc);
	} else
		FUZZ_CHECK(n <= len, "error offset past the text");
	free(dec);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in;
	unsigned op;
	char *text;

	if (size < 1)
		return 0;
	op = data[0];
	data++;
	size--;
	if ((text = malloc(size + 1)) == NULL)
		abort();
	if (size > 0)
		memcpy(text, data, size);
	text[size] = '\0';
	switch (op % 5) {
	case 0:
		one_token(text, size);
		break;
	case 1:
		in.p = data;
		in.n = size;
		one_jwk(&in);
		break;
	case 2:
		one_claims(text, size);
		break;
	case 3:
		one_check(data, size);
		break;
	default:
		one_base64url(text, size);
		break;
	}
	free(text);
	return 0;
}
