/*
 * credentials.h: the credentials every provider returns, how they are wiped,
 * and the cache the chain keeps (refresh inside a margin before expiry).
 *
 * The bottom of lib/aws/auth: it knows no provider, no profile file and no
 * configuration, so STS, SSO and every provider can use it without calling
 * back up into the chain.  Secrets are wiped (util/secret.h) before they are
 * freed, and never go into a struct uktv_error.
 */
#ifndef UKTV_CREDENTIALS_H
#define UKTV_CREDENTIALS_H

#include <stddef.h>
#include <time.h>

#include <json-c/json.h>

#include "error.h"
#include "http.h"

struct uktv_creds {
	char	*access_key_id;
	char	*secret_access_key;
	char	*session_token;		/* NULL when none */
	time_t	 expiration;		/* 0: does not expire */
	const char *source;		/* "environment", "profile", ... (static) */
};

void	uktv_creds_wipe(struct uktv_creds *);
/* Copies the three values into out (tok NULL or "": no session token). */
int	uktv_creds_set(struct uktv_creds *out, const char *ak, const char *sk,
	    const char *tok, time_t exp, const char *source, struct uktv_error *);
/*
 * Fills out from a credentials document: AccessKeyId, SecretAccessKey, the
 * token under tokkey ("SessionToken" for credential_process, "Token" for the
 * container and IMDS) and an optional ISO 8601 Expiration; want_version asks
 * for "Version": 1.  On failure *why names what was wrong (a field name,
 * never a value) and -1 is returned with err untouched unless memory ran out.
 */
int	uktv_creds_from_json(const char *text, size_t len, const char *tokkey,
	    int want_version, const char *source, struct uktv_creds *out,
	    const char **why, struct uktv_error *);

/* A string member of a JSON object, or NULL. */
const char *uktv_creds_json_str(struct json_object *, const char *key);
/* json-c frees strings without wiping them: wipe every string member of an
 * object (or the string itself) before json_object_put. */
void	uktv_creds_json_wipe(struct json_object *);
/* Wipes the body (it may hold credentials or tokens), then frees. */
void	uktv_creds_response_free(struct uktv_http_response *);

/*
 * Reads a whole file that may hold secrets (profile files, token files):
 * 1 with *buf (NUL-terminated; caller wipes and frees), 0 when it does not
 * exist, -1 (UKTV_ERR_IO, naming the path) on error or when larger than max.
 * Reads to EOF rather than trusting st_size, so /dev/null works.
 */
int	uktv_creds_file_read(const char *path, long max, char **buf,
	    size_t *len, struct uktv_error *);
/* s without leading and trailing white space (in place). */
char	*uktv_creds_trim(char *s);

/* The credentials the chain resolved last, and when to fetch them again. */
struct uktv_creds_cache {
	struct uktv_creds creds;
	int	 have;
	long	 refresh_margin;	/* seconds before expiration */
	long	 fetches;		/* providers invoked, for tests */
};

/* The cached credentials when they are not within the margin of expiry. */
const struct uktv_creds *uktv_creds_cache_get(const struct uktv_creds_cache *,
	    time_t now);
/* Replaces the cached credentials with fresh (taken over, not copied). */
const struct uktv_creds *uktv_creds_cache_put(struct uktv_creds_cache *,
	    struct uktv_creds *fresh);
/* After a failed refresh: credentials that have not expired yet are kept
 * (as the SDKs do inside their advisory window), else the cache is wiped
 * and NULL returned. */
const struct uktv_creds *uktv_creds_cache_keep(struct uktv_creds_cache *,
	    time_t now);
void	uktv_creds_cache_wipe(struct uktv_creds_cache *);

#endif
