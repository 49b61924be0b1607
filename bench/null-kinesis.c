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
#include <sys/resource.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define MAX_CONN	64
#define MAX_RECORDS	500
/* One result; every one is the same length, so n of them is a prefix. */
#define RESULT	"{\"SequenceNumber\":\"49590338271490256608559692538361571095921575989136588898\"," \
		"\"ShardId\":\"shardId-000000000000\"}"

struct conn {
	int	 fd;
	char	*buf;
	size_t	 len;
	size_t	 cap;
};

static volatile sig_atomic_t done;
static unsigned long long records, calls;
static char *results;		/* MAX_RECORDS results, comma-separated */
static size_t result_len;	/* one result plus its comma */

static void
on_signal(int sig)
{
	(void)sig;
	done = 1;
}

static double
cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd pfd = { fd, POLLOUT, 0 };

				poll(&pfd, 1, 1000);
				continue;
			}
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

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
answer(int fd, const char *body, size_t blen, int is_get)
{
	char head[256], stats[256];
	unsigned long n;
	size_t hl, rl;

	calls++;
	if (is_get) {
		calls--;
		rl = (size_t)snprintf(stats, sizeof(stats),
		    "{\"records\":%llu,\"calls\":%llu,\"cpu\":%.3f}", records,
		    calls, cpu_seconds());
		hl = (size_t)snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n"
		    "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
		    rl);
		return write_all(fd, head, hl) == -1 ? -1 :
		    write_all(fd, stats, rl);
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
	if (write_all(fd, head, hl) == -1 || write_all(fd, results, rl) == -1 ||
	    write_all(fd, "]}", 2) == -1)
		return -1;
	return 0;
}

/* Answers every whole request in c->buf; -1 when the connection is to go. */
static int
serve(struct conn *c)
{
	for (;;) {
		char *hend = memmem(c->buf, c->len, "\r\n\r\n", 4), *p;
		size_t hlen, clen = 0, total;

		if (hend == NULL)
			return 0;
		hlen = (size_t)(hend - c->buf) + 4;
		for (p = c->buf; p < hend; p++) {
			if ((p == c->buf || p[-1] == '\n') &&
			    strncasecmp(p, "content-length:", 15) == 0)
				clen = strtoul(p + 15, NULL, 10);
			if ((p == c->buf || p[-1] == '\n') &&
			    strncasecmp(p, "expect: 100-continue", 20) == 0 &&
			    c->len == hlen) {
				if (write_all(c->fd, "HTTP/1.1 100 Continue\r\n\r\n",
				    25) == -1)
					return -1;
			}
		}
		total = hlen + clen;
		if (c->len < total)
			return 0;
		if (answer(c->fd, c->buf + hlen, clen,
		    strncmp(c->buf, "GET ", 4) == 0) == -1)
			return -1;
		memmove(c->buf, c->buf + total, c->len - total);
		c->len -= total;
	}
}

int
main(int argc, char *argv[])
{
	struct pollfd pfd[MAX_CONN + 1];
	struct conn conns[MAX_CONN];
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	struct sigaction sig;
	FILE *pf;
	int lfd, one = 1, nconn = 0;

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
	memset(&sig, 0, sizeof(sig));
	sig.sa_handler = on_signal;
	sigaction(SIGTERM, &sig, NULL);
	sigaction(SIGINT, &sig, NULL);
	signal(SIGPIPE, SIG_IGN);

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(lfd, 16) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &sl) == -1) {
		perror("null-kinesis");
		return 1;
	}
	if ((pf = fopen(argv[1], "w")) == NULL) {
		perror(argv[1]);
		return 1;
	}
	fprintf(pf, "%d\n", ntohs(sa.sin_port));
	fclose(pf);

	while (!done) {
		pfd[0].fd = lfd;
		pfd[0].events = POLLIN;
		for (int i = 0; i < nconn; i++) {
			pfd[i + 1].fd = conns[i].fd;
			pfd[i + 1].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)nconn + 1, -1) == -1)
			continue;
		if ((pfd[0].revents & POLLIN) && nconn < MAX_CONN) {
			int fd = accept(lfd, NULL, NULL);

			if (fd != -1) {
				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
				    sizeof(one));
				conns[nconn].fd = fd;
				conns[nconn].len = 0;
				conns[nconn].cap = 1 << 16;
				conns[nconn].buf = malloc(conns[nconn].cap);
				nconn++;
			}
		}
		for (int i = 0; i < nconn; i++) {
			struct conn *c = &conns[i];
			ssize_t r;

			if (!(pfd[i + 1].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (c->cap - c->len < 1 << 15) {
				char *nb = realloc(c->buf, c->cap * 2);

				if (nb == NULL)
					return 1;
				c->buf = nb;
				c->cap *= 2;
			}
			r = read(c->fd, c->buf + c->len, c->cap - c->len);
			if (r > 0) {
				c->len += (size_t)r;
				if (serve(c) == 0)
					continue;
			} else if (r < 0 && errno == EINTR)
				continue;
			close(c->fd);
			free(c->buf);
			conns[i] = conns[--nconn];
			pfd[i + 1] = pfd[nconn + 1];
			i--;
		}
	}
	printf("{\"records\":%llu,\"calls\":%llu,\"cpu\":%.3f}\n", records, calls,
	    cpu_seconds());
	return 0;
}
