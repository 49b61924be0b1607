/*
 * fuzz_jsonscan.c: the strict JSON scanner uktv-publish checks each line
 * with (lib/util/jsonscan.c), against the NDJSON reader's own strict check.
 *
 * Input: one byte of settings (any value or object only), then one line.
 *
 * Checks, beyond "no crash, no leak":
 *   - the scanner and the reader agree on every line the reader's byte
 *     checks pass (valid UTF-8, no NUL): same verdict, good or bad, and the
 *     same kind of rejection (too deep, not an object), since uktv-publish
 *     forwards what the scanner passes and uktv-consume reads it with the
 *     reader;
 *   - a path the scanner finds has the value json-c finds there;
 *   - compacting a good line gives a good line with the same values.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jsonscan.h"
#include "ndjson.h"
#include "fuzz.h"

static const char *const path_text[] = {
	".payload.id", ".payload.title", ".header.eventType", ".a", ".a.b",
	".payload.source_ids"
};
#define NPATHS	(sizeof(path_text) / sizeof(path_text[0]))
static struct uktv_jsonpath paths[NPATHS];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_env();
	for (size_t i = 0; i < NPATHS; i++)
		if (uktv_jsonpath_parse(path_text[i], &paths[i]) == -1)
			abort();
	return 0;
}

static enum uktv_json_type
jc_type(json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null:
		return UKTV_JSON_NULL;
	case json_type_boolean:
		return json_object_get_boolean(o) ? UKTV_JSON_TRUE : UKTV_JSON_FALSE;
	case json_type_double:
	case json_type_int:
		return UKTV_JSON_NUMBER;
	case json_type_string:
		return UKTV_JSON_STRING;
	case json_type_array:
		return UKTV_JSON_ARRAY;
	case json_type_object:
		return UKTV_JSON_OBJECT;
	}
	return UKTV_JSON_ABSENT;
}

/* The value at path in obj as json-c holds it: ABSENT, or its type. */
static enum uktv_json_type
jc_lookup(json_object *obj, const struct uktv_jsonpath *p, json_object **out)
{
	json_object *cur = obj, *next;
	char key[256];

	for (size_t i = 0; i < p->n; i++) {
		if (!json_object_is_type(cur, json_type_object))
			return UKTV_JSON_ABSENT;
		memcpy(key, p->key[i], p->len[i]);
		key[p->len[i]] = '\0';
		if (!json_object_object_get_ex(cur, key, &next))
			return UKTV_JSON_ABSENT;
		cur = next;
	}
	*out = cur;
	return jc_type(cur);
}

static void
compare_values(json_object *obj, const struct uktv_jsonscan_value *vals)
{
	json_object *v;
	char *dec;
	size_t n;

	for (size_t i = 0; i < NPATHS; i++) {
		enum uktv_json_type t = jc_lookup(obj, &paths[i], &v);

		if (t != vals[i].type) {
			fprintf(stderr, "path %s: scanner %d, json-c %d\n",
			    path_text[i], vals[i].type, t);
			FUZZ_CHECK(0, "scanner and json-c disagree on a path");
		}
		if (t != UKTV_JSON_STRING)
			continue;
		if ((dec = malloc(vals[i].len + 1)) == NULL)
			abort();
		n = uktv_jsonscan_string(&vals[i], dec);
		FUZZ_CHECK(n <= vals[i].len, "decoded string longer than text");
		FUZZ_CHECK((size_t)json_object_get_string_len(v) == n &&
		    memcmp(json_object_get_string(v), dec, n) == 0,
		    "decoded string differs from json-c's");
		free(dec);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uktv_jsonscan_value vals[NPATHS], vals2[NPATHS];
	enum uktv_jsonscan_status st, st2;
	struct uktv_ndjson_reader *r;
	struct uktv_ndjson_line ln;
	int flags, rflags;
	size_t errpos = 0, clen;
	char *text, *compact;
	FILE *fp;

	if (size < 1)
		return 0;
	flags = (data[0] & 1) ? UKTV_JSONSCAN_ANY_VALUE : 0;
	rflags = (data[0] & 1) ? UKTV_NDJSON_ANY_VALUE : 0;
	data++;
	size--;
	if ((text = malloc(size + 1)) == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';

	st = uktv_jsonscan(text, size, flags, paths, NPATHS, vals, &errpos);
	if (st != UKTV_JSONSCAN_OK)
		FUZZ_CHECK(errpos <= size, "error position past the text");

	/* The reader's verdict on the same bytes as one line.  A line with a
	 * "\n" is two lines to the reader; a trailing "\r" it strips; blank
	 * lines it skips: those are not comparable. */
	if (size > 0 && memchr(text, '\n', size) == NULL &&
	    text[size - 1] != '\r' && strspn(text, " \t\r") != size &&
	    (fp = fmemopen(text, size, "r")) != NULL) {
		if ((r = uktv_ndjson_reader_new(fp, size + 1)) == NULL)
			abort();
		uktv_ndjson_reader_set_flags(r, rflags);
		FUZZ_CHECK(uktv_ndjson_next(r, &ln) == 1, "reader: no line");
		if (ln.reject != UKTV_NDJSON_NUL &&
		    ln.reject != UKTV_NDJSON_BAD_UTF8) {
			int agree;

			switch (ln.reject) {
			case UKTV_NDJSON_OK:
				agree = st == UKTV_JSONSCAN_OK;
				break;
			case UKTV_NDJSON_TOO_DEEP:
				agree = st == UKTV_JSONSCAN_TOO_DEEP;
				break;
			case UKTV_NDJSON_NOT_OBJECT:
				agree = st == UKTV_JSONSCAN_NOT_OBJECT;
				break;
			default:
				agree = st == UKTV_JSONSCAN_BAD_JSON;
				break;
			}
			if (!agree) {
				fprintf(stderr, "reader: %s (%s); scanner: %d\n",
				    uktv_ndjson_reject_code(ln.reject),
				    ln.reason ? ln.reason : "", st);
				FUZZ_CHECK(0, "scanner and reader disagree");
			}
			if (st == UKTV_JSONSCAN_OK && ln.obj != NULL)
				compare_values(ln.obj, vals);
		}
		uktv_ndjson_reader_free(r);
		fclose(fp);
	}

	if (st == UKTV_JSONSCAN_OK) {
		if ((compact = malloc(size + 1)) == NULL)
			abort();
		clen = uktv_jsonscan_compact(text, size, compact);
		FUZZ_CHECK(clen <= size, "compact grew the text");
		st2 = uktv_jsonscan(compact, clen, flags, paths, NPATHS, vals2,
		    NULL);
		FUZZ_CHECK(st2 == UKTV_JSONSCAN_OK, "compacted text rejected");
		for (size_t i = 0; i < NPATHS; i++)
			FUZZ_CHECK(vals[i].type == vals2[i].type,
			    "compacting changed a value");
		FUZZ_CHECK(uktv_jsonscan_compact(compact, clen, compact) == clen,
		    "compact is not idempotent");
		free(compact);
	}

	/* The same bytes as a path expression (--key-path and friends). */
	{
		struct uktv_jsonpath p;
		char *s = strndup(text, size > 300 ? 300 : size);

		if (s == NULL)
			abort();
		if (uktv_jsonpath_parse(s, &p) == 0) {
			FUZZ_CHECK(p.n >= 1 && p.n <= UKTV_JSONPATH_MAX_KEYS,
			    "path key count");
			for (size_t i = 0; i < p.n; i++)
				FUZZ_CHECK(p.len[i] > 0, "empty path key");
		}
		free(s);
	}
	free(text);
	return 0;
}
