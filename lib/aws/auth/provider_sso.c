/*
 * provider_sso.c: see provider_sso.h.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "endpoints.h"
#include "private/provider_sso.h"
#include "sso.h"

static int
oom(struct uktv_error *err)
{
	return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
}

/* The one line an SSO user needs: what is wrong and the command that
 * fixes it.  Never the token. */
static int
sso_login_needed(const char *profile, const char *what,
    struct uktv_error *err)
{
	return uktv_error_set(err, UKTV_ERR_NOPERM, "profile \"%s\": %s; run "
	    "\"aws sso login --profile %s\"", profile, what, profile);
}

static void
copy_err(struct uktv_error *dst, const struct uktv_error *src)
{
	if (dst != NULL)
		*dst = *src;
}

/*
 * IAM Identity Center (SDK reference guide, "IAM Identity Center credential
 * provider"; botocore's SSOProvider): a profile with any of sso_start_url,
 * sso_region, sso_account_id, sso_role_name, either with sso_session (start
 * URL and region from [sso-session NAME], token cached under the session
 * name's SHA-1, refreshed through SSO-OIDC within 15 minutes of expiry) or
 * in the legacy form (all four in the profile, token cached under the start
 * URL's SHA-1, never refreshed: `aws sso login` is the only way).
 */
int
uktv_provider_sso(struct uktv_provider_ctx *p, const char *profile,
    struct uktv_creds *out, struct uktv_error *err)
{
	const struct uktv_awsconf *c = p->conf;
	struct uktv_http *http = p->http;
	static const char *const keys[] = {
		"sso_start_url", "sso_region", "sso_account_id", "sso_role_name"
	};
	struct uktv_sso_token tok = { 0 };
	struct uktv_http *own = NULL;
	struct uktv_error lerr, werr;
	const char *session, *vals[4];
	char missing[128] = "", what[sizeof(lerr.message) + 64];
	char *path = NULL, *portal = NULL;
	char *oidc = NULL;
	time_t now = time(NULL);
	int rc = -1, any = 0, r;

	for (size_t i = 0; i < 4; i++)
		if ((vals[i] = uktv_awsconf_profile_get(c, profile, keys[i])) != NULL)
			any = 1;
	if (!any)
		return 0;
	p->fetches++;
	if ((session = uktv_awsconf_profile_get(c, profile, "sso_session")) != NULL) {
		if (!uktv_profile_has(uktv_awsconf_config_file(c),
		    UKTV_PROFILE_SSO_SESSION, session))
			return uktv_error_set(err, UKTV_ERR_CONFIG,
			    "profile \"%s\": sso_session \"%s\" has no "
			    "[sso-session %s] section in %s", profile, session,
			    session, uktv_awsconf_config_path(c));
		/* botocore: a key in both must agree; the session's is used. */
		for (size_t i = 0; i < 2; i++) {
			const char *sv = uktv_awsconf_sso_session_get(c,
			    session, keys[i]);

			if (sv != NULL && vals[i] != NULL &&
			    strcmp(sv, vals[i]) != 0)
				return uktv_error_set(err, UKTV_ERR_CONFIG,
				    "profile \"%s\": %s differs between the "
				    "profile and [sso-session %s]", profile,
				    keys[i], session);
			if (sv != NULL)
				vals[i] = sv;
		}
	}
	for (size_t i = 0; i < 4; i++)
		if (vals[i] == NULL) {
			if (missing[0] != '\0')
				strlcat(missing, ", ", sizeof(missing));
			strlcat(missing, keys[i], sizeof(missing));
		}
	if (missing[0] != '\0')
		return uktv_error_set(err, UKTV_ERR_CONFIG, "profile \"%s\" is "
		    "configured for SSO but has no %s", profile, missing);

	if ((path = uktv_sso_cache_path(uktv_awsconf_home(c),
	    session != NULL ? session : vals[0])) == NULL)
		return oom(err);
	uktv_error_clear(&lerr);
	if ((r = uktv_sso_token_read(path, &tok, &lerr)) == 0) {
		sso_login_needed(profile, "not logged in to IAM Identity Center "
		    "(no cached SSO token)", err);
		goto done;
	}
	if (r == -1) {
		if (lerr.kind == UKTV_ERR_INTERNAL) {
			copy_err(err, &lerr);
			goto done;
		}
		snprintf(what, sizeof(what), "the cached SSO token is unusable "
		    "(%s)", lerr.message);
		sso_login_needed(profile, what, err);
		goto done;
	}
	if (session != NULL && now >= tok.expires_at - UKTV_SSO_REFRESH_WINDOW &&
	    uktv_sso_token_refreshable(&tok, now)) {
		if ((http = uktv_provider_http(p, &own, err)) == NULL ||
		    (oidc = uktv_endpoints_resolve(c, &uktv_svc_sso_oidc, vals[1], 0,
		    err)) == NULL)
			goto done;
		uktv_error_clear(&lerr);
		if (uktv_sso_refresh(http, oidc, &tok, now, &lerr) == 0) {
			/* The new token works for this run even when the cache
			 * cannot be rewritten; the next run refreshes again. */
			uktv_error_clear(&werr);
			(void)uktv_sso_token_write(path, &tok, &werr);
		} else if (now >= tok.expires_at) {
			if (lerr.kind != UKTV_ERR_NOPERM &&
			    lerr.kind != UKTV_ERR_SERVICE) {
				/* Unreachable: not the user's login to blame. */
				copy_err(err, &lerr);
				uktv_error_prefix(err, "profile \"%s\"", profile);
				goto done;
			}
			snprintf(what, sizeof(what), "the SSO session has "
			    "expired and could not be refreshed (%s)", lerr.code);
			sso_login_needed(profile, what, err);
			goto done;
		}
		/* Refresh failed but the token is still good: use it. */
	}
	if (now >= tok.expires_at) {
		sso_login_needed(profile, "the SSO session has expired", err);
		goto done;
	}
	if ((http = uktv_provider_http(p, &own, err)) == NULL ||
	    (portal = uktv_endpoints_resolve(c, &uktv_svc_sso, vals[1], 0,
	    err)) == NULL)
		goto done;
	uktv_error_clear(&lerr);
	if (uktv_sso_role_credentials(http, portal, tok.access_token, vals[2],
	    vals[3], out, &lerr) == -1) {
		if (lerr.kind == UKTV_ERR_NOPERM) {
			snprintf(what, sizeof(what), "IAM Identity Center refused "
			    "the SSO session or role %s in account %s (%s)",
			    vals[3], vals[2], lerr.code);
			sso_login_needed(profile, what, err);
		} else {
			copy_err(err, &lerr);
			uktv_error_prefix(err, "profile \"%s\"", profile);
		}
		goto done;
	}
	rc = 1;
done:
	uktv_sso_token_wipe(&tok);
	uktv_http_free(own);
	free(path);
	free(portal);
	free(oidc);
	return rc;
}
