/*
 * jsonscan.h: a strict JSON checker for one NDJSON line that also finds the
 * values at a few dot paths, without building json-c objects.
 *
 * uktv-publish re-sends each input line as it is, so all it needs from the
 * JSON is "is this valid" and one or two values (the partition key at
 * .payload.id, an explicit hash key, an envelope's fields).  json-c builds a
 * whole object tree for that, which costs several times more than the rest
 * of publishing a record; this scanner checks the text and finds the values
 * in one walk (the reader's own check, UKTV_NDJSON_NO_PARSE, would be a
 * second walk over the same bytes).
 *
 * What it accepts is the JSON of RFC 8259 under the rules ndjson.h pins for
 * input lines: strict grammar (no single quotes, NaN, Infinity, "1.", "01",
 * raw control characters in strings, trailing commas), nesting of at most
 * UKTV_NDJSON_MAX_DEPTH arrays/objects, and (unless told otherwise) an
 * object at the top.  Whitespace (space, tab, CR, LF) is allowed between
 * tokens and around the value.  It does not check UTF-8: the line reader
 * does that before (uktv_ndjson_next with UKTV_NDJSON_BYTES_ONLY), so the
 * caller gives it text that is valid UTF-8 without NUL bytes.
 *
 * Duplicate keys: the last wins, as everywhere in uktv, so a path's value is
 * the one a json-c parse of the line would hold.
 *
 * No allocation, no global state; the text is never modified.
 */
#ifndef UKTV_JSONSCAN_H
#define UKTV_JSONSCAN_H

#include <stddef.h>

/* A path is at most this many keys long. */
#define UKTV_JSONPATH_MAX_KEYS	16
/* One scan looks for at most this many paths. */
#define UKTV_JSONSCAN_MAX_PATHS	8

/*
 * A dot path of object keys, as jq writes the simple ones: ".payload.id".
 * Keys are matched against the decoded key text; a key that holds a '.'
 * cannot be named.  Array elements cannot be named.
 */
struct uktv_jsonpath {
	size_t		 n;
	const char	*key[UKTV_JSONPATH_MAX_KEYS];	/* into text */
	size_t		 len[UKTV_JSONPATH_MAX_KEYS];
	char		 text[256];			/* the path, copied */
};

/* 0, or -1 when s is not ".key[.key...]" with non-empty keys (at most
 * UKTV_JSONPATH_MAX_KEYS of them, 255 bytes in all). */
int	uktv_jsonpath_parse(const char *s, struct uktv_jsonpath *);

enum uktv_json_type {
	UKTV_JSON_ABSENT = 0,	/* the path is not in the text */
	UKTV_JSON_NULL,
	UKTV_JSON_FALSE,
	UKTV_JSON_TRUE,
	UKTV_JSON_NUMBER,
	UKTV_JSON_STRING,
	UKTV_JSON_ARRAY,
	UKTV_JSON_OBJECT
};

struct uktv_jsonscan_value {
	enum uktv_json_type	 type;
	/* The value's text in the line: a string with its quotes, a number
	 * as written, an object or array with everything inside. */
	const char		*text;
	size_t			 len;
	int			 escaped;	/* a string with a backslash in it */
};

enum uktv_jsonscan_status {
	UKTV_JSONSCAN_OK = 0,
	UKTV_JSONSCAN_BAD_JSON,
	UKTV_JSONSCAN_TOO_DEEP,
	UKTV_JSONSCAN_NOT_OBJECT
};

/* Flags. */
#define UKTV_JSONSCAN_ANY_VALUE	0x01	/* accept any value at the top */

/*
 * Checks text[0, len) and fills vals[i] for paths[i] (i < npaths <=
 * UKTV_JSONSCAN_MAX_PATHS; a path not found is UKTV_JSON_ABSENT).  On an
 * error *errpos (if not NULL) is the byte offset where the text stopped
 * being JSON, and vals are not to be used.
 */
enum uktv_jsonscan_status uktv_jsonscan(const char *text, size_t len, int flags,
	    const struct uktv_jsonpath *paths, size_t npaths,
	    struct uktv_jsonscan_value *vals, size_t *errpos);

/*
 * Decodes a string value (v->text with its quotes, from a successful scan)
 * into out, which has room for v->len bytes (the decoding is never longer);
 * returns the decoded length.  Escaped lone surrogates become U+FFFD, as
 * json-c decodes them.  out is not NUL-terminated.
 */
size_t	uktv_jsonscan_string(const struct uktv_jsonscan_value *v, char *out);

/*
 * Steps through the elements of an array value from a successful scan:
 * *pos starts at 0; each call fills *elem (its type and whole text) and
 * returns 1, or returns 0 after the last element.
 */
int	uktv_jsonscan_array_next(const struct uktv_jsonscan_value *array,
	    size_t *pos, struct uktv_jsonscan_value *elem);

/*
 * Copies JSON text (valid, as from a successful scan) to out without the
 * whitespace between tokens; out has room for len bytes.  Returns the new
 * length.  Nothing but whitespace outside strings changes.
 */
size_t	uktv_jsonscan_compact(const char *text, size_t len, char *out);

#endif
