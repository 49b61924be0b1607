/*
 * notify.c: see notify.h.  Records are read in DynamoDB's typed form and
 * turned into plain JSON with dynamodb.h, so numbers keep their stored text
 * (a rating of 7.4 is printed 7.4, not 7.4000000000000004).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "time.h"
#include "parse.h"
#include "dynamodb.h"
#include "ndjson.h"
#include "items.h"
#include "notify.h"
#include "private/notify.h"

/* A title image, as much of it as a notification needs. */
struct view {
	struct json_object	*plain;		/* the whole item, plain (owned) */
	struct json_object	*data;		/* plain["data"] (borrowed), or NULL */
	const char		*title;		/* data.title, or NULL */
	struct json_object	*offers;	/* data.sources when a list */
	struct json_object	*rating;	/* data.user_rating when a number */
	int			 enriched;
	struct uktv_prefs_ids	 gb;		/* GB source ids (see notify.h) */
	struct uktv_prefs_ids	 sids;		/* data.source_ids */
	struct uktv_prefs_ids	 gids;		/* data.genre_ids */
};

static const char *const kind_names[] = {
	"", "new_title", "favourite_changed", "title_removed"
};

const char *
uktv_notify_kind_name(enum uktv_notify_kind k)
{
	return (unsigned)k < sizeof(kind_names) / sizeof(kind_names[0]) ?
	    kind_names[k] : "";
}

static struct json_object *
member(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) ||
	    json_object_is_type(v, json_type_null))
		return NULL;
	return v;
}

static const char *
member_str(struct json_object *o, const char *key)
{
	struct json_object *v = member(o, key);

	return json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
}

static int
is_number(struct json_object *v)
{
	return json_object_is_type(v, json_type_double) ||
	    json_object_is_type(v, json_type_int);
}

/* Ids in a JSON list (numbers or digit strings) into l, canonical; elements
 * that are not ids are ignored, as the guide ignores them. */
static int
ids_from(struct uktv_prefs_ids *l, struct json_object *a)
{
	char id[UKTV_PREFS_ID_MAX + 1];
	size_t i, n;

	if (!json_object_is_type(a, json_type_array))
		return 0;
	n = json_object_array_length(a);
	for (i = 0; i < n; i++)
		if (uktv_prefs_id_from_json(json_object_array_get_idx(a, i),
		    id) == 0 && uktv_prefs_ids_add(l, id) == -1)
			return -1;
	return 0;
}

/* An offer the GB guide shows: in UKTV_NOTIFY_REGION, or with no region. */
static int
gb_offer(struct json_object *e)
{
	const char *r;

	if (!json_object_is_type(e, json_type_object))
		return 0;
	r = member_str(e, "region");
	return r == NULL || strcmp(r, UKTV_NOTIFY_REGION) == 0;
}

static void
view_free(struct view *v)
{
	json_object_put(v->plain);
	uktv_prefs_ids_free(&v->gb);
	uktv_prefs_ids_free(&v->sids);
	uktv_prefs_ids_free(&v->gids);
	memset(v, 0, sizeof(*v));
}

static int
view_init(struct view *v, struct json_object *image)
{
	char id[UKTV_PREFS_ID_MAX + 1];
	struct json_object *e;
	size_t i, n;

	memset(v, 0, sizeof(*v));
	uktv_prefs_ids_init(&v->gb);
	uktv_prefs_ids_init(&v->sids);
	uktv_prefs_ids_init(&v->gids);
	if ((v->plain = uktv_ddb_item_to_plain(image)) == NULL)
		return -1;
	v->data = member(v->plain, "data");
	if (!json_object_is_type(v->data, json_type_object))
		v->data = NULL;
	v->title = member_str(v->data, "title");
	v->offers = member(v->data, "sources");
	if (!json_object_is_type(v->offers, json_type_array))
		v->offers = NULL;
	v->rating = member(v->data, "user_rating");
	if (!is_number(v->rating))
		v->rating = NULL;
	/*
	 * Enriched: uktv's enrichment sets enriched_at and sources; the
	 * original Lambda's set plot_overview, poster and user_rating.
	 */
	v->enriched = v->offers != NULL || member(v->data, "enriched_at") ||
	    member(v->data, "plot_overview") || member(v->data, "poster") ||
	    v->rating != NULL;
	if (ids_from(&v->sids, member(v->data, "source_ids")) == -1 ||
	    ids_from(&v->gids, member(v->data, "genre_ids")) == -1)
		return -1;
	if (v->offers == NULL)
		return uktv_prefs_ids_copy(&v->gb, &v->sids);
	n = json_object_array_length(v->offers);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(v->offers, i);
		if (gb_offer(e) &&
		    uktv_prefs_id_from_json(member(e, "source_id"), id) == 0 &&
		    uktv_prefs_ids_add(&v->gb, id) == -1)
			return -1;
	}
	return 0;
}

/*
 * Is id in l?  Lists read from the table keep ids as stored, so they are
 * searched by numeric value ("0203" is 203), which is their sort order.
 */
static int
has_id(const struct uktv_prefs_ids *l, const char *id)
{
	size_t lo = 0, hi = l->n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = uktv_cmp_decimal(l->v[mid], id);
		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int
meets_any(const struct uktv_prefs_ids *mine, const struct uktv_prefs_ids *its)
{
	size_t i;

	for (i = 0; i < its->n; i++)
		if (has_id(mine, its->v[i]))
			return 1;
	return 0;
}

/* The user follows a source x genre pair the title's own ids meet. */
static int
follows(const struct uktv_prefs *u, const struct view *t)
{
	return meets_any(&u->lists[UKTV_PREFS_SOURCE], &t->sids) &&
	    meets_any(&u->lists[UKTV_PREFS_GENRE], &t->gids);
}

/* The ids in a and not in b, as a JSON list of strings (numeric order). */
static struct json_object *
minus(const struct uktv_prefs_ids *a, const struct uktv_prefs_ids *b)
{
	struct json_object *out;
	size_t i;

	if ((out = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < a->n; i++)
		if (!has_id(b, a->v[i]) &&
		    uktv_items_json_push(out, json_object_new_string(a->v[i])) == -1) {
			json_object_put(out);
			return NULL;
		}
	return out;
}

/* Adds key: the list when it is not empty (ARCHITECTURE.md: no empty fields). */
static int
add_nonempty(struct json_object *o, const char *key, struct json_object *list)
{
	if (list == NULL)
		return -1;
	if (json_object_array_length(list) == 0) {
		json_object_put(list);
		return 0;
	}
	return uktv_items_json_add(o, key, list);
}

static struct json_object *
pair(struct json_object *a, struct json_object *b)
{
	struct json_object *p;

	if ((p = json_object_new_array()) == NULL)
		return NULL;
	if (uktv_items_json_push(p, json_object_get(a)) == -1 ||
	    uktv_items_json_push(p, json_object_get(b)) == -1) {
		json_object_put(p);
		return NULL;
	}
	return p;
}

/*
 * What a person sees that changed from o to n: *changes an object (new
 * reference), empty when nothing did.
 */
static int
changes_of(const struct view *o, const struct view *n,
    struct json_object **changes)
{
	struct json_object *c;
	double d;

	if ((c = json_object_new_object()) == NULL)
		return -1;
	*changes = c;
	if (!o->enriched && n->enriched)
		return 0;	/* the first enrichment: news to nobody */
	if ((o->offers == NULL) == (n->offers == NULL) &&
	    (add_nonempty(c, "sources_added", minus(&n->gb, &o->gb)) == -1 ||
	    add_nonempty(c, "sources_removed", minus(&o->gb, &n->gb)) == -1))
		return -1;
	if (o->rating != NULL && n->rating != NULL) {
		d = json_object_get_double(n->rating) -
		    json_object_get_double(o->rating);
		/* Ratings are stored with one decimal: 7.4 -> 7.9 is a move of
		 * 0.5 even where binary doubles make it 0.4999999. */
		if (fabs(d) >= UKTV_NOTIFY_RATING_STEP - 1e-9 &&
		    uktv_items_json_add(c, "user_rating", pair(o->rating, n->rating)) == -1)
			return -1;
	}
	if (o->title != NULL && n->title != NULL && strcmp(o->title, n->title) != 0) {
		struct json_object *a = json_object_new_string(o->title);
		struct json_object *b = json_object_new_string(n->title);
		int rc = -1;

		if (a != NULL && b != NULL)
			rc = uktv_items_json_add(c, "title", pair(a, b));
		json_object_put(a);
		json_object_put(b);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/* The first GB offer of source id in v's offers, or NULL. */
static struct json_object *
offer_of(const struct view *v, const char *id)
{
	char oid[UKTV_PREFS_ID_MAX + 1];
	struct json_object *e;
	size_t i, n;

	n = json_object_array_length(v->offers);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(v->offers, i);
		if (gb_offer(e) &&
		    uktv_prefs_id_from_json(member(e, "source_id"), oid) == 0 &&
		    strcmp(oid, id) == 0)
			return e;
	}
	return NULL;
}

/* [{"source_id","name","web_url"}] for v's GB sources. */
static struct json_object *
sources_of(const struct view *v)
{
	static const char *const keys[] = { "name", "web_url" };
	struct json_object *a, *o, *e;
	const char *s;
	size_t i, k;

	if ((a = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < v->gb.n; i++) {
		if ((o = json_object_new_object()) == NULL ||
		    uktv_items_json_add(o, "source_id", json_object_new_string(v->gb.v[i])) == -1)
			goto fail;
		e = v->offers != NULL ? offer_of(v, v->gb.v[i]) : NULL;
		for (k = 0; e != NULL && k < sizeof(keys) / sizeof(keys[0]); k++)
			if ((s = member_str(e, keys[k])) != NULL &&
			    uktv_items_json_add(o, keys[k], json_object_new_string(s)) == -1)
				goto fail;
		if (uktv_items_json_push(a, o) == -1) {
			o = NULL;
			goto fail;
		}
	}
	return a;
fail:
	json_object_put(o);
	json_object_put(a);
	return NULL;
}

int
uktv_notify_time(struct json_object *v, char out[32])
{
	struct tm tm;
	double d;
	long long ms;
	time_t t;
	int frac;

	if (!is_number(v))
		return -1;
	d = json_object_get_double(v);
	if (!isfinite(d) || d < 0)
		return -1;
	if (d > 1e11) {		/* milliseconds, as Kinesis Data Streams for
				 * DynamoDB may give them */
		ms = llround(d);
		frac = 1;
	} else {
		ms = llround(d * 1000.0);
		frac = json_object_is_type(v, json_type_double) && d != floor(d);
	}
	if (ms > 253402300799999LL)	/* 9999-12-31T23:59:59.999Z */
		return -1;
	t = (time_t)(ms / 1000);
	if (gmtime_r(&t, &tm) == NULL)
		return -1;
	if (frac)
		uktv_time_format(ms, out);
	else if (strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return -1;
	return 0;
}

const char *
uktv_notify_event_id(struct json_object *record)
{
	return member_str(record, "eventID");
}

/* One line (new reference).  changes is taken over. */
static struct json_object *
line(const char *user, enum uktv_notify_kind kind, const char *title_id,
    const struct view *v, struct json_object *changes, struct json_object *rec,
    struct json_object *dd)
{
	struct json_object *o;
	const char *eid;
	char at[32];

	if ((o = json_object_new_object()) == NULL) {
		json_object_put(changes);
		return NULL;
	}
	if (uktv_items_json_add(o, "user", json_object_new_string(user)) == -1 ||
	    uktv_items_json_add(o, "kind", json_object_new_string(uktv_notify_kind_name(kind))) == -1 ||
	    uktv_items_json_add(o, "title_id", json_object_new_string(title_id)) == -1 ||
	    (v->title != NULL &&
	    uktv_items_json_add(o, "title", json_object_new_string(v->title)) == -1) ||
	    uktv_items_json_add(o, "changes", changes) == -1 ||
	    uktv_items_json_add(o, "sources", sources_of(v)) == -1)
		goto fail;
	eid = uktv_notify_event_id(rec);
	if (json_object_object_add(o, "event_id",
	    eid != NULL ? json_object_new_string(eid) : NULL) != 0)
		goto fail;
	if (json_object_object_add(o, "at",
	    uktv_notify_time(member(dd, "ApproximateCreationDateTime"), at) == 0 ?
	    json_object_new_string(at) : NULL) != 0)
		goto fail;
	return o;
fail:
	json_object_put(o);
	return NULL;
}

/* 1 with the title id in id when keys name a guide title record. */
static int
title_record(struct json_object *keys, char *id)
{
	const char *pk, *sk;

	pk = uktv_ddb_item_str(keys, "PK");
	sk = uktv_ddb_item_str(keys, "SK");
	if (pk == NULL || sk == NULL || strcmp(sk, "record") != 0 ||
	    strncmp(pk, "title:", 6) != 0)
		return 0;
	return uktv_prefs_id_canon(pk + 6, id) == 0;
}

int
uktv_notify_record(const struct uktv_prefs_set *set, struct json_object *rec,
    struct json_object **out, enum uktv_notify_kind *kindp, struct uktv_error *err)
{
	enum uktv_notify_kind kind;
	struct json_object *dd, *keys, *nimg, *oimg, *changes, *o;
	struct view nv, ov;
	const struct view *shown;
	const char *name;
	char id[UKTV_PREFS_ID_MAX + 1];
	size_t i;
	int fav, fol;

	*out = NULL;
	if (kindp != NULL)
		*kindp = UKTV_NOTIFY_NONE;
	if (!json_object_is_type(rec, json_type_object))
		return uktv_error_set(err, UKTV_ERR_INPUT,
		    "a stream record is a JSON object");
	dd = member(rec, "dynamodb");
	if (!json_object_is_type(dd, json_type_object))
		return uktv_error_set(err, UKTV_ERR_INPUT,
		    "not a DynamoDB Stream record: no \"dynamodb\" object");
	name = member_str(rec, "eventName");
	if (name == NULL)
		return uktv_error_set(err, UKTV_ERR_INPUT, "no eventName");
	if (strcmp(name, "INSERT") == 0)
		kind = UKTV_NOTIFY_NEW_TITLE;
	else if (strcmp(name, "MODIFY") == 0)
		kind = UKTV_NOTIFY_FAVOURITE_CHANGED;
	else if (strcmp(name, "REMOVE") == 0)
		kind = UKTV_NOTIFY_TITLE_REMOVED;
	else
		return uktv_error_set(err, UKTV_ERR_INPUT,
		    "eventName \"%.40s\" is not INSERT, MODIFY or REMOVE", name);
	nimg = member(dd, "NewImage");
	oimg = member(dd, "OldImage");
	if ((keys = member(dd, "Keys")) == NULL)
		keys = nimg != NULL ? nimg : oimg;
	if (!title_record(keys, id)) {
		*out = json_object_new_array();
		return *out != NULL ? 0 :
		    uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	}
	if ((kind != UKTV_NOTIFY_TITLE_REMOVED &&
	    !json_object_is_type(nimg, json_type_object)) ||
	    (kind != UKTV_NOTIFY_NEW_TITLE &&
	    !json_object_is_type(oimg, json_type_object)))
		return uktv_error_set(err, UKTV_ERR_INPUT,
		    "%s of title:%s without its %s: the stream's view type must "
		    "be NEW_AND_OLD_IMAGES", name, id,
		    kind == UKTV_NOTIFY_NEW_TITLE ? "NewImage" :
		    kind == UKTV_NOTIFY_TITLE_REMOVED ? "OldImage" : "images");
	if (kindp != NULL)
		*kindp = kind;

	memset(&nv, 0, sizeof(nv));
	memset(&ov, 0, sizeof(ov));
	if ((nimg != NULL && kind != UKTV_NOTIFY_TITLE_REMOVED &&
	    view_init(&nv, nimg) == -1) ||
	    (oimg != NULL && kind != UKTV_NOTIFY_NEW_TITLE &&
	    view_init(&ov, oimg) == -1) ||
	    (*out = json_object_new_array()) == NULL)
		goto oom;
	shown = kind == UKTV_NOTIFY_TITLE_REMOVED ? &ov : &nv;
	for (i = 0; i < set->n; i++) {
		const struct uktv_prefs *u = &set->v[i];

		changes = NULL;
		fav = has_id(&u->lists[UKTV_PREFS_FAVOURITE], id);
		switch (kind) {
		case UKTV_NOTIFY_NEW_TITLE:
			if (!follows(u, &nv))
				continue;
			break;
		case UKTV_NOTIFY_FAVOURITE_CHANGED:
			if (!fav)
				continue;
			if (changes_of(&ov, &nv, &changes) == -1) {
				json_object_put(changes);
				goto oom;
			}
			if (json_object_object_length(changes) == 0) {
				/* The same for every user: nobody is told. */
				json_object_put(changes);
				goto done;
			}
			break;
		default:
			fol = follows(u, &ov);
			if (!fav && !fol)
				continue;
			break;
		}
		if (changes == NULL && (changes = json_object_new_object()) == NULL)
			goto oom;
		if ((o = line(u->user, kind, id, shown, changes, rec, dd)) == NULL ||
		    uktv_items_json_push(*out, o) == -1)
			goto oom;
	}
done:
	view_free(&nv);
	view_free(&ov);
	return 0;
oom:
	view_free(&nv);
	view_free(&ov);
	json_object_put(*out);
	*out = NULL;
	return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
}

int
uktv_notify_input_records(struct json_object *v, struct json_object **records,
    char *why, size_t whylen)
{
	struct json_object *r;

	*records = NULL;
	if (!json_object_is_type(v, json_type_object)) {
		snprintf(why, whylen, "not a JSON object");
		return -1;
	}
	if (json_object_object_get_ex(v, "Records", &r)) {
		if (!json_object_is_type(r, json_type_array)) {
			snprintf(why, whylen, "\"Records\" is not a list");
			return -1;
		}
		if (json_object_array_length(r) > UKTV_NOTIFY_EVENT_MAX) {
			snprintf(why, whylen, "more than %d records in one event",
			    UKTV_NOTIFY_EVENT_MAX);
			return -1;
		}
		*records = json_object_get(r);
		return 0;
	}
	if (!json_object_object_get_ex(v, "dynamodb", &r)) {
		snprintf(why, whylen, "neither a Lambda event (\"Records\") nor "
		    "a stream record (\"dynamodb\")");
		return -1;
	}
	if ((*records = json_object_new_array()) == NULL ||
	    json_object_array_add(*records, json_object_get(v)) != 0) {
		json_object_put(*records);
		*records = NULL;
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	return 0;
}

/* ---- --records-from ---- */

struct uktv_notify_input {
	struct uktv_ndjson_reader	*r;
	struct json_tokener		*tok;	/* inside a value over lines */
	struct json_object		*value;	/* the last value given */
	unsigned long long		 start;	/* where that value began */
	size_t				 len;	/* its bytes so far */
	char				 why[160];
};

struct uktv_notify_input *
uktv_notify_input_new(FILE *fp, size_t max_line)
{
	struct uktv_notify_input *in;

	if ((in = calloc(1, sizeof(*in))) == NULL)
		return NULL;
	if ((in->r = uktv_ndjson_reader_new(fp, max_line)) == NULL) {
		free(in);
		return NULL;
	}
	return in;
}

static void
leave_value(struct uktv_notify_input *in)
{
	if (in->tok != NULL)
		json_tokener_free(in->tok);
	in->tok = NULL;
	uktv_ndjson_reader_set_flags(in->r, 0);
}

void
uktv_notify_input_free(struct uktv_notify_input *in)
{
	if (in == NULL)
		return;
	leave_value(in);
	json_object_put(in->value);
	uktv_ndjson_reader_free(in->r);
	free(in);
}

/*
 * A pretty-printed document (a saved Lambda event, jq or json.dumps output)
 * starts with a line that is only "{" or "[".  Only such a line opens a
 * value over several lines: a truncated NDJSON line ('{"payload":{"id":1,')
 * is rejected on its own and never swallows the good line after it.
 */
static int
opens_value(const char *s)
{
	s += strspn(s, " \t");
	if (*s != '{' && *s != '[')
		return 0;
	s++;
	s += strspn(s, " \t");
	return *s == '\0';
}

static int
reject(struct uktv_notify_input *in, unsigned long long *lineno,
    unsigned long long at, const char **why)
{
	*lineno = at;
	*why = in->why;
	return UKTV_NOTIFY_INPUT_REJECT;
}

int
uktv_notify_input_next(struct uktv_notify_input *in, struct json_object **value,
    unsigned long long *lineno, const char **why)
{
	struct uktv_ndjson_line ln;
	enum json_tokener_error je;
	struct json_object *v;
	size_t end;
	int rc;

	*value = NULL;
	*why = NULL;
	json_object_put(in->value);
	in->value = NULL;
	for (;;) {
		if ((rc = uktv_ndjson_next(in->r, &ln)) == -1)
			return -1;
		if (rc == 0) {
			if (in->tok == NULL)
				return UKTV_NOTIFY_INPUT_END;
			leave_value(in);
			snprintf(in->why, sizeof(in->why), "the JSON value that "
			    "begins here does not end before the end of the input");
			return reject(in, lineno, in->start, why);
		}
		if (in->tok == NULL) {
			if (ln.reject == UKTV_NDJSON_OK) {
				*value = in->value = json_object_get(ln.obj);
				*lineno = ln.lineno;
				return UKTV_NOTIFY_INPUT_VALUE;
			}
			if (ln.reject != UKTV_NDJSON_BAD_JSON ||
			    !opens_value(ln.text)) {
				snprintf(in->why, sizeof(in->why), "%s", ln.reason);
				return reject(in, lineno, ln.lineno, why);
			}
			if ((in->tok = json_tokener_new_ex(UKTV_NDJSON_MAX_DEPTH)) == NULL) {
				errno = ENOMEM;
				return -1;
			}
			json_tokener_set_flags(in->tok, JSON_TOKENER_STRICT |
			    JSON_TOKENER_VALIDATE_UTF8);
			in->start = ln.lineno;
			in->len = 0;
			/* The lines of the value are not JSON one by one:
			 * only the byte checks apply to them. */
			uktv_ndjson_reader_set_flags(in->r, UKTV_NDJSON_BYTES_ONLY);
		}
		if (ln.text == NULL || (in->len += ln.len + 1) > UKTV_NOTIFY_VALUE_MAX) {
			snprintf(in->why, sizeof(in->why), "%s", ln.text == NULL ?
			    ln.reason : "a JSON value over 16 MiB");
			leave_value(in);
			return reject(in, lineno, ln.lineno, why);
		}
		v = json_tokener_parse_ex(in->tok, ln.text, (int)ln.len);
		if ((je = json_tokener_get_error(in->tok)) == json_tokener_continue) {
			/* Lines end in white space; a token never spans one. */
			v = json_tokener_parse_ex(in->tok, "\n", 1);
			je = json_tokener_get_error(in->tok);
		}
		if (je == json_tokener_continue)
			continue;
		if (je != json_tokener_success) {
			snprintf(in->why, sizeof(in->why), "invalid JSON (a value "
			    "from line %llu): %s", in->start,
			    json_tokener_error_desc(je));
			leave_value(in);
			return reject(in, lineno, ln.lineno, why);
		}
		end = json_tokener_get_parse_end(in->tok);
		if (end < ln.len && ln.text[end + strspn(ln.text + end, " \t")] != '\0') {
			json_object_put(v);
			snprintf(in->why, sizeof(in->why), "text after the JSON "
			    "value that began on line %llu", in->start);
			leave_value(in);
			return reject(in, lineno, ln.lineno, why);
		}
		leave_value(in);
		*value = in->value = v;
		*lineno = in->start;
		return UKTV_NOTIFY_INPUT_VALUE;
	}
}
