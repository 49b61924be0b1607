/*
 * fuzz_streams.c: stream answers as the readers take them: DynamoDB Streams
 * (DescribeStream paging, GetShardIterator, GetRecords with their typed
 * OldImage/NewImage, DescribeTable's LatestStreamArn) through
 * lib/aws/ddbstreams.c, and whole reading sessions of lib/stream/streamreader.c (the
 * engine of uktv-consume and uktv-notify: ListShards/DescribeStream,
 * lineage, GetRecords, ChildShards, KPL de-aggregation, expired iterators,
 * throttling) over the fake transport.
 *
 * Input: one byte choosing the mode, then the transport script.
 *
 * Checks, beyond "no crash, no leak": a batch holds records of its own
 * shard only, at most what was asked for, with their data; an end batch
 * checkpoints SHARD_END and any other a sequence number; error messages are
 * one line without secrets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "aws.h"
#include "checkpoint.h"
#include "ddbstreams.h"
#include "dynamodb.h"
#include "streamreader.h"
#include "fuzz.h"

#define STREAM_ARN "arn:aws:dynamodb:eu-west-2:123456789012:table/T/stream/2025-01-01T00:00:00.000"

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

static int
on_shard(struct json_object *shard, void *arg)
{
	(void)shard;
	(*(long *)arg)++;
	return 0;
}

/* What uktv-notify does with each stream record: its images as plain. */
static void
walk_images(struct json_object *resp)
{
	struct json_object *recs, *rec, *ddb, *img;
	static const char *const names[] = { "NewImage", "OldImage", "Keys" };

	if (!json_object_object_get_ex(resp, "Records", &recs) ||
	    !json_object_is_type(recs, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(recs); i++) {
		rec = json_object_array_get_idx(recs, i);
		if (!json_object_object_get_ex(rec, "dynamodb", &ddb))
			continue;
		for (size_t k = 0; k < 3; k++)
			if (json_object_object_get_ex(ddb, names[k], &img))
				json_object_put(uktv_ddb_item_to_plain(img));
	}
}

static int
claim_any(void *arg, const struct uktv_shard_info *si,
    struct uktv_position *pos, struct uktv_error *err)
{
	unsigned mode = *(unsigned *)arg;

	(void)err;
	FUZZ_CHECK(si->shard_id != NULL, "claim of a shard without an id");
	/* Resume some shards from a sequence, inside an aggregate too. */
	if (mode & 0x20)
		uktv_position_set_sequence(pos, "49590338271490256608559692538361571095921575989136588898",
		    (mode & 0x40) ? 1 : -1);
	return UKTV_SR_CLAIM_READ;
}

static void
read_session(struct uktv_aws *aws, unsigned mode)
{
	struct uktv_streamreader_opts o = { 0 };
	struct uktv_streamreader *r;
	struct uktv_stream_batch b;
	struct uktv_error err;
	volatile unsigned sum = 0;
	int rc;

	o.backend = (mode & 0x08) ? UKTV_SR_DDBSTREAMS : UKTV_SR_KINESIS;
	o.stream = (mode & 0x08) ? STREAM_ARN : "ProgrammeDataStream";
	uktv_position_set(&o.start, (mode & 0x10) ? UKTV_POS_LATEST :
	    UKTV_POS_TRIM_HORIZON);
	o.to_end = 1;
	o.limit = 100;
	o.min_interval_ms = 1;
	o.poll_ms = 1;
	o.refresh_ms = 1;
	o.no_deaggregate = (mode & 0x80) != 0;
	o.claim = claim_any;
	o.arg = &mode;
	uktv_error_clear(&err);
	if ((r = uktv_streamreader_new(aws, &o, &err)) == NULL) {
		check_err(&err);
		return;
	}
	/* Bounded: the script ends, and so must the session. */
	for (int i = 0; i < 64; i++) {
		rc = uktv_streamreader_next(r, 7, 0, &b, &err);
		if (rc == -1) {
			check_err(&err);
			break;
		}
		if (rc == UKTV_SR_END)
			break;
		if (rc != UKTV_SR_BATCH)
			continue;
		FUZZ_CHECK(b.n <= 7, "batch over max_records");
		FUZZ_CHECK(b.shard_id != NULL, "batch without a shard");
		if (b.shard_end)
			FUZZ_CHECK(b.checkpoint.kind == UKTV_POS_SHARD_END,
			    "end batch does not checkpoint SHARD_END");
		else
			FUZZ_CHECK(b.n > 0 && b.checkpoint.kind ==
			    UKTV_POS_SEQUENCE, "batch checkpoint is no sequence");
		for (size_t k = 0; k < b.n; k++) {
			const struct uktv_stream_record *rec = &b.records[k];

			FUZZ_CHECK(rec->shard_id != NULL &&
			    strcmp(rec->shard_id, b.shard_id) == 0,
			    "record of another shard in a batch");
			FUZZ_CHECK(rec->sequence != NULL, "record without sequence");
			FUZZ_CHECK(rec->data != NULL || rec->data_len == 0,
			    "record data missing");
			/* Touch every byte: ASan sees data that is not there. */
			for (size_t j = 0; j < rec->data_len; j++)
				sum += rec->data[j];
		}
	}
	(void)sum;
	uktv_streamreader_free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uktv_aws_opts ao = { 0 };
	struct uktv_error err;
	struct uktv_aws *aws;
	struct json_object *resp = NULL;
	char *s = NULL;
	unsigned mode;
	long n = 0;
	int rc = 0;

	if (size < 1)
		return 0;
	mode = data[0];
	fuzz_http_script(data + 1, size - 1);
	uktv_error_clear(&err);
	if ((aws = uktv_aws_new(&ao, &err)) == NULL)
		abort();
	switch (mode & 7) {
	case 0:
		rc = uktv_ddbstreams_describe(aws, STREAM_ARN, (mode >> 4) & 3,
		    on_shard, &n, (mode & 0x08) ? &resp : NULL, &err);
		break;
	case 1:
		rc = uktv_ddbstreams_get_shard_iterator(aws, STREAM_ARN,
		    "shardId-00000001700000000000-aaaaaaaa",
		    (mode & 0x08) ? "AFTER_SEQUENCE_NUMBER" : "TRIM_HORIZON",
		    "000000000000000000001", &s, &err);
		break;
	case 2:
		rc = uktv_ddbstreams_get_records(aws, "ITERATOR", 1000, &resp,
		    &err);
		if (rc == 0)
			walk_images(resp);
		break;
	case 3:
		rc = uktv_ddbstreams_latest_arn(aws, "UKTVProgrammes", &s, &err);
		break;
	default:
		read_session(aws, mode);
		break;
	}
	if (rc == -1)
		check_err(&err);
	free(s);
	json_object_put(resp);
	uktv_aws_free(aws);
	fuzz_http_reset();
	return 0;
}
