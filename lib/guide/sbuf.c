/*
 * sbuf.c: see private/sbuf.h.  One copy of what titlestate (canonical JSON)
 * and watchmode (URLs) each grew by hand.
 */
#include <stdlib.h>
#include <string.h>

#include "private/sbuf.h"

void
uktv_sbuf_addn(struct uktv_sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->s, cap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
uktv_sbuf_add(struct uktv_sbuf *b, const char *s)
{
	uktv_sbuf_addn(b, s, strlen(s));
}
