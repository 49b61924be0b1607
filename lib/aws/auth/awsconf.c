/*
 * awsconf.c: see awsconf.h.  The configuration: the environment, read once,
 * the two profile files (profile.c), the active profile, region and retry
 * settings.  The rules are the AWS SDKs and Tools Reference Guide's; where
 * the guide is silent we do what AWS CLI v2 (botocore) does: the credentials
 * file's values win over the config file's for the same profile (botocore
 * merges them into one profile).  Endpoints are endpoints.c's, credentials
 * the chain's (chain.c): this file calls neither.
 */
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "private/awsconf.h"
#include "secret.h"

extern char **environ;

#define DEFAULT_REFRESH_MARGIN	300	/* seconds; the SDKs refresh 5 min early */
#define MAX_REFRESH_MARGIN	86400
#define DEFAULT_MAX_ATTEMPTS	3	/* SDK reference guide, "Retry behavior" */

struct envvar {
	char	*name;
	char	*value;
};

struct uktv_awsconf {
	struct envvar	*env;		/* AWS_*, UKTV_* and HOME, read once at
					 * load */
	size_t		 nenv;
	struct uktv_profile_file config;
	struct uktv_profile_file cred;
	char		*home;		/* for ~/.aws/sso/cache */
	char		*profile;
	int		 profile_flag;	/* given by opts: env keys are skipped */
	int		 profile_named;	/* by opts or AWS_PROFILE */
	char		*region;
	char		*endpoint_flag;
	char		 retry_mode[16];
	int		 max_attempts;
	long		 retry_base_ms;
	struct uktv_creds_cache cache;	/* the chain's (chain.c) */
};

static int
oom(struct uktv_error *err)
{
	return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
}


static int
env_snapshot(struct uktv_awsconf *c)
{
	for (char **e = environ; e != NULL && *e != NULL; e++) {
		const char *eq;
		struct envvar *a, *v;

		if (strncmp(*e, "AWS_", 4) != 0 && strncmp(*e, "HOME=", 5) != 0 &&
		    strncmp(*e, "UKTV_", 5) != 0)
			continue;
		if ((eq = strchr(*e, '=')) == NULL)
			continue;
		if ((a = reallocarray(c->env, c->nenv + 1, sizeof(*a))) == NULL)
			return -1;
		c->env = a;
		v = &a[c->nenv];
		if ((v->name = strndup(*e, eq - *e)) == NULL)
			return -1;
		if ((v->value = strdup(eq + 1)) == NULL) {
			free(v->name);
			return -1;
		}
		c->nenv++;
	}
	return 0;
}

/* An empty variable counts as unset ("AWS_PROFILE= cmd" to drop one). */
const char *
uktv_awsconf_env(const struct uktv_awsconf *c, const char *name)
{
	for (size_t i = 0; i < c->nenv; i++)
		if (strcmp(c->env[i].name, name) == 0)
			return c->env[i].value[0] != '\0' ? c->env[i].value : NULL;
	return NULL;
}

int
uktv_awsconf_is_true(const char *v)
{
	return v != NULL && strcasecmp(v, "true") == 0;
}

/* Setting from the environment, else from the profile; *from names it. */
const char *
uktv_awsconf_setting(const struct uktv_awsconf *c, const char *envname,
    const char *key, const char **from)
{
	const char *v;

	if ((v = uktv_awsconf_env(c, envname)) != NULL) {
		*from = envname;
		return v;
	}
	*from = key;
	return uktv_awsconf_profile_get(c, c->profile, key);
}

/* The file named by envname, else ~/.aws/name.  Caller frees. */
static char *
file_path(const struct uktv_awsconf *c, const char *envname, const char *name,
    const char *home)
{
	const char *v;
	char *s;

	if ((v = uktv_awsconf_env(c, envname)) != NULL)
		return uktv_profile_expand_home(v, home);
	if (asprintf(&s, "%s/.aws/%s", home != NULL ? home : "", name) == -1)
		return NULL;
	return s;
}
/* ---------------------------------------------------------------- */
/* Load                                                              */
/* ---------------------------------------------------------------- */

static int
load_retry(struct uktv_awsconf *c, struct uktv_error *err)
{
	const char *v, *from, *e = NULL;
	long long n;

	strlcpy(c->retry_mode, "standard", sizeof(c->retry_mode));
	if ((v = uktv_awsconf_setting(c, "AWS_RETRY_MODE", "retry_mode",
	    &from)) != NULL) {
		if (strcmp(v, "standard") != 0 && strcmp(v, "adaptive") != 0 &&
		    strcmp(v, "legacy") != 0)
			return uktv_error_set(err, UKTV_ERR_CONFIG,
			    "%s \"%s\" is not legacy, standard or adaptive",
			    from, v);
		strlcpy(c->retry_mode, v, sizeof(c->retry_mode));
	}
	c->max_attempts = DEFAULT_MAX_ATTEMPTS;
	if ((v = uktv_awsconf_setting(c, "AWS_MAX_ATTEMPTS", "max_attempts",
	    &from)) != NULL) {
		n = strtonum(v, 1, INT_MAX, &e);
		if (e != NULL)
			return uktv_error_set(err, UKTV_ERR_CONFIG,
			    "%s \"%s\" is not a whole number of at least 1",
			    from, v);
		c->max_attempts = (int)n;
	}
	/* Tests shorten every retry wait at once; an unusable value keeps
	 * the SDKs' base, as it always has. */
	c->retry_base_ms = UKTV_RETRY_BASE_DEFAULT_MS;
	if ((v = uktv_awsconf_env(c, UKTV_RETRY_BASE_ENV)) != NULL) {
		n = strtonum(v, 0, 60000, &e);
		if (e == NULL)
			c->retry_base_ms = (long)n;
	}
	c->cache.refresh_margin = DEFAULT_REFRESH_MARGIN;
	if ((v = uktv_awsconf_env(c, "AWS_CREDENTIALS_REFRESH_MARGIN")) != NULL) {
		n = strtonum(v, 0, MAX_REFRESH_MARGIN, &e);
		if (e != NULL)
			return uktv_error_set(err, UKTV_ERR_CONFIG,
			    "AWS_CREDENTIALS_REFRESH_MARGIN \"%s\" is not a "
			    "number of seconds from 0 to %d", v,
			    MAX_REFRESH_MARGIN);
		c->cache.refresh_margin = (long)n;
	}
	return 0;
}

struct uktv_awsconf *
uktv_awsconf_load(const struct uktv_awsconf_opts *opts, struct uktv_error *err)
{
	struct uktv_awsconf_opts none = { 0 };
	struct uktv_awsconf *c;
	const char *home, *v;
	char *path = NULL;

	if (opts == NULL)
		opts = &none;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		oom(err);
		return NULL;
	}
	if (env_snapshot(c) == -1)
		goto nomem;
	if ((home = uktv_awsconf_env(c, "HOME")) == NULL) {
		struct passwd *pw = getpwuid(getuid());

		home = pw != NULL ? pw->pw_dir : NULL;
	}
	if (home != NULL && (c->home = strdup(home)) == NULL)
		goto nomem;

	/* Files: AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, else ~/.aws. */
	if ((path = file_path(c, "AWS_CONFIG_FILE", "config", home)) == NULL)
		goto nomem;
	if (uktv_profile_load(&c->config, path, 1, err) == -1)
		goto fail;
	free(path);
	if ((path = file_path(c, "AWS_SHARED_CREDENTIALS_FILE", "credentials",
	    home)) == NULL)
		goto nomem;
	if (uktv_profile_load(&c->cred, path, 0, err) == -1)
		goto fail;
	free(path);
	path = NULL;

	/* Profile: --profile, AWS_PROFILE, "default". */
	if (opts->profile != NULL && opts->profile[0] != '\0') {
		v = opts->profile;
		c->profile_flag = c->profile_named = 1;
	} else if ((v = uktv_awsconf_env(c, "AWS_PROFILE")) != NULL)
		c->profile_named = 1;
	else
		v = "default";
	if ((c->profile = strdup(v)) == NULL)
		goto nomem;
	if (c->profile_named && !uktv_awsconf_profile_exists(c, c->profile)) {
		uktv_error_set(err, UKTV_ERR_CONFIG,
		    "profile \"%s\" (from %s) is not in %s or %s", c->profile,
		    c->profile_flag ? "--profile" : "AWS_PROFILE",
		    c->config.path, c->cred.path);
		goto fail;
	}

	/* Region: --region, AWS_REGION, AWS_DEFAULT_REGION, profile. */
	if (opts->region != NULL && opts->region[0] != '\0')
		v = opts->region;
	else if ((v = uktv_awsconf_env(c, "AWS_REGION")) == NULL &&
	    (v = uktv_awsconf_env(c, "AWS_DEFAULT_REGION")) == NULL)
		v = uktv_awsconf_profile_get(c, c->profile, "region");
	if (v != NULL && (c->region = strdup(v)) == NULL)
		goto nomem;
	if (opts->endpoint_url != NULL && opts->endpoint_url[0] != '\0' &&
	    (c->endpoint_flag = strdup(opts->endpoint_url)) == NULL)
		goto nomem;

	if (load_retry(c, err) == -1)
		goto fail;
	return c;
nomem:
	oom(err);
fail:
	free(path);
	uktv_awsconf_free(c);
	return NULL;
}

void
uktv_awsconf_free(struct uktv_awsconf *c)
{
	if (c == NULL)
		return;
	uktv_creds_cache_wipe(&c->cache);
	for (size_t i = 0; i < c->nenv; i++) {
		free(c->env[i].name);
		/* AWS_SECRET_ACCESS_KEY, AWS_CONTAINER_AUTHORIZATION_TOKEN ... */
		uktv_secret_free(c->env[i].value);
	}
	free(c->env);
	uktv_profile_clear(&c->config);
	uktv_profile_clear(&c->cred);
	free(c->home);
	free(c->profile);
	free(c->region);
	free(c->endpoint_flag);
	free(c);
}

const char *
uktv_awsconf_profile_name(const struct uktv_awsconf *c)
{
	return c->profile;
}

const char *
uktv_awsconf_region(const struct uktv_awsconf *c)
{
	return c->region;
}

const char *
uktv_awsconf_get(const struct uktv_awsconf *c, const char *key)
{
	return uktv_awsconf_profile_get(c, c->profile, key);
}

const char *
uktv_awsconf_profile_get(const struct uktv_awsconf *c, const char *profile,
    const char *key)
{
	const char *v;

	/* botocore merges the credentials file's profile over the config
	 * file's. */
	if ((v = uktv_profile_value(&c->cred, profile, key)) != NULL)
		return v;
	return uktv_profile_value(&c->config, profile, key);
}

int
uktv_awsconf_profile_exists(const struct uktv_awsconf *c, const char *profile)
{
	return uktv_profile_has(&c->config, UKTV_PROFILE_PROFILE, profile) ||
	    uktv_profile_has(&c->cred, UKTV_PROFILE_PROFILE, profile);
}

const char *
uktv_awsconf_sso_session_get(const struct uktv_awsconf *c,
    const char *session, const char *key)
{
	const struct uktv_profile_ent *e;

	e = uktv_profile_find(&c->config, UKTV_PROFILE_SSO_SESSION, session, key);
	if (e == NULL || e->value == NULL || e->value[0] == '\0')
		return NULL;
	return e->value;
}

const char *
uktv_awsconf_config_path(const struct uktv_awsconf *c)
{
	return c->config.path;
}

const char *
uktv_awsconf_credentials_path(const struct uktv_awsconf *c)
{
	return c->cred.path;
}

int
uktv_awsconf_max_attempts(const struct uktv_awsconf *c)
{
	return c->max_attempts;
}

const char *
uktv_awsconf_retry_mode(const struct uktv_awsconf *c)
{
	return c->retry_mode;
}

long
uktv_awsconf_retry_base_ms(const struct uktv_awsconf *c)
{
	return c->retry_base_ms;
}

const char *
uktv_awsconf_ca_bundle(const struct uktv_awsconf *c)
{
	return uktv_awsconf_env(c, "AWS_CA_BUNDLE");
}


const char *
uktv_awsconf_s3_max_keys(const struct uktv_awsconf *c)
{
	const char *v = getenv("UKTV_S3_MAX_KEYS");

	(void)c;
	return v != NULL && v[0] != '\0' ? v : NULL;
}

const char *
uktv_awsconf_home(const struct uktv_awsconf *c)
{
	return c->home;
}

int
uktv_awsconf_profile_flag(const struct uktv_awsconf *c)
{
	return c->profile_flag;
}

const char *
uktv_awsconf_endpoint_flag(const struct uktv_awsconf *c)
{
	return c->endpoint_flag;
}

const struct uktv_profile_file *
uktv_awsconf_config_file(const struct uktv_awsconf *c)
{
	return &c->config;
}

const struct uktv_profile_file *
uktv_awsconf_credentials_file(const struct uktv_awsconf *c)
{
	return &c->cred;
}

struct uktv_creds_cache *
uktv_awsconf_cache(struct uktv_awsconf *c)
{
	return &c->cache;
}

void
uktv_awsconf_set_refresh_margin(struct uktv_awsconf *c, long seconds)
{
	c->cache.refresh_margin = seconds < 0 ? 0 : seconds;
}

long
uktv_awsconf_refresh_margin(const struct uktv_awsconf *c)
{
	return c->cache.refresh_margin;
}

long
uktv_awsconf_credential_fetches(const struct uktv_awsconf *c)
{
	return c->cache.fetches;
}
