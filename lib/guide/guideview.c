/*
 * guideview.c: see guideview.h.  The table is read into json-c maps, the
 * pages are rendered with lib/html (every outside string escaped there),
 * and the directory is written file by file, comparing content first.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"
#include "dynamodb.h"
#include "fileio.h"
#include "guideview.h"
#include "html.h"
#include "items.h"
#include "prefs.h"
#include "private/guideview.h"

#define DEFAULT_TITLE	"UK TV guide"

struct uktv_guideview {
	struct json_object		*sources;	/* id -> name */
	struct json_object		*genres;	/* id -> name */
	struct json_object		*titles;	/* id -> plain data */
	struct json_object		*index;		/* "S-G" -> {id: true} */
	struct uktv_prefs_set		 users;
	struct uktv_guideview_counts	 counts;
};

struct uktv_guideview *
uktv_guideview_new(void)
{
	struct uktv_guideview *gv;

	if ((gv = calloc(1, sizeof(*gv))) == NULL)
		return NULL;
	uktv_prefs_set_init(&gv->users);
	gv->sources = json_object_new_object();
	gv->genres = json_object_new_object();
	gv->titles = json_object_new_object();
	gv->index = json_object_new_object();
	if (gv->sources == NULL || gv->genres == NULL || gv->titles == NULL ||
	    gv->index == NULL) {
		uktv_guideview_free(gv);
		return NULL;
	}
	return gv;
}

void
uktv_guideview_free(struct uktv_guideview *gv)
{
	if (gv == NULL)
		return;
	json_object_put(gv->sources);
	json_object_put(gv->genres);
	json_object_put(gv->titles);
	json_object_put(gv->index);
	uktv_prefs_set_free(&gv->users);
	free(gv);
}

static int
put_key(struct json_object *map, const char *key, struct json_object *v)
{
	if (v == NULL)
		return -1;
	if (json_object_object_add(map, key, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

/* "source:S:genre:G" -> "S-G" (the pair's page name). */
static int
pair_key(const char *pk, char *buf, size_t len)
{
	const char *s = pk + 7, *g = strstr(pk, ":genre:");

	if (g == NULL)
		return -1;
	if ((size_t)snprintf(buf, len, "%.*s-%s", (int)(g - s), s, g + 7) >= len)
		return -1;
	return 0;
}

int
uktv_guideview_add_item(struct uktv_guideview *gv, struct json_object *item)
{
	const char *pk = uktv_ddb_item_str(item, "PK");
	const char *sk = uktv_ddb_item_str(item, "SK");
	struct json_object *data, *plain, *set;
	enum uktv_prefs_kind kind;
	const char *id;
	char key[2 * UKTV_PREFS_ID_MAX + 2];

	if (pk == NULL || sk == NULL)
		return 0;
	switch (uktv_items_pk_kind(pk)) {
	case UKTV_ITEM_SOURCE:
	case UKTV_ITEM_GENRE:
		if (uktv_prefs_ref_pk_parse(pk, &kind, &id) == -1)
			return 0;
		/* The reference item's SK is the name (ARCHITECTURE.md). */
		return put_key(kind == UKTV_PREFS_SOURCE ? gv->sources :
		    gv->genres, id, json_object_new_string(sk));
	case UKTV_ITEM_INDEX:
		if (strncmp(sk, "title:", 6) != 0 || !uktv_prefs_id_valid(sk + 6) ||
		    pair_key(pk, key, sizeof(key)) == -1)
			return 0;
		if (!json_object_object_get_ex(gv->index, key, &set)) {
			if (put_key(gv->index, key, json_object_new_object()) == -1)
				return -1;
			json_object_object_get_ex(gv->index, key, &set);
		}
		return put_key(set, sk + 6, json_object_new_boolean(1));
	case UKTV_ITEM_TITLE:
		if (strcmp(sk, "record") != 0 ||
		    !json_object_object_get_ex(item, "data", &data) ||
		    !json_object_object_get_ex(data, "M", NULL))
			return 0;
		if ((plain = uktv_ddb_from_typed(data)) == NULL)
			return -1;
		return put_key(gv->titles, pk + 6, plain);
	case UKTV_ITEM_USERPREF:
		return uktv_prefs_set_add_item(&gv->users, pk, sk) == -1 ? -1 : 0;
	default:
		return 0;
	}
}

struct load_ctx {
	struct uktv_guideview	*gv;
	int			 oom;
};

static int
load_item(struct json_object *item, void *arg)
{
	struct load_ctx *c = arg;

	if (uktv_guideview_add_item(c->gv, item) == -1) {
		c->oom = 1;
		return 1;
	}
	return 0;
}

int
uktv_guideview_load(struct uktv_guideview *gv, struct uktv_aws *aws,
    const char *table, struct uktv_error *err)
{
	struct load_ctx c = { gv, 0 };

	if (uktv_ddb_scan(aws, table, NULL, load_item, &c, err) == -1 && !c.oom)
		return -1;
	if (c.oom)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	return 0;
}

void
uktv_guideview_counts(const struct uktv_guideview *gv,
    struct uktv_guideview_counts *out)
{
	*out = gv->counts;
}

/* ---- the site ---- */

void
uktv_site_init(struct uktv_site *s)
{
	memset(s, 0, sizeof(*s));
}

void
uktv_site_free(struct uktv_site *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].name);
		free(s->v[i].body);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

int
uktv_site_add(struct uktv_site *s, const char *name, char *body, size_t len)
{
	struct uktv_site_file *v;
	size_t cap;
	char *n;

	if (s->n == s->cap) {
		cap = s->cap ? s->cap * 2 : 64;
		if ((v = reallocarray(s->v, cap, sizeof(*v))) == NULL) {
			free(body);
			return -1;
		}
		s->v = v;
		s->cap = cap;
	}
	if ((n = strdup(name)) == NULL) {
		free(body);
		return -1;
	}
	s->v[s->n].name = n;
	s->v[s->n].body = body;
	s->v[s->n].len = len;
	s->n++;
	return 0;
}

const struct uktv_site_file *
uktv_site_find(const struct uktv_site *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].name, name) == 0)
			return &s->v[i];
	return NULL;
}

/* ---- rendering helpers ---- */

static const char stylesheet[] =
    "/* uktv-guide: one small stylesheet, readable on a phone. */\n"
    ":root{color-scheme:light dark}\n"
    "body{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;"
    "line-height:1.45;margin:0 auto;max-width:56rem;padding:0 1rem 2rem}\n"
    "header{border-bottom:1px solid #8884;padding:.6rem 0}\n"
    "header p{margin:0;font-weight:600}\n"
    "a{color:#1565c0}\n"
    "@media (prefers-color-scheme:dark){a{color:#90caf9}}\n"
    /* Titles from outside may be one long word: never wider than a phone. */
    "h1,h2,h3,.about{overflow-wrap:anywhere}\n"
    "h1{font-size:1.6rem;margin:1rem 0 .5rem}\n"
    "h2{font-size:1.25rem;margin:1.4rem 0 .4rem}\n"
    "h3{font-size:1.05rem;margin:.2rem 0}\n"
    "ol.cards{list-style:none;margin:0;padding:0}\n"
    ".card{display:flex;gap:1rem;padding:.9rem 0;border-bottom:1px solid #8883}\n"
    /* The poster's box keeps its 2:3 size whether or not the image loads
     * (its alt text shows inside), so cards line up either way. */
    ".poster{flex:none;display:block;width:6rem;aspect-ratio:2/3;"
    "overflow:hidden;border-radius:4px;background:#8882;margin:0}\n"
    ".poster img{display:block;width:100%;height:100%;object-fit:cover;"
    "font-size:.75rem}\n"
    ".about{min-width:0}\n"
    ".meta{color:#777;margin:.1rem 0 .4rem;font-size:.92rem}\n"
    ".plot{margin:.3rem 0}\n"
    "ul.watch{margin:.3rem 0;padding-left:1.1rem;font-size:.95rem}\n"
    ".kind{color:#777}\n"
    ".title-page{display:flex;gap:1.2rem;flex-wrap:wrap;align-items:flex-start}\n"
    ".title-page .poster{width:12rem}\n"
    "ul.pairs,ul.users{padding-left:1.1rem}\n"
    ".group{margin-bottom:.8rem}\n"
    ".count{color:#777}\n"
    "footer{margin-top:2rem;border-top:1px solid #8884;padding-top:.6rem;"
    "font-size:.85rem;color:#777}\n"
    "@media (max-width:30rem){.card .poster{width:4.5rem}"
    ".title-page .poster{width:100%;max-width:16rem}}\n";

static const char *
str_field(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    json_object_get_string_len(v) == 0)
		return NULL;
	return json_object_get_string(v);
}

/* A number or a string of one, as text ("7.4", "2022"); NULL otherwise. */
static const char *
num_field(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	if (json_object_is_type(v, json_type_int) ||
	    (json_object_is_type(v, json_type_double) &&
	    isfinite(json_object_get_double(v))))
		return json_object_get_string(v);
	return NULL;
}

static const char *
type_name(const char *type)
{
	static const struct { const char *k, *v; } names[] = {
		{ "movie", "Film" }, { "tv_series", "TV series" },
		{ "tv_miniseries", "TV miniseries" },
		{ "tv_special", "TV special" }, { "tv_movie", "TV film" },
		{ "short_film", "Short film" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(type, names[i].k) == 0)
			return names[i].v;
	return NULL;
}

/* Watchmode's offer types (API docs, "sources"). */
static const char *
offer_kind(const char *type)
{
	static const struct { const char *k, *v; } names[] = {
		{ "sub", "subscription" }, { "free", "free" },
		{ "purchase", "buy" }, { "buy", "buy" }, { "rent", "rent" },
		{ "tve", "with a TV package" }, { "addon", "add-on" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(type, names[i].k) == 0)
			return names[i].v;
	return NULL;
}

static void
page_head(struct uktv_html *h, const char *site, const char *title,
    const char *rel)
{
	uktv_html_raw(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<title>");
	if (title != NULL) {
		uktv_html_text(h, title);
		uktv_html_raw(h, " \xe2\x80\x93 ");	/* en dash */
	}
	uktv_html_text(h, site);
	uktv_html_rawf(h, "</title>\n<link rel=\"stylesheet\" href=\"%sstyle.css\">\n"
	    "</head>\n<body>\n<header><p><a href=\"%sindex.html\">", rel, rel);
	uktv_html_text(h, site);
	uktv_html_raw(h, "</a></p></header>\n<main>\n<h1>");
	uktv_html_text(h, title != NULL ? title : site);
	uktv_html_raw(h, "</h1>\n");
}

static void
page_foot(struct uktv_html *h)
{
	uktv_html_raw(h, "</main>\n<footer><p>Titles, posters and where to "
	    "watch them: data from <a href=\"https://www.watchmode.com/\">"
	    "Watchmode</a>.</p></footer>\n</body>\n</html>\n");
}

static int
add_page(struct uktv_site *site, const char *name, struct uktv_html *h,
    struct uktv_error *err)
{
	size_t len;
	char *body;

	if ((body = uktv_html_take(h, &len)) == NULL ||
	    uktv_site_add(site, name, body, len) == -1)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	return 0;
}

/* "2022 · TV series · rated 7.4 · critics 85"; nothing when none. */
static void
meta_line(struct uktv_html *h, struct json_object *line,
    struct json_object *data)
{
	const char *parts[4], *t, *v;
	int n = 0, i;
	char rated[64], critics[64];

	if ((v = num_field(line, "year")) != NULL)
		parts[n++] = v;
	if ((t = str_field(line, "type")) != NULL)
		parts[n++] = type_name(t) != NULL ? type_name(t) : t;
	if ((v = num_field(line, "user_rating")) != NULL) {
		snprintf(rated, sizeof(rated), "rated %s", v);
		parts[n++] = rated;
	}
	if (data != NULL && (v = num_field(data, "critic_score")) != NULL) {
		snprintf(critics, sizeof(critics), "critics %s", v);
		parts[n++] = critics;
	}
	if (n == 0)
		return;
	uktv_html_raw(h, "<p class=\"meta\">");
	for (i = 0; i < n; i++) {
		if (i > 0)
			uktv_html_raw(h, " \xc2\xb7 ");	/* middle dot */
		uktv_html_text(h, parts[i]);
	}
	uktv_html_raw(h, "</p>\n");
}

/* The GB offers as a list of links ("where to watch"); nothing when none. */
static void
watch_list(struct uktv_html *h, struct json_object *line)
{
	struct json_object *offers, *o, *v;
	const char *name, *url, *t, *fmt;
	size_t i, n;
	int open = 0;
	char price[32];

	if (!json_object_object_get_ex(line, "sources", &offers) ||
	    !json_object_is_type(offers, json_type_array))
		return;
	n = json_object_array_length(offers);
	for (i = 0; i < n; i++) {
		o = json_object_array_get_idx(offers, i);
		if ((name = str_field(o, "name")) == NULL)
			continue;
		if (!open) {
			uktv_html_raw(h, "<ul class=\"watch\">\n");
			open = 1;
		}
		uktv_html_raw(h, "<li>");
		url = str_field(o, "web_url");
		if (url != NULL && uktv_html_url_ok(url)) {
			uktv_html_raw(h, "<a href=\"");
			uktv_html_url(h, url);
			uktv_html_raw(h, "\">");
			uktv_html_text(h, name);
			uktv_html_raw(h, "</a>");
		} else
			uktv_html_text(h, name);
		t = str_field(o, "type");
		fmt = str_field(o, "format");
		price[0] = '\0';
		if (json_object_object_get_ex(o, "price", &v) &&
		    (json_object_is_type(v, json_type_double) ||
		    json_object_is_type(v, json_type_int)) &&
		    json_object_get_double(v) > 0 &&
		    isfinite(json_object_get_double(v)))
			snprintf(price, sizeof(price), "\xc2\xa3%.2f",
			    json_object_get_double(v));
		if (t != NULL || fmt != NULL || price[0] != '\0') {
			int first = 1;

			uktv_html_raw(h, " <span class=\"kind\">");
			if (t != NULL) {
				uktv_html_text(h, offer_kind(t) ? offer_kind(t) : t);
				first = 0;
			}
			if (fmt != NULL) {
				uktv_html_raw(h, first ? "" : ", ");
				uktv_html_text(h, fmt);
				first = 0;
			}
			if (price[0] != '\0') {
				uktv_html_raw(h, first ? "" : ", ");
				uktv_html_raw(h, price);
			}
			uktv_html_raw(h, "</span>");
		}
		uktv_html_raw(h, "</li>\n");
	}
	if (open)
		uktv_html_raw(h, "</ul>\n");
}

static void
poster(struct uktv_html *h, struct json_object *line, int w, int ht)
{
	const char *url = str_field(line, "poster");
	const char *title = str_field(line, "title");

	uktv_html_raw(h, "<img src=\"");
	uktv_html_url(h, url);
	uktv_html_raw(h, "\" alt=\"Poster: ");
	uktv_html_text(h, title != NULL ? title : "untitled");
	uktv_html_rawf(h, "\" width=\"%d\" height=\"%d\">", w, ht);
}

static int
has_poster(struct json_object *line)
{
	const char *url = str_field(line, "poster");

	return url != NULL && uktv_html_url_ok(url);
}

static void
title_link(struct uktv_html *h, const char *rel, const char *id)
{
	uktv_html_rawf(h, "%stitles/", rel);
	uktv_html_path(h, id);
	uktv_html_raw(h, ".html");
}

/* One title in a list: poster (when there is one), heading, meta line,
 * plot, where to watch. */
static void
card(struct uktv_html *h, struct json_object *line, const char *rel, int level)
{
	const char *id = str_field(line, "id");
	const char *title = str_field(line, "title");
	const char *plot = str_field(line, "plot_overview");

	uktv_html_raw(h, "<li class=\"card\">\n");
	if (has_poster(line)) {
		uktv_html_raw(h, "<a class=\"poster\" href=\"");
		title_link(h, rel, id);
		uktv_html_raw(h, "\">");
		poster(h, line, UKTV_GUIDEVIEW_CARD_W, UKTV_GUIDEVIEW_CARD_H);
		uktv_html_raw(h, "</a>\n");
	}
	uktv_html_rawf(h, "<div class=\"about\">\n<h%d><a href=\"", level);
	title_link(h, rel, id);
	uktv_html_raw(h, "\">");
	uktv_html_text(h, title != NULL ? title : "(untitled)");
	uktv_html_rawf(h, "</a></h%d>\n", level);
	meta_line(h, line, NULL);
	if (plot != NULL) {
		uktv_html_raw(h, "<p class=\"plot\">");
		uktv_html_text(h, plot);
		uktv_html_raw(h, "</p>\n");
	}
	watch_list(h, line);
	uktv_html_raw(h, "</div>\n</li>\n");
}

static void
cards(struct uktv_html *h, struct json_object *lines, const char *rel,
    int level, const char *none)
{
	size_t i, n = json_object_array_length(lines);

	if (n == 0) {
		uktv_html_raw(h, "<p>");
		uktv_html_text(h, none);
		uktv_html_raw(h, "</p>\n");
		return;
	}
	uktv_html_raw(h, "<ol class=\"cards\">\n");
	for (i = 0; i < n; i++)
		card(h, json_object_array_get_idx(lines, i), rel, level);
	uktv_html_raw(h, "</ol>\n");
}

/* ---- the model the pages are rendered from ---- */

struct named {
	char		 id[UKTV_PREFS_ID_MAX + 1];
	const char	*name;		/* the reference item's, or a made-up one */
	char		 fallback[UKTV_PREFS_ID_MAX + 16];
};

struct pair {
	struct named		*source;
	struct named		*genre;
	char			 key[2 * UKTV_PREFS_ID_MAX + 2];
	struct json_object	*lines;		/* sorted guide lines */
};

struct model {
	const char		*site;
	struct json_object	*lines;		/* id -> guide line */
	struct named		*sources, *genres;
	size_t			 nsources, ngenres;
	struct pair		*pairs;		/* published, by source then genre id */
	size_t			 npairs;
	struct json_object	*title_pairs;	/* id -> [pair index, ...] */
};

static int
named_cmp(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	int c;

	if ((c = strcmp(x->name, y->name)) != 0)
		return c;
	return uktv_prefs_id_cmp(x->id, y->id);
}

/* The entry of id in v[0, *n), added (named from map) when absent. */
static struct named *
named_get(struct named **v, size_t *n, struct json_object *map,
    const char *id, const char *what)
{
	struct json_object *name;
	struct named *nv, *e;

	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i].id, id) == 0)
			return &(*v)[i];
	if ((nv = reallocarray(*v, *n + 1, sizeof(*nv))) == NULL)
		return NULL;
	*v = nv;
	e = &nv[(*n)++];
	memset(e, 0, sizeof(*e));
	strlcpy(e->id, id, sizeof(e->id));
	if (json_object_object_get_ex(map, id, &name) &&
	    json_object_get_string_len(name) > 0)
		e->name = json_object_get_string(name);
	else {
		/* A pair whose reference item is missing still has a name. */
		snprintf(e->fallback, sizeof(e->fallback), "%s %s", what, id);
		e->name = e->fallback;
	}
	return e;
}

static int
pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c;

	if ((c = uktv_prefs_id_cmp(x->source->id, y->source->id)) != 0)
		return c;
	return uktv_prefs_id_cmp(x->genre->id, y->genre->id);
}

static void
model_free(struct model *m)
{
	for (size_t i = 0; i < m->npairs; i++)
		json_object_put(m->pairs[i].lines);
	free(m->pairs);
	free(m->sources);
	free(m->genres);
	json_object_put(m->lines);
	json_object_put(m->title_pairs);
}

/* The guide lines of the titles in set (an object of ids) that have a
 * record, sorted as uktv-prefs sorts them.  New reference; NULL on OOM. */
static struct json_object *
lines_of(struct model *m, struct json_object *set)
{
	struct json_object *a, *line;

	if ((a = json_object_new_array()) == NULL)
		return NULL;
	json_object_object_foreach(set, id, val) {
		(void)val;
		if (!json_object_object_get_ex(m->lines, id, &line))
			continue;
		if (json_object_array_add(a, json_object_get(line)) != 0) {
			json_object_put(line);
			json_object_put(a);
			return NULL;
		}
	}
	json_object_array_sort(a, uktv_prefs_guide_cmp);
	return a;
}

static int
build_model(struct uktv_guideview *gv, struct model *m)
{
	struct json_object *followed, *set, *line, *a, *idx;
	struct pair *pv;
	size_t i, j, k, u;
	char key[2 * UKTV_PREFS_ID_MAX + 2];

	if ((m->lines = json_object_new_object()) == NULL ||
	    (m->title_pairs = json_object_new_object()) == NULL ||
	    (followed = json_object_new_object()) == NULL)
		return -1;
	{
		json_object_object_foreach(gv->titles, tid, data) {
			/* A record without a usable id is no title. */
			if ((line = uktv_prefs_guide_title(data)) == NULL)
				continue;
			if (put_key(m->lines, tid, line) == -1)
				goto fail;
		}
	}
	/* The pairs followed by anyone: each user's sources x genres. */
	for (u = 0; u < gv->users.n; u++) {
		const struct uktv_prefs *p = &gv->users.v[u];
		const struct uktv_prefs_ids *s = &p->lists[UKTV_PREFS_SOURCE];
		const struct uktv_prefs_ids *g = &p->lists[UKTV_PREFS_GENRE];

		for (i = 0; i < s->n; i++)
			for (j = 0; j < g->n; j++) {
				snprintf(key, sizeof(key), "%s-%s", s->v[i], g->v[j]);
				if (put_key(followed, key,
				    json_object_new_boolean(1)) == -1)
					goto fail;
			}
	}
	json_object_object_foreach(followed, pk, unused) {
		struct pair p;
		(void)unused;
		if (!json_object_object_get_ex(gv->index, pk, &set))
			continue;
		memset(&p, 0, sizeof(p));
		if ((p.lines = lines_of(m, set)) == NULL)
			goto fail;
		if (json_object_array_length(p.lines) == 0) {
			json_object_put(p.lines);
			continue;
		}
		strlcpy(p.key, pk, sizeof(p.key));
		if ((pv = reallocarray(m->pairs, m->npairs + 1, sizeof(*pv))) == NULL) {
			json_object_put(p.lines);
			goto fail;
		}
		m->pairs = pv;
		m->pairs[m->npairs++] = p;
	}
	json_object_put(followed);
	followed = NULL;
	/* The sources and genres that have pages, named. */
	for (i = 0; i < m->npairs; i++) {
		struct pair *p = &m->pairs[i];
		char *dash = strchr(p->key, '-');

		*dash = '\0';
		if (named_get(&m->sources, &m->nsources, gv->sources, p->key,
		    "Source") == NULL ||
		    named_get(&m->genres, &m->ngenres, gv->genres, dash + 1,
		    "Genre") == NULL)
			return -1;
	}
	uktv_qsort(m->sources, m->nsources, sizeof(*m->sources), named_cmp);
	uktv_qsort(m->genres, m->ngenres, sizeof(*m->genres), named_cmp);
	for (i = 0; i < m->npairs; i++) {
		struct pair *p = &m->pairs[i];
		const char *gid = p->key + strlen(p->key) + 1;

		for (k = 0; k < m->nsources; k++)
			if (strcmp(m->sources[k].id, p->key) == 0)
				p->source = &m->sources[k];
		for (k = 0; k < m->ngenres; k++)
			if (strcmp(m->genres[k].id, gid) == 0)
				p->genre = &m->genres[k];
	}
	uktv_qsort(m->pairs, m->npairs, sizeof(*m->pairs), pair_cmp);
	/* Which published pairs each title is in, for its own page. */
	for (i = 0; i < m->npairs; i++) {
		size_t n = json_object_array_length(m->pairs[i].lines);

		for (j = 0; j < n; j++) {
			const char *tid = str_field(json_object_array_get_idx(
			    m->pairs[i].lines, j), "id");

			if (!json_object_object_get_ex(m->title_pairs, tid, &a)) {
				if (put_key(m->title_pairs, tid,
				    json_object_new_array()) == -1)
					return -1;
				json_object_object_get_ex(m->title_pairs, tid, &a);
			}
			if ((idx = json_object_new_int64((int64_t)i)) == NULL ||
			    json_object_array_add(a, idx) != 0) {
				json_object_put(idx);
				return -1;
			}
		}
	}
	return 0;
fail:
	json_object_put(followed);
	return -1;
}

/* The page name of a pair: "pairs/S-G.html" (the key holds a NUL at the
 * dash once the model is built). */
static void
pair_name(const struct pair *p, char *buf, size_t len)
{
	snprintf(buf, len, "pairs/%s-%s.html", p->source->id, p->genre->id);
}

static void
pair_label(struct uktv_html *h, const struct pair *p)
{
	uktv_html_text(h, p->source->name);
	uktv_html_raw(h, " \xc2\xb7 ");
	uktv_html_text(h, p->genre->name);
}

/* ---- pages ---- */

static int
render_index(struct model *m, const struct uktv_guideview_opts *o,
    struct uktv_guideview *gv, struct uktv_site *site, struct uktv_error *err)
{
	struct uktv_html h;
	char name[64];
	size_t i, k;

	uktv_html_init(&h);
	page_head(&h, m->site, NULL, "");
	uktv_html_rawf(&h, "<p>%d title%s on %zu source%s in %zu genre%s. "
	    "<a href=\"titles.html\">All titles, A to Z</a>.</p>\n",
	    json_object_object_length(m->lines),
	    json_object_object_length(m->lines) == 1 ? "" : "s",
	    m->nsources, m->nsources == 1 ? "" : "s",
	    m->ngenres, m->ngenres == 1 ? "" : "s");
	if (m->npairs == 0)
		uktv_html_raw(&h, "<p>No source and genre anyone follows has "
		    "titles yet.</p>\n");
	else {
		uktv_html_raw(&h, "<h2>By source</h2>\n");
		for (k = 0; k < m->nsources; k++) {
			uktv_html_raw(&h, "<section class=\"group\">\n<h3>");
			uktv_html_text(&h, m->sources[k].name);
			uktv_html_raw(&h, "</h3>\n<ul class=\"pairs\">\n");
			/* This source's genres, by genre name. */
			for (size_t g = 0; g < m->ngenres; g++)
				for (i = 0; i < m->npairs; i++) {
					struct pair *p = &m->pairs[i];

					if (p->source != &m->sources[k] ||
					    p->genre != &m->genres[g])
						continue;
					pair_name(p, name, sizeof(name));
					uktv_html_raw(&h, "<li><a href=\"");
					uktv_html_path(&h, name);
					uktv_html_raw(&h, "\">");
					uktv_html_text(&h, p->genre->name);
					uktv_html_rawf(&h, "</a> <span class=\"count\">"
					    "(%zu)</span></li>\n",
					    json_object_array_length(p->lines));
				}
			uktv_html_raw(&h, "</ul>\n</section>\n");
		}
		uktv_html_raw(&h, "<h2>By genre</h2>\n");
		for (k = 0; k < m->ngenres; k++) {
			uktv_html_raw(&h, "<section class=\"group\">\n<h3>");
			uktv_html_text(&h, m->genres[k].name);
			uktv_html_raw(&h, "</h3>\n<ul class=\"pairs\">\n");
			for (size_t s = 0; s < m->nsources; s++)
				for (i = 0; i < m->npairs; i++) {
					struct pair *p = &m->pairs[i];

					if (p->genre != &m->genres[k] ||
					    p->source != &m->sources[s])
						continue;
					pair_name(p, name, sizeof(name));
					uktv_html_raw(&h, "<li><a href=\"");
					uktv_html_path(&h, name);
					uktv_html_raw(&h, "\">");
					uktv_html_text(&h, p->source->name);
					uktv_html_rawf(&h, "</a> <span class=\"count\">"
					    "(%zu)</span></li>\n",
					    json_object_array_length(p->lines));
				}
			uktv_html_raw(&h, "</ul>\n</section>\n");
		}
	}
	if (o->users && gv->users.n > 0) {
		uktv_html_raw(&h, "<h2>Users</h2>\n<ul class=\"users\">\n");
		for (i = 0; i < gv->users.n; i++) {
			uktv_html_raw(&h, "<li><a href=\"users/");
			uktv_html_path(&h, gv->users.v[i].user);
			uktv_html_raw(&h, ".html\">");
			uktv_html_text(&h, gv->users.v[i].user);
			uktv_html_raw(&h, "</a></li>\n");
		}
		uktv_html_raw(&h, "</ul>\n");
	}
	page_foot(&h);
	return add_page(site, "index.html", &h, err);
}

static int
az_cmp(const void *a, const void *b)
{
	struct json_object *x = *(struct json_object *const *)a;
	struct json_object *y = *(struct json_object *const *)b;
	const char *tx = str_field(x, "title"), *ty = str_field(y, "title");
	int c;

	if ((c = strcmp(tx ? tx : "", ty ? ty : "")) != 0)
		return c;
	return uktv_prefs_id_cmp(str_field(x, "id"), str_field(y, "id"));
}

static int
render_az(struct model *m, struct uktv_site *site, struct uktv_error *err)
{
	struct json_object *all;
	struct uktv_html h;
	const char *year;
	size_t i, n;

	if ((all = json_object_new_array()) == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	{
		json_object_object_foreach(m->lines, id, l) {
			(void)id;
			if (json_object_array_add(all, json_object_get(l)) != 0) {
				json_object_put(l);
				json_object_put(all);
				return uktv_error_set(err, UKTV_ERR_INTERNAL,
				    "out of memory");
			}
		}
	}
	json_object_array_sort(all, az_cmp);
	uktv_html_init(&h);
	page_head(&h, m->site, "All titles", "");
	n = json_object_array_length(all);
	if (n == 0)
		uktv_html_raw(&h, "<p>No titles yet.</p>\n");
	else
		uktv_html_raw(&h, "<ul class=\"az\">\n");
	for (i = 0; i < n; i++) {
		struct json_object *line = json_object_array_get_idx(all, i);
		const char *t = str_field(line, "title");

		uktv_html_raw(&h, "<li><a href=\"");
		title_link(&h, "", str_field(line, "id"));
		uktv_html_raw(&h, "\">");
		uktv_html_text(&h, t != NULL ? t : "(untitled)");
		uktv_html_raw(&h, "</a>");
		if ((year = num_field(line, "year")) != NULL) {
			uktv_html_raw(&h, " (");
			uktv_html_text(&h, year);
			uktv_html_raw(&h, ")");
		}
		uktv_html_raw(&h, "</li>\n");
	}
	if (n > 0)
		uktv_html_raw(&h, "</ul>\n");
	page_foot(&h);
	json_object_put(all);
	return add_page(site, "titles.html", &h, err);
}

static int
render_pair(struct model *m, const struct pair *p, struct uktv_site *site,
    struct uktv_error *err)
{
	struct uktv_html h;
	char name[64], *title;

	/* page_head escapes: the label goes in as plain text. */
	if (asprintf(&title, "%s: %s", p->source->name, p->genre->name) == -1)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	uktv_html_init(&h);
	page_head(&h, m->site, title, "../");
	free(title);
	uktv_html_rawf(&h, "<p>%zu title%s, best rated first.</p>\n",
	    json_object_array_length(p->lines),
	    json_object_array_length(p->lines) == 1 ? "" : "s");
	cards(&h, p->lines, "../", 2, "No titles yet.");
	page_foot(&h);
	pair_name(p, name, sizeof(name));
	return add_page(site, name, &h, err);
}

static int
render_title(struct model *m, struct uktv_guideview *gv, const char *id,
    struct json_object *line, struct uktv_site *site, struct uktv_error *err)
{
	struct json_object *data = NULL, *pairs;
	struct uktv_html h;
	const char *title = str_field(line, "title"), *plot, *imdb;
	char name[64];
	size_t i, n;

	json_object_object_get_ex(gv->titles, id, &data);
	uktv_html_init(&h);
	page_head(&h, m->site, title != NULL ? title : "(untitled)", "../");
	uktv_html_raw(&h, "<div class=\"title-page\">\n");
	if (has_poster(line)) {
		uktv_html_raw(&h, "<p class=\"poster\">");
		poster(&h, line, UKTV_GUIDEVIEW_PAGE_W, UKTV_GUIDEVIEW_PAGE_H);
		uktv_html_raw(&h, "</p>\n");
	}
	uktv_html_raw(&h, "<div class=\"about\">\n");
	meta_line(&h, line, data);
	if ((plot = str_field(line, "plot_overview")) != NULL) {
		uktv_html_raw(&h, "<p class=\"plot\">");
		uktv_html_text(&h, plot);
		uktv_html_raw(&h, "</p>\n");
	}
	if (json_object_object_get_ex(line, "sources", &pairs) &&
	    json_object_array_length(pairs) > 0) {
		uktv_html_raw(&h, "<h2>Where to watch</h2>\n");
		watch_list(&h, line);
	}
	if (json_object_object_get_ex(m->title_pairs, id, &pairs)) {
		uktv_html_raw(&h, "<h2>In this guide</h2>\n<ul class=\"pairs\">\n");
		n = json_object_array_length(pairs);
		for (i = 0; i < n; i++) {
			const struct pair *p = &m->pairs[json_object_get_int64(
			    json_object_array_get_idx(pairs, i))];

			pair_name(p, name, sizeof(name));
			uktv_html_raw(&h, "<li><a href=\"../");
			uktv_html_path(&h, name);
			uktv_html_raw(&h, "\">");
			pair_label(&h, p);
			uktv_html_raw(&h, "</a></li>\n");
		}
		uktv_html_raw(&h, "</ul>\n");
	}
	if (data != NULL && (imdb = str_field(data, "imdb_id")) != NULL &&
	    strncmp(imdb, "tt", 2) == 0 && imdb[2] != '\0' &&
	    strspn(imdb + 2, "0123456789") == strlen(imdb + 2)) {
		uktv_html_raw(&h, "<p><a href=\"https://www.imdb.com/title/");
		uktv_html_url(&h, imdb);
		uktv_html_raw(&h, "/\">On IMDb</a></p>\n");
	}
	uktv_html_raw(&h, "</div>\n</div>\n");
	page_foot(&h);
	snprintf(name, sizeof(name), "titles/%s.html", id);
	return add_page(site, name, &h, err);
}

/* The names of a user's sources or genres, as text: "Netflix, Apple TV". */
static void
names_list(struct uktv_html *h, const struct uktv_prefs_ids *ids,
    struct json_object *map, const char *what)
{
	struct json_object *name;

	for (size_t i = 0; i < ids->n; i++) {
		if (i > 0)
			uktv_html_raw(h, ", ");
		if (json_object_object_get_ex(map, ids->v[i], &name) &&
		    json_object_get_string_len(name) > 0)
			uktv_html_text(h, json_object_get_string(name));
		else {
			uktv_html_text(h, what);
			uktv_html_raw(h, " ");
			uktv_html_text(h, ids->v[i]);
		}
	}
	if (ids->n == 0)
		uktv_html_raw(h, "none");
}

static int
render_user(struct model *m, struct uktv_guideview *gv,
    const struct uktv_prefs *p, struct uktv_site *site, struct uktv_error *err)
{
	const struct uktv_prefs_ids *src = &p->lists[UKTV_PREFS_SOURCE];
	const struct uktv_prefs_ids *gen = &p->lists[UKTV_PREFS_GENRE];
	struct uktv_prefs_guide_opts rec = { 0 };
	struct json_object *set = NULL, *idx, *all = NULL, *best = NULL, *line;
	struct uktv_html h;
	char key[2 * UKTV_PREFS_ID_MAX + 2], *title = NULL, *name = NULL;
	size_t i, j, n;
	int rc;

	/* The guide `uktv-prefs titles` prints: every title of the user's
	 * source x genre index entries, in its order; the recommendations are
	 * those over its rating bound (`uktv-prefs recommendations`). */
	if ((set = json_object_new_object()) == NULL)
		goto oom;
	for (i = 0; i < src->n; i++)
		for (j = 0; j < gen->n; j++) {
			snprintf(key, sizeof(key), "%s-%s", src->v[i], gen->v[j]);
			if (!json_object_object_get_ex(gv->index, key, &idx))
				continue;
			json_object_object_foreach(idx, tid, v) {
				(void)v;
				if (put_key(set, tid, json_object_new_boolean(1)) == -1)
					goto oom;
			}
		}
	if ((all = lines_of(m, set)) == NULL ||
	    (best = json_object_new_array()) == NULL)
		goto oom;
	rec.use_min_rating = 1;
	rec.min_rating = UKTV_PREFS_RECOMMEND_MIN;
	n = json_object_array_length(all);
	for (i = 0; i < n; i++) {
		line = json_object_array_get_idx(all, i);
		if (!uktv_prefs_guide_keep(line, &rec))
			continue;
		if (json_object_array_add(best, json_object_get(line)) != 0) {
			json_object_put(line);
			goto oom;
		}
	}
	if (asprintf(&title, "Guide for %s", p->user) == -1) {
		title = NULL;
		goto oom;
	}
	uktv_html_init(&h);
	page_head(&h, m->site, title, "../");
	uktv_html_raw(&h, "<p>Sources: ");
	names_list(&h, src, gv->sources, "Source");
	uktv_html_raw(&h, ". Genres: ");
	names_list(&h, gen, gv->genres, "Genre");
	uktv_html_raw(&h, ".</p>\n<h2>Recommendations</h2>\n");
	cards(&h, best, "../", 3, "None yet: recommendations are the titles "
	    "rated above 7.");
	uktv_html_raw(&h, "<h2>All titles</h2>\n");
	cards(&h, all, "../", 3, "No titles yet for these sources and genres.");
	page_foot(&h);
	if (asprintf(&name, "users/%s.html", p->user) == -1) {
		name = NULL;
		uktv_html_free(&h);
		goto oom;
	}
	rc = add_page(site, name, &h, err);
	free(name);
	free(title);
	json_object_put(set);
	json_object_put(all);
	json_object_put(best);
	return rc;
oom:
	free(title);
	json_object_put(set);
	json_object_put(all);
	json_object_put(best);
	return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
}

int
uktv_guideview_render(struct uktv_guideview *gv,
    const struct uktv_guideview_opts *o, struct uktv_site *site,
    struct uktv_error *err)
{
	struct uktv_guideview_opts none = { 0 };
	struct model m;
	char *css;
	size_t i;
	int rc = -1;

	if (o == NULL)
		o = &none;
	memset(&m, 0, sizeof(m));
	m.site = o->title != NULL ? o->title : DEFAULT_TITLE;
	if (build_model(gv, &m) == -1) {
		uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
		goto out;
	}
	if ((css = strdup(stylesheet)) == NULL ||
	    uktv_site_add(site, "style.css", css, strlen(stylesheet)) == -1) {
		uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
		goto out;
	}
	if (render_index(&m, o, gv, site, err) == -1 ||
	    render_az(&m, site, err) == -1)
		goto out;
	for (i = 0; i < m.npairs; i++)
		if (render_pair(&m, &m.pairs[i], site, err) == -1)
			goto out;
	{
		json_object_object_foreach(m.lines, id, line)
			if (render_title(&m, gv, id, line, site, err) == -1)
				goto out;
	}
	if (o->users)
		for (i = 0; i < gv->users.n; i++)
			if (render_user(&m, gv, &gv->users.v[i], site, err) == -1)
				goto out;
	gv->counts.sources = (long)m.nsources;
	gv->counts.genres = (long)m.ngenres;
	gv->counts.pairs = (long)m.npairs;
	gv->counts.titles = (long)json_object_object_length(m.lines);
	gv->counts.users = o->users ? (long)gv->users.n : 0;
	rc = 0;
out:
	model_free(&m);
	return rc;
}

/* ---- writing a directory ---- */

const char *
uktv_site_action_name(enum uktv_site_action a)
{
	switch (a) {
	case UKTV_SITE_CREATED:
		return "created";
	case UKTV_SITE_UPDATED:
		return "updated";
	case UKTV_SITE_DELETED:
		return "deleted";
	}
	return "?";
}

/* mkdir -p of path's directories below (and including) root. */
static int
make_dirs(const char *root, const char *rel, struct uktv_error *err)
{
	char path[4096];
	size_t rl = strlen(root);
	const char *p;

	if (rl + 1 + strlen(rel) >= sizeof(path))
		return uktv_error_set(err, UKTV_ERR_CANTCREAT, "%s/%s: path too "
		    "long", root, rel);
	memcpy(path, root, rl + 1);
	if (mkdir(path, 0777) == -1 && errno != EEXIST)
		return uktv_error_set(err, UKTV_ERR_CANTCREAT, "%s: %s", path,
		    strerror(errno));
	path[rl] = '/';
	for (p = rel; (p = strchr(p, '/')) != NULL; p++) {
		memcpy(path + rl + 1, rel, (size_t)(p - rel));
		path[rl + 1 + (p - rel)] = '\0';
		if (mkdir(path, 0777) == -1 && errno != EEXIST)
			return uktv_error_set(err, UKTV_ERR_CANTCREAT, "%s: %s",
			    path, strerror(errno));
	}
	return 0;
}

int
uktv_site_check_dir(const char *dir, struct uktv_error *err)
{
	char probe[4200];
	int fd;

	if (make_dirs(dir, "", err) == -1)
		return -1;
	if ((size_t)snprintf(probe, sizeof(probe), "%s/.uktv-check.uktv-tmp",
	    dir) >= sizeof(probe))
		return uktv_error_set(err, UKTV_ERR_CANTCREAT, "%s: path too "
		    "long", dir);
	(void)unlink(probe);
	if ((fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1)
		return uktv_error_set(err, UKTV_ERR_CANTCREAT, "cannot create "
		    "files in %s: %s", dir, strerror(errno));
	close(fd);
	(void)unlink(probe);
	return 0;
}

/* 1 if the file at path holds exactly body, 0 if not (or absent), -1 with
 * err when it cannot be read. */
static int
same_content(const char *path, const char *body, size_t len,
    struct uktv_error *err)
{
	struct stat st;
	char buf[16384];
	size_t off = 0;
	ssize_t r;
	int fd, same = 1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 0;
		return uktv_error_set(err, UKTV_ERR_IO, "%s: %s", path,
		    strerror(errno));
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size != len) {
		close(fd);
		return 0;
	}
	while (same && (r = read(fd, buf, sizeof(buf))) != 0) {
		if (r == -1) {
			if (errno == EINTR)
				continue;
			uktv_error_set(err, UKTV_ERR_IO, "%s: %s", path,
			    strerror(errno));
			close(fd);
			return -1;
		}
		if (off + (size_t)r > len || memcmp(body + off, buf, (size_t)r) != 0)
			same = 0;
		off += (size_t)r;
	}
	close(fd);
	return same && off == len;
}

static int
write_file(const char *path, const char *body, size_t len,
    struct uktv_error *err)
{
	/* Pages are as any file the user makes: 0666 less the umask. */
	return uktv_file_write_atomic(path, body, len,
	    uktv_file_mode_umask(0666), "the page", err);
}

/* 1 for the files the site writes: pages, and the app's script and
 * stylesheet (lib/guide/guideapp.h); anything else in a subdirectory is
 * someone else's and stays. */
static int
site_kind(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot != NULL && dot != name && (strcmp(dot, ".html") == 0 ||
	    strcmp(dot, ".js") == 0 || strcmp(dot, ".css") == 0);
}

/* Removes DIR/sub/ files of the site's kinds that the site does not have. */
static int
prune(const struct uktv_site *site, const char *dir, const char *sub,
    uktv_site_fn fn, void *arg, struct uktv_site_write_stats *st,
    struct uktv_error *err)
{
	char path[4096], rel[1024];
	struct dirent *de;
	struct stat sb;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if ((d = opendir(path)) == NULL) {
		if (errno == ENOENT)
			return 0;
		return uktv_error_set(err, UKTV_ERR_IO, "%s: %s", path,
		    strerror(errno));
	}
	while ((de = readdir(d)) != NULL) {
		if (!site_kind(de->d_name))
			continue;
		if ((size_t)snprintf(rel, sizeof(rel), "%s/%s", sub,
		    de->d_name) >= sizeof(rel))
			continue;
		if (uktv_site_find(site, rel) != NULL)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, rel);
		if (lstat(path, &sb) == -1 || !S_ISREG(sb.st_mode))
			continue;
		if (unlink(path) == -1) {
			uktv_error_set(err, UKTV_ERR_IO, "%s: %s", path,
			    strerror(errno));
			closedir(d);
			return -1;
		}
		st->deleted++;
		if (fn != NULL)
			fn(UKTV_SITE_DELETED, rel, arg);
	}
	closedir(d);
	return 0;
}

int
uktv_site_write_dir(const struct uktv_site *site, const char *dir,
    uktv_site_fn fn, void *arg, struct uktv_site_write_stats *stats,
    struct uktv_error *err)
{
	static const char *const subs[] = UKTV_GUIDEVIEW_DIRS;
	struct uktv_site_write_stats st;
	char path[4096];
	size_t i;
	int same, rc = -1;

	memset(&st, 0, sizeof(st));
	for (i = 0; i < site->n; i++) {
		const struct uktv_site_file *f = &site->v[i];

		if (make_dirs(dir, f->name, err) == -1)
			goto out;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    f->name) >= sizeof(path)) {
			uktv_error_set(err, UKTV_ERR_CANTCREAT, "%s/%s: path "
			    "too long", dir, f->name);
			goto out;
		}
		if ((same = same_content(path, f->body, f->len, err)) == -1)
			goto out;
		if (same) {
			st.unchanged++;
			continue;
		}
		{
			int existed = access(path, F_OK) == 0;

			if (write_file(path, f->body, f->len, err) == -1)
				goto out;
			if (existed)
				st.updated++;
			else
				st.created++;
			if (fn != NULL)
				fn(existed ? UKTV_SITE_UPDATED : UKTV_SITE_CREATED,
				    f->name, arg);
		}
	}
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (prune(site, dir, subs[i], fn, arg, &st, err) == -1)
			goto out;
	rc = 0;
out:
	if (stats != NULL)
		*stats = st;
	return rc;
}
