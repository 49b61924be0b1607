/*
 * endpoints.c: see endpoints.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoints.h"

static int
oom(struct uktv_error *err)
{
	return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
}

char *
uktv_endpoints_dup(const char *url, struct uktv_error *err)
{
	char *s;
	size_t n;

	if ((s = strdup(url)) == NULL) {
		oom(err);
		return NULL;
	}
	/* "http://localhost:4566/" and "http://localhost:4566" are one endpoint;
	 * callers append paths that start with '/'. */
	n = strlen(s);
	while (n > 0 && s[n - 1] == '/')
		s[--n] = '\0';
	return s;
}

/* A region is one DNS label (botocore's validate_region_name), so it can
 * never change the host it is put into. */
static int
valid_region(const char *r)
{
	size_t n = strlen(r);

	if (n == 0 || n > 63 || r[0] == '-' || r[n - 1] == '-')
		return 0;
	for (; *r != '\0'; r++)
		if (!isalnum((unsigned char)*r) && *r != '-')
			return 0;
	return 1;
}

/* The profile's services section: services = NAME, then [services NAME]
 * with "<config_key> =\n  endpoint_url = URL". */
static const char *
services_endpoint(const struct uktv_awsconf *c,
    const struct uktv_aws_service *svc)
{
	const struct uktv_profile_ent *e;
	const char *name;

	if ((name = uktv_awsconf_get(c, "services")) == NULL)
		return NULL;
	e = uktv_profile_find(uktv_awsconf_config_file(c), UKTV_PROFILE_SERVICES,
	    name, svc->config_key);
	if (e == NULL || e->value != NULL)
		return NULL;
	for (size_t i = e->nsub; i > 0; i--)
		if (strcmp(e->sub[i - 1].key, "endpoint_url") == 0 &&
		    e->sub[i - 1].value[0] != '\0')
			return e->sub[i - 1].value;
	return NULL;
}

/*
 * The endpoint of svc in region.  honour_flag: whether --endpoint-url
 * applies; it is the endpoint of the service a tool calls, so (as for the
 * CLI's --endpoint-url) the credential providers' STS, SSO and SSO-OIDC
 * calls do not use it, while AWS_ENDPOINT_URL_<SVC>, AWS_ENDPOINT_URL and the
 * profile's endpoints apply to them as to any client the SDKs create.
 */
char *
uktv_endpoints_resolve(const struct uktv_awsconf *c,
    const struct uktv_aws_service *svc, const char *region, int honour_flag,
    struct uktv_error *err)
{
	char name[128], *url;
	const char *v;

	if (honour_flag && uktv_awsconf_endpoint_flag(c) != NULL)
		return uktv_endpoints_dup(uktv_awsconf_endpoint_flag(c), err);
	if (!uktv_awsconf_is_true(uktv_awsconf_env(c,
	    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) &&
	    !uktv_awsconf_is_true(uktv_awsconf_get(c,
	    "ignore_configured_endpoint_urls"))) {
		snprintf(name, sizeof(name), "AWS_ENDPOINT_URL_%s",
		    svc->env_suffix);
		if ((v = uktv_awsconf_env(c, name)) != NULL ||
		    (v = uktv_awsconf_env(c, "AWS_ENDPOINT_URL")) != NULL ||
		    (v = services_endpoint(c, svc)) != NULL ||
		    (v = uktv_awsconf_get(c, "endpoint_url")) != NULL)
			return uktv_endpoints_dup(v, err);
	}
	if (region == NULL) {
		uktv_error_set(err, UKTV_ERR_CONFIG,
		    "no AWS region for %s: use --region, AWS_REGION or "
		    "\"region\" in profile \"%s\"", svc->host_prefix,
		    uktv_awsconf_profile_name(c));
		return NULL;
	}
	if (!valid_region(region)) {
		uktv_error_set(err, UKTV_ERR_CONFIG,
		    "\"%s\" is not a valid AWS region name", region);
		return NULL;
	}
	/* The China partition has its own DNS suffix. */
	if (asprintf(&url, "https://%s.%s.amazonaws.com%s", svc->host_prefix,
	    region, strncmp(region, "cn-", 3) == 0 ? ".cn" : "") == -1) {
		oom(err);
		return NULL;
	}
	return url;
}

char *
uktv_endpoints_url(const struct uktv_awsconf *c,
    const struct uktv_aws_service *svc, struct uktv_error *err)
{
	return uktv_endpoints_resolve(c, svc, uktv_awsconf_region(c), 1, err);
}
