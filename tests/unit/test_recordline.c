/* test_recordline.c: an NDJSON line as a Kinesis record (recordline.h),
 * the rules uktv-publish(1) follows, without AWS. */
#include <stdio.h>
#include <string.h>

#include "recordline.h"
#include "unit.h"

static struct uktv_recordline *
make(int envelope, const char *key, const char *ehk)
{
	struct uktv_recordline_opts o = { envelope, key, ehk, 1 << 21 };
	enum uktv_recordline_bad bad;
	struct uktv_recordline *l = uktv_recordline_new(&o, &bad);

	CHECK(l != NULL);
	CHECK_INT(bad, UKTV_RECORDLINE_OK);
	return l;
}

static int
build(struct uktv_recordline *l, const char *text,
    struct uktv_kinesis_record *rec, const char **code, char *why)
{
	return uktv_recordline_build(l, text, strlen(text), 7, rec, code, why,
	    256);
}

static void
test_plain(void)
{
	struct uktv_recordline *l = make(0, NULL, NULL);
	struct uktv_kinesis_record rec;
	const char *code = NULL;
	char why[256];

	CHECK_INT(build(l, "{\"payload\":{\"id\":42}}", &rec, &code, why), 0);
	CHECK_INT(rec.tag, 7);
	CHECK_INT(rec.partition_key_len, 2);
	CHECK(memcmp(rec.partition_key, "42", 2) == 0);
	CHECK(rec.note == NULL);
	/* No key at the default path: the line's SHA-256 hex. */
	CHECK_INT(build(l, "{\"a\":1}", &rec, &code, why), 0);
	CHECK_INT(rec.partition_key_len, 64);
	CHECK_INT(build(l, "{\"payload\":", &rec, &code, why), -1);
	CHECK_STR(code, "invalid_json");
	CHECK_INT(build(l, "[1]", &rec, &code, why), -1);
	CHECK_STR(why, "not a JSON object");
	uktv_recordline_free(l);

	l = make(0, ".k", NULL);
	CHECK_INT(build(l, "{\"a\":1}", &rec, &code, why), -1);
	CHECK_STR(code, "no_partition_key");
	CHECK_STR(why, "no string or number at .k for the partition key");
	CHECK_INT(build(l, "{\"k\":\"\"}", &rec, &code, why), -1);
	CHECK_STR(code, "bad_partition_key");
	uktv_recordline_free(l);
}

static void
test_envelope_and_hash_key(void)
{
	struct uktv_recordline *l = make(1, NULL, ".h");
	struct uktv_kinesis_record rec;
	const char *code = NULL, *line;
	char why[256];

	line = "{\"partition_key\":\"p\",\"data\":{ \"h\": \"12\" }}";
	CHECK_INT(build(l, line, &rec, &code, why), 0);
	CHECK_INT(rec.data_len, strlen("{\"h\":\"12\"}"));
	CHECK(memcmp(rec.data, "{\"h\":\"12\"}", rec.data_len) == 0);
	CHECK(rec.note == line);
	CHECK_INT(rec.explicit_hash_key_len, 2);
	line = "{\"partition_key\":\"p\",\"data_base64\":\"e30=\"}";
	CHECK_INT(build(l, line, &rec, &code, why), -1);
	CHECK_STR(code, "bad_hash_key");
	uktv_recordline_free(l);

	l = make(1, NULL, NULL);
	CHECK_INT(build(l, "{\"partition_key\":\"p\",\"data_base64\":\"e30=\"}",
	    &rec, &code, why), 0);
	CHECK_INT(rec.data_len, 2);
	CHECK(memcmp(rec.data, "{}", 2) == 0);
	CHECK_INT(build(l, "{\"partition_key\":\"p\"}", &rec, &code, why), -1);
	CHECK_STR(code, "bad_envelope");
	uktv_recordline_free(l);
}

static void
test_bad_paths(void)
{
	struct uktv_recordline_opts o = { 0, "payload", NULL, 64 };
	enum uktv_recordline_bad bad;

	CHECK(uktv_recordline_new(&o, &bad) == NULL);
	CHECK_INT(bad, UKTV_RECORDLINE_BAD_KEY_PATH);
	o.key_path = NULL;
	o.hash_key_path = "h";
	CHECK(uktv_recordline_new(&o, &bad) == NULL);
	CHECK_INT(bad, UKTV_RECORDLINE_BAD_HASH_PATH);
}

int
main(void)
{
	RUN(test_plain);
	RUN(test_envelope_and_hash_key);
	RUN(test_bad_paths);
	return UNIT_DONE();
}
