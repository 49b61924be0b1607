/*
 * unit.h: a tiny TAP producer for libuktv's C unit tests.
 *
 * Each test file defines test functions and calls them through RUN(); CHECK()
 * records a failure with file:line and goes on, so one run shows every broken
 * assertion.  The output is TAP ("ok N - name" / "not ok N - name"), which
 * scripts/check counts together with the bats suites.
 */
#ifndef UKTV_UNIT_H
#define UKTV_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The environment of a test whose client talks to a local double or moto:
 * static keys, one region, no profile files, no instance metadata, and
 * retries 5 ms apart so a retried call does not slow the suite.
 */
static __attribute__((unused)) void
unit_local_aws_env(void)
{
	setenv("AWS_ACCESS_KEY_ID", "testing", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "testing", 1);
	setenv("AWS_REGION", "eu-west-2", 1);
	setenv("AWS_CONFIG_FILE", "/dev/null", 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null", 1);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	setenv("UKTV_RETRY_BASE_MS", "5", 1);
}

static int unit_failed_checks;
static int unit_tests_run;
static int unit_tests_failed;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		unit_failed_checks++;					\
		printf("# %s:%d: check failed: %s\n", __FILE__,	\
		    __LINE__, #cond);					\
	}								\
} while (0)

#define CHECK_STR(got, want) do {					\
	const char *g_ = (got), *w_ = (want);				\
	if (g_ == NULL || w_ == NULL || strcmp(g_, w_) != 0) {		\
		unit_failed_checks++;					\
		printf("# %s:%d: got \"%s\", want \"%s\"\n", __FILE__,	\
		    __LINE__, g_ ? g_ : "(null)", w_ ? w_ : "(null)");	\
	}								\
} while (0)

#define CHECK_INT(got, want) do {					\
	long long g_ = (long long)(got), w_ = (long long)(want);	\
	if (g_ != w_) {							\
		unit_failed_checks++;					\
		printf("# %s:%d: %s is %lld, want %lld\n", __FILE__,	\
		    __LINE__, #got, g_, w_);				\
	}								\
} while (0)

#define RUN(fn) do {							\
	int before_ = unit_failed_checks;				\
	fn();								\
	unit_tests_run++;						\
	if (unit_failed_checks != before_) {				\
		unit_tests_failed++;					\
		printf("not ok %d - %s\n", unit_tests_run, #fn);	\
	} else								\
		printf("ok %d - %s\n", unit_tests_run, #fn);		\
	fflush(stdout);							\
} while (0)

#define UNIT_DONE() (printf("1..%d\n", unit_tests_run),		\
	unit_tests_failed ? 1 : 0)

#endif
