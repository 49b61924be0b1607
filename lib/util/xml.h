/*
 * xml.h: the one small XML reader for the AWS query/REST answers (S3's
 * ListObjectsV2 and errors, STS's AssumeRole answers and errors, the error
 * bodies the AWS client classifies).  Not a general XML parser: no DTD (a
 * DOCTYPE is refused, so no entity of a document's own is ever expanded),
 * no namespaces (attributes are skipped), no encodings but UTF-8.
 *
 * Character data: the five predefined entities and numeric references
 * (&#NNN; &#xHH;) decode to UTF-8; a reference to a character XML 1.0
 * forbids ("Char": NUL, a surrogate, beyond U+10FFFF) is malformed.
 */
#ifndef UKTV_XML_H
#define UKTV_XML_H

#include <stddef.h>

/* Deepest nesting a reader should accept (S3 listings are 3 deep). */
#define UKTV_XML_MAX_DEPTH	16

enum uktv_xml_tok {
	UKTV_XML_EOF = 0,
	UKTV_XML_OPEN,		/* <name ...> */
	UKTV_XML_CLOSE,		/* </name> */
	UKTV_XML_EMPTY,		/* <name .../> */
	UKTV_XML_TEXT,		/* character data, raw (see uktv_xml_unescape) */
	UKTV_XML_CDATA,		/* <![CDATA[...]]>, taken as it is */
	UKTV_XML_BAD		/* malformed: stop */
};

/* A pull tokenizer over xml[0, len) (which may hold NULs). */
struct uktv_xml {
	const char	*p, *end;
	const char	*name;		/* OPEN, CLOSE, EMPTY */
	size_t		 nlen;
	const char	*text;		/* TEXT (raw), CDATA */
	size_t		 tlen;
};

void	uktv_xml_init(struct uktv_xml *, const char *xml, size_t len);
/* The next token.  Declarations, processing instructions and comments are
 * skipped; a DOCTYPE is UKTV_XML_BAD. */
enum uktv_xml_tok uktv_xml_next(struct uktv_xml *);
/* 1 when the current OPEN, CLOSE or EMPTY token is named name. */
int	uktv_xml_name_is(const struct uktv_xml *, const char *name);

/* Decodes character data s[0, n) into dst (room for n + 1 bytes: decoding
 * never lengthens), NUL-terminated, *dlen its length.  -1 on a malformed or
 * unknown entity. */
int	uktv_xml_decode(const char *s, size_t n, char *dst, size_t *dlen);
/* The same, allocated.  Caller frees; NULL with errno EINVAL (malformed)
 * or ENOMEM. */
char	*uktv_xml_unescape(const char *s, size_t n);

/*
 * Finds the first element named tag in the NUL-terminated xml: <tag>,
 * <tag attr="...">, or <tag/> (a tag whose name only starts with tag, as
 * <tagX>, is not it); *inner and *len delimit its raw content (0 for
 * <tag/>).  0 found, -1 absent or unclosed.
 */
int	uktv_xml_find(const char *xml, const char *tag, const char **inner,
	    size_t *len);
/*
 * The decoded text of the first element named tag ("" for <tag/>), NULL
 * when absent, unclosed or out of memory.  Lenient, as the STS answers were
 * always read: an entity that does not decode is kept as it is.  Caller
 * frees (wipe first when it may be a secret).
 */
char	*uktv_xml_text(const char *xml, const char *tag);

#endif
