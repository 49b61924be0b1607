/*
 * private/titlestate.h: titlestate's test seams (not installed): entry points only its
 * unit tests call.
 */
#ifndef UKTV_PRIVATE_TITLESTATE_H
#define UKTV_PRIVATE_TITLESTATE_H

#include "titlestate.h"

/*
 * The canonical text of a JSON value: compact, object keys sorted by their
 * bytes at every level, strings escaped as json-c does (no "\/").  Two
 * payloads with the same members in another order have the same text.
 * Caller frees; NULL on OOM.
 */
char	*uktv_titlestate_canonical(struct json_object *);

/* 1 if s is 1..UKTV_TITLESTATE_ID_MAX digits without a leading zero. */
int	uktv_titlestate_id_valid(const char *s);

/* The pair's entry, created at its place (complete 0, pages -1) when absent;
 * NULL on OOM or a bad key.  Valid until the pairs change. */
struct uktv_titlestate_pair *uktv_titlestate_pair_put(struct uktv_titlestate *,
	    const char *key);
/* 1 removed, 0 was not there. */
int	uktv_titlestate_pair_remove(struct uktv_titlestate *, const char *key);

/*
 * Reads a state from fp (name is used in messages: "FILE line N: ...").
 * st is cleared first.  A line that is not of the format: UKTV_ERR_INPUT
 * naming the line; a read error: UKTV_ERR_IO.
 */
int	uktv_titlestate_read(struct uktv_titlestate *, FILE *fp,
	    const char *name, struct uktv_error *);

/* "unchanged", "new", "changed", "refresh", "remove" (static). */
const char *uktv_titlestate_verdict_name(enum uktv_titlestate_verdict);

/* Writes the state to fp in the format above (saved_ms in the header). */
int	uktv_titlestate_write(const struct uktv_titlestate *, FILE *fp,
	    long long saved_ms, struct uktv_error *);

#endif
