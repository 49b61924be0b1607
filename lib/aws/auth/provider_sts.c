/*
 * provider_sts.c: see provider_sts.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "endpoints.h"
#include "private/provider_container.h"
#include "private/provider_env.h"
#include "private/provider_imds.h"
#include "private/provider_process.h"
#include "private/provider_profile.h"
#include "private/provider_sso.h"
#include "private/provider_sts.h"
#include "sts.h"

static int
oom(struct uktv_error *err)
{
	return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
}

/* Profiles in one source_profile chain; loops are caught long before. */
#define MAX_ROLE_CHAIN		16
/* DurationSeconds: 15 min to 12 h (STS AssumeRole API reference). */
#define MIN_ROLE_DURATION	900
#define MAX_ROLE_DURATION	43200
#define MAX_WEB_TOKEN_FILE	(64L * 1024)

struct role_chain {
	const char	*visited[MAX_ROLE_CHAIN];
	size_t		 n;
};
static int	source_creds(struct uktv_provider_ctx *, const char *,
		    const char *, struct role_chain *, struct uktv_creds *,
		    struct uktv_error *);

/* botocore's _has_static_credentials: the profile names an access key. */
static int
has_static(const struct uktv_awsconf *c, const char *profile)
{
	return uktv_awsconf_profile_get(c, profile, "aws_access_key_id") != NULL;
}

/* botocore's AssumeRoleProvider takes a profile with role_arn unless it is
 * configured for web identity (that provider reads role_arn itself). */
int
uktv_provider_sts_role_profile(const struct uktv_awsconf *c,
    const char *profile)
{
	return uktv_awsconf_profile_get(c, profile, "role_arn") != NULL &&
	    uktv_awsconf_profile_get(c, profile, "web_identity_token_file") == NULL;
}

/*
 * Fills req with the regional STS endpoint of the active region (what the
 * SDKs use, and what AWS recommends; us-east-1 when no region is set at
 * all), the role and the session name; returns the handle to call STS
 * with (*own when the caller gave none), or NULL with err.
 */
static struct uktv_http *
sts_prepare(struct uktv_provider_ctx *p, struct uktv_sts_request *req,
    const char *arn, const char *name, char **endpoint,
    struct uktv_http **own, struct uktv_error *err)
{
	const char *region;

	if ((region = uktv_awsconf_region(p->conf)) == NULL)
		region = "us-east-1";
	if ((*endpoint = uktv_endpoints_resolve(p->conf, &uktv_svc_sts, region,
	    0, err)) == NULL)
		return NULL;
	req->endpoint = *endpoint;
	req->region = region;
	req->role_arn = arn;
	req->role_session_name = name;
	return uktv_provider_http(p, own, err);
}

/* RoleSessionName: envname (when given and set), the profile's
 * role_session_name, else one of our own as botocore makes one. */
static int
session_name(const struct uktv_awsconf *c, const char *profile,
    const char *envname, char *buf, size_t len, struct uktv_error *err)
{
	const char *v = envname != NULL ? uktv_awsconf_env(c, envname) : NULL;

	if (v == NULL)
		v = uktv_awsconf_profile_get(c, profile, "role_session_name");
	if (v == NULL) {
		snprintf(buf, len, "uktv-session-%lld", (long long)time(NULL));
		return 0;
	}
	if (!uktv_sts_session_name_valid(v))
		return uktv_error_set(err, UKTV_ERR_CONFIG,
		    "profile \"%s\": role_session_name \"%s\" is not 2 to %d "
		    "characters of A-Z a-z 0-9 + = , . @ _ -", profile, v,
		    UKTV_STS_SESSION_NAME_MAX);
	strlcpy(buf, v, len);
	return 0;
}

static int
role_duration(const struct uktv_awsconf *c, const char *profile, long *out,
    struct uktv_error *err)
{
	const char *v, *e = NULL;
	long long n;

	*out = 0;
	if ((v = uktv_awsconf_profile_get(c, profile, "duration_seconds")) == NULL)
		return 0;
	n = strtonum(v, MIN_ROLE_DURATION, MAX_ROLE_DURATION, &e);
	if (e != NULL)
		return uktv_error_set(err, UKTV_ERR_CONFIG,
		    "profile \"%s\": duration_seconds \"%s\" is not a number of "
		    "seconds from %d to %d", profile, v, MIN_ROLE_DURATION,
		    MAX_ROLE_DURATION);
	*out = (long)n;
	return 0;
}

/*
 * Web identity (SDK reference guide, "Assume role credential provider",
 * web identity): a token file and a role ARN, from AWS_WEB_IDENTITY_TOKEN_FILE,
 * AWS_ROLE_ARN and AWS_ROLE_SESSION_NAME (each variable winning over the
 * profile's key, as in botocore; not when use_env is 0: --profile, or a
 * source profile) or the profile's web_identity_token_file, role_arn and
 * role_session_name.  The file is read on every fetch: EKS and other
 * issuers rotate it.
 */
int
uktv_provider_web_identity(struct uktv_provider_ctx *p, const char *profile,
    int use_env, struct uktv_creds *out, struct uktv_error *err)
{
	const struct uktv_awsconf *c = p->conf;
	struct uktv_http *http = p->http;
	struct uktv_sts_request req = { 0 };
	struct uktv_http *own = NULL;
	const char *file = NULL, *arn = NULL;
	char name[UKTV_STS_SESSION_NAME_MAX + 1], *path = NULL, *text = NULL;
	char *endpoint = NULL, *tok;
	int rc = -1, r;

	if (use_env) {
		file = uktv_awsconf_env(c, "AWS_WEB_IDENTITY_TOKEN_FILE");
		arn = uktv_awsconf_env(c, "AWS_ROLE_ARN");
	}
	if (file == NULL)
		file = uktv_awsconf_profile_get(c, profile, "web_identity_token_file");
	if (file == NULL)
		return 0;
	if (arn == NULL)
		arn = uktv_awsconf_profile_get(c, profile, "role_arn");
	p->fetches++;
	if (arn == NULL)
		return uktv_error_set(err, UKTV_ERR_CONFIG,
		    "profile \"%s\": a web identity token file is set (%s) but "
		    "no role: set role_arn in the profile or AWS_ROLE_ARN",
		    profile, file);
	if (session_name(c, profile, use_env ? "AWS_ROLE_SESSION_NAME" : NULL,
	    name, sizeof(name), err) == -1 ||
	    role_duration(c, profile, &req.duration_seconds, err) == -1)
		return -1;
	if ((path = uktv_profile_expand_home(file, uktv_awsconf_home(c))) == NULL)
		return oom(err);
	if ((r = uktv_creds_file_read(path, MAX_WEB_TOKEN_FILE, &text, NULL,
	    err)) <= 0) {
		if (r == 0)
			uktv_error_set(err, UKTV_ERR_CONFIG, "profile \"%s\": "
			    "web identity token file %s does not exist",
			    profile, path);
		else if (err != NULL)
			err->kind = UKTV_ERR_CONFIG;
		goto done;
	}
	/* A file written by echo ends in a newline: not part of the token. */
	tok = uktv_creds_trim(text);
	if (*tok == '\0') {
		uktv_error_set(err, UKTV_ERR_CONFIG, "profile \"%s\": web "
		    "identity token file %s is empty", profile, path);
		goto done;
	}
	if ((http = sts_prepare(p, &req, arn, name, &endpoint, &own,
	    err)) == NULL)
		goto done;
	req.web_identity_token = tok;
	if (uktv_sts_assume_role_with_web_identity(http, &req, out, err) == -1) {
		uktv_error_prefix(err, "profile \"%s\": web identity role %s",
		    profile, arn);
		goto done;
	}
	rc = 1;
done:
	if (text != NULL) {
		explicit_bzero(text, strlen(text));
		free(text);
	}
	uktv_http_free(own);
	free(endpoint);
	free(path);
	return rc;
}

/* "a -> b -> a" for a loop message. */
static void
chain_text(const struct role_chain *ch, const char *last, char *buf,
    size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < ch->n; i++) {
		strlcat(buf, ch->visited[i], len);
		strlcat(buf, " -> ", len);
	}
	strlcat(buf, last, len);
}

/*
 * credential_source (botocore's CanonicalNameCredentialSourcer): the
 * source credentials from one provider named by the profile.  0, or -1
 * with err naming what is missing.
 */
static int
credential_source(struct uktv_provider_ctx *p, const char *profile,
    const char *csrc, struct uktv_creds *src, struct uktv_error *err)
{
	char why[160] = "no answer", missing[224];
	int r;

	if (strcmp(csrc, "Environment") == 0) {
		r = uktv_provider_env(p, src, err);
		strlcpy(missing, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
		    "are not set", sizeof(missing));
	} else if (strcmp(csrc, "EcsContainer") == 0) {
		r = uktv_provider_container(p, src, err);
		strlcpy(missing, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and "
		    "_FULL_URI are not set", sizeof(missing));
	} else if (strcmp(csrc, "Ec2InstanceMetadata") == 0) {
		r = uktv_provider_imds(p, src, why, sizeof(why), err);
		snprintf(missing, sizeof(missing), "instance metadata gave no "
		    "credentials (%s)", why);
	} else
		return uktv_error_set(err, UKTV_ERR_CONFIG, "profile \"%s\": "
		    "credential_source \"%s\" is not Environment, "
		    "Ec2InstanceMetadata or EcsContainer", profile, csrc);
	if (r == 0)
		return uktv_error_set(err, UKTV_ERR_CONFIG, "profile \"%s\": "
		    "credential_source %s, but %s", profile, csrc, missing);
	return r == -1 ? -1 : 0;
}

/*
 * role_arn with source_profile or credential_source (SDK reference guide,
 * "Assume role credential provider"; botocore's AssumeRoleProvider): the
 * source credentials are resolved, then STS AssumeRole is called with them.
 * A profile may name itself as source_profile only when it has static keys;
 * any other repeat is a loop, named with the whole chain.  mfa_serial would
 * need a prompt, which a pipeline cannot answer: refused.
 */
static int
assume_role(struct uktv_provider_ctx *p, const char *profile,
    struct role_chain *ch, struct uktv_creds *out, struct uktv_error *err)
{
	const struct uktv_awsconf *c = p->conf;
	struct uktv_http *http = p->http;
	struct uktv_sts_request req = { 0 };
	struct uktv_creds src = { 0 };
	struct uktv_http *own = NULL;
	const char *arn = uktv_awsconf_profile_get(c, profile, "role_arn");
	const char *sprof = uktv_awsconf_profile_get(c, profile, "source_profile");
	const char *csrc = uktv_awsconf_profile_get(c, profile, "credential_source");
	char name[UKTV_STS_SESSION_NAME_MAX + 1], loop[512];
	char *endpoint = NULL;
	int rc = -1;

	p->fetches++;
	if (uktv_awsconf_profile_get(c, profile, "mfa_serial") != NULL)
		return uktv_error_set(err, UKTV_ERR_CONFIG, "profile \"%s\" "
		    "has mfa_serial: uktv never prompts for an MFA code (it "
		    "runs in pipelines); use a role without MFA, or put "
		    "session credentials from \"aws sts get-session-token\" in "
		    "the environment", profile);
	if (sprof != NULL && csrc != NULL)
		return uktv_error_set(err, UKTV_ERR_CONFIG, "profile \"%s\" "
		    "has both source_profile and credential_source: keep one",
		    profile);
	if (sprof == NULL && csrc == NULL)
		return uktv_error_set(err, UKTV_ERR_CONFIG, "profile \"%s\" "
		    "has role_arn but neither source_profile nor "
		    "credential_source", profile);
	if (session_name(c, profile, NULL, name, sizeof(name), err) == -1 ||
	    role_duration(c, profile, &req.duration_seconds, err) == -1)
		return -1;
	if (ch->n == MAX_ROLE_CHAIN)
		return uktv_error_set(err, UKTV_ERR_CONFIG, "profile \"%s\": "
		    "more than %d profiles in its source_profile chain",
		    profile, MAX_ROLE_CHAIN);
	ch->visited[ch->n++] = profile;

	if (sprof != NULL) {
		if (!uktv_awsconf_profile_exists(c, sprof))
			return uktv_error_set(err, UKTV_ERR_CONFIG, "profile "
			    "\"%s\": source_profile \"%s\" is not in %s or %s",
			    profile, sprof, uktv_awsconf_config_path(c),
			    uktv_awsconf_credentials_path(c));
		for (size_t i = 0; i < ch->n; i++) {
			if (strcmp(ch->visited[i], sprof) != 0)
				continue;
			/* Itself, for its own static keys: allowed. */
			if (strcmp(sprof, profile) == 0 && has_static(c, profile))
				continue;
			chain_text(ch, sprof, loop, sizeof(loop));
			return uktv_error_set(err, UKTV_ERR_CONFIG, "profile "
			    "\"%s\": source_profile loop: %s", ch->visited[0],
			    loop);
		}
		if (source_creds(p, sprof, profile, ch, &src, err) == -1)
			return -1;
	} else if (credential_source(p, profile, csrc, &src, err) == -1)
		return -1;

	if ((http = sts_prepare(p, &req, arn, name, &endpoint, &own,
	    err)) == NULL)
		goto done;
	req.external_id = uktv_awsconf_profile_get(c, profile, "external_id");
	if (uktv_sts_assume_role(http, &req, &src, out, err) == -1) {
		uktv_error_prefix(err, "profile \"%s\": assume role %s", profile,
		    arn);
		goto done;
	}
	rc = 1;
done:
	uktv_creds_wipe(&src);
	uktv_http_free(own);
	free(endpoint);
	return rc;
}

/*
 * The credentials of a source_profile (botocore's
 * _resolve_credentials_from_profile): a profile with static keys, or one
 * that is not a role profile, goes through the profile providers (web
 * identity, SSO, credentials file, credential_process, config file; no
 * environment); a role profile is assumed in turn.  0 or -1.
 */
static int
source_creds(struct uktv_provider_ctx *p, const char *name,
    const char *parent, struct role_chain *ch, struct uktv_creds *out,
    struct uktv_error *err)
{
	const struct uktv_awsconf *c = p->conf;
	int rc;

	if (!has_static(c, name) && uktv_provider_sts_role_profile(c, name))
		return assume_role(p, name, ch, out, err) == 1 ? 0 : -1;
	rc = uktv_provider_web_identity(p, name, 0, out, err);
	if (rc == 0)
		rc = uktv_provider_sso(p, name, out, err);
	if (rc == 0)
		rc = uktv_provider_profile(p,
		    uktv_awsconf_credentials_file(c), name, out, err);
	if (rc == 0)
		rc = uktv_provider_process(p, name, out, err);
	if (rc == 0)
		rc = uktv_provider_profile(p, uktv_awsconf_config_file(c),
		    name, out, err);
	if (rc == 0)
		return uktv_error_set(err, UKTV_ERR_CONFIG, "profile \"%s\": its "
		    "source_profile \"%s\" has no credentials", parent, name);
	return rc < 0 ? -1 : 0;
}

int
uktv_provider_assume_role(struct uktv_provider_ctx *p, const char *profile,
    struct uktv_creds *out, struct uktv_error *err)
{
	struct role_chain ch = { .n = 0 };

	return assume_role(p, profile, &ch, out, err);
}
