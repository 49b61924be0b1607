/* test_titlestate.c: uktv-titles' state: keys, the file, digests, and the
 * reconciling of a run (new, changed, refreshed, removed, carried). */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "titlestate.h"
#include "unit.h"
#include "private/titlestate.h"

#define DIGEST_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define DIGEST_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define T0	1751644800000LL		/* 2025-07-04T16:00:00Z */
#define DAY	(86400LL * 1000)

static void
test_pair_keys(void)
{
	char k[UKTV_TITLESTATE_PAIR_MAX + 1], s[32], g[32];

	CHECK_INT(uktv_titlestate_pair_key("203", "7", k, sizeof(k)), 0);
	CHECK_STR(k, "203:7");
	CHECK_INT(uktv_titlestate_pair_key("0203", "7", k, sizeof(k)), -1);
	CHECK_INT(uktv_titlestate_pair_key("203", "", k, sizeof(k)), -1);
	CHECK_INT(uktv_titlestate_pair_key("20x", "7", k, sizeof(k)), -1);
	CHECK_INT(uktv_titlestate_pair_key("203", "7", k, 4), -1);
	CHECK_INT(uktv_titlestate_pair_split("371:14", s, g), 0);
	CHECK_STR(s, "371");
	CHECK_STR(g, "14");
	CHECK_INT(uktv_titlestate_pair_split("371", s, g), -1);
	CHECK_INT(uktv_titlestate_pair_split(":4", s, g), -1);
	CHECK_INT(uktv_titlestate_pair_split("1:2:3", s, g), -1);
	CHECK_INT(uktv_titlestate_pair_split("123456789012345678901:1", s, g), -1);
	/* Numbers, not bytes: "9" before "10". */
	CHECK(uktv_titlestate_pair_cmp("9:1", "10:1") < 0);
	CHECK(uktv_titlestate_pair_cmp("203:9", "203:10") < 0);
	CHECK(uktv_titlestate_pair_cmp("203:7", "203:4") > 0);
	CHECK_INT(uktv_titlestate_pair_cmp("203:7", "203:7"), 0);
	CHECK_INT(uktv_titlestate_id_valid("3184039"), 1);
	CHECK_INT(uktv_titlestate_id_valid("03184039"), 0);
	CHECK_INT(uktv_titlestate_id_valid("0"), 0);
	CHECK_INT(uktv_titlestate_id_valid("123456789012345678901"), 0);
}

static void
test_entries_sorted(void)
{
	struct uktv_titlestate st;
	struct uktv_titlestate_title *t;
	const char *const pairs[] = { "203:7", "10:4", "203:7", "9:4" };

	uktv_titlestate_init(&st);
	CHECK(uktv_titlestate_title_put(&st, "100") != NULL);
	CHECK(uktv_titlestate_title_put(&st, "20") != NULL);
	CHECK(uktv_titlestate_title_put(&st, "3") != NULL);
	CHECK(uktv_titlestate_title_put(&st, "20") != NULL);
	CHECK(uktv_titlestate_title_put(&st, "x1") == NULL);
	CHECK_INT(st.ntitles, 3);
	CHECK_STR(st.titles[0].id, "3");
	CHECK_STR(st.titles[1].id, "20");
	CHECK_STR(st.titles[2].id, "100");
	t = uktv_titlestate_title_find(&st, "20");
	CHECK(t != NULL);
	CHECK_INT(uktv_titlestate_title_set_pairs(t, pairs, 4), 0);
	CHECK_INT(t->npairs, 3);
	CHECK_STR(t->pairs[0], "9:4");
	CHECK_STR(t->pairs[1], "10:4");
	CHECK_STR(t->pairs[2], "203:7");
	CHECK_INT(uktv_titlestate_title_remove(&st, "20"), 1);
	CHECK_INT(uktv_titlestate_title_remove(&st, "20"), 0);
	CHECK(uktv_titlestate_title_find(&st, "20") == NULL);
	CHECK(uktv_titlestate_pair_put(&st, "203:10") != NULL);
	CHECK(uktv_titlestate_pair_put(&st, "203:9") != NULL);
	CHECK(uktv_titlestate_pair_put(&st, "bad") == NULL);
	CHECK_STR(st.pairs[0].key, "203:9");
	CHECK_INT(st.pairs[0].pages, -1);
	CHECK_INT(uktv_titlestate_pair_remove(&st, "203:9"), 1);
	CHECK_INT(st.npairs, 1);
	uktv_titlestate_clear(&st);
	CHECK_INT(st.ntitles, 0);
}

static void
test_canonical_and_digest(void)
{
	struct json_object *a = json_tokener_parse(
	    "{\"b\":{\"d\":true,\"c\":null},\"a\":[1,\"x\"]}");
	struct json_object *b = json_tokener_parse(
	    "{\"a\":[1,\"x\"],\"b\":{\"c\":null,\"d\":true}}");
	struct json_object *c = json_tokener_parse(
	    "{\"a\":[\"x\",1],\"b\":{\"c\":null,\"d\":true}}");
	struct json_object *s = json_tokener_parse("{\"t\":\"a/b \\\"q\\\" \\u00e9\"}");
	char da[UKTV_TITLESTATE_DIGEST_LEN + 1], db[UKTV_TITLESTATE_DIGEST_LEN + 1];
	char dc[UKTV_TITLESTATE_DIGEST_LEN + 1];
	char *text;

	text = uktv_titlestate_canonical(a);
	CHECK_STR(text, "{\"a\":[1,\"x\"],\"b\":{\"c\":null,\"d\":true}}");
	free(text);
	/* No "\/", quotes escaped, UTF-8 kept as it is. */
	text = uktv_titlestate_canonical(s);
	CHECK_STR(text, "{\"t\":\"a/b \\\"q\\\" \xc3\xa9\"}");
	free(text);
	CHECK_INT(uktv_titlestate_digest(a, da), 0);
	CHECK_INT(uktv_titlestate_digest(b, db), 0);
	CHECK_INT(uktv_titlestate_digest(c, dc), 0);
	/* sha256sum of the canonical text above. */
	CHECK_STR(da, "800353e95fd8ae2d13f2b04aa4978b34020d878b94063d923f8995a7558e410e");
	CHECK_STR(da, db);
	CHECK(strcmp(da, dc) != 0);		/* array order matters */
	json_object_put(a);
	json_object_put(b);
	json_object_put(c);
	json_object_put(s);
}

/* A state with two pairs and two titles. */
static void
fill(struct uktv_titlestate *st)
{
	struct uktv_titlestate_pair *p;
	struct uktv_titlestate_title *t;
	const char *const p1[] = { "203:7" };
	const char *const p2[] = { "203:7", "371:4" };

	uktv_titlestate_init(st);
	uktv_titlestate_set_query(st, "regions=GB");
	st->last_complete_ms = T0;
	p = uktv_titlestate_pair_put(st, "203:7");
	p->complete = 1;
	p->pages = 2;
	p->listed_ms = T0 + 4000;
	p = uktv_titlestate_pair_put(st, "371:4");
	p->complete = 0;
	p->pages = 1;
	p->listed_ms = T0 + 5000;
	t = uktv_titlestate_title_put(st, "3184039");
	strlcpy(t->digest, DIGEST_A, sizeof(t->digest));
	t->emitted_ms = T0 + 9118;
	uktv_titlestate_title_set_pairs(t, p1, 1);
	t = uktv_titlestate_title_put(st, "551368");
	strlcpy(t->digest, DIGEST_B, sizeof(t->digest));
	t->emitted_ms = T0;
	uktv_titlestate_title_set_pairs(t, p2, 2);
}

static char *
slurp(FILE *fp)
{
	static char buf[8192];
	size_t n;

	rewind(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	return buf;
}

static void
test_write_read_roundtrip(void)
{
	struct uktv_titlestate st, back;
	struct uktv_error e;
	FILE *fp = tmpfile();

	fill(&st);
	uktv_error_clear(&e);
	CHECK_INT(uktv_titlestate_write(&st, fp, T0 + 10000, &e), 0);
	CHECK_STR(slurp(fp),
	    "{\"uktv_titles_state\":1,\"query\":\"regions=GB\",\"last_complete\":"
	    "\"2025-07-04T16:00:00.000Z\",\"saved\":\"2025-07-04T16:00:10.000Z\"}\n"
	    "{\"pair\":\"203:7\",\"complete\":true,\"pages\":2,\"listed\":"
	    "\"2025-07-04T16:00:04.000Z\"}\n"
	    "{\"pair\":\"371:4\",\"complete\":false,\"pages\":1,\"listed\":"
	    "\"2025-07-04T16:00:05.000Z\"}\n"
	    "{\"title\":\"551368\",\"digest\":\"" DIGEST_B "\",\"emitted\":"
	    "\"2025-07-04T16:00:00.000Z\",\"pairs\":[\"203:7\",\"371:4\"]}\n"
	    "{\"title\":\"3184039\",\"digest\":\"" DIGEST_A "\",\"emitted\":"
	    "\"2025-07-04T16:00:09.118Z\",\"pairs\":[\"203:7\"]}\n");
	rewind(fp);
	uktv_titlestate_init(&back);
	CHECK_INT(uktv_titlestate_read(&back, fp, "t", &e), 0);
	CHECK_STR(back.query, "regions=GB");
	CHECK_INT(back.last_complete_ms, T0);
	CHECK_INT(back.npairs, 2);
	CHECK_INT(back.pairs[0].complete, 1);
	CHECK_INT(back.pairs[0].pages, 2);
	CHECK_INT(back.pairs[1].complete, 0);
	CHECK_INT(back.pairs[1].listed_ms, T0 + 5000);
	CHECK_INT(back.ntitles, 2);
	CHECK_STR(back.titles[0].id, "551368");
	CHECK_STR(back.titles[0].digest, DIGEST_B);
	CHECK_INT(back.titles[0].npairs, 2);
	CHECK_STR(back.titles[1].pairs[0], "203:7");
	CHECK_INT(back.titles[1].emitted_ms, T0 + 9118);
	fclose(fp);
	uktv_titlestate_clear(&st);
	uktv_titlestate_clear(&back);
}

/* Reads text as a state: the error message, or "" when it was read. */
static const char *
read_text(const char *text)
{
	static char msg[600];
	struct uktv_titlestate st;
	struct uktv_error e;
	FILE *fp = tmpfile();

	fputs(text, fp);
	rewind(fp);
	uktv_titlestate_init(&st);
	uktv_error_clear(&e);
	if (uktv_titlestate_read(&st, fp, "S", &e) == 0)
		msg[0] = '\0';
	else
		snprintf(msg, sizeof(msg), "%s %s", uktv_error_kind_name(e.kind),
		    e.message);
	fclose(fp);
	uktv_titlestate_clear(&st);
	return msg;
}

static void
test_read_refuses_damage(void)
{
	const char *h = "{\"uktv_titles_state\":1}\n";
	char buf[512];

	CHECK_STR(read_text(""), "");
	CHECK_STR(read_text(h), "");
	CHECK(strstr(read_text("{\"title\":\"1\"}\n"), "S line 1: not a uktv-titles "
	    "state file") != NULL);
	CHECK(strstr(read_text("{\"uktv_titles_state\":2}\n"), "newer") != NULL);
	CHECK(strstr(read_text("{\"uktv_titles_state\":1}\nnot json\n"),
	    "S line 2:") != NULL);
	snprintf(buf, sizeof(buf), "%s{\"title\":\"1\",\"digest\":\"abc\","
	    "\"pairs\":[]}\n", h);
	CHECK(strstr(read_text(buf), "line 2: digest") != NULL);
	snprintf(buf, sizeof(buf), "%s{\"title\":\"1\",\"digest\":\"" DIGEST_A
	    "\",\"pairs\":[\"7\"]}\n", h);
	CHECK(strstr(read_text(buf), "line 2: pairs") != NULL);
	snprintf(buf, sizeof(buf), "%s{\"title\":\"1\",\"digest\":\"" DIGEST_A
	    "\",\"pairs\":[]}\n{\"title\":\"1\",\"digest\":\"" DIGEST_A
	    "\",\"pairs\":[]}\n", h);
	CHECK(strstr(read_text(buf), "line 3: title listed twice") != NULL);
	snprintf(buf, sizeof(buf), "%s{\"pair\":\"1:2\",\"listed\":\"-1h\"}\n", h);
	CHECK(strstr(read_text(buf), "line 2: listed") != NULL);
	snprintf(buf, sizeof(buf), "%s{\"other\":1}\n", h);
	CHECK(strstr(read_text(buf), "neither") != NULL);
	/* Unknown keys are a later version's additions: ignored. */
	snprintf(buf, sizeof(buf), "{\"uktv_titles_state\":1,\"new\":[1]}\n"
	    "{\"pair\":\"1:2\",\"complete\":true,\"extra\":{}}\n");
	CHECK_STR(read_text(buf), "");
}

static int
count_tmp(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while (d != NULL && (de = readdir(d)) != NULL)
		if (strstr(de->d_name, ".tmp.") != NULL)
			n++;
	if (d != NULL)
		closedir(d);
	return n;
}

static void
test_save_and_load(void)
{
	char dir[] = "/tmp/test_titlestate.XXXXXX", path[128], bad[160];
	struct uktv_titlestate st, back;
	struct uktv_error e;
	struct stat sb;
	int found = -1;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/titles.state", dir);
	uktv_titlestate_init(&back);
	uktv_error_clear(&e);
	/* No file yet: an empty state, not an error. */
	CHECK_INT(uktv_titlestate_load(&back, path, &found, &e), 0);
	CHECK_INT(found, 0);
	CHECK_INT(back.ntitles, 0);
	fill(&st);
	CHECK_INT(uktv_titlestate_save(&st, path, T0, &e), 0);
	CHECK_INT(stat(path, &sb), 0);
	CHECK_INT(sb.st_mode & 0777, 0644);
	CHECK_INT(count_tmp(dir), 0);
	/* A second save keeps the mode the operator gave the file. */
	chmod(path, 0600);
	CHECK_INT(uktv_titlestate_save(&st, path, T0, &e), 0);
	CHECK_INT(stat(path, &sb), 0);
	CHECK_INT(sb.st_mode & 0777, 0600);
	CHECK_INT(uktv_titlestate_load(&back, path, &found, &e), 0);
	CHECK_INT(found, 1);
	CHECK_INT(back.ntitles, 2);
	CHECK_INT(back.npairs, 2);
	/* A directory that is not there: the temporary file cannot be made,
	 * and nothing is left behind. */
	snprintf(bad, sizeof(bad), "%s/missing/titles.state", dir);
	CHECK_INT(uktv_titlestate_save(&st, bad, T0, &e), -1);
	CHECK_INT(e.kind, UKTV_ERR_CANTCREAT);
	CHECK_INT(count_tmp(dir), 0);
	unlink(path);
	rmdir(dir);
	uktv_titlestate_clear(&st);
	uktv_titlestate_clear(&back);
}

static void
test_decide(void)
{
	struct uktv_titlestate st;
	struct uktv_error e;
	struct uktv_titlestate_plan_pair pp[] = {
		{ "203:7", UKTV_TITLESTATE_LISTED, 2 },
		{ "371:4", UKTV_TITLESTATE_LISTED, 1 },
	};
	struct uktv_titlestate_plan plan = { pp, 2, 1, T0 + DAY, -1 };
	const char *const p1[] = { "203:7" };
	const char *const p2[] = { "203:7", "371:4" };
	struct uktv_titlestate_title *t;

	fill(&st);
	uktv_error_clear(&e);
	CHECK_INT(uktv_titlestate_decide(&st, "3184039", DIGEST_A, p1, 1, &plan,
	    &e), UKTV_TITLESTATE_UNCHANGED);
	t = uktv_titlestate_title_find(&st, "3184039");
	CHECK_INT(t->emitted_ms, T0 + 9118);		/* not emitted: kept */
	CHECK_INT(t->seen, 1);
	CHECK_INT(uktv_titlestate_decide(&st, "551368", DIGEST_A, p2, 2, &plan,
	    &e), UKTV_TITLESTATE_CHANGED);
	t = uktv_titlestate_title_find(&st, "551368");
	CHECK_STR(t->digest, DIGEST_A);
	CHECK_INT(t->emitted_ms, T0 + DAY);
	CHECK_INT(uktv_titlestate_decide(&st, "42", DIGEST_B, p1, 1, &plan, &e),
	    UKTV_TITLESTATE_NEW);
	CHECK_INT(st.ntitles, 3);
	CHECK_STR(st.titles[0].id, "42");
	/* Due: emitted a day ago or more, with a one-day refresh. */
	plan.refresh_ms = DAY;
	CHECK_INT(uktv_titlestate_decide(&st, "3184039", DIGEST_A, p1, 1, &plan,
	    &e), UKTV_TITLESTATE_UNCHANGED);	/* 9.118 s short of a day */
	plan.now_ms = T0 + 9118 + DAY;
	CHECK_INT(uktv_titlestate_decide(&st, "3184039", DIGEST_A, p1, 1, &plan,
	    &e), UKTV_TITLESTATE_REFRESH);
	CHECK_INT(uktv_titlestate_title_find(&st, "3184039")->emitted_ms,
	    T0 + 9118 + DAY);
	CHECK_INT(uktv_titlestate_due(&st, T0 + 2 * DAY + 9118, DAY), 3);
	CHECK_INT(uktv_titlestate_due(&st, T0 + 2 * DAY, DAY), 2);
	CHECK_INT(uktv_titlestate_due(&st, T0 + 9118 + DAY, -1), 0);
	CHECK_INT(uktv_titlestate_decide(&st, "x", DIGEST_B, p1, 1, &plan, &e), -1);
	CHECK_INT(uktv_titlestate_decide(&st, "7", "short", p1, 1, &plan, &e), -1);
	CHECK_STR(uktv_titlestate_verdict_name(UKTV_TITLESTATE_REFRESH), "refresh");
	uktv_titlestate_clear(&st);
}

static void
test_merge_carries_unlisted_pairs(void)
{
	struct uktv_titlestate st;
	struct uktv_error e;
	/* 203:7 listed; 371:4 not reached; 999:1 (in no state) partial;
	 * 371:4 is in title 551368's state entry. */
	struct uktv_titlestate_plan_pair pp[] = {
		{ "203:7", UKTV_TITLESTATE_LISTED, 2 },
		{ "371:4", UKTV_TITLESTATE_CARRIED, 0 },
		{ "999:1", UKTV_TITLESTATE_PARTIAL, 1 },
	};
	struct uktv_titlestate_plan plan = { pp, 3, 0, T0, -1 };
	const char *const seen[] = { "999:1" };
	char **out;
	size_t n;

	fill(&st);
	uktv_error_clear(&e);
	/* Not seen in 203:7 (listed: it left), carried in 371:4. */
	CHECK_INT(uktv_titlestate_merge(&st, "551368", seen, 1, &plan, &out, &n,
	    &e), 0);
	CHECK_INT(n, 2);
	CHECK_STR(out[0], "371:4");
	CHECK_STR(out[1], "999:1");
	uktv_titlestate_pairs_free(out, n);
	/* A pair no longer followed is not carried. */
	plan.n = 1;
	CHECK_INT(uktv_titlestate_merge(&st, "551368", NULL, 0, &plan, &out, &n,
	    &e), 0);
	CHECK_INT(n, 0);
	uktv_titlestate_pairs_free(out, n);
	/* A title the state does not know: what was seen. */
	plan.n = 3;
	CHECK_INT(uktv_titlestate_merge(&st, "77", seen, 1, &plan, &out, &n, &e), 0);
	CHECK_INT(n, 1);
	CHECK_STR(out[0], "999:1");
	uktv_titlestate_pairs_free(out, n);
	uktv_titlestate_clear(&st);
}

struct removed {
	char	ids[8][24];
	int	n;
};

static int
on_removed(const char *id, void *arg)
{
	struct removed *r = arg;

	strlcpy(r->ids[r->n++], id, sizeof(r->ids[0]));
	return 0;
}

static void
test_sweep_complete_run_removes_unseen(void)
{
	struct uktv_titlestate st;
	struct uktv_error e;
	struct removed r = { .n = 0 };
	struct uktv_titlestate_plan_pair pp[] = {
		{ "203:7", UKTV_TITLESTATE_LISTED, 3 },
		{ "371:4", UKTV_TITLESTATE_LISTED, 1 },
		{ "400:1", UKTV_TITLESTATE_LISTED, 1 },
	};
	struct uktv_titlestate_plan plan = { pp, 3, 1, T0 + DAY, -1 };
	const char *const p1[] = { "203:7" };

	fill(&st);
	uktv_titlestate_pair_put(&st, "500:5");	/* no longer followed */
	uktv_error_clear(&e);
	CHECK_INT(uktv_titlestate_decide(&st, "3184039", DIGEST_A, p1, 1, &plan,
	    &e), UKTV_TITLESTATE_UNCHANGED);
	CHECK_INT(uktv_titlestate_sweep(&st, &plan, T0 + DAY - 5, on_removed, &r,
	    &e), 1);
	CHECK_INT(r.n, 1);
	CHECK_STR(r.ids[0], "551368");
	CHECK_INT(st.ntitles, 1);
	CHECK_INT(st.titles[0].seen, 0);
	CHECK_INT(st.last_complete_ms, T0 + DAY - 5);
	CHECK_INT(st.npairs, 3);
	CHECK_STR(st.pairs[0].key, "203:7");
	CHECK_INT(st.pairs[0].pages, 3);
	CHECK_INT(st.pairs[1].complete, 1);	/* 371:4 now listed whole */
	CHECK_STR(st.pairs[2].key, "400:1");
	CHECK(uktv_titlestate_pair_find(&st, "500:5") == NULL);
	uktv_titlestate_clear(&st);
}

static void
test_sweep_cut_short_removes_nothing(void)
{
	struct uktv_titlestate st;
	struct uktv_error e;
	struct removed r = { .n = 0 };
	struct uktv_titlestate_plan_pair pp[] = {
		{ "203:7", UKTV_TITLESTATE_PARTIAL, 1 },
		{ "400:1", UKTV_TITLESTATE_PARTIAL, 1 },
	};
	struct uktv_titlestate_plan plan = { pp, 2, 0, T0 + DAY, -1 };

	fill(&st);
	uktv_error_clear(&e);
	CHECK_INT(uktv_titlestate_sweep(&st, &plan, T0 + DAY, on_removed, &r, &e), 0);
	CHECK_INT(r.n, 0);
	CHECK_INT(st.ntitles, 2);
	CHECK_INT(st.last_complete_ms, T0);		/* not a complete run */
	CHECK_INT(st.npairs, 3);
	/* Known pair cut short: kept as it was. */
	CHECK_INT(st.pairs[0].complete, 1);
	CHECK_INT(st.pairs[0].pages, 2);
	CHECK_INT(st.pairs[0].listed_ms, T0 + 4000);
	/* Unfollowed pair: kept (nothing is dropped by a run cut short). */
	CHECK_STR(st.pairs[1].key, "371:4");
	/* A new pair cut short: known now, not complete. */
	CHECK_STR(st.pairs[2].key, "400:1");
	CHECK_INT(st.pairs[2].complete, 0);
	uktv_titlestate_clear(&st);
}

static void
test_sweep_keeps_titles_of_carried_pairs(void)
{
	struct uktv_titlestate st;
	struct uktv_error e;
	struct removed r = { .n = 0 };
	/* A complete run that skipped 371:4 (nothing changed there) and
	 * listed 203:7, where neither title showed up. */
	struct uktv_titlestate_plan_pair pp[] = {
		{ "203:7", UKTV_TITLESTATE_LISTED, 2 },
		{ "371:4", UKTV_TITLESTATE_CARRIED, 0 },
	};
	struct uktv_titlestate_plan plan = { pp, 2, 1, T0 + DAY, -1 };

	fill(&st);
	uktv_error_clear(&e);
	CHECK_INT(uktv_titlestate_sweep(&st, &plan, T0 + DAY, on_removed, &r, &e), 1);
	CHECK_INT(r.n, 1);
	CHECK_STR(r.ids[0], "3184039");
	CHECK_INT(st.ntitles, 1);
	CHECK_STR(st.titles[0].id, "551368");
	CHECK_INT(uktv_titlestate_pair_find(&st, "371:4")->complete, 0);
	uktv_titlestate_clear(&st);
}

int
main(void)
{
	RUN(test_pair_keys);
	RUN(test_entries_sorted);
	RUN(test_canonical_and_digest);
	RUN(test_write_read_roundtrip);
	RUN(test_read_refuses_damage);
	RUN(test_save_and_load);
	RUN(test_decide);
	RUN(test_merge_carries_unlisted_pairs);
	RUN(test_sweep_complete_run_removes_unseen);
	RUN(test_sweep_cut_short_removes_nothing);
	RUN(test_sweep_keeps_titles_of_carried_pairs);
	return UNIT_DONE();
}
