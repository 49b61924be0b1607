/*
 * chain.c: see chain.h.  botocore's order: environment, assume role, web
 * identity, SSO, static keys from the credentials file, credential_process,
 * static keys from the config file, container credentials, EC2 IMDSv2.  A
 * --profile flag (not AWS_PROFILE) skips the environment keys and the web
 * identity variables, as the CLI does.
 */
#include <string.h>
#include <time.h>

#include "chain.h"
#include "private/provider.h"
#include "private/provider_container.h"
#include "private/provider_env.h"
#include "private/provider_imds.h"
#include "private/provider_process.h"
#include "private/provider_profile.h"
#include "private/provider_sso.h"
#include "private/provider_sts.h"

/*
 * The profile providers botocore runs before the profile's static keys:
 * assume role, web identity (with the environment's variables unless
 * --profile was given), SSO.  One resolution counts as one fetch, however
 * many profiles and calls its chain took.  1 with out filled, 0 when the
 * profile has none of them, -1 with err.
 */
static int
from_profile_role(struct uktv_provider_ctx *p, struct uktv_creds *out,
    struct uktv_error *err)
{
	const struct uktv_awsconf *c = p->conf;
	const char *profile = uktv_awsconf_profile_name(c);
	long before = p->fetches;
	int rc;

	if (uktv_provider_sts_role_profile(c, profile))
		rc = uktv_provider_assume_role(p, profile, out, err);
	else {
		rc = uktv_provider_web_identity(p, profile,
		    !uktv_awsconf_profile_flag(c), out, err);
		if (rc == 0)
			rc = uktv_provider_sso(p, profile, out, err);
	}
	if (p->fetches != before)
		p->fetches = before + 1;
	return rc;
}

/* The chain, in order; 0 with out filled, -1 with err. */
static int
resolve(struct uktv_provider_ctx *p, struct uktv_creds *out,
    struct uktv_error *err)
{
	const struct uktv_awsconf *c = p->conf;
	const char *profile = uktv_awsconf_profile_name(c);
	char imds_why[160] = "no answer";
	int rc = 0;

	if (!uktv_awsconf_profile_flag(c))
		rc = uktv_provider_env(p, out, err);
	if (rc == 0)
		rc = from_profile_role(p, out, err);
	if (rc == 0)
		rc = uktv_provider_profile(p,
		    uktv_awsconf_credentials_file(c), profile, out, err);
	if (rc == 0)
		rc = uktv_provider_process(p, profile, out, err);
	if (rc == 0)
		rc = uktv_provider_profile(p,
		    uktv_awsconf_config_file(c), profile, out, err);
	if (rc == 0)
		rc = uktv_provider_container(p, out, err);
	if (rc == 0)
		rc = uktv_provider_imds(p, out, imds_why, sizeof(imds_why), err);
	if (rc > 0)
		return 0;
	if (rc < 0)
		return -1;
	return uktv_error_set(err, UKTV_ERR_CONFIG,
	    "no AWS credentials for profile \"%s\": looked in %s%s and %s, "
	    "container credentials (AWS_CONTAINER_CREDENTIALS_*_URI unset) "
	    "and EC2 instance metadata (%s)", profile,
	    uktv_awsconf_profile_flag(c) ? "" : "AWS_ACCESS_KEY_ID, ",
	    uktv_awsconf_credentials_path(c), uktv_awsconf_config_path(c),
	    imds_why);
}

const struct uktv_creds *
uktv_awsconf_credentials(struct uktv_awsconf *c, struct uktv_http *http,
    struct uktv_error *err)
{
	struct uktv_creds_cache *cache = uktv_awsconf_cache(c);
	struct uktv_provider_ctx p = { c, http, cache->fetches };
	const struct uktv_creds *cur;
	struct uktv_creds fresh;
	struct uktv_error lerr;
	time_t now = time(NULL);
	int rc;

	if ((cur = uktv_creds_cache_get(cache, now)) != NULL)
		return cur;
	memset(&fresh, 0, sizeof(fresh));
	uktv_error_clear(&lerr);
	rc = resolve(&p, &fresh, &lerr);
	cache->fetches = p.fetches;
	if (rc == 0)
		return uktv_creds_cache_put(cache, &fresh);
	uktv_creds_wipe(&fresh);
	if ((cur = uktv_creds_cache_keep(cache, now)) == NULL && err != NULL)
		*err = lerr;
	return cur;
}
