/*
 * awsconf.h: AWS configuration as the SDKs and CLI v2 resolve it.
 *
 * Owns: the parsed ~/.aws/config and ~/.aws/credentials, the resolved profile
 * and region, and the cached credentials (wiped with explicit_bzero on free
 * and on refresh).  Reads the environment once, in uktv_awsconf_load.
 *
 * Region:      opts->region, AWS_REGION, AWS_DEFAULT_REGION, profile "region".
 * Profile:     opts->profile, AWS_PROFILE, "default".  Files: AWS_CONFIG_FILE
 *              (default ~/.aws/config, "[profile x]" / "[default]"),
 *              AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials, "[x]").
 * Endpoint:    opts->endpoint_url, AWS_ENDPOINT_URL_<SVC>, AWS_ENDPOINT_URL,
 *              the profile's services section (services = NAME, then
 *              [services NAME] with "svc =\n  endpoint_url = ..."), the
 *              profile's endpoint_url, then https://<prefix>.<region>.amazonaws.com.
 *              AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true skips all but the flag.
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
 */
#ifndef UKTV_AWSCONF_H
#define UKTV_AWSCONF_H

#include <time.h>

#include "awsservice.h"
#include "error.h"
#include "time.h"
#include "http.h"

struct uktv_awsconf_opts {
	const char	*profile;	/* --profile, or NULL */
	const char	*region;	/* --region, or NULL */
	const char	*endpoint_url;	/* --endpoint-url, or NULL */
};

struct uktv_creds {
	char	*access_key_id;
	char	*secret_access_key;
	char	*session_token;		/* NULL when none */
	time_t	 expiration;		/* 0: does not expire */
	const char *source;		/* "environment", "profile", ... (static) */
};

struct uktv_awsconf;

/*
 * Reads environment and files.  A profile named by --profile or AWS_PROFILE
 * that exists in neither file is a UKTV_ERR_CONFIG error; a missing file is
 * not.  Caller frees with uktv_awsconf_free.
 */
struct uktv_awsconf *uktv_awsconf_load(const struct uktv_awsconf_opts *,
	    struct uktv_error *);
void	uktv_awsconf_free(struct uktv_awsconf *);

const char *uktv_awsconf_profile_name(const struct uktv_awsconf *);
/* NULL when no region is configured anywhere. */
const char *uktv_awsconf_region(const struct uktv_awsconf *);
/* A value of the active profile ("retry_mode", ...), or NULL.  As in the
 * CLI, the credentials file's value wins over the config file's. */
const char *uktv_awsconf_get(const struct uktv_awsconf *, const char *key);
/* The same for any profile (source_profile chains), or NULL. */
const char *uktv_awsconf_profile_get(const struct uktv_awsconf *,
	    const char *profile, const char *key);
/* 1 when profile has a section in either file. */
int	uktv_awsconf_profile_exists(const struct uktv_awsconf *, const char *profile);
/* A value of the config file's [sso-session NAME] section, or NULL. */
const char *uktv_awsconf_sso_session_get(const struct uktv_awsconf *,
	    const char *session, const char *key);
/* The two files' paths as resolved (whether or not they exist). */
const char *uktv_awsconf_config_path(const struct uktv_awsconf *);
const char *uktv_awsconf_credentials_path(const struct uktv_awsconf *);

/* Endpoint URL for svc (no trailing slash).  Caller frees.  NULL + err
 * (UKTV_ERR_CONFIG) when the default endpoint is needed and no region is set. */
char	*uktv_awsconf_endpoint(const struct uktv_awsconf *,
	    const struct uktv_aws_service *, struct uktv_error *);

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
/* Seconds before expiration at which cached credentials are refreshed
 * (default 300; AWS_CREDENTIALS_REFRESH_MARGIN overrides, for tests). */
void	uktv_awsconf_set_refresh_margin(struct uktv_awsconf *, long seconds);
/* How many times the chain fetched credentials (tests count refreshes): one
 * per provider invoked, a whole assume-role / SSO / web identity resolution
 * (however many profiles and calls it took) counting once. */
long	uktv_awsconf_credential_fetches(const struct uktv_awsconf *);
long	uktv_awsconf_refresh_margin(const struct uktv_awsconf *);
/* retry_mode/max_attempts from AWS_RETRY_MODE/AWS_MAX_ATTEMPTS, then the
 * profile; defaults "standard" and 3. */
int	uktv_awsconf_max_attempts(const struct uktv_awsconf *);
const char *uktv_awsconf_retry_mode(const struct uktv_awsconf *);
/* The base of every retry wait, in ms: UKTV_RETRY_BASE_MS (0 to 60000;
 * tests shorten waits with it), else the SDKs' 1000.  The AWS client, the
 * stream reader and the Watchmode client all take it from here. */
#define UKTV_RETRY_BASE_ENV		"UKTV_RETRY_BASE_MS"
#define UKTV_RETRY_BASE_DEFAULT_MS	1000L
long	uktv_awsconf_retry_base_ms(const struct uktv_awsconf *);
/* AWS_CA_BUNDLE, or NULL. */
const char *uktv_awsconf_ca_bundle(const struct uktv_awsconf *);

void	uktv_creds_wipe(struct uktv_creds *);

#endif
