/* test_guideview.c: the static site from table items (no AWS): which pages,
 * in which order, escaped, the same bytes every time; and the directory
 * writer that rewrites only what changed.  Items: tests/fixtures/guide
 * (its README says what each is for). */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "guideview.h"
#include "unit.h"
#include "private/guideview.h"

#define ITEMS "tests/fixtures/guide/items.json"

static struct uktv_guideview *
load(void)
{
	struct uktv_guideview *gv = uktv_guideview_new();
	struct json_object *items = json_object_from_file(ITEMS);
	size_t i, n;

	CHECK(gv != NULL && items != NULL);
	if (gv == NULL || items == NULL)
		exit(1);
	n = json_object_array_length(items);
	for (i = 0; i < n; i++)
		CHECK_INT(uktv_guideview_add_item(gv,
		    json_object_array_get_idx(items, i)), 0);
	json_object_put(items);
	return gv;
}

static void
render(struct uktv_site *site, int users)
{
	struct uktv_guideview_opts o = { users, NULL };
	struct uktv_guideview *gv = load();
	struct uktv_guideview_counts c;
	struct uktv_error err;

	uktv_site_init(site);
	CHECK_INT(uktv_guideview_render(gv, &o, site, &err), 0);
	uktv_guideview_counts(gv, &c);
	CHECK_INT(c.titles, 5);
	CHECK_INT(c.pairs, 2);
	CHECK_INT(c.sources, 2);
	CHECK_INT(c.genres, 2);
	CHECK_INT(c.users, users ? 2 : 0);
	uktv_guideview_free(gv);
}

static const char *
body(const struct uktv_site *s, const char *name)
{
	const struct uktv_site_file *f = uktv_site_find(s, name);

	if (f == NULL)
		printf("# no file %s\n", name);
	return f ? f->body : "";
}

/* Position of needle in the page, or -1. */
static long
at(const char *page, const char *needle)
{
	const char *p = strstr(page, needle);

	return p ? (long)(p - page) : -1;
}

static void
test_pages(void)
{
	static const char *const want[] = {
		"style.css", "index.html", "titles.html", "pairs/203-4.html",
		"pairs/26-9.html", "titles/9000001.html", "titles/9000002.html",
		"titles/9000003.html", "titles/9000004.html", "titles/9000005.html",
		"users/alice.html", "users/bob@example.com.html",
	};
	struct uktv_site s;
	size_t i;

	render(&s, 1);
	CHECK_INT(s.n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		CHECK(uktv_site_find(&s, want[i]) != NULL);
	/* No page for a pair nobody follows or one without titles. */
	CHECK(uktv_site_find(&s, "pairs/409-7.html") == NULL);
	CHECK(uktv_site_find(&s, "pairs/203-9.html") == NULL);
	uktv_site_free(&s);
	render(&s, 0);
	CHECK_INT(s.n, sizeof(want) / sizeof(want[0]) - 2);
	CHECK(uktv_site_find(&s, "users/alice.html") == NULL);
	CHECK(at(body(&s, "index.html"), "alice") == -1);
	uktv_site_free(&s);
}

static void
test_order_and_escaping(void)
{
	struct uktv_site s;
	const char *p;

	render(&s, 1);
	/* uktv-prefs' order: 9.5, 8.1, then unrated. */
	p = body(&s, "pairs/203-4.html");
	CHECK(at(p, "titles/9000003.html") >= 0);
	CHECK(at(p, "titles/9000003.html") < at(p, "titles/9000001.html"));
	CHECK(at(p, "titles/9000001.html") < at(p, "titles/9000002.html"));
	CHECK(at(p, "<script") == -1);
	CHECK(at(p, "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;") > 0);
	/* Recommendations (above 7) come first on the user page, then all. */
	p = body(&s, "users/alice.html");
	CHECK(at(p, "Recommendations") < at(p, "titles/9000003.html"));
	CHECK(at(p, "All titles") > at(p, "titles/9000004.html"));
	CHECK(at(p, "titles/9000002.html") > at(p, "All titles"));
	/* Names from the table are escaped; only http(s) offers are links. */
	CHECK(at(body(&s, "index.html"), "Sci-Fi &amp; Fantasy") > 0);
	p = body(&s, "titles/9000001.html");
	CHECK(at(p, "href=\"https://www.netflix.com/title/9000001?a=1&amp;b=2\"") > 0);
	CHECK(at(p, "javascript") == -1);
	CHECK(at(p, "Netflix US") == -1);
	CHECK(at(p, "critics 81") > 0);
	CHECK(at(p, "https://www.imdb.com/title/tt9000001/") > 0);
	/* Unenriched: no image, no plot. */
	p = body(&s, "titles/9000002.html");
	CHECK(at(p, "<img") == -1 && at(p, "class=\"plot\"") == -1);
	CHECK(at(body(&s, "titles/9000003.html"), "<img") == -1);
	/* Links to user pages are percent-encoded. */
	CHECK(at(body(&s, "index.html"), "href=\"users/bob%40example.com.html\"") > 0);
	uktv_site_free(&s);
}

static void
test_same_bytes_every_time(void)
{
	struct uktv_site a, b;
	size_t i;

	render(&a, 1);
	render(&b, 1);
	CHECK_INT(a.n, b.n);
	for (i = 0; i < a.n && i < b.n; i++) {
		CHECK_STR(a.v[i].name, b.v[i].name);
		CHECK(a.v[i].len == b.v[i].len &&
		    memcmp(a.v[i].body, b.v[i].body, a.v[i].len) == 0);
	}
	uktv_site_free(&a);
	uktv_site_free(&b);
}

struct changes {
	int	n;
	char	last[128];
};

static void
changed(enum uktv_site_action a, const char *name, void *arg)
{
	struct changes *c = arg;

	c->n++;
	snprintf(c->last, sizeof(c->last), "%s %s", uktv_site_action_name(a), name);
}

static void
test_write_dir(void)
{
	char dir[] = "/tmp/test_guideview.XXXXXX", path[256];
	struct uktv_site_write_stats st;
	struct uktv_error err;
	struct uktv_site s;
	struct changes c = { 0, "" };
	struct stat sb, sb2;
	FILE *fp;

	CHECK(mkdtemp(dir) != NULL);
	render(&s, 1);
	CHECK_INT(uktv_site_write_dir(&s, dir, changed, &c, &st, &err), 0);
	CHECK_INT(st.created, (long)s.n);
	CHECK_INT(c.n, (int)s.n);
	snprintf(path, sizeof(path), "%s/pairs/203-4.html", dir);
	CHECK_INT(stat(path, &sb), 0);
	/* Unchanged: nothing written, not even touched. */
	c.n = 0;
	CHECK_INT(uktv_site_write_dir(&s, dir, changed, &c, &st, &err), 0);
	CHECK_INT(c.n, 0);
	CHECK_INT(st.unchanged, (long)s.n);
	CHECK_INT(stat(path, &sb2), 0);
	CHECK(sb.st_ino == sb2.st_ino && sb.st_mtime == sb2.st_mtime);
	/* A page changed behind its back is written again; a stray page in
	 * one of the site's folders is removed, other files are left. */
	CHECK((fp = fopen(path, "w")) != NULL);
	if (fp != NULL) {
		fputs("changed", fp);
		fclose(fp);
	}
	snprintf(path, sizeof(path), "%s/titles/1.html", dir);
	CHECK((fp = fopen(path, "w")) != NULL);
	if (fp != NULL)
		fclose(fp);
	snprintf(path, sizeof(path), "%s/titles/notes.txt", dir);
	CHECK((fp = fopen(path, "w")) != NULL);
	if (fp != NULL)
		fclose(fp);
	c.n = 0;
	CHECK_INT(uktv_site_write_dir(&s, dir, changed, &c, &st, &err), 0);
	CHECK_INT(st.updated, 1);
	CHECK_INT(st.deleted, 1);
	CHECK_STR(c.last, "deleted titles/1.html");
	CHECK(access(path, F_OK) == 0);
	snprintf(path, sizeof(path), "%s/titles/1.html", dir);
	CHECK(access(path, F_OK) == -1);
	/* A directory that cannot be made. */
	snprintf(path, sizeof(path), "%s/index.html/sub", dir);
	uktv_error_clear(&err);
	CHECK_INT(uktv_site_write_dir(&s, path, NULL, NULL, NULL, &err), -1);
	CHECK(err.kind == UKTV_ERR_CANTCREAT);
	uktv_site_free(&s);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	CHECK_INT(system(path), 0);
}

static void
test_ignores_other_items(void)
{
	struct uktv_guideview *gv = uktv_guideview_new();
	struct uktv_site s;
	struct uktv_error err;
	struct json_object *it;

	/* Region items, malformed keys, a title without data: not pages. */
	it = json_tokener_parse("{\"PK\":{\"S\":\"region:GB\"},\"SK\":{\"S\":\"United Kingdom\"}}");
	CHECK_INT(uktv_guideview_add_item(gv, it), 0);
	json_object_put(it);
	it = json_tokener_parse("{\"PK\":{\"S\":\"title:12\"},\"SK\":{\"S\":\"record\"}}");
	CHECK_INT(uktv_guideview_add_item(gv, it), 0);
	json_object_put(it);
	it = json_tokener_parse("{\"PK\":{\"S\":\"source:1:genre:x\"},\"SK\":{\"S\":\"title:1\"}}");
	CHECK_INT(uktv_guideview_add_item(gv, it), 0);
	json_object_put(it);
	it = json_tokener_parse("{\"PK\":{\"N\":\"1\"}}");
	CHECK_INT(uktv_guideview_add_item(gv, it), 0);
	json_object_put(it);
	uktv_site_init(&s);
	CHECK_INT(uktv_guideview_render(gv, NULL, &s, &err), 0);
	CHECK_INT(s.n, 3);	/* style.css, index.html, titles.html */
	CHECK(at(body(&s, "index.html"), "No source and genre anyone follows") > 0);
	uktv_site_free(&s);
	uktv_guideview_free(gv);
}

int
main(void)
{
	RUN(test_pages);
	RUN(test_order_and_escaping);
	RUN(test_same_bytes_every_time);
	RUN(test_write_dir);
	RUN(test_ignores_other_items);
	return UNIT_DONE();
}
