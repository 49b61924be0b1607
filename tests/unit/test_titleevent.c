/*
 * test_titleevent.c: the title event's writer and reader together
 * (lib/guide/titleevent): what uktv-titles writes is what uktv-consume
 * reads back, and the bytes written stay the ones tests/titles.bats pins.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "titleevent.h"
#include "unit.h"

static const char *
text(struct json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
}

static void
test_upsert_bytes_and_round_trip(void)
{
	struct json_object *summary = json_tokener_parse(
	    "{\"id\":1615420,\"title\":\"Bullet Train\",\"year\":2022,"
	    "\"imdb_id\":\"tt12593682\",\"tmdb_id\":718930,\"tmdb_type\":"
	    "\"movie\",\"type\":\"movie\",\"extra\":1,\"poster\":null}");
	char *pairs[] = { "349:6", "203:4", "203:6", "bad" };
	struct json_object *pl, *ev;
	struct uktv_title t;
	char why[128];

	pl = uktv_titleevent_payload(1615420, summary, pairs, 4);
	CHECK(pl != NULL);
	ev = uktv_titleevent_upsert("uktv-titles", "2025-07-04T16:02:51.855Z",
	    "userpref:alice", pl);
	CHECK(ev != NULL);
	CHECK_STR(text(ev), "{\"header\":{\"publishingComponent\":\"uktv-titles\","
	    "\"publishTimestamp\":\"2025-07-04T16:02:51.855Z\",\"publishCause\":"
	    "\"userpref:alice\"},\"payload\":{\"id\":1615420,\"title\":\"Bullet "
	    "Train\",\"year\":2022,\"imdb_id\":\"tt12593682\",\"tmdb_id\":718930,"
	    "\"tmdb_type\":\"movie\",\"type\":\"movie\",\"source_ids\":[\"203\","
	    "\"349\"],\"genre_ids\":[\"4\",\"6\"]}}");
	CHECK_INT(uktv_title_event_check(ev, &t, why, sizeof(why)), 0);
	CHECK_INT(t.action, UKTV_TITLE_UPSERT);
	CHECK_STR(t.id, "1615420");
	CHECK_INT(t.nsource_ids, 2);
	CHECK_INT(t.ngenre_ids, 2);
	if (t.nsource_ids == 2 && t.ngenre_ids == 2) {
		CHECK_STR(t.source_ids[0], "203");
		CHECK_STR(t.source_ids[1], "349");
		CHECK_STR(t.genre_ids[0], "4");
		CHECK_STR(t.genre_ids[1], "6");
	}
	CHECK(t.payload == json_object_object_get(ev, "payload"));
	uktv_title_clear(&t);
	json_object_put(ev);
	json_object_put(summary);
}

static void
test_remove_bytes_and_round_trip(void)
{
	struct json_object *ev = uktv_titleevent_remove("uktv-titles",
	    "2025-07-04T16:02:51.855Z", 42);
	struct uktv_title t;
	char why[128];

	CHECK(ev != NULL);
	CHECK_STR(text(ev), "{\"header\":{\"publishingComponent\":\"uktv-titles\","
	    "\"publishTimestamp\":\"2025-07-04T16:02:51.855Z\",\"eventType\":"
	    "\"remove\"},\"payload\":{\"id\":42}}");
	CHECK_INT(uktv_title_event_check(ev, &t, why, sizeof(why)), 0);
	CHECK_INT(t.action, UKTV_TITLE_REMOVE);
	CHECK_STR(t.id, "42");
	CHECK_INT(t.nsource_ids, 0);
	uktv_title_clear(&t);
	json_object_put(ev);
}

static void
test_no_pairs_gives_empty_lists(void)
{
	struct json_object *summary = json_tokener_parse("{\"title\":\"X\"}");
	struct json_object *pl = uktv_titleevent_payload(7, summary, NULL, 0);

	CHECK(pl != NULL);
	CHECK_STR(text(pl), "{\"id\":7,\"title\":\"X\",\"source_ids\":[],"
	    "\"genre_ids\":[]}");
	json_object_put(pl);
	json_object_put(summary);
}

static void
test_ids_text_and_parse(void)
{
	struct json_object *a = json_tokener_parse("[\"0203\",7,203,\"x\"]");
	struct json_object *b = json_tokener_parse("[\"0203\",7,203]");
	char **ids;
	size_t n;
	char buf[32];

	CHECK_INT(uktv_title_ids_parse(a, &ids, &n), -1);
	CHECK_INT(uktv_title_ids_parse(b, &ids, &n), 0);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_STR(ids[0], "7");
		CHECK_STR(ids[1], "203");
	}
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	CHECK_INT(uktv_title_id_text(json_object_array_get_idx(b, 0), buf,
	    sizeof(buf)), 0);
	CHECK_STR(buf, "203");
	json_object_put(a);
	json_object_put(b);
}

int
main(void)
{
	RUN(test_upsert_bytes_and_round_trip);
	RUN(test_remove_bytes_and_round_trip);
	RUN(test_no_pairs_gives_empty_lists);
	RUN(test_ids_text_and_parse);
	return UNIT_DONE();
}
