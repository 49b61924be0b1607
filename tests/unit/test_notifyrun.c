/*
 * test_notifyrun.c: uktv-notify's run (lib/guide/notifyrun) without AWS:
 * preferences from a file, records from a file, a record refused and
 * dead-lettered, a line the webhook did not take dead-lettered and counted
 * as a delivery, a digest spooled and sent, an output that fails or whose
 * reader went away, and the report with its exit status.  What the lines
 * say is test_notify.c's; the stream and its checkpoints are
 * tests/notify.bats'.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "notifyrun.h"
#include "unit.h"

static char notes[8192];
static char deads[4096];

static void
collect(void *arg, enum uktv_guidenote_kind kind, const char *msg)
{
	(void)arg;
	snprintf(notes + strlen(notes), sizeof(notes) - strlen(notes),
	    "%d %s\n", (int)kind, msg);
}

/* The dead hook: "code delivery where|message" per letter. */
static int
dead(void *arg, const struct uktv_notifyrun_dead *d, struct uktv_error *err)
{
	(void)arg;
	(void)err;
	snprintf(deads + strlen(deads), sizeof(deads) - strlen(deads),
	    "%s %d %llu/%ld|%s\n", d->code, d->delivery, d->where->line,
	    d->where->index, d->message);
	return 0;
}

/* alice follows 26 x 4; bob has 9000001 among his favourites. */
static const char PREFS[] =
    "{\"user\":\"alice\",\"sources\":[\"26\"],\"genres\":[\"4\"],"
    "\"favourites\":[]}\n"
    "{\"user\":\"bad user\",\"sources\":[]}\n"
    "{\"user\":\"bob\",\"sources\":[],\"genres\":[],"
    "\"favourites\":[\"9000001\"]}\n";

/* An INSERT of title 9000001 on 26 x 4, eventID ev-N. */
#define INSERT(n) \
    "{\"eventID\":\"ev-" n "\",\"eventName\":\"INSERT\",\"dynamodb\":{" \
    "\"Keys\":{\"PK\":{\"S\":\"title:9000001\"},\"SK\":{\"S\":\"record\"}}," \
    "\"NewImage\":{\"PK\":{\"S\":\"title:9000001\"},\"SK\":{\"S\":" \
    "\"record\"},\"data\":{\"M\":{\"id\":{\"N\":\"9000001\"},\"title\":" \
    "{\"S\":\"Film\"},\"source_ids\":{\"L\":[{\"S\":\"26\"}]},\"genre_ids\":" \
    "{\"L\":[{\"S\":\"4\"}]}}}},\"SequenceNumber\":\"100\"}}"

static FILE *
text_file(const char *text)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");

	CHECK(fp != NULL);
	return fp;
}

/* The preferences into r. */
static void
load(struct uktv_notifyrun *r)
{
	struct uktv_error err;
	FILE *fp = text_file(PREFS);

	uktv_error_clear(&err);
	CHECK_INT(uktv_notifyrun_prefs_file(r, fp, "prefs.ndjson", &err), 0);
	fclose(fp);
}

/* A run writing to *buf, its notes and dead letters collected, alice's
 * and bob's preferences loaded. */
static FILE *
start(struct uktv_notifyrun *r, char **buf, size_t *len)
{
	FILE *out = open_memstream(buf, len);

	CHECK(out != NULL);
	notes[0] = deads[0] = '\0';
	uktv_notifyrun_init(r, out);
	r->note = collect;
	r->dead = dead;
	load(r);
	CHECK_INT(r->prefs.n, 2);
	CHECK_INT(r->bad, 1);
	CHECK(strstr(notes, "2 prefs.ndjson: line 2: ") == notes);
	notes[0] = '\0';
	return out;
}

static void
test_read(void)
{
	struct uktv_notifyrun r;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = start(&r, &buf, &len);
	FILE *fp = text_file("{\"Records\":[" INSERT("1") ",{\"eventName\":"
	    "\"INSERT\"}]}\n[1]\n" INSERT("2") "\nnot json\n");

	CHECK_INT(uktv_notifyrun_read(&r, fp), 0);
	fclose(fp);
	CHECK_INT(uktv_notifyrun_flush(&r), 0);
	/* alice twice (new titles on her pair), bob not (a new title is not
	 * a change to a favourite). */
	CHECK(buf != NULL && strstr(buf, "{\"user\":\"alice\",\"kind\":"
	    "\"new_title\",\"title_id\":\"9000001\"") == buf);
	CHECK(buf != NULL && strstr(buf, "\"event_id\":\"ev-2\"") != NULL);
	CHECK(buf != NULL && strstr(buf, "bob") == NULL);
	CHECK_INT(r.records, 3);
	CHECK_INT(r.notes, 2);
	CHECK_INT(r.bad, 1 + 3);
	CHECK_INT(r.dead_count, 1);
	CHECK(strncmp(notes, "2 line 1: Records[1]: ", 22) == 0);
	CHECK(strstr(notes, "\n2 line 2: ") != NULL);
	CHECK(strstr(notes, "\n2 line 4: ") != NULL);
	CHECK(strncmp(deads, "bad_record 0 1/1|", 17) == 0);
	CHECK_INT(r.fatal.kind, UKTV_ERR_NONE);
	notes[0] = '\0';
	uktv_notifyrun_report(&r);
	CHECK_STR(notes, "2 4 records reported, 1 dead-lettered\n"
	    "0 3 records read, 2 lines out\n");
	CHECK_INT(uktv_notifyrun_status(&r), 1);
	uktv_notifyrun_free(&r);
	fclose(out);
	free(buf);
}

/* A receiver that is not there: the line is out, the post dead-lettered
 * as a delivery; without a dead hook the run stops before the record. */
static void
test_webhook(void)
{
	struct uktv_notifyrun r;
	struct uktv_notifyrun_where w = { 7, -1, NULL, NULL };
	struct uktv_webhook_opts o = { 0 };
	struct uktv_http_opts ho = { 0 };
	struct uktv_http *http;
	struct uktv_error err;
	struct json_object *rec = json_tokener_parse(INSERT("3"));
	char *buf = NULL;
	size_t len = 0;
	FILE *out = start(&r, &buf, &len);

	uktv_error_clear(&err);
	ho.connect_timeout_ms = 2000;
	CHECK((http = uktv_http_new(&ho, &err)) != NULL);
	o.url = "http://127.0.0.1:1/hook";
	o.secret = "s";
	o.secret_len = 1;
	o.attempts = 1;
	o.base_ms = -1;
	CHECK((r.hook = uktv_webhook_new(http, &o, &err)) != NULL);
	CHECK_INT(uktv_notifyrun_record(&r, rec, &w), 0);
	CHECK_INT(r.notes, 1);
	CHECK_INT(r.dead_count, 1);
	CHECK(strncmp(deads, "webhook_unavailable 1 7/-1|", 27) == 0);
	CHECK(strncmp(notes, "0 line 7: event ev-3: ", 22) == 0);
	CHECK(strstr(notes, ": dead-lettered\n") != NULL);
	r.dead = NULL;
	CHECK_INT(uktv_notifyrun_record(&r, rec, &w), -1);
	CHECK_INT(r.fatal.kind, UKTV_ERR_UNAVAILABLE);
	CHECK(strstr(r.fatal.message, "line 7: not delivered (no "
	    "--dead-letter): stopping before it: ") == r.fatal.message);
	CHECK_INT(uktv_notifyrun_status(&r), 69);
	json_object_put(rec);
	uktv_webhook_free(r.hook);
	uktv_http_free(http);
	uktv_notifyrun_free(&r);
	fclose(out);
	free(buf);
}

static void
test_digest(void)
{
	struct uktv_notifyrun r;
	struct uktv_notifyrun_where w = { 0, -1, "shardId-1", "100" };
	struct uktv_error err;
	struct json_object *rec = json_tokener_parse(INSERT("4"));
	char dir[] = "/tmp/test_notifyrun.XXXXXX", path[64];
	char *buf = NULL;
	size_t len = 0;
	FILE *out = start(&r, &buf, &len);

	CHECK(mkdtemp(dir) != NULL);
	uktv_error_clear(&err);
	CHECK_INT(uktv_notifyrun_open_digest(&r, dir, 86400000LL, &err), 0);
	CHECK_INT(uktv_notifyrun_record(&r, rec, &w), 0);
	CHECK_INT(uktv_notifyrun_sync(&r), 0);
	CHECK_INT(r.notes, 0);
	/* Not due: the day has not ended. */
	CHECK_INT(uktv_notifyrun_digests(&r, 0), 0);
	CHECK_INT(r.notes, 0);
	CHECK_INT(uktv_notifyrun_digests(&r, 1), 0);
	CHECK_INT(uktv_notifyrun_flush(&r), 0);
	CHECK_INT(r.notes, 1);
	CHECK(buf != NULL && strstr(buf, "{\"user\":\"alice\",\"kind\":"
	    "\"digest\",") == buf);
	CHECK_STR(notes, "0 1 digest sent\n");
	json_object_put(rec);
	uktv_notifyrun_free(&r);
	fclose(out);
	free(buf);
	snprintf(path, sizeof(path), "%s/" UKTV_DIGEST_SPOOL, dir);
	unlink(path);
	rmdir(dir);
}

/* A full disk stops the run with an error; a reader gone, silently. */
static void
test_output(void)
{
	struct uktv_notifyrun r;
	struct uktv_notifyrun_where w = { 1, -1, NULL, NULL };
	struct json_object *rec = json_tokener_parse(INSERT("5"));
	FILE *out;
	int fds[2];

	if ((out = fopen("/dev/full", "w")) != NULL) {
		uktv_notifyrun_init(&r, out);
		load(&r);
		CHECK_INT(uktv_notifyrun_record(&r, rec, &w), -1);
		CHECK_INT(r.fatal.kind, UKTV_ERR_IO);
		CHECK(strncmp(r.fatal.message, "stdout: ", 8) == 0);
		CHECK_INT(r.closed, 0);
		uktv_notifyrun_free(&r);
		fclose(out);
	}
	signal(SIGPIPE, SIG_IGN);
	CHECK(pipe(fds) == 0);
	close(fds[0]);
	CHECK((out = fdopen(fds[1], "w")) != NULL);
	uktv_notifyrun_init(&r, out);
	load(&r);
	CHECK_INT(uktv_notifyrun_record(&r, rec, &w), -1);
	CHECK_INT(r.closed, 1);
	CHECK_STR(r.fatal.message, "stdout: closed by its reader");
	uktv_notifyrun_free(&r);
	fclose(out);
	json_object_put(rec);
}

int
main(void)
{
	RUN(test_read);
	RUN(test_webhook);
	RUN(test_digest);
	RUN(test_output);
	return UNIT_DONE();
}
