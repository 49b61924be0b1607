/*
 * endpoints.h: the endpoint of a service as the SDKs resolve it (SDK
 * reference guide, "Service-specific endpoints"): opts->endpoint_url,
 * AWS_ENDPOINT_URL_<SVC>, AWS_ENDPOINT_URL, the profile's services section
 * (services = NAME, then [services NAME] with "svc =\n  endpoint_url = ..."),
 * the profile's endpoint_url, then https://<prefix>.<region>.amazonaws.com
 * (".cn" in the China partition).  AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true
 * (or the profile's ignore_configured_endpoint_urls) skips all but the flag.
 *
 * Reads the configuration (awsconf.h) and nothing above it: the STS and SSO
 * providers use it for their own endpoints.
 */
#ifndef UKTV_ENDPOINTS_H
#define UKTV_ENDPOINTS_H

#include "awsconf.h"
#include "awsservice.h"
#include "error.h"

/* Endpoint URL for svc in the configured region (no trailing slash), caller
 * frees.  NULL + err (UKTV_ERR_CONFIG) when the default endpoint is needed
 * and no region is set, or the region is not a DNS label. */
char	*uktv_endpoints_url(const struct uktv_awsconf *,
	    const struct uktv_aws_service *, struct uktv_error *);
/*
 * The endpoint of svc in region.  honour_flag: whether --endpoint-url
 * applies; it is the endpoint of the service a tool calls, so (as for the
 * CLI's --endpoint-url) the credential providers' STS, SSO and SSO-OIDC
 * calls pass 0, while AWS_ENDPOINT_URL_<SVC>, AWS_ENDPOINT_URL and the
 * profile's endpoints apply to them as to any client the SDKs create.
 */
char	*uktv_endpoints_resolve(const struct uktv_awsconf *,
	    const struct uktv_aws_service *, const char *region,
	    int honour_flag, struct uktv_error *);
/* url without trailing slashes ("http://h:4566/" and "http://h:4566" are
 * one endpoint; callers append paths that start with '/').  Caller frees. */
char	*uktv_endpoints_dup(const char *url, struct uktv_error *);

#endif
