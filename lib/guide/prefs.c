/*
 * prefs.c: see prefs.h.  The item shapes are the original app's, so that its
 * web API reads what uktv writes and the other way round; the pure parts come
 * first, the table parts after them.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "dynamodb.h"
#include "items.h"
#include "ndjson.h"
#include "prefs.h"
#include "private/prefs.h"
#include "private/sorted.h"

static const char *const kind_names[UKTV_PREFS_NKINDS] = {
	"source", "genre", "favourite"
};
static const char *const kind_keys[UKTV_PREFS_NKINDS] = {
	"sources", "genres", "favourites"
};

const char *
uktv_prefs_kind_name(enum uktv_prefs_kind k)
{
	return (unsigned)k < UKTV_PREFS_NKINDS ? kind_names[k] : "?";
}

/* ---- ids ---- */

int
uktv_prefs_id_valid(const char *s)
{
	size_t i;

	if (s == NULL)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] < '0' || s[i] > '9' || i >= UKTV_PREFS_ID_MAX)
			return 0;
	return i > 0;
}

int
uktv_prefs_id_canon(const char *s, char *out)
{
	if (!uktv_prefs_id_valid(s))
		return -1;
	while (s[0] == '0' && s[1] != '\0')
		s++;
	strlcpy(out, s, UKTV_PREFS_ID_MAX + 1);
	return 0;
}

int
uktv_prefs_id_from_json(struct json_object *v, char *out)
{
	int64_t i;

	switch (json_object_get_type(v)) {
	case json_type_string:
		return uktv_prefs_id_canon(json_object_get_string(v), out);
	case json_type_int:
		/* json-c saturates integers it cannot hold (2^64 reads as
		 * 2^64-1) and keeps no text: a number from INT64_MAX up may
		 * not be the number written, so it is refused; such an id can
		 * be given as a string. */
		i = json_object_get_int64(v);
		if (i < 0 || i == INT64_MAX)
			return -1;
		snprintf(out, UKTV_PREFS_ID_MAX + 1, "%" PRId64, i);
		return 0;
	default:
		/* 203.0 or true is not an id: refuse rather than guess. */
		return -1;
	}
}

int
uktv_prefs_id_cmp(const char *a, const char *b)
{
	int c;

	if ((c = uktv_cmp_decimal(a, b)) != 0)
		return c;
	return strcmp(a, b);
}

void
uktv_prefs_ids_init(struct uktv_prefs_ids *l)
{
	memset(l, 0, sizeof(*l));
}

void
uktv_prefs_ids_free(struct uktv_prefs_ids *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* The index of id, or of where it would go (*found says which). */
static int
id_cmp(const void *elem, const void *id)
{
	return uktv_prefs_id_cmp(*(char *const *)elem, id);
}

static size_t
ids_find(const struct uktv_prefs_ids *l, const char *id, int *found)
{
	return uktv_sorted_at(l->v, l->n, sizeof(*l->v), id, id_cmp, found);
}

int
uktv_prefs_ids_add(struct uktv_prefs_ids *l, const char *id)
{
	void *v = l->v;
	char **slot, *dup;
	size_t at;
	int found;

	at = ids_find(l, id, &found);
	if (found)
		return 0;
	if ((dup = strdup(id)) == NULL)
		return -1;
	slot = uktv_sorted_insert(&v, &l->n, &l->cap, sizeof(*l->v), at, 8);
	l->v = v;
	if (slot == NULL) {
		free(dup);
		return -1;
	}
	*slot = dup;
	return 1;
}

int
uktv_prefs_ids_remove(struct uktv_prefs_ids *l, const char *id)
{
	size_t at;
	int found;

	at = ids_find(l, id, &found);
	if (!found)
		return 0;
	free(l->v[at]);
	uktv_sorted_remove(l->v, &l->n, sizeof(*l->v), at);
	return 1;
}

int
uktv_prefs_ids_has(const struct uktv_prefs_ids *l, const char *id)
{
	int found;

	ids_find(l, id, &found);
	return found;
}

int
uktv_prefs_ids_copy(struct uktv_prefs_ids *dst, const struct uktv_prefs_ids *src)
{
	struct uktv_prefs_ids tmp;
	size_t i;

	if (dst == src)
		return 0;
	uktv_prefs_ids_init(&tmp);
	for (i = 0; i < src->n; i++)
		if (uktv_prefs_ids_add(&tmp, src->v[i]) == -1) {
			uktv_prefs_ids_free(&tmp);
			return -1;
		}
	uktv_prefs_ids_free(dst);
	*dst = tmp;
	return 0;
}

int
uktv_prefs_ids_parse(struct uktv_prefs_ids *l, const char *csv, char *why,
    size_t whylen)
{
	struct uktv_prefs_ids tmp;
	char **ids;
	size_t i, n;

	if (uktv_parse_idlist(csv, &ids, &n) == -1) {
		if (errno == ENOMEM)
			snprintf(why, whylen, "out of memory");
		else if (errno == ERANGE)
			snprintf(why, whylen, "'%.64s%s' has an id that is too "
			    "long (at most %d digits)", csv,
			    strlen(csv) > 64 ? "..." : "", UKTV_PREFS_ID_MAX);
		else
			snprintf(why, whylen, "'%.64s%s' is not a comma-separated "
			    "list of ids (decimal digits)", csv,
			    strlen(csv) > 64 ? "..." : "");
		return -1;
	}
	/* Into a copy first: a failure leaves l as it was. */
	uktv_prefs_ids_init(&tmp);
	if (uktv_prefs_ids_copy(&tmp, l) == -1)
		goto oom;
	for (i = 0; i < n; i++)
		if (uktv_prefs_ids_add(&tmp, ids[i]) == -1)
			goto oom;
	uktv_parse_idlist_free(ids, n);
	uktv_prefs_ids_free(l);
	*l = tmp;
	return 0;
oom:
	uktv_parse_idlist_free(ids, n);
	uktv_prefs_ids_free(&tmp);
	snprintf(why, whylen, "out of memory");
	return -1;
}

/* A JSON array of the ids as strings (new reference; NULL on OOM). */
static struct json_object *
uktv_prefs_ids_to_json(const struct uktv_prefs_ids *l)
{
	struct json_object *a, *s;
	size_t i;

	if ((a = json_object_new_array_ext((int)l->n)) == NULL)
		return NULL;
	for (i = 0; i < l->n; i++) {
		if ((s = json_object_new_string(l->v[i])) == NULL ||
		    json_object_array_add(a, s) != 0) {
			json_object_put(s);
			json_object_put(a);
			return NULL;
		}
	}
	return a;
}

/* ---- keys ---- */

int
uktv_prefs_pk(const char *user, char *buf, size_t len)
{
	int n;

	if (!uktv_user_id_valid(user))
		return -1;
	n = snprintf(buf, len, "%s%s", UKTV_PREFS_PK_PREFIX, user);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
uktv_prefs_sk(enum uktv_prefs_kind k, const char *id, char *buf, size_t len)
{
	int n;

	n = snprintf(buf, len, "%s:%s", uktv_prefs_kind_name(k), id);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* A preference's SK: "<kind>:<digits>" (items.h knows PKs only). */
int
uktv_prefs_sk_parse(const char *sk, enum uktv_prefs_kind *k, const char **id)
{
	size_t len;
	int i;

	if (sk == NULL)
		return -1;
	for (i = 0; i < UKTV_PREFS_NKINDS; i++) {
		len = strlen(kind_names[i]);
		if (strncmp(sk, kind_names[i], len) == 0 && sk[len] == ':' &&
		    uktv_prefs_id_valid(sk + len + 1)) {
			*k = (enum uktv_prefs_kind)i;
			*id = sk + len + 1;
			return 0;
		}
	}
	return -1;
}

const char *
uktv_prefs_pk_user(const char *pk)
{
	if (uktv_items_pk_kind(pk) != UKTV_ITEM_USERPREF)
		return NULL;
	return pk + sizeof(UKTV_PREFS_PK_PREFIX) - 1;
}

int
uktv_prefs_ref_pk_parse(const char *pk, enum uktv_prefs_kind *k, const char **id)
{
	/* items.h owns the table's grammar: it is what keeps the index
	 * entries "source:1:genre:2" out of the sources. */
	switch (uktv_items_pk_kind(pk)) {
	case UKTV_ITEM_SOURCE:
		*k = UKTV_PREFS_SOURCE;
		*id = pk + 7;
		return 0;
	case UKTV_ITEM_GENRE:
		*k = UKTV_PREFS_GENRE;
		*id = pk + 6;
		return 0;
	default:
		return -1;
	}
}

/* ---- one user ---- */

void
uktv_prefs_init(struct uktv_prefs *p)
{
	memset(p, 0, sizeof(*p));
}

void
uktv_prefs_clear(struct uktv_prefs *p)
{
	int k;

	free(p->user);
	for (k = 0; k < UKTV_PREFS_NKINDS; k++)
		uktv_prefs_ids_free(&p->lists[k]);
	memset(p, 0, sizeof(*p));
}

struct json_object *
uktv_prefs_to_json(const struct uktv_prefs *p)
{
	struct json_object *o, *v;
	int k;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (p->user != NULL) {
		if ((v = json_object_new_string(p->user)) == NULL ||
		    json_object_object_add(o, "user", v) != 0) {
			json_object_put(v);
			goto fail;
		}
	}
	for (k = 0; k < UKTV_PREFS_NKINDS; k++) {
		if ((v = uktv_prefs_ids_to_json(&p->lists[k])) == NULL)
			goto fail;
		if (json_object_object_add(o, kind_keys[k], v) != 0) {
			json_object_put(v);
			goto fail;
		}
	}
	return o;
fail:
	json_object_put(o);
	return NULL;
}

int
uktv_prefs_from_json(struct json_object *o, int need_user,
    struct uktv_prefs *out, char *why, size_t whylen)
{
	struct json_object *v, *e;
	char id[UKTV_PREFS_ID_MAX + 1];
	const char *s;
	size_t i, n;
	int k;

	uktv_prefs_clear(out);
	if (!json_object_is_type(o, json_type_object)) {
		snprintf(why, whylen, "not a JSON object");
		return -1;
	}
	if (json_object_object_get_ex(o, "user", &v) && v != NULL) {
		if (!json_object_is_type(v, json_type_string)) {
			snprintf(why, whylen, "\"user\" is not a string");
			goto fail;
		}
		s = json_object_get_string(v);
		if (!uktv_user_id_valid(s)) {
			snprintf(why, whylen, "bad user id '%.64s%s': 1-%d characters "
			    "of A-Za-z0-9._@+-", s, strlen(s) > 64 ? "..." : "",
			    UKTV_PREFS_USER_MAX);
			goto fail;
		}
		if ((out->user = strdup(s)) == NULL)
			goto oom;
	} else if (need_user) {
		snprintf(why, whylen, "no \"user\"");
		goto fail;
	}
	for (k = 0; k < UKTV_PREFS_NKINDS; k++) {
		if (!json_object_object_get_ex(o, kind_keys[k], &v) || v == NULL)
			continue;
		if (!json_object_is_type(v, json_type_array)) {
			snprintf(why, whylen, "\"%s\" is not an array", kind_keys[k]);
			goto fail;
		}
		n = json_object_array_length(v);
		for (i = 0; i < n; i++) {
			e = json_object_array_get_idx(v, i);
			if (uktv_prefs_id_from_json(e, id) == -1) {
				const char *t = json_object_get_string(e);

				/* Digits, but more than an id has: say so,
				 * not "not digits". */
				if (json_object_is_type(e, json_type_string) &&
				    strspn(t, "0123456789") == strlen(t) &&
				    strlen(t) > UKTV_PREFS_ID_MAX)
					snprintf(why, whylen, "%s[%zu]: \"%.24s...\" "
					    "is too long for an id (at most %d "
					    "digits)", kind_keys[k], i, t,
					    UKTV_PREFS_ID_MAX);
				else
					snprintf(why, whylen, "%s[%zu]: %.40s is not "
					    "an id (decimal digits)", kind_keys[k], i,
					    e ? json_object_to_json_string_ext(e,
					    JSON_C_TO_STRING_PLAIN) : "null");
				goto fail;
			}
			if (uktv_prefs_ids_add(&out->lists[k], id) == -1)
				goto oom;
		}
		out->present |= UKTV_PREFS_MASK(k);
	}
	return 0;
oom:
	snprintf(why, whylen, "out of memory");
fail:
	uktv_prefs_clear(out);
	return -1;
}

/* ---- many users ---- */

void
uktv_prefs_set_init(struct uktv_prefs_set *s)
{
	memset(s, 0, sizeof(*s));
}

void
uktv_prefs_set_free(struct uktv_prefs_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		uktv_prefs_clear(&s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int
user_cmp(const void *elem, const void *user)
{
	return strcmp(((const struct uktv_prefs *)elem)->user, user);
}

/* Scan and Query hand a user's items over together: the last user is
 * tried first. */
static size_t
set_find(const struct uktv_prefs_set *s, const char *user, int *found)
{
	return uktv_sorted_at(s->v, s->n, sizeof(*s->v), user, user_cmp, found);
}

struct uktv_prefs *
uktv_prefs_set_user(struct uktv_prefs_set *s, const char *user)
{
	struct uktv_prefs *p;
	void *v = s->v;
	size_t at;
	char *dup;
	int found;

	at = set_find(s, user, &found);
	if (found)
		return &s->v[at];
	if ((dup = strdup(user)) == NULL)
		return NULL;
	p = uktv_sorted_insert(&v, &s->n, &s->cap, sizeof(*s->v), at, 16);
	s->v = v;
	if (p == NULL) {
		free(dup);
		return NULL;
	}
	p->user = dup;
	return p;
}

const struct uktv_prefs *
uktv_prefs_set_find(const struct uktv_prefs_set *s, const char *user)
{
	size_t at;
	int found;

	at = set_find(s, user, &found);
	return found ? &s->v[at] : NULL;
}

int
uktv_prefs_set_add_item(struct uktv_prefs_set *s, const char *pk, const char *sk)
{
	enum uktv_prefs_kind k;
	struct uktv_prefs *p;
	const char *user, *id;

	if ((user = uktv_prefs_pk_user(pk)) == NULL ||
	    uktv_prefs_sk_parse(sk, &k, &id) == -1)
		return 0;
	if ((p = uktv_prefs_set_user(s, user)) == NULL)
		return -1;
	p->present = UKTV_PREFS_ALL;
	return uktv_prefs_ids_add(&p->lists[k], id) == -1 ? -1 : 1;
}

struct scan_ctx {
	struct uktv_prefs_set	*set;
	int			 oom;
};

static int
scan_item(struct json_object *item, void *arg)
{
	struct scan_ctx *c = arg;

	if (uktv_prefs_set_add_item(c->set, uktv_ddb_item_str(item, "PK"),
	    uktv_ddb_item_str(item, "SK")) == -1) {
		c->oom = 1;
		return 1;
	}
	return 0;
}

int
uktv_prefs_load_table(struct uktv_aws *aws, const char *table,
    struct uktv_prefs_set *set, struct uktv_error *err)
{
	struct scan_ctx c = { set, 0 };

	if (uktv_ddb_scan(aws, table, UKTV_PREFS_PK_PREFIX, scan_item, &c,
	    err) == -1 && !c.oom)
		return -1;
	if (c.oom)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	return 0;
}

struct user_ctx {
	struct uktv_prefs	*p;
	int			 oom;
};

static int
user_item(struct json_object *item, void *arg)
{
	struct user_ctx *c = arg;
	enum uktv_prefs_kind k;
	const char *id;

	/* Items under the PK whose SK is not of the grammar are not choices. */
	if (uktv_prefs_sk_parse(uktv_ddb_item_str(item, "SK"), &k, &id) == -1)
		return 0;
	if (uktv_prefs_ids_add(&c->p->lists[k], id) == -1) {
		c->oom = 1;
		return 1;
	}
	return 0;
}

int
uktv_prefs_load_user(struct uktv_aws *aws, const char *table, const char *user,
    int consistent, struct uktv_prefs *out, struct uktv_error *err)
{
	struct user_ctx c = { out, 0 };
	char pk[UKTV_PREFS_KEY_MAX];

	uktv_prefs_clear(out);
	if (uktv_prefs_pk(user, pk, sizeof(pk)) == -1)
		return uktv_error_set(err, UKTV_ERR_USAGE,
		    "bad user id '%.64s': 1-%d characters of A-Za-z0-9._@+-",
		    user, UKTV_PREFS_USER_MAX);
	if ((out->user = strdup(user)) == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	out->present = UKTV_PREFS_ALL;
	if (uktv_ddb_query(aws, table, pk, NULL, consistent, user_item, &c,
	    err) == -1 && !c.oom)
		return -1;
	if (c.oom)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	return 0;
}

int
uktv_prefs_load_ndjson(FILE *fp, size_t max_line, struct uktv_prefs_set *set,
    uktv_prefs_reject_fn reject, void *arg, unsigned long *rejected,
    struct uktv_error *err)
{
	struct uktv_ndjson_reader *r;
	struct uktv_ndjson_line ln;
	struct uktv_prefs p, *e;
	char why[256];
	int rc, k, ret = 0;

	if (rejected != NULL)
		*rejected = 0;
	if ((r = uktv_ndjson_reader_new(fp, max_line)) == NULL)
		return uktv_error_set(err, errno == EINVAL ? UKTV_ERR_USAGE :
		    UKTV_ERR_INTERNAL, "NDJSON reader: %s", strerror(errno));
	uktv_prefs_init(&p);
	while ((rc = uktv_ndjson_next(r, &ln)) == 1 ||
	    (rc == -1 && errno == EINTR)) {
		if (rc == -1)
			continue;
		if (ln.reject != UKTV_NDJSON_OK) {
			snprintf(why, sizeof(why), "%s", ln.reason);
			goto bad;
		}
		if (uktv_prefs_from_json(ln.obj, 1, &p, why, sizeof(why)) == -1)
			goto bad;
		if ((e = uktv_prefs_set_user(set, p.user)) == NULL)
			goto oom;
		for (k = 0; k < UKTV_PREFS_NKINDS; k++) {
			if (!(p.present & UKTV_PREFS_MASK(k)))
				continue;
			/* A later line replaces the lists it names. */
			if (uktv_prefs_ids_copy(&e->lists[k], &p.lists[k]) == -1)
				goto oom;
			e->present |= UKTV_PREFS_MASK(k);
		}
		continue;
bad:
		if (rejected != NULL)
			(*rejected)++;
		if (reject != NULL)
			reject(ln.lineno, why, arg);
	}
	if (rc == -1)
		ret = uktv_error_set(err, UKTV_ERR_IO, "read error after line %llu: %s",
		    uktv_ndjson_lineno(r), strerror(errno));
	uktv_prefs_clear(&p);
	uktv_ndjson_reader_free(r);
	return ret;
oom:
	uktv_prefs_clear(&p);
	uktv_ndjson_reader_free(r);
	return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
}

/* ---- changes ---- */

void
uktv_prefs_edit_init(struct uktv_prefs_edit *e)
{
	memset(e, 0, sizeof(*e));
}

void
uktv_prefs_edit_free(struct uktv_prefs_edit *e)
{
	int k;

	for (k = 0; k < UKTV_PREFS_NKINDS; k++) {
		uktv_prefs_ids_free(&e->set[k]);
		uktv_prefs_ids_free(&e->add[k]);
		uktv_prefs_ids_free(&e->remove[k]);
	}
	e->replace = 0;
}

int
uktv_prefs_edit_empty(const struct uktv_prefs_edit *e)
{
	int k;

	if (e->replace != 0)
		return 0;
	for (k = 0; k < UKTV_PREFS_NKINDS; k++)
		if (e->add[k].n > 0 || e->remove[k].n > 0)
			return 0;
	return 1;
}

int
uktv_prefs_edit_from(struct uktv_prefs_edit *e, const struct uktv_prefs *p)
{
	int k;

	for (k = 0; k < UKTV_PREFS_NKINDS; k++) {
		if (!(p->present & UKTV_PREFS_MASK(k)))
			continue;
		if (uktv_prefs_ids_copy(&e->set[k], &p->lists[k]) == -1)
			return -1;
		e->replace |= UKTV_PREFS_MASK(k);
	}
	return 0;
}

int
uktv_prefs_edit_apply(const struct uktv_prefs *cur,
    const struct uktv_prefs_edit *e, struct uktv_prefs *t)
{
	size_t i;
	int k;

	uktv_prefs_clear(t);
	if (cur->user != NULL && (t->user = strdup(cur->user)) == NULL)
		goto fail;
	for (k = 0; k < UKTV_PREFS_NKINDS; k++) {
		if (uktv_prefs_ids_copy(&t->lists[k], e->replace &
		    UKTV_PREFS_MASK(k) ? &e->set[k] : &cur->lists[k]) == -1)
			goto fail;
		for (i = 0; i < e->add[k].n; i++)
			if (uktv_prefs_ids_add(&t->lists[k], e->add[k].v[i]) == -1)
				goto fail;
		for (i = 0; i < e->remove[k].n; i++)
			uktv_prefs_ids_remove(&t->lists[k], e->remove[k].v[i]);
	}
	t->present = UKTV_PREFS_ALL;
	return 0;
fail:
	uktv_prefs_clear(t);
	return -1;
}

long
uktv_prefs_diff(const struct uktv_prefs *from, const struct uktv_prefs *to,
    uktv_prefs_change_fn fn, void *arg)
{
	const struct uktv_prefs_ids *a, *b;
	struct uktv_prefs_change ch;
	size_t i, j;
	long n = 0;
	int k, c;

	for (k = 0; k < UKTV_PREFS_NKINDS; k++) {
		a = &from->lists[k];
		b = &to->lists[k];
		ch.kind = (enum uktv_prefs_kind)k;
		/* Both lists are sorted by uktv_prefs_id_cmp: one merge pass. */
		for (i = j = 0; i < a->n || j < b->n;) {
			if (i == a->n)
				c = 1;
			else if (j == b->n)
				c = -1;
			else
				c = uktv_prefs_id_cmp(a->v[i], b->v[j]);
			if (c == 0) {
				i++;
				j++;
				continue;
			}
			if (c < 0) {
				ch.id = a->v[i++];
				ch.del = 1;
			} else {
				ch.id = b->v[j++];
				ch.del = 0;
			}
			n++;
			if (fn != NULL && fn(&ch, arg) != 0)
				return -1;
		}
	}
	return n;
}

struct write_ctx {
	struct uktv_ddb_batch	*batch;
	const char		*pk;
	struct uktv_error	*err;
};

static int
queue_change(const struct uktv_prefs_change *ch, void *arg)
{
	struct write_ctx *w = arg;
	struct json_object *item;
	char sk[UKTV_PREFS_KEY_MAX];

	if (uktv_prefs_sk(ch->kind, ch->id, sk, sizeof(sk)) == -1)
		return uktv_error_set(w->err, UKTV_ERR_INTERNAL, "key too long");
	if (ch->del)
		return uktv_ddb_batch_delete(w->batch, w->pk, sk, w->err);
	/* The original's item: the two keys and nothing else. */
	if ((item = uktv_ddb_key(w->pk, sk)) == NULL)
		return uktv_error_set(w->err, UKTV_ERR_INTERNAL, "out of memory");
	return uktv_ddb_batch_put(w->batch, item, w->err);
}

static void
batch_stats(struct uktv_ddb_batch *b, struct uktv_prefs_write_stats *st)
{
	const struct uktv_ddb_batch_stats *bs;

	if (st == NULL || (bs = uktv_ddb_batch_stats(b)) == NULL)
		return;
	st->puts += bs->puts;
	st->deletes += bs->deletes;
	st->calls += bs->calls;
	st->unprocessed += bs->unprocessed;
}

int
uktv_prefs_write(struct uktv_aws *aws, const char *table, const char *user,
    const struct uktv_prefs_edit *e, struct uktv_prefs *result,
    struct uktv_prefs_write_stats *st, struct uktv_error *err)
{
	struct uktv_prefs cur, want;
	struct write_ctx w = { NULL, NULL, err };
	char pk[UKTV_PREFS_KEY_MAX];
	int ret = -1;

	uktv_prefs_init(&cur);
	uktv_prefs_init(&want);
	if (st != NULL)
		memset(st, 0, sizeof(*st));
	/* A fresh read decides what to write: an eventually consistent one
	 * could miss a choice another writer just added and delete nothing
	 * but put it again, or worse, miss one to delete. */
	if (uktv_prefs_load_user(aws, table, user, 1, &cur, err) == -1)
		goto out;
	if (uktv_prefs_edit_apply(&cur, e, &want) == -1) {
		uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
		goto out;
	}
	/* Nothing changed, nothing written: no stream record either (moto
	 * would emit a MODIFY for a write that changes nothing, AWS not). */
	if (uktv_prefs_diff(&cur, &want, NULL, NULL) > 0) {
		uktv_prefs_pk(user, pk, sizeof(pk));
		w.pk = pk;
		if ((w.batch = uktv_ddb_batch_new(aws, table)) == NULL) {
			uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
			goto out;
		}
		if (uktv_prefs_diff(&cur, &want, queue_change, &w) == -1 ||
		    uktv_ddb_batch_flush(w.batch, err) == -1) {
			batch_stats(w.batch, st);
			goto out;
		}
		batch_stats(w.batch, st);
	}
	if (result != NULL) {
		uktv_prefs_clear(result);
		*result = want;
		uktv_prefs_init(&want);
	}
	ret = 0;
out:
	if (w.batch != NULL)
		uktv_ddb_batch_free(w.batch);
	uktv_prefs_clear(&cur);
	uktv_prefs_clear(&want);
	return ret;
}

struct sks_ctx {
	struct uktv_prefs_ids	 sks;	/* any SK under the PK, not only ids */
	int			 oom;
};

static int
collect_sk(struct json_object *item, void *arg)
{
	struct sks_ctx *c = arg;
	const char *sk;
	char **nv;

	if ((sk = uktv_ddb_item_str(item, "SK")) == NULL)
		return 0;
	/* Plain append: SKs of one PK are distinct, and order is not needed. */
	if (c->sks.n == c->sks.cap) {
		if ((nv = reallocarray(c->sks.v, c->sks.cap ? c->sks.cap * 2 : 16,
		    sizeof(*nv))) == NULL)
			goto oom;
		c->sks.v = nv;
		c->sks.cap = c->sks.cap ? c->sks.cap * 2 : 16;
	}
	if ((c->sks.v[c->sks.n] = strdup(sk)) == NULL)
		goto oom;
	c->sks.n++;
	return 0;
oom:
	c->oom = 1;
	return 1;
}

int
uktv_prefs_delete_user(struct uktv_aws *aws, const char *table,
    const char *user, long *deleted, struct uktv_error *err)
{
	struct sks_ctx c;
	struct uktv_ddb_batch *b = NULL;
	char pk[UKTV_PREFS_KEY_MAX];
	size_t i;
	int ret = -1;

	*deleted = 0;
	memset(&c, 0, sizeof(c));
	if (uktv_prefs_pk(user, pk, sizeof(pk)) == -1)
		return uktv_error_set(err, UKTV_ERR_USAGE,
		    "bad user id '%.64s': 1-%d characters of A-Za-z0-9._@+-",
		    user, UKTV_PREFS_USER_MAX);
	if (uktv_ddb_query(aws, table, pk, NULL, 1, collect_sk, &c, err) == -1 &&
	    !c.oom)
		goto out;
	if (c.oom) {
		uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
		goto out;
	}
	if (c.sks.n > 0) {
		if ((b = uktv_ddb_batch_new(aws, table)) == NULL) {
			uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
			goto out;
		}
		for (i = 0; i < c.sks.n; i++)
			if (uktv_ddb_batch_delete(b, pk, c.sks.v[i], err) == -1)
				goto out;
		if (uktv_ddb_batch_flush(b, err) == -1)
			goto out;
	}
	*deleted = (long)c.sks.n;
	ret = 0;
out:
	if (b != NULL)
		uktv_ddb_batch_free(b);
	uktv_prefs_ids_free(&c.sks);
	return ret;
}

/* ---- reference items ---- */

struct uktv_prefs_refs {
	struct uktv_aws		*aws;
	const char		*table;
	struct uktv_prefs_ids	 known[UKTV_PREFS_FAVOURITE];
	struct uktv_prefs_ids	 unknown[UKTV_PREFS_FAVOURITE];
};

struct uktv_prefs_refs *
uktv_prefs_refs_new(struct uktv_aws *aws, const char *table)
{
	struct uktv_prefs_refs *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->aws = aws;
	r->table = table;
	return r;
}

void
uktv_prefs_refs_free(struct uktv_prefs_refs *r)
{
	int k;

	if (r == NULL)
		return;
	for (k = 0; k < UKTV_PREFS_FAVOURITE; k++) {
		uktv_prefs_ids_free(&r->known[k]);
		uktv_prefs_ids_free(&r->unknown[k]);
	}
	free(r);
}

static int
count_item(struct json_object *item, void *arg)
{
	(*(long *)arg)++;
	return 0;
}

/* 1 known, 0 unknown, -1 error (kind must be SOURCE or GENRE). */
static int
uktv_prefs_refs_known(struct uktv_prefs_refs *r, enum uktv_prefs_kind k,
    const char *id, struct uktv_error *err)
{
	char pk[UKTV_PREFS_KEY_MAX];
	long n = 0;

	if (k != UKTV_PREFS_SOURCE && k != UKTV_PREFS_GENRE)
		return uktv_error_set(err, UKTV_ERR_INTERNAL,
		    "only sources and genres have reference items");
	if (uktv_prefs_ids_has(&r->known[k], id))
		return 1;
	if (uktv_prefs_ids_has(&r->unknown[k], id))
		return 0;
	/* The reference item's SK is its name, unknown here: Query the PK. */
	if (uktv_prefs_sk(k, id, pk, sizeof(pk)) == -1)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "key too long");
	if (uktv_ddb_query(r->aws, r->table, pk, NULL, 0, count_item, &n,
	    err) == -1)
		return -1;
	if (uktv_prefs_ids_add(n > 0 ? &r->known[k] : &r->unknown[k], id) == -1)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	return n > 0;
}

long
uktv_prefs_refs_check(struct uktv_prefs_refs *r,
    const struct uktv_prefs_edit *e, uktv_prefs_unknown_fn fn, void *arg,
    struct uktv_error *err)
{
	struct uktv_prefs_ids named;
	long unknown = 0;
	size_t i;
	int k, rc;

	for (k = 0; k < UKTV_PREFS_FAVOURITE; k++) {
		uktv_prefs_ids_init(&named);
		if ((e->replace & UKTV_PREFS_MASK(k)) &&
		    uktv_prefs_ids_copy(&named, &e->set[k]) == -1)
			goto oom;
		for (i = 0; i < e->add[k].n; i++)
			if (uktv_prefs_ids_add(&named, e->add[k].v[i]) == -1)
				goto oom;
		for (i = 0; i < named.n; i++) {
			rc = uktv_prefs_refs_known(r, (enum uktv_prefs_kind)k,
			    named.v[i], err);
			if (rc == -1) {
				uktv_prefs_ids_free(&named);
				return -1;
			}
			if (rc == 0) {
				unknown++;
				if (fn != NULL)
					fn((enum uktv_prefs_kind)k, named.v[i], arg);
			}
		}
		uktv_prefs_ids_free(&named);
	}
	return unknown;
oom:
	uktv_prefs_ids_free(&named);
	return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
}

struct ref_ctx {
	enum uktv_prefs_kind	 kind;
	int			 with_data;
	struct json_object	*out;
	int			 oom;
};

static int
add_str(struct json_object *o, const char *key, const char *s)
{
	struct json_object *v;

	if ((v = json_object_new_string(s)) == NULL)
		return -1;
	if (json_object_object_add(o, key, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

static int
ref_item(struct json_object *item, void *arg)
{
	struct ref_ctx *c = arg;
	struct json_object *o, *data, *plain;
	enum uktv_prefs_kind k;
	const char *id, *name;

	if (uktv_prefs_ref_pk_parse(uktv_ddb_item_str(item, "PK"), &k, &id) == -1 ||
	    k != c->kind || (name = uktv_ddb_item_str(item, "SK")) == NULL)
		return 0;
	if ((o = json_object_new_object()) == NULL)
		goto oom;
	if (add_str(o, "id", id) == -1 || add_str(o, "name", name) == -1)
		goto oom_o;
	if (c->with_data && json_object_object_get_ex(item, "data", &data) &&
	    (plain = uktv_ddb_from_typed(data)) != NULL) {
		if (json_object_object_add(o, "data", plain) != 0) {
			json_object_put(plain);
			goto oom_o;
		}
	}
	if (json_object_array_add(c->out, o) != 0)
		goto oom_o;
	return 0;
oom_o:
	json_object_put(o);
oom:
	c->oom = 1;
	return 1;
}

static int
ref_cmp(const void *a, const void *b)
{
	struct json_object *x = *(struct json_object *const *)a;
	struct json_object *y = *(struct json_object *const *)b;
	struct json_object *v;
	const char *nx = "", *ny = "", *ix = "0", *iy = "0";
	int c;

	if (json_object_object_get_ex(x, "name", &v))
		nx = json_object_get_string(v);
	if (json_object_object_get_ex(y, "name", &v))
		ny = json_object_get_string(v);
	if ((c = strcmp(nx, ny)) != 0)
		return c;
	if (json_object_object_get_ex(x, "id", &v))
		ix = json_object_get_string(v);
	if (json_object_object_get_ex(y, "id", &v))
		iy = json_object_get_string(v);
	return uktv_prefs_id_cmp(ix, iy);
}

int
uktv_prefs_ref_list(struct uktv_aws *aws, const char *table,
    enum uktv_prefs_kind k, int with_data, struct json_object **out,
    struct uktv_error *err)
{
	struct ref_ctx c;
	char prefix[32];

	*out = NULL;
	if (k != UKTV_PREFS_SOURCE && k != UKTV_PREFS_GENRE)
		return uktv_error_set(err, UKTV_ERR_INTERNAL,
		    "only sources and genres have reference items");
	memset(&c, 0, sizeof(c));
	c.kind = k;
	c.with_data = with_data;
	if ((c.out = json_object_new_array()) == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	snprintf(prefix, sizeof(prefix), "%s:", kind_names[k]);
	if (uktv_ddb_scan(aws, table, prefix, ref_item, &c, err) == -1 && !c.oom) {
		json_object_put(c.out);
		return -1;
	}
	if (c.oom) {
		json_object_put(c.out);
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	}
	json_object_array_sort(c.out, ref_cmp);
	*out = c.out;
	return 0;
}

/* ---- the guide ---- */

static int
is_null(struct json_object *v)
{
	return v == NULL || json_object_is_type(v, json_type_null);
}

/*
 * A number as DynamoDB stored it: json-c prints a double with 17
 * significant digits (7.4 as 7.4000000000000004), so a double is given the
 * shortest text that reads back as the same value, as Python's repr (and so
 * the original app) printed it.  Anything else: a new reference to v.
 */
static struct json_object *
plain_number(struct json_object *v)
{
	char num[64];
	double d;
	int prec;

	if (!json_object_is_type(v, json_type_double))
		return json_object_get(v);
	d = json_object_get_double(v);
	if (!isfinite(d))
		return json_object_get(v);
	for (prec = 1; prec <= 17; prec++) {
		snprintf(num, sizeof(num), "%.*g", prec, d);
		if (strtod(num, NULL) == d)
			break;
	}
	return json_object_new_double_s(d, num);
}

/* Copies src[key] to dst[key] when it has a value. */
static int
copy_field(struct json_object *dst, struct json_object *src, const char *key)
{
	struct json_object *v, *c;

	if (!json_object_object_get_ex(src, key, &v) || is_null(v))
		return 0;
	if ((c = plain_number(v)) == NULL)
		return -1;
	if (json_object_object_add(dst, key, c) != 0) {
		json_object_put(c);
		return -1;
	}
	return 0;
}

/* src[key], a list of ids, as a list of id strings (bad elements dropped). */
static int
copy_ids(struct json_object *dst, struct json_object *src, const char *key)
{
	struct json_object *v, *a;
	char id[UKTV_PREFS_ID_MAX + 1];
	size_t i, n;

	if (!json_object_object_get_ex(src, key, &v) ||
	    !json_object_is_type(v, json_type_array))
		return 0;
	if ((a = json_object_new_array()) == NULL)
		return -1;
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		if (uktv_prefs_id_from_json(json_object_array_get_idx(v, i), id) == -1)
			continue;
		if (uktv_items_json_push(a, json_object_new_string(id)) == -1) {
			json_object_put(a);
			return -1;
		}
	}
	return uktv_items_json_add(dst, key, a);
}

/* The title's GB offers, null fields left out, source_id as a string. */
static int
copy_sources(struct json_object *dst, struct json_object *src)
{
	struct json_object *v, *a, *e, *o, *r, *c;
	char id[UKTV_PREFS_ID_MAX + 1];
	size_t i, n;

	if (!json_object_object_get_ex(src, "sources", &v) ||
	    !json_object_is_type(v, json_type_array))
		return 0;
	if ((a = json_object_new_array()) == NULL)
		return -1;
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(v, i);
		if (!json_object_is_type(e, json_type_object))
			continue;
		/* Enrichment stores GB offers; one stored with another region
		 * is not a place to watch in the UK. */
		if (json_object_object_get_ex(e, "region", &r) && !is_null(r) &&
		    strcmp(json_object_get_string(r), "GB") != 0)
			continue;
		if ((o = json_object_new_object()) == NULL)
			goto fail;
		json_object_object_foreach(e, key, val) {
			if (is_null(val))
				continue;
			if (strcmp(key, "source_id") == 0 &&
			    uktv_prefs_id_from_json(val, id) == 0) {
				if (add_str(o, key, id) == -1)
					goto fail_o;
				continue;
			}
			if ((c = plain_number(val)) == NULL)
				goto fail_o;
			if (json_object_object_add(o, key, c) != 0) {
				json_object_put(c);
				goto fail_o;
			}
		}
		if (json_object_array_add(a, o) != 0)
			goto fail_o;
	}
	if (json_object_object_add(dst, "sources", a) != 0)
		goto fail;
	return 0;
fail_o:
	json_object_put(o);
fail:
	json_object_put(a);
	return -1;
}

struct json_object *
uktv_prefs_guide_title(struct json_object *data)
{
	static const char *const fields[] = {
		"title", "year", "type", "user_rating", "plot_overview", "poster"
	};
	struct json_object *o, *v;
	char id[UKTV_PREFS_ID_MAX + 1];
	size_t i;

	if (!json_object_is_type(data, json_type_object) ||
	    !json_object_object_get_ex(data, "id", &v) ||
	    uktv_prefs_id_from_json(v, id) == -1)
		return NULL;
	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (add_str(o, "id", id) == -1)
		goto fail;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (copy_field(o, data, fields[i]) == -1)
			goto fail;
	if (copy_ids(o, data, "source_ids") == -1 ||
	    copy_ids(o, data, "genre_ids") == -1 ||
	    copy_sources(o, data) == -1)
		goto fail;
	return o;
fail:
	json_object_put(o);
	return NULL;
}

/* user_rating as a number: 1 with *r, 0 when unrated. */
static int
rating(struct json_object *line, double *r)
{
	struct json_object *v;

	if (!json_object_object_get_ex(line, "user_rating", &v))
		return 0;
	if (!json_object_is_type(v, json_type_int) &&
	    !json_object_is_type(v, json_type_double))
		return 0;
	*r = json_object_get_double(v);
	return !isnan(*r);
}

static int
nonempty_string(struct json_object *line, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(line, key, &v) &&
	    json_object_is_type(v, json_type_string) &&
	    json_object_get_string_len(v) > 0;
}

int
uktv_prefs_guide_keep(struct json_object *line,
    const struct uktv_prefs_guide_opts *o)
{
	double r;

	/* The original GET /titles returned only titles with both. */
	if (o->enriched_only && (!nonempty_string(line, "poster") ||
	    !nonempty_string(line, "plot_overview")))
		return 0;
	if (o->use_min_rating && (!rating(line, &r) || !(r > o->min_rating)))
		return 0;
	return 1;
}

int
uktv_prefs_guide_cmp(const void *pa, const void *pb)
{
	struct json_object *a = *(struct json_object *const *)pa;
	struct json_object *b = *(struct json_object *const *)pb;
	struct json_object *v;
	const char *ta = "", *tb = "", *ia = "0", *ib = "0";
	double ra = 0, rb = 0;
	int ha, hb, c;

	ha = rating(a, &ra);
	hb = rating(b, &rb);
	if (ha != hb)
		return ha ? -1 : 1;
	if (ha && ra != rb)
		return ra > rb ? -1 : 1;
	if (json_object_object_get_ex(a, "title", &v) &&
	    json_object_is_type(v, json_type_string))
		ta = json_object_get_string(v);
	if (json_object_object_get_ex(b, "title", &v) &&
	    json_object_is_type(v, json_type_string))
		tb = json_object_get_string(v);
	if ((c = strcmp(ta, tb)) != 0)
		return c;
	if (json_object_object_get_ex(a, "id", &v))
		ia = json_object_get_string(v);
	if (json_object_object_get_ex(b, "id", &v))
		ib = json_object_get_string(v);
	return uktv_prefs_id_cmp(ia, ib);
}

struct titles_ctx {
	struct uktv_prefs_ids	 ids;
	int			 oom;
};

static int
index_entry(struct json_object *item, void *arg)
{
	struct titles_ctx *c = arg;
	const char *sk;

	sk = uktv_ddb_item_str(item, "SK");
	if (sk == NULL || strncmp(sk, "title:", 6) != 0 ||
	    !uktv_prefs_id_valid(sk + 6))
		return 0;
	if (uktv_prefs_ids_add(&c->ids, sk + 6) == -1) {
		c->oom = 1;
		return 1;
	}
	return 0;
}

struct get_ctx {
	const struct uktv_prefs_guide_opts *opts;
	struct uktv_prefs_ids	 seen;	/* BatchGetItem retries may repeat one */
	struct json_object	*out;
	int			 oom;
};

static int
title_record(struct json_object *item, void *arg)
{
	struct get_ctx *c = arg;
	struct json_object *data, *plain, *line;
	const char *pk;
	int rc;

	pk = uktv_ddb_item_str(item, "PK");
	if (pk == NULL || strncmp(pk, "title:", 6) != 0 ||
	    !json_object_object_get_ex(item, "data", &data) ||
	    !json_object_object_get_ex(data, "M", NULL))
		return 0;
	if ((rc = uktv_prefs_ids_add(&c->seen, pk + 6)) == 0)
		return 0;
	if (rc == -1 || (plain = uktv_ddb_from_typed(data)) == NULL)
		goto oom;
	line = uktv_prefs_guide_title(plain);
	json_object_put(plain);
	if (line == NULL)
		return 0;	/* a record without an id is no title */
	if (!uktv_prefs_guide_keep(line, c->opts)) {
		json_object_put(line);
		return 0;
	}
	if (json_object_array_add(c->out, line) != 0) {
		json_object_put(line);
		goto oom;
	}
	return 0;
oom:
	c->oom = 1;
	return 1;
}

int
uktv_prefs_guide(struct uktv_aws *aws, const char *table,
    const struct uktv_prefs *p, const struct uktv_prefs_guide_opts *opts,
    struct json_object **out, struct uktv_error *err)
{
	const struct uktv_prefs_ids *src = &p->lists[UKTV_PREFS_SOURCE];
	const struct uktv_prefs_ids *gen = &p->lists[UKTV_PREFS_GENRE];
	struct uktv_prefs_guide_opts none = { 0 };
	struct titles_ctx t;
	struct get_ctx g;
	struct json_object *keys = NULL, *key;
	char pk[2 * UKTV_PREFS_ID_MAX + 32];
	size_t i, j;
	int ret = -1;

	*out = NULL;
	memset(&t, 0, sizeof(t));
	memset(&g, 0, sizeof(g));
	g.opts = opts != NULL ? opts : &none;
	if ((g.out = json_object_new_array()) == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	for (i = 0; i < src->n; i++)
		for (j = 0; j < gen->n; j++) {
			snprintf(pk, sizeof(pk), "source:%s:genre:%s", src->v[i],
			    gen->v[j]);
			if (uktv_ddb_query(aws, table, pk, "title:", 0,
			    index_entry, &t, err) == -1 && !t.oom)
				goto out;
			if (t.oom)
				goto oom;
		}
	if (t.ids.n > 0) {
		if ((keys = json_object_new_array_ext((int)t.ids.n)) == NULL)
			goto oom;
		for (i = 0; i < t.ids.n; i++) {
			snprintf(pk, sizeof(pk), "title:%s", t.ids.v[i]);
			if ((key = uktv_ddb_key(pk, "record")) == NULL)
				goto oom;
			if (json_object_array_add(keys, key) != 0) {
				json_object_put(key);
				goto oom;
			}
		}
		if (uktv_ddb_batch_get(aws, table, keys, title_record, &g,
		    err) == -1 && !g.oom)
			goto out;
		if (g.oom)
			goto oom;
	}
	json_object_array_sort(g.out, uktv_prefs_guide_cmp);
	*out = g.out;
	g.out = NULL;
	ret = 0;
	goto out;
oom:
	uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
out:
	json_object_put(keys);
	json_object_put(g.out);
	uktv_prefs_ids_free(&t.ids);
	uktv_prefs_ids_free(&g.seen);
	return ret;
}

int
uktv_prefs_json_doc(const char *buf, size_t len, struct json_object **out,
    struct uktv_error *err)
{
	struct json_tokener *tok;
	struct json_object *o;
	enum json_tokener_error je;
	size_t end;

	*out = NULL;
	if ((tok = json_tokener_new_ex(UKTV_NDJSON_MAX_DEPTH)) == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	je = json_tokener_get_error(tok);
	end = (size_t)json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (o == NULL || je != json_tokener_success ||
	    end + strspn(buf + end, " \t\r\n") != len) {
		json_object_put(o);
		return uktv_error_set(err, UKTV_ERR_INPUT, "not one JSON "
		    "document (%s)", je == json_tokener_continue ?
		    "it ends early" : je != json_tokener_success ?
		    json_tokener_error_desc(je) : "text after it");
	}
	*out = o;
	return 0;
}

int
uktv_prefs_body_from_json(struct json_object *o, const char *user,
    struct uktv_prefs *p, struct uktv_error *err)
{
	char why[256];

	if (uktv_prefs_from_json(o, 0, p, why, sizeof(why)) == -1)
		return uktv_error_set(err, UKTV_ERR_INPUT, "%s", why);
	if (p->user != NULL && strcmp(p->user, user) != 0)
		return uktv_error_set(err, UKTV_ERR_INPUT, "the body is for user "
		    "'%s', not '%s'", p->user, user);
	return 0;
}

int
uktv_prefs_body_parse(const char *buf, size_t len, const char *user,
    struct uktv_prefs *p, struct uktv_error *err)
{
	struct json_object *o;
	int rc;

	if (uktv_prefs_json_doc(buf, len, &o, err) == -1)
		return -1;
	rc = uktv_prefs_body_from_json(o, user, p, err);
	json_object_put(o);
	return rc;
}
