/*
 * refdata.c: see refdata.h.  Moved from uktv-refdata so that the diffing
 * can be tested without Watchmode or a table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynamodb.h"
#include "refdata.h"

/* DynamoDB's limit for a sort key value (Developer Guide, "Quotas"). */
#define SK_MAX	1024

/* Output order is this order (sources, genres, regions). */
static const struct {
	const char		*word;	/* operand */
	const char		*name;	/* "kind" in the output */
	const char		*prefix;/* PK prefix */
	enum uktv_item_kind	 item;
} kinds[UKTV_REFDATA_NKINDS] = {
	{ "sources", "source", "source:", UKTV_ITEM_SOURCE },
	{ "genres", "genre", "genre:", UKTV_ITEM_GENRE },
	{ "regions", "region", "region:", UKTV_ITEM_REGION },
};

const char *
uktv_refdata_word(enum uktv_refdata_kind k)
{
	return kinds[k].word;
}

const char *
uktv_refdata_name(enum uktv_refdata_kind k)
{
	return kinds[k].name;
}

int
uktv_refdata_kind(const char *word)
{
	for (int k = 0; k < UKTV_REFDATA_NKINDS; k++)
		if (strcmp(word, kinds[k].word) == 0)
			return k;
	return -1;
}

int
uktv_refdata_want(const char *const *words, int n,
    int want[UKTV_REFDATA_NKINDS], struct uktv_error *err)
{
	int k, nwant = 0;

	for (int i = 0; i < n; i++) {
		if ((k = uktv_refdata_kind(words[i])) == -1)
			return uktv_error_set(err, UKTV_ERR_USAGE, "unknown data "
			    "'%s' (sources, genres or regions)", words[i]);
		if (!want[k])
			nwant++;
		want[k] = 1;
	}
	if (nwant == 0) {
		want[UKTV_REFDATA_SOURCE] = want[UKTV_REFDATA_GENRE] = 1;
		nwant = 2;
	}
	return nwant;
}

static long long
obj_id(struct json_object *o)
{
	struct json_object *v;

	if (json_object_object_get_ex(o, "id", &v) &&
	    json_object_is_type(v, json_type_int))
		return json_object_get_int64(v);
	return -1;
}

static int
cmp_id(const void *a, const void *b)
{
	long long x = obj_id(*(struct json_object *const *)a);
	long long y = obj_id(*(struct json_object *const *)b);

	return x < y ? -1 : x > y;
}

static int
cmp_country(const void *a, const void *b)
{
	const char *x = uktv_items_json_str(*(struct json_object *const *)a, "country");
	const char *y = uktv_items_json_str(*(struct json_object *const *)b, "country");

	return strcmp(x ? x : "", y ? y : "");
}

/* Why object i cannot be a reference item (into why), or 0 when it can
 * (r filled). */
static int
check(enum uktv_refdata_kind k, struct json_object *o, size_t i,
    struct uktv_refdata_rec *r, char *why, size_t len)
{
	const char *code;

	if (!json_object_is_type(o, json_type_object)) {
		snprintf(why, len, "%s: item %zu is not an object: left out",
		    kinds[k].word, i + 1);
		return -1;
	}
	if (k == UKTV_REFDATA_REGION)
		snprintf(r->pk, sizeof(r->pk), "region:%s",
		    (code = uktv_items_json_str(o, "country")) ? code : "");
	else
		snprintf(r->pk, sizeof(r->pk), "%s%lld", kinds[k].prefix,
		    obj_id(o));
	r->sk = uktv_items_json_str(o, "name");
	if (uktv_items_pk_kind(r->pk) != kinds[k].item) {
		snprintf(why, len, "%s: item %zu has no valid %s: left out",
		    kinds[k].word, i + 1, k == UKTV_REFDATA_REGION ? "country" :
		    "id");
		return -1;
	}
	if (r->sk == NULL || *r->sk == '\0' || strlen(r->sk) > SK_MAX) {
		snprintf(why, len, "%s: %s has no usable name: left out",
		    kinds[k].word, r->pk);
		return -1;
	}
	r->obj = o;
	return 0;
}

int
uktv_refdata_set_make(enum uktv_refdata_kind k, struct json_object *arr,
    struct uktv_refdata_set *f, uktv_refdata_reject_fn reject, void *arg,
    struct uktv_error *err)
{
	char why[SK_MAX + 128];
	size_t n;
	int bad = 0;

	memset(f, 0, sizeof(*f));
	f->arr = arr;
	json_object_array_sort(arr, k == UKTV_REFDATA_REGION ? cmp_country :
	    cmp_id);
	n = json_object_array_length(arr);
	if ((f->recs = calloc(n ? n : 1, sizeof(*f->recs))) == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct uktv_refdata_rec *r = &f->recs[f->n];

		if (check(k, json_object_array_get_idx(arr, i), i, r, why,
		    sizeof(why)) == -1) {
			if (reject != NULL)
				reject(why, 1, arg);
			bad++;
			continue;
		}
		if (f->n > 0 && strcmp(f->recs[f->n - 1].pk, r->pk) == 0) {
			snprintf(why, sizeof(why), "%s: %s listed twice: the first "
			    "kept", kinds[k].word, r->pk);
			if (reject != NULL)
				reject(why, 0, arg);
			continue;
		}
		f->n++;
	}
	return bad;
}

void
uktv_refdata_set_free(struct uktv_refdata_set *f)
{
	json_object_put(f->arr);
	free(f->recs);
	memset(f, 0, sizeof(*f));
}

int
uktv_refdata_plan_init(struct uktv_refdata_plan *p, struct uktv_error *err)
{
	memset(p, 0, sizeof(*p));
	p->puts = json_object_new_array();
	p->deletes = json_object_new_array();
	if (p->puts == NULL || p->deletes == NULL) {
		uktv_refdata_plan_free(p);
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	}
	return 0;
}

void
uktv_refdata_plan_free(struct uktv_refdata_plan *p)
{
	json_object_put(p->puts);
	json_object_put(p->deletes);
	memset(p, 0, sizeof(*p));
}

static void
add_delete(struct uktv_refdata_plan *p, const char *pk, const char *sk)
{
	struct json_object *d = json_object_new_object();

	json_object_object_add(d, "PK", json_object_new_string(pk));
	json_object_object_add(d, "SK", json_object_new_string(sk));
	json_object_array_add(p->deletes, d);
}

/* Deletes for the stored items of r's PK under another name; 1 when one
 * under r's name holds the same data. */
static int
same_stored(const struct uktv_refdata_rec *r, struct json_object *list,
    struct json_object *data, struct uktv_refdata_plan *p)
{
	int same = 0;

	for (size_t j = 0; j < json_object_array_length(list); j++) {
		struct json_object *old = json_object_array_get_idx(list, j);
		const char *sk = uktv_ddb_item_str(old, "SK");
		struct json_object *od = NULL;

		json_object_object_get_ex(old, "data", &od);
		if (strcmp(sk, r->sk) != 0)
			add_delete(p, r->pk, sk);
		else if (uktv_items_typed_equal(od, data))
			same = 1;
	}
	return same;
}

void
uktv_refdata_diff(const struct uktv_refdata_set *f, struct json_object *stored,
    int prune, struct uktv_refdata_plan *p)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct uktv_refdata_rec *r = &f->recs[i];
		struct json_object *data = uktv_ddb_to_typed(r->obj), *list, *item;
		int same = 0;

		if (json_object_object_get_ex(stored, r->pk, &list)) {
			same = same_stored(r, list, data, p);
			json_object_object_del(stored, r->pk);
		}
		if (same) {
			p->unchanged++;
			json_object_put(data);
			continue;
		}
		item = uktv_ddb_key(r->pk, r->sk);
		json_object_object_add(item, "data", data);
		json_object_array_add(p->puts, item);
	}
	json_object_object_foreach(stored, pk, list) {
		for (size_t j = 0; j < json_object_array_length(list); j++) {
			const char *sk = uktv_ddb_item_str(
			    json_object_array_get_idx(list, j), "SK");

			if (prune)
				add_delete(p, pk, sk);
			else
				p->stale++;
		}
	}
}

/* Reads what the table holds of one kind: PK -> [items]. */
struct scanned {
	enum uktv_item_kind	 want;
	struct json_object	*by_pk;
};

static int
on_item(struct json_object *item, void *arg)
{
	struct scanned *s = arg;
	const char *pk = uktv_ddb_item_str(item, "PK");
	struct json_object *list;

	/* A begins_with scan also finds index entries: the grammar decides. */
	if (uktv_items_pk_kind(pk) != s->want ||
	    uktv_ddb_item_str(item, "SK") == NULL)
		return 0;
	if (!json_object_object_get_ex(s->by_pk, pk, &list)) {
		list = json_object_new_array();
		json_object_object_add(s->by_pk, pk, list);
	}
	json_object_array_add(list, json_object_get(item));
	return 0;
}

int
uktv_refdata_plan_kind(struct uktv_aws *aws, const char *table,
    enum uktv_refdata_kind k, const struct uktv_refdata_set *f, int prune,
    struct uktv_refdata_plan *p, struct uktv_error *err)
{
	struct scanned s = { kinds[k].item, json_object_new_object() };

	if (s.by_pk == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	if (uktv_ddb_scan(aws, table, kinds[k].prefix, on_item, &s, err) == -1) {
		json_object_put(s.by_pk);
		return -1;
	}
	uktv_refdata_diff(f, s.by_pk, prune, p);
	json_object_put(s.by_pk);
	return 0;
}

/* Keeps the first error. */
static void
keep(struct uktv_error *first, const struct uktv_error *e, int rc)
{
	if (rc == -1 && first->kind == UKTV_ERR_NONE)
		*first = *e;
}

int
uktv_refdata_write(struct uktv_ddb_batch *b, const struct uktv_refdata_plan *p,
    void (*progress)(size_t, size_t, void *), void *arg,
    struct uktv_error *first)
{
	size_t np = json_object_array_length(p->puts);
	size_t nd = json_object_array_length(p->deletes);
	struct uktv_error e;

	for (size_t i = 0; i < np; i++) {
		if (progress != NULL)
			progress(i + 1, np + nd, arg);
		uktv_error_clear(&e);
		keep(first, &e, uktv_ddb_batch_put(b, json_object_get(
		    json_object_array_get_idx(p->puts, i)), &e));
	}
	for (size_t i = 0; i < nd; i++) {
		struct json_object *d = json_object_array_get_idx(p->deletes, i);

		uktv_error_clear(&e);
		keep(first, &e, uktv_ddb_batch_delete(b, uktv_items_json_str(d, "PK"),
		    uktv_items_json_str(d, "SK"), &e));
	}
	uktv_error_clear(&e);
	keep(first, &e, uktv_ddb_batch_flush(b, &e));
	return first->kind == UKTV_ERR_NONE ? 0 : -1;
}
