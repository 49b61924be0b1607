/* test_util.c: lib/util's single helpers: time, backoff, fileio, secret. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backoff.h"
#include "fileio.h"
#include "parse.h"
#include "secret.h"
#include "strbuf.h"
#include "time.h"
#include "unit.h"

static void
test_time_forms(void)
{
	long long ms = -1;
	time_t t = 0;

	CHECK_INT(uktv_time_parse_iso8601("2025-07-04T16:02:51.855Z",
	    UKTV_TIME_TIMESTAMP, &ms), 0);
	CHECK_INT(ms, 1751644971855LL);
	CHECK_INT(uktv_time_parse_iso8601("2025-07-04T17:02:51+01:00",
	    UKTV_TIME_TIMESTAMP, &ms), 0);
	CHECK_INT(ms, 1751644971000LL);
	CHECK_INT(uktv_time_parse_iso8601("2025-07-04T16:02:51UTC",
	    UKTV_TIME_TIMESTAMP, &ms), 0);
	CHECK_INT(ms, 1751644971000LL);
	/* A date alone, or minutes without seconds: what a person types,
	 * never what AWS answers. */
	CHECK_INT(uktv_time_parse_iso8601("2025-07-04", UKTV_TIME_TIMESTAMP,
	    &ms), -1);
	CHECK_INT(uktv_time_parse_iso8601("2025-07-04T16:02Z",
	    UKTV_TIME_TIMESTAMP, &ms), -1);
	CHECK_INT(uktv_time_parse_iso8601("2025-07-04",
	    UKTV_TIME_DATE_OR_TIMESTAMP, &ms), 0);
	CHECK_INT(ms, 1751587200000LL);
	CHECK_INT(uktv_time_parse_epoch("2025-07-04T16:02:51.999Z", &t), 0);
	CHECK_INT(t, 1751644971);
}

static void
test_time_strict(void)
{
	static const char *bad[] = {
		"2025-02-31T00:00:00Z", "2024-02-30T00:00:00Z",
		"2025-13-01T00:00:00Z", "2025-07-04T24:00:00Z",
		"2025-07-04T16:60:00Z", "2025-07-04T16:02:51.Z",
		"2025-07-04T16:02:51+25:00", "2025-7-4T16:02:51Z",
		"2025-07-04T16:02:51Z junk", "", NULL
	};
	long long ms = 42;
	time_t t = 42;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(uktv_time_parse_iso8601(bad[i],
		    UKTV_TIME_DATE_OR_TIMESTAMP, &ms), -1);
		CHECK_INT(uktv_time_parse_epoch(bad[i], &t), -1);
	}
	CHECK_INT(ms, 42);
	CHECK_INT(t, 42);
	/* 29 February is a day in a leap year only. */
	CHECK_INT(uktv_time_parse_epoch("2024-02-29T00:00:00Z", &t), 0);
	CHECK_INT(uktv_time_parse_epoch("2025-02-29T00:00:00Z", &t), -1);
}

static void
test_time_relative_and_format(void)
{
	char buf[UKTV_TIME_TEXT_MAX];
	long long ms;

	CHECK_INT(uktv_time_parse("now", 5000, &ms), 0);
	CHECK_INT(ms, 5000);
	CHECK_INT(uktv_time_parse("-90m", 10000000, &ms), 0);
	CHECK_INT(ms, 10000000 - 90 * 60000);
	CHECK_INT(uktv_time_parse("+2d", 0, &ms), 0);
	CHECK_INT(ms, 2 * 86400000LL);
	CHECK_INT(uktv_time_parse("-5w", 0, &ms), -1);
	uktv_time_format(1751644971855LL, buf);
	CHECK_STR(buf, "2025-07-04T16:02:51.855Z");
	uktv_time_format(-1, buf);
	CHECK_STR(buf, "1969-12-31T23:59:59.999Z");
	CHECK(uktv_time_mono_ms() > 0);
	CHECK(uktv_time_now_ms() > 1751644971855LL);
}

static void
test_backoff(void)
{
	for (int attempt = 1; attempt < 40; attempt++)
		for (int i = 0; i < 50; i++) {
			long long full = uktv_backoff_ms(100, 2000, attempt,
			    UKTV_JITTER_FULL);
			long long equal = uktv_backoff_ms(100, 2000, attempt,
			    UKTV_JITTER_EQUAL);
			long long d = attempt >= 6 ? 2000 : 100LL << (attempt - 1);

			CHECK(full >= 0 && full <= d);
			CHECK(equal >= d / 2 && equal <= d);
		}
	CHECK_INT(uktv_backoff_ms(0, UKTV_BACKOFF_CAP_MS, 3, UKTV_JITTER_FULL), 0);
	uktv_sleep_ms(0);
	uktv_sleep_ms(-5);
}

/* Files in dir other than . and .. */
static int
entries(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
test_fileio(void)
{
	char dir[] = "/tmp/uktv-fileio.XXXXXX", path[256], buf[64];
	struct uktv_atomic_file af;
	struct uktv_error e;
	struct stat sb;
	FILE *fp;
	size_t n;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/state", dir);
	CHECK_INT(uktv_file_write_atomic(path, "one\n", 4, 0600, "the state file",
	    &e), 0);
	CHECK_INT(stat(path, &sb), 0);
	CHECK_INT(sb.st_mode & 07777, 0600);
	/* keep_mode: the file's mode wins over the default. */
	CHECK_INT(uktv_atomic_open(&af, path, 0644, 1, "the state file", &e), 0);
	fputs("two\n", af.fp);
	/* Until commit, a reader sees the old contents. */
	fp = fopen(path, "r");
	n = fp != NULL ? fread(buf, 1, sizeof(buf) - 1, fp) : 0;
	buf[n] = '\0';
	if (fp != NULL)
		fclose(fp);
	CHECK_STR(buf, "one\n");
	CHECK_INT(uktv_atomic_commit(&af, &e), 0);
	CHECK_INT(stat(path, &sb), 0);
	CHECK_INT(sb.st_mode & 07777, 0600);
	fp = fopen(path, "r");
	n = fp != NULL ? fread(buf, 1, sizeof(buf) - 1, fp) : 0;
	buf[n] = '\0';
	if (fp != NULL)
		fclose(fp);
	CHECK_STR(buf, "two\n");
	/* An abort leaves the old file and no temporary behind. */
	CHECK_INT(uktv_atomic_open(&af, path, 0644, 0, "the state file", &e), 0);
	fputs("three\n", af.fp);
	uktv_atomic_abort(&af);
	CHECK_INT(entries(dir), 1);
	/* A missing folder: CANTCREAT, naming the file as the caller does. */
	snprintf(path, sizeof(path), "%s/no/state", dir);
	CHECK_INT(uktv_file_write_atomic(path, "x", 1, 0644, "the digest", &e), -1);
	CHECK_INT(e.kind, UKTV_ERR_CANTCREAT);
	CHECK(strstr(e.message, "cannot create the digest ") != NULL);
	CHECK(strstr(e.message, "/no/state") != NULL);
	snprintf(path, sizeof(path), "%s/state", dir);
	unlink(path);
	rmdir(dir);
}

static void
test_hexdigit(void)
{
	CHECK_INT(uktv_parse_hexdigit('0'), 0);
	CHECK_INT(uktv_parse_hexdigit('9'), 9);
	CHECK_INT(uktv_parse_hexdigit('a'), 10);
	CHECK_INT(uktv_parse_hexdigit('F'), 15);
	CHECK_INT(uktv_parse_hexdigit('g'), -1);
	CHECK_INT(uktv_parse_hexdigit('/'), -1);
	CHECK_INT(uktv_parse_hexdigit(-61), -1);	/* a signed UTF-8 byte */
}

static void
test_strbuf(void)
{
	struct uktv_strbuf b = { 0 };
	char *s;

	s = uktv_strbuf_take(&b);
	CHECK_STR(s, "");
	free(s);
	uktv_strbuf_add(&b, "canonical");
	uktv_strbuf_addc(&b, '\n');
	uktv_strbuf_addn(&b, "request-tail", 7);
	for (int i = 0; i < 300; i++)
		uktv_strbuf_addc(&b, 'x');
	CHECK_INT(b.len, 17 + 300);
	s = uktv_strbuf_take(&b);
	CHECK(s != NULL && strncmp(s, "canonical\nrequest", 17) == 0);
	CHECK_INT(strlen(s), 317);
	CHECK(b.s == NULL && b.len == 0);
	free(s);
	/* addf: DynamoDB's update expressions, longer than the first 256. */
	uktv_strbuf_addf(&b, "SET %s", "#d.a = :a");
	for (int i = 0; i < 40; i++)
		uktv_strbuf_addf(&b, ", #d.f%d = :v%d", i, i);
	s = uktv_strbuf_take(&b);
	CHECK(s != NULL && strncmp(s, "SET #d.a = :a, #d.f0 = :v0, ", 28) == 0);
	CHECK(s != NULL && strcmp(s + strlen(s) - 13, "#d.f39 = :v39") == 0);
	free(s);
	/* A length that would overflow fails the builder, not the process. */
	uktv_strbuf_add(&b, "a");
	uktv_strbuf_reserve(&b, (size_t)-1);
	CHECK_INT(b.failed, 1);
	uktv_strbuf_add(&b, "b");
	CHECK(uktv_strbuf_take(&b) == NULL);
	uktv_strbuf_free(&b);
}

static void
test_secret(void)
{
	char *s = strdup("AKIDEXAMPLE");
	char local[] = "token";

	uktv_secret_wipe(local);
	CHECK_INT(local[0], 0);
	CHECK_INT(local[4], 0);
	uktv_secret_free(s);
	uktv_secret_free(NULL);
	uktv_secret_free_len(NULL, 3);
	uktv_secret_free_len(strdup("abc"), 3);
}

int
main(void)
{
	RUN(test_time_forms);
	RUN(test_time_strict);
	RUN(test_time_relative_and_format);
	RUN(test_backoff);
	RUN(test_fileio);
	RUN(test_hexdigit);
	RUN(test_strbuf);
	RUN(test_secret);
	return UNIT_DONE();
}
