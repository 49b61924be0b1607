/*
 * test_watchmode.c: the Watchmode client's parts that need no server (the
 * bats suite tests/refdata.bats drives the rest against the double): option
 * handling, key and base URL sources, the error envelope, key masking; and
 * lib/items' key grammar and typed comparison.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "items.h"
#include "unit.h"
#include "watchmode.h"
#include "watchopt.h"
#include "private/items.h"
#include "private/watchmode.h"

static char tmpdir[] = "/tmp/test_watchmode.XXXXXX";

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	CHECK(fp != NULL);
	if (fp != NULL) {
		fputs(text, fp);
		fclose(fp);
	}
}

static void
test_options(void)
{
	struct uktv_watchmode_opts o = { 0 };
	char why[128];

	CHECK_INT(uktv_watchopt_handle(&o, UKTV_OPT_API_KEY_FILE, "k",
	    why, sizeof(why)), UKTV_TOOLOPT_HANDLED);
	CHECK_STR(o.api_key_file, "k");
	CHECK_INT(uktv_watchopt_handle(&o, UKTV_OPT_API_KEY_SECRET, "arn",
	    why, sizeof(why)), UKTV_TOOLOPT_BAD);
	CHECK_STR(why, "--api-key-file and --api-key-secret cannot be used together");
	CHECK_INT(uktv_watchopt_handle(&o, UKTV_OPT_API_KEY_FILE, "",
	    why, sizeof(why)), UKTV_TOOLOPT_BAD);
	CHECK_STR(why, "--api-key-file needs a value");
	CHECK_INT(uktv_watchopt_handle(&o, UKTV_OPT_KEY_IN_QUERY, NULL,
	    why, sizeof(why)), UKTV_TOOLOPT_HANDLED);
	CHECK_INT(o.key_in_query, 1);
	CHECK_INT(uktv_watchopt_handle(&o, 't', "x", why, sizeof(why)),
	    UKTV_TOOLOPT_NOT_MINE);
}

static void
test_country(void)
{
	char c[3];

	CHECK_INT(uktv_watchmode_country("gb", c), 0);
	CHECK_STR(c, "GB");
	CHECK_INT(uktv_watchmode_country("Us", c), 0);
	CHECK_STR(c, "US");
	CHECK_INT(uktv_watchmode_country("GBR", c), -1);
	CHECK_INT(uktv_watchmode_country("G1", c), -1);
	CHECK_INT(uktv_watchmode_country("", c), -1);
	CHECK_INT(uktv_watchmode_country("\xc3\x9f", c), -1);
}

static struct uktv_http_response
answer(long status, const char *body)
{
	struct uktv_http_response r;

	memset(&r, 0, sizeof(r));
	r.status = status;
	r.body = (char *)body;
	r.body_len = strlen(body);
	return r;
}

static void
test_envelope_errors(void)
{
	struct uktv_http_response r;
	struct uktv_error e;
	char longmsg[600];

	r = answer(401, "{\"success\":false,\"statusCode\":401,"
	    "\"statusMessage\":\"Please enter a valid API key.\"}");
	uktv_error_clear(&e);
	CHECK_INT(uktv_watchmode_answer_error("/v1/sources/", &r, "wmk-1234", &e), -1);
	CHECK_INT(e.kind, UKTV_ERR_NOPERM);
	CHECK_INT(e.http_status, 401);
	CHECK_INT(uktv_error_exit_code(&e), 77);
	CHECK_STR(e.message, "Watchmode /v1/sources/: HTTP 401: invalid API key, "
	    "or an endpoint your plan does not include (Please enter a valid "
	    "API key.)");

	r = answer(402, "{\"success\":false,\"statusCode\":402,"
	    "\"statusMessage\":\"Over quota\"}");
	uktv_watchmode_answer_error("/v1/genres/", &r, NULL, &e);
	CHECK_INT(e.kind, UKTV_ERR_QUOTA);
	CHECK_INT(uktv_error_exit_code(&e), 69);

	r = answer(404, "{\"success\":false,\"statusCode\":404}");
	uktv_watchmode_answer_error("/v1/title/1/details/", &r, NULL, &e);
	CHECK_INT(e.kind, UKTV_ERR_NOTFOUND);
	CHECK_STR(e.message, "Watchmode /v1/title/1/details/: HTTP 404: not found");

	r = answer(503, "<html>busy</html>");
	uktv_watchmode_answer_error("/v1/sources/", &r, NULL, &e);
	CHECK_INT(e.kind, UKTV_ERR_UNAVAILABLE);
	CHECK_INT(e.retryable, 1);
	CHECK_STR(e.message, "Watchmode /v1/sources/: HTTP 503: server error");

	/* The key is masked wherever it appears; newlines do not split. */
	r = answer(400, "{\"success\":false,\"statusCode\":400,\"statusMessage\":"
	    "\"bad key secret-key-123\\nand secret-key-123 again\"}");
	uktv_watchmode_answer_error("/v1/list-titles/", &r, "secret-key-123", &e);
	CHECK_INT(e.kind, UKTV_ERR_SERVICE);
	CHECK_STR(e.message, "Watchmode /v1/list-titles/: HTTP 400: request "
	    "refused (bad key **** and **** again)");

	/* A long message is cut, the key masked even across the cut. */
	memset(longmsg, 0, sizeof(longmsg));
	strlcpy(longmsg, "{\"success\":false,\"statusMessage\":\"", sizeof(longmsg));
	for (int i = 0; i < 195; i++)
		strlcat(longmsg, "x", sizeof(longmsg));
	strlcat(longmsg, "KEY-abcdefgh\"}", sizeof(longmsg));
	r = answer(400, longmsg);
	uktv_watchmode_answer_error("/v1/x/", &r, "KEY-abcdefgh", &e);
	CHECK(strstr(e.message, "KEY-") == NULL);
	CHECK(strstr(e.message, "...") != NULL);
}

static void
test_key_sources(void)
{
	struct uktv_watchmode_opts o = { 0 };
	struct uktv_watchmode *wm;
	struct uktv_http *http;
	struct uktv_error e;
	char path[128];

	uktv_error_clear(&e);
	http = uktv_http_new(NULL, &e);
	CHECK(http != NULL);
	if (http == NULL)
		return;
	unsetenv("WATCHMODE_API_KEY");
	unsetenv("WATCHMODE_ENDPOINT_URL");

	CHECK(uktv_watchopt_client(http, NULL, &o, &e) == NULL);
	CHECK_INT(e.kind, UKTV_ERR_CONFIG);
	CHECK_STR(e.message, "no Watchmode API key: set WATCHMODE_API_KEY, or use "
	    "--api-key-file FILE or --api-key-secret ARN");

	setenv("WATCHMODE_API_KEY", "abc", 1);
	wm = uktv_watchopt_client(http, NULL, &o, &e);
	CHECK(wm != NULL);
	if (wm != NULL) {
		CHECK_STR(uktv_watchmode_base_url(wm), "https://api.watchmode.com");
		CHECK_INT(uktv_watchmode_quota(wm)->quota, -1);
		CHECK_INT(uktv_watchmode_quota(wm)->calls, 0);
	}
	uktv_watchmode_free(wm);

	/* A /v1 given anyway is not doubled. */
	setenv("WATCHMODE_ENDPOINT_URL", "http://127.0.0.1:8080/v1/", 1);
	wm = uktv_watchopt_client(http, NULL, &o, &e);
	CHECK(wm != NULL);
	if (wm != NULL)
		CHECK_STR(uktv_watchmode_base_url(wm), "http://127.0.0.1:8080");
	uktv_watchmode_free(wm);
	setenv("WATCHMODE_ENDPOINT_URL", "ftp://x", 1);
	CHECK(uktv_watchopt_client(http, NULL, &o, &e) == NULL);
	CHECK_INT(e.kind, UKTV_ERR_CONFIG);
	unsetenv("WATCHMODE_ENDPOINT_URL");

	setenv("WATCHMODE_API_KEY", "a b", 1);
	CHECK(uktv_watchopt_client(http, NULL, &o, &e) == NULL);
	CHECK_INT(e.kind, UKTV_ERR_CONFIG);
	CHECK(strstr(e.message, "a b") == NULL);

	/* The file wins over the variable; its newline is not the key's. */
	snprintf(path, sizeof(path), "%s/key", tmpdir);
	write_file(path, "  file-key-1\r\nsecond line\n");
	o.api_key_file = path;
	wm = uktv_watchopt_client(http, NULL, &o, &e);
	CHECK(wm != NULL);
	uktv_watchmode_free(wm);
	write_file(path, "\n");
	CHECK(uktv_watchopt_client(http, NULL, &o, &e) == NULL);
	CHECK_INT(e.kind, UKTV_ERR_CONFIG);
	snprintf(path, sizeof(path), "%s/missing", tmpdir);
	CHECK(uktv_watchopt_client(http, NULL, &o, &e) == NULL);
	CHECK_INT(e.kind, UKTV_ERR_NOINPUT);
	CHECK_INT(uktv_error_exit_code(&e), 66);
	unsetenv("WATCHMODE_API_KEY");
	uktv_http_free(http);
}

/* A server that is not there: retried, then UNAVAILABLE, and the message
 * holds neither the key nor the query. */
static void
test_unreachable(void)
{
	struct uktv_watchmode_opts o = { 0 };
	struct uktv_http_opts ho = { 0 };
	struct uktv_watchmode *wm;
	struct uktv_http *http;
	struct json_object *out = NULL;
	struct uktv_error e;

	uktv_error_clear(&e);
	ho.connect_timeout_ms = 500;
	if ((http = uktv_http_new(&ho, &e)) == NULL) {
		CHECK(http != NULL);
		return;
	}
	setenv("UKTV_RETRY_BASE_MS", "1", 1);
	setenv("WATCHMODE_API_KEY", "sekrit-key-42", 1);
	setenv("WATCHMODE_ENDPOINT_URL", "http://127.0.0.1:1", 1);
	o.key_in_query = 1;
	wm = uktv_watchopt_client(http, NULL, &o, &e);
	CHECK(wm != NULL);
	if (wm != NULL) {
		CHECK_INT(uktv_watchmode_sources(wm, "GB", NULL, &out, &e), -1);
		CHECK(out == NULL);
		CHECK_INT(e.kind, UKTV_ERR_UNAVAILABLE);
		CHECK(strncmp(e.message, "Watchmode /v1/sources/: GET "
		    "http://127.0.0.1:1/v1/sources/: ", 50) == 0);
		CHECK(strstr(e.message, "sekrit") == NULL);
		CHECK(strstr(e.message, "regions=") == NULL);
		CHECK_INT(uktv_watchmode_quota(wm)->calls, 4);
		CHECK_INT(uktv_watchmode_quota(wm)->retries, 3);
		/* Paths that are not Watchmode's are refused before sending. */
		CHECK_INT(uktv_watchmode_title_details(wm, "1/../../x", NULL,
		    NULL, &out, &e), -1);
		CHECK_INT(e.kind, UKTV_ERR_INPUT);
		CHECK_INT(uktv_watchmode_quota(wm)->calls, 4);
	}
	uktv_watchmode_free(wm);
	unsetenv("WATCHMODE_API_KEY");
	unsetenv("WATCHMODE_ENDPOINT_URL");
	uktv_http_free(http);
}

static void
test_pk_grammar(void)
{
	CHECK_INT(uktv_items_pk_kind("source:203"), UKTV_ITEM_SOURCE);
	CHECK_INT(uktv_items_pk_kind("genre:4"), UKTV_ITEM_GENRE);
	CHECK_INT(uktv_items_pk_kind("region:GB"), UKTV_ITEM_REGION);
	CHECK_INT(uktv_items_pk_kind("source:203:genre:4"), UKTV_ITEM_INDEX);
	CHECK_INT(uktv_items_pk_kind("title:3184039"), UKTV_ITEM_TITLE);
	CHECK_INT(uktv_items_pk_kind("userpref:alice@example.com"), UKTV_ITEM_USERPREF);
	CHECK_INT(uktv_items_pk_kind("source:"), UKTV_ITEM_OTHER);
	CHECK_INT(uktv_items_pk_kind("source:x"), UKTV_ITEM_OTHER);
	CHECK_INT(uktv_items_pk_kind("source:203:genre:"), UKTV_ITEM_OTHER);
	CHECK_INT(uktv_items_pk_kind("source:203:genre:4:x"), UKTV_ITEM_OTHER);
	CHECK_INT(uktv_items_pk_kind("source:203 "), UKTV_ITEM_OTHER);
	CHECK_INT(uktv_items_pk_kind("genre:-4"), UKTV_ITEM_OTHER);
	CHECK_INT(uktv_items_pk_kind("region:G:B"), UKTV_ITEM_OTHER);
	CHECK_INT(uktv_items_pk_kind("source:123456789012345678901"), UKTV_ITEM_OTHER);
	CHECK_INT(uktv_items_pk_kind("userpref:"), UKTV_ITEM_OTHER);
	CHECK_INT(uktv_items_pk_kind(NULL), UKTV_ITEM_OTHER);
	CHECK_STR(uktv_items_kind_name(UKTV_ITEM_INDEX), "index");
}

static int
teq(const char *a, const char *b)
{
	struct json_object *x = json_tokener_parse(a), *y = json_tokener_parse(b);
	int r = uktv_items_typed_equal(x, y);

	json_object_put(x);
	json_object_put(y);
	return r;
}

static void
test_typed_equal(void)
{
	CHECK(uktv_items_number_equal("4.50", "4.5"));
	CHECK(uktv_items_number_equal("10", "1E1"));
	CHECK(uktv_items_number_equal("0", "-0.0"));
	CHECK(uktv_items_number_equal("007", "7"));
	CHECK(!uktv_items_number_equal("7", "70"));
	CHECK(!uktv_items_number_equal("-7", "7"));
	CHECK(!uktv_items_number_equal("12345678901234567890123456789012345678",
	    "12345678901234567890123456789012345679"));
	CHECK(!uktv_items_number_equal("x", "x "));

	CHECK(teq("{\"M\":{\"a\":{\"N\":\"1\"},\"b\":{\"NULL\":true}}}",
	    "{\"M\":{\"b\":{\"NULL\":true},\"a\":{\"N\":\"1.0\"}}}"));
	CHECK(!teq("{\"M\":{\"a\":{\"N\":\"1\"}}}", "{\"M\":{\"a\":{\"S\":\"1\"}}}"));
	CHECK(!teq("{\"M\":{\"a\":{\"N\":\"1\"}}}",
	    "{\"M\":{\"a\":{\"N\":\"1\"},\"b\":{\"NULL\":true}}}"));
	CHECK(!teq("{\"M\":{\"a\":{\"NULL\":true}}}", "{\"M\":{\"a\":{\"S\":\"\"}}}"));
	CHECK(teq("{\"L\":[{\"S\":\"GB\"},{\"S\":\"US\"}]}",
	    "{\"L\":[{\"S\":\"GB\"},{\"S\":\"US\"}]}"));
	CHECK(!teq("{\"L\":[{\"S\":\"GB\"},{\"S\":\"US\"}]}",
	    "{\"L\":[{\"S\":\"US\"},{\"S\":\"GB\"}]}"));
	CHECK(teq("{\"SS\":[\"a\",\"b\"]}", "{\"SS\":[\"b\",\"a\"]}"));
	CHECK(teq("{\"NS\":[\"1\",\"2.0\"]}", "{\"NS\":[\"2\",\"1\"]}"));
	CHECK(!teq("{\"BOOL\":true}", "{\"BOOL\":false}"));
	CHECK(uktv_items_typed_equal(NULL, NULL));
	CHECK(!teq("{\"S\":\"a\"}", "null"));
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_options);
	RUN(test_country);
	RUN(test_envelope_errors);
	RUN(test_key_sources);
	RUN(test_unreachable);
	RUN(test_pk_grammar);
	RUN(test_typed_equal);
	{
		char p[128];

		snprintf(p, sizeof(p), "%s/key", tmpdir);
		unlink(p);
		rmdir(tmpdir);
	}
	return UNIT_DONE();
}
