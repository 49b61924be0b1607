/*
 * fuzz_webapi.c: the routes of uktv-api (lib/guide/webapi.c): a request's
 * method, path, signed-in user and body as uktv_webapi_needs_user and
 * uktv_webapi_handle take them, the table answered by the fake transport
 * (the JWT itself is fuzz_jwt's: here the sub is what a checked token
 * gave, or none).
 *
 * Input: one settings byte (bit 0: no signed-in user, the sub field is
 * ignored; bit 1: an empty body is given as NULL), then the method, '\n',
 * the path, '\n', the sub, '\n', the body up to FUZZ_HTTP_SEP, then the
 * transport script (fuzz.h) that answers DynamoDB (without FUZZ_HTTP_SEP
 * the body runs to the end and every request fails).
 *
 * Checks, beyond "no crash, no leak": the status is one the route can
 * give (OPTIONS 200; /sources, /genres 200 or 503; the user's routes 200,
 * 401 or 503, PUT /preferences 400 too; anything else 401 or 404); the
 * body is one JSON value json-c reads in strict mode, {"error":"..."}
 * for every status but 200, and of the route's shape for a 200; a route
 * needing a user answers 401 exactly when there is none (or the sub is no
 * user id) and asks the table nothing then; a 404 asks nothing either,
 * and its message is the original's words, one line, no control
 * character, bounded whatever the path's length; a 400 writes nothing, a
 * body json-c cannot read at all is that 400, and no route but PUT
 * /preferences writes; a 503's message is one line without secrets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "aws.h"
#include "parse.h"
#include "prefs.h"
#include "webapi.h"
#include "fuzz.h"

#define FUZZ_TABLE	"UKTVProgrammes"
#define NOT_FOUND	"Path not found or method not allowed: "
/* A 404's message, whatever the path's length (webapi.c shows at most 256
 * bytes of the method and of the path, each as at most "%XX"). */
#define NOT_FOUND_MAX	2048
#define PUT_OK		"Preferences updated successfully"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_env();
	return 0;
}

/* The answer's body as one strict JSON value (NULL: it is not one). */
static struct json_object *
strict_parse(const char *text)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;
	size_t len = strlen(text);

	if (tok == NULL)
		abort();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, text, (int)len);
	if (o != NULL && (json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len)) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

/* 1 when json-c cannot read body[0..len) as JSON even leniently (nothing
 * complete in it): then webapi.c, which reads strictly, must refuse it. */
static int
unreadable(const char *body, size_t len)
{
	struct json_tokener *tok;
	struct json_object *o;

	if (len == 0)
		return 1;
	if ((tok = json_tokener_new_ex(1000)) == NULL)
		abort();
	o = json_tokener_parse_ex(tok, body, (int)len);
	json_tokener_free(tok);
	if (o == NULL)
		return 1;
	json_object_put(o);
	return 0;
}

static const char *
member_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* An array of ids, as strings. */
static int
id_list(struct json_object *o, const char *key)
{
	struct json_object *a, *v;

	if (!json_object_object_get_ex(o, key, &a) ||
	    !json_object_is_type(a, json_type_array))
		return 0;
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		v = json_object_array_get_idx(a, i);
		if (!json_object_is_type(v, json_type_string) ||
		    !uktv_prefs_id_valid(json_object_get_string(v)))
			return 0;
	}
	return 1;
}

/* {"error": one line}, the only member. */
static const char *
error_message(struct json_object *o)
{
	const char *msg;

	FUZZ_CHECK(json_object_is_type(o, json_type_object) &&
	    json_object_object_length(o) == 1 &&
	    (msg = member_str(o, "error")) != NULL,
	    "an error answer that is not {\"error\":\"...\"}");
	FUZZ_CHECK(msg[0] != '\0' && strchr(msg, '\n') == NULL &&
	    strchr(msg, '\r') == NULL, "an error message not one line");
	return msg;
}

/* The 404: the original's words, then what the client sent, shown so
 * that no byte of it can break a line, a log or a page. */
static void
check_not_found(const char *msg, const char *method, const char *path)
{
	size_t n = strlen(msg);
	char *want;

	FUZZ_CHECK(strncmp(msg, NOT_FOUND, strlen(NOT_FOUND)) == 0,
	    "a 404 without the original's words");
	FUZZ_CHECK(n <= NOT_FOUND_MAX, "a 404 message past its bound");
	/* webapi.c shows every byte outside printable ASCII as %XX, which
	 * keeps C0, DEL, C1 controls and invalid UTF-8 out alike. */
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++)
		FUZZ_CHECK(*p >= 0x20 && *p < 0x7f,
		    "a control or non-ASCII byte in a 404 message");
	/* A plain request line is quoted as it came. */
	if (strlen(method) <= 256 && strlen(path) <= 256 &&
	    strspn(method, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == strlen(method) &&
	    method[0] != '\0' &&
	    strspn(path, "/abcdefghijklmnopqrstuvwxyz0123456789-_.") ==
	    strlen(path) && path[0] != '\0') {
		if (asprintf(&want, NOT_FOUND "%s %s", method, path) == -1)
			abort();
		FUZZ_CHECK(strcmp(msg, want) == 0,
		    "a 404 that does not quote METHOD PATH");
		free(want);
	}
}

/* GET /sources, /genres: [{"id","name"}]. */
static void
check_reference(struct json_object *o)
{
	FUZZ_CHECK(json_object_is_type(o, json_type_array),
	    "a reference list that is not an array");
	for (size_t i = 0; i < json_object_array_length(o); i++) {
		struct json_object *e = json_object_array_get_idx(o, i);
		const char *id;

		FUZZ_CHECK(json_object_is_type(e, json_type_object) &&
		    (id = member_str(e, "id")) != NULL &&
		    uktv_prefs_id_valid(id) && member_str(e, "name") != NULL,
		    "a reference entry without a string id and name");
	}
}

/* GET /titles, /recommendations: the original page's title fields. */
static void
check_titles(struct json_object *o, int recommend)
{
	static const char *const strs[] = { "title", "plot_overview", "poster" };
	struct json_object *t, *r;

	FUZZ_CHECK(json_object_is_type(o, json_type_array),
	    "titles that are not an array");
	for (size_t i = 0; i < json_object_array_length(o); i++) {
		const char *id;

		t = json_object_array_get_idx(o, i);
		FUZZ_CHECK(json_object_is_type(t, json_type_object) &&
		    (id = member_str(t, "id")) != NULL &&
		    uktv_prefs_id_valid(id), "a title without an id");
		for (size_t k = 0; k < sizeof(strs) / sizeof(strs[0]); k++)
			FUZZ_CHECK(json_object_object_get_ex(t, strs[k], NULL),
			    "a title without a field the page reads");
		/* --enriched-only: the original kept only these. */
		FUZZ_CHECK(member_str(t, "poster") != NULL &&
		    member_str(t, "poster")[0] != '\0' &&
		    member_str(t, "plot_overview") != NULL &&
		    member_str(t, "plot_overview")[0] != '\0',
		    "a title without a poster and a plot");
		FUZZ_CHECK(json_object_object_get_ex(t, "user_rating", &r) &&
		    (json_object_is_type(r, json_type_int) ||
		    json_object_is_type(r, json_type_double)),
		    "a user_rating that is not a number");
		if (recommend)
			FUZZ_CHECK(json_object_get_double(r) > 7,
			    "a recommendation rated 7 or less");
		FUZZ_CHECK(id_list(t, "source_ids") && id_list(t, "genre_ids"),
		    "source_ids or genre_ids not a list of ids");
	}
}

/* A 200 of the route's shape. */
static void
check_ok(struct json_object *o, const char *method, const char *path)
{
	if (strcmp(method, "OPTIONS") == 0) {
		FUZZ_CHECK(json_object_is_type(o, json_type_object) &&
		    json_object_object_length(o) == 0, "OPTIONS is not {}");
		FUZZ_CHECK(fuzz_http_requests() == 0,
		    "the table asked for an OPTIONS");
		return;
	}
	if (strcmp(path, "/sources") == 0 || strcmp(path, "/genres") == 0)
		check_reference(o);
	else if (strcmp(method, "PUT") == 0) {
		const char *m = json_object_is_type(o, json_type_object) ?
		    member_str(o, "message") : NULL;

		FUZZ_CHECK(m != NULL && strcmp(m, PUT_OK) == 0 &&
		    json_object_object_length(o) == 1,
		    "a PUT answer that is not the original's message");
	} else if (strcmp(path, "/preferences") == 0)
		FUZZ_CHECK(json_object_is_type(o, json_type_object) &&
		    json_object_object_length(o) == 3 &&
		    id_list(o, "sources") && id_list(o, "genres") &&
		    id_list(o, "favourites"),
		    "preferences that are not three lists of ids");
	else
		check_titles(o, strcmp(path, "/recommendations") == 0);
}

/* The statuses METHOD PATH can answer with a user (or, public, without). */
static int
allowed(int status, const char *method, const char *path)
{
	if (strcmp(method, "OPTIONS") == 0)
		return status == 200;
	if (strcmp(method, "GET") == 0 && (strcmp(path, "/sources") == 0 ||
	    strcmp(path, "/genres") == 0 || strcmp(path, "/preferences") == 0 ||
	    strcmp(path, "/titles") == 0 ||
	    strcmp(path, "/recommendations") == 0))
		return status == 200 || status == 503;
	if (strcmp(method, "PUT") == 0 && strcmp(path, "/preferences") == 0)
		return status == 200 || status == 400 || status == 503;
	return status == 404;
}

static void
check_answer(const struct uktv_webapi_answer *a, const char *method,
    const char *path, const char *sub, const char *body, size_t body_len)
{
	struct json_object *o;
	const char *msg = NULL;
	int needs, anon;

	FUZZ_CHECK(a->body != NULL, "an answer without a body");
	if ((o = strict_parse(a->body)) == NULL) {
		fprintf(stderr, "status %d body: %s\n", a->status, a->body);
		FUZZ_CHECK(0, "the body is not one strict JSON value");
	}
	needs = uktv_webapi_needs_user(method, path);
	anon = sub == NULL || !uktv_user_id_valid(sub);
	/* The original checked the token before the path. */
	FUZZ_CHECK((a->status == 401) == (needs && anon),
	    "401 for a signed-in or public request, or a user's route "
	    "served without one");
	if (a->status == 401) {
		FUZZ_CHECK(strcmp(error_message(o), "Unauthorized") == 0,
		    "a 401 that is not Unauthorized");
		FUZZ_CHECK(fuzz_http_requests() == 0,
		    "the table asked for a request without a user");
		json_object_put(o);
		return;
	}
	if (!allowed(a->status, method, path)) {
		fprintf(stderr, "%s %s: status %d\n", method, path, a->status);
		FUZZ_CHECK(0, "a status the route cannot give");
	}
	if (a->status != 200)
		msg = error_message(o);
	switch (a->status) {
	case 200:
		check_ok(o, method, path);
		break;
	case 400:
		FUZZ_CHECK(fuzz_http_writes() == 0, "a 400 that wrote");
		break;
	case 404:
		check_not_found(msg, method, path);
		FUZZ_CHECK(fuzz_http_requests() == 0,
		    "the table asked for a path that is not found");
		break;
	case 503:
		FUZZ_CHECK(fuzz_http_requests() > 0,
		    "a 503 without asking the table");
		if (!fuzz_http_script_has(FUZZ_AWS_SECRET))
			FUZZ_CHECK(strstr(msg, FUZZ_AWS_SECRET) == NULL,
			    "secret key in a 503");
		if (!fuzz_http_script_has(FUZZ_AWS_TOKEN))
			FUZZ_CHECK(strstr(msg, FUZZ_AWS_TOKEN) == NULL,
			    "session token in a 503");
		break;
	}
	if (strcmp(method, "PUT") == 0 && strcmp(path, "/preferences") == 0) {
		if (unreadable(body, body_len)) {
			FUZZ_CHECK(a->status == 400 && strcmp(msg,
			    "Invalid JSON in request body") == 0,
			    "a body that is no JSON not refused as such");
			FUZZ_CHECK(fuzz_http_requests() == 0,
			    "the table asked for a body that is no JSON");
		}
	} else
		FUZZ_CHECK(fuzz_http_writes() == 0, "a route that reads wrote");
	json_object_put(o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uktv_aws_opts ao = { 0 };
	struct uktv_webapi api;
	struct uktv_webapi_answer a;
	struct uktv_error err;
	struct fuzz_in in;
	const uint8_t *sep;
	char *method, *path, *sub, *body;
	size_t body_len;
	unsigned op;

	if (size < 1)
		return 0;
	in.p = data;
	in.n = size;
	op = fuzz_byte(&in);
	method = fuzz_field(&in, '\n');
	path = fuzz_field(&in, '\n');
	sub = fuzz_field(&in, '\n');
	sep = memmem(in.p, in.n, FUZZ_HTTP_SEP, strlen(FUZZ_HTTP_SEP));
	body_len = sep != NULL ? (size_t)(sep - in.p) : in.n;
	/* An exact copy, so ASan sees a read past the body's end. */
	if ((body = malloc(body_len > 0 ? body_len : 1)) == NULL)
		abort();
	if (body_len > 0)
		memcpy(body, in.p, body_len);
	if (sep != NULL) {
		sep += strlen(FUZZ_HTTP_SEP);
		fuzz_http_script(sep, size - (size_t)(sep - data));
	} else
		fuzz_http_reset();	/* no script: every request fails */

	uktv_error_clear(&err);
	if ((api.aws = uktv_aws_new(&ao, &err)) == NULL)
		abort();
	api.table = FUZZ_TABLE;
	FUZZ_CHECK(uktv_webapi_handle(&api, method, path,
	    (op & 1) ? NULL : sub, (op & 2) && body_len == 0 ? NULL : body,
	    body_len, &a) == 0, "handle failed (out of memory?)");
	check_answer(&a, method, path, (op & 1) ? NULL : sub, body, body_len);
	uktv_webapi_answer_free(&a);
	uktv_aws_free(api.aws);
	fuzz_http_reset();
	free(method);
	free(path);
	free(sub);
	free(body);
	return 0;
}
