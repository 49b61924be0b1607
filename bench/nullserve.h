/*
 * nullserve.h: what the null endpoints (null-kinesis.c, null-dynamodb.c)
 * share: a loopback HTTP/1.1 server with keep-alive to many clients, one
 * poll loop, one thread, each whole request (Content-Length framing,
 * Expect: 100-continue answered) handed to the endpoint's answer function.
 * A header of static functions, since each endpoint is one file that a
 * benchmark builds with cc; not part of libuktv.
 *
 *   static int answer(int fd, const char *head, size_t hlen,
 *       const char *body, size_t blen) { ... nullserve_write_all(fd, ...) }
 *   if (nullserve_run("null-x", portfile, 64, answer) != 0) return 1;
 *   ... SIGTERM or SIGINT ended the loop: print the stats line ...
 */
#ifndef NULLSERVE_H
#define NULLSERVE_H

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

/* One whole request: the head (request line and headers, with the blank
 * line) and the body.  -1 closes the connection. */
typedef int (*nullserve_answer)(int fd, const char *head, size_t hlen,
    const char *body, size_t blen);

struct nullserve_conn {
	int	 fd;
	char	*buf;
	size_t	 len;
	size_t	 cap;
};

static volatile sig_atomic_t nullserve_done;

static void
nullserve_on_signal(int sig)
{
	(void)sig;
	nullserve_done = 1;
}

/* The process's CPU seconds (user + system), for the stats line. */
static __attribute__((unused)) double
nullserve_cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int
nullserve_write_all(int fd, const char *p, size_t n)
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

/* Answers every whole request in c->buf; -1 when the connection is to go. */
static int
nullserve_serve(struct nullserve_conn *c, nullserve_answer answer)
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
				if (nullserve_write_all(c->fd,
				    "HTTP/1.1 100 Continue\r\n\r\n", 25) == -1)
					return -1;
			}
		}
		total = hlen + clen;
		if (c->len < total)
			return 0;
		if (answer(c->fd, c->buf, hlen, c->buf + hlen, clen) == -1)
			return -1;
		memmove(c->buf, c->buf + total, c->len - total);
		c->len -= total;
	}
}

/* A listening socket on 127.0.0.1, a free port, written to portfile. */
static int
nullserve_listen(const char *name, const char *portfile)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	FILE *pf;
	int lfd, one = 1;

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(lfd, 64) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &sl) == -1) {
		perror(name);
		return -1;
	}
	if ((pf = fopen(portfile, "w")) == NULL) {
		perror(portfile);
		return -1;
	}
	fprintf(pf, "%d\n", ntohs(sa.sin_port));
	fclose(pf);
	return lfd;
}

/*
 * Serves up to max_conn clients at once until SIGTERM or SIGINT: 0 then,
 * 1 when it could not listen or ran out of memory.
 */
static int
nullserve_run(const char *name, const char *portfile, int max_conn,
    nullserve_answer answer)
{
	struct pollfd *pfd = calloc((size_t)max_conn + 1, sizeof(*pfd));
	struct nullserve_conn *conns = calloc((size_t)max_conn, sizeof(*conns));
	struct sigaction sig;
	int lfd, one = 1, nconn = 0;

	if (pfd == NULL || conns == NULL)
		return 1;
	memset(&sig, 0, sizeof(sig));
	sig.sa_handler = nullserve_on_signal;
	sigaction(SIGTERM, &sig, NULL);
	sigaction(SIGINT, &sig, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((lfd = nullserve_listen(name, portfile)) == -1)
		return 1;
	while (!nullserve_done) {
		pfd[0].fd = lfd;
		pfd[0].events = POLLIN;
		for (int i = 0; i < nconn; i++) {
			pfd[i + 1].fd = conns[i].fd;
			pfd[i + 1].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)nconn + 1, -1) == -1)
			continue;
		if ((pfd[0].revents & POLLIN) && nconn < max_conn) {
			int fd = accept(lfd, NULL, NULL);

			if (fd != -1) {
				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
				    sizeof(one));
				conns[nconn].fd = fd;
				conns[nconn].len = 0;
				conns[nconn].cap = 1 << 16;
				if ((conns[nconn].buf = malloc(conns[nconn].cap))
				    == NULL)
					return 1;
				pfd[nconn + 1].revents = 0;
				nconn++;
			}
		}
		for (int i = 0; i < nconn; i++) {
			struct nullserve_conn *c = &conns[i];
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
				if (nullserve_serve(c, answer) == 0)
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
	return 0;
}

#endif
