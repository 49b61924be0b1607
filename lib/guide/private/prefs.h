/*
 * private/prefs.h: prefs's test seams (not installed): entry points only its
 * unit tests call.
 */
#ifndef UKTV_PRIVATE_PREFS_H
#define UKTV_PRIVATE_PREFS_H

#include "prefs.h"

/* 1 removed, 0 was not there. */
int	uktv_prefs_ids_remove(struct uktv_prefs_ids *, const char *id);
int	uktv_prefs_ids_has(const struct uktv_prefs_ids *, const char *id);

/* The user's entry, created (empty, present 0) at its place if absent.
 * NULL on OOM.  The pointer is valid until the set changes. */
struct uktv_prefs *uktv_prefs_set_user(struct uktv_prefs_set *, const char *user);
const struct uktv_prefs *uktv_prefs_set_find(const struct uktv_prefs_set *,
	    const char *user);

/* 1 if the edit asks for nothing at all. */
int	uktv_prefs_edit_empty(const struct uktv_prefs_edit *);

/* target := current with the edit applied (target->user copied). */
int	uktv_prefs_edit_apply(const struct uktv_prefs *current,
	    const struct uktv_prefs_edit *, struct uktv_prefs *target);

struct uktv_prefs_change {
	enum uktv_prefs_kind	 kind;
	const char		*id;		/* borrowed from the lists */
	int			 del;		/* 1 delete, 0 put */
};
typedef int (*uktv_prefs_change_fn)(const struct uktv_prefs_change *, void *arg);
/* Calls fn for every item to put or delete to turn `from` into `to`, by kind
 * then id order.  Returns the number of changes, or -1 when fn did. */
long	uktv_prefs_diff(const struct uktv_prefs *from, const struct uktv_prefs *to,
	    uktv_prefs_change_fn, void *arg);

#endif
