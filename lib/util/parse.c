/* parse.c: see parse.h. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

#define IS_DIGIT(c)	((c) >= '0' && (c) <= '9')

int
uktv_parse_hexdigit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
fail(int errnum)
{
	errno = errnum;
	return -1;
}

int
uktv_parse_seconds(const char *s, long *ms)
{
	long secs = 0, frac = 0, scale = 100;
	int digits = 0, finer = 0;

	if (s == NULL)
		return fail(EINVAL);
	for (; IS_DIGIT(*s); s++, digits++) {
		secs = secs * 10 + (*s - '0');
		if (secs > UKTV_CLI_MAX_SECONDS)
			return fail(ERANGE);	/* also stops any overflow */
	}
	if (*s == '.') {
		s++;
		if (!IS_DIGIT(*s))
			return fail(EINVAL);	/* "5." "." */
		for (; IS_DIGIT(*s); s++, digits++) {
			if (scale > 0) {
				frac += (*s - '0') * scale;
				scale /= 10;
			} else if (*s != '0')
				finer = 1;
		}
	}
	if (digits == 0 || *s != '\0')
		return fail(EINVAL);
	if (finer)
		frac++;
	if (secs * 1000 + frac > UKTV_CLI_MAX_SECONDS * 1000)
		return fail(ERANGE);
	*ms = secs * 1000 + frac;
	return 0;
}

int
uktv_parse_size(const char *s, size_t *out)
{
	size_t v = 0, mult = 1;
	int digits = 0;

	if (s == NULL)
		return fail(EINVAL);
	for (; IS_DIGIT(*s); s++, digits++) {
		if (v > (SIZE_MAX - (size_t)(*s - '0')) / 10)
			return fail(ERANGE);
		v = v * 10 + (size_t)(*s - '0');
	}
	if (digits == 0)
		return fail(EINVAL);
	if (*s == 'K' || *s == 'k')
		mult = (size_t)1 << 10;
	else if (*s == 'M' || *s == 'm')
		mult = (size_t)1 << 20;
	if (mult != 1)
		s++;
	if (*s != '\0')
		return fail(EINVAL);
	if (v > SIZE_MAX / mult)
		return fail(ERANGE);
	*out = v * mult;
	return 0;
}

int
uktv_parse_uint(const char *s, long long min, long long max,
    long long *out)
{
	const char *errstr;
	const char *p;
	long long v;

	/* strtonum alone would take spaces and a sign (it is strtoll). */
	if (s == NULL || *s == '\0')
		return fail(EINVAL);
	for (p = s; *p != '\0'; p++)
		if (!IS_DIGIT(*p))
			return fail(EINVAL);
	v = strtonum(s, min, max, &errstr);
	if (errstr != NULL)
		return fail(ERANGE);	/* digits only: "too small/large" */
	*out = v;
	return 0;
}

void
uktv_parse_idlist_free(char **ids, size_t n)
{
	size_t i;

	if (ids == NULL)
		return;
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

int
uktv_parse_idlist(const char *s, char ***ids, size_t *n)
{
	const char *p, *start, *end;
	char **v = NULL;
	size_t count = 1, k = 0, i, j;
	int rc = EINVAL;

	if (s == NULL)
		return fail(EINVAL);
	for (p = s; *p == ' ' || *p == '\t'; p++)
		;
	if (*p == '\0') {
		*ids = NULL;
		*n = 0;
		return 0;
	}
	for (p = s; *p != '\0'; p++)
		if (*p == ',')
			count++;
	if ((v = calloc(count, sizeof(*v))) == NULL)
		return -1;
	for (p = s; ; p++) {
		while (*p == ' ' || *p == '\t')
			p++;
		for (start = p; IS_DIGIT(*p); p++)
			;
		end = p;
		while (*p == ' ' || *p == '\t')
			p++;
		if (end == start || (*p != ',' && *p != '\0'))
			goto bad;
		if (end - start > UKTV_CLI_MAX_ID_DIGITS) {
			rc = ERANGE;	/* digits, but too many of them */
			goto bad;
		}
		/* "0203" is "203"; "000" is "0". */
		while (end - start > 1 && *start == '0')
			start++;
		if ((v[k] = strndup(start, (size_t)(end - start))) == NULL) {
			rc = ENOMEM;
			goto bad;
		}
		k++;
		if (*p == '\0')
			break;
	}
	uktv_qsort(v, k, sizeof(*v), uktv_id_cmp);
	for (i = 0, j = 0; i < k; i++) {
		if (j > 0 && strcmp(v[j - 1], v[i]) == 0)
			free(v[i]);
		else
			v[j++] = v[i];
	}
	*ids = v;
	*n = j;
	return 0;
bad:
	uktv_parse_idlist_free(v, k);
	return fail(rc);
}

int
uktv_user_id_valid(const char *s)
{
	size_t i;
	char c;

	if (s == NULL)
		return 0;
	for (i = 0; (c = s[i]) != '\0'; i++) {
		if (i >= UKTV_USER_ID_MAX)
			return 0;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    IS_DIGIT(c) || c == '.' || c == '_' || c == '@' ||
		    c == '+' || c == '-'))
			return 0;
	}
	return i > 0;
}

int
uktv_cmp_decimal(const char *a, const char *b)
{
	size_t la, lb;
	int r;

	while (*a == '0')
		a++;
	while (*b == '0')
		b++;
	la = strlen(a);
	lb = strlen(b);
	if (la != lb)
		return la < lb ? -1 : 1;
	r = memcmp(a, b, la);
	return (r > 0) - (r < 0);
}

int
uktv_id_cmp(const void *a, const void *b)
{
	return uktv_cmp_decimal(*(const char *const *)a,
	    *(const char *const *)b);
}

void
uktv_qsort(void *base, size_t n, size_t size,
    int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

void *
uktv_bsearch(const void *key, const void *base, size_t n, size_t size,
    int (*cmp)(const void *, const void *))
{
	if (n == 0)
		return NULL;
	return bsearch(key, base, n, size, cmp);
}
