/*
 * html.c: see html.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "html.h"

void
uktv_html_init(struct uktv_html *h)
{
	memset(h, 0, sizeof(*h));
}

void
uktv_html_free(struct uktv_html *h)
{
	free(h->s);
	memset(h, 0, sizeof(*h));
}

char *
uktv_html_take(struct uktv_html *h, size_t *len)
{
	char *s;

	if (h->failed || (h->s == NULL && (h->s = strdup("")) == NULL)) {
		uktv_html_free(h);
		return NULL;
	}
	s = h->s;
	if (len != NULL)
		*len = h->len;
	memset(h, 0, sizeof(*h));
	return s;
}

static void
add(struct uktv_html *h, const char *p, size_t n)
{
	char *s;
	size_t cap;

	if (h->failed)
		return;
	if (h->len + n + 1 > h->cap) {
		cap = h->cap ? h->cap : 1024;
		while (cap < h->len + n + 1)
			cap *= 2;
		if ((s = realloc(h->s, cap)) == NULL) {
			h->failed = 1;
			return;
		}
		h->s = s;
		h->cap = cap;
	}
	memcpy(h->s + h->len, p, n);
	h->len += n;
	h->s[h->len] = '\0';
}

void
uktv_html_raw(struct uktv_html *h, const char *markup)
{
	add(h, markup, strlen(markup));
}

void
uktv_html_rawf(struct uktv_html *h, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		h->failed = 1;
		return;
	}
	add(h, s, (size_t)n);
	free(s);
}

size_t
uktv_html_utf8_next(const char *str, size_t n, unsigned long *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned long c, min;
	size_t len, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Characters HTML does not allow in text (WHATWG HTML, "Preprocessing the
 * input stream": controls other than white space, and noncharacters). */
static int
forbidden(unsigned long c)
{
	if (c < 0x20)
		return c != '\t' && c != '\n';
	if (c >= 0x7f && c <= 0x9f)
		return 1;
	if (c >= 0xfdd0 && c <= 0xfdef)
		return 1;
	return (c & 0xfffe) == 0xfffe;
}

#define REPLACEMENT	"\xef\xbf\xbd"	/* U+FFFD */

void
uktv_html_textn(struct uktv_html *h, const char *s, size_t n)
{
	unsigned long c;
	size_t i = 0, run = 0, k;

	if (s == NULL)
		return;
	/* Runs of plain characters are copied at once. */
	while (i < n) {
		const char *rep = NULL;

		k = uktv_html_utf8_next(s + i, n - i, &c);
		if (k == 0) {
			rep = REPLACEMENT;
			k = 1;
		} else if (c == '&')
			rep = "&amp;";
		else if (c == '<')
			rep = "&lt;";
		else if (c == '>')
			rep = "&gt;";
		else if (c == '"')
			rep = "&quot;";
		else if (c == '\'')
			rep = "&#39;";
		else if (c == '\r')
			rep = "\n";
		else if (forbidden(c))
			rep = REPLACEMENT;
		if (rep == NULL) {
			i += k;
			run += k;
			continue;
		}
		add(h, s + i - run, run);
		run = 0;
		add(h, rep, strlen(rep));
		i += k;
	}
	add(h, s + i - run, run);
}

void
uktv_html_text(struct uktv_html *h, const char *s)
{
	if (s != NULL)
		uktv_html_textn(h, s, strlen(s));
}

int
uktv_html_url_ok(const char *url)
{
	const char *host;
	const unsigned char *p;

	if (strncasecmp(url, "https://", 8) == 0)
		host = url + 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		host = url + 7;
	else
		return 0;
	if (*host == '\0' || *host == '/' || *host == '?' || *host == '#')
		return 0;
	for (p = (const unsigned char *)url; *p != '\0'; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

void
uktv_html_url(struct uktv_html *h, const char *url)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	char e[3];

	for (p = (const unsigned char *)url; *p != '\0'; p++) {
		if (*p == '&')
			add(h, "&amp;", 5);
		else if (*p <= 0x20 || *p >= 0x7f || strchr("\"'<>\\^`{|}", *p)) {
			e[0] = '%';
			e[1] = hex[*p >> 4];
			e[2] = hex[*p & 15];
			add(h, e, 3);
		} else
			add(h, (const char *)p, 1);
	}
}

void
uktv_html_path(struct uktv_html *h, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	char e[3];

	for (p = (const unsigned char *)path; *p != '\0'; p++) {
		unsigned char c = *p;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~' || c == '/')
			add(h, (const char *)p, 1);
		else {
			e[0] = '%';
			e[1] = hex[c >> 4];
			e[2] = hex[c & 15];
			add(h, e, 3);
		}
	}
}

void
uktv_html_json(struct uktv_html *h, const char *json)
{
	const char *p, *run;

	for (run = p = json; *p != '\0'; p++) {
		if (*p != '<' && *p != '>' && *p != '&')
			continue;
		add(h, run, (size_t)(p - run));
		add(h, *p == '<' ? "\\u003c" : *p == '>' ? "\\u003e" :
		    "\\u0026", 6);
		run = p + 1;
	}
	add(h, run, (size_t)(p - run));
}
