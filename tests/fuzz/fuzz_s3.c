/*
 * fuzz_s3.c: S3 answers and names as lib/s3.c reads them (uktv-guide's
 * upload): ListObjectsV2 XML (<Contents>, <IsTruncated>,
 * <NextContinuationToken>, url EncodingType), XML character data with
 * entities and numeric references, s3:// URLs, keys and their encoding.
 *
 * Input: one byte choosing the parser, then the text.
 *
 * Checks, beyond "no crash, no leak": a listing holds keys and ETags
 * without NUL bytes inside and sizes >= 0, and fails with a one-line
 * message; unescaped text holds no NUL; an encoded key holds only
 * unreserved characters, '/' and upper-case %XX; a parsed URL's prefix is
 * "" or ends in exactly one '/'.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private/s3.h"
#include "xml.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_env();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned op;
	char *text, *s, *bucket = NULL, *prefix = NULL, why[256];

	if (size < 1)
		return 0;
	op = data[0];
	data++;
	size--;
	if ((text = malloc(size + 1)) == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';

	switch (op & 3) {
	case 0: {
		struct uktv_s3_objects objs;
		struct uktv_error err;
		char *next = NULL;
		int trunc = 0;

		uktv_s3_objects_init(&objs);
		uktv_error_clear(&err);
		if (uktv_s3_list_parse(text, size, &objs, &trunc, &next,
		    &err) == 0) {
			for (size_t i = 0; i < objs.n; i++) {
				FUZZ_CHECK(objs.v[i].key != NULL, "object without key");
				FUZZ_CHECK(objs.v[i].size >= 0, "negative size");
			}
		} else
			FUZZ_CHECK(strchr(err.message, '\n') == NULL,
			    "message spans lines");
		free(next);
		uktv_s3_objects_free(&objs);
		break;
	}
	case 1:
		if ((s = uktv_xml_unescape(text, size)) != NULL) {
			FUZZ_CHECK(strlen(s) <= size, "unescaped text grew");
			free(s);
		}
		break;
	case 2:
		if (uktv_s3_key_valid(text) && (s = uktv_s3_key_encode(text)) != NULL) {
			for (const char *p = s; *p; p++) {
				if (*p == '%') {
					FUZZ_CHECK(p[1] && strchr("0123456789ABCDEF", p[1]) &&
					    p[2] && strchr("0123456789ABCDEF", p[2]),
					    "encoded key: bad %XX");
					p += 2;
					continue;
				}
				FUZZ_CHECK((*p >= 'A' && *p <= 'Z') ||
				    (*p >= 'a' && *p <= 'z') ||
				    (*p >= '0' && *p <= '9') ||
				    strchr("-._~/", *p) != NULL,
				    "encoded key: a reserved character left");
			}
			free(s);
		}
		(void)uktv_s3_bucket_valid(text);
		(void)uktv_s3_content_type(text);
		(void)uktv_s3_cache_control(text);
		break;
	default:
		if (uktv_s3_url_parse(text, &bucket, &prefix, why, sizeof(why)) == 0) {
			size_t n = strlen(prefix);

			FUZZ_CHECK(uktv_s3_bucket_valid(bucket), "parsed bucket invalid");
			FUZZ_CHECK(n == 0 || (prefix[n - 1] == '/' &&
			    (n == 1 || prefix[n - 2] != '/')),
			    "prefix does not end in exactly one /");
			free(bucket);
			free(prefix);
		} else
			FUZZ_CHECK(strchr(why, '\n') == NULL, "reason spans lines");
		break;
	}
	free(text);
	return 0;
}
