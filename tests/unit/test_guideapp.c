/* test_guideapp.c: which settings the signed-in page takes, and what it
 * writes: three files under app/, the API's origin in the policy, the
 * settings as one JSON block, the site's name escaped, no marker left. */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "guideapp.h"
#include "private/guideview.h"
#include "unit.h"

static struct uktv_guideapp_config
good(void)
{
	struct uktv_guideapp_config c = {
		.api_url = "https://api.example.org",
		.user_pool = "eu-west-2_AbCdEf123",
		.client_id = "1example23456789",
		.domain = "uktv.auth.eu-west-2.amazoncognito.com",
	};

	return c;
}

/* 0, or the letter of the setting refused. */
static char
refused(struct uktv_guideapp_config c)
{
	char bad = 0, why[200];

	if (uktv_guideapp_check(&c, &bad, why, sizeof(why)) == 0)
		return 0;
	CHECK(why[0] != '\0');
	return bad;
}

static void
test_check(void)
{
	struct uktv_guideapp_config c = good();
	static const char *const urls_ok[] = { "http://127.0.0.1:8080",
	    "https://api.example.org/", "https://example.org/api/v1",
	    "http://[::1]:8080/x", "HTTPS://API.EXAMPLE.ORG" };
	static const char *const urls_bad[] = { "", "api.example.org",
	    "ftp://x.org", "https://", "https://:80", "https://u@x.org",
	    "https://x.org?q=1", "https://x.org/#f", "https://x.org:123456",
	    "https://x.org/a b", "https://x.org/a'b", "https://x.org;y",
	    "https://[::1", "https://x.org/\"" };
	static const char *const pools_bad[] = { "", "eu-west-2", "_Abc",
	    "eu-west-2_", "euwest2_Abc", "eu-west-2_Ab-c", "-eu-west-2_A",
	    "eu-west-2-_A" };
	static const char *const clients_bad[] = { "", "a b", "a\"b", "a-b" };
	static const char *const domains_bad[] = { "", "https://a.org",
	    "a.org/login", "a..org", "-a.org", "a.org:443", "a_b.org" };
	size_t i;

	CHECK_INT(refused(c), 0);
	for (i = 0; i < sizeof(urls_ok) / sizeof(urls_ok[0]); i++) {
		c = good();
		c.api_url = urls_ok[i];
		CHECK_INT(refused(c), 0);
	}
	for (i = 0; i < sizeof(urls_bad) / sizeof(urls_bad[0]); i++) {
		c = good();
		c.api_url = urls_bad[i];
		CHECK_INT(refused(c), 'a');
	}
	for (i = 0; i < sizeof(pools_bad) / sizeof(pools_bad[0]); i++) {
		c = good();
		c.user_pool = pools_bad[i];
		CHECK_INT(refused(c), 'p');
	}
	c = good();
	c.user_pool = "us-gov-west-1_x";
	CHECK_INT(refused(c), 0);
	for (i = 0; i < sizeof(clients_bad) / sizeof(clients_bad[0]); i++) {
		c = good();
		c.client_id = clients_bad[i];
		CHECK_INT(refused(c), 'c');
	}
	for (i = 0; i < sizeof(domains_bad) / sizeof(domains_bad[0]); i++) {
		c = good();
		c.domain = domains_bad[i];
		CHECK_INT(refused(c), 'd');
	}
}

/* The text between "<script type=...config\">" and "</script>". */
static struct json_object *
config_of(const char *page)
{
	const char *open = "<script type=\"application/json\" id=\"config\">";
	const char *a = strstr(page, open), *b;
	struct json_object *o;
	char *text;

	if (a == NULL || (b = strstr(a += strlen(open), "</script>")) == NULL)
		return NULL;
	text = strndup(a, (size_t)(b - a));
	o = json_tokener_parse(text);
	free(text);
	return o;
}

static void
test_render(void)
{
	struct uktv_guideapp_config c = good();
	const struct uktv_site_file *f;
	struct json_object *cfg, *v;
	struct uktv_site s;
	struct uktv_error err;

	c.api_url = "https://api.example.org:8443/prod/";
	c.title = "Tom & Jerry <TV>";
	uktv_site_init(&s);
	CHECK_INT(uktv_guideapp_render(&c, &s, &err), 0);
	CHECK_INT((int)s.n, 3);
	CHECK(uktv_site_find(&s, "app/app.js") != NULL);
	CHECK(uktv_site_find(&s, "app/app.css") != NULL);
	f = uktv_site_find(&s, "app/index.html");
	CHECK(f != NULL);
	if (f == NULL)
		goto out;
	CHECK(strlen(f->body) == f->len);
	CHECK(strstr(f->body, "@@") == NULL);
	CHECK(strstr(f->body, "connect-src https://api.example.org:8443; ")
	    != NULL);
	CHECK(strstr(f->body, "<title>My guide \xe2\x80\x93 Tom &amp; Jerry "
	    "&lt;TV&gt;</title>") != NULL);
	CHECK(strstr(f->body, "Tom & Jerry") == NULL);
	CHECK((cfg = config_of(f->body)) != NULL);
	CHECK(json_object_object_get_ex(cfg, "api", &v) &&
	    strcmp(json_object_get_string(v), c.api_url) == 0);
	CHECK(json_object_object_get_ex(cfg, "region", &v) &&
	    strcmp(json_object_get_string(v), "eu-west-2") == 0);
	CHECK(json_object_object_get_ex(cfg, "clientId", &v) &&
	    strcmp(json_object_get_string(v), c.client_id) == 0);
	CHECK_INT(json_object_object_length(cfg), 5);
	json_object_put(cfg);
	/* The same settings, the same bytes. */
	{
		struct uktv_site t;

		uktv_site_init(&t);
		CHECK_INT(uktv_guideapp_render(&c, &t, &err), 0);
		CHECK(t.n == 3 && t.v[0].len == f->len &&
		    memcmp(t.v[0].body, f->body, f->len) == 0);
		uktv_site_free(&t);
	}
out:
	uktv_site_free(&s);
}

int
main(void)
{
	RUN(test_check);
	RUN(test_render);
	return UNIT_DONE();
}
