/*
 * chain.h: the default credentials chain (the shape of aws-c-auth's
 * credentials_provider_default_chain.c), composing one provider per file.
 *
 * Credentials, in the order of the AWS SDKs (botocore's resolver; SDKs and
 * Tools Reference Guide, "Understand the credential provider chain"):
 *   1. environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 *      AWS_SESSION_TOKEN (skipped when opts->profile is given, as the
 *      CLI's --profile does);
 *   2. assume role: the profile's role_arn with source_profile (a chain of
 *      profiles; a loop is an error naming it) or credential_source
 *      (Environment, Ec2InstanceMetadata, EcsContainer); role_session_name,
 *      external_id, duration_seconds; mfa_serial is refused (no prompt in a
 *      pipeline).  STS AssumeRole, regional endpoint (sts.h);
 *   3. web identity: AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN,
 *      AWS_ROLE_SESSION_NAME (not with opts->profile), else the profile's
 *      web_identity_token_file and role_arn: AssumeRoleWithWebIdentity;
 *   4. IAM Identity Center (SSO): sso_session + [sso-session NAME], or the
 *      legacy sso_start_url/sso_region/sso_account_id/sso_role_name, with
 *      the token `aws sso login` cached in ~/.aws/sso/cache (sso.h);
 *   5. static keys of the profile in the credentials file;
 *   6. credential_process;
 *   7. static keys of the profile in the config file;
 *   8. container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI /
 *      _FULL_URI);
 *   9. EC2 instance metadata, IMDSv2 (off with AWS_EC2_METADATA_DISABLED).
 * A source_profile's own credentials come from 3-7 of that profile (no
 * environment), or from assuming its role when it is a role profile without
 * static keys.  STS, SSO and SSO-OIDC endpoints follow the endpoint rules
 * above except --endpoint-url, which is the called service's alone.
 * Credential sources (struct uktv_creds.source): "environment", "profile",
 * "credential_process", "assume-role", "web-identity", "sso", "container",
 * "imds".
 *
 * The chain sits above every provider and the configuration: it is the
 * only file that knows the order, and nothing below it calls back up.
 * Its entries keep the awsconf names their callers have always used.
 */
#ifndef UKTV_CHAIN_H
#define UKTV_CHAIN_H

#include "awsconf.h"
#include "credentials.h"
#include "error.h"
#include "http.h"

/*
 * Current credentials, resolved on first use along the chain above and cached;
 * temporary credentials are refreshed once they are within the refresh margin
 * of their expiration.  The pointer stays owned by conf and valid until the
 * next call.  No credentials anywhere: NULL, UKTV_ERR_CONFIG, one line that
 * says where uktv looked.  http is used for container credentials, STS and
 * SSO (NULL: a handle of its own for the call).  Errors are one line, name
 * the profile and never hold a secret or token: an SSO login that has
 * expired or is missing is UKTV_ERR_NOPERM with the "aws sso login
 * --profile NAME" to run; a failed refresh keeps credentials that have not
 * expired yet.
 */
const struct uktv_creds *uktv_awsconf_credentials(struct uktv_awsconf *,
	    struct uktv_http *, struct uktv_error *);

#endif
