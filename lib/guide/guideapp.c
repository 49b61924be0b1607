/*
 * guideapp.c: see guideapp.h.  The page's files are lib/guide/app/
 * (index.html, app.js, app.css), compiled in as guideapp_files.h
 * (scripts/embed, run by the Makefile).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "guideapp.h"
#include "html.h"

#include "guideapp_files.h"	/* generated: embed_files[] */

#define DEFAULT_TITLE	"UK TV guide"

static const struct embed_file *
app_file(const char *name)
{
	for (size_t i = 0; i < sizeof(embed_files) / sizeof(embed_files[0]); i++)
		if (strcmp(embed_files[i].name, name) == 0)
			return &embed_files[i];
	return NULL;
}

/* ---- checking the configuration ---- */

static int
is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* The length of "http(s)://HOST[:PORT]" at the start of url, or 0 when url
 * is not an absolute http(s) URL whose authority is a host name, an IPv4
 * or a bracketed IPv6 address and an optional port: nothing else may go
 * into the policy's connect-src. */
static size_t
origin_len(const char *url)
{
	size_t s, i;

	if (strncasecmp(url, "https://", 8) == 0)
		s = 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		s = 7;
	else
		return 0;
	i = s;
	if (url[i] == '[') {
		for (i++; url[i] != ']'; i++)
			if (url[i] == '\0' || (url[i] != ':' && url[i] != '.' &&
			    strchr("0123456789abcdefABCDEF", url[i]) == NULL))
				return 0;
		i++;
	} else
		while (is_alnum((unsigned char)url[i]) || url[i] == '-' ||
		    url[i] == '.')
			i++;
	if (i == s)
		return 0;
	if (url[i] == ':') {
		size_t p = ++i;

		while (url[i] >= '0' && url[i] <= '9')
			i++;
		if (i == p || i - p > 5)
			return 0;
	}
	return url[i] == '\0' || url[i] == '/' ? i : 0;
}

static int
check_api(const char *url, char *why, size_t len)
{
	size_t o = origin_len(url);
	const char *p;

	if (o == 0) {
		snprintf(why, len, "not an http:// or https:// URL with a host "
		    "(and a port) only");
		return -1;
	}
	/* The path: what a URL path holds, so the page can add "/titles". */
	for (p = url + o; *p != '\0'; p++)
		if (!is_alnum((unsigned char)*p) && strchr("/-._~%", *p) == NULL) {
			snprintf(why, len, "'%c' has no place in a base URL "
			    "(no query, no fragment)", *p);
			return -1;
		}
	return 0;
}

/* Cognito's pool id: REGION_ID, the region's "xx-name-N" and 1-50
 * characters of [0-9a-zA-Z] (the API's UserPoolIdType). */
static int
check_pool(const char *pool, char *why, size_t len)
{
	const char *u = strchr(pool, '_'), *p;
	int dashes = 0;

	if (u != NULL && u > pool && u - pool < 30 && u[1] != '\0' &&
	    strlen(u + 1) <= 50) {
		for (p = pool; p < u && ((*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-'); p++)
			dashes += *p == '-';
		for (p = p == u ? u + 1 : p; is_alnum((unsigned char)*p); p++)
			;
		if (*p == '\0' && dashes >= 2 && pool[0] != '-' && u[-1] != '-')
			return 0;
	}
	snprintf(why, len, "not a user pool id (REGION_ID, e.g. "
	    "eu-west-2_AbC123xyZ)");
	return -1;
}

static int
check_client(const char *id, char *why, size_t len)
{
	const char *p;

	for (p = id; is_alnum((unsigned char)*p) || *p == '_' || *p == '+'; p++)
		;
	if (*p == '\0' && p > id && p - id <= 128)
		return 0;
	snprintf(why, len, "not an app client id (1-128 of A-Z a-z 0-9 _ +)");
	return -1;
}

/* A host name: labels of [A-Za-z0-9-], dots between, 253 at most. */
static int
check_domain(const char *d, char *why, size_t len)
{
	const char *p, *label = d;

	if (strstr(d, "://") != NULL) {
		snprintf(why, len, "the host name only, without the scheme "
		    "(auth.example.com)");
		return -1;
	}
	for (p = d; ; p++) {
		if (*p == '.' || *p == '\0') {
			if (p == label || p - label > 63 || *label == '-' ||
			    p[-1] == '-')
				break;
			if (*p == '\0')
				return p - d <= 253 ? 0 : -1;
			label = p + 1;
		} else if (!is_alnum((unsigned char)*p) && *p != '-')
			break;
	}
	snprintf(why, len, "not a host name (the hosted UI's domain, e.g. "
	    "auth.example.com or NAME.auth.REGION.amazoncognito.com)");
	return -1;
}

int
uktv_guideapp_check(const struct uktv_guideapp_config *c, char *bad,
    char *why, size_t len)
{
	if (check_api(c->api_url, why, len) == -1)
		*bad = 'a';
	else if (check_pool(c->user_pool, why, len) == -1)
		*bad = 'p';
	else if (check_client(c->client_id, why, len) == -1)
		*bad = 'c';
	else if (check_domain(c->domain, why, len) == -1)
		*bad = 'd';
	else
		return 0;
	return -1;
}

/* ---- the page ---- */

/* A short digest of the script and stylesheet for index.html's links
 * (app.js?v=...): S3 serves them with a day's cache, and a new uktv's page
 * must not run yesterday's script.  FNV-1a: a cache key, not security. */
static void
assets_tag(char *buf, size_t len)
{
	static const char *const names[] = { "app.js", "app.css" };
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < 2; i++) {
		const struct embed_file *f = app_file(names[i]);

		for (size_t j = 0; f != NULL && j < f->len; j++) {
			h ^= f->data[j];
			h *= 16777619u;
		}
	}
	snprintf(buf, len, "%08x", (unsigned)h);
}

/* The settings the script reads, as JSON text (caller frees); NULL on
 * OOM.  The region is the pool id's, as Cognito names its issuer. */
static char *
config_json(const struct uktv_guideapp_config *c)
{
	struct json_object *o;
	const char *u = strchr(c->user_pool, '_');
	char region[32], *s = NULL;

	snprintf(region, sizeof(region), "%.*s", (int)(u - c->user_pool),
	    c->user_pool);
	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "api", json_object_new_string(c->api_url));
	json_object_object_add(o, "userPool",
	    json_object_new_string(c->user_pool));
	json_object_object_add(o, "region", json_object_new_string(region));
	json_object_object_add(o, "clientId",
	    json_object_new_string(c->client_id));
	json_object_object_add(o, "domain", json_object_new_string(c->domain));
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

/* One @@NAME@@ of the template. */
static int
fill(struct uktv_html *h, const char *name, size_t n,
    const struct uktv_guideapp_config *c, const char *config)
{
	char buf[16];

#define IS(k)	(n == sizeof(k) - 1 && memcmp(name, k, n) == 0)
	if (IS("TITLE"))
		uktv_html_text(h, c->title != NULL ? c->title : DEFAULT_TITLE);
	else if (IS("CONNECT"))
		uktv_html_textn(h, c->api_url, origin_len(c->api_url));
	else if (IS("CONFIG"))
		uktv_html_json(h, config);
	else if (IS("ASSETS")) {
		assets_tag(buf, sizeof(buf));
		uktv_html_raw(h, buf);
	} else
		return -1;
#undef IS
	return 0;
}

static int
render_index(const struct uktv_guideapp_config *c, struct uktv_site *site,
    struct uktv_error *err)
{
	const struct embed_file *f = app_file("index.html");
	const char *t, *mark, *end;
	struct uktv_html h;
	char *config, *body;
	size_t len;

	if ((config = config_json(c)) == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	uktv_html_init(&h);
	for (t = (const char *)f->data; (mark = strstr(t, "@@")) != NULL &&
	    (end = strstr(mark + 2, "@@")) != NULL; t = end + 2) {
		/* The template is ours: its text goes in as it is. */
		uktv_html_rawf(&h, "%.*s", (int)(mark - t), t);
		if (fill(&h, mark + 2, (size_t)(end - mark - 2), c,
		    config) == -1) {
			free(config);
			uktv_html_free(&h);
			return uktv_error_set(err, UKTV_ERR_INTERNAL, "app/"
			    "index.html: unknown @@%.*s@@", (int)(end - mark -
			    2), mark + 2);
		}
	}
	uktv_html_raw(&h, t);
	free(config);
	if ((body = uktv_html_take(&h, &len)) == NULL ||
	    uktv_site_add(site, "app/index.html", body, len) == -1)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	return 0;
}

int
uktv_guideapp_render(const struct uktv_guideapp_config *c,
    struct uktv_site *site, struct uktv_error *err)
{
	static const char *const names[] = { "app.js", "app.css" };
	char path[32], *body;

	if (render_index(c, site, err) == -1)
		return -1;
	for (size_t i = 0; i < 2; i++) {
		const struct embed_file *f = app_file(names[i]);

		snprintf(path, sizeof(path), "app/%s", names[i]);
		if ((body = malloc(f->len + 1)) == NULL)
			return uktv_error_set(err, UKTV_ERR_INTERNAL,
			    "out of memory");
		memcpy(body, f->data, f->len + 1);
		if (uktv_site_add(site, path, body, f->len) == -1)
			return uktv_error_set(err, UKTV_ERR_INTERNAL,
			    "out of memory");
	}
	return 0;
}
