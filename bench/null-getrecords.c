/*
 * null-getrecords: a Kinesis endpoint that serves canned GetRecords pages of
 * one shard holding N records, so a consuming benchmark measures the client
 * alone (moto spends more time building its answers than the client takes
 * to read them).
 *
 *   null-getrecords PORTFILE RECORDS
 *
 * Listens on 127.0.0.1 (a free port, written to PORTFILE), HTTP/1.1 with
 * keep-alive, one client at a time.  Answers, by X-Amz-Target:
 *   ListShards        one shard, shardId-000000000000
 *   GetShardIterator  "pos-0" (TRIM_HORIZON, whatever was asked)
 *   GetRecords        records pos .. pos+Limit-1 of RECORDS: a 300-byte
 *                     title event each, 56-digit sequence numbers, an
 *                     arrival in the past, MillisBehindLatest 0 on the
 *                     last page, then empty pages
 *   anything else     {}
 * Signatures are not checked.  SIGTERM/SIGINT: prints
 * {"calls":N,"records":N} and exits.
 *
 * Built by bench/consume with cc; not part of libuktv.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define LIMIT_MAX	10000
#define SEQ_BASE	"4959033827149025660855969253836157109592157598"	/* 46 digits */

static volatile sig_atomic_t done;
static unsigned long long calls, served;
static long long total;
static char data_b64[512];

static void
on_signal(int sig)
{
	(void)sig;
	done = 1;
}

static const char *
b64(const unsigned char *s, size_t n, char *out)
{
	static const char a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *o = out;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		*o++ = a[s[i] >> 2];
		*o++ = a[(s[i] & 3) << 4 | s[i + 1] >> 4];
		*o++ = a[(s[i + 1] & 15) << 2 | s[i + 2] >> 6];
		*o++ = a[s[i + 2] & 63];
	}
	if (i < n) {
		*o++ = a[s[i] >> 2];
		if (i + 1 < n) {
			*o++ = a[(s[i] & 3) << 4 | s[i + 1] >> 4];
			*o++ = a[(s[i + 1] & 15) << 2];
		} else {
			*o++ = a[(s[i] & 3) << 4];
			*o++ = '=';
		}
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
answer(int fd, const char *body, size_t len)
{
	char head[256];
	int n;

	n = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n"
	    "Content-Type: application/x-amz-json-1.1\r\n"
	    "x-amzn-RequestId: 00000000-0000-0000-0000-000000000000\r\n"
	    "Content-Length: %zu\r\n\r\n", len);
	if (write_all(fd, head, (size_t)n) == -1)
		return -1;
	return write_all(fd, body, len);
}

static char *page;
static size_t page_cap;

static size_t
get_records(const char *body)
{
	const char *p;
	long long pos = 0, limit = LIMIT_MAX, end;
	size_t n = 0;

	if ((p = strstr(body, "pos-")) != NULL)
		pos = atoll(p + 4);
	if ((p = strstr(body, "\"Limit\":")) != NULL)
		limit = atoll(p + 8);
	if (limit < 1 || limit > LIMIT_MAX)
		limit = LIMIT_MAX;
	end = pos + limit > total ? total : pos + limit;
	n += (size_t)snprintf(page + n, page_cap - n, "{\"Records\":[");
	for (long long i = pos; i < end; i++) {
		n += (size_t)snprintf(page + n, page_cap - n,
		    "%s{\"SequenceNumber\":\"" SEQ_BASE "%010lld\","
		    "\"ApproximateArrivalTimestamp\":1751644971.855,"
		    "\"Data\":\"%s\",\"PartitionKey\":\"%lld\"}",
		    i > pos ? "," : "", i, data_b64, 3184039 + i);
	}
	served += (unsigned long long)(end > pos ? end - pos : 0);
	n += (size_t)snprintf(page + n, page_cap - n,
	    "],\"NextShardIterator\":\"pos-%lld\",\"MillisBehindLatest\":%d}",
	    end, end >= total ? 0 : 60000);
	return n;
}

static void
serve(int fd)
{
	static char buf[1 << 16];
	size_t len = 0;

	for (;;) {
		char *hdr_end, *cl, *target;
		size_t hlen, blen = 0, n;
		ssize_t r;

		while ((hdr_end = memmem(buf, len, "\r\n\r\n", 4)) == NULL) {
			if (len == sizeof(buf) ||
			    (r = read(fd, buf + len, sizeof(buf) - len - 1)) <= 0)
				return;
			len += (size_t)r;
		}
		hlen = (size_t)(hdr_end - buf) + 4;
		buf[len] = '\0';
		if ((cl = strcasestr(buf, "Content-Length:")) != NULL &&
		    cl < hdr_end)
			blen = (size_t)atol(cl + 15);
		while (len < hlen + blen) {
			if ((r = read(fd, buf + len, sizeof(buf) - len - 1)) <= 0)
				return;
			len += (size_t)r;
		}
		buf[len] = '\0';
		target = strcasestr(buf, "X-Amz-Target:");
		calls++;
		if (target != NULL && target < hdr_end &&
		    strncmp(strchr(target, '.') + 1, "GetRecords", 10) == 0) {
			char save = buf[hlen + blen];

			buf[hlen + blen] = '\0';
			n = get_records(buf + hlen);
			buf[hlen + blen] = save;
			if (answer(fd, page, n) == -1)
				return;
		} else if (target != NULL && target < hdr_end &&
		    strncmp(strchr(target, '.') + 1, "ListShards", 10) == 0) {
			static const char s[] = "{\"Shards\":[{\"ShardId\":"
			    "\"shardId-000000000000\",\"HashKeyRange\":"
			    "{\"StartingHashKey\":\"0\",\"EndingHashKey\":"
			    "\"340282366920938463463374607431768211455\"},"
			    "\"SequenceNumberRange\":{\"StartingSequenceNumber\":"
			    "\"" SEQ_BASE "0000000000\"}}]}";

			if (answer(fd, s, sizeof(s) - 1) == -1)
				return;
		} else if (target != NULL && target < hdr_end &&
		    strncmp(strchr(target, '.') + 1, "GetShardIterator", 16) == 0) {
			if (answer(fd, "{\"ShardIterator\":\"pos-0\"}", 25) == -1)
				return;
		} else if (answer(fd, "{}", 2) == -1)
			return;
		memmove(buf, buf + hlen + blen, len - hlen - blen);
		len -= hlen + blen;
	}
}

int
main(int argc, char *argv[])
{
	static const char event[] =
	    "{\"header\":{\"publishingComponent\":\"uktv-titles\","
	    "\"publishTimestamp\":\"2025-07-04T16:02:51.855Z\","
	    "\"publishCause\":\"userpref:alice\"},\"payload\":{\"id\":3184039,"
	    "\"title\":\"MaveriX\",\"year\":2022,\"imdb_id\":\"tt15373864\","
	    "\"tmdb_id\":196556,\"tmdb_type\":\"tv\",\"type\":\"tv_series\","
	    "\"source_ids\":[\"203\"],\"genre_ids\":[\"4\"]}}";
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	struct sigaction sa;
	char tmp[4096];
	FILE *pf;
	int s, one = 1;

	if (argc != 3 || (total = atoll(argv[2])) < 0) {
		fprintf(stderr, "usage: null-getrecords PORTFILE RECORDS\n");
		return 2;
	}
	b64((const unsigned char *)event, sizeof(event) - 1, data_b64);
	page_cap = 256 + (size_t)LIMIT_MAX * (160 + strlen(data_b64));
	if ((page = malloc(page_cap)) == NULL)
		return 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(s, 16) == -1 ||
	    getsockname(s, (struct sockaddr *)&sin, &slen) == -1)
		return 1;
	/* Written aside and renamed: a reader never sees half a number. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]);
	if ((pf = fopen(tmp, "w")) == NULL)
		return 1;
	fprintf(pf, "%d\n", ntohs(sin.sin_port));
	if (fclose(pf) == EOF || rename(tmp, argv[1]) == -1)
		return 1;
	while (!done) {
		int c = accept(s, NULL, NULL);

		if (c == -1)
			continue;
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		serve(c);
		close(c);
	}
	printf("{\"calls\":%llu,\"records\":%llu}\n", calls, served);
	return 0;
}
