/* test_checkpoint.c: positions, times, and durable checkpoint files. */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checkpoint.h"
#include "private/checkpoint.h"
#include "unit.h"

static char tmpdir[256];

static void
test_time_parse(void)
{
	static const struct {
		const char	*s;
		long long	 ms;	/* -1: refused */
	} cases[] = {
		{ "2025-07-04T16:02:51Z", 1751644971000LL },
		{ "2025-07-04T16:02:51.855Z", 1751644971855LL },
		{ "2025-07-04T16:02:51.8559Z", 1751644971855LL },
		{ "2025-07-04T17:02:51+01:00", 1751644971000LL },
		{ "2025-07-04T15:32:51-0030", 1751644971000LL },
		{ "2025-07-04T16:02:51", 1751644971000LL },
		{ "2025-07-04T16:02Z", 1751644920000LL },
		{ "2025-07-04", 1751587200000LL },
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2025-02-31", -1 }, { "2025-13-01", -1 }, { "2025-7-4", -1 },
		{ "2025-07-04T25:00:00Z", -1 }, { "2025-07-04T16:02:51Zjunk", -1 },
		{ "", -1 }, { "yesterday", -1 }, { "2025-07-04T16:02:51.Z", -1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long long ms = -42;
		int rc = uktv_time_parse(cases[i].s, 0, &ms);

		if (cases[i].ms == -1) {
			if (rc != -1)
				printf("# accepted \"%s\"\n", cases[i].s);
			CHECK_INT(rc, -1);
		} else {
			if (rc != 0)
				printf("# refused \"%s\"\n", cases[i].s);
			CHECK_INT(rc, 0);
			CHECK_INT(ms, cases[i].ms);
		}
	}
}

static void
test_time_relative(void)
{
	long long now = 1751644971855LL, ms;

	CHECK_INT(uktv_time_parse("-1h", now, &ms), 0);
	CHECK_INT(ms, now - 3600000);
	CHECK_INT(uktv_time_parse("-90m", now, &ms), 0);
	CHECK_INT(ms, now - 5400000);
	CHECK_INT(uktv_time_parse("-30s", now, &ms), 0);
	CHECK_INT(ms, now - 30000);
	CHECK_INT(uktv_time_parse("-2d", now, &ms), 0);
	CHECK_INT(ms, now - 2 * 86400000LL);
	CHECK_INT(uktv_time_parse("+10m", now, &ms), 0);
	CHECK_INT(ms, now + 600000);
	CHECK_INT(uktv_time_parse("now", now, &ms), 0);
	CHECK_INT(ms, now);
	CHECK_INT(uktv_time_parse("-1", now, &ms), -1);
	CHECK_INT(uktv_time_parse("-h", now, &ms), -1);
	CHECK_INT(uktv_time_parse("-1hh", now, &ms), -1);
	CHECK_INT(uktv_time_parse("-1w", now, &ms), -1);
}

static void
test_time_format(void)
{
	char buf[32];

	uktv_time_format(1751644971855LL, buf);
	CHECK_STR(buf, "2025-07-04T16:02:51.855Z");
	uktv_time_format(0, buf);
	CHECK_STR(buf, "1970-01-01T00:00:00.000Z");
	uktv_time_format(1751644971005LL, buf);
	CHECK_STR(buf, "2025-07-04T16:02:51.005Z");
}

static void
test_position_parse(void)
{
	struct uktv_position p;

	CHECK_INT(uktv_position_parse("trim-horizon", 0, &p), 0);
	CHECK_INT(p.kind, UKTV_POS_TRIM_HORIZON);
	CHECK_STR(uktv_position_text(&p), "TRIM_HORIZON");
	CHECK_INT(uktv_position_parse("latest", 0, &p), 0);
	CHECK_INT(p.kind, UKTV_POS_LATEST);
	CHECK_INT(uktv_position_parse("at-timestamp=-1h", 7200000, &p), 0);
	CHECK_INT(p.kind, UKTV_POS_AT_TIMESTAMP);
	CHECK_INT(p.timestamp_ms, 3600000);
	CHECK_INT(uktv_position_parse("SHARD_END", 0, &p), 0);
	CHECK_INT(p.kind, UKTV_POS_SHARD_END);
	CHECK_INT(uktv_position_parse("at-timestamp=soon", 0, &p), -1);
	CHECK_INT(uktv_position_parse("earliest", 0, &p), -1);
	CHECK_INT(uktv_position_set_sequence(&p, "49590338271490256608559692538361571095921575989136588898", 3), 0);
	CHECK_INT(p.sub_sequence, 3);
	CHECK_INT(uktv_position_set_sequence(&p, "12a", -1), -1);
	CHECK_INT(uktv_position_set_sequence(&p, "", -1), -1);
}

static void
test_shard_ids(void)
{
	CHECK(uktv_shard_id_valid("shardId-000000000001"));
	CHECK(uktv_shard_id_valid("shardId-00000001751644971855-1a2b3c4d"));
	CHECK(!uktv_shard_id_valid("../etc/passwd"));
	CHECK(!uktv_shard_id_valid(".hidden"));
	CHECK(!uktv_shard_id_valid("a/b"));
	CHECK(!uktv_shard_id_valid(""));
}

static int
count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' || strstr(de->d_name, ".tmp") != NULL)
			n++;
	closedir(d);
	return n;
}

static void
test_write_read(void)
{
	struct uktv_checkpoint_dir *d;
	struct uktv_position p, got;
	struct uktv_error e;
	char path[300];

	uktv_error_clear(&e);
	snprintf(path, sizeof(path), "%s/ck", tmpdir);
	CHECK(uktv_checkpoint_open(path, 0, &e) == NULL);
	CHECK_INT(e.kind, UKTV_ERR_NOINPUT);
	d = uktv_checkpoint_open(path, 1, &e);
	CHECK(d != NULL);
	if (d == NULL)
		return;
	CHECK_INT(uktv_checkpoint_read(d, "shardId-000000000000", &got, &e), 0);
	CHECK_INT(got.kind, UKTV_POS_NONE);
	uktv_position_set_sequence(&p, "10", 4);
	CHECK_INT(uktv_checkpoint_write(d, "shardId-000000000000", &p, &e), 0);
	CHECK_INT(uktv_checkpoint_read(d, "shardId-000000000000", &got, &e), 1);
	CHECK_INT(got.kind, UKTV_POS_SEQUENCE);
	CHECK_STR(got.sequence, "10");
	CHECK_INT(got.sub_sequence, 4);
	/* Replaced, not appended; no temporary file left. */
	uktv_position_set_sequence(&p, "9", -1);
	CHECK_INT(uktv_checkpoint_write(d, "shardId-000000000000", &p, &e), 0);
	CHECK_INT(uktv_checkpoint_read(d, "shardId-000000000000", &got, &e), 1);
	CHECK_STR(got.sequence, "9");
	CHECK_INT(got.sub_sequence, -1);
	CHECK_INT(count_files(path), 1);
	uktv_position_set(&p, UKTV_POS_AT_TIMESTAMP);
	p.timestamp_ms = 1751644971855LL;
	CHECK_INT(uktv_checkpoint_write(d, "shardId-000000000001", &p, &e), 0);
	CHECK_INT(uktv_checkpoint_read(d, "shardId-000000000001", &got, &e), 1);
	CHECK_INT(got.kind, UKTV_POS_AT_TIMESTAMP);
	CHECK_INT(got.timestamp_ms, 1751644971855LL);
	uktv_position_set(&p, UKTV_POS_SHARD_END);
	CHECK_INT(uktv_checkpoint_write(d, "shardId-000000000002", &p, &e), 0);
	CHECK_INT(uktv_checkpoint_read(d, "shardId-000000000002", &got, &e), 1);
	CHECK_INT(got.kind, UKTV_POS_SHARD_END);
	CHECK_INT(uktv_checkpoint_writes(d), 4);
	/* Bad names never become paths. */
	CHECK_INT(uktv_checkpoint_write(d, "../x", &p, &e), -1);
	CHECK_INT(uktv_checkpoint_remove(d, "shardId-000000000002", &e), 0);
	CHECK_INT(uktv_checkpoint_read(d, "shardId-000000000002", &got, &e), 0);
	uktv_checkpoint_close(d);
}

static int
collect(const char *shard, const struct uktv_position *pos, void *arg)
{
	char *acc = arg;

	strlcat(acc, shard, 512);
	strlcat(acc, "=", 512);
	strlcat(acc, uktv_position_text(pos), 512);
	strlcat(acc, ";", 512);
	return 0;
}

static void
test_list_and_garbage(void)
{
	struct uktv_checkpoint_dir *d;
	struct uktv_position p, got;
	struct uktv_error e;
	char path[300], file[400], acc[512] = "";
	FILE *fp;

	uktv_error_clear(&e);
	snprintf(path, sizeof(path), "%s/list", tmpdir);
	if ((d = uktv_checkpoint_open(path, 1, &e)) == NULL) {
		CHECK(0);
		return;
	}
	uktv_position_set_sequence(&p, "5", -1);
	uktv_checkpoint_write(d, "shardId-000000000002", &p, &e);
	uktv_position_set(&p, UKTV_POS_LATEST);
	uktv_checkpoint_write(d, "shardId-000000000001", &p, &e);
	CHECK_INT(uktv_checkpoint_list(d, collect, acc, &e), 0);
	CHECK_STR(acc, "shardId-000000000001=LATEST;shardId-000000000002=5;");
	/* A file that is not a checkpoint is an error, not a silent restart. */
	snprintf(file, sizeof(file), "%s/shardId-000000000003.json", path);
	if ((fp = fopen(file, "w")) != NULL) {
		fputs("{\"position\":\"soon\"}\n", fp);
		fclose(fp);
	}
	CHECK_INT(uktv_checkpoint_read(d, "shardId-000000000003", &got, &e), -1);
	CHECK_INT(e.kind, UKTV_ERR_INPUT);
	uktv_checkpoint_close(d);
}

static void
test_lock(void)
{
	struct uktv_checkpoint_dir *a, *b;
	struct uktv_error e;
	char path[300];
	pid_t pid;
	int status;

	uktv_error_clear(&e);
	snprintf(path, sizeof(path), "%s/lock", tmpdir);
	a = uktv_checkpoint_open(path, 1, &e);
	b = uktv_checkpoint_open(path, 1, &e);
	CHECK(a != NULL && b != NULL);
	if (a == NULL || b == NULL)
		return;
	CHECK_INT(uktv_checkpoint_lock(a, &e), 0);
	/* flock is per open file: a second open in this process conflicts
	 * just as another process would. */
	CHECK_INT(uktv_checkpoint_lock(b, &e), -1);
	CHECK_STR(e.code, "CheckpointsInUse");
	pid = fork();
	if (pid == 0) {
		struct uktv_checkpoint_dir *c = uktv_checkpoint_open(path, 0, &e);
		int refused = c != NULL && uktv_checkpoint_lock(c, &e) == -1;

		/* Closing the inherited descriptors here does not release the
		 * parent's lock: it lives while any of them is open. */
		uktv_checkpoint_close(c);
		uktv_checkpoint_close(a);
		uktv_checkpoint_close(b);
		_exit(refused ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	uktv_checkpoint_close(a);
	CHECK_INT(uktv_checkpoint_lock(b, &e), 0);
	uktv_checkpoint_close(b);
}

int
main(void)
{
	char cmd[300];
	int rc;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/uktv-test-checkpoint.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	RUN(test_time_parse);
	RUN(test_time_relative);
	RUN(test_time_format);
	RUN(test_position_parse);
	RUN(test_shard_ids);
	RUN(test_write_read);
	RUN(test_list_and_garbage);
	RUN(test_lock);
	rc = UNIT_DONE();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
