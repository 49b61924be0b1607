/*
 * private/watchmode.h: the Watchmode client's test seam (not installed).
 */
#ifndef UKTV_PRIVATE_WATCHMODE_H
#define UKTV_PRIVATE_WATCHMODE_H

#include "http.h"
#include "error.h"

/*
 * Turns a non-2xx answer of endpoint (e.g.
 * "/v1/sources/") into err, with key (may be NULL) masked out of any text
 * Watchmode sent back.  Always returns -1.
 */
int	uktv_watchmode_answer_error(const char *endpoint,
	    const struct uktv_http_response *, const char *key, struct uktv_error *);

#endif
