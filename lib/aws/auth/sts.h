/*
 * sts.h: AWS STS AssumeRole and AssumeRoleWithWebIdentity, for
 * provider_sts.c.
 *
 * Query protocol (STS API reference, "Making Query requests"): a POST of an
 * application/x-www-form-urlencoded body "Action=...&Version=2011-06-15&..."
 * to the endpoint's "/", answered with XML.  AssumeRole is signed with SigV4
 * (service "sts") using the source credentials; AssumeRoleWithWebIdentity is
 * sent unsigned, as AWS expects it (the web identity token is the proof).
 *
 * Sits below the providers (provider_sts.c calls it with the source
 * credentials, the endpoint and an http handle injected) and includes
 * nothing of the configuration: only credentials.h, sigv4.h and net/.  One
 * attempt per call: the caller's retry loop (aws.c, which asks the chain for
 * credentials on every attempt) retries what err marks retryable.  Response
 * bodies hold secrets and are wiped before they are
 * freed; no secret ever goes into err.
 */
#ifndef UKTV_STS_H
#define UKTV_STS_H

#include <stddef.h>
#include <time.h>

#include "credentials.h"
#include "error.h"
#include "http.h"

/* STS API version sent with every action. */
#define UKTV_STS_VERSION	"2011-06-15"
/* RoleSessionName: 2-64 characters of [\w+=,.@-] (AssumeRole API reference). */
#define UKTV_STS_SESSION_NAME_MAX	64

struct uktv_sts_request {
	const char	*endpoint;	/* scheme://host[:port][/base], no trailing '/' */
	const char	*region;	/* signing region (AssumeRole) */
	const char	*role_arn;
	const char	*role_session_name;
	const char	*external_id;		/* AssumeRole only; NULL: none */
	long		 duration_seconds;	/* 0: not sent (the role's default) */
	const char	*web_identity_token;	/* AssumeRoleWithWebIdentity only */
	time_t		 now;			/* signing time; 0: time(NULL) */
};

/*
 * AssumeRole signed with source.  On success out holds the role's temporary
 * credentials (source "assume-role"; caller wipes with uktv_creds_wipe).
 * Errors: AccessDenied and other auth codes UKTV_ERR_NOPERM; throttling, 5xx
 * and transport failures UKTV_ERR_UNAVAILABLE with retryable set;
 * ValidationError (a bad ARN or duration) UKTV_ERR_CONFIG; err->code holds
 * the STS code.
 */
int	uktv_sts_assume_role(struct uktv_http *, const struct uktv_sts_request *,
	    const struct uktv_creds *source, struct uktv_creds *out,
	    struct uktv_error *);
/* AssumeRoleWithWebIdentity, unsigned; out's source is "web-identity".
 * InvalidIdentityToken, ExpiredTokenException: UKTV_ERR_NOPERM;
 * IDPCommunicationError: UKTV_ERR_UNAVAILABLE, retryable. */
int	uktv_sts_assume_role_with_web_identity(struct uktv_http *,
	    const struct uktv_sts_request *, struct uktv_creds *out,
	    struct uktv_error *);

/* A RoleSessionName STS accepts: the characters [A-Za-z0-9+=,.@_-], 2..64. */
int	uktv_sts_session_name_valid(const char *);

#endif
