/* cognito.c: see cognito.h. */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "cognito.h"
#include "endpoints.h"
#include "http.h"
#include "jwt.h"
#include "parse.h"
#include "time.h"
#include "private/cognito.h"

struct ckey {
	char		*kid;
	EVP_PKEY	*key;
};

struct uktv_cognito {
	char		*issuer;
	char		*jwks_url;
	char		**client_ids;
	size_t		 nclient_ids;
	struct uktv_cognito_clock clock;
	/* Only the thread that set fetching uses http. */
	struct uktv_http *http;

	/* lock guards everything below. */
	pthread_mutex_t	 lock;
	pthread_cond_t	 fetched;	/* broadcast when fetching ends */
	int		 fetching;
	int		 tried;		/* a fetch was tried at least once */
	int		 last_failed;	/* ... and the last one failed */
	long long	 next_fetch_ms;	/* monotonic: none for a kid before */
	long		 fetches;
	struct ckey	*keys;
	size_t		 nkeys;

	/* cache_lock guards the tokens accepted (a ring, oldest replaced). */
	pthread_mutex_t	 cache_lock;
	struct accepted {
		unsigned char			hash[SHA256_DIGEST_LENGTH];
		char				kid[128];
		int				used;
		struct uktv_cognito_claims	claims;
	}		 cache[UKTV_COGNITO_CACHE];
	size_t		 cache_next;
	long		 signature_checks;
};

static int
oom(struct uktv_error *err)
{
	return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
}

static time_t
wall_now(const struct uktv_cognito *c)
{
	return c->clock.wall != NULL ? c->clock.wall(c->clock.arg) :
	    time(NULL);
}

static long long
mono_now(const struct uktv_cognito *c)
{
	return c->clock.mono_ms != NULL ? c->clock.mono_ms(c->clock.arg) :
	    uktv_time_mono_ms();
}

/* A region is one DNS label: it goes into the issuer's host name. */
static int
region_valid(const char *r, size_t n)
{
	if (n == 0 || n > 63 || r[0] == '-' || r[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)r[i]) && r[i] != '-')
			return 0;
	return 1;
}

/* Cognito's UserPoolId pattern, [\w-]+_[0-9a-zA-Z]+, at most 55: nothing
 * that could change the JWKS URL's path. */
static int
pool_id_valid(const char *p)
{
	size_t n = strlen(p);
	const char *us = strrchr(p, '_');

	if (n == 0 || n > 55 || us == NULL || us == p || us[1] == '\0')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '_' && p[i] != '-')
			return 0;
	return 1;
}

/* Cognito's ClientId pattern, [\w+]+, at most 128. */
static int
client_id_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 128)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '+')
			return 0;
	return 1;
}

static void
free_keys(struct ckey *keys, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(keys[i].kid);
		EVP_PKEY_free(keys[i].key);
	}
	free(keys);
}

/* The endpoint the pool's keys come from (cognito.h). */
static char *
endpoint(const struct uktv_cognito_config *cfg, const char *region,
    struct uktv_error *err)
{
	char *url;

	if (cfg->endpoint_url != NULL)
		return uktv_endpoints_dup(cfg->endpoint_url, err);
	if (cfg->conf != NULL)
		return uktv_endpoints_resolve(cfg->conf, &uktv_svc_cognito_idp,
		    region, 0, err);
	if (asprintf(&url, "https://%s.%s.amazonaws.com%s",
	    uktv_svc_cognito_idp.host_prefix, region,
	    strncmp(region, "cn-", 3) == 0 ? ".cn" : "") == -1) {
		oom(err);
		return NULL;
	}
	return url;
}

/*
 * The region the issuer names: the configured one, else the pool id's
 * prefix (pool ids are REGION_ID, and a pool's tokens name its own region
 * whatever region the caller's other services are in, so the client's
 * configured region is no guide to it).
 */
static char *
pool_region(const struct uktv_cognito_config *cfg, struct uktv_error *err)
{
	const char *r = cfg->region;
	size_t n;
	char *s;

	if (r != NULL) {
		n = strlen(r);
		if (!region_valid(r, n)) {
			uktv_error_set(err, UKTV_ERR_CONFIG,
			    "\"%s\" is not a valid AWS region name", r);
			return NULL;
		}
	} else {
		r = cfg->pool_id;
		n = (size_t)(strchr(r, '_') - r);
		if (!region_valid(r, n)) {
			uktv_error_set(err, UKTV_ERR_CONFIG, "no AWS region "
			    "in the Cognito user pool id (REGION_ID)");
			return NULL;
		}
	}
	if ((s = strndup(r, n)) == NULL)
		oom(err);
	return s;
}

struct uktv_cognito *
uktv_cognito_new(const struct uktv_cognito_config *cfg, struct uktv_error *err)
{
	struct uktv_http_opts ho = {
		.connect_timeout_ms = 5000,
		.read_timeout_ms = 10000,
		.attempt_timeout_ms = 15000,
	};
	struct uktv_cognito *c;
	char *region = NULL, *ep = NULL;

	if (cfg == NULL || cfg->pool_id == NULL ||
	    !pool_id_valid(cfg->pool_id)) {
		uktv_error_set(err, UKTV_ERR_USAGE, "not a Cognito user pool "
		    "id (REGION_ID, letters, digits, '-' and '_')");
		return NULL;
	}
	if (cfg->nclient_ids == 0 || cfg->client_ids == NULL) {
		uktv_error_set(err, UKTV_ERR_USAGE, "no app client id");
		return NULL;
	}
	for (size_t i = 0; i < cfg->nclient_ids; i++)
		if (cfg->client_ids[i] == NULL ||
		    !client_id_valid(cfg->client_ids[i])) {
			uktv_error_set(err, UKTV_ERR_USAGE, "not a Cognito "
			    "app client id (1-128 letters, digits, '_', '+')");
			return NULL;
		}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		oom(err);
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->cache_lock, NULL);
	pthread_cond_init(&c->fetched, NULL);
	if ((region = pool_region(cfg, err)) == NULL ||
	    (ep = endpoint(cfg, region, err)) == NULL)
		goto fail;
	if (asprintf(&c->issuer, "https://cognito-idp.%s.amazonaws.com/%s",
	    region, cfg->pool_id) == -1) {
		c->issuer = NULL;
		goto nomem;
	}
	if (asprintf(&c->jwks_url, "%s/%s/.well-known/jwks.json", ep,
	    cfg->pool_id) == -1) {
		c->jwks_url = NULL;
		goto nomem;
	}
	if ((c->client_ids = calloc(cfg->nclient_ids,
	    sizeof(*c->client_ids))) == NULL)
		goto nomem;
	c->nclient_ids = cfg->nclient_ids;
	for (size_t i = 0; i < cfg->nclient_ids; i++)
		if ((c->client_ids[i] = strdup(cfg->client_ids[i])) == NULL)
			goto nomem;
	if (cfg->conf != NULL)
		ho.ca_bundle = uktv_awsconf_ca_bundle(cfg->conf);
	if ((c->http = uktv_http_new(&ho, err)) == NULL)
		goto fail;
	free(region);
	free(ep);
	return c;
nomem:
	oom(err);
fail:
	free(region);
	free(ep);
	uktv_cognito_free(c);
	return NULL;
}

void
uktv_cognito_free(struct uktv_cognito *c)
{
	if (c == NULL)
		return;
	free_keys(c->keys, c->nkeys);
	uktv_http_free(c->http);
	for (size_t i = 0; i < c->nclient_ids; i++)
		free(c->client_ids[i]);
	free(c->client_ids);
	free(c->issuer);
	free(c->jwks_url);
	pthread_cond_destroy(&c->fetched);
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->cache_lock);
	free(c);
}

void
uktv_cognito_set_clock(struct uktv_cognito *c,
    const struct uktv_cognito_clock *clock)
{
	c->clock = *clock;
}

long
uktv_cognito_signature_checks(struct uktv_cognito *c)
{
	long n;

	pthread_mutex_lock(&c->cache_lock);
	n = c->signature_checks;
	pthread_mutex_unlock(&c->cache_lock);
	return n;
}

long
uktv_cognito_fetches(struct uktv_cognito *c)
{
	long n;

	pthread_mutex_lock(&c->lock);
	n = c->fetches;
	pthread_mutex_unlock(&c->lock);
	return n;
}

const char *
uktv_cognito_jwks_url(const struct uktv_cognito *c)
{
	return c->jwks_url;
}

/* A string member, NULL when absent, not a string, or holding a NUL. */
static const char *
str_member(struct json_object *o, const char *key)
{
	struct json_object *v;
	const char *s;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	return strlen(s) == (size_t)json_object_get_string_len(v) ? s : NULL;
}

/* One JWK into keys[*n] when it is an RSA signing key for RS256; others
 * (an "enc" key, an EC key) are skipped, as a verifier must. */
static void
add_jwk(struct json_object *jwk, struct ckey *keys, size_t *n)
{
	const char *kty, *kid, *use, *alg;
	struct uktv_error kerr;
	EVP_PKEY *key;

	if (!json_object_is_type(jwk, json_type_object) ||
	    (kty = str_member(jwk, "kty")) == NULL ||
	    strcmp(kty, "RSA") != 0 ||
	    (kid = str_member(jwk, "kid")) == NULL || kid[0] == '\0' ||
	    strlen(kid) > 256 ||
	    ((use = str_member(jwk, "use")) != NULL && strcmp(use, "sig") != 0) ||
	    ((alg = str_member(jwk, "alg")) != NULL && strcmp(alg, "RS256") != 0))
		return;
	/* Two keys under one kid: the first is kept. */
	for (size_t i = 0; i < *n; i++)
		if (strcmp(keys[i].kid, kid) == 0)
			return;
	uktv_error_clear(&kerr);
	if ((key = uktv_jwt_rsa_key(str_member(jwk, "n"), str_member(jwk, "e"),
	    &kerr)) == NULL)
		return;
	if ((keys[*n].kid = strdup(kid)) == NULL) {
		EVP_PKEY_free(key);
		return;
	}
	keys[(*n)++].key = key;
}

/* The pool's JWKS answer into a key array; caller frees with free_keys. */
static int
read_jwks(const char *body, size_t len, struct ckey **out, size_t *nout,
    struct uktv_error *err)
{
	struct json_tokener *tok;
	struct json_object *o, *arr;
	struct ckey *keys;
	size_t n = 0, cnt;

	if ((tok = json_tokener_new_ex(UKTV_JWT_MAX_DEPTH + 1)) == NULL)
		return oom(err);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, body, (int)len);
	if (o != NULL && (json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len)) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	if (o == NULL || !json_object_object_get_ex(o, "keys", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		json_object_put(o);
		return uktv_error_set(err, UKTV_ERR_UNAVAILABLE, "the user "
		    "pool's JWKS is not a JSON object with \"keys\"");
	}
	cnt = json_object_array_length(arr);
	if (cnt > UKTV_COGNITO_MAX_KEYS)
		cnt = UKTV_COGNITO_MAX_KEYS;
	if ((keys = calloc(cnt + 1, sizeof(*keys))) == NULL) {
		json_object_put(o);
		return oom(err);
	}
	for (size_t i = 0; i < cnt; i++)
		add_jwk(json_object_array_get_idx(arr, i), keys, &n);
	json_object_put(o);
	if (n == 0) {
		free(keys);
		return uktv_error_set(err, UKTV_ERR_UNAVAILABLE, "the user "
		    "pool's JWKS holds no RSA key for RS256");
	}
	*out = keys;
	*nout = n;
	return 0;
}

/* One GET of the JWKS; called by the one thread that set c->fetching. */
static int
fetch_jwks(struct uktv_cognito *c, struct ckey **out, size_t *nout,
    struct uktv_error *err)
{
	static char accept[] = "Accept", json[] = "application/json";
	const struct uktv_header h = { accept, json };
	struct uktv_http_response r;
	int rc;

	if (uktv_http_request(c->http, "GET", c->jwks_url, &h, 1, NULL, 0, &r,
	    err) == -1) {
		uktv_error_prefix(err, "cannot fetch the user pool's JWKS");
		err->kind = UKTV_ERR_UNAVAILABLE;
		return -1;
	}
	if (r.status != 200)
		rc = uktv_error_set(err, UKTV_ERR_UNAVAILABLE, "cannot fetch "
		    "the user pool's JWKS: HTTP %ld", r.status);
	else if (r.body_len > UKTV_COGNITO_JWKS_MAX)
		rc = uktv_error_set(err, UKTV_ERR_UNAVAILABLE, "the user "
		    "pool's JWKS is larger than %d bytes",
		    UKTV_COGNITO_JWKS_MAX);
	else
		rc = read_jwks(r.body, r.body_len, out, nout, err);
	uktv_http_response_free(&r);
	return rc;
}

static EVP_PKEY *
lookup(struct uktv_cognito *c, const char *kid)
{
	for (size_t i = 0; i < c->nkeys; i++)
		if (strcmp(c->keys[i].kid, kid) == 0)
			return c->keys[i].key;
	return NULL;
}

/* Prints s into dst for a message: at most 64 characters, anything
 * outside printable ASCII (and the quote) as '?'. */
static const char *
shown(char *dst, size_t size, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 4 < size && i < 64; i++)
		dst[i] = s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' &&
		    s[i] != '\\' ? s[i] : '?';
	if (s[i] != '\0') {
		memcpy(dst + i, "...", 3);
		i += 3;
	}
	dst[i] = '\0';
	return dst;
}

/*
 * The key named kid, with a reference the caller drops with EVP_PKEY_free
 * (a refetch may replace the set while the caller verifies).  Fetches the
 * JWKS when kid is unknown and the rule allows (cognito.h); a thread that
 * finds a fetch under way waits for it rather than refusing a token the
 * fetch is about to make good.
 */
static EVP_PKEY *
find_key(struct uktv_cognito *c, const char *kid, struct uktv_error *err)
{
	struct uktv_error ferr;
	struct ckey *keys = NULL, *old;
	EVP_PKEY *key;
	size_t n = 0, nold;
	long long now;
	int rc, fetched_here = 0;

	uktv_error_clear(&ferr);
	pthread_mutex_lock(&c->lock);
	for (;;) {
		while (c->fetching)
			pthread_cond_wait(&c->fetched, &c->lock);
		if ((key = lookup(c, kid)) != NULL) {
			EVP_PKEY_up_ref(key);
			break;
		}
		now = mono_now(c);
		if (fetched_here || (c->tried && now < c->next_fetch_ms))
			break;
		c->fetching = 1;
		c->fetches++;
		pthread_mutex_unlock(&c->lock);

		uktv_error_clear(&ferr);
		rc = fetch_jwks(c, &keys, &n, &ferr);

		pthread_mutex_lock(&c->lock);
		c->tried = 1;
		c->fetching = 0;
		fetched_here = 1;
		if (rc == 0) {
			old = c->keys;
			nold = c->nkeys;
			c->keys = keys;
			c->nkeys = n;
			c->last_failed = 0;
			c->next_fetch_ms = now + UKTV_COGNITO_REFETCH_MS;
			free_keys(old, nold);
		} else {
			c->last_failed = 1;
			c->next_fetch_ms = mono_now(c) + UKTV_COGNITO_RETRY_MS;
		}
		pthread_cond_broadcast(&c->fetched);
	}
	if (key == NULL) {
		if (fetched_here && c->last_failed)
			*err = ferr;
		else if (c->nkeys == 0 && c->last_failed)
			uktv_error_set(err, UKTV_ERR_UNAVAILABLE, "the user "
			    "pool's JWKS could not be fetched");
		else
			/* The kid is the token's: not repeated. */
			uktv_error_set(err, UKTV_ERR_NOPERM, "unknown key (kid "
			    "not in the user pool's JWKS)");
	}
	pthread_mutex_unlock(&c->lock);
	return key;
}

/* A NumericDate claim as whole seconds; -1 when absent or not an integer
 * (Cognito writes integers). */
static int
int_claim(struct json_object *claims, const char *key, long long *v)
{
	struct json_object *o;

	if (!json_object_object_get_ex(claims, key, &o) ||
	    !json_object_is_type(o, json_type_int))
		return -1;
	*v = (long long)json_object_get_int64(o);
	return 0;
}

static int
refuse(struct uktv_error *err, const char *what, const char *value)
{
	char buf[72];

	if (value == NULL)
		return uktv_error_set(err, UKTV_ERR_NOPERM, "%s", what);
	return uktv_error_set(err, UKTV_ERR_NOPERM, what,
	    shown(buf, sizeof(buf), value));
}

/* Copies s into dst when it fits, else leaves dst "". */
static void
copy_claim(char *dst, size_t size, const char *s)
{
	if (s != NULL && strlen(s) < size)
		memcpy(dst, s, strlen(s) + 1);
	else
		dst[0] = '\0';
}

int
uktv_cognito_check_claims(const struct uktv_cognito *c,
    struct json_object *claims, time_t now, struct uktv_cognito_claims *out,
    struct uktv_error *err)
{
	const char *iss, *aud, *use, *sub;
	long long exp, iat, nbf;
	size_t i;

	if ((iss = str_member(claims, "iss")) == NULL)
		return refuse(err, "no issuer (iss)", NULL);
	if (strcmp(iss, c->issuer) != 0)
		return refuse(err, "issuer \"%s\" is not the user pool", iss);
	/* token_use before aud: an access token has no aud (client_id
	 * instead), and "not an ID token" is the reason worth logging. */
	if ((use = str_member(claims, "token_use")) == NULL)
		return refuse(err, "no token_use", NULL);
	if (strcmp(use, "id") != 0)
		return refuse(err, "token_use \"%s\" is not an ID token", use);
	if ((aud = str_member(claims, "aud")) == NULL)
		return refuse(err, "no audience (aud) string", NULL);
	for (i = 0; i < c->nclient_ids; i++)
		if (strcmp(aud, c->client_ids[i]) == 0)
			break;
	if (i == c->nclient_ids)
		return refuse(err, "audience \"%s\" not allowed", aud);
	if (int_claim(claims, "exp", &exp) == -1)
		return refuse(err, "no expiry (exp)", NULL);
	if (exp <= (long long)now - UKTV_COGNITO_LEEWAY_S)
		return refuse(err, "expired", NULL);
	if (int_claim(claims, "iat", &iat) == -1)
		return refuse(err, "no issue time (iat)", NULL);
	if (iat > (long long)now + UKTV_COGNITO_LEEWAY_S)
		return refuse(err, "issued in the future (iat)", NULL);
	if (json_object_object_get_ex(claims, "nbf", NULL) &&
	    (int_claim(claims, "nbf", &nbf) == -1 ||
	    nbf > (long long)now + UKTV_COGNITO_LEEWAY_S))
		return refuse(err, "not valid yet (nbf)", NULL);
	/* The user id goes into keys (userpref:<sub>): the same rule as
	 * every user id. */
	if ((sub = str_member(claims, "sub")) == NULL || sub[0] == '\0')
		return refuse(err, "no subject (sub)", NULL);
	if (strlen(sub) >= sizeof(out->sub) || !uktv_user_id_valid(sub))
		return refuse(err, "subject (sub) is not a user id", NULL);
	memset(out, 0, sizeof(*out));
	copy_claim(out->sub, sizeof(out->sub), sub);
	copy_claim(out->email, sizeof(out->email), str_member(claims, "email"));
	copy_claim(out->username, sizeof(out->username),
	    str_member(claims, "cognito:username"));
	out->exp = exp;
	return 0;
}

/* The token in an Authorization value: raw, or after "Bearer ". */
static const char *
token_of(const char *v, size_t *len)
{
	size_t n;

	while (*v == ' ' || *v == '\t')
		v++;
	if (strncasecmp(v, "Bearer", 6) == 0 && (v[6] == ' ' || v[6] == '\t'))
		for (v += 6; *v == ' ' || *v == '\t'; v++)
			;
	n = strlen(v);
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	*len = n;
	return v;
}

/* 1 when kid is among the keys the pool publishes now. */
static int
key_known(struct uktv_cognito *c, const char *kid)
{
	int known;

	pthread_mutex_lock(&c->lock);
	known = lookup(c, kid) != NULL;
	pthread_mutex_unlock(&c->lock);
	return known;
}

/*
 * 1 with the claims of a token accepted before that has not expired since
 * and whose key the pool still publishes (a key dropped from the JWKS
 * takes its tokens with it, cached or not), 0 when it is not known (or its
 * key is gone: the full check says why), -1 when it has expired.
 */
static int
cached(struct uktv_cognito *c, const unsigned char *hash,
    struct uktv_cognito_claims *out)
{
	int rc = 0;

	pthread_mutex_lock(&c->cache_lock);
	for (size_t i = 0; i < UKTV_COGNITO_CACHE; i++) {
		struct accepted *a = &c->cache[i];

		if (!a->used || memcmp(a->hash, hash, sizeof(a->hash)) != 0)
			continue;
		if (a->claims.exp <= (long long)wall_now(c) -
		    UKTV_COGNITO_LEEWAY_S) {
			a->used = 0;
			rc = -1;
		} else if (!key_known(c, a->kid)) {
			a->used = 0;
		} else {
			*out = a->claims;
			rc = 1;
		}
		break;
	}
	pthread_mutex_unlock(&c->cache_lock);
	return rc;
}

static void
remember(struct uktv_cognito *c, const unsigned char *hash, const char *kid,
    const struct uktv_cognito_claims *claims)
{
	struct accepted *a;

	if (strlen(kid) >= sizeof(a->kid))
		return;
	pthread_mutex_lock(&c->cache_lock);
	a = &c->cache[c->cache_next];
	c->cache_next = (c->cache_next + 1) % UKTV_COGNITO_CACHE;
	memcpy(a->hash, hash, sizeof(a->hash));
	memcpy(a->kid, kid, strlen(kid) + 1);
	a->claims = *claims;
	a->used = 1;
	pthread_mutex_unlock(&c->cache_lock);
}

int
uktv_cognito_verify(struct uktv_cognito *c, const char *authorization,
    struct uktv_cognito_claims *out, struct uktv_error *err)
{
	unsigned char hash[SHA256_DIGEST_LENGTH];
	struct uktv_jwt jwt;
	const char *tok;
	EVP_PKEY *key;
	size_t len;
	int rc;

	if (authorization == NULL)
		return uktv_error_set(err, UKTV_ERR_NOPERM, "no token");
	tok = token_of(authorization, &len);
	if (len == 0)
		return uktv_error_set(err, UKTV_ERR_NOPERM, "no token");
	SHA256((const unsigned char *)tok, len, hash);
	switch (cached(c, hash, out)) {
	case 1:
		return 0;
	case -1:
		return uktv_error_set(err, UKTV_ERR_NOPERM, "expired");
	}
	if (uktv_jwt_parse(tok, len, &jwt, err) == -1)
		return -1;
	if (jwt.kid == NULL) {
		uktv_jwt_free(&jwt);
		return uktv_error_set(err, UKTV_ERR_NOPERM,
		    "no key id (kid) in the token");
	}
	if ((key = find_key(c, jwt.kid, err)) == NULL) {
		uktv_jwt_free(&jwt);
		return -1;
	}
	rc = uktv_jwt_verify_rs256(&jwt, key, err);
	EVP_PKEY_free(key);
	pthread_mutex_lock(&c->cache_lock);
	c->signature_checks++;
	pthread_mutex_unlock(&c->cache_lock);
	if (rc == 0)
		rc = uktv_cognito_check_claims(c, jwt.claims, wall_now(c), out,
		    err);
	if (rc == 0)
		remember(c, hash, jwt.kid, out);
	uktv_jwt_free(&jwt);
	return rc;
}
