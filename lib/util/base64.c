/* base64.c: see base64.h. */
#include <stdint.h>

#include "base64.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* 0-63 for the alphabet, 64 for anything else. */
static const uint8_t value[256] = {
#define X 64
	X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X, X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,
	X,X,X,X,X,X,X,X,X,X,X,62,X,X,X,63, 52,53,54,55,56,57,58,59,60,61,X,X,X,X,X,X,
	X,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14, 15,16,17,18,19,20,21,22,23,24,25,X,X,X,X,X,
	X,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,
	41,42,43,44,45,46,47,48,49,50,51,X,X,X,X,X,
	X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X, X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,
	X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X, X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,
	X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X, X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,
	X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X, X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X
#undef X
};

size_t
uktv_base64_encode(const void *src, size_t n, char *dst)
{
	const uint8_t *s = src;
	char *d = dst;
	uint32_t v;

	for (; n >= 3; n -= 3, s += 3) {
		v = (uint32_t)s[0] << 16 | (uint32_t)s[1] << 8 | s[2];
		d[0] = alphabet[v >> 18];
		d[1] = alphabet[(v >> 12) & 63];
		d[2] = alphabet[(v >> 6) & 63];
		d[3] = alphabet[v & 63];
		d += 4;
	}
	if (n > 0) {
		v = (uint32_t)s[0] << 16 | (n > 1 ? (uint32_t)s[1] << 8 : 0);
		d[0] = alphabet[v >> 18];
		d[1] = alphabet[(v >> 12) & 63];
		d[2] = n > 1 ? alphabet[(v >> 6) & 63] : '=';
		d[3] = '=';
		d += 4;
	}
	return (size_t)(d - dst);
}

int
uktv_base64_decode(const char *src, size_t n, void *dst, size_t *outlen)
{
	const uint8_t *s = (const uint8_t *)src;
	uint8_t *d = dst;
	uint8_t a, b, c, e;
	size_t i;

	if (n % 4 != 0) {
		*outlen = n - n % 4;
		return -1;
	}
	for (i = 0; i < n; i += 4) {
		a = value[s[i]];
		b = value[s[i + 1]];
		c = value[s[i + 2]];
		e = value[s[i + 3]];
		if ((a | b | c | e) < 64) {
			d[0] = (uint8_t)(a << 2 | b >> 4);
			d[1] = (uint8_t)(b << 4 | c >> 2);
			d[2] = (uint8_t)(c << 6 | e);
			d += 3;
			continue;
		}
		/* Only the last group may hold padding: "xx==" or "xxx=". */
		if (a == 64 || b == 64) {
			*outlen = i + (a == 64 ? 0 : 1);
			return -1;
		}
		if (i + 4 != n) {
			*outlen = i + (c == 64 ? 2 : 3);
			return -1;
		}
		if (c == 64) {
			if (s[i + 2] != '=' || s[i + 3] != '=' || (b & 15) != 0) {
				*outlen = i + 2;
				return -1;
			}
			*d++ = (uint8_t)(a << 2 | b >> 4);
		} else {
			if (s[i + 3] != '=' || (c & 3) != 0) {
				*outlen = i + 3;
				return -1;
			}
			d[0] = (uint8_t)(a << 2 | b >> 4);
			d[1] = (uint8_t)(b << 4 | c >> 2);
			d += 2;
		}
	}
	*outlen = (size_t)(d - (uint8_t *)dst);
	return 0;
}

static const char url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* The standard table with "-" and "_" in place of "+" and "/". */
static uint8_t
url_value(unsigned char c)
{
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	if (c == '+' || c == '/')
		return 64;
	return value[c];
}

size_t
uktv_base64url_encode(const void *src, size_t n, char *dst)
{
	const uint8_t *s = src;
	char *d = dst;
	uint32_t v;

	for (; n >= 3; n -= 3, s += 3) {
		v = (uint32_t)s[0] << 16 | (uint32_t)s[1] << 8 | s[2];
		d[0] = url_alphabet[v >> 18];
		d[1] = url_alphabet[(v >> 12) & 63];
		d[2] = url_alphabet[(v >> 6) & 63];
		d[3] = url_alphabet[v & 63];
		d += 4;
	}
	if (n > 0) {
		v = (uint32_t)s[0] << 16 | (n > 1 ? (uint32_t)s[1] << 8 : 0);
		*d++ = url_alphabet[v >> 18];
		*d++ = url_alphabet[(v >> 12) & 63];
		if (n > 1)
			*d++ = url_alphabet[(v >> 6) & 63];
	}
	return (size_t)(d - dst);
}

int
uktv_base64url_decode(const char *src, size_t n, void *dst, size_t *outlen)
{
	const uint8_t *s = (const uint8_t *)src;
	uint8_t *d = dst, v[4];
	size_t i, j, k;

	/* One character left over encodes no whole byte. */
	if (n % 4 == 1) {
		*outlen = n - 1;
		return -1;
	}
	for (i = 0; i < n; i += 4) {
		k = n - i < 4 ? n - i : 4;
		for (j = 0; j < k; j++)
			if ((v[j] = url_value(s[i + j])) == 64) {
				*outlen = i + j;
				return -1;
			}
		if (k == 4) {
			d[0] = (uint8_t)(v[0] << 2 | v[1] >> 4);
			d[1] = (uint8_t)(v[1] << 4 | v[2] >> 2);
			d[2] = (uint8_t)(v[2] << 6 | v[3]);
			d += 3;
		} else if (k == 3) {
			/* The unused low bits must be zero: one text per blob. */
			if ((v[2] & 3) != 0) {
				*outlen = i + 2;
				return -1;
			}
			d[0] = (uint8_t)(v[0] << 2 | v[1] >> 4);
			d[1] = (uint8_t)(v[1] << 4 | v[2] >> 2);
			d += 2;
		} else {
			if ((v[1] & 15) != 0) {
				*outlen = i + 1;
				return -1;
			}
			*d++ = (uint8_t)(v[0] << 2 | v[1] >> 4);
		}
	}
	*outlen = (size_t)(d - (uint8_t *)dst);
	return 0;
}
