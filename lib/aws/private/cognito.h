/*
 * private/cognito.h: the clocks and the counter tests/unit/test_cognito.c
 * and tests/fuzz/fuzz_jwt.c use.  Not installed.
 */
#ifndef UKTV_PRIVATE_COGNITO_H
#define UKTV_PRIVATE_COGNITO_H

#include <time.h>

#include <json-c/json.h>

#include "cognito.h"

/* The clocks verify reads: wall seconds for exp/iat, monotonic
 * milliseconds for the refetch rule.  NULL functions: time(2) and
 * uktv_time_mono_ms.  Set before the first verify. */
struct uktv_cognito_clock {
	time_t		(*wall)(void *arg);
	long long	(*mono_ms)(void *arg);
	void		*arg;
};
void	uktv_cognito_set_clock(struct uktv_cognito *,
	    const struct uktv_cognito_clock *);
/* JWKS fetches tried so far. */
long	uktv_cognito_fetches(struct uktv_cognito *);
/* Signatures checked so far (a token remembered is not checked again). */
long	uktv_cognito_signature_checks(struct uktv_cognito *);
/* The JWKS URL the pool's keys are fetched from. */
const char *uktv_cognito_jwks_url(const struct uktv_cognito *);
/* The claims checks alone (after the signature), at wall time now. */
int	uktv_cognito_check_claims(const struct uktv_cognito *,
	    struct json_object *claims, time_t now,
	    struct uktv_cognito_claims *, struct uktv_error *);

#endif
