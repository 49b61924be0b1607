/*
 * test_publisher.c: lib/stream/publisher.  Opening, then lines published
 * to the Kinesis double (tests/fakes/uktv-kinesis-double): delivered,
 * rejected and dead-lettered lines, calls cut by strict order and by the
 * pace; records failed on every send by the fault proxy in front of the
 * double (tests/fakes/uktv-faultproxy); and a service that cannot be
 * reached, after which lines are rejected.  Run from the repository's top
 * directory, as scripts/check does; a double that does not start fails.
 */
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "awsjson.h"
#include "publisher.h"
#include "unit.h"

static char tmpdir[] = "/tmp/test_publisher.XXXXXX";

/* A fake started on port 0: its pid and URL. */
struct fake {
	pid_t	 pid;
	char	 url[64];
};

/* Starts argv[0] with --port 0 --port-file F after the rest of argv;
 * 0, or -1 when it did not start. */
static int
start_fake(struct fake *f, const char *const *argv)
{
	struct timespec ts = { 0, 50 * 1000000L };
	const char *av[16];
	char pf[300];
	FILE *fp;
	int n = 0, port = 0;

	snprintf(pf, sizeof(pf), "%s/port", tmpdir);
	unlink(pf);
	while (argv[n] != NULL && n < 12) {
		av[n] = argv[n];
		n++;
	}
	av[n++] = "--port";
	av[n++] = "0";
	av[n++] = "--port-file";
	av[n++] = pf;
	av[n] = NULL;
	if (access(argv[0], X_OK) != 0)
		return -1;
	fflush(stdout);
	if ((f->pid = fork()) == 0) {
		freopen("/dev/null", "w", stdout);
		freopen("/dev/null", "w", stderr);
		execv(argv[0], (char *const *)av);
		_exit(127);
	}
	/* Up to 60 s: Python starts slowly on a loaded machine. */
	for (int i = 0; i < 1200 && port == 0; i++) {
		if ((fp = fopen(pf, "r")) != NULL) {
			if (fscanf(fp, "%d", &port) != 1)
				port = 0;
			fclose(fp);
		}
		if (port == 0 && waitpid(f->pid, NULL, WNOHANG) == f->pid) {
			f->pid = -1;
			return -1;
		}
		if (port == 0)
			nanosleep(&ts, NULL);
	}
	unlink(pf);
	if (port == 0) {
		kill(f->pid, SIGTERM);
		waitpid(f->pid, NULL, 0);
		f->pid = -1;
		return -1;
	}
	snprintf(f->url, sizeof(f->url), "http://127.0.0.1:%d", port);
	return 0;
}

static void
stop_fake(struct fake *f)
{
	if (f->pid > 0) {
		kill(f->pid, SIGTERM);
		waitpid(f->pid, NULL, 0);
		f->pid = -1;
	}
}

static struct uktv_aws *
client(const char *url)
{
	struct uktv_aws_opts o = { 0 };
	struct uktv_error e;

	unit_local_aws_env();
	o.endpoint_url = url;
	uktv_error_clear(&e);
	return uktv_aws_new(&o, &e);
}

/* What the hook was told, in order. */
struct told {
	int	 n;
	struct {
		enum uktv_publish_outcome outcome;
		unsigned long long line;
		char	 shard[64];
		char	 code[96];
		char	 message[512];
		int	 attempts;
		int	 call_failed;
	}	 r[16];
};

static void
hook(const struct uktv_publish_result *r, void *arg)
{
	struct told *t = arg;

	if (t->n >= 16)
		return;
	t->r[t->n].outcome = r->outcome;
	t->r[t->n].line = r->line;
	snprintf(t->r[t->n].shard, 64, "%s", r->shard ? r->shard : "");
	snprintf(t->r[t->n].code, 96, "%s", r->code ? r->code : "");
	snprintf(t->r[t->n].message, 512, "%s", r->message ? r->message : "");
	t->r[t->n].attempts = r->attempts;
	t->r[t->n].call_failed = r->call_failed;
	t->n++;
}

/* A good line numbered lineno. */
static struct uktv_ndjson_line
line(unsigned long long lineno, const char *text)
{
	struct uktv_ndjson_line ln;

	memset(&ln, 0, sizeof(ln));
	ln.lineno = lineno;
	ln.text = text;
	ln.len = strlen(text);
	return ln;
}

/* The options for stream name, with told as the hook's. */
static struct uktv_publisher_opts
opts(const char *name, struct uktv_recordline *rl, struct told *told)
{
	struct uktv_publisher_opts o;

	memset(&o, 0, sizeof(o));
	o.stream.name = name;
	o.lines = rl;
	o.hook = hook;
	o.hook_arg = told;
	return o;
}

/* The lines of path, joined. */
static void
slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (f == NULL)
		return;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void
test_open(void)
{
	struct uktv_recordline_opts ro = { 0, NULL, NULL, 1 << 20 };
	enum uktv_recordline_bad bad;
	struct uktv_recordline *rl = uktv_recordline_new(&ro, &bad);
	struct uktv_publisher_opts o = opts("S", rl, NULL);
	struct uktv_publisher_counts c;
	struct uktv_publisher *p;
	struct uktv_error e;
	char path[300];

	uktv_error_clear(&e);
	snprintf(path, sizeof(path), "%s/no/such/dir/dead", tmpdir);
	o.dead_letter = path;
	CHECK(uktv_publisher_open(&o, &e) == NULL);
	CHECK_INT(e.kind, UKTV_ERR_CANTCREAT);

	/* A dead-letter file is made only when a line is dead-lettered. */
	snprintf(path, sizeof(path), "%s/dead-unused", tmpdir);
	o.dead_letter = path;
	uktv_error_clear(&e);
	CHECK((p = uktv_publisher_open(&o, &e)) != NULL);
	CHECK_INT(uktv_publisher_pending(p), 0);
	CHECK(uktv_publisher_failed(p) == NULL);
	uktv_publisher_counts(p, &c);
	CHECK_INT(c.lines, 0);
	CHECK_INT(c.sent.calls, 0);
	CHECK(uktv_publisher_close(p, &e) == 0);
	CHECK(access(path, F_OK) != 0);

	o.stream.name = NULL;
	CHECK(uktv_publisher_open(&o, &e) == NULL);
	CHECK_INT(e.kind, UKTV_ERR_USAGE);
	CHECK(uktv_publisher_close(NULL, &e) == 0);
	uktv_recordline_free(rl);
}

/* Delivered, rejected by the reader, too long to hold, and refused by
 * recordline: what the hook hears, the counts, and the dead letters. */
static void
delivered_and_rejected(struct uktv_aws *aws, struct uktv_recordline *rl)
{
	struct told told = { 0 };
	struct uktv_publisher_opts o = opts("P", rl, &told);
	struct uktv_publisher_counts c;
	struct uktv_ndjson_line ln;
	struct uktv_publisher *p;
	struct uktv_error e;
	char path[300], buf[4096];

	snprintf(path, sizeof(path), "%s/dead", tmpdir);
	o.dead_letter = path;
	uktv_error_clear(&e);
	CHECK((p = uktv_publisher_open(&o, &e)) != NULL);
	if (p == NULL)
		return;
	ln = line(1, "{\"payload\":{\"id\":\"1\"}}");
	uktv_publisher_add(p, aws, &ln);
	ln = line(2, "\xff");
	ln.reject = UKTV_NDJSON_BAD_UTF8;
	ln.reason = "invalid UTF-8 at byte 1";
	uktv_publisher_add(p, aws, &ln);
	ln = line(3, "");
	ln.text = NULL;
	ln.len = 3000000;
	ln.reject = UKTV_NDJSON_TOO_LONG;
	ln.reason = "line too long";
	uktv_publisher_add(p, aws, &ln);
	/* An empty partition key cannot be a record. */
	ln = line(4, "{\"payload\":{\"id\":\"\"}}");
	uktv_publisher_add(p, aws, &ln);
	/* Rejections are told at once; the good line waits for the flush. */
	CHECK_INT(uktv_publisher_pending(p), 1);
	CHECK_INT(told.n, 3);
	uktv_publisher_flush(p, aws);
	CHECK_INT(uktv_publisher_pending(p), 0);
	CHECK(uktv_publisher_failed(p) == NULL);
	CHECK_INT(told.n, 4);
	CHECK_INT(told.r[0].outcome, UKTV_PUBLISH_REJECTED);
	CHECK_INT(told.r[0].line, 2);
	CHECK_STR(told.r[0].code, "invalid_utf8");
	CHECK_STR(told.r[0].message, "invalid UTF-8 at byte 1");
	CHECK_INT(told.r[1].line, 3);
	CHECK_STR(told.r[1].code, "line_too_long");
	CHECK_INT(told.r[2].line, 4);
	CHECK_STR(told.r[2].code, "bad_partition_key");
	CHECK_INT(told.r[3].outcome, UKTV_PUBLISH_DELIVERED);
	CHECK_INT(told.r[3].line, 1);
	CHECK_STR(told.r[3].shard, "shardId-000000000000");
	uktv_publisher_counts(p, &c);
	CHECK_INT(c.lines, 4);
	CHECK_INT(c.rejected, 3);
	CHECK_INT(c.failed, 0);
	CHECK_INT(c.dead_errors, 0);
	CHECK_INT(c.sent.records, 1);
	CHECK_INT(c.sent.calls, 1);
	CHECK(uktv_publisher_close(p, &e) == 0);
	slurp(path, buf, sizeof(buf));
	CHECK(strstr(buf, "\"input_base64\":\"\\/w==\"") != NULL ||
	    strstr(buf, "\"input_base64\":\"/w==\"") != NULL);
	CHECK(strstr(buf, "\"error\":\"invalid_utf8\"") != NULL);
	CHECK(strstr(buf, "\"length\":3000000") != NULL);
	CHECK(strstr(buf, "\"error\":\"bad_partition_key\"") != NULL);
	CHECK(strstr(buf, "\"line\":4") != NULL);
}

/* --strict-order sends a call before a key comes again; a pace of two
 * records a second sends calls of two. */
static void
strict_and_paced(struct uktv_aws *aws, struct uktv_recordline *rl)
{
	struct told told = { 0 };
	struct uktv_publisher_opts o = opts("P", rl, &told);
	struct uktv_publisher_counts c;
	struct uktv_ndjson_line ln;
	struct uktv_publisher *p;
	struct uktv_error e;

	o.strict_order = 1;
	o.batch.brief_success = 1;
	uktv_error_clear(&e);
	CHECK((p = uktv_publisher_open(&o, &e)) != NULL);
	if (p == NULL)
		return;
	ln = line(1, "{\"payload\":{\"id\":\"a\"}}");
	uktv_publisher_add(p, aws, &ln);
	ln = line(2, "{\"payload\":{\"id\":\"b\"}}");
	uktv_publisher_add(p, aws, &ln);
	CHECK_INT(uktv_publisher_pending(p), 2);
	ln = line(3, "{\"payload\":{\"id\":\"a\"}}");
	uktv_publisher_add(p, aws, &ln);
	CHECK_INT(uktv_publisher_pending(p), 1);
	uktv_publisher_flush(p, aws);
	uktv_publisher_counts(p, &c);
	CHECK_INT(c.sent.calls, 2);
	CHECK_INT(c.sent.records, 3);
	/* brief_success: delivered, without shard and sequence. */
	CHECK_INT(told.n, 3);
	CHECK_STR(told.r[0].shard, "");
	CHECK(uktv_publisher_close(p, &e) == 0);

	o = opts("P", rl, &told);
	o.batch.max_rate = 2;
	CHECK((p = uktv_publisher_open(&o, &e)) != NULL);
	if (p == NULL)
		return;
	for (int i = 0; i < 5; i++) {
		ln = line((unsigned long long)i + 1, "{\"payload\":{\"id\":\"x\"}}");
		uktv_publisher_add(p, aws, &ln);
	}
	CHECK_INT(uktv_publisher_pending(p), 1);
	uktv_publisher_flush(p, aws);
	uktv_publisher_counts(p, &c);
	CHECK_INT(c.sent.calls, 3);
	CHECK_INT(c.sent.records, 5);
	CHECK(uktv_publisher_close(p, &e) == 0);
}

/* The proxy fails the first record of every call: after two sends it is
 * given up on, told with its code and dead-lettered; the other lands. */
static void
failed_records(struct uktv_recordline *rl, const char *upstream)
{
	const char *argv[] = { "tests/fakes/uktv-faultproxy", "--upstream",
	    upstream, "--script", NULL, NULL };
	struct told told = { 0 };
	struct uktv_publisher_opts o = opts("P", rl, &told);
	struct uktv_publisher_counts c;
	struct uktv_ndjson_line ln;
	struct uktv_publisher *p;
	struct uktv_aws *aws;
	struct uktv_error e;
	struct fake proxy = { -1, "" };
	char script[300], path[300], buf[4096];
	FILE *f;

	snprintf(script, sizeof(script), "%s/script.json", tmpdir);
	if ((f = fopen(script, "w")) == NULL) {
		CHECK(f != NULL);
		return;
	}
	fputs("[{\"op\":\"PutRecords\",\"fault\":\"fail_records\","
	    "\"records\":[0],\"error_code\":\"InternalFailure\","
	    "\"error_message\":\"Internal service failure.\"}]\n", f);
	fclose(f);
	argv[4] = script;
	if (start_fake(&proxy, argv) == -1) {
		printf("# the fault proxy did not start\n");
		unit_failed_checks++;
		return;
	}
	aws = client(proxy.url);
	snprintf(path, sizeof(path), "%s/dead-failed", tmpdir);
	o.dead_letter = path;
	o.batch.max_attempts = 2;
	uktv_error_clear(&e);
	CHECK(aws != NULL && (p = uktv_publisher_open(&o, &e)) != NULL);
	if (aws == NULL || p == NULL)
		goto out;
	ln = line(7, "{\"payload\":{\"id\":\"f\"}}");
	uktv_publisher_add(p, aws, &ln);
	ln = line(8, "{\"payload\":{\"id\":\"g\"}}");
	uktv_publisher_add(p, aws, &ln);
	uktv_publisher_flush(p, aws);
	CHECK(uktv_publisher_failed(p) == NULL);
	uktv_publisher_counts(p, &c);
	CHECK_INT(c.failed, 1);
	CHECK_INT(c.sent.records, 1);
	CHECK_INT(c.sent.resent, 1);
	CHECK_INT(told.n, 2);
	for (int i = 0; i < told.n; i++) {
		if (told.r[i].outcome != UKTV_PUBLISH_FAILED)
			continue;
		CHECK_INT(told.r[i].line, 7);
		CHECK_INT(told.r[i].attempts, 2);
		CHECK_INT(told.r[i].call_failed, 0);
		CHECK_STR(told.r[i].code, "InternalFailure");
		CHECK_STR(told.r[i].message, "Internal service failure.");
	}
	CHECK(uktv_publisher_close(p, &e) == 0);
	slurp(path, buf, sizeof(buf));
	CHECK(strstr(buf, "\"input\":\"{\\\"payload\\\":{\\\"id\\\":\\\"f\\\"}}\"") != NULL);
	CHECK(strstr(buf, "\"error\":\"InternalFailure\"") != NULL);
	CHECK(strstr(buf, "\"line\":7") != NULL);
out:
	uktv_aws_free(aws);
	stop_fake(&proxy);
}

static void
test_against_double(void)
{
	const char *argv[] = { "tests/fakes/uktv-kinesis-double", NULL };
	struct uktv_recordline_opts ro = { 0, NULL, NULL, 1 << 20 };
	struct fake dbl = { -1, "" };
	struct json_object *req, *resp;
	struct uktv_recordline *rl;
	enum uktv_recordline_bad bad;
	struct uktv_aws *aws;
	struct uktv_error e;

	if (start_fake(&dbl, argv) == -1) {
		printf("# the Kinesis double (tests/fakes/uktv-kinesis-double) did not start\n");
		unit_failed_checks++;
		return;
	}
	aws = client(dbl.url);
	rl = uktv_recordline_new(&ro, &bad);
	CHECK(aws != NULL && rl != NULL);
	if (aws == NULL || rl == NULL)
		goto out;
	uktv_error_clear(&e);
	req = json_tokener_parse("{\"StreamName\":\"P\",\"ShardCount\":1}");
	CHECK(uktv_awsjson_call(aws, &uktv_svc_kinesis, "CreateStream", req,
	    &resp, &e) == 0);
	json_object_put(req);
	json_object_put(resp);
	delivered_and_rejected(aws, rl);
	strict_and_paced(aws, rl);
	failed_records(rl, dbl.url);
out:
	uktv_recordline_free(rl);
	uktv_aws_free(aws);
	stop_fake(&dbl);
}

/* Nothing listens: the call fails outright, its record is told as not
 * delivered (call_failed) and every line after it is rejected with the
 * call's error, which uktv_publisher_failed keeps. */
static void
test_unreachable(void)
{
	struct uktv_recordline_opts ro = { 0, NULL, NULL, 1 << 20 };
	enum uktv_recordline_bad bad;
	struct uktv_recordline *rl = uktv_recordline_new(&ro, &bad);
	struct told told = { 0 };
	struct uktv_publisher_opts o = opts("P", rl, &told);
	struct uktv_publisher_counts c;
	struct uktv_ndjson_line ln;
	struct uktv_publisher *p;
	struct uktv_aws *aws = client("http://127.0.0.1:1");
	struct uktv_error e;

	uktv_error_clear(&e);
	o.batch.max_rate = 1;
	CHECK(aws != NULL && (p = uktv_publisher_open(&o, &e)) != NULL);
	if (aws == NULL || p == NULL)
		goto out;
	ln = line(1, "{\"payload\":{\"id\":\"1\"}}");
	uktv_publisher_add(p, aws, &ln);
	CHECK(uktv_publisher_failed(p) != NULL);
	ln = line(2, "{\"payload\":{\"id\":\"2\"}}");
	uktv_publisher_add(p, aws, &ln);
	CHECK_INT(uktv_publisher_pending(p), 0);
	CHECK_INT(told.n, 2);
	CHECK_INT(told.r[0].outcome, UKTV_PUBLISH_FAILED);
	CHECK_INT(told.r[0].call_failed, 1);
	CHECK_INT(told.r[1].outcome, UKTV_PUBLISH_REJECTED);
	CHECK_INT(told.r[1].line, 2);
	if (uktv_publisher_failed(p) != NULL)
		CHECK_STR(told.r[1].message, uktv_publisher_failed(p)->message);
	uktv_publisher_counts(p, &c);
	CHECK_INT(c.failed, 1);
	CHECK_INT(c.rejected, 1);
	CHECK_INT(c.sent.records, 0);
	CHECK(uktv_publisher_close(p, &e) == 0);
out:
	uktv_aws_free(aws);
	uktv_recordline_free(rl);
}

int
main(void)
{
	char cmd[300];
	int rc;

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_open);
	RUN(test_against_double);
	RUN(test_unreachable);
	rc = UNIT_DONE();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	return rc;
}
