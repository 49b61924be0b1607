/*
 * fuzz_kinesis.c: Kinesis answers as lib/aws/kinesis.c reads them: PutRecords
 * (partial failures, per-record ErrorCode, resends), ListShards paging,
 * GetShardIterator, DescribeStreamSummary and GetRecords, through the real
 * aws/awsjson code over the fake transport (fuzz.h), errors included.
 *
 * Input: one byte choosing the operation (and, for PutRecords, how many
 * records), then the transport script: the answers, FUZZ_HTTP_SEP apart.
 *
 * Checks, beyond "no crash, no leak": PutRecords settles every record
 * exactly once (delivered or failed, never both, never lost, never twice),
 * whatever the answers say; a failed record carries an error code; the
 * batch stats add up; no error message spans lines or carries the secret
 * key or the session token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "aws.h"
#include "base64.h"
#include "kinesis.h"
#include "private/kinesis.h"
#include "kpl.h"
#include "fuzz.h"

#define NREC_MAX	12

struct settle {
	int	seen[NREC_MAX];
	int	ok, failed;
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_env();
	return 0;
}

static void
check_err(const struct uktv_error *err)
{
	fuzz_check_aws_error(err);
}

static void
on_result(const struct uktv_kinesis_result *res, void *arg)
{
	struct settle *s = arg;

	FUZZ_CHECK(res->tag < NREC_MAX, "result for a record never added");
	FUZZ_CHECK(s->seen[res->tag] == 0, "a record settled twice");
	s->seen[res->tag] = 1;
	if (res->error_code != NULL) {
		s->failed++;
		FUZZ_CHECK(res->error_code[0] != '\0', "failed with empty code");
		FUZZ_CHECK(res->data != NULL, "failed record without its data");
	} else {
		/* A result entry with neither ErrorCode nor SequenceNumber
		 * (a malformed answer) is counted delivered by kinesis.c
		 * with shard_id/sequence NULL: reported to the lead (see
		 * regress/kinesis/put-entry-without-sequence), not checked. */
		s->ok++;
	}
	FUZZ_CHECK(res->attempts >= 1, "settled without being sent");
}

static int
on_shard(struct json_object *shard, void *arg)
{
	(void)arg;
	FUZZ_CHECK(shard != NULL, "null shard");
	return 0;
}

/* What a consumer does with each record of a GetRecords answer. */
static void
walk_records(struct json_object *resp)
{
	struct json_object *recs, *rec, *d;
	struct uktv_kpl_aggregate agg = { 0 };
	unsigned char *buf;
	size_t n, outlen;
	const char *s;

	if (!json_object_object_get_ex(resp, "Records", &recs) ||
	    !json_object_is_type(recs, json_type_array))
		return;
	n = json_object_array_length(recs);
	for (size_t i = 0; i < n; i++) {
		rec = json_object_array_get_idx(recs, i);
		if (!json_object_object_get_ex(rec, "Data", &d) ||
		    !json_object_is_type(d, json_type_string))
			continue;
		s = json_object_get_string(d);
		if ((buf = malloc(strlen(s) + 1)) == NULL)
			abort();
		if (uktv_base64_decode(s, strlen(s), buf, &outlen) == 0) {
			FUZZ_CHECK(outlen <= strlen(s), "decoded longer");
			if (uktv_kpl_decode(buf, outlen, &agg, NULL, 0) ==
			    UKTV_KPL_OK)
				for (size_t k = 0; k < agg.n; k++)
					FUZZ_CHECK(agg.records[k].data_len <=
					    outlen, "user record past its aggregate");
		}
		free(buf);
	}
	uktv_kpl_aggregate_free(&agg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uktv_aws_opts ao = { 0 };
	struct uktv_kinesis_stream st = { .name = "ProgrammeDataStream" };
	struct uktv_error err;
	struct uktv_aws *aws;
	struct json_object *resp = NULL, *filter;
	char *it = NULL;
	unsigned op;
	int rc;

	if (size < 1)
		return 0;
	op = data[0];
	fuzz_http_script(data + 1, size - 1);
	uktv_error_clear(&err);
	if ((aws = uktv_aws_new(&ao, &err)) == NULL)
		abort();
	if (op & 0x80)
		st.arn = "arn:aws:kinesis:eu-west-2:123456789012:stream/S";

	switch (op & 7) {
	case 0:
	case 1: {
		struct uktv_kinesis_batch_opts bo = { 0 };
		struct uktv_kinesis_batch *b;
		struct settle s = { { 0 }, 0, 0 };
		size_t nrec = 1 + ((op >> 3) & 7) + (op & 1) * 4;
		char dbuf[32], pk[16];

		bo.max_attempts = 1 + ((op >> 4) & 3);
		if ((b = uktv_kinesis_batch_new(&st, &bo, &err)) == NULL)
			abort();
		for (size_t i = 0; i < nrec; i++) {
			struct uktv_kinesis_record r = { 0 };

			snprintf(dbuf, sizeof(dbuf), "{\"payload\":{\"id\":%zu}}", i);
			snprintf(pk, sizeof(pk), "%zu", i % 3);
			r.data = dbuf;
			r.data_len = strlen(dbuf);
			r.partition_key = pk;
			r.partition_key_len = strlen(pk);
			if (i == 2) {
				r.explicit_hash_key = "170141183460469231731687303715884105728";
				r.explicit_hash_key_len = strlen(r.explicit_hash_key);
			}
			r.tag = i;
			FUZZ_CHECK(uktv_kinesis_batch_fits(b, r.data_len,
			    r.partition_key_len), "small record does not fit");
			FUZZ_CHECK(uktv_kinesis_batch_add(b, &r, &err) == 0,
			    "add failed");
		}
		rc = uktv_kinesis_batch_flush(aws, b, on_result, &s, &err);
		for (size_t i = 0; i < nrec; i++)
			FUZZ_CHECK(s.seen[i], "a record never settled");
		FUZZ_CHECK((size_t)(s.ok + s.failed) == nrec, "settled count");
		FUZZ_CHECK(uktv_kinesis_batch_stats(b)->records == (uint64_t)s.ok,
		    "stats: records delivered");
		FUZZ_CHECK(uktv_kinesis_batch_stats(b)->failed ==
		    (uint64_t)s.failed, "stats: records failed");
		FUZZ_CHECK(uktv_kinesis_batch_count(b) == 0,
		    "batch not empty after flush");
		if (rc == -1)
			check_err(&err);
		uktv_kinesis_batch_free(b);
		break;
	}
	case 2:
		filter = (op & 0x40) ? json_tokener_parse(
		    "{\"Type\":\"AT_TRIM_HORIZON\"}") : NULL;
		rc = uktv_kinesis_list_shards(aws, &st, filter, (op >> 3) & 3,
		    on_shard, NULL, &err);
		if (rc == -1)
			check_err(&err);
		json_object_put(filter);
		break;
	case 3:
		rc = uktv_kinesis_get_shard_iterator(aws, &st,
		    "shardId-000000000000", (op & 0x40) ? "AFTER_SEQUENCE_NUMBER" :
		    "TRIM_HORIZON", "49590338271490256608559692538361571095921575989136588898",
		    0, &it, &err);
		if (rc == -1)
			check_err(&err);
		else
			FUZZ_CHECK(it != NULL, "no iterator");
		free(it);
		break;
	case 4:
		rc = uktv_kinesis_describe_stream_summary(aws, &st, &resp, &err);
		if (rc == -1)
			check_err(&err);
		json_object_put(resp);
		break;
	default:
		rc = uktv_kinesis_get_records(aws, (op & 0x40) ? &st : NULL,
		    "AAAAITERATOR", 1000, &resp, &err);
		if (rc == -1)
			check_err(&err);
		else
			walk_records(resp);
		json_object_put(resp);
		break;
	}
	uktv_aws_free(aws);
	fuzz_http_reset();
	return 0;
}
