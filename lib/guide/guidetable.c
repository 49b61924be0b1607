/*
 * guidetable.c: see guidetable.h.
 */
#include <string.h>

#include "guidetable.h"

int
uktv_guidetable_resolve(const char *opt, const char *env, const char **name,
    const char **from, struct uktv_error *err)
{
	const char *t = opt, *f = UKTV_GUIDETABLE_FROM_OPT;
	size_t n;

	if (t == NULL) {
		t = env;
		f = UKTV_GUIDETABLE_FROM_ENV;
		if (t == NULL || *t == '\0') {
			t = UKTV_GUIDETABLE_DEFAULT;
			f = UKTV_GUIDETABLE_FROM_DEFAULT;
		}
	}
	/* DynamoDB's naming rule. */
	n = strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_.-");
	if (t[n] != '\0' || n < 3 || n > 255)
		return uktv_error_set(err, UKTV_ERR_USAGE, "bad table name "
		    "'%.255s' (3-255 of A-Za-z0-9_.-)%s", t,
		    opt != NULL ? "" : " in " UKTV_GUIDETABLE_ENV);
	*name = t;
	*from = f;
	return 0;
}
