/*
 * provider_sso.h: IAM Identity Center credentials (SDK reference guide,
 * "IAM Identity Center credential provider"; botocore's SSOProvider): a
 * profile with sso_session + [sso-session NAME], or the legacy
 * sso_start_url/sso_region/sso_account_id/sso_role_name, with the token
 * `aws sso login` cached in ~/.aws/sso/cache (sso.h).  Source "sso".
 */
#ifndef UKTV_PROVIDER_SSO_H
#define UKTV_PROVIDER_SSO_H

#include "provider.h"

/* 0 when profile has none of the sso_* keys.  An SSO login that has expired
 * or is missing is UKTV_ERR_NOPERM with the "aws sso login --profile NAME"
 * to run. */
int	uktv_provider_sso(struct uktv_provider_ctx *, const char *profile,
	    struct uktv_creds *out, struct uktv_error *);

#endif
