/*
 * null-kinesis: a PutRecords endpoint that answers success at once and
 * counts records, so a publishing benchmark measures the client alone.
 *
 *   null-kinesis PORTFILE
 *
 * Listens on 127.0.0.1 (a free port, written to PORTFILE), speaks HTTP/1.1
 * with keep-alive to any number of clients (one poll loop, one thread), and
 * answers every POST with {"FailedRecordCount":0,"Records":[...]} holding
 * one result per "PartitionKey" in the body.  Signatures are not checked.
 * GET /stats answers {"records":N,"calls":N,"cpu":SECONDS}.  On SIGTERM or
 * SIGINT it prints the same line on stdout and exits.
 *
 * Built by bench/run with cc; not part of libuktv.
 */
#include "nullserve.h"

#define MAX_CONN	64
#define MAX_RECORDS	500
/* One result; every one is the same length, so n of them is a prefix. */
#define RESULT	"{\"SequenceNumber\":\"49590338271490256608559692538361571095921575989136588898\"," \
		"\"ShardId\":\"shardId-000000000000\"}"

static unsigned long long records, calls;
static char *results;		/* MAX_RECORDS results, comma-separated */
static size_t result_len;	/* one result plus its comma */

/* Counts "PartitionKey" names: one per record (values are escaped JSON
 * strings, so the quoted name cannot occur inside one). */
static unsigned long
count_records(const char *body, size_t n)
{
	static const char key[] = "\"PartitionKey\"";
	unsigned long c = 0;
	const char *p = body, *end = body + n;

	while ((p = memmem(p, (size_t)(end - p), key, sizeof(key) - 1)) != NULL) {
		c++;
		p += sizeof(key) - 1;
	}
	return c;
}

static int
answer(int fd, const char *req, size_t reqlen, const char *body, size_t blen)
{
	int is_get = reqlen >= 4 && strncmp(req, "GET ", 4) == 0;
	char head[256], stats[256];
	unsigned long n;
	size_t hl, rl;

	calls++;
	if (is_get) {
		calls--;
		rl = (size_t)snprintf(stats, sizeof(stats),
		    "{\"records\":%llu,\"calls\":%llu,\"cpu\":%.3f}", records,
		    calls, nullserve_cpu_seconds());
		hl = (size_t)snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n"
		    "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
		    rl);
		return nullserve_write_all(fd, head, hl) == -1 ? -1 :
		    nullserve_write_all(fd, stats, rl);
	}
	n = count_records(body, blen);
	if (n > MAX_RECORDS)
		n = MAX_RECORDS;
	records += n;
	rl = n ? n * result_len - 1 : 0;
	hl = (size_t)snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n"
	    "Content-Type: application/x-amz-json-1.1\r\n"
	    "x-amzn-RequestId: 00000000-0000-0000-0000-000000000000\r\n"
	    "Content-Length: %zu\r\n\r\n{\"FailedRecordCount\":0,\"Records\":[",
	    rl + 36);
	if (nullserve_write_all(fd, head, hl) == -1 || nullserve_write_all(fd, results, rl) == -1 ||
	    nullserve_write_all(fd, "]}", 2) == -1)
		return -1;
	return 0;
}

int
main(int argc, char *argv[])
{
	if (argc != 2) {
		fprintf(stderr, "usage: null-kinesis PORTFILE\n");
		return 2;
	}
	result_len = strlen(RESULT) + 1;
	if ((results = malloc(result_len * MAX_RECORDS)) == NULL)
		return 1;
	for (int i = 0; i < MAX_RECORDS; i++) {
		memcpy(results + i * result_len, RESULT, result_len - 1);
		results[i * result_len + result_len - 1] = ',';
	}
	if (nullserve_run("null-kinesis", argv[1], MAX_CONN, answer) != 0)
		return 1;
	printf("{\"records\":%llu,\"calls\":%llu,\"cpu\":%.3f}\n", records, calls,
	    nullserve_cpu_seconds());
	return 0;
}
