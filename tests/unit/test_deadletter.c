/* test_deadletter.c: the one dead-letter writer (deadletter.h): its lines,
 * and a file made on the first line, not at open. */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deadletter.h"
#include "unit.h"

static char tmpdir[256];

/* The whole file at path (NULL when there is none); caller frees. */
static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	size_t n;

	if (fp == NULL)
		return NULL;
	buf = calloc(1, 4096);
	n = fread(buf, 1, 4095, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static void
test_lines(void)
{
	struct uktv_deadletter *d;
	struct uktv_dead_entry de;
	struct uktv_stream_record r;
	struct uktv_error e;
	char path[300], *got;
	struct stat st;

	snprintf(path, sizeof(path), "%s/dead.ndjson", tmpdir);
	uktv_error_clear(&e);
	d = uktv_deadletter_open(path, &e);
	CHECK(d != NULL);
	if (d == NULL)
		return;
	/* Nothing written: no file. */
	CHECK(stat(path, &st) == -1 && errno == ENOENT);
	CHECK_STR(uktv_deadletter_path(d), path);

	uktv_dead_entry_init(&de);
	de.input = "{\"payload\":";
	de.len = strlen(de.input);
	de.error = "invalid_json";
	de.message = "not JSON at byte 11";
	de.line = 2;
	CHECK_INT(uktv_deadletter_put(d, &de, &e), 0);
	de.input = "x\377y";
	de.len = 3;
	de.index = 1;
	CHECK_INT(uktv_deadletter_put(d, &de, &e), 0);
	de.input = NULL;
	de.len = 3000000;
	de.index = -1;
	de.error = "line_too_long";
	de.message = "too long";
	de.line = 4;
	CHECK_INT(uktv_deadletter_put(d, &de, &e), 0);

	memset(&r, 0, sizeof(r));
	r.shard_id = "shardId-000000000001";
	r.sequence = "495";
	r.sub_sequence = 2;
	r.data = (const unsigned char *)"[1]";
	r.data_len = 3;
	CHECK_INT(uktv_deadletter_record(d, &r, "not_object", "data is not an "
	    "object", &e), 0);
	CHECK_INT(uktv_deadletter_close(d, &e), 0);

	got = slurp(path);
	CHECK_STR(got,
	    "{\"input\":\"{\\\"payload\\\":\",\"error\":\"invalid_json\","
	    "\"message\":\"not JSON at byte 11\",\"line\":2}\n"
	    "{\"input_base64\":\"eP95\",\"error\":\"invalid_json\","
	    "\"message\":\"not JSON at byte 11\",\"line\":2,\"index\":1}\n"
	    "{\"length\":3000000,\"error\":\"line_too_long\","
	    "\"message\":\"too long\",\"line\":4}\n"
	    "{\"input\":\"[1]\",\"error\":\"not_object\",\"message\":\"data is "
	    "not an object\",\"shard\":\"shardId-000000000001\","
	    "\"sequence\":\"495\",\"sub_sequence\":2}\n");
	free(got);
}

static void
test_open_fails_early(void)
{
	struct uktv_error e;
	char path[300];

	snprintf(path, sizeof(path), "%s/no/such/folder/dead.ndjson", tmpdir);
	uktv_error_clear(&e);
	CHECK(uktv_deadletter_open(path, &e) == NULL);
	CHECK_INT(e.kind, UKTV_ERR_CANTCREAT);
	CHECK(strstr(e.message, path) != NULL);
	/* Closing nothing is fine. */
	CHECK_INT(uktv_deadletter_close(NULL, &e), 0);
}

static void
test_tally(void)
{
	struct uktv_dead_tally t;
	char code[16];

	memset(&t, 0, sizeof(t));
	uktv_dead_tally_add(&t, "webhook_refused", "HTTP 500");
	uktv_dead_tally_add(&t, "webhook_refused", "HTTP 500");
	uktv_dead_tally_add(&t, "webhook_refused", "HTTP 404");
	CHECK_INT(t.n, 2);
	CHECK_INT(t.kind[0].n, 2);
	CHECK_INT(t.kind[1].n, 1);
	/* Past the room: counted with the last kind. */
	for (int i = 0; i < 10; i++) {
		snprintf(code, sizeof(code), "c%d", i);
		uktv_dead_tally_add(&t, code, "m");
	}
	CHECK_INT(t.n, UKTV_DEAD_TALLY_KINDS);
	CHECK_STR(t.kind[UKTV_DEAD_TALLY_KINDS - 1].code, "c5");
	CHECK_INT(t.kind[UKTV_DEAD_TALLY_KINDS - 1].n, 5);
}

int
main(void)
{
	char cmd[300];
	int rc;

	snprintf(tmpdir, sizeof(tmpdir), "%s/uktv-dead-XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return 2;
	RUN(test_lines);
	RUN(test_open_fails_early);
	RUN(test_tally);
	rc = UNIT_DONE();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
