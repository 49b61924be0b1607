/*
 * sorted.c: see private/sorted.h.
 */
#include <stdlib.h>
#include <string.h>

#include "private/sorted.h"

size_t
uktv_sorted_at(const void *base, size_t n, size_t size, const void *key,
    int (*cmp)(const void *, const void *), int *found)
{
	const char *b = base;
	size_t lo = 0, hi = n, mid;
	int c;

	*found = 0;
	if (n > 0 && (c = cmp(b + (n - 1) * size, key)) <= 0) {
		*found = c == 0;
		return c == 0 ? n - 1 : n;
	}
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = cmp(b + mid * size, key)) == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void *
uktv_sorted_insert(void **v, size_t *n, size_t *cap, size_t size, size_t at,
    size_t first)
{
	char *p;
	size_t ncap;

	if (*n == *cap) {
		ncap = *cap ? *cap * 2 : first;
		if ((p = reallocarray(*v, ncap, size)) == NULL)
			return NULL;
		*v = p;
		*cap = ncap;
	}
	p = (char *)*v + at * size;
	memmove(p + size, p, (*n - at) * size);
	memset(p, 0, size);
	(*n)++;
	return p;
}

void
uktv_sorted_remove(void *v, size_t *n, size_t size, size_t at)
{
	char *p = (char *)v + at * size;

	memmove(p, p + size, (*n - at - 1) * size);
	(*n)--;
}
