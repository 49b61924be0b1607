/* test_cli.c: option values, id lists, user ids, numeric order of ids. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "parse.h"
#include "toolopt.h"
#include "unit.h"

static void
test_version_line(void)
{
	char buf[128];
	FILE *tmp = tmpfile();
	int saved;
	size_t n;

	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(fileno(tmp), STDOUT_FILENO);
	uktv_toolopt_print_version("./build/bin/uktv-publish");
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, sizeof(buf) - 1, tmp);
	buf[n] = '\0';
	fclose(tmp);
	CHECK_STR(buf, "uktv-publish " UKTV_VERSION "\n");
}

static void
test_seconds(void)
{
	static const struct {
		const char	*s;
		long		 ms;	/* -1: EINVAL, -2: ERANGE */
	} cases[] = {
		{ "5", 5000 }, { "0", 0 }, { "0.5", 500 }, { ".25", 250 },
		{ "2.125", 2125 }, { "60", 60000 }, { "007", 7000 },
		{ "86400", 86400000 }, { "86400.000", 86400000 },
		{ "0.0001", 1 },		/* finer than 1 ms: rounded up */
		{ "1.0010", 1001 }, { "1.00100", 1001 }, { "1.0011", 1002 },
		{ "86400.001", -2 }, { "86401", -2 },
		{ "99999999999999999999999", -2 },
		{ "", -1 }, { ".", -1 }, { "5.", -1 }, { "-1", -1 }, { "+1", -1 },
		{ " 5", -1 }, { "5 ", -1 }, { "5s", -1 }, { "250ms", -1 },
		{ "1e3", -1 }, { "0x10", -1 }, { "1.2.3", -1 }, { "abc", -1 },
	};
	size_t k;
	long ms;
	int rc;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		ms = -99;
		errno = 0;
		rc = uktv_parse_seconds(cases[k].s, &ms);
		if (cases[k].ms >= 0) {
			if (rc != 0)
				printf("# \"%s\" refused\n", cases[k].s);
			CHECK_INT(rc, 0);
			CHECK_INT(ms, cases[k].ms);
		} else {
			if (rc != -1)
				printf("# \"%s\" accepted\n", cases[k].s);
			CHECK_INT(rc, -1);
			CHECK_INT(errno, cases[k].ms == -1 ? EINVAL : ERANGE);
			CHECK_INT(ms, -99);	/* untouched */
		}
	}
	CHECK_INT(uktv_parse_seconds(NULL, &ms), -1);
}

static void
test_sizes(void)
{
	static const struct {
		const char	*s;
		long long	 v;	/* -1: EINVAL, -2: ERANGE */
	} cases[] = {
		{ "0", 0 }, { "512", 512 }, { "64K", 65536 }, { "64k", 65536 },
		{ "1M", 1048576 }, { "1m", 1048576 }, { "1048576", 1048576 },
		{ "5M", 5242880 },
		{ "18446744073709551615", -3 },		/* SIZE_MAX, checked below */
		{ "18446744073709551616", -2 },
		{ "17592186044416M", -2 },		/* 2^44 MiB = 2^64 */
		{ "", -1 }, { "K", -1 }, { "1G", -1 }, { "1KB", -1 },
		{ "1 K", -1 }, { "-1", -1 }, { "+1", -1 }, { "1.5M", -1 },
		{ " 1", -1 },
	};
	size_t k, v;
	int rc;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		v = 12345;
		errno = 0;
		rc = uktv_parse_size(cases[k].s, &v);
		if (cases[k].v == -3) {
			CHECK_INT(rc, 0);
			CHECK(v == SIZE_MAX);
		} else if (cases[k].v >= 0) {
			CHECK_INT(rc, 0);
			CHECK_INT(v, cases[k].v);
		} else {
			if (rc != -1)
				printf("# \"%s\" accepted\n", cases[k].s);
			CHECK_INT(rc, -1);
			CHECK_INT(errno, cases[k].v == -1 ? EINVAL : ERANGE);
			CHECK_INT(v, 12345);
		}
	}
}

static void
test_uint(void)
{
	long long v = 7;

	CHECK_INT(uktv_parse_uint("5", 1, 10, &v), 0);
	CHECK_INT(v, 5);
	CHECK_INT(uktv_parse_uint("500", 1, 500, &v), 0);
	CHECK_INT(v, 500);
	CHECK_INT(uktv_parse_uint("0", 0, 0, &v), 0);
	CHECK_INT(v, 0);
	CHECK_INT(uktv_parse_uint("9223372036854775807", 0, INT64_MAX, &v), 0);
	CHECK(v == INT64_MAX);

	v = 7;
	errno = 0;
	CHECK_INT(uktv_parse_uint("0", 1, 10, &v), -1);
	CHECK_INT(errno, ERANGE);
	errno = 0;
	CHECK_INT(uktv_parse_uint("11", 1, 10, &v), -1);
	CHECK_INT(errno, ERANGE);
	errno = 0;
	CHECK_INT(uktv_parse_uint("99999999999999999999", 1, 10, &v), -1);
	CHECK_INT(errno, ERANGE);
	CHECK_INT(v, 7);
	{
		static const char *const junk[] = {
			"", "-1", "+1", " 1", "1 ", "1x", "0x10", "1.0", "1e3",
		};
		size_t k;

		for (k = 0; k < sizeof(junk) / sizeof(junk[0]); k++) {
			errno = 0;
			CHECK_INT(uktv_parse_uint(junk[k], -10, 10, &v), -1);
			CHECK_INT(errno, EINVAL);
		}
	}
	CHECK_INT(uktv_parse_uint(NULL, 0, 10, &v), -1);
	CHECK_INT(v, 7);
}

/* Parses s and checks the result against want, joined with ','. */
static void
check_idlist(const char *s, const char *want)
{
	char **ids = (char **)1, joined[512];
	size_t n = 99, k, off = 0;

	errno = 0;
	if (want == NULL) {
		CHECK_INT(uktv_parse_idlist(s, &ids, &n), -1);
		CHECK_INT(errno, EINVAL);
		return;
	}
	if (uktv_parse_idlist(s, &ids, &n) != 0) {
		printf("# \"%s\" refused\n", s);
		CHECK(0);
		return;
	}
	joined[0] = '\0';
	for (k = 0; k < n; k++)
		off += (size_t)snprintf(joined + off, sizeof(joined) - off,
		    "%s%s", k ? "," : "", ids[k]);
	CHECK_STR(joined, want);
	if (n == 0)
		CHECK(ids == NULL);
	uktv_parse_idlist_free(ids, n);
}

static void
test_idlist(void)
{
	check_idlist("203,349", "203,349");
	check_idlist("349,203", "203,349");
	check_idlist("10,9,100,9", "9,10,100");
	check_idlist("203,349,203,203", "203,349");
	check_idlist("0203, 203 ,\t349", "203,349");	/* leading zeros, spaces */
	check_idlist("000", "0");
	check_idlist("7", "7");
	check_idlist("", "");
	check_idlist("  ", "");
	check_idlist("99999999999999999999,1", "1,99999999999999999999");
	/* Digits, but too many: ERANGE, so the caller can say "too long". */
	{
		static const char *const longs[] = {
			"340282366920938463463374607431768211455",	/* 39 */
			"123456789012345678901",			/* 21 */
			"203,123456789012345678901",
		};
		char **ids;
		size_t n, k;

		for (k = 0; k < sizeof(longs) / sizeof(longs[0]); k++) {
			errno = 0;
			CHECK_INT(uktv_parse_idlist(longs[k], &ids, &n), -1);
			CHECK_INT(errno, ERANGE);
		}
	}
	check_idlist(",", NULL);
	check_idlist("203,", NULL);
	check_idlist(",203", NULL);
	check_idlist("203,,349", NULL);
	check_idlist("203 349", NULL);
	check_idlist("a", NULL);
	check_idlist("-1", NULL);
	check_idlist("+1", NULL);
	check_idlist("1.5", NULL);
	check_idlist("203,abc", NULL);
	uktv_parse_idlist_free(NULL, 0);
}

static void
test_user_ids(void)
{
	char id[200];

	CHECK_INT(uktv_user_id_valid("alice"), 1);
	CHECK_INT(uktv_user_id_valid("a.b_c@d+e-f"), 1);
	CHECK_INT(uktv_user_id_valid("alice@example.co.uk"), 1);
	CHECK_INT(uktv_user_id_valid("0b8c6f2a-7e4d-4c55-9a5b-3f1e2d4c6b7a"), 1);
	CHECK_INT(uktv_user_id_valid("A"), 1);
	memset(id, 'x', 128);
	id[128] = '\0';
	CHECK_INT(uktv_user_id_valid(id), 1);
	id[128] = 'x';
	id[129] = '\0';
	CHECK_INT(uktv_user_id_valid(id), 0);
	CHECK_INT(uktv_user_id_valid(""), 0);
	CHECK_INT(uktv_user_id_valid(NULL), 0);
	CHECK_INT(uktv_user_id_valid("a b"), 0);
	CHECK_INT(uktv_user_id_valid("a/b"), 0);
	CHECK_INT(uktv_user_id_valid("a:b"), 0);	/* would confuse PK grammar */
	CHECK_INT(uktv_user_id_valid("caf\xc3\xa9"), 0);
	CHECK_INT(uktv_user_id_valid("a\nb"), 0);
}

static void
test_decimal_order(void)
{
	CHECK_INT(uktv_cmp_decimal("9", "10"), -1);
	CHECK_INT(uktv_cmp_decimal("10", "9"), 1);
	CHECK_INT(uktv_cmp_decimal("10", "10"), 0);
	CHECK_INT(uktv_cmp_decimal("007", "7"), 0);
	CHECK_INT(uktv_cmp_decimal("0", "000"), 0);
	CHECK_INT(uktv_cmp_decimal("0", ""), 0);
	CHECK_INT(uktv_cmp_decimal("0", "1"), -1);
	CHECK_INT(uktv_cmp_decimal("123", "124"), -1);
	/* 128-bit Kinesis sequence numbers: beyond any integer type. */
	CHECK_INT(uktv_cmp_decimal(
	    "49590338271490256608559692538361571095921575989136588898",
	    "49590338271490256608559692540925702759324208523137515618"), -1);
	CHECK_INT(uktv_cmp_decimal(
	    "340282366920938463463374607431768211455",
	    "99999999999999999999999999999999999999"), 1);
	CHECK_INT(uktv_cmp_decimal("0000340282366920938463463374607431768211455",
	    "340282366920938463463374607431768211455"), 0);
}

static void
test_id_cmp_sorts_numerically(void)
{
	const char *ids[] = { "100", "9", "0010", "1", "99999999999999999999", "20" };
	size_t k;
	char joined[128] = "";

	qsort(ids, sizeof(ids) / sizeof(ids[0]), sizeof(ids[0]), uktv_id_cmp);
	for (k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
		strcat(joined, ids[k]);
		strcat(joined, " ");
	}
	CHECK_STR(joined, "1 9 0010 20 100 99999999999999999999 ");
}

int
main(void)
{
	RUN(test_version_line);
	RUN(test_seconds);
	RUN(test_sizes);
	RUN(test_uint);
	RUN(test_idlist);
	RUN(test_user_ids);
	RUN(test_decimal_order);
	RUN(test_id_cmp_sorts_numerically);
	return UNIT_DONE();
}
