/*
 * webapi.c: see webapi.h.  Each route runs the uktv-prefs command that
 * does the same (lib/guide/prefsrun), its output collected through the
 * emit hook instead of printed, and shapes what it yields as the original
 * page expects it.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "items.h"
#include "parse.h"
#include "prefs.h"
#include "prefsrun.h"
#include "strbuf.h"
#include "webapi.h"

/* The 404 message quotes at most this much of the path (the server bounds
 * the request line; this bounds what a log or a page shows of it). */
#define PATH_SHOWN_MAX	256

enum route {
	NO_ROUTE = 0,
	SOURCES,
	GENRES,
	PREFS_GET,
	PREFS_PUT,
	TITLES,
	RECOMMENDATIONS
};

static const struct {
	const char	*method;
	const char	*path;
	enum route	 route;
} routes[] = {
	{ "GET",	"/sources",		SOURCES },
	{ "GET",	"/genres",		GENRES },
	{ "GET",	"/preferences",		PREFS_GET },
	{ "PUT",	"/preferences",		PREFS_PUT },
	{ "GET",	"/titles",		TITLES },
	{ "GET",	"/recommendations",	RECOMMENDATIONS },
};

/* API Gateway matches the method and the resource path exactly. */
static enum route
route_of(const char *method, const char *path)
{
	size_t i;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strcmp(method, routes[i].method) == 0 &&
		    strcmp(path, routes[i].path) == 0)
			return routes[i].route;
	return NO_ROUTE;
}

int
uktv_webapi_needs_user(const char *method, const char *path)
{
	enum route r;

	if (strcmp(method, "OPTIONS") == 0)
		return 0;
	r = route_of(method, path);
	return r != SOURCES && r != GENRES;
}

void
uktv_webapi_answer_free(struct uktv_webapi_answer *a)
{
	free(a->body);
	a->body = NULL;
}

/* status with o's text (o's reference taken; NULL o is out of memory). */
static int
answer(struct uktv_webapi_answer *out, int status, struct json_object *o)
{
	const char *text;

	out->status = 0;
	out->body = NULL;
	if (o == NULL)
		return -1;
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text != NULL && (out->body = strdup(text)) != NULL)
		out->status = status;
	json_object_put(o);
	return out->body == NULL ? -1 : 0;
}

/* {"key": msg} with status. */
static int
message(struct uktv_webapi_answer *out, int status, const char *key,
    const char *msg)
{
	struct json_object *o;

	if ((o = json_object_new_object()) == NULL)
		return answer(out, status, NULL);
	if (uktv_items_json_add(o, key, json_object_new_string(msg)) == -1) {
		json_object_put(o);
		o = NULL;
	}
	return answer(out, status, o);
}

static int
fail(struct uktv_webapi_answer *out, int status, const char *msg)
{
	return message(out, status, "error", msg);
}

/*
 * A command that failed: out of memory (INTERNAL: an allocation, json-c)
 * is the caller's -1; anything else is the store's, after the client's
 * retries: 503 with its message (the error says what and where, never a
 * key or a token).
 */
static int
store_failed(struct uktv_webapi_answer *out, const struct uktv_error *err)
{
	if (err->kind == UKTV_ERR_INTERNAL) {
		out->status = 0;
		out->body = NULL;
		return -1;
	}
	return fail(out, 503, err->message[0] != '\0' ? err->message :
	    "the table cannot be reached");
}

/*
 * 404 "Path not found or method not allowed: METHOD PATH", as the
 * original's Lambda said it.  Bytes that are not printable ASCII are shown
 * %XX, so the message is one line of valid UTF-8 whatever the client sent.
 */
static int
not_found(struct uktv_webapi_answer *out, const char *method,
    const char *path)
{
	struct uktv_strbuf b = { 0 };
	const char *parts[2] = { method, path };
	const unsigned char *p;
	size_t i, n;
	char *msg;
	int rc;

	uktv_strbuf_add(&b, "Path not found or method not allowed:");
	for (i = 0; i < 2; i++) {
		uktv_strbuf_addc(&b, ' ');
		for (p = (const unsigned char *)parts[i], n = 0; *p != '\0';
		    p++, n++) {
			if (n == PATH_SHOWN_MAX) {
				uktv_strbuf_add(&b, "...");
				break;
			}
			if (*p > 0x20 && *p < 0x7f)
				uktv_strbuf_addc(&b, (char)*p);
			else
				uktv_strbuf_addf(&b, "%%%02X", *p);
		}
	}
	if ((msg = uktv_strbuf_take(&b)) == NULL)
		return answer(out, 404, NULL);
	rc = fail(out, 404, msg);
	free(msg);
	return rc;
}

/* What a prefsrun command yields and says, collected. */
struct collect {
	struct json_object	*objs;		/* what it emitted, in order */
	int			 oom;
	struct uktv_strbuf	 refused;	/* its warnings, "; " between */
};

static void
collect_emit(void *arg, struct json_object *obj)
{
	struct collect *c = arg;

	if (uktv_items_json_push(c->objs, obj) == -1)
		c->oom = 1;
}

/* Only the warnings matter here: they are what `uktv-prefs put` refuses
 * ("unknown source 999: nothing written"); the rest is the tool's -v. */
static void
collect_note(void *arg, enum uktv_guidenote_kind kind, const char *msg)
{
	struct collect *c = arg;

	if (kind != UKTV_GUIDENOTE_WARN)
		return;
	if (c->refused.len > 0)
		uktv_strbuf_add(&c->refused, "; ");
	uktv_strbuf_add(&c->refused, msg);
}

/* A run for api whose output goes to c; -1 on OOM. */
static int
run_init(struct uktv_prefsrun *pr, const struct uktv_webapi *api,
    struct collect *c)
{
	memset(c, 0, sizeof(*c));
	if ((c->objs = json_object_new_array()) == NULL)
		return -1;
	memset(pr, 0, sizeof(*pr));
	pr->aws = api->aws;
	pr->table = api->table;
	pr->validate = 1;	/* as uktv-prefs without --no-validate */
	pr->emit = collect_emit;
	pr->emit_arg = c;
	pr->note = collect_note;
	pr->note_arg = c;
	return 0;
}

static void
run_free(struct collect *c)
{
	json_object_put(c->objs);
	uktv_strbuf_free(&c->refused);
}

/* A command that did not yield its answer: rc -1 (with err) is the
 * store's failure; otherwise an emit could not keep an object (OOM). */
static int
run_failed(struct uktv_webapi_answer *out, int rc,
    const struct uktv_error *err)
{
	if (rc == -1)
		return store_failed(out, err);
	return answer(out, 0, NULL);
}

/* GET /sources, /genres: `uktv-prefs sources` / `genres`, by name. */
static int
reference(const struct uktv_webapi *api, enum uktv_prefs_kind k,
    struct uktv_webapi_answer *out)
{
	struct uktv_prefsrun pr;
	struct uktv_error err;
	struct collect c;
	int rc;

	if (run_init(&pr, api, &c) == -1)
		return answer(out, 0, NULL);
	uktv_error_clear(&err);
	rc = uktv_prefsrun_reference(&pr, k, 0, &err);
	if (rc != 0 || c.oom)
		rc = run_failed(out, rc, &err);
	else
		rc = answer(out, 200, json_object_get(c.objs));
	run_free(&c);
	return rc;
}

/* GET /preferences: `uktv-prefs get`, without its "user" (the page knows
 * who it is). */
static int
get_prefs(const struct uktv_webapi *api, const char *user,
    struct uktv_webapi_answer *out)
{
	struct uktv_prefsrun pr;
	struct uktv_error err;
	struct json_object *o;
	struct collect c;
	int rc;

	if (run_init(&pr, api, &c) == -1)
		return answer(out, 0, NULL);
	uktv_error_clear(&err);
	rc = uktv_prefsrun_get(&pr, user, &err);
	/* get emits its one object (not emitted: OOM). */
	if (rc != 0 || c.oom || json_object_array_length(c.objs) != 1)
		rc = run_failed(out, rc, &err);
	else {
		o = json_object_get(json_object_array_get_idx(c.objs, 0));
		json_object_object_del(o, "user");
		rc = answer(out, 200, o);
	}
	run_free(&c);
	return rc;
}

/* 400 with why: 1, or -1 on OOM. */
static int
refused(struct uktv_webapi_answer *out, const char *why)
{
	return fail(out, 400, why) == -1 ? -1 : 1;
}

/*
 * The body as the edit `uktv-prefs put USER -` makes of it: 0, or the
 * answer (400) already in out (1), or -1 on OOM.
 */
static int
put_body(const char *user, const char *body, size_t len,
    struct uktv_prefs_edit *e, struct uktv_webapi_answer *out)
{
	struct uktv_prefs p;
	struct uktv_error err;
	struct json_object *o;
	char *text;
	int rc;

	/* The server's 413 comes long before json-c's int length would
	 * not hold it; a library caller without that bound gets a 400. */
	if (len >= INT_MAX)
		return refused(out, "Invalid JSON in request body");
	/* The tokener wants the NUL after the text. */
	if ((text = malloc(len + 1)) == NULL)
		return answer(out, 0, NULL);
	if (len > 0)
		memcpy(text, body, len);
	text[len] = '\0';
	uktv_error_clear(&err);
	rc = uktv_prefs_json_doc(text, len, &o, &err);
	free(text);
	if (rc == -1 && err.kind != UKTV_ERR_INPUT)
		return answer(out, 0, NULL);
	/* The original's words for a body json.loads refused. */
	if (rc == -1)
		return refused(out, "Invalid JSON in request body");
	uktv_prefs_init(&p);
	if (uktv_prefs_body_from_json(o, user, &p, &err) == -1)
		rc = refused(out, err.message);
	else if (uktv_prefs_edit_from(e, &p) == -1)
		rc = answer(out, 0, NULL);
	json_object_put(o);
	uktv_prefs_clear(&p);
	return rc;
}

/* PUT /preferences: `uktv-prefs put USER -` with the body. */
static int
put_prefs(const struct uktv_webapi *api, const char *user, const char *body,
    size_t len, struct uktv_webapi_answer *out)
{
	struct uktv_prefs_edit e;
	struct uktv_prefsrun pr;
	struct uktv_error err;
	struct collect c;
	char *why;
	int rc;

	uktv_prefs_edit_init(&e);
	if ((rc = put_body(user, body, len, &e, out)) != 0) {
		uktv_prefs_edit_free(&e);
		return rc == -1 ? -1 : 0;
	}
	if (run_init(&pr, api, &c) == -1) {
		uktv_prefs_edit_free(&e);
		return answer(out, 0, NULL);
	}
	uktv_error_clear(&err);
	rc = uktv_prefsrun_put(&pr, user, &e, &err);
	if (rc == 1) {
		/* Unknown ids, each named in what put said ("unknown source
		 * 999: nothing written"). */
		if ((why = uktv_strbuf_take(&c.refused)) == NULL)
			rc = answer(out, 0, NULL);
		else
			rc = fail(out, 400, why[0] != '\0' ? why :
			    "an unknown id: nothing written");
		free(why);
	} else if (rc != 0)
		rc = run_failed(out, rc, &err);
	else
		rc = message(out, 200, "message",
		    "Preferences updated successfully");
	run_free(&c);
	uktv_prefs_edit_free(&e);
	return rc;
}

/*
 * A guide line as the original page reads a title: its fields always
 * there, user_rating a number (0 when the record has none, as the
 * original's Decimal default), the lists empty rather than absent.
 */
static int
page_title(struct json_object *line)
{
	struct json_object *v;

	if (!json_object_object_get_ex(line, "title", &v) &&
	    uktv_items_json_add(line, "title", json_object_new_string("")) == -1)
		return -1;
	if ((!json_object_object_get_ex(line, "user_rating", &v) ||
	    (!json_object_is_type(v, json_type_int) &&
	    !json_object_is_type(v, json_type_double))) &&
	    uktv_items_json_add(line, "user_rating", json_object_new_int(0)) == -1)
		return -1;
	if (!json_object_object_get_ex(line, "source_ids", &v) &&
	    uktv_items_json_add(line, "source_ids", json_object_new_array()) == -1)
		return -1;
	if (!json_object_object_get_ex(line, "genre_ids", &v) &&
	    uktv_items_json_add(line, "genre_ids", json_object_new_array()) == -1)
		return -1;
	return 0;
}

/* GET /titles, /recommendations: `uktv-prefs titles|recommendations USER
 * --enriched-only` (the original's rule: only titles with poster and
 * plot; recommendations user_rating > 7). */
static int
titles(const struct uktv_webapi *api, const char *user, int recommend,
    struct uktv_webapi_answer *out)
{
	struct uktv_prefs_guide_opts go = { 0 };
	struct uktv_prefsrun pr;
	struct uktv_error err;
	struct collect c;
	size_t i, n;
	int rc;

	go.enriched_only = 1;
	if (recommend) {
		go.use_min_rating = 1;
		go.min_rating = UKTV_PREFS_RECOMMEND_MIN;
	}
	if (run_init(&pr, api, &c) == -1)
		return answer(out, 0, NULL);
	uktv_error_clear(&err);
	rc = uktv_prefsrun_titles(&pr, user, &go, &err);
	n = json_object_array_length(c.objs);
	for (i = 0; rc == 0 && !c.oom && i < n; i++)
		if (page_title(json_object_array_get_idx(c.objs, i)) == -1)
			c.oom = 1;
	if (rc != 0 || c.oom)
		rc = run_failed(out, rc, &err);
	else
		rc = answer(out, 200, json_object_get(c.objs));
	run_free(&c);
	return rc;
}

int
uktv_webapi_handle(const struct uktv_webapi *api, const char *method,
    const char *path, const char *sub, const char *body, size_t body_len,
    struct uktv_webapi_answer *out)
{
	enum route r;

	out->status = 0;
	out->body = NULL;
	if (strcmp(method, "OPTIONS") == 0)
		return answer(out, 200, json_object_new_object());
	r = route_of(method, path);
	/* A sub that is no user id of the table (Cognito's are UUIDs) names
	 * nobody uktv can keep preferences for: as good as no token. */
	if (uktv_webapi_needs_user(method, path) &&
	    (sub == NULL || !uktv_user_id_valid(sub)))
		return fail(out, 401, "Unauthorized");
	switch (r) {
	case SOURCES:
		return reference(api, UKTV_PREFS_SOURCE, out);
	case GENRES:
		return reference(api, UKTV_PREFS_GENRE, out);
	case PREFS_GET:
		return get_prefs(api, sub, out);
	case PREFS_PUT:
		return put_prefs(api, sub, body, body_len, out);
	case TITLES:
	case RECOMMENDATIONS:
		return titles(api, sub, r == RECOMMENDATIONS, out);
	case NO_ROUTE:
		break;
	}
	return not_found(out, method, path);
}
