/*
 * fuzz_kpl.c: KPL aggregated records (lib/stream/kpl.c), the protobuf that a
 * Kinesis record from a KPL producer carries and uktv-consume
 * de-aggregates: magic, varints, length-delimited fields, key tables and
 * their indexes, the MD5 trailer.
 *
 * Input: a Kinesis record's data.  Bit 0 of the first byte chooses whether
 * the digest is made right (so the fuzzer reaches the message parser
 * instead of stopping at the MD5 check).
 *
 * Checks, beyond "no crash, no leak": decoded user records lie inside the
 * input; re-encoding them and decoding again gives the same records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "kpl.h"
#include "private/kpl.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_env();
	return 0;
}

static int
same(const void *a, size_t an, const void *b, size_t bn)
{
	return an == bn && (an == 0 || memcmp(a, b, an) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uktv_kpl_aggregate agg = { 0 }, agg2 = { 0 };
	unsigned char *buf, *enc = NULL;
	size_t len, enclen = 0;
	char why[128];
	enum uktv_kpl_status st;

	if (size < 1)
		return 0;
	/* magic + message + (correct) MD5 of the message */
	if (data[0] & 1) {
		unsigned int dl = 0;

		len = UKTV_KPL_MAGIC_LEN + (size - 1) + UKTV_KPL_DIGEST_LEN;
		if ((buf = malloc(len)) == NULL)
			abort();
		memcpy(buf, UKTV_KPL_MAGIC, UKTV_KPL_MAGIC_LEN);
		memcpy(buf + UKTV_KPL_MAGIC_LEN, data + 1, size - 1);
		if (EVP_Digest(data + 1, size - 1, buf + UKTV_KPL_MAGIC_LEN +
		    (size - 1), &dl, EVP_md5(), NULL) != 1)
			abort();
	} else {
		len = size - 1;
		if ((buf = malloc(len ? len : 1)) == NULL)
			abort();
		memcpy(buf, data + 1, len);
	}
	st = uktv_kpl_decode(buf, len, &agg, why, sizeof(why));
	if (st != UKTV_KPL_OK) {
		FUZZ_CHECK(agg.n == 0, "failed decode left records");
		goto out;
	}
	FUZZ_CHECK(uktv_kpl_is_aggregated(buf, len), "decoded a non-aggregate");
	for (size_t i = 0; i < agg.n; i++) {
		const struct uktv_kpl_user_record *r = &agg.records[i];

		FUZZ_CHECK(r->data_len == 0 || ((const unsigned char *)r->data >=
		    buf && r->data + r->data_len <= buf + len),
		    "user record data outside the input");
		FUZZ_CHECK(r->partition_key != NULL || r->partition_key_len == 0,
		    "partition key missing");
	}
	if (uktv_kpl_encode(agg.records, agg.n, &enc, &enclen) == -1)
		abort();
	st = uktv_kpl_decode(enc, enclen, &agg2, why, sizeof(why));
	if (st != UKTV_KPL_OK) {
		fprintf(stderr, "re-decode: %s\n", why);
		FUZZ_CHECK(0, "re-encoded aggregate does not decode");
	}
	FUZZ_CHECK(agg2.n == agg.n, "re-encoded aggregate: record count");
	for (size_t i = 0; i < agg.n; i++) {
		const struct uktv_kpl_user_record *a = &agg.records[i],
		    *b = &agg2.records[i];

		FUZZ_CHECK(same(a->data, a->data_len, b->data, b->data_len),
		    "re-encoded aggregate: data");
		FUZZ_CHECK(same(a->partition_key, a->partition_key_len,
		    b->partition_key, b->partition_key_len),
		    "re-encoded aggregate: partition key");
		FUZZ_CHECK((a->explicit_hash_key == NULL) ==
		    (b->explicit_hash_key == NULL) &&
		    (a->explicit_hash_key == NULL || same(a->explicit_hash_key,
		    a->explicit_hash_key_len, b->explicit_hash_key,
		    b->explicit_hash_key_len)), "re-encoded aggregate: hash key");
	}
out:
	free(enc);
	free(buf);
	uktv_kpl_aggregate_free(&agg);
	uktv_kpl_aggregate_free(&agg2);
	return 0;
}
