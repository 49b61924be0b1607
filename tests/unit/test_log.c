/* test_log.c: stderr messages by verbosity, the progress line, redaction. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "unit.h"

/* stderr goes to a temporary file between capture_start and capture_end. */
static FILE *cap_file;
static int cap_saved = -1;
static char cap_buf[16384];

static void
capture_start(void)
{
	fflush(stderr);
	cap_file = tmpfile();
	cap_saved = dup(STDERR_FILENO);
	dup2(fileno(cap_file), STDERR_FILENO);
}

static const char *
capture_end(void)
{
	size_t n;

	fflush(stderr);
	dup2(cap_saved, STDERR_FILENO);
	close(cap_saved);
	rewind(cap_file);
	n = fread(cap_buf, 1, sizeof(cap_buf) - 1, cap_file);
	cap_buf[n] = '\0';
	fclose(cap_file);
	return cap_buf;
}

static void
test_warn_is_prog_colon_message(void)
{
	struct uktv_log log;

	uktv_log_init(&log, "/usr/local/bin/uktv-publish", 0);
	CHECK_STR(log.prog, "uktv-publish");
	capture_start();
	uktv_log_warn(&log, "sent %d of %d", 3, 4);
	CHECK_STR(capture_end(), "uktv-publish: sent 3 of 4\n");
}

static void
test_line_error_names_the_line(void)
{
	struct uktv_log log;

	uktv_log_init(&log, "uktv-publish", -1);
	capture_start();
	uktv_log_line_error(&log, 12345678901ULL, "%s", "invalid UTF-8 at byte offset 3");
	CHECK_STR(capture_end(),
	    "uktv-publish: line 12345678901: invalid UTF-8 at byte offset 3\n");
}

static void
test_verbosity_decides_what_is_shown(void)
{
	static const struct {
		int		 verbosity;
		const char	*want;
	} cases[] = {
		{ -1, "p: w\np: line 1: l\n" },
		{ 0, "p: w\np: line 1: l\n" },
		{ 1, "p: w\np: line 1: l\np: i\n" },
		{ 2, "p: w\np: line 1: l\np: i\np: d\n" },
	};
	struct uktv_log log;
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		uktv_log_init(&log, "p", cases[k].verbosity);
		capture_start();
		uktv_log_warn(&log, "w");
		uktv_log_line_error(&log, 1, "l");
		uktv_log_info(&log, "i");
		uktv_log_debug(&log, "d");
		CHECK_STR(capture_end(), cases[k].want);
	}
}

static void
test_errno_and_error_messages(void)
{
	struct uktv_log log;
	struct uktv_error err;

	uktv_log_init(&log, "uktv-x", 0);
	capture_start();
	errno = EPIPE;
	uktv_log_errno(&log, ENOENT, "cannot open %s", "prefs.ndjson");
	CHECK_INT(errno, EPIPE);	/* left as it was */
	uktv_error_clear(&err);
	uktv_error_set(&err, UKTV_ERR_CONFIG, "no region: set --region or AWS_REGION");
	uktv_log_error(&log, &err);
	CHECK_STR(capture_end(),
	    "uktv-x: cannot open prefs.ndjson: No such file or directory\n"
	    "uktv-x: no region: set --region or AWS_REGION\n");
}

/* Input data in a message cannot break the line or drive the terminal. */
static void
test_control_characters_are_neutralised(void)
{
	struct uktv_log log;

	uktv_log_init(&log, "p", 0);
	capture_start();
	uktv_log_warn(&log, "title %s", "a\nb\033[2Jc\r\x7f\td\xc3\xa9");
	CHECK_STR(capture_end(), "p: title a?b?[2Jc??\td\xc3\xa9\n");
}

static void
test_long_message_is_whole(void)
{
	struct uktv_log log;
	char *big = malloc(5001), *want = malloc(5010);

	memset(big, 'x', 5000);
	big[5000] = '\0';
	snprintf(want, 5010, "p: %s\n", big);
	uktv_log_init(&log, "p", 0);
	capture_start();
	uktv_log_warn(&log, "%s", big);
	CHECK_STR(capture_end(), want);
	free(big);
	free(want);
}

static void
test_progress_only_on_a_terminal_and_not_quiet(void)
{
	struct uktv_log log;

	capture_start();
	uktv_log_init(&log, "p", 0);
	CHECK_INT(log.is_tty, 0);	/* stderr is a file: no progress */
	uktv_log_progress(&log, "%d lines", 10);
	uktv_log_progress_done(&log);
	CHECK_STR(capture_end(), "");

	log.is_tty = 1;
	log.verbosity = -1;
	capture_start();
	uktv_log_progress(&log, "%d lines", 10);
	uktv_log_progress_done(&log);
	CHECK_STR(capture_end(), "");

	/* Redrawn in place; a warning erases it first; done erases it. */
	log.verbosity = 0;
	capture_start();
	uktv_log_progress(&log, "%d lines", 10);
	uktv_log_progress(&log, "%d lines", 20);
	uktv_log_warn(&log, "line 7 rejected");
	uktv_log_warn(&log, "again");
	uktv_log_progress(&log, "%d lines", 30);
	uktv_log_progress_done(&log);
	uktv_log_progress_done(&log);
	CHECK_STR(capture_end(),
	    "\rp: 10 lines\033[K"
	    "\rp: 20 lines\033[K"
	    "\r\033[Kp: line 7 rejected\n"
	    "p: again\n"
	    "\rp: 30 lines\033[K"
	    "\r\033[K");
}

static char *
redact2(const char *text, const char *a, const char *b)
{
	const char *secrets[3] = { a, b, NULL };

	return uktv_redact(text, secrets);
}

static void
test_redact_replaces_every_occurrence(void)
{
	static const struct {
		const char	*text, *s1, *s2, *want;
	} cases[] = {
		{ "GET /v1/sources/?apiKey=abc123&x=1", "abc123", NULL,
		  "GET /v1/sources/?apiKey=****&x=1" },
		{ "abc123abc123", "abc123", NULL, "********" },
		{ "k=K1 s=S2 k=K1", "K1", "S2", "k=**** s=**** k=****" },
		{ "xabcdefy", "abc", "abcdef", "x****y" },	/* longest wins */
		{ "xabcdefy", "abcdef", "abc", "x****y" },
		{ "no secret here", "abc123", NULL, "no secret here" },
		{ "a", "a", NULL, "****" },			/* grows */
		{ "aaa", "a", NULL, "************" },
		{ "", "abc", NULL, "" },
		{ "keep", "", NULL, "keep" },			/* empty ignored */
		{ "ab", "abc", NULL, "ab" },			/* prefix only */
	};
	size_t k;
	char *got;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		got = redact2(cases[k].text, cases[k].s1, cases[k].s2);
		CHECK_STR(got, cases[k].want);
		free(got);
	}
	got = uktv_redact("plain", NULL);
	CHECK_STR(got, "plain");
	free(got);
	CHECK(uktv_redact(NULL, NULL) == NULL);
}

static void
test_redact_inplace_keeps_the_length(void)
{
	char buf[] = "apiKey=SECRET&x=SECRET\0SECRET tail SECRE";
	size_t len = sizeof(buf) - 1;

	uktv_redact_inplace(buf, len, "SECRET");
	CHECK(memcmp(buf, "apiKey=******&x=******\0****** tail SECRE", len) == 0);
	uktv_redact_inplace(buf, len, "");
	uktv_redact_inplace(buf, len, NULL);
	CHECK(memcmp(buf, "apiKey=******&x=******\0****** tail SECRE", len) == 0);

	/* An occurrence that runs past len is outside the buffer asked for. */
	memcpy(buf, "xxSECRET", 8);
	uktv_redact_inplace(buf, 5, "SECRET");
	CHECK(memcmp(buf, "xxSECRET", 8) == 0);
}

int
main(void)
{
	RUN(test_warn_is_prog_colon_message);
	RUN(test_line_error_names_the_line);
	RUN(test_verbosity_decides_what_is_shown);
	RUN(test_errno_and_error_messages);
	RUN(test_control_characters_are_neutralised);
	RUN(test_long_message_is_whole);
	RUN(test_progress_only_on_a_terminal_and_not_quiet);
	RUN(test_redact_replaces_every_occurrence);
	RUN(test_redact_inplace_keeps_the_length);
	return UNIT_DONE();
}
