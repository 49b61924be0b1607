/*
 * fuzz_watchmode.c: Watchmode answers as lib/guide/watchmode.c reads them: the
 * error envelope {"success":false,"statusCode":N,"statusMessage":...} and
 * other non-2xx bodies (uktv_watchmode_answer_error), paging of
 * list-titles and changes, sources/genres/regions, title details and
 * sources, status, rate-limit and quota headers, 429 with Retry-After,
 * over the fake transport.
 *
 * Input: one byte choosing the call, then the transport script.
 *
 * Checks, beyond "no crash, no leak": the API key never appears in an
 * error message, even when Watchmode echoes it back (it does in its
 * statusMessage); messages are one line; a 401/402 answer is classed
 * NOPERM/QUOTA as watchmode.h says.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "http.h"
#include "watchmode.h"
#include "private/watchmode.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_env();
	return 0;
}

static void
check_err(const struct uktv_error *err)
{
	FUZZ_CHECK(strchr(err->message, '\n') == NULL, "message spans lines");
	FUZZ_CHECK(strstr(err->message, FUZZ_WATCHMODE_KEY) == NULL,
	    "Watchmode key in an error message");
	FUZZ_CHECK(strstr(err->code, FUZZ_WATCHMODE_KEY) == NULL,
	    "Watchmode key in an error code");
}

static int
on_title(struct json_object *t, void *arg)
{
	(void)t;
	(*(long *)arg)++;
	return 0;
}

/* uktv_watchmode_answer_error on one answer: status, headers, body. */
static void
answer_error(const uint8_t *data, size_t size)
{
	struct uktv_http_response resp;
	struct uktv_error err;
	struct uktv_http *http;

	fuzz_http_script(data, size);
	if ((http = uktv_http_new(NULL, NULL)) == NULL)
		abort();
	uktv_error_clear(&err);
	if (uktv_http_request(http, "GET", "http://x/", NULL, 0, NULL, 0, &resp,
	    &err) == 0) {
		FUZZ_CHECK(uktv_watchmode_answer_error("/v1/sources/", &resp,
		    FUZZ_WATCHMODE_KEY, &err) == -1, "answer_error returned 0");
		check_err(&err);
		if (resp.status == 401)
			FUZZ_CHECK(err.kind == UKTV_ERR_NOPERM, "401 not NOPERM");
		if (resp.status == 402)
			FUZZ_CHECK(err.kind == UKTV_ERR_QUOTA, "402 not QUOTA");
		uktv_http_response_free(&resp);
	}
	uktv_http_free(http);
	fuzz_http_reset();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uktv_watchmode_opts wo = { 0 };
	struct uktv_error err;
	struct uktv_http *http;
	struct uktv_watchmode *wm;
	struct json_object *out = NULL;
	long n = 0, pages = 0, total = 0, quota = 0, used = 0;
	unsigned op;
	int rc = 0;

	if (size < 1)
		return 0;
	op = data[0];
	if ((op & 15) == 0) {
		answer_error(data + 1, size - 1);
		return 0;
	}
	fuzz_http_script(data + 1, size - 1);
	wo.key_in_query = (op & 0x80) != 0;
	wo.max_429_retries = 2;
	/* A Retry-After longer than 1 ms fails the call, never waits. */
	wo.retry_after_max_ms = 1;
	wo.max_attempts = 2;
	/* What common.c puts in the environment, handed in as cmd/common's
	 * watchopt would: the client reads no environment. */
	wo.api_key = FUZZ_WATCHMODE_KEY;
	wo.endpoint_url = "http://watchmode.fuzz.invalid";
	wo.retry_base_set = 1;
	wo.retry_base_ms = 0;
	uktv_error_clear(&err);
	if ((http = uktv_http_new(NULL, &err)) == NULL)
		abort();
	if ((wm = uktv_watchmode_open(http, NULL, &wo, &err)) == NULL)
		abort();
	switch (op & 15) {
	case 1:
		rc = uktv_watchmode_sources(wm, "GB", NULL, &out, &err);
		break;
	case 2:
		rc = uktv_watchmode_genres(wm, &out, &err);
		break;
	case 3:
		rc = uktv_watchmode_regions(wm, &out, &err);
		break;
	case 4:
		rc = uktv_watchmode_status(wm, &quota, &used, &err);
		break;
	case 5: {
		struct uktv_watchmode_filter f = { 0 };

		f.source_ids = "203,349";
		f.genres = "4";
		f.regions = "GB";
		rc = uktv_watchmode_list_titles(wm, &f, (op >> 4) & 3,
		    (op & 0x40) ? 3 : 0, on_title, &n, &pages, &total, &err);
		break;
	}
	case 6:
		rc = uktv_watchmode_title_details(wm, "3184039", "sources",
		    "GB", &out, &err);
		break;
	case 7:
		rc = uktv_watchmode_title_sources(wm, "3184039", "GB", &out,
		    &err);
		break;
	case 8:
		rc = uktv_watchmode_changes(wm, "titles_sources_changed",
		    "20250101", NULL, NULL, "GB", (op & 0x40) ? 2 : 0, on_title,
		    &n, &err);
		break;
	case 9:
		rc = uktv_watchmode_check_quota(wm, (op >> 4) * 100, &err);
		break;
	default:
		rc = uktv_watchmode_get(wm, "title/1/details/", NULL, &out, &err);
		break;
	}
	if (rc == -1)
		check_err(&err);
	(void)uktv_watchmode_quota(wm);
	json_object_put(out);
	uktv_watchmode_free(wm);
	uktv_http_free(http);
	fuzz_http_reset();
	return 0;
}
