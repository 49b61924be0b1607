/* secret.c: see secret.h. */
#include <stdlib.h>
#include <string.h>

#include "secret.h"

void
uktv_secret_wipe(char *s)
{
	if (s != NULL)
		explicit_bzero(s, strlen(s));
}

void
uktv_secret_free(char *s)
{
	uktv_secret_wipe(s);
	free(s);
}

void
uktv_secret_free_len(void *p, size_t len)
{
	if (p == NULL)
		return;
	explicit_bzero(p, len);
	free(p);
}
