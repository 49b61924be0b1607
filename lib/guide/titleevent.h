/*
 * titleevent.h: the title event, the one wire format between uktv-titles
 * (which writes it) and uktv-consume (which stores it, guidestore.h):
 * ARCHITECTURE.md "Data".  An NDJSON line
 *
 *   {"header":{"publishingComponent":C,"publishTimestamp":TS,
 *              "publishCause":"userpref:USER"},
 *    "payload":{"id":N,"title":...,"year":...,"imdb_id":...,"tmdb_id":...,
 *               "tmdb_type":...,"type":...,"source_ids":["1"],"genre_ids":["2"]}}
 *
 * or, for a title gone, {"header":{...,"eventType":"remove"},"payload":{"id":N}}.
 * Writer and reader live here together; the bytes uktv-titles prints are
 * json-c's plain serialisation of these objects in this key order.
 */
#ifndef UKTV_TITLEEVENT_H
#define UKTV_TITLEEVENT_H

#include <stddef.h>

#include <json-c/json.h>

/* ---- writing (new references, caller puts; NULL on OOM) ---- */

/*
 * The payload of a title: id, the fields of its list-titles summary that an
 * event carries (nulls left out), and the source and genre ids of pairs
 * ("source:S:genre:G" keys, uktv_titlestate_pair_key) as distinct strings
 * in numeric order.
 */
struct json_object *uktv_titleevent_payload(long long id,
	    struct json_object *summary, char *const *pairs, size_t n);
/* An upsert event around payload (taken over, also on failure): the
 * header names component (e.g. "uktv-titles"), ts (ISO 8601 UTC) and cause
 * (NULL: none); an upsert has no eventType. */
struct json_object *uktv_titleevent_upsert(const char *component,
	    const char *ts, const char *cause, struct json_object *payload);
/* A remove event for id: the header's eventType is "remove". */
struct json_object *uktv_titleevent_remove(const char *component,
	    const char *ts, long long id);

/* ---- reading ---- */

enum uktv_title_action {
	UKTV_TITLE_UPSERT = 0,		/* header.eventType absent or "upsert" */
	UKTV_TITLE_REMOVE		/* header.eventType "remove" */
};

/* A title event checked and taken apart (uktv_title_event_check). */
struct uktv_title {
	enum uktv_title_action	 action;
	char			 id[24];	/* payload.id as digits, "3184039" */
	struct json_object	*payload;	/* borrowed from the event */
	/* The payload's source_ids and genre_ids as digit strings, without
	 * leading zeros, deduplicated, in numeric order (ids may come as
	 * strings or numbers); NULL/0 when absent.  Owned by the struct:
	 * free with uktv_title_clear. */
	char			**source_ids;
	size_t			 nsource_ids;
	char			**genre_ids;
	size_t			 ngenre_ids;
};

/*
 * Checks that event is a valid title event (ARCHITECTURE.md): a JSON object with
 * payload an object, payload.id a positive integer (a JSON integer) and,
 * for an upsert, payload.title a string; header, when present, an object
 * whose eventType, when present, is "upsert" or "remove"; source_ids and
 * genre_ids, when present and not null, arrays of ids (digit strings or
 * non-negative integers, as uktv-prefs accepts them).  Returns 0 with t filled (t may be NULL to only check), or -1
 * with why (one line, e.g. "payload.id is not a positive integer") filled.
 * Needs no AWS.
 */
int	uktv_title_event_check(struct json_object *event, struct uktv_title *t,
	    char *why, size_t whylen);
void	uktv_title_clear(struct uktv_title *);

/*
 * An id as uktv writes it: digits without leading zeros, from v, a JSON
 * string of digits or a non-negative integer.  0, or -1 when it is neither.
 */
int	uktv_title_id_text(struct json_object *v, char *out, size_t outlen);
/* An array of ids -> sorted, distinct digit strings (*out: caller frees
 * each and the array).  0, -1 (not ids), -2 (OOM). */
int	uktv_title_ids_parse(struct json_object *arr, char ***out, size_t *nout);

#endif
