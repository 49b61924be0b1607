/*
 * test_refdata.c: reference data as the table keeps it (lib/guide/refdata),
 * without Watchmode or a table: which objects can be items, and which
 * writes bring stored items to what is listed.
 */
#include <string.h>

#include <json-c/json.h>

#include "dynamodb.h"
#include "refdata.h"
#include "unit.h"

static int nrejected;

static void
on_reject(const char *message, int bad, void *arg)
{
	(void)arg;
	(void)bad;
	(void)message;
	nrejected++;
}

static void
test_want(void)
{
	const char *words[] = { "regions", "regions" };
	int want[UKTV_REFDATA_NKINDS] = { 0 };
	struct uktv_error e;

	uktv_error_clear(&e);
	CHECK_INT(uktv_refdata_want(words, 2, want, &e), 1);
	CHECK_INT(want[UKTV_REFDATA_REGION], 1);
	memset(want, 0, sizeof(want));
	CHECK_INT(uktv_refdata_want(words, 0, want, &e), 2);
	CHECK_INT(want[UKTV_REFDATA_SOURCE] + want[UKTV_REFDATA_GENRE], 2);
	words[0] = "films";
	CHECK_INT(uktv_refdata_want(words, 1, want, &e), -1);
	CHECK_STR(e.message, "unknown data 'films' (sources, genres or regions)");
}

static void
test_set_and_diff(void)
{
	struct json_object *arr = json_tokener_parse("[{\"id\":7,\"name\":\"B\"},"
	    "{\"id\":3,\"name\":\"A\"},{\"id\":3,\"name\":\"A2\"},{\"id\":-1,"
	    "\"name\":\"X\"},{\"id\":9},1]");
	struct uktv_refdata_set set;
	struct uktv_refdata_plan plan;
	struct json_object *stored, *same, *old;
	struct uktv_error e;

	uktv_error_clear(&e);
	nrejected = 0;
	CHECK_INT(uktv_refdata_set_make(UKTV_REFDATA_GENRE, arr, &set, on_reject,
	    NULL, &e), 3);
	CHECK_INT(nrejected, 4);
	CHECK_INT(set.n, 2);
	if (set.n == 2) {
		CHECK_STR(set.recs[0].pk, "genre:3");
		CHECK_STR(set.recs[0].sk, "A");
		CHECK_STR(set.recs[1].pk, "genre:7");
	}
	/* genre:3 stored the same, genre:7 under an old name, genre:8 gone. */
	same = uktv_ddb_key("genre:3", "A");
	json_object_object_add(same, "data",
	    uktv_ddb_to_typed(set.recs[0].obj));
	old = uktv_ddb_key("genre:7", "Old");
	stored = json_object_new_object();
	json_object_object_add(stored, "genre:3", json_object_new_array());
	json_object_array_add(json_object_object_get(stored, "genre:3"), same);
	json_object_object_add(stored, "genre:7", json_object_new_array());
	json_object_array_add(json_object_object_get(stored, "genre:7"), old);
	json_object_object_add(stored, "genre:8", json_object_new_array());
	json_object_array_add(json_object_object_get(stored, "genre:8"),
	    uktv_ddb_key("genre:8", "C"));
	CHECK_INT(uktv_refdata_plan_init(&plan, &e), 0);
	uktv_refdata_diff(&set, stored, 1, &plan);
	CHECK_INT(plan.unchanged, 1);
	CHECK_INT(json_object_array_length(plan.puts), 1);
	CHECK_INT(json_object_array_length(plan.deletes), 2);
	CHECK_STR(uktv_items_json_str(json_object_array_get_idx(plan.deletes, 0),
	    "SK"), "Old");
	CHECK_STR(uktv_items_json_str(json_object_array_get_idx(plan.deletes, 1),
	    "PK"), "genre:8");
	CHECK_INT(plan.stale, 0);
	uktv_refdata_plan_free(&plan);
	json_object_put(stored);
	uktv_refdata_set_free(&set);
}

int
main(void)
{
	RUN(test_want);
	RUN(test_set_and_diff);
	return UNIT_DONE();
}
