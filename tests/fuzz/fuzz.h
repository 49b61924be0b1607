/*
 * fuzz.h: what the fuzz targets in tests/fuzz share.
 *
 * Each target is one fuzz_<name>.c with LLVMFuzzerTestOneInput calling
 * libuktv's real parsing code.  It is built twice: with clang and
 * -fsanitize=fuzzer,address,undefined by tests/fuzz/fuzz.mk (make fuzz), and
 * with the project's compiler and no fuzzer as tests/tools/fuzz-replay-<name>
 * (replay.c's main), which `make check` runs over tests/fuzz/regress/<name>
 * and tests/fuzz/corpus/<name> through tests/fuzz-regress.bats.
 *
 * Targets that parse service answers talk to a fake transport (fakehttp.c):
 * it defines every function of lib/net/http.h, so lib/net/http.c is left out of the
 * fuzz build and never pulled from libuktv.a by a replay binary, and the
 * real aws/awsjson/kinesis/dynamodb/ddbstreams/watchmode/sts/sso code reads
 * answers the fuzzer wrote.
 */
#ifndef UKTV_FUZZ_H
#define UKTV_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***);

/*
 * The answers the fake transport gives, in order, one per request: the
 * script is split on FUZZ_HTTP_SEP; each part is "<status>\n" then header
 * lines "Name: value\n" up to an empty line, then the body.  A part that
 * does not start with three digits and "\n" is a 200 answer with the whole
 * part as its body.  When the script is used up every request fails as a
 * transport error (UKTV_ERR_UNAVAILABLE, retryable), so paging and retry
 * loops always end.  The script is copied.
 */
#define FUZZ_HTTP_SEP		"\n%%\n"
void	fuzz_http_script(const uint8_t *data, size_t len);
/* Requests the fake transport has been asked so far (since the script). */
long	fuzz_http_requests(void);
/* Of them, those that ask DynamoDB to change the table (BatchWriteItem,
 * PutItem, UpdateItem, DeleteItem, TransactWriteItems, PartiQL): whether
 * or not the script answered them. */
long	fuzz_http_writes(void);
/* The body of the last request (NUL-terminated copy, "" if none). */
const char *fuzz_http_last_body(void);
const char *fuzz_http_last_url(void);
void	fuzz_http_reset(void);
/* 1 when the script holds s: an answer that carries a secret itself may
 * show it in an error message, and that is no leak of ours. */
int	fuzz_http_script_has(const char *s);
/* Checks an error message for the environment's secrets (unless the
 * script itself holds them): one line, terminated, no secret key, no
 * session token. */
struct uktv_error;
void	fuzz_check_aws_error(const struct uktv_error *);

/* The environment every target runs in: fixed fake credentials, no
 * config files, no IMDS, no backoff sleeps, fake endpoints. */
#define FUZZ_AWS_SECRET		"fuzzSECRETfuzzSECRETfuzzSECRETfuzzSECRET"
#define FUZZ_AWS_TOKEN		"fuzzTOKENfuzzTOKENfuzzTOKEN"
#define FUZZ_WATCHMODE_KEY	"fuzzWMKEYfuzzWMKEYfuzzWMKEY"
void	fuzz_env(void);

/* A failed check: prints what and aborts (the fuzzer keeps the input). */
#define FUZZ_CHECK(cond, what) do {					\
	if (!(cond))							\
		fuzz_fail(__FILE__, __LINE__, (what));			\
} while (0)
void	fuzz_fail(const char *file, int line, const char *what)
	    __attribute__((noreturn));

/* Input helpers: take bytes off the front of the fuzzer's data. */
struct fuzz_in {
	const uint8_t	*p;
	size_t		 n;
};
unsigned	fuzz_byte(struct fuzz_in *);
/* A NUL-terminated copy of the next field, up to sep (not included) or the
 * end; caller frees. */
char	*fuzz_field(struct fuzz_in *, char sep);

#endif
