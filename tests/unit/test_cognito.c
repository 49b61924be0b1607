/*
 * test_cognito.c: lib/aws/cognito.c, the Cognito ID-token check, against
 * a tiny JWKS server in this process (a thread on 127.0.0.1 that counts
 * its fetches) and tokens signed here with keys OpenSSL generates; the
 * clocks come through private/cognito.h, so "a minute later" and
 * "expired" need no sleep.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "awsconf.h"
#include "cognito.h"
#include "private/cognito.h"
#include "jwtsign.h"
#include "unit.h"

#define REGION	"eu-west-2"
#define POOL	"eu-west-2_TestPool1"
#define ISS	"https://cognito-idp." REGION ".amazonaws.com/" POOL
#define SUB	"6c1b2d9e-8f7a-4c3e-9d2b-1a0f5e4d3c2b"
#define NOW	1751644971LL

static EVP_PKEY *key1, *key2;

/* ---- the JWKS server ---- */

static struct {
	pthread_mutex_t	 lock;
	pthread_t	 thread;
	int		 fd;
	int		 port;
	int		 status;	/* answer status */
	char		*body;		/* answer body (the JWKS) */
	long		 fetches;	/* GETs of the JWKS path */
	long		 other;		/* requests for anything else */
} srv = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void
serve(int c)
{
	char req[4096], *ans;
	size_t n = 0;
	ssize_t k;
	int status;
	const char *body;

	while (n < sizeof(req) - 1 && (k = read(c, req + n,
	    sizeof(req) - 1 - n)) > 0) {
		n += (size_t)k;
		req[n] = '\0';
		if (strstr(req, "\r\n\r\n") != NULL)
			break;
	}
	req[n] = '\0';
	pthread_mutex_lock(&srv.lock);
	if (strncmp(req, "GET /" POOL "/.well-known/jwks.json HTTP/1.1\r\n",
	    strlen("GET /" POOL "/.well-known/jwks.json HTTP/1.1\r\n")) == 0) {
		srv.fetches++;
		status = srv.status;
		body = srv.body != NULL ? srv.body : "";
	} else {
		srv.other++;
		status = 404;
		body = "{}";
	}
	if (asprintf(&ans, "HTTP/1.1 %d X\r\nContent-Type: application/json"
	    "\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s", status,
	    strlen(body), body) == -1)
		abort();
	pthread_mutex_unlock(&srv.lock);
	for (size_t off = 0, len = strlen(ans); off < len; off += (size_t)k)
		if ((k = write(c, ans + off, len - off)) <= 0)
			break;
	free(ans);
	close(c);
}

static void *
server_main(void *arg)
{
	int c;

	(void)arg;
	/* shutdown(2) of the listening socket ends accept: the way out. */
	while ((c = accept(srv.fd, NULL, NULL)) != -1 || errno == EINTR)
		if (c != -1)
			serve(c);
	return NULL;
}

static void
server_start(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((srv.fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(srv.fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(srv.fd, 64) == -1 ||
	    getsockname(srv.fd, (struct sockaddr *)&sa, &len) == -1)
		abort();
	srv.port = ntohs(sa.sin_port);
	srv.status = 200;
	if (pthread_create(&srv.thread, NULL, server_main, NULL) != 0)
		abort();
}

static void
server_stop(void)
{
	shutdown(srv.fd, SHUT_RDWR);
	pthread_join(srv.thread, NULL);
	close(srv.fd);
	free(srv.body);
}

/* The JWKS the server answers: the keys named, "" for none. */
static void
server_keys(EVP_PKEY *a, const char *kida, EVP_PKEY *b, const char *kidb)
{
	char *ja = a != NULL ? jwk_json(a, kida) : strdup(""),
	    *jb = b != NULL ? jwk_json(b, kidb) : strdup(""), *s;

	if (asprintf(&s, "{\"keys\":[%s%s%s]}", ja, a != NULL && b != NULL ?
	    "," : "", jb) == -1)
		abort();
	free(ja);
	free(jb);
	pthread_mutex_lock(&srv.lock);
	free(srv.body);
	srv.body = s;
	srv.status = 200;
	pthread_mutex_unlock(&srv.lock);
}

static void
server_answer(int status, const char *body)
{
	pthread_mutex_lock(&srv.lock);
	free(srv.body);
	srv.body = strdup(body);
	srv.status = status;
	pthread_mutex_unlock(&srv.lock);
}

static long
server_fetches(void)
{
	long n;

	pthread_mutex_lock(&srv.lock);
	n = srv.fetches;
	pthread_mutex_unlock(&srv.lock);
	return n;
}

/* ---- clocks and verifiers ---- */

static long long fake_wall = NOW, fake_mono = 1000000;

static time_t
wall(void *arg)
{
	(void)arg;
	return (time_t)__atomic_load_n(&fake_wall, __ATOMIC_SEQ_CST);
}

static long long
mono(void *arg)
{
	(void)arg;
	return __atomic_load_n(&fake_mono, __ATOMIC_SEQ_CST);
}

static const char *const clients[] = { "page4client1", "scripts2client" };

static struct uktv_cognito *
verifier(void)
{
	static const struct uktv_cognito_clock clk = { wall, mono, NULL };
	struct uktv_cognito_config cfg = {
		.region = REGION, .pool_id = POOL,
		.client_ids = clients, .nclient_ids = 2,
	};
	struct uktv_cognito *c;
	struct uktv_error err;
	char url[64];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", srv.port);
	cfg.endpoint_url = url;
	uktv_error_clear(&err);
	if ((c = uktv_cognito_new(&cfg, &err)) == NULL) {
		printf("# uktv_cognito_new: %s\n", err.message);
		abort();
	}
	uktv_cognito_set_clock(c, &clk);
	return c;
}

/* Claims as Cognito writes an ID token's, with one member replaced,
 * added (name not among them) or dropped (value NULL). */
static char *
claims(const char *name, const char *value)
{
	struct {
		const char *k;
		char v[128];
	} m[] = {
		{ "sub", "\"" SUB "\"" },
		{ "email_verified", "true" },
		{ "iss", "\"" ISS "\"" },
		{ "cognito:username", "\"alice\"" },
		{ "aud", "\"page4client1\"" },
		{ "event_id", "\"7b3c\"" },
		{ "token_use", "\"id\"" },
		{ "auth_time", "" },
		{ "exp", "" },
		{ "iat", "" },
		{ "email", "\"alice@example.com\"" },
		{ NULL, "" },
		{ NULL, "" },		/* room for one member added */
	};
	char *s = NULL, *t;
	size_t i;

	snprintf(m[7].v, sizeof(m[7].v), "%lld", NOW - 10);
	snprintf(m[8].v, sizeof(m[8].v), "%lld", NOW + 3590);
	snprintf(m[9].v, sizeof(m[9].v), "%lld", NOW - 10);
	for (i = 0; m[i].k != NULL; i++)
		if (name != NULL && strcmp(m[i].k, name) == 0)
			break;
	if (name != NULL && m[i].k == NULL) {
		m[i].k = name;
		m[i + 1].k = NULL;
	}
	if (name != NULL) {
		if (value == NULL)
			m[i].k = "";
		else
			snprintf(m[i].v, sizeof(m[i].v), "%s", value);
	}
	for (i = 0; m[i].k != NULL; i++) {
		if (m[i].k[0] == '\0')
			continue;
		if (asprintf(&t, "%s%s\"%s\":%s", s != NULL ? s : "{",
		    s != NULL ? "," : "", m[i].k, m[i].v) == -1)
			abort();
		free(s);
		s = t;
	}
	if (asprintf(&t, "%s}", s) == -1)
		abort();
	free(s);
	return t;
}

static char *
token(EVP_PKEY *key, const char *kid, const char *name, const char *value)
{
	char *c = claims(name, value), *h, *t;

	if (kid != NULL) {
		if (asprintf(&h, "{\"kid\":\"%s\",\"alg\":\"RS256\"}", kid) == -1)
			abort();
	} else if ((h = strdup("{\"alg\":\"RS256\"}")) == NULL)
		abort();
	t = sign_rs256(key, h, c);
	free(h);
	free(c);
	return t;
}

/* A message must never hold the token or a part of it. */
static void
check_no_token(const struct uktv_error *err, const char *tok)
{
	const char *d1 = strchr(tok, '.'), *d2 = strrchr(tok, '.');

	CHECK(strchr(err->message, '\n') == NULL);
	if (d1 == NULL || d2 == NULL || d1 == d2)
		return;
	/* Parts long enough to mean something if they showed. */
	if (strlen(d2 + 1) >= 8)
		CHECK(strstr(err->message, d2 + 1) == NULL);
	if (d2 - d1 > 9) {
		char part[10];

		memcpy(part, d1 + 1, 8);
		part[8] = '\0';
		CHECK(strstr(err->message, part) == NULL);
	}
}

static int
verify(struct uktv_cognito *c, const char *auth, struct uktv_cognito_claims *cl,
    struct uktv_error *err)
{
	int rc;

	uktv_error_clear(err);
	memset(cl, 0, sizeof(*cl));
	rc = uktv_cognito_verify(c, auth, cl, err);
	if (rc == -1)
		check_no_token(err, auth);
	return rc;
}

/* tok is refused with kind and a message holding want. */
static void
check_refused(struct uktv_cognito *c, const char *tok, int kind,
    const char *want)
{
	struct uktv_cognito_claims cl;
	struct uktv_error err;

	CHECK_INT(verify(c, tok, &cl, &err), -1);
	CHECK_INT(err.kind, kind);
	if (strstr(err.message, want) == NULL)
		printf("# \"%s\" not in \"%s\"\n", want, err.message);
	CHECK(strstr(err.message, want) != NULL);
	CHECK_STR(cl.sub, "");
}

/* ---- tests ---- */

static void
test_valid(void)
{
	struct uktv_cognito *c;
	struct uktv_cognito_claims cl;
	struct uktv_error err;
	char *tok = token(key1, "k1", NULL, NULL), *bearer;
	long before;

	server_keys(key1, "k1", NULL, NULL);
	before = server_fetches();
	c = verifier();
	CHECK(strncmp(uktv_cognito_jwks_url(c), "http://127.0.0.1:", 17) == 0);
	CHECK(strstr(uktv_cognito_jwks_url(c), "/" POOL
	    "/.well-known/jwks.json") != NULL);
	/* Nothing is fetched before a token needs the keys. */
	CHECK_INT(server_fetches(), before);
	CHECK_INT(verify(c, tok, &cl, &err), 0);
	CHECK_STR(cl.sub, SUB);
	CHECK_STR(cl.email, "alice@example.com");
	CHECK_STR(cl.username, "alice");
	CHECK_INT(cl.exp, NOW + 3590);
	CHECK_INT(server_fetches(), before + 1);
	/* Cached: the next tokens fetch nothing, and the same token is not
	 * checked again (its answer is remembered until it expires). */
	CHECK_INT(uktv_cognito_signature_checks(c), 1);
	CHECK_INT(verify(c, tok, &cl, &err), 0);
	CHECK_STR(cl.sub, SUB);
	CHECK_INT(uktv_cognito_signature_checks(c), 1);
	if (asprintf(&bearer, "Bearer %s", tok) == -1)
		abort();
	CHECK_INT(verify(c, bearer, &cl, &err), 0);
	CHECK_STR(cl.sub, SUB);
	free(bearer);
	if (asprintf(&bearer, "  bearer \t%s  ", tok) == -1)
		abort();
	CHECK_INT(verify(c, bearer, &cl, &err), 0);
	free(bearer);
	/* "Bearer" alone, or glued to the token, is no token. */
	if (asprintf(&bearer, "Bearer%s", tok) == -1)
		abort();
	CHECK_INT(verify(c, bearer, &cl, &err), -1);
	free(bearer);
	check_refused(c, "Bearer ", UKTV_ERR_NOPERM, "no token");
	check_refused(c, "", UKTV_ERR_NOPERM, "no token");
	CHECK_INT(uktv_cognito_verify(c, NULL, &cl, &err), -1);
	CHECK_INT(uktv_cognito_fetches(c), 1);
	CHECK_INT(server_fetches(), before + 1);
	free(tok);
	/* The second app client is an audience too; no email, no
	 * username: empty, not refused. */
	tok = token(key1, "k1", "aud", "\"scripts2client\"");
	CHECK_INT(verify(c, tok, &cl, &err), 0);
	free(tok);
	tok = token(key1, "k1", "email", NULL);
	CHECK_INT(verify(c, tok, &cl, &err), 0);
	CHECK_STR(cl.email, "");
	CHECK_STR(cl.username, "alice");
	free(tok);
	uktv_cognito_free(c);
}

static void
test_times(void)
{
	struct uktv_cognito *c;
	char v[32], *tok;
	struct uktv_cognito_claims cl;
	struct uktv_error err;

	server_keys(key1, "k1", NULL, NULL);
	c = verifier();
	/* exp must be later than now - 60: 61 s ago is expired, 60 s ago
	 * too, 30 s ago is within the leeway. */
	snprintf(v, sizeof(v), "%lld", NOW - 61);
	tok = token(key1, "k1", "exp", v);
	check_refused(c, tok, UKTV_ERR_NOPERM, "expired");
	free(tok);
	snprintf(v, sizeof(v), "%lld", NOW - 60);
	tok = token(key1, "k1", "exp", v);
	check_refused(c, tok, UKTV_ERR_NOPERM, "expired");
	free(tok);
	snprintf(v, sizeof(v), "%lld", NOW - 30);
	tok = token(key1, "k1", "exp", v);
	CHECK_INT(verify(c, tok, &cl, &err), 0);
	free(tok);
	/* A valid token an hour and two minutes later, on the wall clock. */
	tok = token(key1, "k1", NULL, NULL);
	CHECK_INT(verify(c, tok, &cl, &err), 0);
	__atomic_store_n(&fake_wall, NOW + 3590 + 61, __ATOMIC_SEQ_CST);
	check_refused(c, tok, UKTV_ERR_NOPERM, "expired");
	__atomic_store_n(&fake_wall, NOW, __ATOMIC_SEQ_CST);
	free(tok);
	/* iat: 2 minutes ahead is in the future, 30 s is a clock's skew. */
	snprintf(v, sizeof(v), "%lld", NOW + 120);
	tok = token(key1, "k1", "iat", v);
	check_refused(c, tok, UKTV_ERR_NOPERM, "issued in the future");
	free(tok);
	snprintf(v, sizeof(v), "%lld", NOW + 30);
	tok = token(key1, "k1", "iat", v);
	CHECK_INT(verify(c, tok, &cl, &err), 0);
	free(tok);
	/* nbf is honoured when present. */
	snprintf(v, sizeof(v), "%lld", NOW + 600);
	tok = token(key1, "k1", "nbf", v);
	check_refused(c, tok, UKTV_ERR_NOPERM, "not valid yet");
	free(tok);
	/* Times must be there, and integers. */
	tok = token(key1, "k1", "exp", NULL);
	check_refused(c, tok, UKTV_ERR_NOPERM, "no expiry");
	free(tok);
	tok = token(key1, "k1", "exp", "\"9999999999\"");
	check_refused(c, tok, UKTV_ERR_NOPERM, "no expiry");
	free(tok);
	tok = token(key1, "k1", "iat", NULL);
	check_refused(c, tok, UKTV_ERR_NOPERM, "no issue time");
	free(tok);
	uktv_cognito_free(c);
}

static void
test_claims(void)
{
	static const struct {
		const char *name, *value, *want;
	} bad[] = {
		{ "iss", "\"https://cognito-idp." REGION
		    ".amazonaws.com/eu-west-2_OtherPool\"", "issuer" },
		{ "iss", "\"https://cognito-idp.us-east-1.amazonaws.com/" POOL
		    "\"", "issuer" },
		{ "iss", "\"" ISS "/\"", "issuer" },
		{ "iss", NULL, "no issuer" },
		{ "iss", "[\"" ISS "\"]", "no issuer" },
		{ "aud", "\"otherclient\"", "audience \"otherclient\" not "
		    "allowed" },
		{ "aud", "\"page4client\"", "audience" },
		{ "aud", "[\"page4client1\"]", "no audience" },
		{ "aud", NULL, "no audience" },
		{ "token_use", "\"access\"", "token_use \"access\" is not an "
		    "ID token" },
		{ "token_use", NULL, "no token_use" },
		{ "sub", NULL, "no subject" },
		{ "sub", "\"\"", "no subject" },
		{ "sub", "\"a b\"", "not a user id" },
		{ "sub", "\"a:b\"", "not a user id" },
		{ "sub", "\"a\\u0000b\"", "no subject" },
		{ "sub", "7", "no subject" },
	};
	struct uktv_cognito *c;
	char *tok;

	server_keys(key1, "k1", NULL, NULL);
	c = verifier();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tok = token(key1, "k1", bad[i].name, bad[i].value);
		check_refused(c, tok, UKTV_ERR_NOPERM, bad[i].want);
		free(tok);
	}
	/* An access token as Cognito writes one (client_id, no aud) is
	 * refused as what it is. */
	{
		struct json_object *o = json_tokener_parse("{\"sub\":\"" SUB
		    "\",\"iss\":\"" ISS "\",\"client_id\":\"page4client1\","
		    "\"token_use\":\"access\",\"scope\":\"aws.cognito.signin."
		    "user.admin\",\"exp\":1751648561,\"iat\":1751644961}");
		struct uktv_cognito_claims cl;
		struct uktv_error err;

		CHECK(o != NULL);
		CHECK_INT(uktv_cognito_check_claims(c, o, (time_t)NOW, &cl,
		    &err), -1);
		CHECK_STR(err.message, "token_use \"access\" is not an ID "
		    "token");
		json_object_put(o);
	}
	uktv_cognito_free(c);
}

/* Refused before any key is needed: nothing is fetched for them. */
static void
test_forgeries(void)
{
	struct uktv_cognito *c;
	char *tok, *good, *c2, *forged, *pem, *input;
	long before;

	server_keys(key1, "k1", NULL, NULL);
	c = verifier();
	before = server_fetches();
	pem = public_pem(key1);
	c2 = claims(NULL, NULL);
	tok = sign_hs256(pem, strlen(pem), "{\"kid\":\"k1\",\"alg\":\"HS256\"}",
	    c2);
	check_refused(c, tok, UKTV_ERR_NOPERM, "algorithm \"HS256\" not "
	    "allowed");
	free(tok);
	input = signing_input("{\"kid\":\"k1\",\"alg\":\"none\"}", c2);
	if (asprintf(&tok, "%s.", input) == -1)
		abort();
	check_refused(c, tok, UKTV_ERR_NOPERM, "algorithm \"none\" not "
	    "allowed");
	free(tok);
	free(input);
	tok = token(key1, NULL, NULL, NULL);
	check_refused(c, tok, UKTV_ERR_NOPERM, "no key id");
	free(tok);
	static const char *junk[] = {
		"x", "a.b", "a.b.c", "eyJ.eyJ.eyJ", "....", "Bearer a.b.c.d",
		"\x01\x02", "Basic dXNlcjpwYXNz",
	};
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		check_refused(c, junk[i], UKTV_ERR_NOPERM, "malformed token");
	CHECK_INT(server_fetches(), before);
	CHECK_INT(uktv_cognito_fetches(c), 0);
	/* Signed, then the payload changed: the key is fetched, the
	 * signature fails, also once the good token is remembered. */
	good = token(key1, "k1", NULL, NULL);
	{
		struct uktv_cognito_claims cl;
		struct uktv_error err;

		CHECK_INT(verify(c, good, &cl, &err), 0);
	}
	{
		char *p2 = b64url(c2, strlen(c2) - 1), *d1 = strchr(good, '.');

		if (asprintf(&forged, "%.*s.%s%s", (int)(d1 - good), good, p2,
		    strrchr(good, '.')) == -1)
			abort();
		free(p2);
	}
	check_refused(c, forged, UKTV_ERR_NOPERM, "malformed token");
	free(forged);
	{
		char *admin = claims("sub", "\"admin\""), *p2, *d1;

		p2 = b64url(admin, strlen(admin));
		d1 = strchr(good, '.');
		if (asprintf(&forged, "%.*s.%s%s", (int)(d1 - good), good, p2,
		    strrchr(good, '.')) == -1)
			abort();
		free(p2);
		free(admin);
	}
	check_refused(c, forged, UKTV_ERR_NOPERM, "signature does not match");
	free(forged);
	/* Signed by a key not in the pool, under the pool's kid. */
	tok = token(key2, "k1", NULL, NULL);
	check_refused(c, tok, UKTV_ERR_NOPERM, "signature does not match");
	free(tok);
	free(good);
	free(c2);
	free(pem);
	uktv_cognito_free(c);
}

/* An unknown kid fetches the JWKS again, at most once a minute. */
static void
test_unknown_kid(void)
{
	struct uktv_cognito *c;
	struct uktv_cognito_claims cl;
	struct uktv_error err;
	char *t1 = token(key1, "k1", NULL, NULL), *t2 = token(key2, "k2", NULL,
	    NULL), *t3 = token(key2, "k3", NULL, NULL);
	long before;

	server_keys(key1, "k1", NULL, NULL);
	before = server_fetches();
	c = verifier();
	CHECK_INT(verify(c, t1, &cl, &err), 0);
	CHECK_INT(server_fetches(), before + 1);
	/* Rotation: the pool now signs with k2 as well.  Within the minute
	 * of the first fetch, k2 is unknown and nothing is fetched. */
	server_keys(key1, "k1", key2, "k2");
	__atomic_add_fetch(&fake_mono, 30000, __ATOMIC_SEQ_CST);
	check_refused(c, t2, UKTV_ERR_NOPERM,
	    "unknown key (kid not in the user pool's JWKS)");
	CHECK_INT(server_fetches(), before + 1);
	/* A minute after the first fetch: one refetch, and k2 is known. */
	__atomic_add_fetch(&fake_mono, 30000, __ATOMIC_SEQ_CST);
	CHECK_INT(verify(c, t2, &cl, &err), 0);
	CHECK_INT(server_fetches(), before + 2);
	/* A second unknown kid within the minute: no refetch. */
	__atomic_add_fetch(&fake_mono, 59000, __ATOMIC_SEQ_CST);
	check_refused(c, t3, UKTV_ERR_NOPERM, "unknown key");
	check_refused(c, t3, UKTV_ERR_NOPERM, "unknown key");
	CHECK_INT(server_fetches(), before + 2);
	/* Known kids go on working meanwhile. */
	CHECK_INT(verify(c, t1, &cl, &err), 0);
	CHECK_INT(verify(c, t2, &cl, &err), 0);
	/* The pool drops k1: after the minute, the refetch for k3 drops it
	 * from the cache too. */
	server_keys(key2, "k2", NULL, NULL);
	__atomic_add_fetch(&fake_mono, 1000, __ATOMIC_SEQ_CST);
	check_refused(c, t3, UKTV_ERR_NOPERM, "unknown key");
	CHECK_INT(server_fetches(), before + 3);
	check_refused(c, t1, UKTV_ERR_NOPERM, "unknown key");
	CHECK_INT(server_fetches(), before + 3);
	CHECK_INT(verify(c, t2, &cl, &err), 0);
	CHECK_INT(uktv_cognito_fetches(c), 3);
	uktv_cognito_free(c);
	free(t1);
	free(t2);
	free(t3);
}

/* A JWKS that cannot be had is UKTV_ERR_UNAVAILABLE, not a bad token,
 * and is tried again after UKTV_COGNITO_RETRY_MS, not at once. */
static void
test_jwks_failures(void)
{
	struct uktv_cognito *c;
	struct uktv_cognito_claims cl;
	struct uktv_error err;
	char *t1 = token(key1, "k1", NULL, NULL);
	long before;

	server_answer(500, "{\"message\":\"boom\"}");
	before = server_fetches();
	c = verifier();
	check_refused(c, t1, UKTV_ERR_UNAVAILABLE, "HTTP 500");
	check_refused(c, t1, UKTV_ERR_UNAVAILABLE, "could not be fetched");
	CHECK_INT(server_fetches(), before + 1);
	server_keys(key1, "k1", NULL, NULL);
	__atomic_add_fetch(&fake_mono, UKTV_COGNITO_RETRY_MS, __ATOMIC_SEQ_CST);
	CHECK_INT(verify(c, t1, &cl, &err), 0);
	CHECK_INT(server_fetches(), before + 2);
	uktv_cognito_free(c);

	/* Answers that hold no usable key. */
	static const char *bodies[] = {
		"not json", "[]", "{\"keys\":{}}", "{\"keys\":[]}",
		"{\"keys\":[{\"kty\":\"EC\",\"kid\":\"k1\",\"crv\":\"P-256\","
		    "\"x\":\"AA\",\"y\":\"AA\"}]}",
		"{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k1\",\"n\":\"AQAB\","
		    "\"e\":\"AQAB\"}]}",
		"{\"keys\":[]} trailing",
	};
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		server_answer(200, bodies[i]);
		c = verifier();
		check_refused(c, t1, UKTV_ERR_UNAVAILABLE, "JWKS");
		uktv_cognito_free(c);
	}
	/* A key for encryption, or for another algorithm, is no signing
	 * key: skipped, and the right one beside it still counts. */
	{
		char *n = jwk_member(key1, "n"), *body;

		if (asprintf(&body, "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k1\","
		    "\"use\":\"enc\",\"n\":\"%s\",\"e\":\"AQAB\"},{\"kty\":"
		    "\"RSA\",\"kid\":\"k1\",\"alg\":\"RS512\",\"n\":\"%s\","
		    "\"e\":\"AQAB\"},{\"kty\":\"RSA\",\"kid\":\"k9\",\"n\":"
		    "\"%s\",\"e\":\"AQAB\"}]}", n, n, n) == -1)
			abort();
		server_answer(200, body);
		c = verifier();
		check_refused(c, t1, UKTV_ERR_NOPERM, "unknown key");
		uktv_cognito_free(c);
		free(body);
		free(n);
	}
	free(t1);
}

struct worker {
	struct uktv_cognito	*c;
	const char		*tok;
	int			 ok;
};

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct uktv_cognito_claims cl;
	struct uktv_error err;

	for (int i = 0; i < 25; i++)
		if (uktv_cognito_verify(w->c, w->tok, &cl, &err) == 0 &&
		    strcmp(cl.sub, SUB) == 0)
			w->ok++;
	return NULL;
}

/* Threads that all need the keys at once: one fetch, and none of them
 * refused for a kid the fetch is about to bring. */
static void
test_threads(void)
{
	struct worker w[8];
	pthread_t t[8];
	struct uktv_cognito *c;
	char *tok = token(key1, "k1", NULL, NULL);
	long before;

	server_keys(key1, "k1", NULL, NULL);
	before = server_fetches();
	c = verifier();
	for (int i = 0; i < 8; i++) {
		w[i].c = c;
		w[i].tok = tok;
		w[i].ok = 0;
		if (pthread_create(&t[i], NULL, worker_main, &w[i]) != 0)
			abort();
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		CHECK_INT(w[i].ok, 25);
	}
	CHECK_INT(server_fetches(), before + 1);
	uktv_cognito_free(c);
	free(tok);
}

static void
test_config(void)
{
	static const char *const one[] = { "client1" };
	static const char *const badc[] = { "client1", "bad client" };
	struct uktv_cognito_config cfg = {
		.region = REGION, .pool_id = POOL,
		.client_ids = one, .nclient_ids = 1,
	};
	struct uktv_awsconf_opts o = { 0 };
	struct uktv_awsconf *conf;
	struct uktv_cognito *c;
	struct uktv_error err;

	/* No conf, no URL: Cognito's own endpoint. */
	c = uktv_cognito_new(&cfg, &err);
	CHECK(c != NULL);
	if (c != NULL)
		CHECK_STR(uktv_cognito_jwks_url(c), "https://cognito-idp."
		    REGION ".amazonaws.com/" POOL "/.well-known/jwks.json");
	uktv_cognito_free(c);
	/* Endpoints as for every service: the service's own variable, then
	 * AWS_ENDPOINT_URL; never --endpoint-url (DynamoDB's, in uktv-api). */
	setenv("AWS_CONFIG_FILE", "/dev/null", 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null", 1);
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	setenv("AWS_ENDPOINT_URL", "http://moto:5000/", 1);
	setenv("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
	    "http://jwks:8081", 1);
	o.endpoint_url = "http://dynamodb:8000";
	o.region = "us-east-1";
	conf = uktv_awsconf_load(&o, &err);
	CHECK(conf != NULL);
	cfg.conf = conf;
	cfg.region = NULL;
	c = uktv_cognito_new(&cfg, &err);
	CHECK(c != NULL);
	if (c != NULL)
		CHECK_STR(uktv_cognito_jwks_url(c), "http://jwks:8081/" POOL
		    "/.well-known/jwks.json");
	uktv_cognito_free(c);
	uktv_awsconf_free(conf);
	unsetenv("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER");
	conf = uktv_awsconf_load(&o, &err);
	cfg.conf = conf;
	c = uktv_cognito_new(&cfg, &err);
	CHECK(c != NULL);
	if (c != NULL)
		CHECK_STR(uktv_cognito_jwks_url(c), "http://moto:5000/" POOL
		    "/.well-known/jwks.json");
	uktv_cognito_free(c);
	uktv_awsconf_free(conf);
	unsetenv("AWS_ENDPOINT_URL");
	cfg.conf = NULL;

	/* The region: given, else the pool id's prefix (pools are
	 * REGION_ID); it names the issuer.  A bad one is refused. */
	cfg.pool_id = "us-west-1_Abc";
	c = uktv_cognito_new(&cfg, &err);
	CHECK(c != NULL);
	if (c != NULL)
		CHECK_STR(uktv_cognito_jwks_url(c), "https://cognito-idp."
		    "us-west-1.amazonaws.com/us-west-1_Abc/.well-known/"
		    "jwks.json");
	uktv_cognito_free(c);
	cfg.region = "eu west";
	CHECK(uktv_cognito_new(&cfg, &err) == NULL);
	CHECK_INT(err.kind, UKTV_ERR_CONFIG);
	cfg.region = REGION;

	static const char *badpools[] = {
		"", "nounderscore", "_x", "x_", "../x_y", "eu-west-2_a/b",
		"eu-west-2_a?b",
		"eu-west-2_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	};
	for (size_t i = 0; i < sizeof(badpools) / sizeof(badpools[0]); i++) {
		cfg.pool_id = badpools[i];
		CHECK(uktv_cognito_new(&cfg, &err) == NULL);
		CHECK_INT(err.kind, UKTV_ERR_USAGE);
	}
	cfg.pool_id = NULL;
	CHECK(uktv_cognito_new(&cfg, &err) == NULL);
	cfg.pool_id = POOL;
	cfg.nclient_ids = 0;
	CHECK(uktv_cognito_new(&cfg, &err) == NULL);
	CHECK_INT(err.kind, UKTV_ERR_USAGE);
	cfg.client_ids = badc;
	cfg.nclient_ids = 2;
	CHECK(uktv_cognito_new(&cfg, &err) == NULL);
	CHECK_INT(err.kind, UKTV_ERR_USAGE);
	CHECK(uktv_cognito_new(NULL, &err) == NULL);
	uktv_cognito_free(NULL);
}

int
main(void)
{
	/* Nothing here may reach a real AWS endpoint. */
	unsetenv("AWS_CA_BUNDLE");
	key1 = load_rsa("tests/fixtures/jwt/key1.pem");
	key2 = load_rsa("tests/fixtures/jwt/key2.pem");
	server_start();
	RUN(test_valid);
	RUN(test_times);
	RUN(test_claims);
	RUN(test_forgeries);
	RUN(test_unknown_kid);
	RUN(test_jwks_failures);
	RUN(test_threads);
	RUN(test_config);
	server_stop();
	EVP_PKEY_free(key1);
	EVP_PKEY_free(key2);
	return UNIT_DONE();
}
