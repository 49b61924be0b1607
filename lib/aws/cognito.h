/*
 * cognito.h: the sign-in check of an Amazon Cognito user pool's ID tokens,
 * as API Gateway's Cognito authorizer makes it.
 *
 * Owns: the pool's public keys (its JWKS, from
 * <endpoint>/<pool id>/.well-known/jwks.json), one HTTP handle to fetch
 * them, and the lock that guards both.  The keys are fetched when a token
 * first needs them and kept; a token naming a kid not among them fetches
 * them again, at most once a minute (UKTV_COGNITO_REFETCH_MS, on the
 * monotonic clock), so neither a rotation nor a flood of made-up kids
 * costs more than one fetch a minute.  A fetch that fails may be tried
 * again after UKTV_COGNITO_RETRY_MS.
 *
 * A token is accepted when (in this order): it is a compact RS256 JWS
 * (jwt.h), its header has a kid that is in the JWKS, its signature
 * verifies with that key, iss is https://cognito-idp.REGION.amazonaws.com/
 * POOL_ID, token_use is "id", aud is one of the client ids (a string, as
 * Cognito writes it), exp > now - 60, iat <= now + 60 (and nbf, when
 * present, <= now + 60), and sub is a user id ARCHITECTURE.md allows.
 * Times are the wall clock's, time(2), with UKTV_COGNITO_LEEWAY_S seconds
 * of leeway for clocks that disagree.
 *
 * A token accepted is remembered (by the SHA-256 of its bytes, the last
 * UKTV_COGNITO_CACHE of them) until it expires, as API Gateway caches an
 * authorizer's answer: a page sends the same token with every request, and
 * its RSA check and parse are a quarter of a small request's CPU.  The
 * remembered answer is checked against exp again on every use, and goes
 * when its key leaves the pool's JWKS.
 */
#ifndef UKTV_COGNITO_H
#define UKTV_COGNITO_H

#include <stddef.h>

#include "awsconf.h"
#include "error.h"

#define UKTV_COGNITO_LEEWAY_S		60
#define UKTV_COGNITO_REFETCH_MS		60000L
#define UKTV_COGNITO_RETRY_MS		5000L
/* Bounds on what a JWKS answer may hold. */
#define UKTV_COGNITO_JWKS_MAX		(256 * 1024)
#define UKTV_COGNITO_MAX_KEYS		64
/* Tokens remembered once accepted (cognito.h). */
#define UKTV_COGNITO_CACHE		128

struct uktv_cognito_config {
	const char		*region;	/* NULL: the pool id's "REGION_"
						   prefix (the issuer's region) */
	const char		*pool_id;	/* eu-west-2_AbCdEf123 */
	const char *const	*client_ids;	/* the app clients allowed as aud */
	size_t			 nclient_ids;
	/* Endpoint resolution, as for any other service (endpoints.h):
	 * AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, AWS_ENDPOINT_URL, the
	 * profile, else https://cognito-idp.REGION.amazonaws.com; never
	 * --endpoint-url, which is the service a tool calls.  Its CA bundle
	 * is used too.  May be NULL: the default endpoint. */
	const struct uktv_awsconf *conf;
	const char		*endpoint_url;	/* NULL: resolved from conf */
};

struct uktv_cognito_claims {
	char		sub[128];	/* the user id */
	char		email[320];	/* "" when the token has none */
	char		username[256];	/* cognito:username, "" when none */
	long long	exp;		/* seconds since the epoch */
};

struct uktv_cognito;

/*
 * Checks and copies the configuration (nothing is fetched yet).  Caller
 * frees with uktv_cognito_free.  NULL and err (UKTV_ERR_USAGE for a pool
 * id or client id that cannot be one, UKTV_ERR_CONFIG for no region).
 */
struct uktv_cognito *uktv_cognito_new(const struct uktv_cognito_config *,
	    struct uktv_error *);

/*
 * authorization: the Authorization header's value, the raw token (as API
 * Gateway's Cognito authorizer takes it) or "Bearer <token>".  0 and
 * claims filled when the token is valid.  -1 and err otherwise: kind
 * UKTV_ERR_NOPERM when the token is refused, its message saying why in a
 * few words ("expired", "audience \"x\" not allowed", "unknown key ...");
 * UKTV_ERR_UNAVAILABLE when the pool's keys could not be fetched;
 * UKTV_ERR_INTERNAL when out of memory.  A message never holds the token.
 * Safe to call from several threads at once.
 */
int	uktv_cognito_verify(struct uktv_cognito *, const char *authorization,
	    struct uktv_cognito_claims *, struct uktv_error *);

void	uktv_cognito_free(struct uktv_cognito *);

#endif
