/*
 * titleevent.c: see titleevent.h.  The writer and the reader of one wire
 * format sit together so that neither drifts from the other.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "titleevent.h"
#include "titlestate.h"

/* The fields of a list-titles summary a title event carries (ARCHITECTURE.md). */
static const char *const payload_fields[] = {
	"title", "year", "imdb_id", "tmdb_id", "tmdb_type", "type", NULL
};

/* ---- writing ---- */

static struct json_object *
header(const char *component, const char *ts,
    const char *cause, int remove)
{
	struct json_object *h = json_object_new_object();

	if (h == NULL)
		return NULL;
	json_object_object_add(h, "publishingComponent",
	    json_object_new_string(component));
	json_object_object_add(h, "publishTimestamp", json_object_new_string(ts));
	if (cause != NULL)
		json_object_object_add(h, "publishCause",
		    json_object_new_string(cause));
	/* ARCHITECTURE.md: upserts carry no eventType, as the original's did. */
	if (remove)
		json_object_object_add(h, "eventType",
		    json_object_new_string("remove"));
	return h;
}

/* The distinct ids of list in numeric order, as a JSON array of strings. */
static struct json_object *
id_array(char **list, size_t n)
{
	struct json_object *a = json_object_new_array();

	uktv_qsort(list, n, sizeof(*list), uktv_id_cmp);
	for (size_t i = 0; a != NULL && i < n; i++)
		if (i == 0 || strcmp(list[i], list[i - 1]) != 0)
			json_object_array_add(a, json_object_new_string(list[i]));
	return a;
}

static void
strs_free(char **v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

struct json_object *
uktv_titleevent_payload(long long id, struct json_object *summary,
    char *const *pairs, size_t n)
{
	struct json_object *p = NULL, *v;
	char **src, **gen;
	size_t ns = 0, ng = 0;

	src = calloc(n + 1, sizeof(*src));
	gen = calloc(n + 1, sizeof(*gen));
	if (src == NULL || gen == NULL)
		goto done;
	for (size_t i = 0; i < n; i++) {
		char s[UKTV_TITLESTATE_ID_MAX + 1], g[UKTV_TITLESTATE_ID_MAX + 1];

		if (uktv_titlestate_pair_split(pairs[i], s, g) == -1)
			continue;
		if ((src[ns++] = strdup(s)) == NULL ||
		    (gen[ng++] = strdup(g)) == NULL)
			goto done;
	}
	if ((p = json_object_new_object()) == NULL)
		goto done;
	json_object_object_add(p, "id", json_object_new_int64(id));
	for (size_t i = 0; payload_fields[i] != NULL; i++)
		if (json_object_object_get_ex(summary, payload_fields[i], &v) &&
		    v != NULL)
			json_object_object_add(p, payload_fields[i],
			    json_object_get(v));
	json_object_object_add(p, "source_ids", id_array(src, ns));
	json_object_object_add(p, "genre_ids", id_array(gen, ng));
done:
	strs_free(src, ns);
	strs_free(gen, ng);
	return p;
}

struct json_object *
uktv_titleevent_upsert(const char *component, const char *ts,
    const char *cause, struct json_object *payload)
{
	struct json_object *ev = json_object_new_object();

	if (ev == NULL) {
		json_object_put(payload);
		return NULL;
	}
	json_object_object_add(ev, "header",
	    header(component, ts, cause, 0));
	json_object_object_add(ev, "payload", payload);
	return ev;
}

struct json_object *
uktv_titleevent_remove(const char *component, const char *ts, long long id)
{
	struct json_object *ev = json_object_new_object();
	struct json_object *pl = json_object_new_object();

	if (ev == NULL || pl == NULL) {
		json_object_put(ev);
		json_object_put(pl);
		return NULL;
	}
	json_object_object_add(ev, "header",
	    header(component, ts, NULL, 1));
	json_object_object_add(pl, "id", json_object_new_int64(id));
	json_object_object_add(ev, "payload", pl);
	return ev;
}

/* ---- reading ---- */

/*
 * An id as uktv writes it: digits without leading zeros.  v is a JSON
 * string of 1-UKTV_CLI_MAX_ID_DIGITS digits or a non-negative integer.
 * 0, or -1 when it is neither.
 */
int
uktv_title_id_text(struct json_object *v, char *out, size_t outlen)
{
	if (json_object_is_type(v, json_type_int)) {
		int64_t i = json_object_get_int64(v);

		/* json-c saturates what it cannot hold (2^64 reads as
		 * 2^64-1) and keeps no text, so from INT64_MAX up the number
		 * may not be the one written: refused, not guessed. */
		if (i < 0 || i == INT64_MAX)
			return -1;
		snprintf(out, outlen, "%" PRId64, i);
		return 0;
	}
	if (json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);
		size_t n = strlen(s);

		if (n == 0 || n > UKTV_CLI_MAX_ID_DIGITS ||
		    strspn(s, "0123456789") != n)
			return -1;
		while (n > 1 && *s == '0') {
			s++;
			n--;
		}
		if (n + 1 > outlen)
			return -1;
		memcpy(out, s, n + 1);
		return 0;
	}
	return -1;
}

static void
ids_free(char **ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

/* An array of ids -> sorted, deduplicated digit strings.  0, -1 (not ids:
 * why filled), -2 (OOM). */
int
uktv_title_ids_parse(struct json_object *arr, char ***out, size_t *nout)
{
	size_t n = json_object_array_length(arr), m = 0;
	char **ids;

	*out = NULL;
	*nout = 0;
	if (n == 0)
		return 0;
	if ((ids = calloc(n, sizeof(*ids))) == NULL)
		return -2;
	for (size_t i = 0; i < n; i++) {
		char buf[32];

		if (uktv_title_id_text(json_object_array_get_idx(arr, i), buf,
		    sizeof(buf)) == -1) {
			ids_free(ids, m);
			return -1;
		}
		if ((ids[m] = strdup(buf)) == NULL) {
			ids_free(ids, m);
			return -2;
		}
		m++;
	}
	uktv_qsort(ids, m, sizeof(*ids), uktv_id_cmp);
	/* Drop duplicates: one index entry per pair. */
	size_t k = 0;
	for (size_t i = 0; i < m; i++) {
		if (k > 0 && strcmp(ids[k - 1], ids[i]) == 0) {
			free(ids[i]);
			continue;
		}
		ids[k++] = ids[i];
	}
	*out = ids;
	*nout = k;
	return 0;
}

void
uktv_title_clear(struct uktv_title *t)
{
	if (t == NULL)
		return;
	ids_free(t->source_ids, t->nsource_ids);
	ids_free(t->genre_ids, t->ngenre_ids);
	memset(t, 0, sizeof(*t));
}

static int
bad(char *why, size_t whylen, const char *msg)
{
	if (why != NULL && whylen > 0)
		strlcpy(why, msg, whylen);
	return -1;
}

int
uktv_title_event_check(struct json_object *event, struct uktv_title *t,
    char *why, size_t whylen)
{
	struct json_object *header, *payload, *v;
	struct uktv_title tmp;
	static const char *const lists[] = { "source_ids", "genre_ids" };

	memset(&tmp, 0, sizeof(tmp));
	if (t != NULL)
		memset(t, 0, sizeof(*t));
	if (!json_object_is_type(event, json_type_object))
		return bad(why, whylen, "not a JSON object");
	if (json_object_object_get_ex(event, "header", &header) &&
	    header != NULL) {
		if (!json_object_is_type(header, json_type_object))
			return bad(why, whylen, "header is not an object");
		if (json_object_object_get_ex(header, "eventType", &v) &&
		    v != NULL) {
			const char *s = json_object_is_type(v, json_type_string) ?
			    json_object_get_string(v) : "";

			if (strcmp(s, "remove") == 0)
				tmp.action = UKTV_TITLE_REMOVE;
			else if (strcmp(s, "upsert") != 0)
				return bad(why, whylen, "header.eventType is "
				    "neither \"upsert\" nor \"remove\"");
		}
	}
	if (!json_object_object_get_ex(event, "payload", &payload) ||
	    !json_object_is_type(payload, json_type_object))
		return bad(why, whylen, "no payload object");
	if (!json_object_object_get_ex(payload, "id", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    uktv_title_id_text(v, tmp.id, sizeof(tmp.id)) == -1 ||
	    strcmp(tmp.id, "0") == 0)
		return bad(why, whylen, "payload.id is not a positive integer");
	if (tmp.action == UKTV_TITLE_UPSERT &&
	    (!json_object_object_get_ex(payload, "title", &v) ||
	    !json_object_is_type(v, json_type_string)))
		return bad(why, whylen, "payload.title is not a string");
	tmp.payload = payload;
	for (size_t i = 0; i < 2; i++) {
		char ***ids = i == 0 ? &tmp.source_ids : &tmp.genre_ids;
		size_t *nids = i == 0 ? &tmp.nsource_ids : &tmp.ngenre_ids;
		int rc;

		if (!json_object_object_get_ex(payload, lists[i], &v) ||
		    v == NULL)
			continue;
		if (!json_object_is_type(v, json_type_array)) {
			uktv_title_clear(&tmp);
			if (why != NULL)
				snprintf(why, whylen, "payload.%s is not an "
				    "array", lists[i]);
			return -1;
		}
		if ((rc = uktv_title_ids_parse(v, ids, nids)) != 0) {
			uktv_title_clear(&tmp);
			if (why != NULL)
				snprintf(why, whylen, rc == -2 ? "out of memory" :
				    "payload.%s holds something that is not an "
				    "id", lists[i]);
			return -1;
		}
	}
	if (t != NULL)
		*t = tmp;
	else
		uktv_title_clear(&tmp);
	return 0;
}

