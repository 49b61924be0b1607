/*
 * parse.h: the option-value plumbing every binary repeats, so cmd/ files stay
 * short: durations, sizes, bounded integers, id lists, user ids,
 * and the numeric order of decimal ids and sequence numbers.
 *
 * The parsers are strict (no leading or trailing spaces, no signs, no
 * junk): a usage error is better than a surprising value.  They return 0, or
 * -1 with errno EINVAL (not of the accepted form), ERANGE (out of bounds) or
 * ENOMEM, and leave *out untouched on failure; the binary says what is
 * wrong with the option and exits 2 (ARCHITECTURE.md).
 */
#ifndef UKTV_CLI_H
#define UKTV_CLI_H

#include <stddef.h>
#include <stdio.h>

/* Longest duration an option takes: one day. */
#define UKTV_CLI_MAX_SECONDS	86400L
/* Longest source, genre or title id: 20 digits holds any uint64. */
#define UKTV_CLI_MAX_ID_DIGITS	20
/* User ids (ARCHITECTURE.md): 1-128 characters of A-Za-z0-9._@+- */
#define UKTV_USER_ID_MAX	128

/*
 * Decimal seconds, with an optional fraction ("5", "0.5", ".25", "2.125"),
 * as milliseconds; a fraction finer than 1 ms is rounded up, so a timeout is
 * never shorter than asked ("0.0001" is 1 ms).  0 to UKTV_CLI_MAX_SECONDS.
 */
int	uktv_parse_seconds(const char *s, long *ms);

/* The value of one hexadecimal digit (either case), or -1. */
int	uktv_parse_hexdigit(int c);

/* Bytes, with an optional binary suffix K or M (either case): "512",
 * "64K" (65536), "1M" (1048576).  0 to SIZE_MAX. */
int	uktv_parse_size(const char *s, size_t *out);

/* Digits only (strtonum(3) with min and max; no sign, no spaces).  ERANGE
 * when the value is outside [min, max]. */
int	uktv_parse_uint(const char *s, long long min, long long max,
	    long long *out);

/*
 * A comma-separated id list ("203,349"; spaces around an id are allowed):
 * each id 1-UKTV_CLI_MAX_ID_DIGITS digits, given back without leading zeros
 * ("0203" is "203"), sorted numerically and without duplicates.  "" (or only
 * spaces) is the empty list: *ids NULL, *n 0.  An empty item ("203,,349",
 * "203,") is EINVAL; an id of more than UKTV_CLI_MAX_ID_DIGITS digits is
 * ERANGE.  Caller frees with uktv_parse_idlist_free(*ids, *n).
 */
int	uktv_parse_idlist(const char *s, char ***ids, size_t *n);
void	uktv_parse_idlist_free(char **ids, size_t n);

/* 1 if s is a user id ARCHITECTURE.md allows, else 0. */
int	uktv_user_id_valid(const char *s);

/*
 * Compares two non-negative decimal strings of any length as numbers
 * (Kinesis and DynamoDB Streams sequence numbers are up to 128 bits, moto's
 * are short: "9" < "10"): leading zeros are ignored, the longer is larger,
 * else the bytes decide.  Returns -1, 0 or 1.  Strings that are not digits
 * are compared the same way, which is consistent but means nothing.
 */
int	uktv_cmp_decimal(const char *a, const char *b);
/* For qsort(3)/bsearch(3) over an array of char * ids. */
int	uktv_id_cmp(const void *a, const void *b);

/*
 * qsort(3) and bsearch(3) for arrays that may be empty: C leaves a NULL base
 * undefined even with no elements (glibc declares it nonnull, and UBSan
 * says so), and an empty list is usually a NULL pointer here.
 */
void	uktv_qsort(void *base, size_t n, size_t size,
	    int (*cmp)(const void *, const void *));
void	*uktv_bsearch(const void *key, const void *base, size_t n, size_t size,
	    int (*cmp)(const void *, const void *));

#endif
