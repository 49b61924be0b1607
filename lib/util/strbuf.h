/*
 * strbuf.h: the one growing string of libuktv (SigV4's canonical requests,
 * S3's listings, Watchmode's URLs, the title state's canonical JSON).
 * Appends never fail loudly: an allocation that fails (or a length that
 * would overflow) sets failed, and later appends do nothing, so a builder
 * checks once at the end.
 *
 *   struct uktv_strbuf b = { 0 };
 *   uktv_strbuf_add(&b, "a"); uktv_strbuf_addn(&b, s, n);
 *   if ((s = uktv_strbuf_take(&b)) == NULL) ... out of memory
 */
#ifndef UKTV_STRBUF_H
#define UKTV_STRBUF_H

#include <stddef.h>

struct uktv_strbuf {
	char	*s;		/* NUL-terminated once anything is added */
	size_t	 len, cap;
	int	 failed;
};

/* Room for more bytes (and the NUL) without another allocation. */
void	uktv_strbuf_reserve(struct uktv_strbuf *, size_t more);
void	uktv_strbuf_addn(struct uktv_strbuf *, const void *p, size_t n);
void	uktv_strbuf_add(struct uktv_strbuf *, const char *s);
void	uktv_strbuf_addc(struct uktv_strbuf *, char c);
/* printf(3) into the buffer (DynamoDB's update expressions). */
void	uktv_strbuf_addf(struct uktv_strbuf *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* The string, handed to the caller (free(3)); "" when nothing was added,
 * NULL when an append failed.  The buffer is empty again after. */
char	*uktv_strbuf_take(struct uktv_strbuf *);
void	uktv_strbuf_free(struct uktv_strbuf *);

#endif
