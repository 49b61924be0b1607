/*
 * provider_imds.c: see provider_imds.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "endpoints.h"
#include "private/provider_imds.h"
#include "secret.h"

#define IMDS_DEFAULT		"http://169.254.169.254"
#define IMDS_DEFAULT_IPV6	"http://[fd00:ec2::254]"
#define IMDS_TOKEN_TTL		"21600"	/* 6 h, the SDKs' value */
/* IMDS is the last resort and usually absent (a laptop): 1 s, one try. */
#define IMDS_TIMEOUT_MS		1000
#define IMDS_CREDS_PATH		"/latest/meta-data/iam/security-credentials/"

static int
oom(struct uktv_error *err)
{
	return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
}

/* One IMDS request; -1 only for a transport failure. */
static int
imds_request(struct uktv_http *http, const char *method, const char *base,
    const char *path, const char *token, struct uktv_http_response *resp)
{
	struct uktv_error lerr;
	struct uktv_header hdr;
	char *url;
	int rc;

	if (asprintf(&url, "%s%s", base, path) == -1)
		return -1;
	if (strcmp(method, "PUT") == 0) {
		hdr.name = "X-aws-ec2-metadata-token-ttl-seconds";
		hdr.value = IMDS_TOKEN_TTL;
	} else {
		hdr.name = "X-aws-ec2-metadata-token";
		hdr.value = (char *)token;
	}
	uktv_error_clear(&lerr);
	rc = uktv_http_request(http, method, url, &hdr,
	    hdr.value != NULL ? 1 : 0, NULL, 0, resp, &lerr);
	free(url);
	return rc;
}

/*
 * EC2 instance metadata, IMDSv2 (SDK reference guide, "IMDS credential
 * provider"): PUT a session token, GET the role name, GET its credentials.
 * Like botocore, a PUT answered 403/404/405 falls back to IMDSv1 unless
 * ec2_metadata_v1_disabled.  IMDS is the end of the chain, so nothing found
 * there is not an error of its own: why says what happened, for the
 * "no credentials" message.
 */
int
uktv_provider_imds(struct uktv_provider_ctx *p, struct uktv_creds *out,
    char *why,     size_t whylen, struct uktv_error *err)
{
	const struct uktv_awsconf *c = p->conf;
	struct uktv_http_opts hopts = { 0 };
	struct uktv_http_response resp = { 0 };
	struct uktv_http *http;
	const char *v, *from, *bad;
	char *base = NULL, *token = NULL, *role = NULL, *erole = NULL;
	char *path = NULL;
	int rc = 0;

	if (uktv_awsconf_is_true(uktv_awsconf_env(c, "AWS_EC2_METADATA_DISABLED"))) {
		snprintf(why, whylen, "disabled by AWS_EC2_METADATA_DISABLED");
		return 0;
	}
	if ((v = uktv_awsconf_setting(c, "AWS_EC2_METADATA_SERVICE_ENDPOINT",
	    "ec2_metadata_service_endpoint", &from)) == NULL) {
		v = uktv_awsconf_setting(c, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
		    "ec2_metadata_service_endpoint_mode", &from);
		v = v != NULL && strcasecmp(v, "IPv6") == 0 ?
		    IMDS_DEFAULT_IPV6 : IMDS_DEFAULT;
	}
	if ((base = uktv_endpoints_dup(v, err)) == NULL)
		return -1;
	p->fetches++;
	hopts.connect_timeout_ms = IMDS_TIMEOUT_MS;
	hopts.read_timeout_ms = IMDS_TIMEOUT_MS;
	if ((http = uktv_http_new(&hopts, err)) == NULL) {
		free(base);
		return -1;
	}

	if (imds_request(http, "PUT", base, "/latest/api/token", NULL,
	    &resp) == -1) {
		snprintf(why, whylen, "unreachable at %s", base);
		goto done;
	}
	if (resp.status == 200) {
		if ((token = strdup(uktv_creds_trim(resp.body))) == NULL)
			goto nomem;
	} else if (resp.status == 403 || resp.status == 404 ||
	    resp.status == 405) {
		if (uktv_awsconf_is_true(uktv_awsconf_setting(c,
		    "AWS_EC2_METADATA_V1_DISABLED", "ec2_metadata_v1_disabled",
		    &from))) {
			snprintf(why, whylen, "no IMDSv2 token (HTTP %ld) and "
			    "IMDSv1 disabled", resp.status);
			goto done;
		}
	} else {
		snprintf(why, whylen, "token request answered HTTP %ld",
		    resp.status);
		goto done;
	}
	uktv_creds_response_free(&resp);

	if (imds_request(http, "GET", base, IMDS_CREDS_PATH, token,
	    &resp) == -1) {
		snprintf(why, whylen, "unreachable at %s", base);
		goto done;
	}
	if (resp.status != 200) {
		if (resp.status == 404)
			snprintf(why, whylen, "no instance role");
		else
			snprintf(why, whylen, "role request answered HTTP %ld",
			    resp.status);
		goto done;
	}
	/* One role per instance profile: the first line. */
	resp.body[strcspn(resp.body, "\r\n")] = '\0';
	if ((role = strdup(uktv_creds_trim(resp.body))) == NULL)
		goto nomem;
	if (role[0] == '\0') {
		snprintf(why, whylen, "no instance role");
		goto done;
	}
	uktv_creds_response_free(&resp);
	if ((erole = uktv_http_urlencode(role)) == NULL ||
	    asprintf(&path, "%s%s", IMDS_CREDS_PATH, erole) == -1) {
		path = NULL;
		goto nomem;
	}
	if (imds_request(http, "GET", base, path, token, &resp) == -1) {
		snprintf(why, whylen, "unreachable at %s", base);
		goto done;
	}
	if (resp.status != 200) {
		snprintf(why, whylen, "credentials request answered HTTP %ld",
		    resp.status);
		goto done;
	}
	{
		struct json_object *o = json_tokener_parse(resp.body);
		const char *code = o != NULL ? uktv_creds_json_str(o, "Code") : NULL;

		bad = code != NULL && strcmp(code, "Success") != 0 ?
		    "Code is not Success" : NULL;
		uktv_creds_json_wipe(o);
		json_object_put(o);
	}
	if (bad == NULL && uktv_creds_from_json(resp.body, resp.body_len, "Token",
	    0, "imds", out, &bad, err) == 0)
		rc = 1;
	else if (err != NULL && err->kind == UKTV_ERR_INTERNAL)
		rc = -1;
	else
		snprintf(why, whylen, "unusable credentials for role %s (%s)",
		    role, bad);
	goto done;
nomem:
	rc = oom(err);
done:
	uktv_creds_response_free(&resp);
	uktv_http_free(http);
	uktv_secret_free(token);
	free(role);
	free(erole);
	free(path);
	free(base);
	return rc;
}
