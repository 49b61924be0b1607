/* test_ndjson.c: the NDJSON reader's rules (ARCHITECTURE.md "Input lines") and the
 * writer's bytes. */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "ndjson.h"
#include "streamout.h"
#include "unit.h"

/* A stream with a file descriptor (the reader's read(2) path). */
static FILE *
file_with(const char *data, size_t len)
{
	FILE *fp = tmpfile();

	if (fp == NULL)
		return NULL;
	if (len > 0 && fwrite(data, 1, len, fp) != len) {
		fclose(fp);
		return NULL;
	}
	fflush(fp);
	rewind(fp);
	return fp;
}

#define FILE_OF(s)	file_with((s), sizeof(s) - 1)

/* Reads one line and checks it was handed out. */
static int
next_line(struct uktv_ndjson_reader *r, struct uktv_ndjson_line *ln)
{
	int rc = uktv_ndjson_next(r, ln);

	CHECK_INT(rc, 1);
	return rc;
}

static void
test_good_lines(void)
{
	FILE *fp = FILE_OF("{\"a\":1}\n{\"b\":\"x\"}\n");
	struct uktv_ndjson_reader *r = uktv_ndjson_reader_new(fp, 1024);
	struct uktv_ndjson_line ln;

	CHECK(r != NULL);
	next_line(r, &ln);
	CHECK_INT(ln.lineno, 1);
	CHECK_INT(ln.reject, UKTV_NDJSON_OK);
	CHECK(ln.reason == NULL);
	CHECK_STR(ln.text, "{\"a\":1}");
	CHECK_INT(ln.len, 7);
	CHECK(json_object_is_type(ln.obj, json_type_object));
	next_line(r, &ln);
	CHECK_INT(ln.lineno, 2);
	CHECK_STR(json_object_get_string(json_object_object_get(ln.obj, "b")), "x");
	CHECK_INT(uktv_ndjson_next(r, &ln), 0);
	CHECK_INT(uktv_ndjson_next(r, &ln), 0);	/* EOF stays EOF */
	CHECK(ln.text == NULL && ln.obj == NULL);
	CHECK_INT(uktv_ndjson_lineno(r), 2);
	uktv_ndjson_reader_free(r);
	fclose(fp);
}

static void
test_every_rejection_with_its_line_number(void)
{
	char deep[400], big[5001], *in;
	struct uktv_ndjson_reader *r;
	struct uktv_ndjson_line ln;
	size_t n = 0, i;
	FILE *fp;

	for (i = 0; i < 100; i++)
		deep[i] = '[';
	for (; i < 200; i++)
		deep[i] = ']';
	deep[i] = '\0';
	memset(big, 'x', 5000);
	big[5000] = '\0';
	in = malloc(16384);
	n += (size_t)sprintf(in + n, "{\"ok\":1}\n");		/* 1 */
	n += (size_t)sprintf(in + n, "{\"a\":}\n");		/* 2 */
	n += (size_t)sprintf(in + n, "[1,2]\n");		/* 3 */
	n += (size_t)sprintf(in + n, "{\"a\":\"\xc0\xaf\"}\n");	/* 4 */
	memcpy(in + n, "{\"a\":\"x\0y\"}\n", 12);		/* 5 */
	n += 12;
	n += (size_t)sprintf(in + n, "%s\n", deep);		/* 6 */
	n += (size_t)sprintf(in + n, "%s\n", big);		/* 7 */
	n += (size_t)sprintf(in + n, "{\"ok\":2}\n");		/* 8 */
	fp = file_with(in, n);
	r = uktv_ndjson_reader_new(fp, 4096);

	next_line(r, &ln);
	CHECK_INT(ln.lineno, 1);
	CHECK_INT(ln.reject, UKTV_NDJSON_OK);

	next_line(r, &ln);
	CHECK_INT(ln.lineno, 2);
	CHECK_INT(ln.reject, UKTV_NDJSON_BAD_JSON);
	CHECK_STR(ln.reason, "invalid JSON at byte offset 5: unexpected character");
	CHECK_STR(uktv_ndjson_reject_code(ln.reject), "invalid_json");
	CHECK_STR(ln.text, "{\"a\":}");		/* kept for dead-lettering */
	CHECK(ln.obj == NULL);

	next_line(r, &ln);
	CHECK_INT(ln.lineno, 3);
	CHECK_INT(ln.reject, UKTV_NDJSON_NOT_OBJECT);
	CHECK_STR(ln.reason, "not a JSON object (array)");
	CHECK_STR(uktv_ndjson_reject_code(ln.reject), "not_object");

	next_line(r, &ln);
	CHECK_INT(ln.lineno, 4);
	CHECK_INT(ln.reject, UKTV_NDJSON_BAD_UTF8);
	CHECK_STR(ln.reason, "invalid UTF-8 at byte offset 6");
	CHECK_STR(uktv_ndjson_reject_code(ln.reject), "invalid_utf8");

	next_line(r, &ln);
	CHECK_INT(ln.lineno, 5);
	CHECK_INT(ln.reject, UKTV_NDJSON_NUL);
	CHECK_STR(ln.reason, "NUL byte at byte offset 7");
	CHECK_STR(uktv_ndjson_reject_code(ln.reject), "nul_byte");
	CHECK_INT(ln.len, 11);

	next_line(r, &ln);
	CHECK_INT(ln.lineno, 6);
	CHECK_INT(ln.reject, UKTV_NDJSON_TOO_DEEP);
	CHECK_STR(ln.reason, "JSON nested deeper than 64 levels");
	CHECK_STR(uktv_ndjson_reject_code(ln.reject), "too_deep");

	next_line(r, &ln);
	CHECK_INT(ln.lineno, 7);
	CHECK_INT(ln.reject, UKTV_NDJSON_TOO_LONG);
	CHECK_STR(ln.reason, "line of 5000 bytes is longer than the limit of 4096");
	CHECK_STR(uktv_ndjson_reject_code(ln.reject), "line_too_long");
	CHECK(ln.text == NULL);
	CHECK_INT(ln.len, 5000);

	next_line(r, &ln);
	CHECK_INT(ln.lineno, 8);
	CHECK_INT(ln.reject, UKTV_NDJSON_OK);
	CHECK_INT(json_object_get_int(json_object_object_get(ln.obj, "ok")), 2);
	CHECK_INT(uktv_ndjson_next(r, &ln), 0);
	uktv_ndjson_reader_free(r);
	fclose(fp);
	free(in);
}

/* Each case is the inside of {"s":"..."}: the bad byte is at offset 6 +
 * where it sits in the case (bad < 0: valid). */
static void
test_utf8_is_validated_strictly(void)
{
	static const struct {
		const char	*bytes;
		int		 bad;
	} cases[] = {
		{ "plain ascii", -1 },
		{ "\xc3\xa9", -1 },			/* U+00E9 */
		{ "\xe2\x82\xac", -1 },			/* U+20AC */
		{ "\xed\x9f\xbf", -1 },			/* U+D7FF, below the surrogates */
		{ "\xee\x80\x80", -1 },			/* U+E000, above them */
		{ "\xf0\x9f\x98\x80", -1 },		/* U+1F600 */
		{ "\xf4\x8f\xbf\xbf", -1 },		/* U+10FFFF, the last */
		{ "\xc0\x80", 0 },			/* overlong NUL */
		{ "\xc1\xbf", 0 },			/* overlong */
		{ "\xe0\x80\xaf", 0 },			/* overlong '/' */
		{ "\xe0\x9f\xbf", 0 },			/* overlong U+07FF */
		{ "\xf0\x8f\xbf\xbf", 0 },		/* overlong U+FFFF */
		{ "\xed\xa0\x80", 0 },			/* U+D800 surrogate */
		{ "\xed\xbf\xbf", 0 },			/* U+DFFF surrogate */
		{ "\xf4\x90\x80\x80", 0 },		/* U+110000 */
		{ "\xf5\x80\x80\x80", 0 },
		{ "\xff", 0 },
		{ "\x80", 0 },				/* stray continuation */
		{ "ab\xc3", 2 },			/* truncated before '"' */
		{ "\xe2\x82", 0 },			/* truncated */
		{ "\xc3\x41", 0 },			/* not a continuation */
		{ "0123456789abcdefghij\xe9t\xc3\xa9", 20 },	/* Latin-1 after the fast path */
		{ "0123456789abcdefghij\xc3\xa9\xed\xa0\x80", 22 },
	};
	char line[128], want[64];
	struct uktv_ndjson_reader *r;
	struct uktv_ndjson_line ln;
	size_t i;
	FILE *fp;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = snprintf(line, sizeof(line), "{\"s\":\"%s\"}\n",
		    cases[i].bytes);

		fp = file_with(line, (size_t)n);
		r = uktv_ndjson_reader_new(fp, 1024);
		next_line(r, &ln);
		if (cases[i].bad < 0) {
			if (ln.reject != UKTV_NDJSON_OK)
				printf("# case %zu: %s\n", i, ln.reason);
			CHECK_INT(ln.reject, UKTV_NDJSON_OK);
		} else {
			snprintf(want, sizeof(want),
			    "invalid UTF-8 at byte offset %d", 6 + cases[i].bad);
			if (ln.reject != UKTV_NDJSON_BAD_UTF8)
				printf("# case %zu\n", i);
			CHECK_INT(ln.reject, UKTV_NDJSON_BAD_UTF8);
			CHECK_STR(ln.reason, want);
		}
		uktv_ndjson_reader_free(r);
		fclose(fp);
	}
}

/*
 * Only RFC 8259 JSON passes, including what json-c 0.16 lets through even in
 * strict mode; the same verdicts with NO_PARSE (no object built) and in the
 * default mode (object built by json-c).
 */
static void
test_only_strict_json_is_accepted(void)
{
	static const struct {
		const char	*text;
		const char	*reason;	/* NULL: any BAD_JSON reason */
	} bad[] = {
		{ "{'a':1}", "invalid JSON at byte offset 1: '\"' expected" },
		{ "{\"a\":'x'}", "invalid JSON at byte offset 5: unexpected character" },
		{ "{\"a\":NaN}", NULL }, { "{\"a\":Infinity}", NULL },
		{ "{\"a\":-Infinity}", "invalid JSON at byte offset 6: digit expected" },
		{ "{\"a\":1.}", "invalid JSON at byte offset 7: digit expected" },
		{ "{\"a\":1.e5}", NULL }, { "{\"a\":1e}", NULL }, { "{\"a\":1e+}", NULL },
		{ "{\"a\":01}", "invalid JSON at byte offset 6: ',' or '}' expected" },
		{ "{\"a\":-01}", NULL }, { "{\"a\":00}", NULL }, { "{\"a\":-}", NULL },
		{ "{\"a\":\"x\ty\"}", "invalid JSON at byte offset 7: control character in string" },
		{ "{\"a\":\"\x01\"}", NULL }, { "{\"a\":\"\x1f\"}", NULL },
		{ "{\"a\":1} x", "invalid JSON at byte offset 8: data after the JSON value" },
		{ "{\"a\":1}{\"b\":2}", NULL },
		{ "{\"a\":1,}", "invalid JSON at byte offset 7: '\"' expected" },
		{ "{\"a\":[1,]}", "invalid JSON at byte offset 8: unexpected character" },
		{ "{\"a\":[1 2]}", "invalid JSON at byte offset 8: ',' or ']' expected" },
		{ "{\"a\":1}/*c*/", NULL }, { "{\"a\":True}", NULL },
		{ "{\"a\":nul}", NULL }, { "{\"a\":nullx}", NULL }, { "{\"a\":tru}", NULL },
		{ "{\"a\":1", "invalid JSON at byte offset 6: unexpected end of line" },
		{ "{\"a\":", "invalid JSON at byte offset 5: unexpected end of line" },
		{ "{\"a\"", "invalid JSON at byte offset 4: ':' expected" },
		{ "{\"a", "invalid JSON at byte offset 3: unterminated string" },
		{ "{\"abcdefghijklmnopqrstuvwxyz", "invalid JSON at byte offset 28: unterminated string" },
		{ "{a:1}", NULL }, { "{\"a\" 1}", NULL }, { "{\"a\":1 \"b\":2}", NULL },
		{ "{\"a\":0x10}", NULL }, { "{\"a\":+1}", NULL }, { "{\"a\":.5}", NULL },
		{ "{\"a\":\"\\x\"}", "invalid JSON at byte offset 6: invalid escape" },
		{ "{\"a\":\"\\'\"}", NULL },
		{ "{\"a\":\"\\u12\"}", "invalid JSON at byte offset 6: invalid \\u escape" },
		{ "{\"a\":\"\\u12g4\"}", NULL }, { "{\"a\":\"\\", NULL },
		{ "{\"a\":\"\\u123", NULL },
		{ "\f{\"a\":1}", NULL }, { "{\"a\":1}\v", NULL }, { "{,}", NULL },
		{ "{\"a\":1,,\"b\":2}", NULL }, { "{\"a\"::1}", NULL }, { "{:1}", NULL },
		{ "{\"a\":1]", NULL }, { "{\"a\":[1}", NULL }, { "}", NULL }, { "]", NULL },
		{ "{\"a\":\"0123456789abcdef\x7f\x01\"}", NULL },
		/* Faults inside an eight-byte word of a string. */
		{ "{\"a\":\"01\x01" "3456789abcdefghijklmnop\"}",
		    "invalid JSON at byte offset 8: control character in string" },
		{ "{\"a\":\"01\\x3456789abcdefghijklmnop\"}",
		    "invalid JSON at byte offset 8: invalid escape" },
		{ "{\"a\":\"01\"3456789abcdefghijklmnop\"}",
		    "invalid JSON at byte offset 9: ',' or '}' expected" },
	};
	static const char *const good[] = {
		"{\"a\":-0}", "{\"a\":1E5}", "{\"a\":1e+5}", "{\"a\":1.5e-3}",
		"{\"a\":0.5}", "{\"a\":-12.25E-2}", "{\"a\":[true,false,null]}",
		"{\"a\":\"\\u00e9\\/\\\"\\\\\\b\\f\\n\\r\\t\\uABcd\"}", "{\"a\":\"it's\"}",
		"{\"NaN\":\"Infinity 1. 01\"}", " \t{ \"a\" : 1 , \"b\" : [ ] } \t",
		"{\"a\"\r:1}", "{}", "{ }", "{\"a\":{\"b\":[{}]}}", "{\"a\":\"\\ud800\"}",
		"{\"\":\"\"}", "{\"a\":[[],{},[[]]],\"b\":0}", "{\"a\":\"\x7f\"}",
		"{\"a\":\"0123456789abcdef\\\"0123456789\\\\abcdef\"}",
		"{\"a\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 0123456789\"}",
		"{\"a\":12345678901234567890123456789}",
		"{\"abc\":\"defghijklmn\",\"opqrstuvw\":\"xyz0123456789\"}",
		"{\"a\":\"01\\\"3456789abcdefghijklmnop\"}",
		"{\"a\":\"01\\\\3456789abcdefghijklmnop\"}",
	};
	static const int modes[] = { 0, UKTV_NDJSON_NO_PARSE };
	struct uktv_ndjson_reader *r;
	struct uktv_ndjson_line ln;
	size_t i, m;
	FILE *fp;

	for (m = 0; m < 2; m++) {
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			fp = file_with(bad[i].text, strlen(bad[i].text));
			r = uktv_ndjson_reader_new(fp, 1024);
			uktv_ndjson_reader_set_flags(r, modes[m]);
			next_line(r, &ln);
			if (ln.reject != UKTV_NDJSON_BAD_JSON)
				printf("# accepted: %s\n", bad[i].text);
			CHECK_INT(ln.reject, UKTV_NDJSON_BAD_JSON);
			if (bad[i].reason != NULL)
				CHECK_STR(ln.reason, bad[i].reason);
			CHECK(ln.obj == NULL);
			uktv_ndjson_reader_free(r);
			fclose(fp);
		}
		for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
			fp = file_with(good[i], strlen(good[i]));
			r = uktv_ndjson_reader_new(fp, 1024);
			uktv_ndjson_reader_set_flags(r, modes[m]);
			next_line(r, &ln);
			if (ln.reject != UKTV_NDJSON_OK)
				printf("# rejected: %s: %s\n", good[i], ln.reason);
			CHECK_INT(ln.reject, UKTV_NDJSON_OK);
			CHECK(modes[m] == 0 ? ln.obj != NULL : ln.obj == NULL);
			uktv_ndjson_reader_free(r);
			fclose(fp);
		}
	}
}

static void
test_crlf_and_no_final_newline(void)
{
	FILE *fp = FILE_OF("{\"a\":1}\r\n{\"b\":2}\r\n{\"c\":3}");
	struct uktv_ndjson_reader *r = uktv_ndjson_reader_new(fp, 1024);
	struct uktv_ndjson_line ln;

	next_line(r, &ln);
	CHECK_STR(ln.text, "{\"a\":1}");
	CHECK_INT(ln.len, 7);
	CHECK_INT(ln.reject, UKTV_NDJSON_OK);
	next_line(r, &ln);
	CHECK_STR(ln.text, "{\"b\":2}");
	next_line(r, &ln);
	CHECK_INT(ln.lineno, 3);
	CHECK_STR(ln.text, "{\"c\":3}");
	CHECK_INT(ln.reject, UKTV_NDJSON_OK);
	CHECK_INT(uktv_ndjson_next(r, &ln), 0);
	uktv_ndjson_reader_free(r);
	fclose(fp);

	/* A lone "\r" at the very end is stripped too. */
	fp = FILE_OF("{\"a\":1}\r");
	r = uktv_ndjson_reader_new(fp, 1024);
	next_line(r, &ln);
	CHECK_STR(ln.text, "{\"a\":1}");
	CHECK_INT(ln.reject, UKTV_NDJSON_OK);
	CHECK_INT(uktv_ndjson_next(r, &ln), 0);
	uktv_ndjson_reader_free(r);
	fclose(fp);
}

static void
test_blank_lines_are_skipped_and_counted(void)
{
	FILE *fp = FILE_OF("\n  \n\t\r\n{\"a\":1}\n\r\n\n{\"b\":2}\n \t ");
	struct uktv_ndjson_reader *r = uktv_ndjson_reader_new(fp, 1024);
	struct uktv_ndjson_line ln;

	next_line(r, &ln);
	CHECK_INT(ln.lineno, 4);
	CHECK_INT(uktv_ndjson_blank_count(r), 3);
	next_line(r, &ln);
	CHECK_INT(ln.lineno, 7);
	CHECK_INT(uktv_ndjson_next(r, &ln), 0);
	CHECK_INT(uktv_ndjson_blank_count(r), 6);
	CHECK_INT(uktv_ndjson_lineno(r), 8);
	uktv_ndjson_reader_free(r);
	fclose(fp);
}

static void
test_empty_input(void)
{
	FILE *fp = file_with("", 0);
	struct uktv_ndjson_reader *r = uktv_ndjson_reader_new(fp, 1024);
	struct uktv_ndjson_line ln;

	CHECK_INT(uktv_ndjson_next(r, &ln), 0);
	CHECK_INT(uktv_ndjson_lineno(r), 0);
	CHECK_INT(uktv_ndjson_blank_count(r), 0);
	uktv_ndjson_reader_free(r);
	fclose(fp);

	fp = FILE_OF("\n");
	r = uktv_ndjson_reader_new(fp, 1024);
	CHECK_INT(uktv_ndjson_next(r, &ln), 0);
	CHECK_INT(uktv_ndjson_lineno(r), 1);
	CHECK_INT(uktv_ndjson_blank_count(r), 1);
	uktv_ndjson_reader_free(r);
	fclose(fp);
}

static char *
nested(size_t depth, const char *open, const char *inner, const char *close)
{
	size_t lo = strlen(open), lc = strlen(close), li = strlen(inner), i;
	char *s = malloc(depth * (lo + lc) + li + 2), *p = s;

	for (i = 0; i < depth; i++, p += lo)
		memcpy(p, open, lo);
	memcpy(p, inner, li);
	p += li;
	for (i = 0; i < depth; i++, p += lc)
		memcpy(p, close, lc);
	*p++ = '\n';
	*p = '\0';
	return s;
}

static enum uktv_ndjson_reject
first_verdict(const char *text, int flags)
{
	FILE *fp = file_with(text, strlen(text));
	struct uktv_ndjson_reader *r = uktv_ndjson_reader_new(fp, 1 << 20);
	struct uktv_ndjson_line ln;
	enum uktv_ndjson_reject v;

	uktv_ndjson_reader_set_flags(r, flags);
	v = uktv_ndjson_next(r, &ln) == 1 ? ln.reject : (enum uktv_ndjson_reject)-1;
	uktv_ndjson_reader_free(r);
	fclose(fp);
	return v;
}

/* 10,000 levels are refused at level 65, without recursion, and the reader
 * goes on.  The bound counts objects and arrays: 64 pass, 65 do not. */
static void
test_nesting_is_bounded(void)
{
	char *s, *two;
	FILE *fp;
	struct uktv_ndjson_reader *r;
	struct uktv_ndjson_line ln;

	s = nested(10000, "[", "", "]");
	CHECK_INT(first_verdict(s, UKTV_NDJSON_ANY_VALUE), UKTV_NDJSON_TOO_DEEP);
	CHECK_INT(first_verdict(s, 0), UKTV_NDJSON_TOO_DEEP);
	free(s);
	s = nested(10000, "{\"a\":", "1", "}");
	CHECK_INT(first_verdict(s, 0), UKTV_NDJSON_TOO_DEEP);
	two = malloc(strlen(s) + 16);
	sprintf(two, "%s{\"n\":2}\n", s);
	fp = file_with(two, strlen(two));
	r = uktv_ndjson_reader_new(fp, 1 << 20);
	next_line(r, &ln);
	CHECK_INT(ln.reject, UKTV_NDJSON_TOO_DEEP);
	CHECK_STR(ln.reason, "JSON nested deeper than 64 levels");
	next_line(r, &ln);
	CHECK_INT(ln.lineno, 2);
	CHECK_INT(ln.reject, UKTV_NDJSON_OK);
	uktv_ndjson_reader_free(r);
	fclose(fp);
	free(two);
	free(s);

	s = nested(64, "[", "", "]");
	CHECK_INT(first_verdict(s, UKTV_NDJSON_ANY_VALUE), UKTV_NDJSON_OK);
	free(s);
	s = nested(64, "[", "1", "]");
	CHECK_INT(first_verdict(s, UKTV_NDJSON_ANY_VALUE), UKTV_NDJSON_OK);
	free(s);
	s = nested(65, "[", "", "]");
	CHECK_INT(first_verdict(s, UKTV_NDJSON_ANY_VALUE), UKTV_NDJSON_TOO_DEEP);
	free(s);
	s = nested(64, "{\"a\":", "1", "}");
	CHECK_INT(first_verdict(s, 0), UKTV_NDJSON_OK);
	CHECK_INT(first_verdict(s, UKTV_NDJSON_NO_PARSE), UKTV_NDJSON_OK);
	free(s);
	s = nested(65, "{\"a\":", "1", "}");
	CHECK_INT(first_verdict(s, 0), UKTV_NDJSON_TOO_DEEP);
	free(s);
}

/* "{"x":"aaaa...a"}" of exactly len bytes, no newline. */
static void
json_of_len(char *p, size_t len)
{
	memcpy(p, "{\"x\":\"", 6);
	memset(p + 6, 'a', len - 8);
	memcpy(p + len - 2, "\"}", 2);
}

static void
check_long_line_skipped(FILE *fp, size_t big)
{
	struct uktv_ndjson_reader *r = uktv_ndjson_reader_new(fp, 1 << 20);
	struct uktv_ndjson_line ln;

	next_line(r, &ln);
	CHECK_INT(ln.lineno, 1);
	CHECK_INT(ln.reject, UKTV_NDJSON_OK);
	next_line(r, &ln);
	CHECK_INT(ln.lineno, 2);
	CHECK_INT(ln.reject, UKTV_NDJSON_TOO_LONG);
	CHECK(ln.text == NULL);
	CHECK_INT(ln.len, big);
	next_line(r, &ln);
	CHECK_INT(ln.lineno, 3);
	CHECK_INT(ln.reject, UKTV_NDJSON_OK);
	CHECK_STR(ln.text, "{\"after\":true}");
	CHECK_INT(uktv_ndjson_next(r, &ln), 0);
	uktv_ndjson_reader_free(r);
}

/* A 2 MiB line with max_line 1 MiB: rejected with its length, and the
 * next line is read; through read(2) and through fread. */
static void
test_two_mib_line_is_skipped(void)
{
	size_t big = (size_t)2 << 20, n = 0;
	char *in = malloc(big + 64);
	FILE *fp;

	n += (size_t)sprintf(in, "{\"before\":1}\n");
	json_of_len(in + n, big);
	n += big;
	n += (size_t)sprintf(in + n, "\r\n{\"after\":true}\n");
	fp = file_with(in, n);
	check_long_line_skipped(fp, big);
	fclose(fp);
	fp = fmemopen(in, n, "r");
	check_long_line_skipped(fp, big);
	fclose(fp);
	free(in);
}

/* With BYTES_ONLY the bytes alone decide: the bound at max_line, with and
 * without "\r", inside the buffer and (for a line longer than the buffer)
 * in the skipping path, in the middle and at the end of the input. */
static void
test_bound_is_exact(void)
{
	static const struct {
		const char	*in;
		size_t		 len;	/* the line's length as reported */
		int		 too_long;
	} cases[] = {
		{ "12345678\n", 8, 0 },
		{ "12345678\r\n", 8, 0 },
		{ "123456789\n", 9, 1 },
		{ "123456789\r\n", 9, 1 },
		{ "12345678", 8, 0 },
		{ "12345678\r", 8, 0 },
		{ "123456789", 9, 1 },
		{ "123456789\r", 9, 1 },
	};
	struct uktv_ndjson_reader *r;
	struct uktv_ndjson_line ln;
	size_t i, huge = 300 * 1024;
	char *in;
	FILE *fp;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fp = file_with(cases[i].in, strlen(cases[i].in));
		r = uktv_ndjson_reader_new(fp, 8);
		uktv_ndjson_reader_set_flags(r, UKTV_NDJSON_BYTES_ONLY);
		next_line(r, &ln);
		CHECK_INT(ln.len, cases[i].len);
		CHECK_INT(ln.reject, cases[i].too_long ? UKTV_NDJSON_TOO_LONG :
		    UKTV_NDJSON_OK);
		CHECK(ln.obj == NULL);
		CHECK_INT(uktv_ndjson_next(r, &ln), 0);
		uktv_ndjson_reader_free(r);
		fclose(fp);
	}

	/* Longer than the whole buffer: skipped across several reads. */
	in = malloc(huge + 32);
	memset(in, 'y', huge);
	memcpy(in + huge, "\r\nok\n", 5);
	fp = file_with(in, huge + 5);
	r = uktv_ndjson_reader_new(fp, 8);
	uktv_ndjson_reader_set_flags(r, UKTV_NDJSON_BYTES_ONLY);
	next_line(r, &ln);
	CHECK_INT(ln.reject, UKTV_NDJSON_TOO_LONG);
	CHECK_INT(ln.len, huge);
	next_line(r, &ln);
	CHECK_INT(ln.lineno, 2);
	CHECK_STR(ln.text, "ok");
	uktv_ndjson_reader_free(r);
	fclose(fp);
	/* ... and at the end of the input, with no newline. */
	fp = file_with(in, huge);
	r = uktv_ndjson_reader_new(fp, 8);
	next_line(r, &ln);
	CHECK_INT(ln.reject, UKTV_NDJSON_TOO_LONG);
	CHECK_INT(ln.len, huge);
	CHECK_INT(uktv_ndjson_next(r, &ln), 0);
	uktv_ndjson_reader_free(r);
	fclose(fp);
	free(in);
}

/*
 * A generated stream: good lines of many lengths, CRLF, blanks, too-long
 * lines (one longer than the buffer), bad JSON.  Line i's verdict is known.
 */
struct gen {
	char	*buf;
	size_t	 len;
	size_t	 nlines;
};

enum { GEN_LINES = 4000, GEN_MAX = 300, GEN_BLANKS = (GEN_LINES - 3) / 11 + 1 };

static void
gen_stream(struct gen *g)
{
	size_t i, cap = 4 << 20, huge = 200 * 1024;

	g->buf = malloc(cap);
	g->len = 0;
	for (i = 1; i <= GEN_LINES; i++) {
		char *p = g->buf + g->len;

		switch (i % 11) {
		case 3:
			g->len += (size_t)sprintf(p, "\n");
			break;
		case 5:
			memset(p, 'z', GEN_MAX + i % 50 + 1);
			g->len += GEN_MAX + i % 50 + 1;
			g->buf[g->len++] = '\n';
			break;
		case 7:
			g->len += (size_t)sprintf(p, "{\"i\":%zu,\r\n", i);
			break;
		default:
			g->len += (size_t)sprintf(p, "{\"i\":%zu,\"pad\":\"%.*s\"}%s\n",
			    i, (int)(i % 250), "ppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp",
			    i % 2 ? "\r" : "");
		}
		if (i == GEN_LINES / 2) {	/* replaces line i's newline */
			g->len--;
			memset(g->buf + g->len, 'h', huge);
			g->len += huge;
			g->buf[g->len++] = '\n';
		}
	}
	g->nlines = GEN_LINES;
}

/* Reads the generated stream and checks every line; returns lines seen. */
static size_t
check_gen(FILE *fp)
{
	struct uktv_ndjson_reader *r = uktv_ndjson_reader_new(fp, GEN_MAX);
	struct uktv_ndjson_line ln;
	size_t seen = 0, bad = 0;
	int rc;

	while ((rc = uktv_ndjson_next(r, &ln)) == 1) {
		size_t i = (size_t)ln.lineno;
		int ok = 1;

		seen++;
		if (i == GEN_LINES / 2 || i % 11 == 5)
			ok = ln.reject == UKTV_NDJSON_TOO_LONG;
		else if (i % 11 == 7)
			ok = ln.reject == UKTV_NDJSON_BAD_JSON;
		else if (i % 11 == 3)
			ok = 0;		/* blank: never handed out */
		else
			ok = ln.reject == UKTV_NDJSON_OK &&
			    json_object_get_int64(json_object_object_get(ln.obj,
			    "i")) == (int64_t)i && ln.text[ln.len - 1] == '}';
		if (!ok && bad++ < 5)
			printf("# line %zu: %s\n", i, ln.reason ? ln.reason : "?");
		CHECK(ok);
	}
	CHECK_INT(rc, 0);
	CHECK_INT(uktv_ndjson_lineno(r), GEN_LINES);
	CHECK_INT(uktv_ndjson_blank_count(r), GEN_BLANKS);
	uktv_ndjson_reader_free(r);
	return seen;
}

static void
test_generated_stream_through_file_and_memory(void)
{
	struct gen g;
	FILE *fp;

	gen_stream(&g);
	fp = file_with(g.buf, g.len);
	CHECK_INT(check_gen(fp), GEN_LINES - GEN_BLANKS);
	fclose(fp);
	fp = fmemopen(g.buf, g.len, "r");
	CHECK_INT(check_gen(fp), GEN_LINES - GEN_BLANKS);
	fclose(fp);
	free(g.buf);
}

/* The same stream arriving through a pipe in pieces of 1 to 13 bytes:
 * every line boundary falls at every place within a read. */
static void
test_generated_stream_in_small_pieces(void)
{
	struct gen g;
	int fds[2], status;
	pid_t pid;
	size_t off, k;
	FILE *fp;

	gen_stream(&g);
	if (pipe(fds) == -1)
		return;
	if ((pid = fork()) == 0) {
		close(fds[0]);
		for (off = 0, k = 1; off < g.len; off += k, k = k % 13 + 1) {
			if (k > g.len - off)
				k = g.len - off;
			if (write(fds[1], g.buf + off, k) != (ssize_t)k)
				_exit(1);
		}
		_exit(0);
	}
	close(fds[1]);
	fp = fdopen(fds[0], "r");
	CHECK_INT(check_gen(fp), GEN_LINES - GEN_BLANKS);
	fclose(fp);
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	free(g.buf);
}

static void
on_alarm(int sig)
{
	static const char msg[] = "# the reader waited for more than a line\n";

	(void)sig;
	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

/* A line that has arrived on a pipe is handed out at once, though the
 * writer is still there: a tool at the end of a live pipeline keeps up. */
static void
test_pipe_line_is_not_held_back(void)
{
	struct uktv_ndjson_reader *r;
	struct uktv_ndjson_line ln;
	int fds[2];
	FILE *fp;

	if (pipe(fds) == -1)
		return;
	fp = fdopen(fds[0], "r");
	r = uktv_ndjson_reader_new(fp, 1 << 20);
	CHECK(write(fds[1], "{\"live\":1}\n", 11) == 11);
	signal(SIGALRM, on_alarm);
	alarm(5);
	next_line(r, &ln);
	alarm(0);
	signal(SIGALRM, SIG_DFL);
	CHECK_STR(ln.text, "{\"live\":1}");
	close(fds[1]);
	CHECK_INT(uktv_ndjson_next(r, &ln), 0);
	uktv_ndjson_reader_free(r);
	fclose(fp);
}

static void
test_duplicate_keys_last_wins(void)
{
	FILE *fp = FILE_OF("{\"a\":1,\"b\":0,\"a\":2}\n");
	struct uktv_ndjson_reader *r = uktv_ndjson_reader_new(fp, 1024);
	struct uktv_ndjson_line ln;

	next_line(r, &ln);
	CHECK_INT(ln.reject, UKTV_NDJSON_OK);
	CHECK_INT(json_object_get_int(json_object_object_get(ln.obj, "a")), 2);
	CHECK_INT(json_object_object_length(ln.obj), 2);
	uktv_ndjson_reader_free(r);
	fclose(fp);
}

/*
 * What json-c 0.16 makes of numbers outside int64 (documented in ndjson.h):
 * up to 2^64-1 a uint64; larger positive integers clamp to UINT64_MAX,
 * smaller negative ones to INT64_MIN; 1e400 is a double, inf, printed back
 * as written.  The raw text is never touched, so a tool that re-sends it
 * loses nothing.
 */
static void
test_huge_numbers(void)
{
	FILE *fp = FILE_OF("{\"i\":9223372036854775807,\"u\":18446744073709551615,"
	    "\"big\":123456789012345678901234567890,"
	    "\"neg\":-9223372036854775809,\"d\":1e400,\"f\":0.1}\n");
	struct uktv_ndjson_reader *r = uktv_ndjson_reader_new(fp, 1024);
	struct uktv_ndjson_line ln;
	json_object *v;
	char *out = NULL;
	size_t outlen = 0;
	FILE *mem;

	next_line(r, &ln);
	CHECK_INT(ln.reject, UKTV_NDJSON_OK);
	v = json_object_object_get(ln.obj, "i");
	CHECK(json_object_is_type(v, json_type_int));
	CHECK(json_object_get_int64(v) == INT64_MAX);
	v = json_object_object_get(ln.obj, "u");
	CHECK(json_object_is_type(v, json_type_int));
	CHECK(json_object_get_uint64(v) == UINT64_MAX);
	CHECK(json_object_get_int64(v) == INT64_MAX);	/* clamped */
	v = json_object_object_get(ln.obj, "big");
	CHECK(json_object_is_type(v, json_type_int));
	CHECK(json_object_get_uint64(v) == UINT64_MAX);	/* clamped */
	v = json_object_object_get(ln.obj, "neg");
	CHECK(json_object_get_int64(v) == INT64_MIN);	/* clamped */
	v = json_object_object_get(ln.obj, "d");
	CHECK(json_object_is_type(v, json_type_double));
	CHECK(isinf(json_object_get_double(v)));
	CHECK(strstr(ln.text, "123456789012345678901234567890") != NULL);

	mem = open_memstream(&out, &outlen);
	CHECK_INT(uktv_ndjson_write(mem, ln.obj), 0);
	fclose(mem);
	CHECK_STR(out, "{\"i\":9223372036854775807,\"u\":18446744073709551615,"
	    "\"big\":18446744073709551615,\"neg\":-9223372036854775808,"
	    "\"d\":1e400,\"f\":0.1}\n");
	free(out);
	uktv_ndjson_reader_free(r);
	fclose(fp);
}

static void
test_any_value_and_no_parse(void)
{
	FILE *fp = FILE_OF("1\n\"x\"\nnull\n[1]\n{}\n");
	struct uktv_ndjson_reader *r = uktv_ndjson_reader_new(fp, 1024);
	struct uktv_ndjson_line ln;

	uktv_ndjson_reader_set_flags(r, UKTV_NDJSON_ANY_VALUE);
	next_line(r, &ln);
	CHECK_INT(ln.reject, UKTV_NDJSON_OK);
	CHECK_INT(json_object_get_int(ln.obj), 1);
	next_line(r, &ln);
	CHECK_STR(json_object_get_string(ln.obj), "x");
	next_line(r, &ln);
	CHECK_INT(ln.reject, UKTV_NDJSON_OK);	/* JSON null: obj NULL */
	CHECK(ln.obj == NULL);
	next_line(r, &ln);
	CHECK(json_object_is_type(ln.obj, json_type_array));
	next_line(r, &ln);
	CHECK(json_object_is_type(ln.obj, json_type_object));
	uktv_ndjson_reader_free(r);
	fclose(fp);

	/* Without ANY_VALUE, null is "not a JSON object" too. */
	CHECK_INT(first_verdict("null\n", 0), UKTV_NDJSON_NOT_OBJECT);
	CHECK_INT(first_verdict("\"s\"\n", 0), UKTV_NDJSON_NOT_OBJECT);

	/* NO_PARSE: JSON still checked, the object built only on demand. */
	fp = FILE_OF("not json\n[1]\n{\"a\":{\"b\":[1,2]}}\n");
	r = uktv_ndjson_reader_new(fp, 1024);
	uktv_ndjson_reader_set_flags(r, UKTV_NDJSON_NO_PARSE);
	next_line(r, &ln);
	CHECK_INT(ln.reject, UKTV_NDJSON_BAD_JSON);
	CHECK_INT(uktv_ndjson_parse(r, &ln), -1);
	next_line(r, &ln);
	CHECK_INT(ln.reject, UKTV_NDJSON_NOT_OBJECT);
	next_line(r, &ln);
	CHECK_INT(ln.reject, UKTV_NDJSON_OK);
	CHECK_STR(ln.text, "{\"a\":{\"b\":[1,2]}}");
	CHECK(ln.obj == NULL);
	CHECK_INT(uktv_ndjson_parse(r, &ln), 0);
	CHECK(json_object_is_type(ln.obj, json_type_object));
	CHECK_INT(uktv_ndjson_parse(r, &ln), 0);	/* once is enough */
	CHECK_INT(uktv_ndjson_next(r, &ln), 0);
	uktv_ndjson_reader_free(r);
	fclose(fp);

	/* BYTES_ONLY: not JSON is fine; bad UTF-8 and NUL are not. */
	fp = file_with("not json\n{\"a\":\"\xed\xa0\x80\"}\nx\0y\n", 25);
	r = uktv_ndjson_reader_new(fp, 1024);
	uktv_ndjson_reader_set_flags(r, UKTV_NDJSON_BYTES_ONLY);
	next_line(r, &ln);
	CHECK_INT(ln.reject, UKTV_NDJSON_OK);
	CHECK_STR(ln.text, "not json");
	CHECK(ln.obj == NULL);
	next_line(r, &ln);
	CHECK_INT(ln.reject, UKTV_NDJSON_BAD_UTF8);
	next_line(r, &ln);
	CHECK_INT(ln.reject, UKTV_NDJSON_NUL);
	uktv_ndjson_reader_free(r);
	fclose(fp);
}

/* The reader releases its object on the next call; a reference taken with
 * json_object_get outlives it. */
static void
test_caller_can_keep_the_object(void)
{
	FILE *fp = FILE_OF("{\"keep\":\"me\"}\n{\"b\":2}\n");
	struct uktv_ndjson_reader *r = uktv_ndjson_reader_new(fp, 1024);
	struct uktv_ndjson_line ln;
	json_object *kept;

	next_line(r, &ln);
	kept = json_object_get(ln.obj);
	next_line(r, &ln);
	uktv_ndjson_reader_free(r);
	CHECK_STR(json_object_get_string(json_object_object_get(kept, "keep")),
	    "me");
	json_object_put(kept);
	fclose(fp);
}

static void
test_read_error_and_bad_arguments(void)
{
	struct uktv_ndjson_reader *r;
	struct uktv_ndjson_line ln;
	FILE *fp;

	errno = 0;
	CHECK(uktv_ndjson_reader_new(stdin, 0) == NULL);
	CHECK_INT(errno, EINVAL);
	CHECK(uktv_ndjson_reader_new(NULL, 10) == NULL);
	/* A directory opens for reading, then read(2) fails with EISDIR. */
	if ((fp = fopen(".", "r")) == NULL)
		return;
	r = uktv_ndjson_reader_new(fp, 1024);
	errno = 0;
	CHECK_INT(uktv_ndjson_next(r, &ln), -1);
	CHECK_INT(errno, EISDIR);
	uktv_ndjson_reader_free(r);
	fclose(fp);
}

static void
test_writer_bytes(void)
{
	json_object *o = json_tokener_parse(
	    "{\"url\":\"https://x/y\",\"b\":[1,2.5,true,null],\"c\":\"\xc3\xa9\\u0001\\\"\"}");
	struct uktv_ndjson_writer w;
	char buf[256];
	size_t n;
	FILE *fp = tmpfile();

	uktv_ndjson_writer_init(&w, fp);
	CHECK_INT(w.flush_lines, 0);		/* a regular file */
	CHECK_INT(uktv_ndjson_writer_put(&w, o), 0);
	CHECK_INT(uktv_ndjson_writer_put_raw(&w, "{\"raw\":1}", 9), 0);
	CHECK_INT(uktv_ndjson_write(fp, o), 0);
	fflush(fp);
	rewind(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	CHECK_STR(buf,
	    "{\"url\":\"https://x/y\",\"b\":[1,2.5,true,null],\"c\":\"\xc3\xa9\\u0001\\\"\"}\n"
	    "{\"raw\":1}\n"
	    "{\"url\":\"https://x/y\",\"b\":[1,2.5,true,null],\"c\":\"\xc3\xa9\\u0001\\\"\"}\n");
	fclose(fp);
	json_object_put(o);
}

/* Not a regular file: each line is flushed, so the next tool sees it. */
static void
test_writer_flushes_pipes_and_reports_epipe(void)
{
	json_object *o = json_object_new_object();
	struct uktv_ndjson_writer w;
	void (*old)(int);
	char buf[64];
	int fds[2];
	ssize_t n;
	FILE *fp;

	json_object_object_add(o, "a", json_object_new_int(1));
	if (pipe(fds) == -1)
		return;
	fp = fdopen(fds[1], "w");
	uktv_ndjson_writer_init(&w, fp);
	CHECK_INT(w.flush_lines, 1);
	CHECK_INT(uktv_ndjson_writer_put(&w, o), 0);
	/* There without an fflush of ours (non-blocking: fail, not hang). */
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	n = read(fds[0], buf, sizeof(buf));
	CHECK_INT(n, 8);
	CHECK(n == 8 && memcmp(buf, "{\"a\":1}\n", 8) == 0);

	close(fds[0]);
	old = signal(SIGPIPE, SIG_IGN);
	errno = 0;
	CHECK_INT(uktv_ndjson_writer_put(&w, o), -1);
	CHECK_INT(errno, EPIPE);
	fclose(fp);
	signal(SIGPIPE, old);
	json_object_put(o);
}

/*
 * A write the pipe takes only part of (a reader gone, here a full pipe that
 * does not block): write_part says how much went out, and a streamout counts
 * only the lines that went out whole, so a tool checkpoints no further.
 */
static void
test_write_part_and_lines_out(void)
{
	struct uktv_stream_record rec;
	struct uktv_streamout so;
	char line[100], big[10000];
	size_t done = 0;
	int fds[2], cap;
	FILE *fp;

	if (pipe(fds) == -1)
		return;
	fcntl(fds[1], F_SETPIPE_SZ, 4096);
	cap = fcntl(fds[1], F_GETPIPE_SZ);
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	fp = fdopen(fds[1], "w");
	memset(big, 'x', sizeof(big));
	errno = 0;
	CHECK_INT(uktv_ndjson_write_part(fp, big, sizeof(big), &done), -1);
	CHECK_INT(errno, EAGAIN);
	CHECK_INT(done, cap);
	/* Empty the pipe; then 99-byte objects and their newlines. */
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	while (read(fds[0], big, sizeof(big)) > 0)
		;
	memset(line, ' ', sizeof(line));
	line[0] = '{';
	line[98] = '}';
	memset(&rec, 0, sizeof(rec));
	rec.data = (const unsigned char *)line;
	rec.data_len = 99;
	uktv_streamout_init(&so, fp);
	for (int i = 0; i < 200; i++)
		CHECK_INT(uktv_streamout_data(&so, &rec, UKTV_SO_OBJECT), 0);
	CHECK_INT(so.lines_out, 0);
	CHECK_INT(uktv_streamout_flush(&so), -1);
	CHECK_INT(so.lines_out, cap / 100);
	uktv_streamout_free(&so);
	fclose(fp);
	close(fds[0]);
}

static volatile sig_atomic_t usr1_seen;
static int usr1_ack = -1;

static void
on_usr1(int sig)
{
	usr1_seen = 1;
	(void)write(usr1_ack, "!", 1);
}

/* 1 when pid sleeps (state S in /proc/PID/stat), within about 10 s. */
static int
sleeps_soon(pid_t pid)
{
	char path[64], buf[256], *p;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	for (int i = 0; i < 10000; i++) {
		FILE *fp = fopen(path, "r");
		size_t n = fp != NULL ? fread(buf, 1, sizeof(buf) - 1, fp) : 0;

		if (fp != NULL)
			fclose(fp);
		buf[n] = '\0';
		if ((p = strrchr(buf, ')')) != NULL && p[1] == ' ' && p[2] == 'S')
			return 1;
		usleep(1000);
	}
	return 0;
}

/*
 * SIGTERM while a slow reader holds the pipe full: the tools' handlers have
 * no SA_RESTART, so write(2) returns EINTR; the line must still go out whole
 * once the reader reads, not be dropped (stdio's habit) or cut.  A child
 * plays the reader: it waits until we sleep on the full pipe, signals us,
 * waits for the handler's ack, then drains and checks what came.
 */
static void
test_writer_survives_a_signal_on_a_full_pipe(void)
{
	struct sigaction sa, old;
	static char all[1 << 20];
	char fill[4096], c;
	struct uktv_ndjson_writer w;
	size_t filled = 0, got = 0;
	int fds[2], ack[2], st;
	pid_t parent = getpid(), child;
	ssize_t n;
	FILE *fp;

	if (pipe(fds) == -1 || pipe(ack) == -1)
		return;
	memset(fill, 'x', sizeof(fill));
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	while ((n = write(fds[1], fill, sizeof(fill))) > 0)
		filled += (size_t)n;
	fcntl(fds[1], F_SETFL, 0);
	fflush(stdout);
	if ((child = fork()) == 0) {
		close(fds[1]);
		close(ack[1]);
		if (!sleeps_soon(parent))
			_exit(2);
		kill(parent, SIGUSR1);
		if (read(ack[0], &c, 1) != 1)
			_exit(3);
		while (got < sizeof(all) &&
		    (n = read(fds[0], all + got, sizeof(all) - got)) > 0)
			got += (size_t)n;
		_exit(got == filled + 8 &&
		    memcmp(all + filled, "{\"a\":1}\n", 8) == 0 ? 0 : 4);
	}
	close(fds[0]);
	close(ack[0]);
	usr1_ack = ack[1];
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_usr1;	/* no SA_RESTART, as in the tools */
	sigaction(SIGUSR1, &sa, &old);
	fp = fdopen(fds[1], "w");
	uktv_ndjson_writer_init(&w, fp);
	errno = 0;
	CHECK_INT(uktv_ndjson_writer_put_raw(&w, "{\"a\":1}", 7), 0);
	CHECK_INT(usr1_seen, 1);
	fclose(fp);
	CHECK(waitpid(child, &st, 0) == child && WIFEXITED(st));
	CHECK_INT(WEXITSTATUS(st), 0);
	sigaction(SIGUSR1, &old, NULL);
	close(ack[1]);
}

int
main(void)
{
	RUN(test_good_lines);
	RUN(test_every_rejection_with_its_line_number);
	RUN(test_utf8_is_validated_strictly);
	RUN(test_only_strict_json_is_accepted);
	RUN(test_crlf_and_no_final_newline);
	RUN(test_blank_lines_are_skipped_and_counted);
	RUN(test_empty_input);
	RUN(test_nesting_is_bounded);
	RUN(test_two_mib_line_is_skipped);
	RUN(test_bound_is_exact);
	RUN(test_generated_stream_through_file_and_memory);
	RUN(test_generated_stream_in_small_pieces);
	RUN(test_pipe_line_is_not_held_back);
	RUN(test_duplicate_keys_last_wins);
	RUN(test_huge_numbers);
	RUN(test_any_value_and_no_parse);
	RUN(test_caller_can_keep_the_object);
	RUN(test_read_error_and_bad_arguments);
	RUN(test_writer_bytes);
	RUN(test_writer_flushes_pipes_and_reports_epipe);
	RUN(test_write_part_and_lines_out);
	RUN(test_writer_survives_a_signal_on_a_full_pipe);
	return UNIT_DONE();
}
