/*
 * xml.c: see xml.h.  Built from the three readers lib/ had: s3.c's
 * tokenizer and strict entity decoder (XML 1.0 Char rules), sts.c's element
 * lookup (attributes, <tag/>, no prefix matches) and its lenient text.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xml.h"
#include "parse.h"

/* UTF-8 of one code point (the caller has checked it is a character). */
static size_t
utf8(uint32_t c, char *o)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xc0 | (c >> 6));
		o[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xe0 | (c >> 12));
		o[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		o[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (c >> 18));
	o[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	o[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* A numeric reference's code point from s[i, len); 0 when malformed or not
 * an XML 1.0 Char (no NUL, no surrogates, nothing past U+10FFFF). */
static uint32_t
numeric(const char *s, size_t i, size_t len)
{
	uint32_t c = 0;
	int base = 10, d;

	if (i < len && (s[i] == 'x' || s[i] == 'X')) {
		base = 16;
		i++;
	}
	if (i == len)
		return 0;
	for (; i < len; i++) {
		d = base == 16 ? uktv_parse_hexdigit((unsigned char)s[i]) :
		    (s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -1);
		if (d < 0)
			return 0;
		c = c * (uint32_t)base + (uint32_t)d;
		if (c > 0x10ffff)
			return 0;
	}
	if (c >= 0xd800 && c <= 0xdfff)
		return 0;
	return c;
}

/* Decodes one entity at s[0, n) (s[0] == '&') into o; returns its length
 * in s (*olen bytes written), or 0 when it is malformed.  Every entity is
 * at least as long as its UTF-8. */
static size_t
entity(const char *s, size_t n, char *o, size_t *olen)
{
	static const struct {
		const char	*name;
		char		 c;
	} named[] = {
		{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
		{ "apos", '\'' },
	};
	const char *semi;
	size_t len, i;
	uint32_t c;

	if ((semi = memchr(s, ';', n < 16 ? n : 16)) == NULL)
		return 0;
	len = (size_t)(semi - s);	/* "&...", without ';' */
	if (len >= 2 && s[1] == '#') {
		if ((c = numeric(s, 2, len)) == 0)
			return 0;
		*olen = utf8(c, o);
		return len + 1;
	}
	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (strlen(named[i].name) == len - 1 &&
		    memcmp(s + 1, named[i].name, len - 1) == 0) {
			o[0] = named[i].c;
			*olen = 1;
			return len + 1;
		}
	return 0;
}

/* lenient: an entity that does not decode is copied as it is. */
static int
decode(const char *s, size_t n, char *dst, size_t *dlen, int lenient)
{
	const char *amp;
	size_t used, olen, k;
	char *o = dst;

	while (n > 0) {
		if ((amp = memchr(s, '&', n)) == NULL) {
			memcpy(o, s, n);
			o += n;
			break;
		}
		k = (size_t)(amp - s);
		memcpy(o, s, k);
		o += k;
		n -= k;
		s = amp;
		if ((used = entity(s, n, o, &olen)) == 0) {
			if (!lenient)
				return -1;
			used = olen = 1;
			*o = '&';
		}
		o += olen;
		s += used;
		n -= used;
	}
	*o = '\0';
	*dlen = (size_t)(o - dst);
	return 0;
}

int
uktv_xml_decode(const char *s, size_t n, char *dst, size_t *dlen)
{
	return decode(s, n, dst, dlen, 0);
}

char *
uktv_xml_unescape(const char *s, size_t n)
{
	char *d;
	size_t len;

	if ((d = malloc(n + 1)) == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	if (decode(s, n, d, &len, 0) == -1) {
		free(d);
		errno = EINVAL;
		return NULL;
	}
	return d;
}

void
uktv_xml_init(struct uktv_xml *x, const char *xml, size_t len)
{
	memset(x, 0, sizeof(*x));
	x->p = xml;
	x->end = xml + len;
}

static const char *
find(const char *p, const char *end, const char *what)
{
	size_t n = strlen(what);

	for (; p + n <= end; p++)
		if (memcmp(p, what, n) == 0)
			return p;
	return NULL;
}

static int
is_name_end(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '/' ||
	    c == '>';
}

/* Comments, declarations and processing instructions are skipped; text and
 * CDATA are returned.  UKTV_XML_EOF when p is at a tag. */
static enum uktv_xml_tok
skip_or_text(struct uktv_xml *x, const char **pp)
{
	const char *p = *pp, *q;

	for (;;) {
		if (p >= x->end) {
			*pp = p;
			return UKTV_XML_EOF;
		}
		if (*p != '<') {
			q = memchr(p, '<', (size_t)(x->end - p));
			if (q == NULL)
				q = x->end;
			x->text = p;
			x->tlen = (size_t)(q - p);
			x->p = q;
			return UKTV_XML_TEXT;
		}
		if (x->end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
			if ((q = find(p + 4, x->end, "-->")) == NULL)
				return UKTV_XML_BAD;
			p = q + 3;
			continue;
		}
		if (x->end - p >= 9 && memcmp(p, "<![CDATA[", 9) == 0) {
			if ((q = find(p + 9, x->end, "]]>")) == NULL)
				return UKTV_XML_BAD;
			x->text = p + 9;
			x->tlen = (size_t)(q - (p + 9));
			x->p = q + 3;
			return UKTV_XML_CDATA;
		}
		if (x->end - p >= 2 && p[1] == '?') {
			if ((q = find(p + 2, x->end, "?>")) == NULL)
				return UKTV_XML_BAD;
			p = q + 2;
			continue;
		}
		if (x->end - p >= 2 && p[1] == '!')
			return UKTV_XML_BAD;
		*pp = p;
		return UKTV_XML_EOF;
	}
}

enum uktv_xml_tok
uktv_xml_next(struct uktv_xml *x)
{
	const char *p = x->p, *q;
	enum uktv_xml_tok t;

	if (p >= x->end)
		return UKTV_XML_EOF;
	if ((t = skip_or_text(x, &p)) != UKTV_XML_EOF || p >= x->end)
		return t;
	if (x->end - p >= 2 && p[1] == '/') {
		x->name = p + 2;
		for (q = x->name; q < x->end && !is_name_end(*q); q++)
			continue;
		x->nlen = (size_t)(q - x->name);
		while (q < x->end && isspace((unsigned char)*q))
			q++;
		if (q >= x->end || *q != '>' || x->nlen == 0)
			return UKTV_XML_BAD;
		x->p = q + 1;
		return UKTV_XML_CLOSE;
	}
	x->name = p + 1;
	for (q = x->name; q < x->end && !is_name_end(*q); q++)
		continue;
	x->nlen = (size_t)(q - x->name);
	if (x->nlen == 0)
		return UKTV_XML_BAD;
	/* Attributes (xmlns="..."): skipped, minding quotes. */
	while (q < x->end && *q != '>') {
		if (*q == '"' || *q == '\'') {
			const char *c = memchr(q + 1, *q, (size_t)(x->end - q - 1));

			if (c == NULL)
				return UKTV_XML_BAD;
			q = c + 1;
			continue;
		}
		if (*q == '<')
			return UKTV_XML_BAD;
		q++;
	}
	if (q >= x->end)
		return UKTV_XML_BAD;
	x->p = q + 1;
	return q[-1] == '/' ? UKTV_XML_EMPTY : UKTV_XML_OPEN;
}

int
uktv_xml_name_is(const struct uktv_xml *x, const char *name)
{
	return strlen(name) == x->nlen && memcmp(x->name, name, x->nlen) == 0;
}

int
uktv_xml_find(const char *xml, const char *tag, const char **inner,
    size_t *len)
{
	size_t tl = strlen(tag);
	const char *p = xml, *gt, *close;
	char ctag[80];

	if (tl + 4 > sizeof(ctag))
		return -1;
	snprintf(ctag, sizeof(ctag), "</%s>", tag);
	while ((p = strchr(p, '<')) != NULL) {
		p++;
		if (strncmp(p, tag, tl) != 0 || (p[tl] != '>' && p[tl] != '/' &&
		    !isspace((unsigned char)p[tl])))
			continue;
		if ((gt = strchr(p + tl, '>')) == NULL)
			return -1;
		if (gt[-1] == '/') {
			*inner = gt;
			*len = 0;
			return 0;
		}
		if ((close = strstr(gt + 1, ctag)) == NULL)
			return -1;
		*inner = gt + 1;
		*len = (size_t)(close - (gt + 1));
		return 0;
	}
	return -1;
}

char *
uktv_xml_text(const char *xml, const char *tag)
{
	const char *inner;
	size_t len, dlen;
	char *s;

	if (xml == NULL || uktv_xml_find(xml, tag, &inner, &len) == -1)
		return NULL;
	if ((s = malloc(len + 1)) == NULL)
		return NULL;
	(void)decode(inner, len, s, &dlen, 1);
	return s;
}
