/*
 * test_titlerun.c: the steps of an uktv-titles run (lib/guide/titlerun)
 * that need no Watchmode answer: the pairs and what is noted about them,
 * the state's query, a run that lists nothing (max_calls spent), the
 * printing of events, and the report's notes and exit codes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "http.h"
#include "titlerun.h"
#include "unit.h"

/* The notes a run makes, one "KIND msg" line each. */
static char notes[8192];

static void
collect(void *arg, enum uktv_guidenote_kind kind, const char *msg)
{
	static const char *const names[] = { "info", "notice", "warn",
	    "progress", "done" };

	(void)arg;
	snprintf(notes + strlen(notes), sizeof(notes) - strlen(notes),
	    "%s %s\n", names[kind], msg);
}

static void
start(struct uktv_titlerun *r, const char *text)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	struct uktv_error e;

	notes[0] = '\0';
	uktv_titlerun_init(r, "uktv-titles");
	r->note = collect;
	uktv_error_clear(&e);
	CHECK(fp != NULL);
	CHECK_INT(uktv_prefs_load_ndjson(fp, 4096, &r->set, NULL, NULL,
	    &r->rejected, &e), 0);
	fclose(fp);
}

static void
test_pairs_and_state(void)
{
	struct uktv_titlerun r;
	struct uktv_error e;

	start(&r, "{\"user\":\"bob\",\"sources\":[\"349\"],\"genres\":[7]}\n"
	    "{\"user\":\"al\",\"sources\":[\"203\"],\"genres\":[\"4\"]}\n");
	CHECK_STR(r.country, "GB");
	CHECK_INT(r.refresh_ms, -1);
	CHECK_INT(r.overlap_ms, UKTV_TITLERUN_DEFAULT_OVERLAP_MS);
	uktv_error_clear(&e);
	CHECK_INT(uktv_titlerun_pairs(&r, &e), 0);
	CHECK_INT(r.npairs, 2);
	CHECK_STR(notes, "info 2 users follow 2 distinct source x genre "
	    "pairs\n");
	CHECK_INT(uktv_titlerun_load_state(&r, &e), 0);
	CHECK_STR(r.st.query, "regions=GB");
	uktv_titlerun_free(&r);

	start(&r, "{\"user\":\"dave\",\"sources\":[\"409\"],\"genres\":[]}\n");
	CHECK_INT(uktv_titlerun_pairs(&r, &e), 0);
	CHECK_STR(notes, "info 1 user follow 0 distinct source x genre pairs\n"
	    "warn no user follows both a source and a genre: there is nothing "
	    "to list\n");
	uktv_titlerun_free(&r);
}

static void
test_stopped_run(void)
{
	struct uktv_watchmode_opts o = { 0 };
	struct uktv_watchmode *wm;
	struct uktv_titlerun r;
	struct uktv_http *http;
	struct uktv_error e;
	char *buf = NULL;
	size_t len = 0, written = 9;
	FILE *out;

	uktv_error_clear(&e);
	CHECK((http = uktv_http_new(NULL, &e)) != NULL);
	o.api_key = "abc";
	o.endpoint_url = "http://127.0.0.1:9";
	CHECK((wm = uktv_watchmode_open(http, NULL, &o, &e)) != NULL);
	if (http == NULL || wm == NULL)
		return;
	start(&r, "{\"user\":\"bob\",\"sources\":[\"349\"],\"genres\":[7]}\n");
	CHECK_INT(uktv_titlerun_pairs(&r, &e), 0);
	CHECK_INT(uktv_titlerun_load_state(&r, &e), 0);
	/* --force and a budget already spent: no call is made. */
	r.force = 1;
	r.max_calls = 1;
	r.used = 1;
	CHECK_INT(uktv_titlerun_plan(&r, wm, &e), 0);
	CHECK_INT(r.nlist, 1);
	CHECK_INT(uktv_titlerun_list(&r), 0);
	CHECK_INT(r.stopped, 1);
	CHECK_INT(uktv_titlerun_reconcile(&r, r.started_ms, "2025-01-01T00:00:00Z",
	    &e), 0);
	/* Nothing seen and the run cut short: nothing to send or remove. */
	CHECK_INT(r.outs.n, 0);
	CHECK((out = open_memstream(&buf, &len)) != NULL);
	CHECK_INT(uktv_titlerun_print(&r, out, "2025-01-01T00:00:00Z",
	    &written), 0);
	CHECK_INT(written, 0);
	fclose(out);
	CHECK_INT(len, 0);
	free(buf);
	CHECK_INT(uktv_titlerun_save(&r, written, &e), 0);	/* no state */
	notes[0] = '\0';
	CHECK_INT(uktv_titlerun_report(&r), 1);
	CHECK(strstr(notes, "info titles: 0 new, 0 changed, 0 refreshed, 0 "
	    "removed, 0 unchanged\n") != NULL);
	CHECK(strstr(notes, "warn stopped at --max-calls 1: 0 of 1 pair "
	    "listed; no title was removed this run\n") != NULL);
	uktv_titlerun_free(&r);
	uktv_watchmode_free(wm);
	uktv_http_free(http);
}

static void
test_print(void)
{
	struct uktv_titleplan_event v[2] = { { 7, NULL }, { 3, NULL } };
	struct uktv_titlerun r;
	char *buf = NULL;
	size_t len = 0, written = 0;
	FILE *out;

	uktv_titlerun_init(&r, "uktv-titles");
	r.outs.v = v;
	r.outs.n = 2;
	CHECK((out = open_memstream(&buf, &len)) != NULL);
	CHECK_INT(uktv_titlerun_print(&r, out, "2025-01-01T00:00:00Z",
	    &written), 0);
	fclose(out);
	CHECK_INT(written, 2);
	/* Removes, in id order. */
	CHECK(buf != NULL && strstr(buf, "\"id\":3") != NULL &&
	    strstr(buf, "\"id\":7") != NULL &&
	    strstr(buf, "\"id\":3") < strstr(buf, "\"id\":7"));
	free(buf);
}

int
main(void)
{
	RUN(test_pairs_and_state);
	RUN(test_stopped_run);
	RUN(test_print);
	return UNIT_DONE();
}
