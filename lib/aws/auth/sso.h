/*
 * sso.h: IAM Identity Center (SSO) for provider_sso.c: the
 * token cache that `aws sso login` writes, its refresh through SSO-OIDC
 * CreateToken, and the portal's GetRoleCredentials.
 *
 * Cache: ~/.aws/sso/cache/<SHA-1 hex of the key>.json, the key being the
 * sso-session name (sso_session profiles) or the start URL (legacy profiles),
 * holding startUrl, region, accessToken, expiresAt and, for sso-session
 * logins, clientId, clientSecret, registrationExpiresAt and refreshToken (the
 * AWS CLI v2's format).  A refresh rewrites the file atomically (temporary
 * file, fsync, rename; mode 0600) keeping the fields it does not change.
 *
 * Both services are called unsigned: GetRoleCredentials is authorised by the
 * x-amz-sso_bearer_token header, CreateToken by the client secret and
 * refresh token in its body.  Tokens and secrets never go into err and are
 * wiped before they are freed.  One attempt per call (see sts.h).  Like
 * sts.h, it includes nothing of the configuration: the endpoints, the
 * http handle and the cache path are given.
 */
#ifndef UKTV_SSO_H
#define UKTV_SSO_H

#include <time.h>

#include "credentials.h"
#include "error.h"
#include "http.h"

struct uktv_sso_token {
	char	*access_token;
	time_t	 expires_at;
	char	*refresh_token;		/* NULL when the login gave none */
	char	*client_id;		/* NULL for a legacy login */
	char	*client_secret;
	time_t	 registration_expires_at;	/* 0: not in the cache */
};

/* The SDKs refresh an SSO access token this long before it expires
 * (botocore's SSOTokenProvider refresh window). */
#define UKTV_SSO_REFRESH_WINDOW	(15 * 60)

/* home/.aws/sso/cache/<sha1 hex of key>.json.  Caller frees; NULL: no memory. */
char	*uktv_sso_cache_path(const char *home, const char *key);

/* 1 with tok filled (caller wipes with uktv_sso_token_wipe), 0 when the file
 * does not exist, -1 (UKTV_ERR_CONFIG, the problem named, never a value)
 * when it is unreadable or is not a token cache document. */
int	uktv_sso_token_read(const char *path, struct uktv_sso_token *tok,
	    struct uktv_error *);
void	uktv_sso_token_wipe(struct uktv_sso_token *);
/* 1 when tok has what CreateToken needs (refresh token, client id and
 * secret) and its client registration has not expired at now. */
int	uktv_sso_token_refreshable(const struct uktv_sso_token *, time_t now);

/*
 * SSO-OIDC CreateToken, grantType refresh_token, POST endpoint/token.  On
 * success the access token, its expiry (now + expiresIn) and, when the answer
 * has one, the refresh token in tok are replaced.  A rejected refresh
 * (invalid_grant, expired or unauthorised client) is UKTV_ERR_NOPERM;
 * unreachable or 5xx UKTV_ERR_UNAVAILABLE, retryable.
 */
int	uktv_sso_refresh(struct uktv_http *, const char *endpoint,
	    struct uktv_sso_token *tok, time_t now, struct uktv_error *);
/* Rewrites the cache file at path with tok's accessToken, expiresAt and
 * refreshToken, keeping every other field the file has. */
int	uktv_sso_token_write(const char *path, const struct uktv_sso_token *tok,
	    struct uktv_error *);

/*
 * GetRoleCredentials: GET endpoint/federation/credentials?role_name=&
 * account_id= with x-amz-sso_bearer_token.  out's source is "sso" and its
 * expiration the answer's (milliseconds since the epoch).  401/403
 * (UnauthorizedException, ForbiddenException) are UKTV_ERR_NOPERM.
 */
int	uktv_sso_role_credentials(struct uktv_http *, const char *endpoint,
	    const char *access_token, const char *account_id,
	    const char *role_name, struct uktv_creds *out, struct uktv_error *);

#endif
