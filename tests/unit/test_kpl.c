/* test_kpl.c: KPL aggregated records: decoding, digests, bad messages. */
#include <stdlib.h>
#include <string.h>

#include "kpl.h"
#include "private/kpl.h"
#include "unit.h"

/* An aggregate built by hand from the documented format (not by our own
 * encoder): tables pk ["a","bb"], ehk ["42"]; records
 * {pk 0, data "x"}, {pk 1, ehk 0, data "yz"}, {pk 0, data ""}; MD5 of the
 * protobuf bytes computed by python3 hashlib. */
static const unsigned char by_hand[] = {
	0xf3, 0x89, 0x9a, 0xc2,
	0x0a, 0x01, 'a',			/* 1: "a" */
	0x0a, 0x02, 'b', 'b',			/* 1: "bb" */
	0x12, 0x02, '4', '2',			/* 2: "42" */
	0x1a, 0x05, 0x08, 0x00, 0x1a, 0x01, 'x',	/* 3: {1:0, 3:"x"} */
	0x1a, 0x08, 0x08, 0x01, 0x10, 0x00, 0x1a, 0x02, 'y', 'z',
	0x1a, 0x04, 0x08, 0x00, 0x1a, 0x00,	/* {1:0, 3:""} */
	/* md5 of bytes 4 .. end-16 */
	0xd7, 0x65, 0x9a, 0xd3, 0x91, 0x38, 0xb8, 0x97,
	0x0c, 0xfe, 0xcb, 0x88, 0xb2, 0x96, 0xa4, 0x1d
};

static void
test_decode_by_hand(void)
{
	struct uktv_kpl_aggregate agg = { 0 };
	char why[128];

	CHECK(uktv_kpl_is_aggregated(by_hand, sizeof(by_hand)));
	CHECK_INT(uktv_kpl_decode(by_hand, sizeof(by_hand), &agg, why,
	    sizeof(why)), UKTV_KPL_OK);
	CHECK_INT(agg.n, 3);
	if (agg.n == 3) {
		CHECK_INT(agg.records[0].partition_key_len, 1);
		CHECK(memcmp(agg.records[0].partition_key, "a", 1) == 0);
		CHECK(agg.records[0].explicit_hash_key == NULL);
		CHECK_INT(agg.records[0].data_len, 1);
		CHECK(memcmp(agg.records[0].data, "x", 1) == 0);
		CHECK_INT(agg.records[1].partition_key_len, 2);
		CHECK(memcmp(agg.records[1].partition_key, "bb", 2) == 0);
		CHECK_INT(agg.records[1].explicit_hash_key_len, 2);
		CHECK(memcmp(agg.records[1].explicit_hash_key, "42", 2) == 0);
		CHECK(memcmp(agg.records[1].data, "yz", 2) == 0);
		CHECK_INT(agg.records[2].data_len, 0);
	}
	uktv_kpl_aggregate_free(&agg);
}

static void
test_bad_digest(void)
{
	struct uktv_kpl_aggregate agg = { 0 };
	unsigned char buf[sizeof(by_hand)];
	char why[128] = "";

	memcpy(buf, by_hand, sizeof(buf));
	buf[sizeof(buf) - 1] ^= 1;
	CHECK_INT(uktv_kpl_decode(buf, sizeof(buf), &agg, why, sizeof(why)),
	    UKTV_KPL_BAD_DIGEST);
	CHECK_INT(agg.n, 0);
	CHECK(strstr(why, "MD5") != NULL);
	/* A changed byte in the message: the digest no longer matches. */
	memcpy(buf, by_hand, sizeof(buf));
	buf[6] = 'A';
	CHECK_INT(uktv_kpl_decode(buf, sizeof(buf), &agg, NULL, 0),
	    UKTV_KPL_BAD_DIGEST);
	uktv_kpl_aggregate_free(&agg);
}

static void
test_not_aggregated(void)
{
	struct uktv_kpl_aggregate agg = { 0 };
	const char *json = "{\"payload\":{\"id\":1}}";

	CHECK(!uktv_kpl_is_aggregated(json, strlen(json)));
	/* The magic alone, too short for a digest. */
	CHECK(!uktv_kpl_is_aggregated(UKTV_KPL_MAGIC "abc", 7));
	CHECK_INT(uktv_kpl_decode(json, strlen(json), &agg, NULL, 0),
	    UKTV_KPL_NOT_AGGREGATED);
	uktv_kpl_aggregate_free(&agg);
}

static void
test_round_trip(void)
{
	struct uktv_kpl_user_record in[200];
	struct uktv_kpl_aggregate agg = { 0 };
	char pks[200][16], data[200][32];
	unsigned char *buf;
	size_t len;

	for (int i = 0; i < 200; i++) {
		memset(&in[i], 0, sizeof(in[i]));
		snprintf(pks[i], sizeof(pks[i]), "key%d", i % 7);
		snprintf(data[i], sizeof(data[i]), "{\"n\":%d}", i);
		in[i].partition_key = pks[i];
		in[i].partition_key_len = strlen(pks[i]);
		in[i].data = (const unsigned char *)data[i];
		in[i].data_len = strlen(data[i]);
		if (i % 3 == 0) {
			in[i].explicit_hash_key = "340282366920938463463374607431768211455";
			in[i].explicit_hash_key_len = 39;
		}
	}
	CHECK_INT(uktv_kpl_encode(in, 200, &buf, &len), 0);
	CHECK_INT(uktv_kpl_decode(buf, len, &agg, NULL, 0), UKTV_KPL_OK);
	CHECK_INT(agg.n, 200);
	/* Keys are in the table once each. */
	CHECK_INT(agg.npk, 7);
	CHECK_INT(agg.nehk, 1);
	for (size_t i = 0; i < agg.n && i < 200; i++) {
		CHECK_INT(agg.records[i].data_len, in[i].data_len);
		CHECK(memcmp(agg.records[i].data, in[i].data, in[i].data_len) == 0);
		CHECK(memcmp(agg.records[i].partition_key, in[i].partition_key,
		    in[i].partition_key_len) == 0);
		CHECK((agg.records[i].explicit_hash_key != NULL) == (i % 3 == 0));
	}
	/* The same struct decodes a second aggregate (arrays reused). */
	CHECK_INT(uktv_kpl_decode(by_hand, sizeof(by_hand), &agg, NULL, 0),
	    UKTV_KPL_OK);
	CHECK_INT(agg.n, 3);
	free(buf);
	uktv_kpl_aggregate_free(&agg);
}

static void
test_bad_message(void)
{
	struct uktv_kpl_aggregate agg = { 0 };
	struct uktv_kpl_user_record r = { 0 };
	unsigned char *buf;
	size_t len;
	char why[128] = "";

	/* The encoder's layout, checked; then the same message with the
	 * record pointing at partition key 5 of a table of 1, digest
	 * recomputed, so only the message is wrong. */
	r.partition_key = "k";
	r.partition_key_len = 1;
	r.data = (const unsigned char *)"d";
	r.data_len = 1;
	CHECK_INT(uktv_kpl_encode(&r, 1, &buf, &len), 0);
	/* magic, 0a 01 'k', 1a 05 08 00 1a 01 'd', md5 */
	CHECK_INT(len, 4 + 3 + 7 + 16);
	if (len == 30) {
		static const unsigned char truncated[] = {
			0xf3, 0x89, 0x9a, 0xc2,
			0x0a, 0x01, 'k', 0x1a, 0x05, 0x08, 0x05, 0x1a, 0x01, 'd',
			/* md5 of the 10 bytes above, python3 hashlib */
			0x1c, 0x17, 0x0c, 0x77, 0x00, 0xa7, 0xb6, 0x6c,
			0x00, 0xc0, 0xd6, 0x0d, 0xd2, 0x38, 0x85, 0x4a
		};

		CHECK_INT(uktv_kpl_decode(truncated, sizeof(truncated), &agg,
		    why, sizeof(why)), UKTV_KPL_BAD_MESSAGE);
		CHECK(strstr(why, "partition_key_index") != NULL);
		CHECK_INT(agg.n, 0);
	}
	free(buf);
	uktv_kpl_aggregate_free(&agg);
}

int
main(void)
{
	RUN(test_decode_by_hand);
	RUN(test_bad_digest);
	RUN(test_not_aggregated);
	RUN(test_round_trip);
	RUN(test_bad_message);
	return UNIT_DONE();
}
