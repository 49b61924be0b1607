/*
 * test_streamreader.c: the stream reader's DynamoDB Streams backend (the one
 * uktv-notify reads with), against the resharding double
 * (tests/fakes/uktv-kinesis-double, started here): lineage after a rotate,
 * end batches with SHARD_END, checkpoint claims, trimmed positions, batch
 * bounds.  The Kinesis backend is exercised by tests/consume.bats.
 */
#include <sys/wait.h>

#include <json-c/json.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aws.h"
#include "awsjson.h"
#include "base64.h"
#include "checkpoint.h"
#include "ddbstreams.h"
#include "http.h"
#include "streamreader.h"
#include "unit.h"

static char tmpdir[256];
static char url[64];
static pid_t double_pid = -1;
static struct uktv_aws *aws;
static struct uktv_http *http;

static int
start_double(void)
{
	char portfile[300], buf[16] = "";
	FILE *fp;

	snprintf(portfile, sizeof(portfile), "%s/port", tmpdir);
	if ((double_pid = fork()) == 0) {
		/* Its messages would mix with the TAP lines. */
		if (freopen("/dev/null", "w", stdout) == NULL ||
		    freopen("/dev/null", "w", stderr) == NULL)
			_exit(127);
		execl("/usr/bin/env", "env", "python3",
		    "tests/fakes/uktv-kinesis-double", "--port", "0",
		    "--port-file", portfile, (char *)NULL);
		_exit(127);
	}
	/* Up to 60 s: Python starts slowly on a loaded machine; a double that
	 * exits is given up on at once. */
	for (int i = 0; i < 1200; i++) {
		struct timespec ts = { 0, 50000000 };

		if ((fp = fopen(portfile, "r")) != NULL) {
			if (fgets(buf, sizeof(buf), fp) != NULL && buf[0] != '\0') {
				fclose(fp);
				buf[strcspn(buf, "\n")] = '\0';
				snprintf(url, sizeof(url), "http://127.0.0.1:%s", buf);
				return 0;
			}
			fclose(fp);
		}
		if (waitpid(double_pid, NULL, WNOHANG) == double_pid) {
			double_pid = -1;
			return -1;
		}
		nanosleep(&ts, NULL);
	}
	kill(double_pid, SIGTERM);
	waitpid(double_pid, NULL, 0);
	double_pid = -1;
	return -1;
}

/* POSTs a control request to the double; the answer (new reference) or
 * NULL. */
static struct json_object *
ctl(const char *path, const char *json)
{
	struct uktv_http_response resp;
	struct uktv_header h = { "Content-Type", "application/json" };
	struct uktv_error e;
	char u[256];
	struct json_object *o;

	snprintf(u, sizeof(u), "%s/__double/%s", url, path);
	if (uktv_http_request(http, "POST", u, &h, 1, json, strlen(json), &resp,
	    &e) == -1)
		return NULL;
	if (resp.status != 200) {
		printf("# ctl %s: %ld %s\n", path, resp.status, resp.body);
		uktv_http_response_free(&resp);
		return NULL;
	}
	o = json_tokener_parse(resp.body);
	uktv_http_response_free(&resp);
	return o;
}

static void
put_records(const char *table, int from, int to)
{
	char body[8192];
	size_t n = 0;

	n += (size_t)snprintf(body + n, sizeof(body) - n,
	    "{\"stream\":\"%s\",\"records\":[", table);
	for (int i = from; i <= to; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n,
		    "%s{\"Keys\":{\"PK\":{\"S\":\"title:%d\"},\"SK\":{\"S\":\"record\"}},"
		    "\"NewImage\":{\"PK\":{\"S\":\"title:%d\"},\"SK\":{\"S\":\"record\"},"
		    "\"n\":{\"N\":\"%d\"}}}", i > from ? "," : "", i, i, i);
	snprintf(body + n, sizeof(body) - n, "]}");
	json_object_put(ctl("ddb/records", body));
}

/* The n of a delivered Streams record (NewImage.n). */
static int
rec_n(const struct uktv_stream_record *r)
{
	struct json_object *dd, *img, *n, *v;

	if (r->record != NULL &&
	    json_object_object_get_ex(r->record, "dynamodb", &dd) &&
	    json_object_object_get_ex(dd, "NewImage", &img) &&
	    json_object_object_get_ex(img, "n", &n) &&
	    json_object_object_get_ex(n, "N", &v))
		return atoi(json_object_get_string(v));
	return -1;
}

struct seen {
	int	 n[64];
	char	 shard[64][80];
	int	 count;
	int	 ends;
	char	 ended[8][80];
	int	 notes[16];
	char	 note_text[512];
};

static void
on_note(void *arg, enum uktv_sr_note kind, const char *shard, const char *msg)
{
	struct seen *s = arg;

	s->notes[kind]++;
	if (kind == UKTV_SR_NOTE_TRIMMED)
		strlcpy(s->note_text, msg, sizeof(s->note_text));
}

/* Reads to the end (to_end), max records per batch; checkpoints into ck
 * when not NULL. */
static int
drain(const char *arn, size_t max, struct uktv_checkpoint_dir *ck,
    struct seen *s, enum uktv_position_kind start)
{
	struct uktv_streamreader_opts o;
	struct uktv_streamreader *r;
	struct uktv_stream_batch b;
	struct uktv_error e;
	int rc;

	memset(&o, 0, sizeof(o));
	o.backend = UKTV_SR_DDBSTREAMS;
	o.stream = arn;
	o.to_end = 1;
	o.min_interval_ms = 10;
	o.poll_ms = 10;
	uktv_position_set(&o.start, start);
	/* One arg serves both hooks: with a directory, the claim hook's
	 * (the notes are not looked at then). */
	if (ck != NULL) {
		o.claim = uktv_streamreader_claim_checkpoint;
		o.arg = ck;
	} else {
		o.note = on_note;
		o.arg = s;
	}
	uktv_error_clear(&e);
	if ((r = uktv_streamreader_new(aws, &o, &e)) == NULL)
		return -1;
	while ((rc = uktv_streamreader_next(r, max, 2000, &b, &e)) > 0) {
		if (rc != UKTV_SR_BATCH)
			continue;
		CHECK(max == 0 || b.n <= max);
		CHECK(b.millis_behind == -1);
		for (size_t i = 0; i < b.n && s->count < 64; i++) {
			s->n[s->count] = rec_n(&b.records[i]);
			strlcpy(s->shard[s->count], b.records[i].shard_id, 80);
			/* data is the record's JSON text */
			CHECK(strstr((const char *)b.records[i].data,
			    "\"eventName\":\"INSERT\"") != NULL);
			CHECK(b.records[i].partition_key == NULL);
			CHECK(b.records[i].sub_sequence == -1);
			s->count++;
		}
		if (b.shard_end) {
			CHECK_INT(b.checkpoint.kind, UKTV_POS_SHARD_END);
			if (s->ends < 8)
				strlcpy(s->ended[s->ends], b.shard_id, 80);
			s->ends++;
		} else
			CHECK_INT(b.checkpoint.kind, UKTV_POS_SEQUENCE);
		if (ck != NULL)
			CHECK_INT(uktv_checkpoint_write(ck, b.shard_id,
			    &b.checkpoint, &e), 0);
	}
	if (rc == -1)
		printf("# next: %s\n", e.message);
	uktv_streamreader_free(r);
	return rc;
}

static char *
table_arn(const char *table)
{
	struct uktv_error e;
	char *arn = NULL;

	uktv_error_clear(&e);
	if (uktv_ddbstreams_latest_arn(aws, table, &arn, &e) == -1)
		printf("# latest arn: %s\n", e.message);
	return arn;
}

static void
test_lineage_after_rotate(void)
{
	struct json_object *o;
	struct seen s;
	char *arn;
	int parent_last = -1, child_first = 64;

	memset(&s, 0, sizeof(s));
	json_object_put(ctl("ddb/table", "{\"table\":\"lin\"}"));
	put_records("lin", 1, 4);
	o = ctl("ddb/rotate", "{\"stream\":\"lin\",\"children\":2}");
	CHECK(o != NULL);
	json_object_put(o);
	put_records("lin", 5, 12);
	if ((arn = table_arn("lin")) == NULL) {
		CHECK(0);
		return;
	}
	CHECK_INT(drain(arn, 3, NULL, &s, UKTV_POS_TRIM_HORIZON), UKTV_SR_END);
	CHECK_INT(s.count, 12);
	/* the parent's four, in order, all before any child's */
	for (int i = 0; i < s.count; i++) {
		if (s.n[i] <= 4)
			parent_last = i;
		else if (i < child_first)
			child_first = i;
	}
	CHECK(parent_last < child_first);
	for (int i = 0; i < 4 && i < s.count; i++)
		CHECK_INT(s.n[i], i + 1);
	/* the parent ended (an end batch); the open children did not */
	CHECK_INT(s.ends, 1);
	free(arn);
}

static void
test_checkpoints_and_trim(void)
{
	struct uktv_checkpoint_dir *ck;
	struct uktv_error e;
	struct seen s;
	char path[300], *arn;

	uktv_error_clear(&e);
	snprintf(path, sizeof(path), "%s/ck", tmpdir);
	if ((ck = uktv_checkpoint_open(path, 1, &e)) == NULL) {
		CHECK(0);
		return;
	}
	json_object_put(ctl("ddb/table", "{\"table\":\"ckt\"}"));
	put_records("ckt", 1, 5);
	arn = table_arn("ckt");
	memset(&s, 0, sizeof(s));
	CHECK_INT(drain(arn, 0, ck, &s, UKTV_POS_TRIM_HORIZON), UKTV_SR_END);
	CHECK_INT(s.count, 5);
	/* from the checkpoints: nothing again, then only what is new */
	memset(&s, 0, sizeof(s));
	CHECK_INT(drain(arn, 0, ck, &s, UKTV_POS_TRIM_HORIZON), UKTV_SR_END);
	CHECK_INT(s.count, 0);
	put_records("ckt", 6, 9);
	memset(&s, 0, sizeof(s));
	CHECK_INT(drain(arn, 0, ck, &s, UKTV_POS_TRIM_HORIZON), UKTV_SR_END);
	CHECK_INT(s.count, 4);
	CHECK_INT(s.n[0], 6);
	/* LATEST without a checkpoint: nothing (uktv-notify's default) */
	memset(&s, 0, sizeof(s));
	CHECK_INT(drain(arn, 0, NULL, &s, UKTV_POS_LATEST), UKTV_SR_END);
	CHECK_INT(s.count, 0);
	/* The checkpoint (after 9) trimmed away with 10..13 unread: reset
	 * to the trim horizon, counted, and what is left is read. */
	{
		struct json_object *st, *x;

		put_records("ckt", 10, 13);
		st = ctl("trim", "{\"table\":\"ckt\",\"all\":true}");
		CHECK(st != NULL);
		if (st != NULL && json_object_object_get_ex(st, "trimmed", &x))
			CHECK_INT(json_object_get_int(x), 13);
		json_object_put(st);
	}
	put_records("ckt", 14, 15);
	{
		struct uktv_streamreader_opts o;
		struct uktv_streamreader *r;
		struct uktv_stream_batch b;
		int rc, got = 0;

		memset(&o, 0, sizeof(o));
		o.backend = UKTV_SR_DDBSTREAMS;
		o.stream = arn;
		o.to_end = 1;
		o.min_interval_ms = 10;
		o.poll_ms = 10;
		o.claim = uktv_streamreader_claim_checkpoint;
		o.arg = ck;
		r = uktv_streamreader_new(aws, &o, &e);
		while (r != NULL &&
		    (rc = uktv_streamreader_next(r, 0, 2000, &b, &e)) > 0)
			if (rc == UKTV_SR_BATCH)
				got += (int)b.n;
		CHECK_INT(got, 2);
		CHECK(uktv_streamreader_stats(r)->trimmed >= 1);
		uktv_streamreader_free(r);
	}
	free(arn);
	uktv_checkpoint_close(ck);
}

/* The double's request log, NDJSON (caller frees). */
static char *
double_log(void)
{
	struct uktv_http_response resp;
	struct uktv_error e;
	char u[256], *text = NULL;

	snprintf(u, sizeof(u), "%s/__double/log", url);
	if (uktv_http_request(http, "GET", u, NULL, 0, NULL, 0, &resp, &e) == 0) {
		text = strdup(resp.body);
		uktv_http_response_free(&resp);
	}
	return text;
}

static int
count_in(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; p != NULL && (p = strstr(p, needle)) != NULL;
	    p += strlen(needle))
		n++;
	return n;
}

static void
kinesis_call(const char *op, const char *json)
{
	struct json_object *req = json_tokener_parse(json), *resp = NULL;
	struct uktv_error e;

	uktv_error_clear(&e);
	if (uktv_awsjson_call(aws, &uktv_svc_kinesis, op, req, &resp, &e) == -1)
		printf("# %s: %s\n", op, e.message);
	json_object_put(req);
	json_object_put(resp);
}

static void
kinesis_put(const char *stream, const char *key, int n)
{
	char data[64], b64[128], body[512];
	size_t len = (size_t)snprintf(data, sizeof(data), "{\"n\":%d}", n);

	b64[uktv_base64_encode(data, len, b64)] = '\0';
	snprintf(body, sizeof(body), "{\"StreamName\":\"%s\",\"PartitionKey\":"
	    "\"%s\",\"Data\":\"%s\"}", stream, key, b64);
	kinesis_call("PutRecord", body);
}

static void
test_kinesis_listing_pages_and_split(void)
{
	struct uktv_streamreader_opts o;
	struct uktv_streamreader *r;
	struct uktv_stream_batch b;
	struct uktv_error e;
	char *log;
	int rc, got[32], n = 0, ends = 0;

	{
		/* A fresh request log for the counts below. */
		struct uktv_http_response resp;
		char u[256];

		snprintf(u, sizeof(u), "%s/__double/log", url);
		if (uktv_http_request(http, "DELETE", u, NULL, 0, NULL, 0,
		    &resp, &e) == 0)
			uktv_http_response_free(&resp);
	}
	/* The shard is split and the key's records go on in a child. */
	kinesis_call("CreateStream", "{\"StreamName\":\"pg\",\"ShardCount\":1}");
	for (int i = 1; i <= 6; i++)
		kinesis_put("pg", "same-key", i);
	json_object_put(ctl("kinesis/split",
	    "{\"stream\":\"pg\",\"shard\":\"shardId-000000000000\"}"));
	for (int i = 7; i <= 12; i++)
		kinesis_put("pg", "same-key", i);
	memset(&o, 0, sizeof(o));
	o.backend = UKTV_SR_KINESIS;
	o.stream = "pg";
	o.to_end = 1;
	o.min_interval_ms = 10;
	o.poll_ms = 10;
	o.list_page_size = 1;
	uktv_error_clear(&e);
	r = uktv_streamreader_new(aws, &o, &e);
	while (r != NULL && (rc = uktv_streamreader_next(r, 0, 2000, &b, &e)) > 0) {
		if (rc != UKTV_SR_BATCH)
			continue;
		ends += b.shard_end;
		for (size_t i = 0; i < b.n && n < 32; i++)
			got[n++] = atoi((const char *)b.records[i].data + 5);
	}
	uktv_streamreader_free(r);
	/* one key: every record in the order it was put, across the split */
	CHECK_INT(n, 12);
	for (int i = 0; i < n; i++)
		CHECK_INT(got[i], i + 1);
	CHECK_INT(ends, 1);
	/* three shards one a page: ListShards paged with NextToken alone
	 * (the double refuses NextToken with StreamName), never an error */
	log = double_log();
	CHECK(log != NULL && count_in(log, "\"op\":\"ListShards\"") >= 3);
	CHECK(log != NULL && strstr(log, "InvalidArgumentException") == NULL);
	free(log);
}

static void
test_describe_rate_limit(void)
{
	struct seen s;
	char *arn, *log;

	json_object_put(ctl("ddb/table", "{\"table\":\"rl\"}"));
	put_records("rl", 1, 2);
	json_object_put(ctl("ddb/rotate", "{\"stream\":\"rl\",\"children\":3}"));
	put_records("rl", 3, 8);
	json_object_put(ctl("config", "{\"describe_rate\":2}"));
	arn = table_arn("rl");
	memset(&s, 0, sizeof(s));
	{
		struct uktv_streamreader_opts o;
		struct uktv_streamreader *r;
		struct uktv_stream_batch b;
		struct uktv_error e;
		int rc;

		memset(&o, 0, sizeof(o));
		o.backend = UKTV_SR_DDBSTREAMS;
		o.stream = arn;
		o.to_end = 1;
		o.min_interval_ms = 10;
		o.poll_ms = 10;
		o.list_page_size = 1;
		uktv_error_clear(&e);
		r = uktv_streamreader_new(aws, &o, &e);
		while (r != NULL &&
		    (rc = uktv_streamreader_next(r, 0, 2000, &b, &e)) > 0)
			if (rc == UKTV_SR_BATCH)
				s.count += (int)b.n;
		if (rc == -1)
			printf("# %s\n", e.message);
		CHECK_INT(rc, UKTV_SR_END);
		uktv_streamreader_free(r);
	}
	json_object_put(ctl("config", "{\"describe_rate\":0}"));
	CHECK_INT(s.count, 8);
	/* four shards one a page at two calls a second: waited out */
	log = double_log();
	CHECK(log != NULL && strstr(log, "LimitExceededException") != NULL);
	free(log);
	free(arn);
}

int
main(void)
{
	struct uktv_aws_opts ao = { 0 };
	struct uktv_http_opts ho = { 0 };
	struct uktv_error e;
	char cmd[300];
	int rc;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/uktv-test-streamreader.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	/* The double is part of every checkout make check runs on: one that
	 * does not start is a failure, never a skip. */
	if (start_double() == -1) {
		printf("not ok 1 - the Kinesis double (tests/fakes/uktv-kinesis-double) started\n1..1\n");
		rmdir(tmpdir);
		return 1;
	}
	unit_local_aws_env();
	unsetenv("AWS_PROFILE");
	ao.endpoint_url = url;
	uktv_error_clear(&e);
	aws = uktv_aws_new(&ao, &e);
	http = uktv_http_new(&ho, &e);
	if (aws == NULL || http == NULL) {
		printf("# %s\n", e.message);
		return 1;
	}
	RUN(test_lineage_after_rotate);
	RUN(test_checkpoints_and_trim);
	RUN(test_kinesis_listing_pages_and_split);
	RUN(test_describe_rate_limit);
	rc = UNIT_DONE();
	uktv_aws_free(aws);
	uktv_http_free(http);
	kill(double_pid, SIGTERM);
	waitpid(double_pid, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
