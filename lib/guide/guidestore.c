/*
 * guidestore.c: see guidestore.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awsjson.h"
#include "time.h"
#include "parse.h"
#include "dynamodb.h"
#include "guidestore.h"
#include "strbuf.h"
#include "items.h"
#include "private/guidestore.h"

static const char *const enrich_fields[] = { UKTV_GUIDESTORE_ENRICH_FIELDS };
#define NENRICH (sizeof(enrich_fields) / sizeof(enrich_fields[0]))

/* The offer fields kept in data.sources (ARCHITECTURE.md). */
static const char *const offer_fields[] = {
	"source_id", "name", "type", "region", "web_url", "format", "price"
};

static int
is_enrich_field(const char *key)
{
	for (size_t i = 0; i < NENRICH; i++)
		if (strcmp(key, enrich_fields[i]) == 0)
			return 1;
	return 0;
}

static struct json_object *
id_list_av(char **ids, size_t n)
{
	struct json_object *l = json_object_new_array_ext((int)n), *o;

	for (size_t i = 0; i < n; i++)
		json_object_array_add(l, uktv_ddb_av("S", ids[i]));
	o = json_object_new_object();
	json_object_object_add(o, "L", l);
	return o;
}

struct json_object *
uktv_title_data(const struct uktv_title *t)
{
	struct json_object *data;

	if (t->payload == NULL || (data = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_foreach(t->payload, key, val) {
		struct json_object *typed = NULL;

		/* The id as a number, the id lists as strings (ARCHITECTURE.md), so
		 * a table reads the same whichever form the event used. */
		if (strcmp(key, "id") == 0)
			typed = uktv_ddb_av("N", t->id);
		else if (strcmp(key, "source_ids") == 0 &&
		    json_object_is_type(val, json_type_array))
			typed = id_list_av(t->source_ids, t->nsource_ids);
		else if (strcmp(key, "genre_ids") == 0 &&
		    json_object_is_type(val, json_type_array))
			typed = id_list_av(t->genre_ids, t->ngenre_ids);
		else
			typed = uktv_ddb_to_typed(val);
		if (typed == NULL) {
			json_object_put(data);
			return NULL;
		}
		json_object_object_add(data, key, typed);
	}
	return data;
}

int
uktv_title_data_changed(struct json_object *old_data,
    struct json_object *new_data)
{
	if (old_data == NULL || new_data == NULL)
		return old_data != new_data;
	json_object_object_foreach(new_data, key, val) {
		struct json_object *o;

		if (is_enrich_field(key))
			continue;
		if (!json_object_object_get_ex(old_data, key, &o) ||
		    !uktv_items_typed_equal(o, val))
			return 1;
	}
	json_object_object_foreach(old_data, okey, oval) {
		(void)oval;
		if (!is_enrich_field(okey) &&
		    !json_object_object_get_ex(new_data, okey, NULL))
			return 1;
	}
	return 0;
}

int
uktv_title_pairs(const struct uktv_title *t, uktv_title_pair_fn fn, void *arg)
{
	char pk[96];
	int rc;

	for (size_t i = 0; i < t->nsource_ids; i++)
		for (size_t j = 0; j < t->ngenre_ids; j++) {
			snprintf(pk, sizeof(pk), "source:%s:genre:%s",
			    t->source_ids[i], t->genre_ids[j]);
			if ((rc = fn(pk, arg)) != 0)
				return rc;
		}
	return 0;
}

/* A typed id list (L of S/N, or SS/NS) as a plain array for uktv_title_ids_parse. */
static struct json_object *
typed_ids_plain(struct json_object *typed)
{
	struct json_object *plain = uktv_ddb_from_typed(typed);

	if (plain != NULL && !json_object_is_type(plain, json_type_array)) {
		json_object_put(plain);
		return NULL;
	}
	return plain;
}

int
uktv_title_from_data(struct json_object *data, struct uktv_title *t)
{
	struct json_object *v, *plain;

	memset(t, 0, sizeof(*t));
	if (data == NULL || !json_object_object_get_ex(data, "id", &v) ||
	    (plain = uktv_ddb_from_typed(v)) == NULL)
		return -1;
	if (uktv_title_id_text(plain, t->id, sizeof(t->id)) == -1) {
		json_object_put(plain);
		return -1;
	}
	json_object_put(plain);
	/* Ids that are not ids are left out: they never made index entries. */
	if (json_object_object_get_ex(data, "source_ids", &v) &&
	    (plain = typed_ids_plain(v)) != NULL) {
		if (uktv_title_ids_parse(plain, &t->source_ids, &t->nsource_ids) != 0)
			t->source_ids = NULL, t->nsource_ids = 0;
		json_object_put(plain);
	}
	if (json_object_object_get_ex(data, "genre_ids", &v) &&
	    (plain = typed_ids_plain(v)) != NULL) {
		if (uktv_title_ids_parse(plain, &t->genre_ids, &t->ngenre_ids) != 0)
			t->genre_ids = NULL, t->ngenre_ids = 0;
		json_object_put(plain);
	}
	return 0;
}

/* ---- enrichment ---- */

struct json_object *
uktv_guidestore_enrichment(struct json_object *details, const char *region,
    long long now_ms)
{
	static const char *const scalars[] = {
		"plot_overview", "poster", "user_rating", "critic_score"
	};
	struct json_object *e = json_object_new_object(), *v, *offers;
	char when[32];

	if (e == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++)
		if (json_object_object_get_ex(details, scalars[i], &v) &&
		    v != NULL)
			json_object_object_add(e, scalars[i], uktv_ddb_to_typed(v));
	if (json_object_object_get_ex(details, "sources", &offers) &&
	    json_object_is_type(offers, json_type_array)) {
		struct json_object *kept = json_object_new_array(), *wrap;

		for (size_t i = 0; i < json_object_array_length(offers); i++) {
			struct json_object *o = json_object_array_get_idx(offers, i);
			struct json_object *r, *m;

			if (!json_object_is_type(o, json_type_object) ||
			    !json_object_object_get_ex(o, "region", &r) ||
			    !json_object_is_type(r, json_type_string) ||
			    strcasecmp(json_object_get_string(r), region) != 0)
				continue;
			m = json_object_new_object();
			for (size_t k = 0; k < sizeof(offer_fields) /
			    sizeof(offer_fields[0]); k++)
				if (json_object_object_get_ex(o, offer_fields[k],
				    &v))
					json_object_object_add(m, offer_fields[k],
					    uktv_ddb_to_typed(v));
			wrap = json_object_new_object();
			json_object_object_add(wrap, "M", m);
			json_object_array_add(kept, wrap);
		}
		wrap = json_object_new_object();
		json_object_object_add(wrap, "L", kept);
		json_object_object_add(e, "sources", wrap);
	}
	uktv_time_format(now_ms, when);
	json_object_object_add(e, "enriched_at", uktv_ddb_av("S", when));
	return e;
}

const char *
uktv_title_result_name(enum uktv_title_result r)
{
	switch (r) {
	case UKTV_TITLE_STORED:		return "stored";
	case UKTV_TITLE_UPDATED:	return "updated";
	case UKTV_TITLE_UNCHANGED:	return "unchanged";
	case UKTV_TITLE_REMOVED:	return "removed";
	case UKTV_TITLE_REJECTED:	return "rejected";
	case UKTV_TITLE_FAILED:		return "failed";
	default:			return "pending";
	}
}

/* ---- the store ---- */

struct uktv_guidestore {
	struct uktv_aws			*aws;
	struct uktv_watchmode		*wm;
	char				*table;
	char				 region[3];
	long long			(*now_ms)(void);
	int				 enrich_off;	/* quota or key error */
	struct uktv_error		 enrich_stop;	/* the error that did it */
	struct uktv_guidestore_stats	 stats;
};

struct uktv_guidestore *
uktv_guidestore_new(struct uktv_aws *aws, const struct uktv_guidestore_opts *o,
    struct uktv_error *err)
{
	struct uktv_guidestore *gs;
	const char *region = o->region ? o->region : "GB";

	if (o->table == NULL || *o->table == '\0') {
		uktv_error_set(err, UKTV_ERR_USAGE, "no table given");
		return NULL;
	}
	if (strlen(region) != 2) {
		uktv_error_set(err, UKTV_ERR_USAGE,
		    "region %s is not a two-letter country code", region);
		return NULL;
	}
	if ((gs = calloc(1, sizeof(*gs))) == NULL ||
	    (gs->table = strdup(o->table)) == NULL) {
		free(gs);
		uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	gs->aws = aws;
	gs->wm = o->wm;
	gs->region[0] = (char)(region[0] & ~0x20);
	gs->region[1] = (char)(region[1] & ~0x20);
	gs->now_ms = o->now_ms ? o->now_ms : uktv_time_now_ms;
	return gs;
}

void
uktv_guidestore_free(struct uktv_guidestore *gs)
{
	if (gs == NULL)
		return;
	free(gs->table);
	free(gs);
}

const struct uktv_error *
uktv_guidestore_enrich_error(const struct uktv_guidestore *gs)
{
	return gs != NULL && gs->enrich_off ? &gs->enrich_stop : NULL;
}

void
uktv_guidestore_stats_json(const struct uktv_guidestore *gs,
    struct json_object *obj)
{
	const struct uktv_guidestore_stats *s = &gs->stats;
	const struct { const char *name; long v; } f[] = {
		{ "stored", s->stored }, { "updated", s->updated },
		{ "unchanged", s->unchanged }, { "removed", s->removed },
		{ "rejected", s->rejected }, { "failed", s->failed },
		{ "conflicts", s->conflicts }, { "records_read", s->reads },
		{ "index_puts", s->index_puts },
		{ "index_deletes", s->index_deletes },
		{ "enriched", s->enriched }, { "enrich_failed", s->enrich_failed },
	};

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		json_object_object_add(obj, f[i].name,
		    json_object_new_int64(f[i].v));
}

/*
 * Asks Watchmode for the title's details and builds the enrichment map.
 * 0 with *out, or -1 with err.  A quota or key error turns enrichment off
 * for the rest of this store's life: every further call would fail alike.
 */
static int
fetch_enrichment(struct uktv_guidestore *gs, const char *id,
    struct json_object **out, struct uktv_error *err)
{
	struct json_object *details = NULL;

	*out = NULL;
	if (gs->enrich_off)
		return uktv_error_set(err, UKTV_ERR_QUOTA, "Watchmode enrichment "
		    "stopped after an earlier quota or key error");
	if (uktv_watchmode_title_details(gs->wm, id, "sources", gs->region,
	    &details, err) == -1) {
		if (err != NULL && (err->kind == UKTV_ERR_QUOTA ||
		    err->kind == UKTV_ERR_NOPERM)) {
			gs->enrich_off = 1;
			gs->enrich_stop = *err;
		}
		return -1;
	}
	if (!json_object_is_type(details, json_type_object)) {
		json_object_put(details);
		return uktv_error_set(err, UKTV_ERR_SERVICE, "Watchmode "
		    "/v1/title/%s/details/: the answer is not an object", id);
	}
	*out = uktv_guidestore_enrichment(details, gs->region, gs->now_ms());
	json_object_put(details);
	if (*out == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	return 0;
}

/* The placeholders of an update expression: one #fN per distinct key. */
struct names {
	struct json_object	*map;	/* "#fN" -> key (ExpressionAttributeNames) */
	struct json_object	*rev;	/* key -> "#fN" */
	int			 n;
};

static const char *
name_of(struct names *nm, const char *key)
{
	struct json_object *v;
	char ph[24];

	if (json_object_object_get_ex(nm->rev, key, &v))
		return json_object_get_string(v);
	snprintf(ph, sizeof(ph), "#f%d", nm->n++);
	json_object_object_add(nm->map, ph, json_object_new_string(key));
	json_object_object_add(nm->rev, key, json_object_new_string(ph));
	json_object_object_get_ex(nm->rev, key, &v);
	return json_object_get_string(v);
}

static const char *
value_of(struct json_object *vals, const char *prefix, struct json_object *v,
    int *n, char *ph, size_t phlen)
{
	snprintf(ph, phlen, ":%s%d", prefix, (*n)++);
	json_object_object_add(vals, ph, json_object_get(v));
	return ph;
}

/*
 * The UpdateItem request that turns old_data into new_data (payload) plus
 * enrich (may be NULL), keeping enrichment fields, conditioned on old_data's
 * payload fields being as read.  New reference; NULL on OOM.
 */
static struct json_object *
update_request(const char *table, const char *id, struct json_object *old_data,
    struct json_object *new_data, struct json_object *enrich)
{
	struct names nm = { json_object_new_object(), json_object_new_object(), 0 };
	struct json_object *vals = json_object_new_object(), *req, *key;
	struct uktv_strbuf set = { 0 }, rem = { 0 }, cond = { 0 };
	char pk[32], ph[32];
	int nv = 0, no = 0;

	json_object_object_add(nm.map, "#d", json_object_new_string("data"));
	uktv_strbuf_addf(&cond, "attribute_exists(#d)");
	json_object_object_foreach(new_data, key1, val1) {
		if (enrich != NULL && is_enrich_field(key1))
			continue;	/* enrichment wins */
		const char *n = name_of(&nm, key1);
		uktv_strbuf_addf(&set, "%s#d.%s = %s", set.len ? ", " : "", n,
		    value_of(vals, "v", val1, &nv, ph, sizeof(ph)));
	}
	json_object_object_foreach(old_data, key2, val2) {
		if (is_enrich_field(key2))
			continue;
		const char *n = name_of(&nm, key2);
		if (!json_object_object_get_ex(new_data, key2, NULL))
			uktv_strbuf_addf(&rem, "%s#d.%s", rem.len ? ", " : "", n);
		/* Another writer in between makes this fail: read again. */
		uktv_strbuf_addf(&cond, " AND #d.%s = %s", n,
		    value_of(vals, "o", val2, &no, ph, sizeof(ph)));
	}
	json_object_object_foreach(new_data, key3, val3) {
		(void)val3;
		if (is_enrich_field(key3) ||
		    json_object_object_get_ex(old_data, key3, NULL))
			continue;
		uktv_strbuf_addf(&cond, " AND attribute_not_exists(#d.%s)",
		    name_of(&nm, key3));
	}
	if (enrich != NULL) {
		json_object_object_foreach(enrich, key4, val4) {
			const char *n = name_of(&nm, key4);
			uktv_strbuf_addf(&set, "%s#d.%s = %s", set.len ? ", " : "", n,
			    value_of(vals, "v", val4, &nv, ph, sizeof(ph)));
		}
		/* What Watchmode no longer gives goes, so no stale poster
		 * stays beside a fresh enriched_at. */
		for (size_t i = 0; i < NENRICH; i++)
			if (!json_object_object_get_ex(enrich, enrich_fields[i],
			    NULL) && !json_object_object_get_ex(new_data,
			    enrich_fields[i], NULL) &&
			    json_object_object_get_ex(old_data, enrich_fields[i],
			    NULL))
				uktv_strbuf_addf(&rem, "%s#d.%s", rem.len ? ", " : "",
				    name_of(&nm, enrich_fields[i]));
	}
	req = NULL;
	if (!set.failed && !rem.failed && !cond.failed && (set.len || rem.len)) {
		struct uktv_strbuf ue = { 0 };

		if (set.len)
			uktv_strbuf_addf(&ue, "SET %s", set.s);
		if (rem.len)
			uktv_strbuf_addf(&ue, "%sREMOVE %s", set.len ? " " : "", rem.s);
		if (!ue.failed) {
			req = json_object_new_object();
			json_object_object_add(req, "TableName",
			    json_object_new_string(table));
			snprintf(pk, sizeof(pk), "title:%s", id);
			key = uktv_ddb_key(pk, "record");
			json_object_object_add(req, "Key", key);
			json_object_object_add(req, "UpdateExpression",
			    json_object_new_string(ue.s));
			json_object_object_add(req, "ConditionExpression",
			    json_object_new_string(cond.s));
			json_object_object_add(req, "ExpressionAttributeNames",
			    json_object_get(nm.map));
			json_object_object_add(req, "ExpressionAttributeValues",
			    json_object_get(vals));
		}
		free(ue.s);
	}
	free(set.s);
	free(rem.s);
	free(cond.s);
	json_object_put(nm.map);
	json_object_put(nm.rev);
	json_object_put(vals);
	return req;
}

/* What one title of a batch comes to. */
enum op { OP_NONE = 0, OP_PUT, OP_UPDATE, OP_DELETE };

struct tstate {
	char			 id[24];
	size_t			*evs;		/* indices into events, in order */
	size_t			 nevs;
	struct json_object	*old;		/* the record read (typed item) */
	struct uktv_title	 oldt;		/* its id lists */
	struct uktv_title	*final;		/* the last event's title */
	struct json_object	*new_data;	/* PUT/UPDATE: payload data */
	struct json_object	*enrich;
	enum op			 op;
	int			 failed;
	char			 code[64];
	char			 reason[256];
	int			 enrich_failed;
	char			 enrich_reason[256];
};

struct batch {
	struct uktv_guidestore	*gs;
	struct uktv_title_event	*events;
	struct uktv_title	*titles;	/* parallel to events */
	struct tstate		*ts;
	size_t			 nts;
	struct uktv_ddb_batch	*q;
};

static int
ts_cmp(const void *a, const void *b)
{
	return uktv_cmp_decimal(((const struct tstate *)a)->id,
	    ((const struct tstate *)b)->id);
}

static struct tstate *
ts_find(struct batch *b, const char *id)
{
	struct tstate key;

	strlcpy(key.id, id, sizeof(key.id));
	return uktv_bsearch(&key, b->ts, b->nts, sizeof(*b->ts), ts_cmp);
}

static void
ts_fail(struct tstate *t, const char *code, const char *fmt, ...)
{
	va_list ap;

	if (t->failed)
		return;
	t->failed = 1;
	strlcpy(t->code, code, sizeof(t->code));
	va_start(ap, fmt);
	vsnprintf(t->reason, sizeof(t->reason), fmt, ap);
	va_end(ap);
}

static int
got_item(struct json_object *item, void *arg)
{
	struct batch *b = arg;
	const char *pk = uktv_ddb_item_str(item, "PK");
	struct tstate *t;

	if (pk == NULL || strncmp(pk, "title:", 6) != 0 ||
	    (t = ts_find(b, pk + 6)) == NULL)
		return 0;
	json_object_put(t->old);
	t->old = json_object_get(item);
	return 0;
}

/* The data map of a typed item, or NULL when it has none. */
static struct json_object *
item_data(struct json_object *item)
{
	struct json_object *d, *m;

	if (item == NULL || !json_object_object_get_ex(item, "data", &d) ||
	    !json_object_object_get_ex(d, "M", &m) ||
	    !json_object_is_type(m, json_type_object))
		return NULL;
	return m;
}

/* Groups the valid events by title id (in event order within a title). */
static int
group(struct batch *b, size_t n)
{
	size_t nvalid = 0;

	for (size_t i = 0; i < n; i++)
		if (b->events[i].result != UKTV_TITLE_REJECTED)
			nvalid++;
	if (nvalid == 0)
		return 0;
	if ((b->ts = calloc(nvalid, sizeof(*b->ts))) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (b->events[i].result == UKTV_TITLE_REJECTED)
			continue;
		strlcpy(b->ts[b->nts++].id, b->titles[i].id, sizeof(b->ts->id));
	}
	uktv_qsort(b->ts, b->nts, sizeof(*b->ts), ts_cmp);
	size_t k = 0;
	for (size_t i = 0; i < b->nts; i++)
		if (k == 0 || strcmp(b->ts[k - 1].id, b->ts[i].id) != 0)
			memmove(&b->ts[k++], &b->ts[i], sizeof(*b->ts));
	b->nts = k;
	for (size_t i = 0; i < n; i++) {
		struct tstate *t;
		size_t *p;

		if (b->events[i].result == UKTV_TITLE_REJECTED)
			continue;
		t = ts_find(b, b->titles[i].id);
		if ((p = reallocarray(t->evs, t->nevs + 1, sizeof(*p))) == NULL)
			return -1;
		t->evs = p;
		t->evs[t->nevs++] = i;
	}
	return 0;
}

struct pairs {
	char	**pk;
	size_t	  n;
	int	  oom;
};

static int
pair_add(const char *pk, void *arg)
{
	struct pairs *p = arg;
	char **np = reallocarray(p->pk, p->n + 1, sizeof(*np));

	if (np == NULL || (np[p->n] = strdup(pk)) == NULL) {
		if (np != NULL)
			p->pk = np;
		p->oom = 1;
		return 1;
	}
	p->pk = np;
	p->n++;
	return 0;
}

static void
pairs_free(struct pairs *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->pk[i]);
	free(p->pk);
	memset(p, 0, sizeof(*p));
}

static int
pairs_has(const struct pairs *p, const char *pk)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->pk[i], pk) == 0)
			return 1;
	return 0;
}

/*
 * Queues the index entry changes of one title: puts for the pairs of
 * newt that oldt lacks, deletes for the pairs of oldt that newt lacks
 * (newt NULL: the title is removed).  -1 with err when the queue failed.
 */
static int
queue_index(struct batch *b, struct tstate *t, const struct uktv_title *oldt,
    const struct uktv_title *newt, struct uktv_error *err)
{
	struct pairs po = { 0 }, pn = { 0 };
	char sk[32];
	int rc = 0;

	uktv_title_pairs(oldt, pair_add, &po);
	if (newt != NULL)
		uktv_title_pairs(newt, pair_add, &pn);
	if (po.oom || pn.oom) {
		pairs_free(&po);
		pairs_free(&pn);
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	}
	/* A failed send leaves its requests in the queue's failed list
	 * (mark_queue_failures), so queueing goes on after one. */
	snprintf(sk, sizeof(sk), "title:%s", t->id);
	for (size_t i = 0; i < pn.n; i++) {
		if (pairs_has(&po, pn.pk[i]))
			continue;
		if (uktv_ddb_batch_put(b->q, uktv_ddb_key(pn.pk[i], sk),
		    err) == -1)
			rc = -1;
		b->gs->stats.index_puts++;
	}
	for (size_t i = 0; i < po.n; i++) {
		if (pairs_has(&pn, po.pk[i]))
			continue;
		if (uktv_ddb_batch_delete(b->q, po.pk[i], sk, err) == -1)
			rc = -1;
		b->gs->stats.index_deletes++;
	}
	pairs_free(&po);
	pairs_free(&pn);
	return rc;
}

/* Errors after which nothing else in the batch can work either. */
static int
fatal(const struct uktv_error *err)
{
	return err->kind == UKTV_ERR_NOPERM || err->kind == UKTV_ERR_CONFIG ||
	    err->kind == UKTV_ERR_UNAVAILABLE || err->kind == UKTV_ERR_INTERNAL;
}

/*
 * A BatchWriteItem queue error: requests DynamoDB kept handing back after
 * the bound are failures of their titles (reported, dead-lettered), not of
 * the batch; an unreachable service or an auth error is the batch's.
 */
static int
queue_fatal(const struct uktv_error *err)
{
	if (strcmp(err->code, "UnprocessedItems") == 0)
		return 0;
	return fatal(err);
}

/* Marks the titles of the queue's failed requests (index entries have SK
 * title:<id>, records PK title:<id>). */
static void
mark_queue_failures(struct batch *b, const struct uktv_error *qerr)
{
	struct json_object *failed = uktv_ddb_batch_failed(b->q);

	for (size_t i = 0; i < json_object_array_length(failed); i++) {
		struct json_object *wr = json_object_array_get_idx(failed, i), *r,
		    *k;
		const char *pk, *sk, *id = NULL;
		struct tstate *t;

		if ((json_object_object_get_ex(wr, "PutRequest", &r) &&
		    json_object_object_get_ex(r, "Item", &k)) ||
		    (json_object_object_get_ex(wr, "DeleteRequest", &r) &&
		    json_object_object_get_ex(r, "Key", &k))) {
			pk = uktv_ddb_item_str(k, "PK");
			sk = uktv_ddb_item_str(k, "SK");
			if (pk != NULL && strncmp(pk, "title:", 6) == 0)
				id = pk + 6;
			else if (sk != NULL && strncmp(sk, "title:", 6) == 0)
				id = sk + 6;
		}
		if (id != NULL && (t = ts_find(b, id)) != NULL)
			ts_fail(t, qerr->code[0] ? qerr->code : "Unprocessed",
			    "%s", qerr->message);
	}
	json_object_array_del_idx(failed, 0, json_object_array_length(failed));
}

/* A consistent GetItem of one title record (for a lost condition). */
static int
reread(struct batch *b, struct tstate *t, struct uktv_error *err)
{
	struct json_object *req = json_object_new_object(), *resp, *item;
	char pk[32];

	snprintf(pk, sizeof(pk), "title:%s", t->id);
	json_object_object_add(req, "TableName",
	    json_object_new_string(b->gs->table));
	json_object_object_add(req, "Key", uktv_ddb_key(pk, "record"));
	json_object_object_add(req, "ConsistentRead", json_object_new_boolean(1));
	if (uktv_awsjson_call(b->gs->aws, &uktv_svc_dynamodb, "GetItem", req,
	    &resp, err) == -1) {
		json_object_put(req);
		return -1;
	}
	json_object_put(req);
	json_object_put(t->old);
	t->old = NULL;
	if (json_object_object_get_ex(resp, "Item", &item))
		t->old = json_object_get(item);
	json_object_put(resp);
	uktv_title_clear(&t->oldt);
	if (uktv_title_from_data(item_data(t->old), &t->oldt) == -1)
		strlcpy(t->oldt.id, t->id, sizeof(t->oldt.id));
	b->gs->stats.reads++;
	return 0;
}

static struct json_object *
record_item(const char *id, struct json_object *data, struct json_object *enrich)
{
	struct json_object *item, *m, *d;
	char pk[32];

	snprintf(pk, sizeof(pk), "title:%s", id);
	item = uktv_ddb_key(pk, "record");
	m = json_object_new_object();
	json_object_object_foreach(data, k1, v1)
		json_object_object_add(m, k1, json_object_get(v1));
	if (enrich != NULL) {
		json_object_object_foreach(enrich, k2, v2)
			json_object_object_add(m, k2, json_object_get(v2));
	}
	d = json_object_new_object();
	json_object_object_add(d, "M", m);
	json_object_object_add(item, "data", d);
	return item;
}

/*
 * A changed title: UpdateItem conditioned on what was read.  When another
 * writer got there first, read again, redo the index diff and try again.
 * 0 done (or nothing left to do), -1 with err fatal; a title that keeps
 * losing is marked failed (0).
 */
static int
update_title(struct batch *b, struct tstate *t, struct uktv_error *err)
{
	for (int attempt = 0;; attempt++) {
		struct json_object *req, *resp;
		struct json_object *old_data = item_data(t->old);

		if (t->old == NULL || old_data == NULL) {
			/* Gone (or a record without data) meanwhile: put it. */
			struct json_object *preq = json_object_new_object();

			json_object_object_add(preq, "TableName",
			    json_object_new_string(b->gs->table));
			json_object_object_add(preq, "Item",
			    record_item(t->id, t->new_data, t->enrich));
			if (uktv_awsjson_call(b->gs->aws, &uktv_svc_dynamodb,
			    "PutItem", preq, &resp, err) == -1) {
				json_object_put(preq);
				if (fatal(err))
					return -1;
				ts_fail(t, err->code[0] ? err->code : "PutItem",
				    "%s", err->message);
				return 0;
			}
			json_object_put(preq);
			json_object_put(resp);
			return 0;
		}
		if (!uktv_title_data_changed(old_data, t->new_data) &&
		    t->enrich == NULL)
			return 0;
		if ((req = update_request(b->gs->table, t->id, old_data,
		    t->new_data, t->enrich)) == NULL)
			return 0;	/* nothing to set */
		if (uktv_awsjson_call(b->gs->aws, &uktv_svc_dynamodb,
		    "UpdateItem", req, &resp, err) == 0) {
			json_object_put(req);
			json_object_put(resp);
			return 0;
		}
		json_object_put(req);
		if (strcmp(err->code, "ConditionalCheckFailedException") != 0) {
			if (fatal(err))
				return -1;
			ts_fail(t, err->code[0] ? err->code : "UpdateItem", "%s",
			    err->message);
			return 0;
		}
		b->gs->stats.conflicts++;
		if (attempt + 1 >= UKTV_GUIDESTORE_CONFLICT_ATTEMPTS) {
			ts_fail(t, "ConditionalCheckFailed", "title %s changed "
			    "under this writer %d times", t->id, attempt + 1);
			return 0;
		}
		/* The entries written for the first read stay right for the
		 * new payload; those of the other writer's version that the
		 * new payload lacks must go: diff against a fresh read. */
		if (reread(b, t, err) == -1) {
			if (fatal(err))
				return -1;
			ts_fail(t, err->code[0] ? err->code : "GetItem", "%s",
			    err->message);
			return 0;
		}
		if (queue_index(b, t, &t->oldt, t->final, err) == -1 ||
		    uktv_ddb_batch_flush(b->q, err) == -1) {
			if (queue_fatal(err))
				return -1;
			mark_queue_failures(b, err);
			if (t->failed)
				return 0;
		}
	}
}

static void
batch_free(struct batch *b, size_t n)
{
	for (size_t i = 0; i < b->nts; i++) {
		struct tstate *t = &b->ts[i];

		free(t->evs);
		json_object_put(t->old);
		uktv_title_clear(&t->oldt);
		json_object_put(t->new_data);
		json_object_put(t->enrich);
	}
	free(b->ts);
	for (size_t i = 0; b->titles != NULL && i < n; i++)
		uktv_title_clear(&b->titles[i]);
	free(b->titles);
	uktv_ddb_batch_free(b->q);
}

/* Decides what each title's events come to, and the final write: events
 * are applied in order to what was read; only the end state is written. */
static void
decide(struct batch *b, struct tstate *t)
{
	struct json_object *cur = json_object_get(item_data(t->old));
	int exists = t->old != NULL;

	for (size_t k = 0; k < t->nevs; k++) {
		struct uktv_title_event *ev = &b->events[t->evs[k]];
		struct uktv_title *ti = &b->titles[t->evs[k]];
		struct json_object *nd;

		if (ti->action == UKTV_TITLE_REMOVE) {
			ev->result = exists ? UKTV_TITLE_REMOVED :
			    UKTV_TITLE_UNCHANGED;
			json_object_put(cur);
			cur = NULL;
			exists = 0;
			continue;
		}
		nd = uktv_title_data(ti);
		if (!exists)
			ev->result = UKTV_TITLE_STORED;
		else if (uktv_title_data_changed(cur, nd))
			ev->result = UKTV_TITLE_UPDATED;
		else
			ev->result = UKTV_TITLE_UNCHANGED;
		json_object_put(cur);
		cur = nd;
		exists = 1;
	}
	json_object_put(cur);

	t->final = &b->titles[t->evs[t->nevs - 1]];
	if (t->final->action == UKTV_TITLE_REMOVE) {
		t->op = t->old != NULL ? OP_DELETE : OP_NONE;
		return;
	}
	t->new_data = uktv_title_data(t->final);
	if (t->old == NULL || item_data(t->old) == NULL)
		t->op = OP_PUT;
	else if (uktv_title_data_changed(item_data(t->old), t->new_data))
		t->op = OP_UPDATE;
	else
		t->op = OP_NONE;
}

int
uktv_guidestore_apply(struct uktv_guidestore *gs, struct uktv_title_event *ev,
    size_t n, struct uktv_error *err)
{
	struct batch b = { .gs = gs, .events = ev };
	struct json_object *keys = NULL;
	int rc = -1;

	if (n == 0)
		return 0;
	if ((b.titles = calloc(n, sizeof(*b.titles))) == NULL ||
	    (b.q = uktv_ddb_batch_new(gs->aws, gs->table)) == NULL) {
		free(b.titles);
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	}
	gs->stats.events += (long)n;
	for (size_t i = 0; i < n; i++) {
		ev[i].result = UKTV_TITLE_PENDING;
		ev[i].code[0] = ev[i].reason[0] = ev[i].reason_enrich[0] = '\0';
		ev[i].enriched = ev[i].enrich_failed = 0;
		if (uktv_title_event_check(ev[i].event, &b.titles[i],
		    ev[i].reason, sizeof(ev[i].reason)) == -1) {
			ev[i].result = UKTV_TITLE_REJECTED;
			strlcpy(ev[i].code, "bad_event", sizeof(ev[i].code));
			gs->stats.rejected++;
		}
	}
	if (group(&b, n) == -1) {
		uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
		goto out;
	}
	if (b.nts == 0) {
		rc = 0;
		goto out;
	}

	/* 1. What the table holds now, in as few calls as allowed. */
	keys = json_object_new_array_ext((int)b.nts);
	for (size_t i = 0; i < b.nts; i++) {
		char pk[32];

		snprintf(pk, sizeof(pk), "title:%s", b.ts[i].id);
		json_object_array_add(keys, uktv_ddb_key(pk, "record"));
	}
	if (uktv_ddb_batch_get(gs->aws, gs->table, keys, got_item, &b,
	    err) == -1)
		goto out;
	gs->stats.reads += (long)b.nts;
	for (size_t i = 0; i < b.nts; i++) {
		struct tstate *t = &b.ts[i];

		if (uktv_title_from_data(item_data(t->old), &t->oldt) == -1)
			strlcpy(t->oldt.id, t->id, sizeof(t->oldt.id));
		decide(&b, t);
	}

	/* 2. Enrichment first, so a new record is written once, whole. */
	for (size_t i = 0; gs->wm != NULL && i < b.nts; i++) {
		struct tstate *t = &b.ts[i];
		struct uktv_error eerr = { 0 };

		if (t->op != OP_PUT && t->op != OP_UPDATE)
			continue;
		if (fetch_enrichment(gs, t->id, &t->enrich, &eerr) == -1) {
			t->enrich_failed = 1;
			strlcpy(t->enrich_reason, eerr.message,
			    sizeof(t->enrich_reason));
			gs->stats.enrich_failed++;
		}
	}

	/* 3. Index entries before records: a record that is there (and so
	 * "unchanged" when a batch is applied again) has its entries. */
	for (size_t i = 0; i < b.nts; i++) {
		struct tstate *t = &b.ts[i];

		if (t->op == OP_NONE)
			continue;
		if (queue_index(&b, t, &t->oldt,
		    t->op == OP_DELETE ? NULL : t->final, err) == -1) {
			if (queue_fatal(err))
				goto out;
			mark_queue_failures(&b, err);
		}
	}
	if (uktv_ddb_batch_flush(b.q, err) == -1) {
		if (queue_fatal(err))
			goto out;
		mark_queue_failures(&b, err);
	}

	/* 4. The records. */
	for (size_t i = 0; i < b.nts; i++) {
		struct tstate *t = &b.ts[i];
		char pk[32];

		if (t->failed)
			continue;
		switch (t->op) {
		case OP_PUT:
			if (uktv_ddb_batch_put(b.q, record_item(t->id,
			    t->new_data, t->enrich), err) == -1) {
				if (queue_fatal(err))
					goto out;
				mark_queue_failures(&b, err);
			}
			break;
		case OP_DELETE:
			snprintf(pk, sizeof(pk), "title:%s", t->id);
			if (uktv_ddb_batch_delete(b.q, pk, "record", err) == -1) {
				if (queue_fatal(err))
					goto out;
				mark_queue_failures(&b, err);
			}
			break;
		case OP_UPDATE:
			if (update_title(&b, t, err) == -1)
				goto out;
			break;
		default:
			break;
		}
	}
	if (uktv_ddb_batch_flush(b.q, err) == -1) {
		if (queue_fatal(err))
			goto out;
		mark_queue_failures(&b, err);
	}

	/* 5. Results per event. */
	uktv_error_clear(err);
	for (size_t i = 0; i < b.nts; i++) {
		struct tstate *t = &b.ts[i];

		if (t->enrich != NULL && !t->failed)
			gs->stats.enriched++;
		for (size_t k = 0; k < t->nevs; k++) {
			struct uktv_title_event *e = &ev[t->evs[k]];

			if (t->failed) {
				e->result = UKTV_TITLE_FAILED;
				strlcpy(e->code, t->code, sizeof(e->code));
				strlcpy(e->reason, t->reason, sizeof(e->reason));
			}
			/* Enrichment belongs to the write: the final event. */
			if (k == t->nevs - 1 && !t->failed) {
				e->enriched = t->enrich != NULL;
				e->enrich_failed = t->enrich_failed;
				strlcpy(e->reason_enrich, t->enrich_reason,
				    sizeof(e->reason_enrich));
			}
			switch (e->result) {
			case UKTV_TITLE_STORED:	gs->stats.stored++; break;
			case UKTV_TITLE_UPDATED:	gs->stats.updated++; break;
			case UKTV_TITLE_UNCHANGED:	gs->stats.unchanged++; break;
			case UKTV_TITLE_REMOVED:	gs->stats.removed++; break;
			case UKTV_TITLE_FAILED:	gs->stats.failed++; break;
			default:			break;
			}
		}
	}
	rc = 0;
out:
	json_object_put(keys);
	batch_free(&b, n);
	return rc;
}

/* ---- --enrich-missing ---- */

struct missing {
	struct uktv_guidestore	*gs;
	long long		 cutoff_ms;	/* -1: only the unenriched */
	char			**ids;
	size_t			 n;
	int			 oom;
};

static int
missing_item(struct json_object *item, void *arg)
{
	struct missing *m = arg;
	const char *pk = uktv_ddb_item_str(item, "PK");
	const char *sk = uktv_ddb_item_str(item, "SK");
	struct json_object *data = item_data(item), *v, *s;
	char **np;

	if (uktv_items_pk_kind(pk) != UKTV_ITEM_TITLE || sk == NULL ||
	    strcmp(sk, "record") != 0 || data == NULL)
		return 0;
	if (json_object_object_get_ex(data, "enriched_at", &v)) {
		long long when;

		if (m->cutoff_ms < 0)
			return 0;
		/* A stamp that does not parse is as good as none. */
		if (json_object_object_get_ex(v, "S", &s) &&
		    uktv_time_parse(json_object_get_string(s), 0, &when) == 0 &&
		    when >= m->cutoff_ms)
			return 0;
	}
	if ((np = reallocarray(m->ids, m->n + 1, sizeof(*np))) == NULL ||
	    (np[m->n] = strdup(pk + 6)) == NULL) {
		if (np != NULL)
			m->ids = np;
		m->oom = 1;
		return 1;
	}
	m->ids = np;
	m->n++;
	return 0;
}

/* Stores an enrichment on an existing record.  1 done, 0 the record is
 * gone, -1 with err. */
static int
store_enrichment(struct uktv_guidestore *gs, const char *id,
    struct json_object *enrich, struct uktv_error *err)
{
	struct names nm = { json_object_new_object(), json_object_new_object(), 0 };
	struct json_object *vals = json_object_new_object(), *req, *resp;
	struct uktv_strbuf set = { 0 }, rem = { 0 }, ue = { 0 };
	char pk[32], ph[32];
	int nv = 0, rc;

	json_object_object_add(nm.map, "#d", json_object_new_string("data"));
	json_object_object_foreach(enrich, key, val) {
		const char *n = name_of(&nm, key);
		uktv_strbuf_addf(&set, "%s#d.%s = %s", set.len ? ", " : "", n,
		    value_of(vals, "v", val, &nv, ph, sizeof(ph)));
	}
	for (size_t i = 0; i < NENRICH; i++)
		if (!json_object_object_get_ex(enrich, enrich_fields[i], NULL))
			uktv_strbuf_addf(&rem, "%s#d.%s", rem.len ? ", " : "",
			    name_of(&nm, enrich_fields[i]));
	uktv_strbuf_addf(&ue, "SET %s", set.s ? set.s : "");
	if (rem.len)
		uktv_strbuf_addf(&ue, " REMOVE %s", rem.s);
	free(set.s);
	free(rem.s);
	if (set.failed || rem.failed || ue.failed) {
		free(ue.s);
		json_object_put(nm.map);
		json_object_put(nm.rev);
		json_object_put(vals);
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	}
	req = json_object_new_object();
	json_object_object_add(req, "TableName", json_object_new_string(gs->table));
	snprintf(pk, sizeof(pk), "title:%s", id);
	json_object_object_add(req, "Key", uktv_ddb_key(pk, "record"));
	json_object_object_add(req, "UpdateExpression",
	    json_object_new_string(ue.s));
	/* A title removed meanwhile is not brought back as a bare record. */
	json_object_object_add(req, "ConditionExpression",
	    json_object_new_string("attribute_exists(#d)"));
	json_object_object_add(req, "ExpressionAttributeNames", nm.map);
	json_object_object_add(req, "ExpressionAttributeValues", vals);
	json_object_put(nm.rev);
	free(ue.s);
	rc = uktv_awsjson_call(gs->aws, &uktv_svc_dynamodb, "UpdateItem", req,
	    &resp, err);
	json_object_put(req);
	if (rc == 0) {
		json_object_put(resp);
		return 1;
	}
	if (strcmp(err->code, "ConditionalCheckFailedException") == 0) {
		uktv_error_clear(err);
		return 0;
	}
	return -1;
}

long
uktv_guidestore_enrich_missing(struct uktv_guidestore *gs, int older_than_days,
    long max_titles, uktv_guidestore_enrich_fn fn, void *arg,
    struct uktv_error *err)
{
	struct missing m = { .gs = gs, .cutoff_ms = -1 };
	long failed = 0, tried = 0;
	long rc = -1;

	if (gs->wm == NULL)
		return uktv_error_set(err, UKTV_ERR_USAGE,
		    "enrichment needs a Watchmode client");
	if (older_than_days >= 0)
		m.cutoff_ms = gs->now_ms() - (long long)older_than_days *
		    86400000LL;
	if (uktv_ddb_scan(gs->aws, gs->table, "title:", missing_item, &m,
	    err) == -1)
		goto out;
	if (m.oom) {
		uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
		goto out;
	}
	uktv_qsort(m.ids, m.n, sizeof(*m.ids), uktv_id_cmp);
	for (size_t i = 0; i < m.n; i++) {
		struct json_object *enrich = NULL;
		struct uktv_error terr = { 0 };
		int r;

		if (max_titles > 0 && tried >= max_titles)
			break;
		tried++;
		if (fetch_enrichment(gs, m.ids[i], &enrich, &terr) == -1) {
			gs->stats.enrich_failed++;
			/* Quota and key errors end the run: every further
			 * title would fail alike. */
			if (terr.kind == UKTV_ERR_QUOTA ||
			    terr.kind == UKTV_ERR_NOPERM ||
			    terr.kind == UKTV_ERR_CONFIG) {
				if (err != NULL)
					*err = terr;
				goto out;
			}
			failed++;
			if (fn != NULL)
				fn(m.ids[i], 0, &terr, arg);
			continue;
		}
		r = store_enrichment(gs, m.ids[i], enrich, &terr);
		json_object_put(enrich);
		if (r == -1) {
			if (fatal(&terr)) {
				if (err != NULL)
					*err = terr;
				goto out;
			}
			failed++;
			gs->stats.enrich_failed++;
			if (fn != NULL)
				fn(m.ids[i], 0, &terr, arg);
			continue;
		}
		if (r == 1) {
			gs->stats.enriched++;
			if (fn != NULL)
				fn(m.ids[i], 1, NULL, arg);
		}
	}
	rc = failed;
out:
	for (size_t i = 0; i < m.n; i++)
		free(m.ids[i]);
	free(m.ids);
	return rc;
}
