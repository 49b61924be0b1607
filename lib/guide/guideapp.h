/*
 * guideapp.h: the signed-in page that uktv-guide(1) writes with --app
 * beside the static site: app/index.html, app/app.js, app/app.css.
 *
 * The page is the original app's web page done again: a viewer signs in
 * with the Cognito hosted UI (implicit flow: the ID token comes back in
 * the URL fragment), and through uktv-api(1) chooses sources, genres and
 * favourites and reads their own titles and recommendations.  Its files
 * live in lib/guide/app/ and are built into the library (the Makefile
 * turns them into C arrays), so an installed uktv-guide needs no data
 * files.  Only index.html changes with the configuration: the API's
 * origin in its Content-Security-Policy (connect-src) and the settings as
 * a JSON block (<script type="application/json" id="config">: data, not
 * code, so the policy can forbid inline script).  Nothing time-dependent
 * is written: the same configuration gives the same bytes.
 */
#ifndef UKTV_GUIDEAPP_H
#define UKTV_GUIDEAPP_H

#include <stddef.h>

#include "error.h"
#include "guideview.h"

struct uktv_guideapp_config {
	const char	*api_url;	/* uktv-api's base URL, http(s) */
	const char	*user_pool;	/* REGION_ID, e.g. eu-west-2_AbC123 */
	const char	*client_id;	/* the page's app client */
	const char	*domain;	/* the hosted UI's host name */
	const char	*title;		/* the site's name; NULL "UK TV guide" */
};

/*
 * Checks one setting of cfg: 0, or -1 with why (the value's fault, to
 * follow the option's name in a usage error) and *bad set to 'a', 'p',
 * 'c' or 'd' for api_url, user_pool, client_id or domain.  api_url: an
 * absolute http(s) URL with a host and no user name, query or fragment;
 * user_pool: Cognito's REGION_ID form; client_id: 1-128 of [A-Za-z0-9_+];
 * domain: a host name only (no scheme, port or path).
 */
int	uktv_guideapp_check(const struct uktv_guideapp_config *, char *bad,
	    char *why, size_t whylen);

/* Adds app/index.html, app/app.js and app/app.css to site.  cfg must have
 * passed uktv_guideapp_check.  0, or -1 with err (out of memory). */
int	uktv_guideapp_render(const struct uktv_guideapp_config *,
	    struct uktv_site *, struct uktv_error *);

#endif
