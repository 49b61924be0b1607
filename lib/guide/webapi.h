/*
 * webapi.h: the original app's web API (the page's GET/PUT /preferences,
 * GET /sources, /genres, /titles, /recommendations) as answers, with no
 * HTTP in it: uktv-api(1) reads the request, verifies the Cognito token,
 * calls uktv_webapi_handle and writes what it answers (adding the CORS
 * headers and Content-Type; a body over 16 KiB is its 413, never asked
 * here).
 *
 * Every route is what uktv-prefs(1) does for the same user (the user id is
 * the token's sub claim, its items PK "userpref:<sub>"), through
 * lib/guide/prefsrun and prefs, so the two never disagree:
 *   OPTIONS any           200 {}
 *   GET /sources, /genres 200 [{"id","name"}]: `uktv-prefs sources`
 *   GET /preferences      200 {"sources","genres","favourites"}: `get`
 *   PUT /preferences      200 {"message":"Preferences updated successfully"}:
 *                         `put USER -`: the lists in the body replace the
 *                         stored ones (only the difference is written), a
 *                         list absent is kept, ids checked against the
 *                         reference items
 *   GET /titles           200 [title]: `titles USER --enriched-only`
 *   GET /recommendations  200 [title]: `recommendations USER --enriched-only`
 * A title is {"id","title","plot_overview","poster","user_rating",
 * "source_ids","genre_ids"} (user_rating a number, 0 when the record has
 * none) plus "year", "type" and "sources" (GB offers) where the record has
 * them.  Errors are {"error":"..."}: 400 for a body that is not one JSON
 * document ("Invalid JSON in request body") or whose lists are not lists of
 * ids, or that names an unknown source or genre (nothing written); 401
 * "Unauthorized" without a user where one is needed; 404 "Path not found or
 * method not allowed: METHOD PATH"; 503 with the store's error when the
 * table cannot be read or written after the client's retries.
 *
 * One struct uktv_webapi per worker thread (its client holds one curl
 * handle); the calls keep no state between requests.
 */
#ifndef UKTV_WEBAPI_H
#define UKTV_WEBAPI_H

#include <stddef.h>

#include "aws.h"

struct uktv_webapi {
	struct uktv_aws	*aws;
	const char	*table;
};

struct uktv_webapi_answer {
	int	 status;
	char	*body;		/* JSON text; caller frees with _answer_free */
};

/* 1 when METHOD PATH needs a signed-in user: everything but OPTIONS and
 * GET /sources, GET /genres (the original checked the token before the
 * path, so an unknown path without one is 401, not 404). */
int	uktv_webapi_needs_user(const char *method, const char *path);

/*
 * Answers METHOD PATH for sub (the signed-in user's sub claim, or NULL when
 * there is no valid token) with body[0..body_len) (may be NULL when
 * body_len is 0).  Fills out always and returns 0; -1 only when out of
 * memory (then out is {0, NULL}).
 */
int	uktv_webapi_handle(const struct uktv_webapi *, const char *method,
	    const char *path, const char *sub, const char *body,
	    size_t body_len, struct uktv_webapi_answer *out);
void	uktv_webapi_answer_free(struct uktv_webapi_answer *);

#endif
