/*
 * test_titleplan.c: the rules of an uktv-titles run (lib/guide/titleplan)
 * without Watchmode: the options' values, the pairs users follow, the
 * changes window, the quota plan, and one reconcile from hits to events.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "titleplan.h"
#include "unit.h"
#include "private/titleplan.h"
#include "private/titlestate.h"

static const char prefs_text[] =
    "{\"user\":\"bob\",\"sources\":[\"349\"],\"genres\":[7]}\n"
    "{\"user\":\"alice\",\"sources\":[\"203\",\"0349\"],\"genres\":[\"4\",\"7\"]}\n"
    "{\"user\":\"dave\",\"sources\":[\"409\"],\"genres\":[]}\n";

static void
load(struct uktv_prefs_set *set)
{
	FILE *fp = fmemopen((void *)prefs_text, sizeof(prefs_text) - 1, "r");
	unsigned long rejected = 0;
	struct uktv_error e;

	uktv_error_clear(&e);
	uktv_prefs_set_init(set);
	CHECK(fp != NULL);
	CHECK_INT(uktv_prefs_load_ndjson(fp, 4096, set, NULL, NULL, &rejected,
	    &e), 0);
	CHECK_INT(rejected, 0);
	fclose(fp);
}

static void
test_options(void)
{
	struct uktv_error e;
	char out[128], since[9], q[256];

	uktv_error_clear(&e);
	CHECK_INT(uktv_titleplan_types("tv_series,movie,movie", out, sizeof(out),
	    &e), 0);
	CHECK_STR(out, "movie,tv_series");
	CHECK_INT(uktv_titleplan_types("film", out, sizeof(out), &e), -1);
	CHECK_INT(e.kind, UKTV_ERR_USAGE);
	CHECK_STR(e.message, "--types: unknown title type 'film' (movie, "
	    "tv_series, tv_special, tv_miniseries, tv_movie, short_film)");
	CHECK_INT(uktv_titleplan_since("2025-02-28", since), 0);
	CHECK_STR(since, "20250228");
	CHECK_INT(uktv_titleplan_since("2025-02-30", since), -1);
	CHECK_INT(uktv_titleplan_since("20250228", since), -1);
	uktv_titleplan_query("GB", "", "", q, sizeof(q));
	CHECK_STR(q, "regions=GB");
	uktv_titleplan_query("GB", "movie", "20250228", q, sizeof(q));
	CHECK_STR(q, "regions=GB&types=movie&release_date_start=20250228");
}

static void
test_pairs(void)
{
	struct uktv_prefs_set set;
	struct uktv_titleplan_pair *p = NULL;
	struct uktv_error e;
	size_t n = 0;

	load(&set);
	uktv_error_clear(&e);
	CHECK_INT(uktv_titleplan_pairs(&set, &p, &n, &e), 0);
	/* alice 203x4 203x7 349x4 349x7, bob 349x7; dave follows none. */
	CHECK_INT(n, 4);
	if (n == 4) {
		CHECK_STR(p[0].key, "203:4");
		CHECK_STR(p[1].key, "203:7");
		CHECK_STR(p[2].key, "349:4");
		CHECK_STR(p[3].key, "349:7");
		CHECK_STR(p[3].source, "349");
		CHECK_STR(p[3].user, "alice");
		CHECK_INT(p[0].list, 1);
	}
	CHECK(uktv_titleplan_pair_find(p, n, "349:4") == &p[2]);
	CHECK(uktv_titleplan_pair_find(p, n, "1:1") == NULL);
	free(p);
	uktv_prefs_set_free(&set);
}

static void
test_changes_and_quota(void)
{
	struct uktv_titleplan_pair p[2];
	struct uktv_titlestate st;
	struct uktv_titlestate_pair *sp;
	char since[16];

	memset(p, 0, sizeof(p));
	strlcpy(p[0].key, "1:2", sizeof(p[0].key));
	strlcpy(p[1].key, "3:4", sizeof(p[1].key));
	p[0].list = p[1].list = 1;
	uktv_titlestate_init(&st);
	CHECK_STR(uktv_titleplan_changes_useless(&st, p, 2, 0, -1),
	    "no complete run recorded in the state");
	st.last_complete_ms = 8LL * 3600 * 1000 + 1000;
	CHECK((sp = uktv_titlestate_pair_put(&st, "1:2")) != NULL);
	if (sp != NULL) {
		sp->complete = 1;
		sp->pages = 3;
	}
	CHECK(uktv_titleplan_changes_useless(&st, p, 2, 0, -1) == NULL);
	uktv_titleplan_changes_since(&st, 8LL * 3600 * 1000, since);
	CHECK_STR(since, "19700101000001");
	CHECK_INT(uktv_titleplan_planned_calls(&st, p, 2, 0, 0), 4);
	CHECK_INT(uktv_titleplan_planned_calls(&st, p, 2, 5, 3), 2);
	CHECK_INT(uktv_titleplan_skip_complete(&st, p, 2), 1);
	CHECK_INT(p[0].list, 0);
	CHECK_INT(uktv_titleplan_planned_calls(&st, p, 2, 0, 0), 1);
	uktv_titlestate_clear(&st);
}

static void
test_reconcile(void)
{
	struct uktv_titleplan_pair p[1];
	struct uktv_titleplan_hits h = { 0 };
	struct uktv_titleplan_events ev = { 0 };
	struct uktv_titleplan_tally t = { 0 };
	struct uktv_titleplan_run r = { 0 };
	struct uktv_titlestate st;
	struct uktv_error e;
	struct json_object *a = json_tokener_parse("{\"id\":5,\"title\":\"A\"}");
	struct json_object *bad = json_tokener_parse("{\"id\":6}");

	memset(p, 0, sizeof(p));
	strlcpy(p[0].key, "1:2", sizeof(p[0].key));
	p[0].user = "alice";
	p[0].list = 1;
	p[0].fate = UKTV_TITLESTATE_LISTED;
	CHECK_INT(uktv_titleplan_on_title(a, &h), 0);
	CHECK_INT(uktv_titleplan_on_title(bad, &h), 0);
	CHECK_INT(h.n, 1);
	CHECK_INT(h.bad, 1);
	uktv_titlestate_init(&st);
	r.pairs = p;
	r.npairs = 1;
	r.hits = &h;
	r.complete = 1;
	r.refresh_ms = -1;
	r.component = "uktv-titles";
	r.ts = "2025-07-04T16:02:51.855Z";
	uktv_error_clear(&e);
	CHECK_INT(uktv_titleplan_reconcile(&st, &r, &ev, &t, &e), 0);
	CHECK_INT(t.verdicts[UKTV_TITLESTATE_NEW], 1);
	CHECK_INT(ev.n, 1);
	if (ev.n == 1)
		CHECK_STR(json_object_to_json_string_ext(ev.v[0].obj,
		    JSON_C_TO_STRING_PLAIN), "{\"header\":{\"publishingComponent\":"
		    "\"uktv-titles\",\"publishTimestamp\":\"2025-07-04T16:02:51.855Z\","
		    "\"publishCause\":\"userpref:alice\"},\"payload\":{\"id\":5,"
		    "\"title\":\"A\",\"source_ids\":[\"1\"],\"genre_ids\":[\"2\"]}}");
	uktv_titleplan_events_free(&ev);
	uktv_titleplan_hits_free(&h);
	uktv_titlestate_clear(&st);
	json_object_put(a);
	json_object_put(bad);
}

int
main(void)
{
	RUN(test_options);
	RUN(test_pairs);
	RUN(test_changes_and_quota);
	RUN(test_reconcile);
	return UNIT_DONE();
}
