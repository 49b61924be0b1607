/*
 * private/sorted.h: sorted arrays for lib/guide's modules (not installed):
 * the place of a key, a zeroed slot opened there, a slot closed.  prefs
 * (ids, users) and titlestate (pairs, titles) each kept one by hand.
 */
#ifndef UKTV_PRIVATE_SORTED_H
#define UKTV_PRIVATE_SORTED_H

#include <stddef.h>

/*
 * The index of key in base[0..n) (elements of size, sorted by cmp(element,
 * key)), or of where it would go; *found says which.  The last element is
 * tried first: arrays filled in order (Scan pages, sorted files) find their
 * place at once.
 */
size_t	uktv_sorted_at(const void *base, size_t n, size_t size, const void *key,
	    int (*cmp)(const void *elem, const void *key), int *found);
/* Opens a zeroed slot at at in *v (*n elements of size, room for *cap;
 * grown by doubling from first).  NULL on OOM (nothing changed). */
void	*uktv_sorted_insert(void **v, size_t *n, size_t *cap, size_t size,
	    size_t at, size_t first);
/* Closes the slot at at (its contents are the caller's to free first). */
void	uktv_sorted_remove(void *v, size_t *n, size_t size, size_t at);

#endif
