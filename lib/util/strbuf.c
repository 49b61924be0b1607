/* strbuf.c: see strbuf.h. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

void
uktv_strbuf_reserve(struct uktv_strbuf *b, size_t more)
{
	size_t cap;
	char *s;

	if (b->failed)
		return;
	if (more > SIZE_MAX / 2 - b->len) {
		b->failed = 1;
		return;
	}
	if (b->len + more + 1 <= b->cap)
		return;
	cap = b->cap ? b->cap : 128;
	while (cap < b->len + more + 1)
		cap *= 2;
	if ((s = realloc(b->s, cap)) == NULL) {
		b->failed = 1;
		return;
	}
	b->s = s;
	b->cap = cap;
}

void
uktv_strbuf_addn(struct uktv_strbuf *b, const void *p, size_t n)
{
	uktv_strbuf_reserve(b, n);
	if (b->failed)
		return;
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
uktv_strbuf_add(struct uktv_strbuf *b, const char *s)
{
	uktv_strbuf_addn(b, s, strlen(s));
}

void
uktv_strbuf_addc(struct uktv_strbuf *b, char c)
{
	uktv_strbuf_addn(b, &c, 1);
}

void
uktv_strbuf_addf(struct uktv_strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = 1;
		return;
	}
	uktv_strbuf_reserve(b, (size_t)n);
	if (b->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *
uktv_strbuf_take(struct uktv_strbuf *b)
{
	char *s;

	uktv_strbuf_reserve(b, 0);
	if (b->failed) {
		free(b->s);
		s = NULL;
	} else {
		s = b->s;
		s[b->len] = '\0';
	}
	memset(b, 0, sizeof(*b));
	return s;
}

void
uktv_strbuf_free(struct uktv_strbuf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}
