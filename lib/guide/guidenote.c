/*
 * guidenote.c: see guidenote.h.
 */
#include <stdarg.h>
#include <stdio.h>

#include "guidenote.h"

void
uktv_guidenote(uktv_guidenote_fn fn, void *arg, enum uktv_guidenote_kind kind,
    const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (fn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fn(arg, kind, msg);
}
