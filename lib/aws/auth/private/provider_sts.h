/*
 * provider_sts.h: credentials from STS (SDK reference guide, "Assume role
 * credential provider"; botocore's AssumeRoleProvider and
 * AssumeRoleWithWebIdentityProvider).
 *
 * Assume role: the profile's role_arn with source_profile (a chain of
 * profiles; a loop is an error naming it) or credential_source (Environment,
 * Ec2InstanceMetadata, EcsContainer); role_session_name, external_id,
 * duration_seconds; mfa_serial is refused (no prompt in a pipeline).  A
 * source_profile's own credentials come from web identity, SSO, the
 * credentials file, credential_process or the config file of that profile
 * (no environment), or from assuming its role when it is a role profile
 * without static keys: this provider sits above those it takes its source
 * credentials from, and calls them; it never calls the chain.
 *
 * Web identity: AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN,
 * AWS_ROLE_SESSION_NAME (when use_env), else the profile's
 * web_identity_token_file and role_arn: AssumeRoleWithWebIdentity.
 *
 * Both call the regional STS endpoint of the active region (endpoints.h)
 * through sts.h.
 */
#ifndef UKTV_PROVIDER_STS_H
#define UKTV_PROVIDER_STS_H

#include "provider.h"

/* 1 when profile has role_arn and is not configured for web identity. */
int	uktv_provider_sts_role_profile(const struct uktv_awsconf *,
	    const char *profile);
/* Assumes profile's role (source "assume-role"). */
int	uktv_provider_assume_role(struct uktv_provider_ctx *, const char *profile,
	    struct uktv_creds *out, struct uktv_error *);
/* 0 when profile (or, with use_env, the environment) names no token file. */
int	uktv_provider_web_identity(struct uktv_provider_ctx *,
	    const char *profile, int use_env, struct uktv_creds *out,
	    struct uktv_error *);

#endif
