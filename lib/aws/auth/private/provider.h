/*
 * provider.h: what the chain gives every credentials provider (the shape of
 * aws-c-auth's credentials_provider_*.c): the configuration to read, the
 * caller's http handle, and a count of fetches for the tests.
 *
 * Each provider_*.c has one entry that returns 1 with out filled, 0 when
 * its source is not configured (the chain moves on), or -1 with err.  A
 * provider reads the configuration and calls what sits below it (STS, SSO,
 * the providers it takes source credentials from); none calls the chain.
 */
#ifndef UKTV_PROVIDER_H
#define UKTV_PROVIDER_H

#include "awsconf.h"
#include "credentials.h"
#include "error.h"
#include "http.h"

struct uktv_provider_ctx {
	const struct uktv_awsconf *conf;
	struct uktv_http	*http;		/* the caller's, or NULL */
	long			 fetches;	/* providers invoked */
};

/* ctx->http, or a handle of our own in *own (caller frees) when the caller
 * gave none. */
struct uktv_http *uktv_provider_http(const struct uktv_provider_ctx *,
	    struct uktv_http **own, struct uktv_error *);

#endif
