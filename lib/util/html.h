/*
 * html.h: building HTML text safely from data that comes from outside
 * (titles, plots, names and URLs from Watchmode and the table).
 *
 * A struct uktv_html is a growing text.  Markup is added with _raw/_rawf
 * (the caller's own literals; never outside data), outside text with _text,
 * which escapes & < > " ' so it is right both between tags and inside a
 * quoted attribute value, and repairs what HTML forbids: invalid UTF-8 and
 * control characters other than tab and newline become U+FFFD, so one bad
 * byte in a title cannot make the page invalid.  URLs from outside go
 * through _url, which takes only absolute http(s) URLs (a "javascript:" or
 * "data:" link is never written); links between the site's own pages go
 * through _path, which percent-encodes each segment.
 *
 * Out of memory is sticky: later calls do nothing and uktv_html_take
 * returns NULL.  Nothing here prints or exits.
 */
#ifndef UKTV_HTML_H
#define UKTV_HTML_H

#include <stddef.h>

struct uktv_html {
	char	*s;
	size_t	 len;
	size_t	 cap;
	int	 failed;	/* out of memory at some point */
};

void	uktv_html_init(struct uktv_html *);
void	uktv_html_free(struct uktv_html *);
/* The text (NUL-terminated, *len without the NUL), handed to the caller,
 * who frees it; h is empty again.  NULL if memory ran out on the way. */
char	*uktv_html_take(struct uktv_html *, size_t *len);

/* Markup, as is. */
void	uktv_html_raw(struct uktv_html *, const char *markup);
void	uktv_html_rawf(struct uktv_html *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Outside text, escaped and repaired (see above).  NULL adds nothing. */
void	uktv_html_text(struct uktv_html *, const char *text);
void	uktv_html_textn(struct uktv_html *, const char *text, size_t n);
/* 1 if url is an absolute http:// or https:// URL with a host and no
 * white space or control character: the only links taken from data. */
int	uktv_html_url_ok(const char *url);
/* url for an attribute value: characters a URL may not hold (non-ASCII,
 * '"', '<', '>', '\\', '^', '`', '{', '|', '}') percent-encoded, '&' as
 * &amp;.  The caller checks uktv_html_url_ok first. */
void	uktv_html_url(struct uktv_html *, const char *url);
/* A relative link to one of the site's files ("titles/12.html",
 * "../users/a@b.html"): each segment percent-encoded (RFC 3986 unreserved
 * kept), "/" and ".." kept. */
void	uktv_html_path(struct uktv_html *, const char *path);
/*
 * JSON text as the content of a <script type="application/json"> element,
 * where entities are not decoded (raw text), so _text cannot be used:
 * '<', '>' and '&' are written as \u003c, \u003e and \u0026, which a JSON
 * parser reads back as the same characters, so no value can end the element
 * ("</script>") or open a comment ("<!--").  json must be valid JSON: those
 * characters then occur only inside its strings.
 */
void	uktv_html_json(struct uktv_html *, const char *json);

/*
 * Reads one UTF-8 character of s[0, n): 1-4 with *cp, or 0 for a byte that
 * does not start a valid, shortest-form sequence (surrogates and values past
 * U+10FFFF are invalid).  Exposed for the unit tests and for callers that
 * cut text at a character boundary.
 */
size_t	uktv_html_utf8_next(const char *s, size_t n, unsigned long *cp);

#endif
