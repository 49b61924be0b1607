/*
 * test_notify.c: lib/notify, what a notification is.  Each test states the
 * exact lines a record gives, so a user told too much or too little fails.
 * Also lib/digest (the spool) and lib/webhook's signature and secret file;
 * delivery itself is proven by tests/notify.bats against a receiver.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "digest.h"
#include "notify.h"
#include "unit.h"
#include "webhook.h"
#include "private/digest.h"
#include "private/notify.h"
#include "private/prefs.h"

static const char *
compact(struct json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
}

static void
user(struct uktv_prefs_set *set, const char *name, const char *sources,
    const char *genres, const char *favourites)
{
	struct uktv_prefs *p = uktv_prefs_set_user(set, name);
	char why[128];

	CHECK(p != NULL);
	if (p == NULL)
		return;
	p->present = UKTV_PREFS_ALL;
	CHECK_INT(uktv_prefs_ids_parse(&p->lists[UKTV_PREFS_SOURCE], sources,
	    why, sizeof(why)), 0);
	CHECK_INT(uktv_prefs_ids_parse(&p->lists[UKTV_PREFS_GENRE], genres,
	    why, sizeof(why)), 0);
	CHECK_INT(uktv_prefs_ids_parse(&p->lists[UKTV_PREFS_FAVOURITE],
	    favourites, why, sizeof(why)), 0);
}

/*
 * The users of these tests:
 *   alice   follows 26 x 4 and 203 x 4, favourite 9000001
 *   bob     follows 26 x 7
 *   carol   follows 26 x 6 (the source of the title, never its genre)
 *   dave    no pairs, favourites 9000001 and 5
 *   Zed     follows 26 x 7 (upper case: before "alice" in byte order)
 */
static void
people(struct uktv_prefs_set *set)
{
	uktv_prefs_set_init(set);
	user(set, "alice", "26,203", "4", "9000001");
	user(set, "bob", "26", "7", "");
	user(set, "carol", "26", "6", "");
	user(set, "dave", "", "", "9000001,5");
	user(set, "Zed", "26", "7", "");
}

/* A typed title image; extra is more "data" members (typed) or "". */
static void
image(char *buf, size_t len, const char *id, const char *title,
    const char *sids, const char *gids, const char *extra)
{
	snprintf(buf, len,
	    "{\"PK\":{\"S\":\"title:%s\"},\"SK\":{\"S\":\"record\"},"
	    "\"data\":{\"M\":{\"id\":{\"N\":\"%s\"},\"title\":{\"S\":\"%s\"},"
	    "\"source_ids\":{\"L\":[%s]},\"genre_ids\":{\"L\":[%s]}%s}}}",
	    id, id, title, sids, gids, extra);
}

static struct json_object *
record(const char *event, const char *id, const char *newimg,
    const char *oldimg, const char *at)
{
	char buf[8192];
	struct json_object *o;

	snprintf(buf, sizeof(buf),
	    "{\"eventID\":\"ev-%s\",\"eventName\":\"%s\",\"dynamodb\":{"
	    "%s%s%s"
	    "\"Keys\":{\"PK\":{\"S\":\"title:%s\"},\"SK\":{\"S\":\"record\"}}"
	    "%s%s%s%s,\"SequenceNumber\":\"100\"}}",
	    event, event, at ? "\"ApproximateCreationDateTime\":" : "",
	    at ? at : "", at ? "," : "", id,
	    newimg ? ",\"NewImage\":" : "", newimg ? newimg : "",
	    oldimg ? ",\"OldImage\":" : "", oldimg ? oldimg : "");
	o = json_tokener_parse(buf);
	CHECK(o != NULL);
	return o;
}

/* The lines rec gives, compact, or "ERROR: message". */
static const char *
run(const struct uktv_prefs_set *set, struct json_object *rec,
    enum uktv_notify_kind *kind)
{
	static char buf[16384];
	struct json_object *out;
	struct uktv_error err;

	uktv_error_clear(&err);
	if (uktv_notify_record(set, rec, &out, kind, &err) == -1) {
		snprintf(buf, sizeof(buf), "ERROR: %s", err.message);
		return buf;
	}
	strlcpy(buf, compact(out), sizeof(buf));
	json_object_put(out);
	return buf;
}

#define ENRICHED_26_GB							\
	",\"enriched_at\":{\"S\":\"2025-07-04T16:02:51Z\"},"		\
	"\"user_rating\":{\"N\":\"7.4\"},\"sources\":{\"L\":["		\
	"{\"M\":{\"source_id\":{\"N\":\"26\"},\"name\":{\"S\":\"Prime Video\"},"	\
	"\"region\":{\"S\":\"GB\"},\"web_url\":{\"S\":\"https://p.uk/1\"},"	\
	"\"price\":{\"NULL\":true}}},"					\
	"{\"M\":{\"source_id\":{\"N\":\"26\"},\"name\":{\"S\":\"Prime Video\"},"	\
	"\"region\":{\"S\":\"GB\"},\"web_url\":{\"S\":\"https://p.uk/1/4k\"}}},"	\
	"{\"M\":{\"source_id\":{\"N\":\"8\"},\"name\":{\"S\":\"Netflix\"},"	\
	"\"region\":{\"S\":\"US\"},\"web_url\":{\"S\":\"https://n.us/1\"}}}"	\
	"]}"

static void
insert_tells_each_follower_of_a_pair_the_title_meets(void)
{
	struct uktv_prefs_set set;
	struct json_object *rec;
	enum uktv_notify_kind kind;
	char img[4096];

	people(&set);
	image(img, sizeof(img), "9000001", "Prime Drama", "{\"S\":\"26\"}",
	    "{\"S\":\"4\"},{\"N\":\"7\"}", "");
	rec = record("INSERT", "9000001", img, NULL, "1751644971.855");
	CHECK_STR(run(&set, rec, &kind),
	    "[{\"user\":\"Zed\",\"kind\":\"new_title\",\"title_id\":\"9000001\","
	    "\"title\":\"Prime Drama\",\"changes\":{},"
	    "\"sources\":[{\"source_id\":\"26\"}],\"event_id\":\"ev-INSERT\","
	    "\"at\":\"2025-07-04T16:02:51.855Z\"},"
	    "{\"user\":\"alice\",\"kind\":\"new_title\",\"title_id\":\"9000001\","
	    "\"title\":\"Prime Drama\",\"changes\":{},"
	    "\"sources\":[{\"source_id\":\"26\"}],\"event_id\":\"ev-INSERT\","
	    "\"at\":\"2025-07-04T16:02:51.855Z\"},"
	    "{\"user\":\"bob\",\"kind\":\"new_title\",\"title_id\":\"9000001\","
	    "\"title\":\"Prime Drama\",\"changes\":{},"
	    "\"sources\":[{\"source_id\":\"26\"}],\"event_id\":\"ev-INSERT\","
	    "\"at\":\"2025-07-04T16:02:51.855Z\"}]");
	CHECK_INT(kind, UKTV_NOTIFY_NEW_TITLE);
	json_object_put(rec);
	uktv_prefs_set_free(&set);
}

static void
insert_without_ids_tells_nobody(void)
{
	struct uktv_prefs_set set;
	struct json_object *rec;
	enum uktv_notify_kind kind;

	people(&set);
	/* The seed's Lambda event: title 3226810 without source or genre
	 * ids, no ApproximateCreationDateTime. */
	rec = json_tokener_parse("{\"eventID\":\"1\",\"eventName\":\"INSERT\","
	    "\"dynamodb\":{\"Keys\":{\"PK\":{\"S\":\"title:3226810\"},"
	    "\"SK\":{\"S\":\"record\"}},\"NewImage\":{\"PK\":{\"S\":"
	    "\"title:3226810\"},\"SK\":{\"S\":\"record\"},\"data\":{\"M\":{"
	    "\"id\":{\"N\":\"3226810\"},\"title\":{\"S\":\"Sakamoto Days\"},"
	    "\"year\":{\"N\":\"2024\"}}}},\"SequenceNumber\":\"111\","
	    "\"StreamViewType\":\"NEW_IMAGE\"}}");
	CHECK_STR(run(&set, rec, &kind), "[]");
	CHECK_INT(kind, UKTV_NOTIFY_NEW_TITLE);
	json_object_put(rec);
	uktv_prefs_set_free(&set);
}

static void
favourite_gaining_a_gb_source_tells_only_its_fans(void)
{
	struct uktv_prefs_set set;
	struct json_object *rec;
	char o[4096], n[4096];

	people(&set);
	image(o, sizeof(o), "9000001", "Prime Drama", "{\"S\":\"26\"}",
	    "{\"S\":\"7\"}", ENRICHED_26_GB);
	image(n, sizeof(n), "9000001", "Prime Drama", "{\"S\":\"26\"}",
	    "{\"S\":\"7\"}",
	    ",\"enriched_at\":{\"S\":\"2025-07-05T16:02:51Z\"},"
	    "\"user_rating\":{\"N\":\"7.4\"},\"sources\":{\"L\":["
	    "{\"M\":{\"source_id\":{\"N\":\"409\"},\"name\":{\"S\":\"BBC iPlayer\"},"
	    "\"region\":{\"S\":\"GB\"},\"web_url\":{\"S\":\"https://b.uk/1\"}}},"
	    "{\"M\":{\"source_id\":{\"S\":\"26\"},\"name\":{\"S\":\"Prime Video\"},"
	    "\"region\":{\"S\":\"GB\"},\"web_url\":{\"S\":\"https://p.uk/1\"}}},"
	    "{\"M\":{\"source_id\":{\"N\":\"349\"},\"name\":{\"S\":\"Apple TV+\"},"
	    "\"region\":{\"S\":\"US\"}}}]}");
	rec = record("MODIFY", "9000001", n, o, "1751644971");
	CHECK_STR(run(&set, rec, NULL),
	    "[{\"user\":\"alice\",\"kind\":\"favourite_changed\","
	    "\"title_id\":\"9000001\",\"title\":\"Prime Drama\","
	    "\"changes\":{\"sources_added\":[\"409\"]},"
	    "\"sources\":[{\"source_id\":\"26\",\"name\":\"Prime Video\","
	    "\"web_url\":\"https://p.uk/1\"},{\"source_id\":\"409\","
	    "\"name\":\"BBC iPlayer\",\"web_url\":\"https://b.uk/1\"}],"
	    "\"event_id\":\"ev-MODIFY\",\"at\":\"2025-07-04T16:02:51Z\"},"
	    "{\"user\":\"dave\",\"kind\":\"favourite_changed\","
	    "\"title_id\":\"9000001\",\"title\":\"Prime Drama\","
	    "\"changes\":{\"sources_added\":[\"409\"]},"
	    "\"sources\":[{\"source_id\":\"26\",\"name\":\"Prime Video\","
	    "\"web_url\":\"https://p.uk/1\"},{\"source_id\":\"409\","
	    "\"name\":\"BBC iPlayer\",\"web_url\":\"https://b.uk/1\"}],"
	    "\"event_id\":\"ev-MODIFY\",\"at\":\"2025-07-04T16:02:51Z\"}]");
	json_object_put(rec);

	/* The other way: 26 lost. */
	rec = record("MODIFY", "9000001", o, n, NULL);
	CHECK(strstr(run(&set, rec, NULL),
	    "\"changes\":{\"sources_removed\":[\"409\"]}") != NULL);
	CHECK(strstr(run(&set, rec, NULL), "\"at\":null") != NULL);
	json_object_put(rec);
	uktv_prefs_set_free(&set);
}

static void
unenriched_favourite_compares_source_ids(void)
{
	struct uktv_prefs_set set;
	struct json_object *rec;
	char o[4096], n[4096];

	people(&set);
	image(o, sizeof(o), "5", "Five", "{\"S\":\"26\"},{\"S\":\"203\"}",
	    "{\"S\":\"7\"}", "");
	image(n, sizeof(n), "5", "Five", "{\"S\":\"349\"},{\"S\":\"26\"}",
	    "{\"S\":\"7\"}", "");
	rec = record("MODIFY", "5", n, o, NULL);
	CHECK_STR(run(&set, rec, NULL),
	    "[{\"user\":\"dave\",\"kind\":\"favourite_changed\","
	    "\"title_id\":\"5\",\"title\":\"Five\",\"changes\":{"
	    "\"sources_added\":[\"349\"],\"sources_removed\":[\"203\"]},"
	    "\"sources\":[{\"source_id\":\"26\"},{\"source_id\":\"349\"}],"
	    "\"event_id\":\"ev-MODIFY\",\"at\":null}]");
	json_object_put(rec);
	uktv_prefs_set_free(&set);
}

static void
rating_moves_of_half_a_point_count_smaller_ones_do_not(void)
{
	struct uktv_prefs_set set;
	struct json_object *rec;
	char o[4096], n[4096];

	people(&set);
	image(o, sizeof(o), "5", "Five", "", "",
	    ",\"user_rating\":{\"N\":\"7.4\"}");
	image(n, sizeof(n), "5", "Five", "", "",
	    ",\"user_rating\":{\"N\":\"7.9\"}");
	rec = record("MODIFY", "5", n, o, NULL);
	CHECK_STR(run(&set, rec, NULL),
	    "[{\"user\":\"dave\",\"kind\":\"favourite_changed\","
	    "\"title_id\":\"5\",\"title\":\"Five\","
	    "\"changes\":{\"user_rating\":[7.4,7.9]},\"sources\":[],"
	    "\"event_id\":\"ev-MODIFY\",\"at\":null}]");
	json_object_put(rec);
	/* Down by 0.5 counts too. */
	rec = record("MODIFY", "5", o, n, NULL);
	CHECK(strstr(run(&set, rec, NULL), "\"user_rating\":[7.9,7.4]") != NULL);
	json_object_put(rec);

	image(n, sizeof(n), "5", "Five", "", "",
	    ",\"user_rating\":{\"N\":\"7.8\"}");
	rec = record("MODIFY", "5", n, o, NULL);
	CHECK_STR(run(&set, rec, NULL), "[]");
	json_object_put(rec);
	uktv_prefs_set_free(&set);
}

static void
rename_is_told_with_old_and_new_title(void)
{
	struct uktv_prefs_set set;
	struct json_object *rec;
	char o[4096], n[4096];

	people(&set);
	image(o, sizeof(o), "5", "Five", "", "", "");
	image(n, sizeof(n), "5", "Five (2025)", "", "", "");
	rec = record("MODIFY", "5", n, o, NULL);
	CHECK_STR(run(&set, rec, NULL),
	    "[{\"user\":\"dave\",\"kind\":\"favourite_changed\","
	    "\"title_id\":\"5\",\"title\":\"Five (2025)\","
	    "\"changes\":{\"title\":[\"Five\",\"Five (2025)\"]},\"sources\":[],"
	    "\"event_id\":\"ev-MODIFY\",\"at\":null}]");
	json_object_put(rec);
	uktv_prefs_set_free(&set);
}

static void
no_change_writes_and_first_enrichment_tell_nobody(void)
{
	struct uktv_prefs_set set;
	struct json_object *rec;
	enum uktv_notify_kind kind;
	char o[4096], n[4096];

	people(&set);
	image(o, sizeof(o), "9000001", "Prime Drama", "{\"S\":\"26\"}",
	    "{\"S\":\"7\"}", ENRICHED_26_GB);
	rec = record("MODIFY", "9000001", o, o, "1751644971");
	CHECK_STR(run(&set, rec, &kind), "[]");
	CHECK_INT(kind, UKTV_NOTIFY_FAVOURITE_CHANGED);
	json_object_put(rec);

	/* Only things nobody sees changed (enriched_at, the 4K offer). */
	image(n, sizeof(n), "9000001", "Prime Drama", "{\"S\":\"26\"}",
	    "{\"S\":\"7\"}",
	    ",\"enriched_at\":{\"S\":\"2025-08-01T00:00:00Z\"},"
	    "\"user_rating\":{\"N\":\"7.5\"},\"sources\":{\"L\":["
	    "{\"M\":{\"source_id\":{\"N\":\"26\"},\"region\":{\"S\":\"GB\"}}}]}");
	rec = record("MODIFY", "9000001", n, o, NULL);
	CHECK_STR(run(&set, rec, NULL), "[]");
	json_object_put(rec);

	/* First enrichment: the followed ids (26) become the real GB offers
	 * (26 and 8 is US-only) and a rating appears. */
	image(n, sizeof(n), "9000001", "Prime Drama", "{\"S\":\"26\"},{\"S\":\"203\"}",
	    "{\"S\":\"7\"}", "");
	rec = record("MODIFY", "9000001", o, n, NULL);
	CHECK_STR(run(&set, rec, NULL), "[]");
	json_object_put(rec);
	/* The original Lambda's enrichment (plot, poster, rating) too. */
	image(o, sizeof(o), "9000001", "Prime Drama", "", "", "");
	image(n, sizeof(n), "9000001", "Prime Drama", "", "",
	    ",\"plot_overview\":{\"S\":\"A drama.\"},\"user_rating\":{\"N\":\"9.1\"}");
	rec = record("MODIFY", "9000001", n, o, NULL);
	CHECK_STR(run(&set, rec, NULL), "[]");
	json_object_put(rec);
	uktv_prefs_set_free(&set);
}

static void
remove_tells_fans_and_followers_from_the_old_image(void)
{
	struct uktv_prefs_set set;
	struct json_object *rec;
	enum uktv_notify_kind kind;
	char o[4096];

	people(&set);
	image(o, sizeof(o), "9000001", "Prime Drama", "{\"S\":\"26\"}",
	    "{\"S\":\"7\"}", ENRICHED_26_GB);
	rec = record("REMOVE", "9000001", NULL, o, "1751644971.5");
	/* Zed and bob follow 26 x 7; alice and dave have it as a favourite
	 * (alice's pairs 26 x 4, 203 x 4 miss); carol's 26 x 6 misses. */
	CHECK_STR(run(&set, rec, &kind),
	    "[{\"user\":\"Zed\",\"kind\":\"title_removed\",\"title_id\":\"9000001\","
	    "\"title\":\"Prime Drama\",\"changes\":{},\"sources\":[{\"source_id\":"
	    "\"26\",\"name\":\"Prime Video\",\"web_url\":\"https://p.uk/1\"}],"
	    "\"event_id\":\"ev-REMOVE\",\"at\":\"2025-07-04T16:02:51.500Z\"},"
	    "{\"user\":\"alice\",\"kind\":\"title_removed\",\"title_id\":\"9000001\","
	    "\"title\":\"Prime Drama\",\"changes\":{},\"sources\":[{\"source_id\":"
	    "\"26\",\"name\":\"Prime Video\",\"web_url\":\"https://p.uk/1\"}],"
	    "\"event_id\":\"ev-REMOVE\",\"at\":\"2025-07-04T16:02:51.500Z\"},"
	    "{\"user\":\"bob\",\"kind\":\"title_removed\",\"title_id\":\"9000001\","
	    "\"title\":\"Prime Drama\",\"changes\":{},\"sources\":[{\"source_id\":"
	    "\"26\",\"name\":\"Prime Video\",\"web_url\":\"https://p.uk/1\"}],"
	    "\"event_id\":\"ev-REMOVE\",\"at\":\"2025-07-04T16:02:51.500Z\"},"
	    "{\"user\":\"dave\",\"kind\":\"title_removed\",\"title_id\":\"9000001\","
	    "\"title\":\"Prime Drama\",\"changes\":{},\"sources\":[{\"source_id\":"
	    "\"26\",\"name\":\"Prime Video\",\"web_url\":\"https://p.uk/1\"}],"
	    "\"event_id\":\"ev-REMOVE\",\"at\":\"2025-07-04T16:02:51.500Z\"}]");
	CHECK_INT(kind, UKTV_NOTIFY_TITLE_REMOVED);
	json_object_put(rec);
	uktv_prefs_set_free(&set);
}

static void
records_of_other_items_are_ignored(void)
{
	static const char *const recs[] = {
		/* an index entry */
		"{\"eventID\":\"a\",\"eventName\":\"INSERT\",\"dynamodb\":{"
		"\"Keys\":{\"PK\":{\"S\":\"source:26:genre:7\"},\"SK\":{\"S\":"
		"\"title:9000001\"}},\"NewImage\":{\"PK\":{\"S\":"
		"\"source:26:genre:7\"},\"SK\":{\"S\":\"title:9000001\"}}}}",
		/* a preference */
		"{\"eventID\":\"b\",\"eventName\":\"REMOVE\",\"dynamodb\":{"
		"\"Keys\":{\"PK\":{\"S\":\"userpref:alice\"},\"SK\":{\"S\":"
		"\"favourite:9000001\"}}}}",
		/* a title under another SK */
		"{\"eventID\":\"c\",\"eventName\":\"INSERT\",\"dynamodb\":{"
		"\"Keys\":{\"PK\":{\"S\":\"title:9000001\"},\"SK\":{\"S\":"
		"\"note\"}},\"NewImage\":{}}}",
		/* "title:" without digits */
		"{\"eventID\":\"d\",\"eventName\":\"INSERT\",\"dynamodb\":{"
		"\"Keys\":{\"PK\":{\"S\":\"title:x1\"},\"SK\":{\"S\":"
		"\"record\"}},\"NewImage\":{}}}",
	};
	struct uktv_prefs_set set;
	struct json_object *rec;
	enum uktv_notify_kind kind;
	size_t i;

	people(&set);
	for (i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
		rec = json_tokener_parse(recs[i]);
		CHECK(rec != NULL);
		CHECK_STR(run(&set, rec, &kind), "[]");
		CHECK_INT(kind, UKTV_NOTIFY_NONE);
		json_object_put(rec);
	}
	uktv_prefs_set_free(&set);
}

static void
records_that_are_not_stream_records_are_refused(void)
{
	static const struct { const char *in, *msg; } cases[] = {
		{ "[1]", "ERROR: a stream record is a JSON object" },
		{ "{\"eventName\":\"INSERT\"}",
		  "ERROR: not a DynamoDB Stream record: no \"dynamodb\" object" },
		{ "{\"eventName\":\"UPSERT\",\"dynamodb\":{}}",
		  "ERROR: eventName \"UPSERT\" is not INSERT, MODIFY or REMOVE" },
		{ "{\"dynamodb\":{}}", "ERROR: no eventName" },
		{ "{\"eventName\":\"MODIFY\",\"dynamodb\":{\"Keys\":{\"PK\":"
		  "{\"S\":\"title:7\"},\"SK\":{\"S\":\"record\"}},\"NewImage\":{}}}",
		  "ERROR: MODIFY of title:7 without its images: the stream's "
		  "view type must be NEW_AND_OLD_IMAGES" },
		{ "{\"eventName\":\"REMOVE\",\"dynamodb\":{\"Keys\":{\"PK\":"
		  "{\"S\":\"title:7\"},\"SK\":{\"S\":\"record\"}}}}",
		  "ERROR: REMOVE of title:7 without its OldImage: the stream's "
		  "view type must be NEW_AND_OLD_IMAGES" },
	};
	struct uktv_prefs_set set;
	struct json_object *rec;
	size_t i;

	people(&set);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rec = json_tokener_parse(cases[i].in);
		CHECK(rec != NULL);
		CHECK_STR(run(&set, rec, NULL), cases[i].msg);
		json_object_put(rec);
	}
	uktv_prefs_set_free(&set);
}

static void
stored_ids_with_leading_zeros_still_match(void)
{
	struct uktv_prefs_set set;
	struct uktv_prefs *p;
	struct json_object *rec;
	char img[4096];

	uktv_prefs_set_init(&set);
	p = uktv_prefs_set_user(&set, "erin");
	/* Read from a table as stored: not canonical. */
	uktv_prefs_ids_add(&p->lists[UKTV_PREFS_SOURCE], "026");
	uktv_prefs_ids_add(&p->lists[UKTV_PREFS_GENRE], "07");
	image(img, sizeof(img), "12", "Twelve", "{\"S\":\"26\"}", "{\"N\":\"7\"}", "");
	rec = record("INSERT", "12", img, NULL, NULL);
	CHECK(strstr(run(&set, rec, NULL), "\"user\":\"erin\"") != NULL);
	json_object_put(rec);
	uktv_prefs_set_free(&set);
}

static void
times_keep_milliseconds_only_where_given(void)
{
	struct json_object *v;
	char out[32];

	v = json_object_new_double_s(1795596322.428, "1795596322.428");
	CHECK_INT(uktv_notify_time(v, out), 0);
	CHECK_STR(out, "2026-11-25T08:45:22.428Z");
	json_object_put(v);
	v = json_object_new_int64(1479499740);
	CHECK_INT(uktv_notify_time(v, out), 0);
	CHECK_STR(out, "2016-11-18T20:09:00Z");
	json_object_put(v);
	v = json_object_new_double(1.47949974E9);
	CHECK_INT(uktv_notify_time(v, out), 0);
	CHECK_STR(out, "2016-11-18T20:09:00Z");
	json_object_put(v);
	v = json_object_new_int64(1751644971855LL);	/* milliseconds */
	CHECK_INT(uktv_notify_time(v, out), 0);
	CHECK_STR(out, "2025-07-04T16:02:51.855Z");
	json_object_put(v);
	CHECK_INT(uktv_notify_time(NULL, out), -1);
	v = json_object_new_string("2025-07-04");
	CHECK_INT(uktv_notify_time(v, out), -1);
	json_object_put(v);
	v = json_object_new_int64(-5);
	CHECK_INT(uktv_notify_time(v, out), -1);
	json_object_put(v);
}

static void
input_is_a_lambda_event_or_one_record(void)
{
	struct json_object *in, *recs;
	char why[128];

	in = json_tokener_parse("{\"Records\":[{\"eventID\":\"1\"},"
	    "{\"eventID\":\"2\"}]}");
	CHECK_INT(uktv_notify_input_records(in, &recs, why, sizeof(why)), 0);
	CHECK_INT(json_object_array_length(recs), 2);
	json_object_put(recs);
	json_object_put(in);

	in = json_tokener_parse("{\"eventID\":\"1\",\"dynamodb\":{}}");
	CHECK_INT(uktv_notify_input_records(in, &recs, why, sizeof(why)), 0);
	CHECK_INT(json_object_array_length(recs), 1);
	CHECK(json_object_array_get_idx(recs, 0) == in);
	json_object_put(recs);
	json_object_put(in);

	in = json_tokener_parse("{\"Records\":{}}");
	CHECK_INT(uktv_notify_input_records(in, &recs, why, sizeof(why)), -1);
	CHECK_STR(why, "\"Records\" is not a list");
	json_object_put(in);
	in = json_tokener_parse("{\"payload\":{\"id\":1}}");
	CHECK_INT(uktv_notify_input_records(in, &recs, why, sizeof(why)), -1);
	CHECK_STR(why, "neither a Lambda event (\"Records\") nor a stream "
	    "record (\"dynamodb\")");
	json_object_put(in);
}

static void
kind_names_are_the_wire_names(void)
{
	CHECK_STR(uktv_notify_kind_name(UKTV_NOTIFY_NEW_TITLE), "new_title");
	CHECK_STR(uktv_notify_kind_name(UKTV_NOTIFY_FAVOURITE_CHANGED),
	    "favourite_changed");
	CHECK_STR(uktv_notify_kind_name(UKTV_NOTIFY_TITLE_REMOVED),
	    "title_removed");
	CHECK_STR(uktv_notify_kind_name((enum uktv_notify_kind)42), "");
}

/* ---- --records-from ---- */

static void
input_reads_ndjson_and_values_spread_over_lines(void)
{
	static const char text[] =
	    "{\"eventID\":\"a\",\"dynamodb\":{}}\n"		/* 1 */
	    "{\n"						/* 2 */
	    "  \"Records\": [\n"					/* 3 */
	    "    {\"eventID\": \"b\"}\n"			/* 4: a whole
								 * object, inside */
	    "  ]\n"						/* 5 */
	    "}\n"						/* 6 */
	    "\n"						/* 7 */
	    "not json\n"					/* 8 */
	    "[\n"						/* 9 */
	    "1,\n"						/* 10 */
	    "2]\r\n"						/* 11 */
	    "{\"payload\":{\"id\":1,\n"				/* 12: cut short */
	    "{\"eventID\":\"c\"}\n"				/* 13: not swallowed */
	    "{\"a\":NaN}\n"					/* 14 */
	    "{\n"						/* 15: never ends */
	    "  \"Records\":\n";
	static const struct { int rc; unsigned long long line; const char *s; } want[] = {
		{ UKTV_NOTIFY_INPUT_VALUE, 1, "{\"eventID\":\"a\",\"dynamodb\":{}}" },
		{ UKTV_NOTIFY_INPUT_VALUE, 2, "{\"Records\":[{\"eventID\":\"b\"}]}" },
		{ UKTV_NOTIFY_INPUT_REJECT, 8, "invalid JSON at byte offset 0: unexpected character" },
		{ UKTV_NOTIFY_INPUT_VALUE, 9, "[1,2]" },
		{ UKTV_NOTIFY_INPUT_REJECT, 12, "invalid JSON" },
		{ UKTV_NOTIFY_INPUT_VALUE, 13, "{\"eventID\":\"c\"}" },
		{ UKTV_NOTIFY_INPUT_REJECT, 14, "invalid JSON" },
		{ UKTV_NOTIFY_INPUT_REJECT, 15, "the JSON value that begins here does "
		  "not end before the end of the input" },
		{ UKTV_NOTIFY_INPUT_END, 0, NULL },
	};
	struct uktv_notify_input *in;
	struct json_object *v;
	unsigned long long line;
	const char *why;
	FILE *fp;
	size_t i;
	int rc;

	fp = fmemopen((void *)text, sizeof(text) - 1, "r");
	CHECK(fp != NULL);
	in = uktv_notify_input_new(fp, 1024);
	CHECK(in != NULL);
	if (fp == NULL || in == NULL)
		return;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		line = 0;
		rc = uktv_notify_input_next(in, &v, &line, &why);
		CHECK_INT(rc, want[i].rc);
		if (rc == UKTV_NOTIFY_INPUT_VALUE) {
			CHECK_INT(line, want[i].line);
			CHECK_STR(compact(v), want[i].s);
		} else if (rc == UKTV_NOTIFY_INPUT_REJECT) {
			CHECK_INT(line, want[i].line);
			CHECK(why != NULL &&
			    strncmp(why, want[i].s, strlen(want[i].s)) == 0);
			if (why != NULL && strncmp(why, want[i].s, strlen(want[i].s)) != 0)
				printf("# why: %s\n", why);
		}
	}
	uktv_notify_input_free(in);
	fclose(fp);
}

/* ---- digest ---- */

static void
digest_periods_parse_and_align_to_utc(void)
{
	long long ms = 0;

	CHECK_INT(uktv_digest_parse_period("30s", &ms), 0);
	CHECK_INT(ms, 30000);
	CHECK_INT(uktv_digest_parse_period("15m", &ms), 0);
	CHECK_INT(ms, 900000);
	CHECK_INT(uktv_digest_parse_period("1h", &ms), 0);
	CHECK_INT(ms, 3600000);
	CHECK_INT(uktv_digest_parse_period("1d", &ms), 0);
	CHECK_INT(ms, 86400000);
	CHECK_INT(uktv_digest_parse_period("31d", &ms), 0);
	errno = 0;
	CHECK_INT(uktv_digest_parse_period("32d", &ms), -1);
	CHECK_INT(errno, ERANGE);
	CHECK_INT(uktv_digest_parse_period("0s", &ms), -1);
	CHECK_INT(uktv_digest_parse_period("1w", &ms), -1);
	CHECK_INT(errno, EINVAL);
	CHECK_INT(uktv_digest_parse_period("h", &ms), -1);
	CHECK_INT(uktv_digest_parse_period("-1h", &ms), -1);
	CHECK_INT(uktv_digest_parse_period("1 h", &ms), -1);
	CHECK_INT(uktv_digest_parse_period("", &ms), -1);

	/* 2025-07-04T16:02:51.855Z */
	CHECK_INT(uktv_digest_period_start(1751644971855LL, 3600000),
	    1751644800000LL);			/* 16:00 */
	CHECK_INT(uktv_digest_period_start(1751644971855LL, 86400000),
	    1751587200000LL);			/* midnight */
	CHECK_INT(uktv_digest_period_start(1751644800000LL, 3600000),
	    1751644800000LL);			/* on the hour: its own */
}

static char spool_dir[64];

static struct json_object *
note(const char *user, const char *eid, const char *title)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "{\"user\":\"%s\",\"kind\":\"new_title\","
	    "\"title_id\":\"1\",\"title\":\"%s\",\"changes\":{},\"sources\":[],"
	    "\"event_id\":\"%s\",\"at\":null}", user, title, eid);
	return json_tokener_parse(buf);
}

static void
add_note(struct uktv_digest *d, const char *user, const char *eid,
    const char *title, long long now)
{
	struct json_object *n = note(user, eid, title);
	struct uktv_error err;

	CHECK_INT(uktv_digest_add(d, n, now, &err), 0);
	json_object_put(n);
}

static void
digest_groups_a_users_notifications_once_the_period_ends(void)
{
	struct uktv_digest *d;
	struct json_object *out;
	struct uktv_error err;
	long long t = 1751644971855LL;	/* 16:02:51.855 */
	const long long h = 3600000;

	strlcpy(spool_dir, "/tmp/test_notify.XXXXXX", sizeof(spool_dir));
	CHECK(mkdtemp(spool_dir) != NULL);
	d = uktv_digest_open(spool_dir, h, &err);
	CHECK(d != NULL);
	if (d == NULL)
		return;
	add_note(d, "bob", "e1", "One", t);
	add_note(d, "alice", "e1", "One", t);
	add_note(d, "alice", "e2", "Two", t + 1000);
	add_note(d, "alice", "e1", "One", t + 2000);	/* replayed */
	add_note(d, "alice", "e3", "Three", t + h);	/* the next hour */
	CHECK_INT(uktv_digest_sync(d, &err), 0);
	CHECK_INT(uktv_digest_pending(d), 5);
	CHECK(!uktv_digest_due(d, t));
	CHECK(!uktv_digest_due(d, 1751648399999LL));
	CHECK(uktv_digest_due(d, 1751648400000LL));	/* 17:00 */

	CHECK_INT(uktv_digest_take(d, t, 0, &out, &err), 0);
	CHECK_STR(compact(out), "[]");
	json_object_put(out);

	CHECK_INT(uktv_digest_take(d, 1751648400000LL, 0, &out, &err), 0);
	CHECK_STR(compact(out),
	    "[{\"user\":\"alice\",\"kind\":\"digest\","
	    "\"period_start\":\"2025-07-04T16:00:00Z\","
	    "\"period_end\":\"2025-07-04T17:00:00Z\",\"items\":["
	    "{\"user\":\"alice\",\"kind\":\"new_title\",\"title_id\":\"1\","
	    "\"title\":\"One\",\"changes\":{},\"sources\":[],\"event_id\":\"e1\","
	    "\"at\":null},"
	    "{\"user\":\"alice\",\"kind\":\"new_title\",\"title_id\":\"1\","
	    "\"title\":\"Two\",\"changes\":{},\"sources\":[],\"event_id\":\"e2\","
	    "\"at\":null}],\"event_ids\":[\"e1\",\"e2\"]},"
	    "{\"user\":\"bob\",\"kind\":\"digest\","
	    "\"period_start\":\"2025-07-04T16:00:00Z\","
	    "\"period_end\":\"2025-07-04T17:00:00Z\",\"items\":["
	    "{\"user\":\"bob\",\"kind\":\"new_title\",\"title_id\":\"1\","
	    "\"title\":\"One\",\"changes\":{},\"sources\":[],\"event_id\":\"e1\","
	    "\"at\":null}],\"event_ids\":[\"e1\"]}]");
	json_object_put(out);
	/* Spooled between take and commit: kept. */
	add_note(d, "carol", "e9", "Nine", t + 3000);
	CHECK_INT(uktv_digest_commit(d, &err), 0);
	CHECK_INT(uktv_digest_pending(d), 2);
	CHECK(uktv_digest_due(d, 1751648400000LL));	/* carol's */
	uktv_digest_close(d);

	/* Reopened: what is pending survives. */
	d = uktv_digest_open(spool_dir, h, &err);
	CHECK(d != NULL);
	if (d == NULL)
		return;
	CHECK_INT(uktv_digest_pending(d), 2);
	CHECK_INT(uktv_digest_take(d, t, 1, &out, &err), 0);	/* flush all */
	CHECK_INT(json_object_array_length(out), 2);
	CHECK_STR(json_object_get_string(json_object_object_get(
	    json_object_array_get_idx(out, 0), "user")), "carol");
	json_object_put(out);
	CHECK_INT(uktv_digest_commit(d, &err), 0);
	CHECK_INT(uktv_digest_pending(d), 0);
	uktv_digest_close(d);
}

static void
digest_spool_cuts_a_torn_last_line(void)
{
	struct uktv_digest *d;
	struct uktv_error err;
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", spool_dir, UKTV_DIGEST_SPOOL);
	d = uktv_digest_open(spool_dir, 3600000, &err);
	CHECK(d != NULL);
	if (d == NULL)
		return;
	add_note(d, "alice", "e1", "One", 1751644971855LL);
	uktv_digest_close(d);
	fd = open(path, O_WRONLY | O_APPEND);
	CHECK(fd != -1);
	CHECK(write(fd, "{\"user\":\"bo", 11) == 11);
	close(fd);
	d = uktv_digest_open(spool_dir, 3600000, &err);
	CHECK(d != NULL);
	if (d == NULL)
		return;
	CHECK_INT(uktv_digest_pending(d), 1);
	CHECK_INT(uktv_digest_damaged(d), 0);
	add_note(d, "bob", "e2", "Two", 1751644971855LL);
	uktv_digest_close(d);
	d = uktv_digest_open(spool_dir, 3600000, &err);
	CHECK(d != NULL);
	if (d == NULL)
		return;
	CHECK_INT(uktv_digest_pending(d), 2);
	CHECK_INT(uktv_digest_damaged(d), 0);
	uktv_digest_close(d);
	unlink(path);
	rmdir(spool_dir);
}

/* ---- webhook ---- */

static void
webhook_signature_is_hmac_sha256_hex(void)
{
	char sig[UKTV_WEBHOOK_SIGNATURE_LEN];

	/* RFC 4231, test case 2. */
	CHECK_INT(uktv_webhook_sign("Jefe", 4, "what do ya want for nothing?",
	    28, sig), 0);
	CHECK_STR(sig, "sha256=5bdcc146bf60754e6a042426089575c7"
	    "5a003f089d2739839dec58b964ec3843");
}

static void
webhook_secret_file_loses_one_trailing_newline(void)
{
	static const struct { const char *text; const char *want; int rc; } c[] = {
		{ "s3cret\n", "s3cret", 0 },
		{ "s3cret\r\n", "s3cret", 0 },
		{ "s3cret", "s3cret", 0 },
		{ "s3cret\n\n", "s3cret\n", 0 },
		{ "\n", NULL, -1 },
		{ "", NULL, -1 },
	};
	struct uktv_error err;
	char path[] = "/tmp/test_notify_secret.XXXXXX", *s;
	size_t i, len;
	int fd;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		fd = mkstemp(path);
		CHECK(fd != -1);
		CHECK(write(fd, c[i].text, strlen(c[i].text)) ==
		    (ssize_t)strlen(c[i].text));
		close(fd);
		CHECK_INT(uktv_webhook_read_secret(path, &s, &len, &err), c[i].rc);
		if (c[i].rc == 0) {
			CHECK_STR(s, c[i].want);
			CHECK_INT(len, strlen(c[i].want));
		} else
			CHECK_INT(err.kind, UKTV_ERR_CONFIG);
		uktv_webhook_secret_free(s, len);
		unlink(path);
		strlcpy(path, "/tmp/test_notify_secret.XXXXXX", sizeof(path));
	}
	CHECK_INT(uktv_webhook_read_secret("/nonexistent/secret", &s, &len,
	    &err), -1);
	CHECK_INT(err.kind, UKTV_ERR_NOINPUT);
}

static void
webhook_refuses_a_url_that_is_not_http(void)
{
	struct uktv_webhook_opts o = { .url = "ftp://x/", .secret = "k",
	    .secret_len = 1 };
	struct uktv_error err;

	CHECK(uktv_webhook_new(NULL, &o, &err) == NULL);
	CHECK_INT(err.kind, UKTV_ERR_USAGE);
	o.url = "https://hooks.example/";
	o.secret_len = 0;
	CHECK(uktv_webhook_new(NULL, &o, &err) == NULL);
	CHECK_INT(err.kind, UKTV_ERR_USAGE);
}

int
main(void)
{
	RUN(insert_tells_each_follower_of_a_pair_the_title_meets);
	RUN(insert_without_ids_tells_nobody);
	RUN(favourite_gaining_a_gb_source_tells_only_its_fans);
	RUN(unenriched_favourite_compares_source_ids);
	RUN(rating_moves_of_half_a_point_count_smaller_ones_do_not);
	RUN(rename_is_told_with_old_and_new_title);
	RUN(no_change_writes_and_first_enrichment_tell_nobody);
	RUN(remove_tells_fans_and_followers_from_the_old_image);
	RUN(records_of_other_items_are_ignored);
	RUN(records_that_are_not_stream_records_are_refused);
	RUN(stored_ids_with_leading_zeros_still_match);
	RUN(times_keep_milliseconds_only_where_given);
	RUN(input_is_a_lambda_event_or_one_record);
	RUN(kind_names_are_the_wire_names);
	RUN(input_reads_ndjson_and_values_spread_over_lines);
	RUN(digest_periods_parse_and_align_to_utc);
	RUN(digest_groups_a_users_notifications_once_the_period_ends);
	RUN(digest_spool_cuts_a_torn_last_line);
	RUN(webhook_signature_is_hmac_sha256_hex);
	RUN(webhook_secret_file_loses_one_trailing_newline);
	RUN(webhook_refuses_a_url_that_is_not_http);
	return UNIT_DONE();
}
