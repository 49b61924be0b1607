/*
 * private/sbuf.h: a growing string for lib/guide's modules (not installed).
 * Appends never fail loudly: an allocation that fails sets oom and later
 * appends do nothing, so a builder checks once at the end.
 *
 *   struct uktv_sbuf b = { 0 };
 *   uktv_sbuf_add(&b, "a"); uktv_sbuf_addn(&b, s, n);
 *   if (b.oom) ... else use b.s (NUL-terminated; caller frees)
 */
#ifndef UKTV_PRIVATE_SBUF_H
#define UKTV_PRIVATE_SBUF_H

#include <stddef.h>

struct uktv_sbuf {
	char	*s;		/* NULL until something is added */
	size_t	 len, cap;
	int	 oom;
};

void	uktv_sbuf_addn(struct uktv_sbuf *, const char *s, size_t n);
void	uktv_sbuf_add(struct uktv_sbuf *, const char *s);

#endif
