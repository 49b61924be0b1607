/* test_consumerun.c: one stream run's steps (consumerun.h) without AWS: a
 * batch to its lines and checkpoint, a sink's verdicts, a reader gone, the
 * end of a run, and showing and resetting a checkpoint directory. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "consumerun.h"
#include "unit.h"

static char tmpdir[256];

/* What the note hook heard, one line each. */
static char notes[4096];

static void
note(void *arg, enum uktv_consumerun_note kind, const char *msg)
{
	(void)arg;
	if (kind == UKTV_CONSUMERUN_PROGRESS ||
	    kind == UKTV_CONSUMERUN_PROGRESS_DONE)
		return;
	strlcat(notes, kind == UKTV_CONSUMERUN_WARN ? "W " : "I ",
	    sizeof(notes));
	strlcat(notes, msg, sizeof(notes));
	strlcat(notes, "\n", sizeof(notes));
}

/* A run over DIR/sub (made afresh) writing its lines to out. */
static int
run_open(struct uktv_consumerun *r, const char *sub, FILE *out)
{
	static char dir[512];
	struct uktv_error e;

	snprintf(dir, sizeof(dir), "%s/%s", tmpdir, sub);
	uktv_consumerun_init(r);
	r->checkpoint = dir;
	r->create = 1;
	r->note = note;
	r->out = out;
	notes[0] = '\0';
	uktv_error_clear(&e);
	CHECK_INT(uktv_consumerun_open(r, &e), 0);
	return r->cons != NULL ? 0 : -1;
}

static const struct uktv_stream_record *
records(void)
{
	static const char *data[] = { "{\"a\": 1}", "not json", "{\"b\":2}" };
	static struct uktv_stream_record rec[3];

	for (size_t i = 0; i < 3; i++) {
		memset(&rec[i], 0, sizeof(rec[i]));
		rec[i].shard_id = "shardId-000000000000";
		rec[i].sequence = i == 0 ? "1" : i == 1 ? "2" : "3";
		rec[i].sub_sequence = -1;
		rec[i].data = (const unsigned char *)data[i];
		rec[i].data_len = strlen(data[i]);
	}
	return rec;
}

static struct uktv_stream_batch
batch_of(const struct uktv_stream_record *rec, size_t n)
{
	struct uktv_stream_batch b;

	memset(&b, 0, sizeof(b));
	b.shard_id = "shardId-000000000000";
	b.records = rec;
	b.n = n;
	uktv_position_set_sequence(&b.checkpoint, rec[n - 1].sequence, -1);
	return b;
}

/* The checkpoint stored for shard 0 ("" when none). */
static const char *
stored(struct uktv_consumerun *r)
{
	static struct uktv_position pos;
	struct uktv_error e;

	uktv_error_clear(&e);
	if (uktv_checkpoint_read(r->ckdir, "shardId-000000000000", &pos,
	    &e) != 1)
		return "";
	return uktv_position_text(&pos);
}

static char *
slurp(FILE *fp)
{
	static char buf[4096];
	size_t n;

	rewind(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	return buf;
}

static int
lines_in(const char *path)
{
	FILE *fp = fopen(path, "r");
	int c, n = 0;

	if (fp == NULL)
		return -1;
	while ((c = getc(fp)) != EOF)
		n += c == '\n';
	fclose(fp);
	return n;
}

static void
test_at_sequence(void)
{
	struct uktv_consumerun r;

	uktv_consumerun_init(&r);
	CHECK_INT(uktv_consumerun_at_sequence(&r, "shardId-000000000001:42"), 0);
	CHECK_STR(r.at_shard, "shardId-000000000001");
	CHECK_STR(r.at_pos.sequence, "42");
	CHECK_INT(r.at_pos.inclusive, 1);
	CHECK_INT(uktv_consumerun_at_sequence(&r, ":42"), -1);
	CHECK_INT(uktv_consumerun_at_sequence(&r, "shardId-1"), -1);
	CHECK_INT(uktv_consumerun_at_sequence(&r, "shardId-1:x"), -1);
	CHECK_INT(uktv_consumerun_at_sequence(&r, ".hidden:1"), -1);
	uktv_consumerun_free(&r);
}

static void
test_batch_no_sink(void)
{
	struct uktv_consumerun r;
	struct uktv_stream_batch b = batch_of(records(), 3);
	struct uktv_error e;
	FILE *out = tmpfile();

	if (out == NULL || run_open(&r, "nosink", out) == -1)
		return;
	uktv_error_clear(&e);
	/* Objects printed, the rest reported, all checkpointed. */
	CHECK_INT(uktv_consumerun_batch(&r, &b, &e), 0);
	CHECK_STR(slurp(out), "{\"a\": 1}\n{\"b\":2}\n");
	CHECK_STR(notes, "W shard shardId-000000000000: sequence 2: data is "
	    "not JSON (at byte 1)\n");
	CHECK_INT(r.bad, 1);
	CHECK_INT(r.done, 3);
	CHECK_STR(stored(&r), "3");
	/* An envelope without a sink carries any data (data_base64). */
	r.envelope = 1;
	r.bad = 0;
	CHECK_INT(uktv_consumerun_batch(&r, &b, &e), 0);
	CHECK_INT(r.bad, 0);
	CHECK(strstr(slurp(out), "\"data_base64\"") != NULL);
	/* The end: records were reported, so 1. */
	r.bad = 2;
	notes[0] = '\0';
	CHECK_INT(uktv_consumerun_finish(&r, &e), 1);
	CHECK_STR(notes, "W 2 records reported\n");
	uktv_consumerun_free(&r);
	fclose(out);
}

/* A sink that refuses sequence 1, fails sequence 3, and has a note. */
static int sink_calls;

static int
sink_apply(void *arg, const struct uktv_stream_batch *b,
    const enum uktv_streamout_check *chk, struct uktv_consumerun_verdict *v,
    struct uktv_error *err)
{
	(void)arg;
	(void)err;
	sink_calls++;
	CHECK_INT(chk[0], UKTV_SO_OBJECT);
	CHECK_INT(chk[1], UKTV_SO_NOT_JSON);
	if (b->n < 3)
		return uktv_error_set(err, UKTV_ERR_UNAVAILABLE, "table away");
	v[0].kind = UKTV_CONSUMERUN_REFUSED;
	strlcpy(v[0].code, "bad_event", sizeof(v[0].code));
	strlcpy(v[0].why, "no payload.id", sizeof(v[0].why));
	v[2].kind = UKTV_CONSUMERUN_FAILED;
	strlcpy(v[2].code, "failed", sizeof(v[2].code));
	strlcpy(v[2].why, "throttled", sizeof(v[2].why));
	return 0;
}

static int
sink_finish(void *arg)
{
	(void)arg;
	return 77;
}

static void
test_batch_sink(void)
{
	struct uktv_consumerun r;
	struct uktv_stream_batch b = batch_of(records(), 3);
	struct uktv_error e;
	char path[512];
	FILE *out = tmpfile();

	if (out == NULL || run_open(&r, "sink", out) == -1)
		return;
	r.sink.apply = sink_apply;
	r.sink.finish = sink_finish;
	uktv_error_clear(&e);
	/* A FAILED record with nowhere to go: no checkpoint. */
	CHECK_INT(uktv_consumerun_batch(&r, &b, &e), -1);
	CHECK_STR(e.code, "NotStored");
	CHECK_INT(uktv_error_exit_code(&e), 1);
	CHECK_STR(e.message, "1 record not stored: stopping before the "
	    "checkpoint (use --dead-letter to go on)");
	CHECK_STR(stored(&r), "");
	CHECK_INT(r.bad, 3);
	/* With a dead-letter file the batch goes on to its checkpoint. */
	snprintf(path, sizeof(path), "%s/dead.ndjson", tmpdir);
	r.dead = uktv_deadletter_open(path, &e);
	CHECK(r.dead != NULL);
	uktv_error_clear(&e);
	CHECK_INT(uktv_consumerun_batch(&r, &b, &e), 0);
	CHECK_STR(stored(&r), "3");
	CHECK_STR(slurp(out), "");
	CHECK_INT(lines_in(path), 3);
	/* The sink failing a whole batch: an error, nothing checkpointed. */
	b = batch_of(records(), 2);
	CHECK_INT(uktv_consumerun_batch(&r, &b, &e), -1);
	CHECK_STR(e.message, "table away");
	CHECK_STR(stored(&r), "3");
	/* The sink's code wins at the end. */
	CHECK_INT(uktv_consumerun_finish(&r, &e), 77);
	CHECK(r.dead == NULL);
	uktv_consumerun_free(&r);
	fclose(out);
}

static void
test_reader_gone(void)
{
	struct uktv_consumerun r;
	struct uktv_stream_batch b = batch_of(records(), 3);
	struct uktv_error e;
	int fd[2];
	FILE *out;

	if (pipe(fd) == -1 || (out = fdopen(fd[1], "w")) == NULL)
		return;
	close(fd[0]);
	if (run_open(&r, "gone", out) == -1)
		return;
	uktv_error_clear(&e);
	/* No line reached its reader: closed, and no checkpoint. */
	CHECK_INT(uktv_consumerun_batch(&r, &b, &e), 1);
	CHECK_INT(r.closed, 1);
	CHECK_STR(stored(&r), "");
	CHECK_INT(r.done, 0);
	uktv_consumerun_free(&r);
	fclose(out);
}

static char shown[1024];

static void
show(void *arg, struct json_object *o)
{
	(void)arg;
	strlcat(shown, json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN), sizeof(shown));
	strlcat(shown, "\n", sizeof(shown));
	json_object_put(o);
}

static void
test_show_reset(void)
{
	struct uktv_consumerun r;
	struct uktv_position pos;
	struct uktv_error e;

	if (run_open(&r, "show", stdout) == -1)
		return;
	uktv_error_clear(&e);
	uktv_position_set_sequence(&pos, "9", 2);
	CHECK_INT(uktv_checkpoint_write(r.ckdir, "shardId-000000000001", &pos,
	    &e), 0);
	shown[0] = '\0';
	CHECK_INT(uktv_consumerun_show(&r, show, NULL, &e), 0);
	CHECK_STR(shown, "{\"shard\":\"shardId-000000000001\",\"position\":\"9\","
	    "\"sub_sequence\":2}\n");
	/* Reset: every file set, said with -v. */
	uktv_position_set(&pos, UKTV_POS_TRIM_HORIZON);
	CHECK_INT(uktv_consumerun_reset(&r, &pos, 0, &e), 0);
	CHECK_STR(notes, "I 1 checkpoint set to TRIM_HORIZON\n");
	shown[0] = '\0';
	CHECK_INT(uktv_consumerun_show(&r, show, NULL, &e), 0);
	CHECK_STR(shown, "{\"shard\":\"shardId-000000000001\","
	    "\"position\":\"TRIM_HORIZON\"}\n");
	uktv_consumerun_free(&r);
}

int
main(void)
{
	char cmd[300];
	int rc;

	signal(SIGPIPE, SIG_IGN);
	snprintf(tmpdir, sizeof(tmpdir), "%s/uktv-consumerun-XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return 2;
	RUN(test_at_sequence);
	RUN(test_batch_no_sink);
	RUN(test_batch_sink);
	RUN(test_reader_gone);
	RUN(test_show_reset);
	rc = UNIT_DONE();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
