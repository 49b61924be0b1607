/*
 * test_prefs.c: the pure parts of lib/prefs (ids, keys, grouping, JSON
 * forms, edits and diffs, the guide's projection and order).  The table
 * parts are proven by tests/prefs.bats against moto.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prefs.h"
#include "unit.h"
#include "private/prefs.h"

/* The ids of a list joined with ',' (static buffer). */
static const char *
joined(const struct uktv_prefs_ids *l)
{
	static char buf[512];
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < l->n; i++) {
		if (i > 0)
			strlcat(buf, ",", sizeof(buf));
		strlcat(buf, l->v[i], sizeof(buf));
	}
	return buf;
}

static const char *
compact(struct json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
}

static void
ids_are_digits_and_canonical(void)
{
	char out[UKTV_PREFS_ID_MAX + 1];
	struct json_object *v;

	CHECK(uktv_prefs_id_valid("203"));
	CHECK(uktv_prefs_id_valid("0"));
	CHECK(uktv_prefs_id_valid("18446744073709551615"));
	CHECK(!uktv_prefs_id_valid("184467440737095516150"));	/* 21 digits */
	CHECK(!uktv_prefs_id_valid(""));
	CHECK(!uktv_prefs_id_valid("-1"));
	CHECK(!uktv_prefs_id_valid("20 3"));
	CHECK(!uktv_prefs_id_valid("1:genre:2"));
	CHECK_INT(uktv_prefs_id_canon("0203", out), 0);
	CHECK_STR(out, "203");
	CHECK_INT(uktv_prefs_id_canon("000", out), 0);
	CHECK_STR(out, "0");
	CHECK_INT(uktv_prefs_id_canon("x1", out), -1);

	v = json_object_new_int(349);
	CHECK_INT(uktv_prefs_id_from_json(v, out), 0);
	CHECK_STR(out, "349");
	json_object_put(v);
	v = json_object_new_string("0349");
	CHECK_INT(uktv_prefs_id_from_json(v, out), 0);
	CHECK_STR(out, "349");
	json_object_put(v);
	v = json_object_new_int(-4);
	CHECK_INT(uktv_prefs_id_from_json(v, out), -1);
	json_object_put(v);
	v = json_object_new_double(4.0);
	CHECK_INT(uktv_prefs_id_from_json(v, out), -1);
	json_object_put(v);
	v = json_object_new_boolean(1);
	CHECK_INT(uktv_prefs_id_from_json(v, out), -1);
	json_object_put(v);
	v = json_object_new_string("4a");
	CHECK_INT(uktv_prefs_id_from_json(v, out), -1);
	json_object_put(v);
	/* json-c saturates 2^64 to 2^64-1: numbers that large are refused
	 * (a string carries them), the largest kept is INT64_MAX - 1. */
	v = json_object_new_uint64(18446744073709551615ULL);
	CHECK_INT(uktv_prefs_id_from_json(v, out), -1);
	json_object_put(v);
	v = json_object_new_int64(9223372036854775806LL);
	CHECK_INT(uktv_prefs_id_from_json(v, out), 0);
	CHECK_STR(out, "9223372036854775806");
	json_object_put(v);
}

static void
ids_sort_numerically_not_as_strings(void)
{
	struct uktv_prefs_ids l;

	CHECK(uktv_prefs_id_cmp("9", "10") < 0);
	CHECK(uktv_prefs_id_cmp("203", "0203") != 0);	/* total order */
	CHECK(uktv_prefs_id_cmp("0203", "204") < 0);
	uktv_prefs_ids_init(&l);
	CHECK_INT(uktv_prefs_ids_add(&l, "349"), 1);
	CHECK_INT(uktv_prefs_ids_add(&l, "26"), 1);
	CHECK_INT(uktv_prefs_ids_add(&l, "203"), 1);
	CHECK_INT(uktv_prefs_ids_add(&l, "9"), 1);
	CHECK_INT(uktv_prefs_ids_add(&l, "203"), 0);
	CHECK_STR(joined(&l), "9,26,203,349");
	CHECK(uktv_prefs_ids_has(&l, "26"));
	CHECK(!uktv_prefs_ids_has(&l, "27"));
	CHECK_INT(uktv_prefs_ids_remove(&l, "26"), 1);
	CHECK_INT(uktv_prefs_ids_remove(&l, "26"), 0);
	CHECK_STR(joined(&l), "9,203,349");
	uktv_prefs_ids_free(&l);
	CHECK_INT(l.n, 0);
}

static void
id_lists_parse_strictly_and_leave_the_list_on_failure(void)
{
	struct uktv_prefs_ids l;
	char why[256];

	uktv_prefs_ids_init(&l);
	CHECK_INT(uktv_prefs_ids_parse(&l, "349,203,0203", why, sizeof(why)), 0);
	CHECK_STR(joined(&l), "203,349");
	CHECK_INT(uktv_prefs_ids_parse(&l, "", why, sizeof(why)), 0);
	CHECK_STR(joined(&l), "203,349");
	CHECK_INT(uktv_prefs_ids_parse(&l, "4,x", why, sizeof(why)), -1);
	CHECK(strstr(why, "4,x") != NULL);
	CHECK_INT(uktv_prefs_ids_parse(&l, "4,,6", why, sizeof(why)), -1);
	CHECK_INT(uktv_prefs_ids_parse(&l, "4,", why, sizeof(why)), -1);
	CHECK_STR(joined(&l), "203,349");
	uktv_prefs_ids_free(&l);
}

static void
keys_follow_the_original_grammar(void)
{
	char buf[UKTV_PREFS_KEY_MAX], big[200];
	enum uktv_prefs_kind k;
	const char *id;

	CHECK_INT(uktv_prefs_pk("a1b2c3d4-e5f6-7890-1234-567890abcdef", buf,
	    sizeof(buf)), 0);
	CHECK_STR(buf, "userpref:a1b2c3d4-e5f6-7890-1234-567890abcdef");
	CHECK_INT(uktv_prefs_pk("alice@example.com", buf, sizeof(buf)), 0);
	CHECK_INT(uktv_prefs_pk("al ice", buf, sizeof(buf)), -1);
	CHECK_INT(uktv_prefs_pk("", buf, sizeof(buf)), -1);
	memset(big, 'a', 128);
	big[128] = '\0';
	CHECK_INT(uktv_prefs_pk(big, buf, sizeof(buf)), 0);
	big[128] = 'a';
	big[129] = '\0';
	CHECK_INT(uktv_prefs_pk(big, buf, sizeof(buf)), -1);

	CHECK_INT(uktv_prefs_sk(UKTV_PREFS_FAVOURITE, "3184039", buf,
	    sizeof(buf)), 0);
	CHECK_STR(buf, "favourite:3184039");
	CHECK_INT(uktv_prefs_sk_parse("genre:4", &k, &id), 0);
	CHECK_INT(k, UKTV_PREFS_GENRE);
	CHECK_STR(id, "4");
	CHECK_INT(uktv_prefs_sk_parse("source:203", &k, &id), 0);
	CHECK_INT(k, UKTV_PREFS_SOURCE);
	CHECK_INT(uktv_prefs_sk_parse("favourite:1", &k, &id), 0);
	CHECK_INT(k, UKTV_PREFS_FAVOURITE);
	CHECK_INT(uktv_prefs_sk_parse("source:", &k, &id), -1);
	CHECK_INT(uktv_prefs_sk_parse("sources:1", &k, &id), -1);
	CHECK_INT(uktv_prefs_sk_parse("record", &k, &id), -1);
	CHECK_STR(uktv_prefs_pk_user("userpref:bob"), "bob");
	CHECK(uktv_prefs_pk_user("userpref:") == NULL);
	CHECK(uktv_prefs_pk_user("user:bob") == NULL);

	/* Reference items, never the index entries that share the prefix. */
	CHECK_INT(uktv_prefs_ref_pk_parse("source:203", &k, &id), 0);
	CHECK_INT(k, UKTV_PREFS_SOURCE);
	CHECK_STR(id, "203");
	CHECK_INT(uktv_prefs_ref_pk_parse("genre:4", &k, &id), 0);
	CHECK_INT(k, UKTV_PREFS_GENRE);
	CHECK_INT(uktv_prefs_ref_pk_parse("source:203:genre:4", &k, &id), -1);
	CHECK_INT(uktv_prefs_ref_pk_parse("favourite:1", &k, &id), -1);
	CHECK_INT(uktv_prefs_ref_pk_parse("region:GB", &k, &id), -1);
}

static void
json_forms_read_strings_or_numbers_and_print_strings(void)
{
	struct json_object *o;
	struct uktv_prefs p;
	char why[256];

	uktv_prefs_init(&p);
	/* The original PUT body: no user, ids as strings or numbers. */
	o = json_tokener_parse("{\"sources\":[\"349\",203],\"genres\":[6,\"4\"]}");
	CHECK_INT(uktv_prefs_from_json(o, 0, &p, why, sizeof(why)), 0);
	CHECK(p.user == NULL);
	CHECK_INT(p.present, UKTV_PREFS_MASK(UKTV_PREFS_SOURCE) |
	    UKTV_PREFS_MASK(UKTV_PREFS_GENRE));
	CHECK_STR(joined(&p.lists[UKTV_PREFS_SOURCE]), "203,349");
	CHECK_STR(joined(&p.lists[UKTV_PREFS_GENRE]), "4,6");
	json_object_put(o);
	CHECK_INT(uktv_prefs_from_json(o = json_tokener_parse("{\"sources\":[\"349\"]}"),
	    1, &p, why, sizeof(why)), -1);
	CHECK_STR(why, "no \"user\"");
	json_object_put(o);
	CHECK_INT(uktv_prefs_from_json(o = json_tokener_parse(
	    "{\"user\":\"bob\",\"genres\":[\"4\",\"x\"]}"), 1, &p, why,
	    sizeof(why)), -1);
	CHECK(strstr(why, "genres[1]") != NULL);
	json_object_put(o);
	CHECK_INT(uktv_prefs_from_json(o = json_tokener_parse(
	    "{\"user\":\"b b\"}"), 1, &p, why, sizeof(why)), -1);
	CHECK(strstr(why, "bad user id") != NULL);
	json_object_put(o);
	CHECK_INT(uktv_prefs_from_json(o = json_tokener_parse(
	    "{\"user\":\"bob\",\"sources\":\"203\"}"), 1, &p, why, sizeof(why)), -1);
	json_object_put(o);
	/* null is the same as absent: left as it is. */
	CHECK_INT(uktv_prefs_from_json(o = json_tokener_parse(
	    "{\"user\":\"bob\",\"sources\":null,\"favourites\":[]}"), 1, &p, why,
	    sizeof(why)), 0);
	CHECK_INT(p.present, UKTV_PREFS_MASK(UKTV_PREFS_FAVOURITE));
	json_object_put(o);
	CHECK_STR(p.user, "bob");
	o = uktv_prefs_to_json(&p);
	CHECK_STR(compact(o),
	    "{\"user\":\"bob\",\"sources\":[],\"genres\":[],\"favourites\":[]}");
	json_object_put(o);
	uktv_prefs_clear(&p);
}

static void
table_items_group_per_user_in_byte_order(void)
{
	struct uktv_prefs_set s;
	const struct uktv_prefs *p;
	struct json_object *o;

	uktv_prefs_set_init(&s);
	/* Interleaved, as a Scan over several pages may hand them over. */
	CHECK_INT(uktv_prefs_set_add_item(&s, "userpref:carol", "genre:6"), 1);
	CHECK_INT(uktv_prefs_set_add_item(&s, "userpref:alice", "source:349"), 1);
	CHECK_INT(uktv_prefs_set_add_item(&s, "userpref:Bob", "favourite:3184039"), 1);
	CHECK_INT(uktv_prefs_set_add_item(&s, "userpref:alice", "source:203"), 1);
	CHECK_INT(uktv_prefs_set_add_item(&s, "userpref:carol", "source:26"), 1);
	CHECK_INT(uktv_prefs_set_add_item(&s, "userpref:alice", "genre:4"), 1);
	CHECK_INT(uktv_prefs_set_add_item(&s, "userpref:alice", "note:x"), 0);
	CHECK_INT(uktv_prefs_set_add_item(&s, "source:203", "Netflix"), 0);
	CHECK_INT(uktv_prefs_set_add_item(&s, "userpref:dave", "source:1"), 1);
	CHECK_INT(s.n, 4);
	CHECK_STR(s.v[0].user, "Bob");		/* byte order: 'B' < 'a' */
	CHECK_STR(s.v[1].user, "alice");
	CHECK_STR(s.v[2].user, "carol");
	CHECK_STR(s.v[3].user, "dave");
	p = uktv_prefs_set_find(&s, "alice");
	CHECK(p != NULL);
	o = uktv_prefs_to_json(p);
	CHECK_STR(compact(o), "{\"user\":\"alice\",\"sources\":[\"203\",\"349\"],"
	    "\"genres\":[\"4\"],\"favourites\":[]}");
	json_object_put(o);
	CHECK_INT(p->present, UKTV_PREFS_ALL);
	CHECK(uktv_prefs_set_find(&s, "eve") == NULL);
	uktv_prefs_set_free(&s);
}

struct changes {
	char	text[512];
};

static int
record_change(const struct uktv_prefs_change *ch, void *arg)
{
	struct changes *c = arg;
	char one[64];

	snprintf(one, sizeof(one), "%s%c%s:%s", c->text[0] ? " " : "",
	    ch->del ? '-' : '+', uktv_prefs_kind_name(ch->kind), ch->id);
	strlcat(c->text, one, sizeof(c->text));
	return 0;
}

static void
current(struct uktv_prefs *p)
{
	uktv_prefs_init(p);
	p->user = strdup("alice");
	p->present = UKTV_PREFS_ALL;
	uktv_prefs_ids_add(&p->lists[UKTV_PREFS_SOURCE], "203");
	uktv_prefs_ids_add(&p->lists[UKTV_PREFS_SOURCE], "349");
	uktv_prefs_ids_add(&p->lists[UKTV_PREFS_GENRE], "4");
	uktv_prefs_ids_add(&p->lists[UKTV_PREFS_FAVOURITE], "3184039");
}

static void
diff_writes_only_the_difference(void)
{
	struct uktv_prefs cur, want;
	struct uktv_prefs_edit e;
	struct changes c;
	char why[64];

	current(&cur);
	uktv_prefs_init(&want);
	uktv_prefs_edit_init(&e);
	CHECK(uktv_prefs_edit_empty(&e));

	/* Replacing a list with itself: no change at all. */
	e.replace = UKTV_PREFS_MASK(UKTV_PREFS_SOURCE);
	uktv_prefs_ids_parse(&e.set[UKTV_PREFS_SOURCE], "349,203", why, sizeof(why));
	CHECK_INT(uktv_prefs_edit_apply(&cur, &e, &want), 0);
	CHECK_INT(uktv_prefs_diff(&cur, &want, NULL, NULL), 0);

	/* Replacing one list leaves the others as they are. */
	uktv_prefs_edit_free(&e);
	e.replace = UKTV_PREFS_MASK(UKTV_PREFS_SOURCE);
	uktv_prefs_ids_parse(&e.set[UKTV_PREFS_SOURCE], "203,26", why, sizeof(why));
	CHECK_INT(uktv_prefs_edit_apply(&cur, &e, &want), 0);
	memset(&c, 0, sizeof(c));
	CHECK_INT(uktv_prefs_diff(&cur, &want, record_change, &c), 2);
	CHECK_STR(c.text, "+source:26 -source:349");
	CHECK_STR(want.user, "alice");
	CHECK_STR(joined(&want.lists[UKTV_PREFS_GENRE]), "4");
	CHECK_STR(joined(&want.lists[UKTV_PREFS_FAVOURITE]), "3184039");

	/* An empty list clears it. */
	uktv_prefs_edit_free(&e);
	e.replace = UKTV_PREFS_MASK(UKTV_PREFS_FAVOURITE);
	CHECK_INT(uktv_prefs_edit_apply(&cur, &e, &want), 0);
	memset(&c, 0, sizeof(c));
	CHECK_INT(uktv_prefs_diff(&cur, &want, record_change, &c), 1);
	CHECK_STR(c.text, "-favourite:3184039");

	/* Adds never delete; an add of what is there writes nothing. */
	uktv_prefs_edit_free(&e);
	uktv_prefs_ids_parse(&e.add[UKTV_PREFS_GENRE], "6,4", why, sizeof(why));
	uktv_prefs_ids_parse(&e.add[UKTV_PREFS_SOURCE], "203", why, sizeof(why));
	CHECK(!uktv_prefs_edit_empty(&e));
	CHECK_INT(uktv_prefs_edit_apply(&cur, &e, &want), 0);
	memset(&c, 0, sizeof(c));
	CHECK_INT(uktv_prefs_diff(&cur, &want, record_change, &c), 1);
	CHECK_STR(c.text, "+genre:6");

	/* Removes of what is not there write nothing. */
	uktv_prefs_edit_free(&e);
	uktv_prefs_ids_parse(&e.remove[UKTV_PREFS_GENRE], "4,5", why, sizeof(why));
	CHECK_INT(uktv_prefs_edit_apply(&cur, &e, &want), 0);
	memset(&c, 0, sizeof(c));
	CHECK_INT(uktv_prefs_diff(&cur, &want, record_change, &c), 1);
	CHECK_STR(c.text, "-genre:4");

	uktv_prefs_edit_free(&e);
	uktv_prefs_clear(&cur);
	uktv_prefs_clear(&want);
}

static void
a_whole_record_replaces_only_the_lists_it_names(void)
{
	struct uktv_prefs cur, body, want;
	struct uktv_prefs_edit e;
	struct json_object *o;
	struct changes c;
	char why[128];

	current(&cur);
	uktv_prefs_init(&body);
	uktv_prefs_init(&want);
	uktv_prefs_edit_init(&e);
	o = json_tokener_parse("{\"genres\":[\"6\"]}");
	CHECK_INT(uktv_prefs_from_json(o, 0, &body, why, sizeof(why)), 0);
	json_object_put(o);
	CHECK_INT(uktv_prefs_edit_from(&e, &body), 0);
	CHECK_INT(e.replace, UKTV_PREFS_MASK(UKTV_PREFS_GENRE));
	CHECK_INT(uktv_prefs_edit_apply(&cur, &e, &want), 0);
	memset(&c, 0, sizeof(c));
	CHECK_INT(uktv_prefs_diff(&cur, &want, record_change, &c), 2);
	CHECK_STR(c.text, "-genre:4 +genre:6");
	uktv_prefs_edit_free(&e);
	uktv_prefs_clear(&cur);
	uktv_prefs_clear(&body);
	uktv_prefs_clear(&want);
}

static void
stored_ids_with_leading_zeros_are_replaced_by_canonical_ones(void)
{
	struct uktv_prefs cur, want;
	struct uktv_prefs_edit e;
	struct changes c;
	char why[64];

	uktv_prefs_init(&cur);
	uktv_prefs_init(&want);
	uktv_prefs_edit_init(&e);
	uktv_prefs_ids_add(&cur.lists[UKTV_PREFS_SOURCE], "0203");
	e.replace = UKTV_PREFS_MASK(UKTV_PREFS_SOURCE);
	uktv_prefs_ids_parse(&e.set[UKTV_PREFS_SOURCE], "203", why, sizeof(why));
	CHECK_INT(uktv_prefs_edit_apply(&cur, &e, &want), 0);
	memset(&c, 0, sizeof(c));
	CHECK_INT(uktv_prefs_diff(&cur, &want, record_change, &c), 2);
	CHECK_STR(c.text, "-source:0203 +source:203");
	uktv_prefs_edit_free(&e);
	uktv_prefs_clear(&cur);
	uktv_prefs_clear(&want);
}

static void
ndjson_lines_load_with_line_numbered_rejects(void)
{
	static const char input[] =
	    "{\"user\":\"bob\",\"sources\":[\"203\"],\"genres\":[],\"favourites\":[]}\n"
	    "not json\n"
	    "\n"
	    "{\"user\":\"alice\",\"sources\":[349,\"26\"],\"genres\":[\"4\"]}\n"
	    "{\"sources\":[\"1\"]}\n"
	    "{\"user\":\"bob\",\"genres\":[\"6\"]}\n"
	    "{\"user\":\"carol\",\"genres\":[\"x\"]}\r\n";
	struct uktv_prefs_set s;
	struct uktv_error err;
	struct changes rej;
	unsigned long n;
	FILE *fp;
	struct json_object *o;

	memset(&rej, 0, sizeof(rej));
	uktv_prefs_set_init(&s);
	fp = fmemopen((void *)input, sizeof(input) - 1, "r");
	CHECK(fp != NULL);
	CHECK_INT(uktv_prefs_load_ndjson(fp, 1 << 20, &s, NULL, NULL, &n, &err), 0);
	fclose(fp);
	CHECK_INT(n, 3);
	CHECK_INT(s.n, 2);
	CHECK_STR(s.v[0].user, "alice");
	o = uktv_prefs_to_json(&s.v[1]);
	/* bob's second line replaced his genres and left his sources. */
	CHECK_STR(compact(o), "{\"user\":\"bob\",\"sources\":[\"203\"],"
	    "\"genres\":[\"6\"],\"favourites\":[]}");
	json_object_put(o);
	CHECK_INT(s.v[0].present, UKTV_PREFS_MASK(UKTV_PREFS_SOURCE) |
	    UKTV_PREFS_MASK(UKTV_PREFS_GENRE));
	uktv_prefs_set_free(&s);
}

struct rejects {
	unsigned long long	lines[8];
	int			n;
};

static void
on_reject(unsigned long long lineno, const char *reason, void *arg)
{
	struct rejects *r = arg;

	if (r->n < 8)
		r->lines[r->n++] = lineno;
	CHECK(reason != NULL && *reason != '\0');
}

static void
rejected_line_numbers_reach_the_callback(void)
{
	static const char input[] =
	    "{\"user\":\"a\"}\n"
	    "[1]\n"
	    "\n"
	    "{\"user\":\"a\",\"genres\":[-1]}\n"
	    "{\"user\":\"b\"}\n";
	struct uktv_prefs_set s;
	struct uktv_error err;
	struct rejects r;
	unsigned long n;
	FILE *fp;

	memset(&r, 0, sizeof(r));
	uktv_prefs_set_init(&s);
	fp = fmemopen((void *)input, sizeof(input) - 1, "r");
	CHECK_INT(uktv_prefs_load_ndjson(fp, 1 << 20, &s, on_reject, &r, &n,
	    &err), 0);
	fclose(fp);
	CHECK_INT(n, 2);
	CHECK_INT(r.n, 2);
	CHECK_INT(r.lines[0], 2);
	CHECK_INT(r.lines[1], 4);
	CHECK_INT(s.n, 2);
	uktv_prefs_set_free(&s);
}

static void
guide_lines_keep_the_original_fields_and_leave_out_nulls(void)
{
	struct json_object *data, *line;

	data = json_tokener_parse("{\"id\":1615420,\"title\":\"Bullet Train\","
	    "\"year\":2022,\"imdb_id\":\"tt12593682\",\"tmdb_id\":718930,"
	    "\"type\":\"movie\",\"user_rating\":7.4,\"plot_overview\":\"p\","
	    "\"poster\":null,\"source_ids\":[\"203\",349],\"genre_ids\":[\"4\"],"
	    "\"sources\":[{\"source_id\":203,\"name\":\"Netflix\",\"type\":\"sub\","
	    "\"region\":\"GB\",\"web_url\":\"https://n/1\",\"format\":\"HD\","
	    "\"price\":null},{\"source_id\":203,\"region\":\"US\",\"web_url\":\"u\"}]}");
	line = uktv_prefs_guide_title(data);
	CHECK(line != NULL);
	CHECK_STR(compact(line), "{\"id\":\"1615420\",\"title\":\"Bullet Train\","
	    "\"year\":2022,\"type\":\"movie\",\"user_rating\":7.4,"
	    "\"plot_overview\":\"p\",\"source_ids\":[\"203\",\"349\"],"
	    "\"genre_ids\":[\"4\"],\"sources\":[{\"source_id\":\"203\","
	    "\"name\":\"Netflix\",\"type\":\"sub\",\"region\":\"GB\","
	    "\"web_url\":\"https://n/1\",\"format\":\"HD\"}]}");
	json_object_put(line);
	json_object_put(data);
	data = json_tokener_parse("{\"title\":\"no id\"}");
	CHECK(uktv_prefs_guide_title(data) == NULL);
	json_object_put(data);
}

static struct json_object *
gline(const char *json)
{
	return json_tokener_parse(json);
}

static void
guide_filters_like_titles_and_recommendations(void)
{
	struct uktv_prefs_guide_opts all = { 0 }, enriched = { 1, 0, 0 },
	    rec = { 0, 1, UKTV_PREFS_RECOMMEND_MIN };
	struct json_object *full, *bare, *seven, *eight;

	full = gline("{\"id\":\"1\",\"poster\":\"x\",\"plot_overview\":\"y\","
	    "\"user_rating\":7.4}");
	bare = gline("{\"id\":\"2\"}");
	seven = gline("{\"id\":\"3\",\"user_rating\":7}");
	eight = gline("{\"id\":\"4\",\"user_rating\":8,\"poster\":\"\","
	    "\"plot_overview\":\"y\"}");
	CHECK(uktv_prefs_guide_keep(bare, &all));
	CHECK(uktv_prefs_guide_keep(full, &enriched));
	CHECK(!uktv_prefs_guide_keep(bare, &enriched));
	CHECK(!uktv_prefs_guide_keep(eight, &enriched));	/* empty poster */
	CHECK(uktv_prefs_guide_keep(full, &rec));
	CHECK(!uktv_prefs_guide_keep(seven, &rec));		/* > 7, not >= */
	CHECK(uktv_prefs_guide_keep(eight, &rec));
	CHECK(!uktv_prefs_guide_keep(bare, &rec));		/* unrated */
	json_object_put(full);
	json_object_put(bare);
	json_object_put(seven);
	json_object_put(eight);
}

static void
guide_orders_by_rating_then_title_then_id(void)
{
	struct json_object *a;
	size_t i;
	char ids[128] = "";

	a = json_tokener_parse("["
	    "{\"id\":\"10\",\"title\":\"B\"},"
	    "{\"id\":\"9\",\"title\":\"B\"},"
	    "{\"id\":\"1\",\"title\":\"Z\",\"user_rating\":6.3},"
	    "{\"id\":\"2\",\"title\":\"b\",\"user_rating\":8.2},"
	    "{\"id\":\"3\",\"title\":\"A\",\"user_rating\":8.2},"
	    "{\"id\":\"4\",\"title\":\"Q\",\"user_rating\":8},"
	    "{\"id\":\"5\",\"title\":\"A\"}]");
	json_object_array_sort(a, uktv_prefs_guide_cmp);
	for (i = 0; i < json_object_array_length(a); i++) {
		if (i > 0)
			strlcat(ids, ",", sizeof(ids));
		strlcat(ids, json_object_get_string(json_object_object_get(
		    json_object_array_get_idx(a, i), "id")), sizeof(ids));
	}
	CHECK_STR(ids, "3,2,4,1,5,9,10");
	json_object_put(a);
}

int
main(void)
{
	RUN(ids_are_digits_and_canonical);
	RUN(ids_sort_numerically_not_as_strings);
	RUN(id_lists_parse_strictly_and_leave_the_list_on_failure);
	RUN(keys_follow_the_original_grammar);
	RUN(json_forms_read_strings_or_numbers_and_print_strings);
	RUN(table_items_group_per_user_in_byte_order);
	RUN(diff_writes_only_the_difference);
	RUN(a_whole_record_replaces_only_the_lists_it_names);
	RUN(stored_ids_with_leading_zeros_are_replaced_by_canonical_ones);
	RUN(ndjson_lines_load_with_line_numbered_rejects);
	RUN(rejected_line_numbers_reach_the_callback);
	RUN(guide_lines_keep_the_original_fields_and_leave_out_nulls);
	RUN(guide_filters_like_titles_and_recommendations);
	RUN(guide_orders_by_rating_then_title_then_id);
	return UNIT_DONE();
}
