/* error.c: see error.h. */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "error.h"

void
uktv_error_clear(struct uktv_error *err)
{
	if (err != NULL)
		memset(err, 0, sizeof(*err));
}

/* One line on stderr: a newline or other control character from a service
 * message or a config value would split it or drive the terminal. */
static void
one_line(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

int
uktv_error_setv(struct uktv_error *err, enum uktv_error_kind kind,
    const char *fmt, va_list ap)
{
	if (err == NULL)
		return -1;
	err->kind = kind;
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	one_line(err->message);
	return -1;
}

int
uktv_error_set(struct uktv_error *err, enum uktv_error_kind kind,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	uktv_error_setv(err, kind, fmt, ap);
	va_end(ap);
	return -1;
}

void
uktv_error_prefix(struct uktv_error *err, const char *fmt, ...)
{
	char pre[256], old[sizeof(err->message)];
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	memcpy(old, err->message, sizeof(old));
	strlcpy(err->message, pre, sizeof(err->message));
	strlcat(err->message, ": ", sizeof(err->message));
	strlcat(err->message, old, sizeof(err->message));
	one_line(err->message);
}

int
uktv_error_exit_code(const struct uktv_error *err)
{
	switch (err->kind) {
	case UKTV_ERR_NONE:		return 0;
	case UKTV_ERR_USAGE:		return 2;
	case UKTV_ERR_CONFIG:		return EX_CONFIG;
	case UKTV_ERR_NOPERM:		return EX_NOPERM;
	case UKTV_ERR_UNAVAILABLE:	return EX_UNAVAILABLE;
	case UKTV_ERR_QUOTA:		return EX_UNAVAILABLE;
	case UKTV_ERR_NOINPUT:		return EX_NOINPUT;
	case UKTV_ERR_CANTCREAT:	return EX_CANTCREAT;
	case UKTV_ERR_IO:		return EX_IOERR;
	case UKTV_ERR_INTERNAL:		return EX_SOFTWARE;
	case UKTV_ERR_SERVICE:
	case UKTV_ERR_NOTFOUND:
	case UKTV_ERR_INPUT:		return 1;
	}
	return 1;
}

const char *
uktv_error_kind_name(enum uktv_error_kind kind)
{
	static const char *const names[] = {
		"none", "usage", "config", "noperm", "unavailable", "service",
		"notfound", "input", "noinput", "cantcreat", "io", "quota",
		"internal"
	};

	if ((unsigned)kind < sizeof(names) / sizeof(names[0]))
		return names[kind];
	return "unknown";
}
