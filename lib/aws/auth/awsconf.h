/*
 * awsconf.h: AWS configuration as the SDKs and CLI v2 resolve it.
 *
 * Owns: the parsed ~/.aws/config and ~/.aws/credentials (profile.h), the
 * resolved profile and region, the retry settings and the cache of the
 * credentials the chain resolved (wiped on free and on refresh).  Reads the
 * environment once, in uktv_awsconf_load: AWS_*, UKTV_* and HOME; nothing
 * else in lib/ calls getenv(3) for them.
 *
 * Region:      opts->region, AWS_REGION, AWS_DEFAULT_REGION, profile "region".
 * Profile:     opts->profile, AWS_PROFILE, "default".  Files: AWS_CONFIG_FILE
 *              (default ~/.aws/config, "[profile x]" / "[default]"),
 *              AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials, "[x]").
 * Endpoint:    opts->endpoint_url, AWS_ENDPOINT_URL_<SVC>, AWS_ENDPOINT_URL,
 *              the profile's services section (services = NAME, then
 *              [services NAME] with "svc =\n  endpoint_url = ..."), the
 *              profile's endpoint_url, then
 *              https://<prefix>.<region>.amazonaws.com (endpoints.h).
 *              AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true skips all but the flag.
 * Credentials: chain.h, which resolves them along the providers in
 * botocore's order and keeps them in the cache this configuration holds.
 *
 * The configuration sits below the providers and the chain: it reads, it
 * never fetches, and it calls nothing above it.
 */
#ifndef UKTV_AWSCONF_H
#define UKTV_AWSCONF_H

#include <time.h>

#include "credentials.h"
#include "error.h"
#include "profile.h"

struct uktv_awsconf_opts {
	const char	*profile;	/* --profile, or NULL */
	const char	*region;	/* --region, or NULL */
	const char	*endpoint_url;	/* --endpoint-url, or NULL */
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
int	uktv_awsconf_profile_exists(const struct uktv_awsconf *,
	    const char *profile);
/* A value of the config file's [sso-session NAME] section, or NULL. */
const char *uktv_awsconf_sso_session_get(const struct uktv_awsconf *,
	    const char *session, const char *key);
/* The two files' paths as resolved (whether or not they exist). */
const char *uktv_awsconf_config_path(const struct uktv_awsconf *);
const char *uktv_awsconf_credentials_path(const struct uktv_awsconf *);

/* retry_mode/max_attempts from AWS_RETRY_MODE/AWS_MAX_ATTEMPTS, then the
 * profile; defaults "standard" and 3. */
int	uktv_awsconf_max_attempts(const struct uktv_awsconf *);
/* The base of every retry wait, in ms: UKTV_RETRY_BASE_MS (0 to 60000;
 * tests shorten waits with it), else the SDKs' 1000.  The AWS client, the
 * stream reader and the Watchmode client all take it from here. */
#define UKTV_RETRY_BASE_ENV		"UKTV_RETRY_BASE_MS"
#define UKTV_RETRY_BASE_DEFAULT_MS	1000L
long	uktv_awsconf_retry_base_ms(const struct uktv_awsconf *);
/* AWS_CA_BUNDLE, or NULL. */
const char *uktv_awsconf_ca_bundle(const struct uktv_awsconf *);

/* The snapshot's value of name (AWS_*, UKTV_*, HOME), NULL when unset:
 * an empty variable counts as unset ("AWS_PROFILE= cmd" to drop one). */
const char *uktv_awsconf_env(const struct uktv_awsconf *, const char *name);
/* The environment's envname, else the active profile's key; *from names
 * the one that was used (for messages). */
const char *uktv_awsconf_setting(const struct uktv_awsconf *,
	    const char *envname, const char *key, const char **from);
/* 1 when v is "true" in any case (the SDKs' boolean settings). */
int	uktv_awsconf_is_true(const char *v);
/* UKTV_S3_MAX_KEYS (S3 listing page size, for tests), or NULL when unset
 * or empty.  Read when asked, not from the snapshot: a client's S3 handles
 * may be made long after the client, and the variable read then is the one
 * that counts (tests/unit/test_s3.c sets it in between). */
const char *uktv_awsconf_s3_max_keys(const struct uktv_awsconf *);
/* HOME, else the password file's home directory; NULL when neither. */
const char *uktv_awsconf_home(const struct uktv_awsconf *);
/* 1 when the profile was given by opts (--profile): the environment's
 * credentials and web identity variables are then skipped, as by the CLI. */
int	uktv_awsconf_profile_flag(const struct uktv_awsconf *);
/* opts->endpoint_url, or NULL. */
const char *uktv_awsconf_endpoint_flag(const struct uktv_awsconf *);
const struct uktv_profile_file *uktv_awsconf_config_file(
	    const struct uktv_awsconf *);
const struct uktv_profile_file *uktv_awsconf_credentials_file(
	    const struct uktv_awsconf *);
/* The chain's cache (chain.c), kept here because it lives as long as the
 * configuration it was resolved from. */
struct uktv_creds_cache *uktv_awsconf_cache(struct uktv_awsconf *);
/* Where a credential_process may be given a timeout in seconds, over the
 * profile's credential_process_timeout. */
#define UKTV_PROCESS_TIMEOUT_ENV	"UKTV_CREDENTIAL_PROCESS_TIMEOUT"

#endif
