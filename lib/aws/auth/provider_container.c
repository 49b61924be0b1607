/*
 * provider_container.c: see provider_container.h.
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "private/provider_container.h"
#include "secret.h"

#define MAX_TOKEN_FILE		(16L * 1024)
/* ECS task role endpoint for AWS_CONTAINER_CREDENTIALS_RELATIVE_URI. */
#define CONTAINER_HOST		"http://169.254.170.2"
/* Used only when the caller gives no http handle (botocore's 2 s). */
#define CONTAINER_TIMEOUT_MS	2000

static int
oom(struct uktv_error *err)
{
	return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
}

/*
 * AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to a loopback
 * address or one of the ECS/EKS link-local hosts (botocore's
 * ContainerMetadataFetcher), so a token is never sent in clear elsewhere.
 */
static int
container_host_allowed(const char *url)
{
	static const char *const hosts[] = {
		"localhost", "169.254.170.2", "169.254.170.23", "fd00:ec2::23"
	};
	const char *h, *end, *at, *hend;
	char host[256];
	struct in_addr a4;
	struct in6_addr a6, eks6;

	if (strncasecmp(url, "https://", 8) == 0)
		return 1;
	if (strncasecmp(url, "http://", 7) != 0)
		return 0;
	h = url + 7;
	end = h + strcspn(h, "/?#");
	if ((at = memrchr(h, '@', end - h)) != NULL)
		h = at + 1;
	if (*h == '[') {
		if ((hend = memchr(h, ']', end - h)) == NULL)
			return 0;
		h++;
	} else if ((hend = memchr(h, ':', end - h)) == NULL)
		hend = end;
	if ((size_t)(hend - h) >= sizeof(host))
		return 0;
	memcpy(host, h, hend - h);
	host[hend - h] = '\0';
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
		if (strcasecmp(host, hosts[i]) == 0)
			return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1) {
		inet_pton(AF_INET6, "fd00:ec2::23", &eks6);
		return IN6_IS_ADDR_LOOPBACK(&a6) ||
		    memcmp(&a6, &eks6, sizeof(a6)) == 0;
	}
	return 0;
}

/* The Authorization value: the token file (re-read each time, EKS rotates
 * it) wins over AWS_CONTAINER_AUTHORIZATION_TOKEN.  *tok NULL: none. */
static int
container_token(const struct uktv_awsconf *c, char **tok,
    struct uktv_error *err)
{
	const char *file = uktv_awsconf_env(c,
	    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *v;
	char *text, *t;
	int rc;

	*tok = NULL;
	if (file != NULL) {
		rc = uktv_creds_file_read(file, MAX_TOKEN_FILE, &text, NULL, err);
		if (rc == 0)
			return uktv_error_set(err, UKTV_ERR_CONFIG,
			    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s does not "
			    "exist", file);
		if (rc == -1) {
			uktv_error_prefix(err,
			    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
			if (err != NULL)
				err->kind = UKTV_ERR_CONFIG;
			return -1;
		}
		/* A file written by echo ends in a newline: not part of it. */
		t = uktv_creds_trim(text);
		*tok = strdup(t);
		explicit_bzero(text, strlen(text));
		free(text);
	} else if ((v = uktv_awsconf_env(c,
	    "AWS_CONTAINER_AUTHORIZATION_TOKEN")) != NULL)
		*tok = strdup(v);
	else
		return 0;
	if (*tok == NULL)
		return oom(err);
	if (strpbrk(*tok, "\r\n") != NULL) {
		uktv_secret_free(*tok);
		*tok = NULL;
		return uktv_error_set(err, UKTV_ERR_CONFIG, "the container "
		    "authorization token is not a legal header value");
	}
	return 0;
}

int
uktv_provider_container(struct uktv_provider_ctx *p, struct uktv_creds *out,
    struct uktv_error *err)
{
	const struct uktv_awsconf *c = p->conf;
	struct uktv_http *http = p->http;
	const char *rel = uktv_awsconf_env(c,
	    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = uktv_awsconf_env(c, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
	struct uktv_http_opts hopts = { 0 };
	struct uktv_http_response resp = { 0 };
	struct uktv_http *own = NULL;
	struct uktv_header hdr;
	const char *why;
	char *url = NULL, *tok = NULL;
	int rc = -1;

	if (rel == NULL && full == NULL)
		return 0;
	p->fetches++;
	if (rel != NULL) {
		if (asprintf(&url, "%s%s", CONTAINER_HOST, rel) == -1)
			return oom(err);
	} else {
		if (!container_host_allowed(full))
			return uktv_error_set(err, UKTV_ERR_CONFIG,
			    "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, "
			    "or http to a loopback address, 169.254.170.2, "
			    "169.254.170.23 or fd00:ec2::23");
		if ((url = strdup(full)) == NULL)
			return oom(err);
	}
	if (container_token(c, &tok, err) == -1)
		goto done;
	if (http == NULL) {
		hopts.connect_timeout_ms = CONTAINER_TIMEOUT_MS;
		hopts.read_timeout_ms = CONTAINER_TIMEOUT_MS;
		if ((own = uktv_http_new(&hopts, err)) == NULL)
			goto done;
		http = own;
	}
	hdr.name = "Authorization";
	hdr.value = tok;
	if (uktv_http_request(http, "GET", url, &hdr, tok != NULL ? 1 : 0,
	    NULL, 0, &resp, err) == -1) {
		uktv_error_prefix(err, "container credentials");
		goto done;
	}
	if (resp.status != 200) {
		uktv_error_set(err, resp.status >= 500 ? UKTV_ERR_UNAVAILABLE :
		    UKTV_ERR_CONFIG, "container credentials endpoint answered "
		    "HTTP %ld", resp.status);
		if (err != NULL) {
			err->http_status = resp.status;
			err->retryable = resp.status >= 500;
		}
		goto done;
	}
	if (uktv_creds_from_json(resp.body, resp.body_len, "Token", 0, "container",
	    out, &why, err) == -1) {
		if (err == NULL || err->kind != UKTV_ERR_INTERNAL)
			uktv_error_set(err, UKTV_ERR_CONFIG, "container "
			    "credentials endpoint sent no credentials (%s)", why);
		goto done;
	}
	rc = 1;
done:
	uktv_creds_response_free(&resp);
	uktv_http_free(own);
	uktv_secret_free(tok);
	free(url);
	return rc;
}
