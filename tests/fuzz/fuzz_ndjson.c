/*
 * fuzz_ndjson.c: the NDJSON line reader every tool reads stdin with
 * (lib/util/ndjson.c), and its writer.
 *
 * Input: one byte of settings (reader flags, a small or the default line
 * bound, pipe or memory stream), then the stream itself.
 *
 * Checks, beyond "no crash, no leak":
 *   - nothing is dropped silently: every physical line is either handed
 *     out (good or rejected, with a reason) or counted blank, and line
 *     numbers run 1, 2, 3 ... with no gap except blank lines;
 *   - a good line holds no NUL and no "\n", is within the bound, and with
 *     the default flags comes with an object;
 *   - what the writer prints of a good line's object is read back as a good
 *     line (so a tool's output can always be the next tool's input).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ndjson.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_env();
	return 0;
}

/* Reads the writer's output back: it must be exactly one good line. */
static void
check_roundtrip(json_object *obj, int flags)
{
	char *out = NULL;
	size_t outlen = 0;
	FILE *mem, *in;
	struct uktv_ndjson_reader *r;
	struct uktv_ndjson_line ln;

	if ((mem = open_memstream(&out, &outlen)) == NULL)
		abort();
	FUZZ_CHECK(uktv_ndjson_write(mem, obj) == 0, "writer failed");
	fclose(mem);
	FUZZ_CHECK(outlen > 0 && out[outlen - 1] == '\n', "writer: no newline");
	FUZZ_CHECK(memchr(out, '\n', outlen - 1) == NULL,
	    "writer: a newline inside the line");
	if ((in = fmemopen(out, outlen, "r")) == NULL)
		abort();
	if ((r = uktv_ndjson_reader_new(in, outlen + 1)) == NULL)
		abort();
	uktv_ndjson_reader_set_flags(r, flags & UKTV_NDJSON_ANY_VALUE);
	FUZZ_CHECK(uktv_ndjson_next(r, &ln) == 1, "writer output: no line");
	if (ln.reject != UKTV_NDJSON_OK) {
		fprintf(stderr, "written: %.*s\nreason: %s\n", (int)outlen, out,
		    ln.reason);
		FUZZ_CHECK(0, "writer output rejected by the reader");
	}
	FUZZ_CHECK(uktv_ndjson_next(r, &ln) == 0, "writer output: two lines");
	uktv_ndjson_reader_free(r);
	fclose(in);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uktv_ndjson_reader *r;
	struct uktv_ndjson_line ln;
	unsigned long long physical = 0, handed = 0, last = 0;
	size_t max_line;
	unsigned settings;
	int flags = 0, rc, pfd[2] = { -1, -1 };
	FILE *fp;

	if (size < 1)
		return 0;
	settings = data[0];
	data++;
	size--;
	if (settings & 0x01)
		flags |= UKTV_NDJSON_ANY_VALUE;
	if (settings & 0x02)
		flags |= UKTV_NDJSON_NO_PARSE;
	else if (settings & 0x04)
		flags |= UKTV_NDJSON_BYTES_ONLY;
	/* A small bound makes over-long lines (and the skip that never holds
	 * them) reachable with small inputs; the other bound is larger than
	 * any input the fuzzer makes (the reader's buffer is allocated whole,
	 * and 1 MiB per run would cost more than the parsing). */
	max_line = (settings & 0x08) ? 1 + (settings >> 4) * 4 : 65536;

	for (size_t i = 0; i < size; i++)
		if (data[i] == '\n')
			physical++;
	if (size > 0 && data[size - 1] != '\n')
		physical++;

	/* A pipe exercises the read(2) path, a memory stream fread's. */
	if ((settings & 0x80) == 0 && size < 60000) {
		if (pipe(pfd) == -1)
			abort();
		if (size > 0 && write(pfd[1], data, size) != (ssize_t)size)
			abort();
		close(pfd[1]);
		fp = fdopen(pfd[0], "r");
	} else if (size > 0)
		fp = fmemopen((void *)data, size, "r");
	else
		fp = fopen("/dev/null", "r");
	if (fp == NULL)
		abort();

	if ((r = uktv_ndjson_reader_new(fp, max_line)) == NULL)
		abort();
	uktv_ndjson_reader_set_flags(r, flags);
	while ((rc = uktv_ndjson_next(r, &ln)) == 1) {
		handed++;
		FUZZ_CHECK(ln.lineno > last, "line numbers go backwards");
		last = ln.lineno;
		FUZZ_CHECK(ln.lineno <= physical, "line number past the input");
		if (ln.reject != UKTV_NDJSON_OK) {
			FUZZ_CHECK(ln.reason != NULL && ln.reason[0] != '\0',
			    "rejected without a reason");
			FUZZ_CHECK(strchr(ln.reason, '\n') == NULL,
			    "reason spans lines");
			FUZZ_CHECK(ln.obj == NULL, "rejected line with an object");
			FUZZ_CHECK(strcmp(uktv_ndjson_reject_code(ln.reject),
			    "ok") != 0, "rejected line coded ok");
			if (ln.reject == UKTV_NDJSON_TOO_LONG)
				FUZZ_CHECK(ln.text == NULL && ln.len > max_line,
				    "too long, but text given or short");
			else
				FUZZ_CHECK(ln.text != NULL &&
				    ln.text[ln.len] == '\0', "rejected text");
			if (ln.reject != UKTV_NDJSON_TOO_LONG && (flags &
			    UKTV_NDJSON_NO_PARSE))
				FUZZ_CHECK(uktv_ndjson_parse(r, &ln) == -1,
				    "parse of a rejected line succeeded");
			continue;
		}
		FUZZ_CHECK(ln.reason == NULL, "good line with a reason");
		FUZZ_CHECK(ln.text != NULL && ln.text[ln.len] == '\0',
		    "good line not NUL-terminated");
		FUZZ_CHECK(strlen(ln.text) == ln.len, "good line holds a NUL");
		FUZZ_CHECK(ln.len <= max_line, "good line over the bound");
		FUZZ_CHECK(memchr(ln.text, '\n', ln.len) == NULL,
		    "good line holds a newline");
		if (flags & UKTV_NDJSON_BYTES_ONLY)
			continue;
		if (flags & UKTV_NDJSON_NO_PARSE) {
			FUZZ_CHECK(ln.obj == NULL, "NO_PARSE built an object");
			if (uktv_ndjson_parse(r, &ln) == -1)
				abort();	/* ENOMEM only */
		}
		if (!(flags & UKTV_NDJSON_ANY_VALUE))
			FUZZ_CHECK(json_object_is_type(ln.obj, json_type_object),
			    "good line is not an object");
		if (ln.obj != NULL)
			check_roundtrip(ln.obj, flags);
	}
	FUZZ_CHECK(rc == 0, "read error on a memory stream");
	FUZZ_CHECK(handed + uktv_ndjson_blank_count(r) == physical,
	    "a line was neither handed out nor counted blank");
	FUZZ_CHECK(uktv_ndjson_lineno(r) == physical, "final line number");
	uktv_ndjson_reader_free(r);
	fclose(fp);
	return 0;
}
