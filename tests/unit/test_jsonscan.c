/*
 * test_jsonscan.c: the JSON scanner uktv-publish checks lines with must
 * accept exactly what the NDJSON reader (json-c plus its strict pass)
 * accepts, and find the value a json-c parse would hold at a path.  Both are
 * checked on hand-written cases and on many random mutations of real lines.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base64.h"
#include "jsonscan.h"
#include "ndjson.h"
#include "unit.h"

static const char *event =
    "{\"header\":{\"publishingComponent\":\"uktv-titles\","
    "\"publishTimestamp\":\"2025-07-04T16:02:51.855Z\","
    "\"publishCause\":\"userpref:alice\"},\"payload\":{\"id\":3184039,"
    "\"title\":\"MaveriX\",\"year\":2022,\"imdb_id\":\"tt15373864\","
    "\"tmdb_id\":196556,\"tmdb_type\":\"tv\",\"type\":\"tv_series\","
    "\"source_ids\":[\"203\"],\"genre_ids\":[\"4\"]}}";

static enum uktv_jsonscan_status
scan0(const char *s)
{
	return uktv_jsonscan(s, strlen(s), 0, NULL, 0, NULL, NULL);
}

static void
test_accepts_and_rejects(void)
{
	static const struct {
		const char *text;
		enum uktv_jsonscan_status want;
	} cases[] = {
		{ "{}", UKTV_JSONSCAN_OK },
		{ " {} ", UKTV_JSONSCAN_OK },
		{ "\t{\"a\" : [ ] , \"b\" : { } }\r", UKTV_JSONSCAN_OK },
		{ "{\"a\":-0.5e+10,\"b\":1E2,\"c\":0,\"d\":-0}", UKTV_JSONSCAN_OK },
		{ "{\"a\":\"\\u00e9\\n\\\"\\\\\\/\\b\\f\\r\\t\"}", UKTV_JSONSCAN_OK },
		{ "{\"a\":[true,false,null,{},[]]}", UKTV_JSONSCAN_OK },
		{ "{\"a\":\"\\uD800\"}", UKTV_JSONSCAN_OK },
		{ "[1,2]", UKTV_JSONSCAN_NOT_OBJECT },
		{ "\"x\"", UKTV_JSONSCAN_NOT_OBJECT },
		{ "null", UKTV_JSONSCAN_NOT_OBJECT },
		{ "12", UKTV_JSONSCAN_NOT_OBJECT },
		{ "{\"a\":[1,]}", UKTV_JSONSCAN_BAD_JSON },
		{ "{\"a\":1,}", UKTV_JSONSCAN_BAD_JSON },
		{ "{'a':1}", UKTV_JSONSCAN_BAD_JSON },
		{ "{\"a\":NaN}", UKTV_JSONSCAN_BAD_JSON },
		{ "{\"a\":Infinity}", UKTV_JSONSCAN_BAD_JSON },
		{ "{\"a\":-Infinity}", UKTV_JSONSCAN_BAD_JSON },
		{ "{\"a\":1.}", UKTV_JSONSCAN_BAD_JSON },
		{ "{\"a\":1.e5}", UKTV_JSONSCAN_BAD_JSON },
		{ "{\"a\":01}", UKTV_JSONSCAN_BAD_JSON },
		{ "{\"a\":.5}", UKTV_JSONSCAN_BAD_JSON },
		{ "{\"a\":+1}", UKTV_JSONSCAN_BAD_JSON },
		{ "{\"a\":1e}", UKTV_JSONSCAN_BAD_JSON },
		{ "{\"a\":\"\t\"}", UKTV_JSONSCAN_BAD_JSON },
		{ "{\"a\":\"\\x\"}", UKTV_JSONSCAN_BAD_JSON },
		{ "{\"a\":\"\\u12\"}", UKTV_JSONSCAN_BAD_JSON },
		{ "{\"a\":tru}", UKTV_JSONSCAN_BAD_JSON },
		{ "{\"a\":truex}", UKTV_JSONSCAN_BAD_JSON },
		{ "{\"a\":1}x", UKTV_JSONSCAN_BAD_JSON },
		{ "{\"a\":1}{}", UKTV_JSONSCAN_BAD_JSON },
		{ "{\"a\" 1}", UKTV_JSONSCAN_BAD_JSON },
		{ "{\"a\":}", UKTV_JSONSCAN_BAD_JSON },
		{ "{a:1}", UKTV_JSONSCAN_BAD_JSON },
		{ "{\"a\":\"x}", UKTV_JSONSCAN_BAD_JSON },
		{ "{", UKTV_JSONSCAN_BAD_JSON },
		{ "", UKTV_JSONSCAN_BAD_JSON },
		{ "[", UKTV_JSONSCAN_BAD_JSON },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum uktv_jsonscan_status got = scan0(cases[i].text);

		if (got != cases[i].want)
			printf("# case %zu [%s]: got %d want %d\n", i,
			    cases[i].text, got, cases[i].want);
		CHECK(got == cases[i].want);
	}
}

static void
test_depth_bound(void)
{
	char buf[512];
	size_t n;

	/* 64 nested containers pass, 65 do not (the reader's rule). */
	for (int d = 63; d <= 66; d++) {
		n = 0;
		buf[n++] = '{';
		memcpy(buf + n, "\"a\":", 4);
		n += 4;
		for (int i = 0; i < d - 1; i++)
			buf[n++] = '[';
		for (int i = 0; i < d - 1; i++)
			buf[n++] = ']';
		buf[n++] = '}';
		CHECK_INT(uktv_jsonscan(buf, n, 0, NULL, 0, NULL, NULL),
		    d <= 64 ? UKTV_JSONSCAN_OK : UKTV_JSONSCAN_TOO_DEEP);
	}
}

static void
test_paths(void)
{
	struct uktv_jsonpath p[3];
	struct uktv_jsonscan_value v[3];
	char out[64];
	const char *dup = "{\"payload\":{\"id\":1},\"x\":{\"id\":9},"
	    "\"payload\":{\"id\":\"two\",\"id\":\"2\\u00e9\"}}";
	const char *gone = "{\"payload\":{\"id\":1},\"payload\":5}";
	const char *in_array;
	const char *esc = "{\"pay\\u006coad\":{\"i\\u0064\":\"\\ud83d\\ude00\"}}";

	CHECK(uktv_jsonpath_parse(".payload.id", &p[0]) == 0);
	CHECK(uktv_jsonpath_parse(".header.publishCause", &p[1]) == 0);
	CHECK(uktv_jsonpath_parse(".payload", &p[2]) == 0);
	CHECK(uktv_jsonpath_parse("payload", &p[0]) == -1);
	CHECK(uktv_jsonpath_parse(".", &p[0]) == -1);
	CHECK(uktv_jsonpath_parse(".a..b", &p[0]) == -1);
	CHECK(uktv_jsonpath_parse(".payload.id", &p[0]) == 0);

	CHECK(uktv_jsonscan(event, strlen(event), 0, p, 3, v, NULL) == 0);
	CHECK_INT(v[0].type, UKTV_JSON_NUMBER);
	CHECK(v[0].len == 7 && memcmp(v[0].text, "3184039", 7) == 0);
	CHECK_INT(v[1].type, UKTV_JSON_STRING);
	out[uktv_jsonscan_string(&v[1], out)] = '\0';
	CHECK_STR(out, "userpref:alice");
	CHECK_INT(v[2].type, UKTV_JSON_OBJECT);
	CHECK(v[2].text[0] == '{' && v[2].text[v[2].len - 1] == '}');

	/* The last duplicate wins at every level. */
	CHECK(uktv_jsonscan(dup, strlen(dup), 0, p, 1, v, NULL) == 0);
	CHECK_INT(v[0].type, UKTV_JSON_STRING);
	out[uktv_jsonscan_string(&v[0], out)] = '\0';
	CHECK_STR(out, "2\xc3\xa9");
	CHECK(uktv_jsonscan(gone, strlen(gone), 0, p, 1, v, NULL) == 0);
	CHECK_INT(v[0].type, UKTV_JSON_ABSENT);

	/* Keys match by their decoded text; surrogate pairs decode. */
	CHECK(uktv_jsonscan(esc, strlen(esc), 0, p, 1, v, NULL) == 0);
	CHECK_INT(v[0].type, UKTV_JSON_STRING);
	out[uktv_jsonscan_string(&v[0], out)] = '\0';
	CHECK_STR(out, "\xf0\x9f\x98\x80");

	CHECK(uktv_jsonscan("{\"a\":1}", 7, 0, p, 1, v, NULL) == 0);
	CHECK_INT(v[0].type, UKTV_JSON_ABSENT);
	/* Inside arrays nothing is matched. */
	in_array = "{\"x\":[{\"payload\":{\"id\":1}}]}";
	CHECK(uktv_jsonscan(in_array, strlen(in_array), 0, p, 1, v, NULL) == 0);
	CHECK_INT(v[0].type, UKTV_JSON_ABSENT);
}

static void
test_array_next(void)
{
	const char *t = "{\"r\":[ {\"a\":\"x\\\\\",\"b\":[1,{\"c\":\"]\"}]} , \"s\\\"]\" ,12,"
	    "true,[],null ,-1.5e3]}";
	static const char *want[] = { "{\"a\":\"x\\\\\",\"b\":[1,{\"c\":\"]\"}]}",
	    "\"s\\\"]\"", "12", "true", "[]", "null", "-1.5e3" };
	static const enum uktv_json_type types[] = { UKTV_JSON_OBJECT,
	    UKTV_JSON_STRING, UKTV_JSON_NUMBER, UKTV_JSON_TRUE, UKTV_JSON_ARRAY,
	    UKTV_JSON_NULL, UKTV_JSON_NUMBER };
	struct uktv_jsonpath p;
	struct uktv_jsonscan_value arr, el;
	size_t pos = 0, n = 0;

	uktv_jsonpath_parse(".r", &p);
	CHECK(uktv_jsonscan(t, strlen(t), 0, &p, 1, &arr, NULL) == 0);
	CHECK_INT(arr.type, UKTV_JSON_ARRAY);
	while (uktv_jsonscan_array_next(&arr, &pos, &el) == 1 && n < 7) {
		char buf[64];

		snprintf(buf, sizeof(buf), "%.*s", (int)el.len, el.text);
		CHECK_STR(buf, want[n]);
		CHECK_INT(el.type, types[n]);
		n++;
	}
	CHECK_INT(n, 7);
	CHECK(uktv_jsonscan_array_next(&arr, &pos, &el) == 0);
	uktv_jsonpath_parse(".e", &p);
	CHECK(uktv_jsonscan("{\"e\":[ ]}", 9, 0, &p, 1, &arr, NULL) == 0);
	pos = 0;
	CHECK(uktv_jsonscan_array_next(&arr, &pos, &el) == 0);
}

static void
test_compact(void)
{
	const char *in = " { \"a b\" : [ 1 , \"x \\\" y\" ] ,\t\"c\":{ } } ";
	char out[128];
	size_t n = uktv_jsonscan_compact(in, strlen(in), out);

	out[n] = '\0';
	CHECK_STR(out, "{\"a b\":[1,\"x \\\" y\"],\"c\":{}}");
}

static void
test_base64(void)
{
	unsigned char data[256], back[256];
	char text[400];
	size_t n, got;

	for (int i = 0; i < 256; i++)
		data[i] = (unsigned char)(i * 7 + 3);
	for (size_t len = 0; len < 20; len++) {
		n = uktv_base64_encode(data, len, text);
		CHECK_INT(n, UKTV_BASE64_ENCODED_LEN(len));
		CHECK(uktv_base64_decode(text, n, back, &got) == 0);
		CHECK_INT(got, len);
		CHECK(memcmp(back, data, len) == 0);
	}
	n = uktv_base64_encode("foobar", 6, text);
	text[n] = '\0';
	CHECK_STR(text, "Zm9vYmFy");
	n = uktv_base64_encode("fo", 2, text);
	text[n] = '\0';
	CHECK_STR(text, "Zm8=");
	n = uktv_base64_encode("\xfb\xff", 2, text);
	text[n] = '\0';
	CHECK_STR(text, "+/8=");
	CHECK(uktv_base64_decode("Zm8", 3, back, &got) == -1);
	CHECK(uktv_base64_decode("Zm9=", 4, back, &got) == -1);	/* bits set */
	CHECK(uktv_base64_decode("Z===", 4, back, &got) == -1);
	CHECK(uktv_base64_decode("Zm==Zm8=", 8, back, &got) == -1);
	CHECK(uktv_base64_decode("Zm8-", 4, back, &got) == -1);
	CHECK(uktv_base64_decode("Zg==", 4, back, &got) == 0 && got == 1 &&
	    back[0] == 'f');
	/* In place, as readers decode a record's Data inside the answer. */
	n = uktv_base64_encode(data, 200, text);
	CHECK(uktv_base64_decode(text, n, text, &got) == 0 && got == 200 &&
	    memcmp(text, data, 200) == 0);
}

/* The value json-c holds at .payload.id, as the scanner would give it. */
static int
jsonc_id(json_object *o, char *out, size_t outsz, enum uktv_json_type *type)
{
	json_object *p, *id;

	*type = UKTV_JSON_ABSENT;
	if (!json_object_object_get_ex(o, "payload", &p) ||
	    !json_object_is_type(p, json_type_object) ||
	    !json_object_object_get_ex(p, "id", &id))
		return 0;
	switch (json_object_get_type(id)) {
	case json_type_string:
		*type = UKTV_JSON_STRING;
		snprintf(out, outsz, "%s", json_object_get_string(id));
		break;
	case json_type_int:
		*type = UKTV_JSON_NUMBER;
		break;
	case json_type_double:
		*type = UKTV_JSON_NUMBER;
		break;
	case json_type_null:
		*type = UKTV_JSON_NULL;
		break;
	case json_type_boolean:
		*type = json_object_get_boolean(id) ? UKTV_JSON_TRUE :
		    UKTV_JSON_FALSE;
		break;
	case json_type_array:
		*type = UKTV_JSON_ARRAY;
		break;
	case json_type_object:
		*type = UKTV_JSON_OBJECT;
		break;
	}
	return 1;
}

/*
 * Random mutations of real lines through both: the reader with json-c
 * (default flags) and the reader without parsing followed by the scanner.
 * They must agree on every line, and on .payload.id where it parses.
 */
static void
test_differential(void)
{
	static const char *seeds[] = {
		NULL,	/* event */
		"{\"payload\":{\"id\":\"a\\\"b\\u0041\",\"x\":[1,2.5e-3,{\"y\":null}]}}",
		"{\"payload\":{\"id\":-12.5E+3},\"payload\":{\"id\":true}}",
		"{\"a\":[[[[{\"b\":[]}]]]],\"c\":\"\\ud83d\\ude00\",\"d\":false}",
		"{\"payload\":{\"i\\u0064\":\"k\",\"id\":0}}",
	};
	static const char alphabet[] = "{}[]:,\"\\ 0123456789.eE+-tfnulrsa'/xb";
	const size_t nlines = 60000;
	char *all, *p;
	size_t cap = nlines * 400, mismatches = 0, idchecks = 0;
	unsigned int seed = 12345;
	FILE *f1, *f2;
	struct uktv_ndjson_reader *r1, *r2;
	struct uktv_ndjson_line l1, l2;
	struct uktv_jsonpath path;

	seeds[0] = event;
	uktv_jsonpath_parse(".payload.id", &path);
	if ((all = malloc(cap)) == NULL) {
		CHECK(0);
		return;
	}
	p = all;
	for (size_t i = 0; i < nlines; i++) {
		const char *s = seeds[i % (sizeof(seeds) / sizeof(seeds[0]))];
		size_t n = strlen(s);
		int muts = (int)(rand_r(&seed) % 4);

		memcpy(p, s, n);
		for (int m = 0; m < muts; m++) {
			size_t at = (size_t)rand_r(&seed) % n;
			int op = rand_r(&seed) % 3;
			char c = alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)];

			if (op == 0)
				p[at] = c;
			else if (op == 1 && n > 1) {
				memmove(p + at, p + at + 1, n - at - 1);
				n--;
			} else {
				memmove(p + at + 1, p + at, n - at);
				p[at] = c;
				n++;
			}
		}
		p += n;
		*p++ = '\n';
	}
	f1 = fmemopen(all, (size_t)(p - all), "r");
	f2 = fmemopen(all, (size_t)(p - all), "r");
	r1 = uktv_ndjson_reader_new(f1, 1 << 20);
	r2 = uktv_ndjson_reader_new(f2, 1 << 20);
	uktv_ndjson_reader_set_flags(r2, UKTV_NDJSON_BYTES_ONLY);
	while (uktv_ndjson_next(r1, &l1) == 1) {
		struct uktv_jsonscan_value v;
		enum uktv_jsonscan_status st;
		enum uktv_ndjson_reject want, got;

		if (uktv_ndjson_next(r2, &l2) != 1 || l1.lineno != l2.lineno) {
			CHECK(0);
			break;
		}
		if (l2.reject != UKTV_NDJSON_OK) {
			CHECK(l1.reject == l2.reject);
			continue;
		}
		st = uktv_jsonscan(l2.text, l2.len, 0, &path, 1, &v, NULL);
		got = st == UKTV_JSONSCAN_OK ? UKTV_NDJSON_OK :
		    st == UKTV_JSONSCAN_TOO_DEEP ? UKTV_NDJSON_TOO_DEEP :
		    st == UKTV_JSONSCAN_NOT_OBJECT ? UKTV_NDJSON_NOT_OBJECT :
		    UKTV_NDJSON_BAD_JSON;
		want = l1.reject;
		if (got != want) {
			if (mismatches++ < 10)
				printf("# line %llu [%s]: scanner %d, reader %d (%s)\n",
				    l1.lineno, l2.text, got, want,
				    l1.reason ? l1.reason : "");
			continue;
		}
		if (got == UKTV_NDJSON_OK) {
			char want_s[256] = "", got_s[256];
			enum uktv_json_type wt;

			jsonc_id(l1.obj, want_s, sizeof(want_s), &wt);
			idchecks++;
			if (wt != v.type) {
				if (mismatches++ < 10)
					printf("# line %llu [%s]: id type %d, json-c %d\n",
					    l1.lineno, l2.text, v.type, wt);
			} else if (wt == UKTV_JSON_STRING) {
				got_s[uktv_jsonscan_string(&v, got_s)] = '\0';
				if (strcmp(got_s, want_s) != 0 && mismatches++ < 10)
					printf("# line %llu: id \"%s\", json-c \"%s\"\n",
					    l1.lineno, got_s, want_s);
			}
		}
	}
	CHECK(uktv_ndjson_next(r2, &l2) == 0);
	CHECK_INT(mismatches, 0);
	CHECK(idchecks > 1000);
	printf("# %zu lines compared, %zu ids compared\n", nlines, idchecks);
	uktv_ndjson_reader_free(r1);
	uktv_ndjson_reader_free(r2);
	fclose(f1);
	fclose(f2);
	free(all);
}

int
main(void)
{
	RUN(test_accepts_and_rejects);
	RUN(test_depth_bound);
	RUN(test_paths);
	RUN(test_array_next);
	RUN(test_compact);
	RUN(test_base64);
	RUN(test_differential);
	return UNIT_DONE();
}
