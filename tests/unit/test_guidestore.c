/*
 * test_guidestore.c: the parts of lib/guidestore that need no AWS: which
 * events are valid title events, the data an event stores (compared with
 * the original app's items), when a payload counts as changed, the index
 * pairs, and the enrichment fields taken from a details answer.
 *
 * Run from the repository root (scripts/check does): reads
 * tests/fixtures/seed-data/example_data_titles.json.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "dynamodb.h"
#include "guidestore.h"
#include "items.h"
#include "unit.h"
#include "private/guidestore.h"

#define SEED "tests/fixtures/seed-data/example_data_titles.json"

static int
check_text(const char *text, struct uktv_title *t, char *why, size_t len)
{
	struct json_object *o = json_tokener_parse(text);
	int rc;

	rc = uktv_title_event_check(o, t, why, len);
	/* t->payload is borrowed from o: callers that keep t use
	 * check_keep instead. */
	if (t != NULL)
		t->payload = NULL;
	json_object_put(o);
	return rc;
}

static void
test_valid_events(void)
{
	struct uktv_title t;
	char why[128];

	CHECK_INT(check_text("{\"header\":{\"publishingComponent\":\"uktv-titles\"},"
	    "\"payload\":{\"id\":3184039,\"title\":\"MaveriX\",\"year\":2022,"
	    "\"source_ids\":[\"203\"],\"genre_ids\":[\"4\"]}}", &t, why,
	    sizeof(why)), 0);
	CHECK_STR(t.id, "3184039");
	CHECK_INT(t.action, UKTV_TITLE_UPSERT);
	CHECK_INT(t.nsource_ids, 1);
	CHECK_INT(t.ngenre_ids, 1);
	uktv_title_clear(&t);

	/* Only id and title are needed; no header at all is the original's. */
	CHECK_INT(check_text("{\"payload\":{\"id\":1,\"title\":\"x\"}}", &t, why,
	    sizeof(why)), 0);
	CHECK_INT(t.nsource_ids, 0);
	uktv_title_clear(&t);

	/* A remove needs no title. */
	CHECK_INT(check_text("{\"header\":{\"eventType\":\"remove\"},"
	    "\"payload\":{\"id\":42}}", &t, why, sizeof(why)), 0);
	CHECK_INT(t.action, UKTV_TITLE_REMOVE);
	CHECK_STR(t.id, "42");
	uktv_title_clear(&t);

	CHECK_INT(check_text("{\"header\":{\"eventType\":\"upsert\"},"
	    "\"payload\":{\"id\":42,\"title\":\"t\",\"source_ids\":null}}", NULL,
	    why, sizeof(why)), 0);
}

static void
test_invalid_events_say_why(void)
{
	static const struct {
		const char *text, *why;
	} cases[] = {
		{ "[1,2]", "not a JSON object" },
		{ "{\"header\":{}}", "no payload object" },
		{ "{\"payload\":[]}", "no payload object" },
		{ "{\"payload\":{\"title\":\"x\"}}", "payload.id is not a positive integer" },
		{ "{\"payload\":{\"id\":0,\"title\":\"x\"}}", "payload.id is not a positive integer" },
		{ "{\"payload\":{\"id\":-5,\"title\":\"x\"}}", "payload.id is not a positive integer" },
		{ "{\"payload\":{\"id\":\"12\",\"title\":\"x\"}}", "payload.id is not a positive integer" },
		{ "{\"payload\":{\"id\":1.5,\"title\":\"x\"}}", "payload.id is not a positive integer" },
		{ "{\"payload\":{\"id\":1}}", "payload.title is not a string" },
		{ "{\"payload\":{\"id\":1,\"title\":7}}", "payload.title is not a string" },
		{ "{\"header\":{\"eventType\":\"delete\"},\"payload\":{\"id\":1}}",
		  "header.eventType is neither \"upsert\" nor \"remove\"" },
		{ "{\"header\":\"x\",\"payload\":{\"id\":1,\"title\":\"x\"}}",
		  "header is not an object" },
		{ "{\"payload\":{\"id\":1,\"title\":\"x\",\"source_ids\":\"203\"}}",
		  "payload.source_ids is not an array" },
		{ "{\"payload\":{\"id\":1,\"title\":\"x\",\"genre_ids\":[\"4a\"]}}",
		  "payload.genre_ids holds something that is not an id" },
		{ "{\"payload\":{\"id\":1,\"title\":\"x\",\"genre_ids\":[-4]}}",
		  "payload.genre_ids holds something that is not an id" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char why[128] = "";
		struct uktv_title t;

		CHECK_INT(check_text(cases[i].text, &t, why, sizeof(why)), -1);
		CHECK_STR(why, cases[i].why);
		CHECK(t.source_ids == NULL && t.genre_ids == NULL);
	}
}

static void
test_ids_normalised_sorted_deduplicated(void)
{
	struct uktv_title t;
	char why[128];

	CHECK_INT(check_text("{\"payload\":{\"id\":7,\"title\":\"x\","
	    "\"source_ids\":[\"349\",203,\"0203\",\"10\"],\"genre_ids\":[6,\"4\",6]}}",
	    &t, why, sizeof(why)), 0);
	CHECK_INT(t.nsource_ids, 3);
	CHECK_STR(t.source_ids[0], "10");
	CHECK_STR(t.source_ids[1], "203");
	CHECK_STR(t.source_ids[2], "349");
	CHECK_INT(t.ngenre_ids, 2);
	CHECK_STR(t.genre_ids[0], "4");
	CHECK_STR(t.genre_ids[1], "6");
	uktv_title_clear(&t);
}

static int
collect_pair(const char *pk, void *arg)
{
	struct json_object *arr = arg;

	json_object_array_add(arr, json_object_new_string(pk));
	return 0;
}

static void
test_index_pairs_are_the_titles_own(void)
{
	struct json_object *o = json_tokener_parse("{\"payload\":{\"id\":7,"
	    "\"title\":\"x\",\"source_ids\":[\"349\",\"203\"],\"genre_ids\":[6,4]}}");
	struct json_object *arr = json_object_new_array();
	struct uktv_title t;

	CHECK_INT(uktv_title_event_check(o, &t, NULL, 0), 0);
	uktv_title_pairs(&t, collect_pair, arr);
	CHECK_INT(json_object_array_length(arr), 4);
	CHECK_STR(json_object_get_string(json_object_array_get_idx(arr, 0)),
	    "source:203:genre:4");
	CHECK_STR(json_object_get_string(json_object_array_get_idx(arr, 1)),
	    "source:203:genre:6");
	CHECK_STR(json_object_get_string(json_object_array_get_idx(arr, 3)),
	    "source:349:genre:6");
	uktv_title_clear(&t);
	json_object_put(o);

	/* Without genres, no entries (the original wrote none either). */
	o = json_tokener_parse("{\"payload\":{\"id\":7,\"title\":\"x\","
	    "\"source_ids\":[\"349\"],\"genre_ids\":[]}}");
	json_object_array_del_idx(arr, 0, json_object_array_length(arr));
	CHECK_INT(uktv_title_event_check(o, &t, NULL, 0), 0);
	uktv_title_pairs(&t, collect_pair, arr);
	CHECK_INT(json_object_array_length(arr), 0);
	uktv_title_clear(&t);
	json_object_put(o);
	json_object_put(arr);
}

/* The seed items are the original app's: an event built from one item's
 * payload fields stores exactly that item's data, less enrichment. */
static void
test_stored_data_matches_the_original_items(void)
{
	struct json_object *seed = json_object_from_file(SEED), *items;
	int compared = 0;

	CHECK(seed != NULL);
	if (seed == NULL || !json_object_object_get_ex(seed, "Items", &items))
		return;
	for (size_t i = 0; i < json_object_array_length(items); i++) {
		struct json_object *item = json_object_array_get_idx(items, i);
		struct json_object *d, *m, *plain, *ev, *data, *want;
		struct uktv_title t;
		char why[128];

		CHECK(json_object_object_get_ex(item, "data", &d) &&
		    json_object_object_get_ex(d, "M", &m));
		plain = uktv_ddb_from_typed(d);
		/* The payload as uktv-titles would send it: no enrichment. */
		json_object_object_del(plain, "plot_overview");
		json_object_object_del(plain, "poster");
		json_object_object_del(plain, "user_rating");
		ev = json_object_new_object();
		json_object_object_add(ev, "payload", plain);
		CHECK_INT(uktv_title_event_check(ev, &t, why, sizeof(why)), 0);
		data = uktv_title_data(&t);
		want = json_object_new_object();
		json_object_object_foreach(m, fk, fv) {
			if (strcmp(fk, "plot_overview") && strcmp(fk, "poster") &&
			    strcmp(fk, "user_rating"))
				json_object_object_add(want, fk, json_object_get(fv));
		}
		{
			struct json_object *wa = json_object_new_object();
			struct json_object *wb = json_object_new_object();

			json_object_object_add(wa, "M", want);
			json_object_object_add(wb, "M", json_object_get(data));
			CHECK(uktv_items_typed_equal(wa, wb));
			json_object_put(wa);
			json_object_put(wb);
		}
		/* And against the whole item, the enrichment does not count. */
		CHECK_INT(uktv_title_data_changed(m, data), 0);
		/* Field by field: types as the original wrote them. */
		{
			struct json_object *v;

			CHECK(json_object_object_get_ex(data, "id", &v) &&
			    json_object_object_get_ex(v, "N", NULL));
			CHECK(json_object_object_get_ex(data, "source_ids", &v) &&
			    json_object_object_get_ex(v, "L", NULL));
			CHECK(json_object_object_get_ex(data, "year", &v) &&
			    json_object_object_get_ex(v, "N", NULL));
			CHECK(json_object_object_get_ex(data, "title", &v) &&
			    json_object_object_get_ex(v, "S", NULL));
		}
		{
			struct uktv_title back;

			CHECK_INT(uktv_title_from_data(m, &back), 0);
			CHECK_STR(back.id, t.id);
			CHECK_INT(back.nsource_ids, 2);
			CHECK_INT(back.ngenre_ids, 2);
			uktv_title_clear(&back);
		}
		json_object_put(data);
		uktv_title_clear(&t);
		json_object_put(ev);
		compared++;
	}
	CHECK_INT(compared, 20);
	json_object_put(seed);
}

static struct json_object *
data_of(const char *payload)
{
	struct json_object *ev = json_object_new_object();
	struct json_object *p = json_tokener_parse(payload), *d;
	struct uktv_title t;

	json_object_object_add(ev, "payload", p);
	if (uktv_title_event_check(ev, &t, NULL, 0) == -1) {
		json_object_put(ev);
		return NULL;
	}
	d = uktv_title_data(&t);
	uktv_title_clear(&t);
	json_object_put(ev);
	return d;
}

static void
test_payload_change_is_by_meaning(void)
{
	struct json_object *a = data_of("{\"id\":1,\"title\":\"A\",\"year\":2020,"
	    "\"user\":{\"x\":1,\"y\":7.40},\"source_ids\":[\"203\",\"349\"]}");
	struct json_object *b = data_of("{\"source_ids\":[349,203],"
	    "\"user\":{\"y\":7.4,\"x\":1},\"year\":2020,\"title\":\"A\",\"id\":1}");
	struct json_object *c = data_of("{\"id\":1,\"title\":\"A\",\"year\":2021,"
	    "\"user\":{\"x\":1,\"y\":7.4},\"source_ids\":[\"203\",\"349\"]}");
	struct json_object *d = data_of("{\"id\":1,\"title\":\"A\","
	    "\"user\":{\"x\":1,\"y\":7.4},\"source_ids\":[\"203\",\"349\"]}");
	struct json_object *e = data_of("{\"id\":1,\"title\":\"A\",\"year\":2020,"
	    "\"user\":{\"x\":1,\"y\":7.4},\"source_ids\":[\"203\"]}");

	CHECK(a && b && c && d && e);
	CHECK_INT(uktv_title_data_changed(a, b), 0);	/* order, 7.40, id form */
	CHECK_INT(uktv_title_data_changed(a, c), 1);	/* a value */
	CHECK_INT(uktv_title_data_changed(a, d), 1);	/* a field gone */
	CHECK_INT(uktv_title_data_changed(d, a), 1);	/* a field new */
	CHECK_INT(uktv_title_data_changed(a, e), 1);	/* left a source */
	CHECK_INT(uktv_title_data_changed(NULL, a), 1);	/* no record */

	/* Enrichment on the stored side is not a change. */
	json_object_object_add(b, "poster",
	    json_tokener_parse("{\"S\":\"https://p\"}"));
	json_object_object_add(b, "enriched_at",
	    json_tokener_parse("{\"S\":\"2025-07-04T16:02:51.855Z\"}"));
	CHECK_INT(uktv_title_data_changed(b, a), 0);
	CHECK_INT(uktv_title_data_changed(a, b), 0);
	json_object_put(a);
	json_object_put(b);
	json_object_put(c);
	json_object_put(d);
	json_object_put(e);
}

static void
test_enrichment_keeps_region_offers_and_design_fields(void)
{
	struct json_object *details = json_tokener_parse(
	    "{\"id\":323403,\"title\":\"Club\",\"plot_overview\":\"A crew.\","
	    "\"poster\":\"https://cdn/p.jpg\",\"user_rating\":4.2,"
	    "\"critic_score\":null,\"runtime_minutes\":59,\"sources\":["
	    "{\"source_id\":203,\"name\":\"Netflix\",\"type\":\"sub\","
	    "\"region\":\"GB\",\"ios_url\":\"nflx://x\",\"web_url\":"
	    "\"https://www.netflix.com/title/1\",\"format\":\"HD\",\"price\":null,"
	    "\"seasons\":4},"
	    "{\"source_id\":203,\"name\":\"Netflix\",\"type\":\"sub\","
	    "\"region\":\"US\",\"web_url\":\"https://us\",\"format\":\"HD\","
	    "\"price\":null},"
	    "{\"source_id\":376,\"name\":\"Britbox\",\"type\":\"buy\","
	    "\"region\":\"GB\",\"web_url\":\"https://bb\",\"format\":\"4K\","
	    "\"price\":3.99}]}");
	struct json_object *e, *v, *plain;

	/* 2025-07-04T16:02:51.855Z */
	e = uktv_guidestore_enrichment(details, "GB", 1751644971855LL);
	CHECK(e != NULL);
	plain = uktv_ddb_item_to_plain(e);
	CHECK_STR(json_object_get_string(json_object_object_get(plain,
	    "plot_overview")), "A crew.");
	CHECK_STR(json_object_get_string(json_object_object_get(plain,
	    "poster")), "https://cdn/p.jpg");
	CHECK(json_object_object_get_ex(e, "user_rating", &v) &&
	    json_object_object_get_ex(v, "N", NULL));
	/* null from Watchmode: left out, not stored as NULL. */
	CHECK(!json_object_object_get_ex(e, "critic_score", NULL));
	CHECK(!json_object_object_get_ex(e, "runtime_minutes", NULL));
	CHECK_STR(json_object_get_string(json_object_object_get(plain,
	    "enriched_at")), "2025-07-04T16:02:51.855Z");
	v = json_object_object_get(plain, "sources");
	CHECK_INT(json_object_array_length(v), 2);
	{
		struct json_object *o = json_object_array_get_idx(v, 0);

		CHECK_INT(json_object_object_length(o), 7);
		CHECK_STR(json_object_get_string(json_object_object_get(o,
		    "web_url")), "https://www.netflix.com/title/1");
		CHECK(!json_object_object_get_ex(o, "ios_url", NULL));
		CHECK(json_object_object_get_ex(o, "price", NULL));
		o = json_object_array_get_idx(v, 1);
		CHECK_STR(json_object_get_string(json_object_object_get(o,
		    "region")), "GB");
		CHECK_INT(json_object_get_int(json_object_object_get(o,
		    "source_id")), 376);
	}
	json_object_put(plain);
	json_object_put(e);

	/* Lower-case region, no sources appended: no sources field. */
	json_object_object_del(details, "sources");
	e = uktv_guidestore_enrichment(details, "gb", 0);
	CHECK(!json_object_object_get_ex(e, "sources", NULL));
	json_object_put(e);
	json_object_put(details);
}

static void
test_result_names(void)
{
	CHECK_STR(uktv_title_result_name(UKTV_TITLE_STORED), "stored");
	CHECK_STR(uktv_title_result_name(UKTV_TITLE_UNCHANGED), "unchanged");
	CHECK_STR(uktv_title_result_name(UKTV_TITLE_REJECTED), "rejected");
	CHECK_STR(uktv_title_result_name(UKTV_TITLE_PENDING), "pending");
}

static void
test_new_rejects_bad_options(void)
{
	struct uktv_guidestore_opts o = { 0 };
	struct uktv_error err = { 0 };

	CHECK(uktv_guidestore_new(NULL, &o, &err) == NULL);
	CHECK_INT(err.kind, UKTV_ERR_USAGE);
	o.table = "T";
	o.region = "GBR";
	CHECK(uktv_guidestore_new(NULL, &o, &err) == NULL);
	CHECK_INT(err.kind, UKTV_ERR_USAGE);
}

int
main(void)
{
	RUN(test_valid_events);
	RUN(test_invalid_events_say_why);
	RUN(test_ids_normalised_sorted_deduplicated);
	RUN(test_index_pairs_are_the_titles_own);
	RUN(test_stored_data_matches_the_original_items);
	RUN(test_payload_change_is_by_meaning);
	RUN(test_enrichment_keeps_region_offers_and_design_fields);
	RUN(test_result_names);
	RUN(test_new_rejects_bad_options);
	return UNIT_DONE();
}
