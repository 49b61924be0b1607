/*
 * test_kinesis.c: lib/kinesis.  The limits and validators alone, then every
 * operation against the Kinesis double (tests/fakes/uktv-kinesis-double),
 * which pages ListShards with NextToken alone and rejects NextToken sent
 * with StreamName, as AWS does (moto accepts only the wrong form).  Run from
 * the repository's top directory, as scripts/check does; a double that does
 * not start fails the test.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "awsjson.h"
#include "base64.h"
#include "kinesis.h"
#include "private/kinesis.h"
#include "unit.h"

static pid_t double_pid = -1;
static char double_url[64];

static void
test_validators(void)
{
	char pk[600];

	CHECK(uktv_kinesis_hash_key_valid("0", 1));
	CHECK(uktv_kinesis_hash_key_valid("340282366920938463463374607431768211455", 39));
	CHECK(!uktv_kinesis_hash_key_valid("340282366920938463463374607431768211456", 39));
	CHECK(!uktv_kinesis_hash_key_valid("1000000000000000000000000000000000000000", 40));
	CHECK(uktv_kinesis_hash_key_valid("99999999999999999999999999999999999999", 38));
	CHECK(!uktv_kinesis_hash_key_valid("01", 2));
	CHECK(!uktv_kinesis_hash_key_valid("", 0));
	CHECK(!uktv_kinesis_hash_key_valid("-1", 2));
	CHECK(!uktv_kinesis_hash_key_valid("1.5", 3));

	memset(pk, 'k', 257);
	CHECK(!uktv_kinesis_partition_key_valid(pk, 0));
	CHECK(uktv_kinesis_partition_key_valid(pk, 256));
	CHECK(!uktv_kinesis_partition_key_valid(pk, 257));
	/* 256 characters of two bytes each are still 256 characters. */
	for (int i = 0; i < 256; i++)
		memcpy(pk + 2 * i, "\xc3\xa9", 2);
	CHECK(uktv_kinesis_partition_key_valid(pk, 512));
	memcpy(pk + 512, "x", 1);
	CHECK(!uktv_kinesis_partition_key_valid(pk, 513));
}

static void
test_hash_partition_key(void)
{
	char out[65];

	uktv_kinesis_hash_partition_key("abc", 3, out);
	CHECK_STR(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void
test_batch_limits(void)
{
	struct uktv_kinesis_stream st = { "S", NULL };
	struct uktv_kinesis_batch_opts o = { 3, 0, 0, 0 };
	struct uktv_kinesis_batch *b;
	struct uktv_kinesis_record r;
	struct uktv_error e;
	char *big;

	uktv_error_clear(&e);
	CHECK(uktv_kinesis_batch_new(&(struct uktv_kinesis_stream){ NULL, NULL },
	    NULL, &e) == NULL);
	CHECK_INT(e.kind, UKTV_ERR_USAGE);

	/* 5 records of exactly 1 MiB with their key fill 5 MiB: a sixth waits. */
	big = malloc(UKTV_KINESIS_RECORD_MAX_BYTES + 1);
	memset(big, 'x', UKTV_KINESIS_RECORD_MAX_BYTES + 1);
	b = uktv_kinesis_batch_new(&st, NULL, &e);
	memset(&r, 0, sizeof(r));
	r.data = big;
	r.data_len = UKTV_KINESIS_RECORD_MAX_BYTES - 1;
	r.partition_key = "k";
	r.partition_key_len = 1;
	for (int i = 0; i < 5; i++) {
		CHECK(uktv_kinesis_batch_fits(b, r.data_len, 1));
		CHECK(uktv_kinesis_batch_add(b, &r, &e) == 0);
	}
	CHECK(!uktv_kinesis_batch_fits(b, r.data_len, 1));
	CHECK(!uktv_kinesis_batch_fits(b, 0, 1));
	CHECK(uktv_kinesis_batch_add(b, &r, &e) == -1);
	CHECK_INT(e.kind, UKTV_ERR_USAGE);
	CHECK_INT(uktv_kinesis_batch_count(b), 5);
	CHECK(uktv_kinesis_batch_has_key(b, "k", 1));
	CHECK(!uktv_kinesis_batch_has_key(b, "j", 1));
	uktv_kinesis_batch_free(b);

	/* One byte over 1 MiB with the key: the record itself is refused. */
	b = uktv_kinesis_batch_new(&st, &o, &e);
	r.data_len = UKTV_KINESIS_RECORD_MAX_BYTES;
	CHECK(uktv_kinesis_batch_add(b, &r, &e) == -1);
	CHECK_INT(e.kind, UKTV_ERR_INPUT);
	r.data_len = 10;
	r.partition_key = "";
	r.partition_key_len = 0;
	CHECK(uktv_kinesis_batch_add(b, &r, &e) == -1);
	CHECK_INT(e.kind, UKTV_ERR_INPUT);
	r.partition_key = "k";
	r.partition_key_len = 1;
	r.explicit_hash_key = "01";
	r.explicit_hash_key_len = 2;
	CHECK(uktv_kinesis_batch_add(b, &r, &e) == -1);
	CHECK_INT(e.kind, UKTV_ERR_INPUT);
	r.explicit_hash_key = NULL;
	/* max_records 3 */
	for (int i = 0; i < 3; i++)
		CHECK(uktv_kinesis_batch_add(b, &r, &e) == 0);
	CHECK(!uktv_kinesis_batch_fits(b, 1, 1));
	uktv_kinesis_batch_free(b);
	free(big);
}

/* Starts the double; 0, or -1 when it cannot run here. */
static int
start_double(void)
{
	char dir[] = "/tmp/test_kinesis.XXXXXX", pf[128];
	struct timespec ts = { 0, 50 * 1000000L };
	FILE *f;
	int port = 0;

	if (access("tests/fakes/uktv-kinesis-double", X_OK) != 0 ||
	    mkdtemp(dir) == NULL)
		return -1;
	snprintf(pf, sizeof(pf), "%s/port", dir);
	if ((double_pid = fork()) == 0) {
		freopen("/dev/null", "w", stdout);
		freopen("/dev/null", "w", stderr);
		execl("tests/fakes/uktv-kinesis-double", "uktv-kinesis-double",
		    "--port", "0", "--port-file", pf, (char *)NULL);
		_exit(127);
	}
	/* Up to 60 s: Python starts slowly on a loaded machine; a double that
	 * exits is given up on at once. */
	for (int i = 0; i < 1200 && port == 0; i++) {
		if ((f = fopen(pf, "r")) != NULL) {
			if (fscanf(f, "%d", &port) != 1)
				port = 0;
			fclose(f);
		}
		if (port == 0 && waitpid(double_pid, NULL, WNOHANG) == double_pid) {
			double_pid = -1;
			break;
		}
		if (port == 0)
			nanosleep(&ts, NULL);
	}
	unlink(pf);
	rmdir(dir);
	if (port == 0) {
		if (double_pid > 0) {
			kill(double_pid, SIGTERM);
			waitpid(double_pid, NULL, 0);
			double_pid = -1;
		}
		return -1;
	}
	snprintf(double_url, sizeof(double_url), "http://127.0.0.1:%d", port);
	return 0;
}

static void
stop_double(void)
{
	if (double_pid > 0) {
		kill(double_pid, SIGTERM);
		waitpid(double_pid, NULL, 0);
	}
}

static struct uktv_aws *
client(void)
{
	struct uktv_aws_opts o = { 0 };
	struct uktv_error e;

	unit_local_aws_env();
	o.endpoint_url = double_url;
	uktv_error_clear(&e);
	return uktv_aws_new(&o, &e);
}

struct shards {
	int	 n;
	char	 id[8][64];
};

static int
on_shard(struct json_object *shard, void *arg)
{
	struct shards *s = arg;
	struct json_object *v;

	if (s->n < 8 && json_object_object_get_ex(shard, "ShardId", &v))
		snprintf(s->id[s->n++], 64, "%s", json_object_get_string(v));
	return 0;
}

struct got {
	int	 n;
	int	 failed;
	int	 bare;		/* successes without shard and sequence */
	char	 shard[4][64];
	char	 seq[4][128];
};

static void
on_result(const struct uktv_kinesis_result *r, void *arg)
{
	struct got *g = arg;

	if (r->error_code != NULL) {
		g->failed++;
		return;
	}
	if (r->shard_id == NULL || r->sequence == NULL)
		g->bare++;
	else if (g->n < 4) {
		snprintf(g->shard[g->n], 64, "%s", r->shard_id);
		snprintf(g->seq[g->n], 128, "%s", r->sequence);
	}
	g->n++;
}

static void
test_against_double(void)
{
	struct uktv_kinesis_stream st = { "T", NULL };
	struct uktv_kinesis_record r;
	struct uktv_kinesis_batch *b;
	struct json_object *req, *resp, *sum, *v, *recs;
	struct shards sh = { 0 };
	struct got g = { 0 };
	struct uktv_error e;
	struct uktv_aws *aws;
	char *it = NULL, buf[64];
	size_t n;

	/* python3 and the double are part of every checkout make check runs
	 * on: a double that does not start is a failure, never a skip. */
	if (start_double() == -1) {
		printf("# the Kinesis double (tests/fakes/uktv-kinesis-double) did not start\n");
		unit_failed_checks++;
		return;
	}
	aws = client();
	CHECK(aws != NULL);
	if (aws == NULL)
		goto out;
	uktv_error_clear(&e);
	req = json_tokener_parse("{\"StreamName\":\"T\",\"ShardCount\":3}");
	CHECK(uktv_awsjson_call(aws, &uktv_svc_kinesis, "CreateStream", req,
	    &resp, &e) == 0);
	json_object_put(req);
	json_object_put(resp);

	CHECK(uktv_kinesis_describe_stream_summary(aws, &st, &sum, &e) == 0);
	CHECK(json_object_object_get_ex(sum, "OpenShardCount", &v) &&
	    json_object_get_int(v) == 3);
	json_object_put(sum);

	/* One shard a page: three pages, the last two by NextToken alone
	 * (the double refuses NextToken with StreamName, as AWS does). */
	CHECK(uktv_kinesis_list_shards(aws, &st, NULL, 1, on_shard, &sh, &e) == 0);
	if (e.kind != UKTV_ERR_NONE)
		printf("# %s\n", e.message);
	CHECK_INT(sh.n, 3);
	CHECK_STR(sh.id[0], "shardId-000000000000");
	CHECK_STR(sh.id[2], "shardId-000000000002");

	/* Two records on shard 0 (hash key 0), one failing none. */
	b = uktv_kinesis_batch_new(&st, NULL, &e);
	memset(&r, 0, sizeof(r));
	r.partition_key = "k \"quoted\"\n";
	r.partition_key_len = strlen(r.partition_key);
	r.explicit_hash_key = "0";
	r.explicit_hash_key_len = 1;
	r.data = "first";
	r.data_len = 5;
	r.tag = 1;
	CHECK(uktv_kinesis_batch_add(b, &r, &e) == 0);
	r.data = "\x00\xff second";
	r.data_len = 9;
	r.tag = 2;
	CHECK(uktv_kinesis_batch_add(b, &r, &e) == 0);
	CHECK(uktv_kinesis_batch_flush(aws, b, on_result, &g, &e) == 0);
	CHECK_INT(g.n, 2);
	CHECK_INT(g.failed, 0);
	CHECK_STR(g.shard[0], "shardId-000000000000");
	CHECK_INT(uktv_kinesis_batch_count(b), 0);
	CHECK_INT(uktv_kinesis_batch_stats(b)->records, 2);
	CHECK_INT(uktv_kinesis_batch_stats(b)->calls, 1);
	uktv_kinesis_batch_free(b);

	/* Read them back one at a time: Limit is sent. */
	CHECK(uktv_kinesis_get_shard_iterator(aws, &st, "shardId-000000000000",
	    "TRIM_HORIZON", NULL, 0, &it, &e) == 0);
	CHECK(it != NULL && uktv_kinesis_get_records(aws, &st, it, 1, &resp, &e) == 0);
	free(it);
	it = NULL;
	CHECK(json_object_object_get_ex(resp, "Records", &recs) &&
	    json_object_array_length(recs) == 1);
	v = json_object_object_get(json_object_array_get_idx(recs, 0), "Data");
	CHECK(uktv_base64_decode(json_object_get_string(v),
	    (size_t)json_object_get_string_len(v), buf, &n) == 0 && n == 5 &&
	    memcmp(buf, "first", 5) == 0);
	v = json_object_object_get(json_object_array_get_idx(recs, 0),
	    "PartitionKey");
	CHECK_STR(json_object_get_string(v), "k \"quoted\"\n");
	json_object_put(resp);

	/* After the first record's sequence number: the second, binary. */
	CHECK(uktv_kinesis_get_shard_iterator(aws, &st, "shardId-000000000000",
	    "AFTER_SEQUENCE_NUMBER", g.seq[0], 0, &it, &e) == 0);
	CHECK(it != NULL && uktv_kinesis_get_records(aws, &st, it, 10, &resp, &e) == 0);
	free(it);
	it = NULL;
	CHECK(json_object_object_get_ex(resp, "Records", &recs) &&
	    json_object_array_length(recs) == 1);
	v = json_object_object_get(json_object_array_get_idx(recs, 0), "Data");
	CHECK(uktv_base64_decode(json_object_get_string(v),
	    (size_t)json_object_get_string_len(v), buf, &n) == 0 && n == 9 &&
	    memcmp(buf, "\x00\xff second", 9) == 0);
	json_object_put(resp);

	CHECK(uktv_kinesis_get_shard_iterator(aws, &st, "shardId-000000000000",
	    "AT_TIMESTAMP", NULL, 0, &it, &e) == 0);
	free(it);
	it = NULL;
	CHECK(uktv_kinesis_get_shard_iterator(aws, &st, "shardId-000000000000",
	    "AT_SEQUENCE_NUMBER", NULL, 0, &it, &e) == -1);
	CHECK_INT(e.kind, UKTV_ERR_USAGE);

	/* brief_success: every record reported, none read one by one. */
	{
		struct uktv_kinesis_batch_opts o = { 0, 0, 0, 1 };
		struct got g2 = { 0 };

		b = uktv_kinesis_batch_new(&st, &o, &e);
		r.data = "third";
		r.data_len = 5;
		for (int i = 0; i < 3; i++)
			CHECK(uktv_kinesis_batch_add(b, &r, &e) == 0);
		CHECK(uktv_kinesis_batch_flush(aws, b, on_result, &g2, &e) == 0);
		CHECK_INT(g2.n, 3);
		CHECK_INT(g2.bare, 3);
		uktv_kinesis_batch_free(b);
	}

	/* A stream that is not there: a set-up mistake (78), named with its
	 * region; the code stays for callers that test it. */
	st.name = "nosuch";
	CHECK(uktv_kinesis_describe_stream_summary(aws, &st, &sum, &e) == -1);
	CHECK_INT(e.kind, UKTV_ERR_CONFIG);
	CHECK_STR(e.code, "ResourceNotFoundException");
	CHECK(strncmp(e.message, "no Kinesis stream nosuch in ", 28) == 0);
	uktv_aws_free(aws);
out:
	stop_double();
}

int
main(void)
{
	RUN(test_validators);
	RUN(test_hash_partition_key);
	RUN(test_batch_limits);
	RUN(test_against_double);
	return UNIT_DONE();
}
