/*
 * titleplan.c: see titleplan.h.  Moved from uktv-titles so that the rules
 * of a run sit beside the state they reconcile with.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parse.h"
#include "time.h"
#include "titleevent.h"
#include "titleplan.h"
#include "private/titleplan.h"

/* api.md 6: the list-titles "types" filter values (tv_movie as a filter is
 * unverified but is a title type). */
static const char *const title_types[] = {
	"movie", "tv_series", "tv_special", "tv_miniseries", "tv_movie",
	"short_film", NULL
};

static int
oom(struct uktv_error *err)
{
	return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
}

/* ---- what is asked ---- */

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
uktv_titleplan_types(const char *arg, char *out, size_t len,
    struct uktv_error *err)
{
	const char *v[16];
	size_t n = 0, k = 0;
	char *copy, *p, *tok;

	if ((copy = strdup(arg)) == NULL)
		return oom(err);
	for (p = copy; (tok = strsep(&p, ",")) != NULL; ) {
		size_t i;

		for (i = 0; title_types[i] != NULL &&
		    strcmp(title_types[i], tok) != 0; i++)
			;
		if (title_types[i] == NULL) {
			uktv_error_set(err, UKTV_ERR_USAGE, "--types: unknown "
			    "title type '%.40s' (movie, tv_series, tv_special, "
			    "tv_miniseries, tv_movie, short_film)", tok);
			free(copy);
			return -1;
		}
		if (n < sizeof(v) / sizeof(v[0]))
			v[n++] = title_types[i];
	}
	free(copy);
	uktv_qsort(v, n, sizeof(v[0]), str_cmp);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(v[i], v[i - 1]) == 0)
			continue;
		if (k++ > 0)
			strlcat(out, ",", len);
		strlcat(out, v[i], len);
	}
	return 0;
}

int
uktv_titleplan_since(const char *arg, char out[9])
{
	long long ms;
	char back[32];

	if (strlen(arg) != 10 || arg[4] != '-' || arg[7] != '-' ||
	    uktv_time_parse(arg, 0, &ms) == -1)
		return -1;
	/* 2025-02-30 would roll over: the day must come back as given. */
	uktv_time_format(ms, back);
	if (strncmp(back, arg, 10) != 0)
		return -1;
	snprintf(out, 9, "%.4s%.2s%.2s", arg, arg + 5, arg + 8);
	return 0;
}

void
uktv_titleplan_query(const char *country, const char *types,
    const char *since, char *out, size_t len)
{
	/* Pairs listed under another query say nothing about this one. */
	snprintf(out, len, "regions=%s%s%s%s%s", country,
	    *types ? "&types=" : "", types,
	    *since ? "&release_date_start=" : "", since);
}

/* ---- pairs ---- */

static int
pair_cmp(const void *a, const void *b)
{
	return uktv_titlestate_pair_cmp(((const struct uktv_titleplan_pair *)a)->key,
	    ((const struct uktv_titleplan_pair *)b)->key);
}

/* Pair order, then first follower first. */
static int
pair_user_cmp(const void *a, const void *b)
{
	const struct uktv_titleplan_pair *x = a, *y = b;
	int c;

	if ((c = pair_cmp(a, b)) != 0)
		return c;
	return strcmp(x->user, y->user);
}

/* Appends user's sources x genres to *v. */
static int
user_pairs(const struct uktv_prefs *p, struct uktv_titleplan_pair **v,
    size_t *n, size_t *cap)
{
	const struct uktv_prefs_ids *s = &p->lists[UKTV_PREFS_SOURCE];
	const struct uktv_prefs_ids *g = &p->lists[UKTV_PREFS_GENRE];
	struct uktv_titleplan_pair *nv, *x;

	for (size_t i = 0; i < s->n; i++)
		for (size_t j = 0; j < g->n; j++) {
			if (*n == *cap) {
				*cap = *cap ? *cap * 2 : 32;
				if ((nv = reallocarray(*v, *cap,
				    sizeof(*nv))) == NULL)
					return -1;
				*v = nv;
			}
			x = &(*v)[*n];
			memset(x, 0, sizeof(*x));
			/* Ids read from a table are kept as stored ("0203"):
			 * the query wants 203. */
			if (uktv_prefs_id_canon(s->v[i], x->source) == -1 ||
			    uktv_prefs_id_canon(g->v[j], x->genre) == -1 ||
			    uktv_titlestate_pair_key(x->source, x->genre,
			    x->key, sizeof(x->key)) == -1)
				continue;
			x->user = p->user;
			x->list = 1;
			(*n)++;
		}
	return 0;
}

int
uktv_titleplan_pairs(const struct uktv_prefs_set *set,
    struct uktv_titleplan_pair **out, size_t *np, struct uktv_error *err)
{
	struct uktv_titleplan_pair *v = NULL;
	size_t n = 0, cap = 0, k = 0;

	for (size_t u = 0; u < set->n; u++)
		if (user_pairs(&set->v[u], &v, &n, &cap) == -1) {
			free(v);
			return oom(err);
		}
	if (n > 0)
		uktv_qsort(v, n, sizeof(*v), pair_user_cmp);
	for (size_t i = 0; i < n; i++)
		if (k == 0 || strcmp(v[k - 1].key, v[i].key) != 0)
			v[k++] = v[i];
	*out = v;
	*np = k;
	return 0;
}

struct uktv_titleplan_pair *
uktv_titleplan_pair_find(struct uktv_titleplan_pair *v, size_t n,
    const char *key)
{
	struct uktv_titleplan_pair k;

	strlcpy(k.key, key, sizeof(k.key));
	return uktv_bsearch(&k, v, n, sizeof(*v), pair_cmp);
}

/* ---- the changes window ---- */

const char *
uktv_titleplan_changes_useless(const struct uktv_titlestate *st,
    struct uktv_titleplan_pair *pairs, size_t n, long long now_ms,
    long long refresh_ms)
{
	if (st->last_complete_ms <= 0)
		return "no complete run recorded in the state";
	if (uktv_titlestate_due(st, now_ms, refresh_ms) > 0)
		return "titles are due for a refresh";
	for (size_t i = 0; i < st->npairs; i++) {
		if (!st->pairs[i].complete)
			return "a pair's last listing did not finish";
		if (uktv_titleplan_pair_find(pairs, n, st->pairs[i].key) == NULL)
			return "a pair is no longer followed";
	}
	return NULL;
}

void
uktv_titleplan_changes_since(const struct uktv_titlestate *st,
    long long overlap_ms, char out[16])
{
	time_t sec = (time_t)((st->last_complete_ms - overlap_ms) / 1000);
	struct tm tm;

	gmtime_r(&sec, &tm);
	strftime(out, 16, "%Y%m%d%H%M%S", &tm);
}

size_t
uktv_titleplan_skip_complete(const struct uktv_titlestate *st,
    struct uktv_titleplan_pair *pairs, size_t n)
{
	size_t nlist = 0;

	for (size_t i = 0; i < n; i++) {
		struct uktv_titlestate_pair *sp =
		    uktv_titlestate_pair_find(st, pairs[i].key);

		if (sp != NULL && sp->complete)
			pairs[i].list = 0;
		nlist += pairs[i].list;
	}
	return nlist;
}

/* Billed requests since a snapshot: requests less the ones sent again. */
static long
pages_since(const struct uktv_watchmode_quota *q, long calls0, long retries0)
{
	return (q->calls - calls0) - (q->retries - retries0);
}

static int
on_change(struct json_object *id, void *arg)
{
	(void)id;
	(void)arg;
	/* One id is enough to know a listing is needed: stop paging. */
	return 1;
}

int
uktv_titleplan_changed(struct uktv_watchmode *wm, const char *change,
    const char *since, const char *types, const char *region, long budget,
    long *used, struct uktv_error *err)
{
	const struct uktv_watchmode_quota *q = uktv_watchmode_quota(wm);
	long c0 = q->calls, r0 = q->retries;
	int rc;

	rc = uktv_watchmode_changes(wm, change, since, NULL, types, region,
	    budget, on_change, NULL, err);
	*used += pages_since(q, c0, r0);
	return rc;
}

/* ---- quota ---- */

long long
uktv_titleplan_planned_calls(const struct uktv_titlestate *st,
    const struct uktv_titleplan_pair *pairs, size_t n, long long max_calls,
    long used)
{
	long long planned = 0;

	for (size_t i = 0; i < n; i++) {
		struct uktv_titlestate_pair *sp;

		if (!pairs[i].list)
			continue;
		sp = uktv_titlestate_pair_find(st, pairs[i].key);
		planned += sp != NULL && sp->pages > 0 ? sp->pages : 1;
	}
	if (max_calls > 0 && planned > max_calls - used)
		planned = max_calls - used;
	return planned;
}

/* ---- listing ---- */

static long long
summary_id(struct json_object *o)
{
	struct json_object *v;

	if (json_object_is_type(o, json_type_object) &&
	    json_object_object_get_ex(o, "id", &v) &&
	    json_object_is_type(v, json_type_int))
		return json_object_get_int64(v);
	return -1;
}

int
uktv_titleplan_on_title(struct json_object *t, void *arg)
{
	struct uktv_titleplan_hits *h = arg;
	struct json_object *name;
	long long id = summary_id(t);

	/* ARCHITECTURE.md: a title event needs a positive id and a title. */
	if (id <= 0 || !json_object_object_get_ex(t, "title", &name) ||
	    !json_object_is_type(name, json_type_string)) {
		h->bad++;
		return 0;
	}
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 1024;
		struct uktv_titleplan_hit *nv;

		if ((nv = reallocarray(h->v, cap, sizeof(*nv))) == NULL)
			return 2;
		h->v = nv;
		h->cap = cap;
	}
	h->v[h->n].id = id;
	h->v[h->n].pair = h->pair;
	h->v[h->n].summary = json_object_get(t);
	h->n++;
	return 0;
}

int
uktv_titleplan_list_pair(struct uktv_watchmode *wm,
    const struct uktv_titleplan_query *q, struct uktv_titleplan_pair *pairs,
    size_t i, struct uktv_titleplan_hits *hits, long *used,
    struct uktv_error *err)
{
	struct uktv_watchmode_filter f = { 0 };
	struct uktv_titleplan_pair *p = &pairs[i];
	long pages = 0, total = -1;
	size_t before = hits->n;
	int rc;

	f.source_ids = p->source;
	f.genres = p->genre;
	f.regions = q->country;
	f.types = *q->types ? q->types : NULL;
	f.release_date_start = *q->since ? q->since : NULL;
	hits->pair = i;
	rc = uktv_watchmode_list_titles(wm, &f, UKTV_WATCHMODE_PAGE_MAX,
	    q->max_calls > 0 ? q->max_calls - *used : 0,
	    uktv_titleplan_on_title, hits, &pages, &total, err);
	*used += pages;
	p->pages = pages;
	p->titles = (long)(hits->n - before);
	if (rc == 0) {
		p->fate = UKTV_TITLESTATE_LISTED;
		return 0;
	}
	p->fate = pages > 0 ? UKTV_TITLESTATE_PARTIAL : UKTV_TITLESTATE_CARRIED;
	return rc == -1 ? -1 : -2;
}

void
uktv_titleplan_hits_free(struct uktv_titleplan_hits *h)
{
	for (size_t i = 0; i < h->n; i++)
		json_object_put(h->v[i].summary);
	free(h->v);
	memset(h, 0, sizeof(*h));
}

static int
hit_cmp(const void *a, const void *b)
{
	const struct uktv_titleplan_hit *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->pair < y->pair ? -1 : x->pair > y->pair;
}

/* ---- events ---- */

static int
events_add(struct uktv_titleplan_events *o, long long id,
    struct json_object *obj)
{
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 256;
		struct uktv_titleplan_event *nv;

		if ((nv = reallocarray(o->v, cap, sizeof(*nv))) == NULL)
			return -1;
		o->v = nv;
		o->cap = cap;
	}
	o->v[o->n].id = id;
	o->v[o->n].obj = obj;
	o->n++;
	return 0;
}

static int
on_remove(const char *id, void *arg)
{
	const char *e = NULL;
	long long n = strtonum(id, 1, LLONG_MAX, &e);

	if (e != NULL)
		return 1;
	return events_add(arg, n, NULL) == -1 ? 1 : 0;
}

static int
event_cmp(const void *a, const void *b)
{
	const struct uktv_titleplan_event *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

void
uktv_titleplan_events_sort(struct uktv_titleplan_events *o)
{
	uktv_qsort(o->v, o->n, sizeof(*o->v), event_cmp);
}

void
uktv_titleplan_events_free(struct uktv_titleplan_events *o)
{
	for (size_t i = 0; i < o->n; i++)
		json_object_put(o->v[i].obj);
	free(o->v);
	memset(o, 0, sizeof(*o));
}

/* ---- reconciling ---- */

/* The first follower, in byte order, of any of the title's pairs. */
static const char *
first_user(const struct uktv_titleplan_run *r, char **merged, size_t n)
{
	const char *user = NULL;

	for (size_t k = 0; k < n; k++) {
		struct uktv_titleplan_pair *p = uktv_titleplan_pair_find(r->pairs,
		    r->npairs, merged[k]);

		if (p != NULL && (user == NULL || strcmp(p->user, user) < 0))
			user = p->user;
	}
	return user;
}

/* Decides the title of hits [i, j): -1, or the verdict with *ev (NULL when
 * not emitted). */
static int
decide_one(struct uktv_titlestate *st, const struct uktv_titlestate_plan *plan,
    const struct uktv_titleplan_run *r, const char **seen, size_t nseen,
    const struct uktv_titleplan_hit *hit, struct json_object **ev,
    struct uktv_error *err)
{
	char id[UKTV_TITLESTATE_ID_MAX + 1];
	char digest[UKTV_TITLESTATE_DIGEST_LEN + 1];
	char cause[UKTV_PREFS_KEY_MAX];
	struct json_object *pl;
	const char *user;
	char **merged;
	size_t nmerged;
	int v;

	*ev = NULL;
	snprintf(id, sizeof(id), "%lld", hit->id);
	if (uktv_titlestate_merge(st, id, seen, nseen, plan, &merged,
	    &nmerged, err) == -1)
		return -1;
	user = first_user(r, merged, nmerged);
	pl = uktv_titleevent_payload(hit->id, hit->summary, merged, nmerged);
	if (pl == NULL || uktv_titlestate_digest(pl, digest) == -1) {
		json_object_put(pl);
		uktv_titlestate_pairs_free(merged, nmerged);
		return oom(err);
	}
	v = uktv_titlestate_decide(st, id, digest, (const char *const *)merged,
	    nmerged, plan, err);
	uktv_titlestate_pairs_free(merged, nmerged);
	if (v == -1 || v == UKTV_TITLESTATE_UNCHANGED) {
		json_object_put(pl);
		return v;
	}
	snprintf(cause, sizeof(cause), "userpref:%s", user ? user : "");
	if ((*ev = uktv_titleevent_upsert(r->component, r->ts, cause,
	    pl)) == NULL)
		return oom(err);
	return v;
}

/* Each title seen (hits sorted by id, then pair). */
static int
decide_all(struct uktv_titlestate *st, const struct uktv_titlestate_plan *plan,
    const struct uktv_titleplan_run *r, struct uktv_titleplan_events *o,
    struct uktv_titleplan_tally *t, struct uktv_error *err)
{
	const struct uktv_titleplan_hits *h = r->hits;
	struct json_object *ev;
	const char **seen;
	int v = 0;

	if ((seen = calloc(r->npairs + 1, sizeof(*seen))) == NULL)
		return oom(err);
	for (size_t i = 0, j; v != -1 && i < h->n; i = j) {
		size_t nseen = 0;

		for (j = i; j < h->n && h->v[j].id == h->v[i].id; j++)
			if (j == i || h->v[j].pair != h->v[j - 1].pair)
				seen[nseen++] = r->pairs[h->v[j].pair].key;
		if ((v = decide_one(st, plan, r, seen, nseen, &h->v[i], &ev,
		    err)) == -1)
			break;
		t->verdicts[v]++;
		if (ev != NULL && events_add(o, h->v[i].id, ev) == -1) {
			json_object_put(ev);
			v = oom(err);
		}
	}
	free(seen);
	return v == -1 ? -1 : 0;
}

int
uktv_titleplan_reconcile(struct uktv_titlestate *st,
    const struct uktv_titleplan_run *r, struct uktv_titleplan_events *o,
    struct uktv_titleplan_tally *t, struct uktv_error *err)
{
	struct uktv_titlestate_plan plan;
	struct uktv_titlestate_plan_pair *pp;
	long removed = -1;

	if ((pp = calloc(r->npairs + 1, sizeof(*pp))) == NULL)
		return oom(err);
	for (size_t i = 0; i < r->npairs; i++) {
		pp[i].key = r->pairs[i].key;
		pp[i].fate = r->pairs[i].list ? r->pairs[i].fate :
		    UKTV_TITLESTATE_CARRIED;
		pp[i].pages = r->pairs[i].pages;
	}
	plan.v = pp;
	plan.n = r->npairs;
	plan.complete = r->complete;
	plan.now_ms = r->now_ms;
	plan.refresh_ms = r->refresh_ms;

	uktv_qsort(r->hits->v, r->hits->n, sizeof(*r->hits->v), hit_cmp);
	if (decide_all(st, &plan, r, o, t, err) == 0 &&
	    (removed = uktv_titlestate_sweep(st, &plan, r->started_ms,
	    on_remove, o, err)) != -1)
		t->verdicts[UKTV_TITLESTATE_REMOVE] = removed;
	free(pp);
	return removed == -1 ? -1 : 0;
}

int
uktv_titleplan_keep_written(struct uktv_titlestate *st, const char *path,
    const struct uktv_titleplan_events *o, size_t written,
    struct uktv_error *err)
{
	struct uktv_titlestate old;
	struct uktv_titlestate_title *t, *nt;
	char id[UKTV_TITLESTATE_ID_MAX + 1];
	int found;

	uktv_titlestate_init(&old);
	if (uktv_titlestate_load(&old, path, &found, err) == -1)
		return -1;
	for (size_t i = 0; i < written; i++) {
		snprintf(id, sizeof(id), "%lld", o->v[i].id);
		if ((t = uktv_titlestate_title_find(st, id)) == NULL) {
			uktv_titlestate_title_remove(&old, id);
			continue;
		}
		if ((nt = uktv_titlestate_title_put(&old, id)) == NULL ||
		    uktv_titlestate_title_set_pairs(nt,
		    (const char *const *)t->pairs, t->npairs) == -1) {
			uktv_titlestate_clear(&old);
			return oom(err);
		}
		memcpy(nt->digest, t->digest, sizeof(nt->digest));
		nt->emitted_ms = t->emitted_ms;
	}
	uktv_titlestate_clear(st);
	*st = old;
	return 0;
}
