/* test_httpd.c: the server on a loopback port: a request reaches the
 * handler whole, the body bound (413 before and after reading), the extra
 * headers on every answer, one context per worker, the deadline against a
 * client that trickles, the drain with a request in flight, the listen
 * address grammar and an inherited socket. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>

#include "httpd.h"
#include "time.h"
#include "unit.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int contexts_made, contexts_freed, logged, last_status;
static char last_user[64];

static void *
ctx_new(void *arg)
{
	int *n;

	(void)arg;
	if ((n = malloc(sizeof(*n))) == NULL)
		return NULL;
	pthread_mutex_lock(&mu);
	*n = ++contexts_made;
	pthread_mutex_unlock(&mu);
	return n;
}

static void
ctx_free(void *arg, void *ctx)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	contexts_freed++;
	pthread_mutex_unlock(&mu);
	free(ctx);
}

/* Echoes "METHOD PATH x-test=VALUE body=BODY"; /fail fails. */
static int
handler(void *arg, const struct uktv_httpd_request *rq,
    struct uktv_httpd_answer *a)
{
	const char *x = uktv_httpd_request_header(rq, "X-Test");

	(void)arg;
	if (rq->thread_ctx == NULL || strcmp(rq->path, "/fail") == 0)
		return -1;
	if (asprintf(&a->body, "%s %s x-test=%s body=%s", rq->method, rq->path,
	    x != NULL ? x : "-", rq->body) == -1)
		return -1;
	a->body_len = strlen(a->body);
	a->status = strcmp(rq->path, "/missing") == 0 ? 404 : 200;
	snprintf(a->user, sizeof(a->user), "u%d", *(int *)rq->thread_ctx > 0);
	return 0;
}

static void
access_log(void *arg, const struct uktv_httpd_access *a)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	logged++;
	last_status = a->status;
	snprintf(last_user, sizeof(last_user), "%s", a->user);
	pthread_mutex_unlock(&mu);
}

static const struct uktv_header extra[] = {
	{ "Access-Control-Allow-Origin", "*" },
	{ "Content-Type", "application/json" },
};

static struct uktv_httpd *
start(long timeout_ms, int fd)
{
	struct uktv_httpd_opts o;
	struct uktv_error e;
	struct uktv_httpd *h;

	memset(&o, 0, sizeof(o));
	o.listen = "127.0.0.1:0";
	o.listen_fd = fd;
	o.threads = 2;
	o.request_timeout_ms = timeout_ms;
	o.headers = extra;
	o.nheaders = 2;
	o.too_large_body = "{\"error\":\"too large\"}";
	o.error_body = "{\"error\":\"internal\"}";
	o.handler = handler;
	o.thread_new = ctx_new;
	o.thread_free = ctx_free;
	o.access_log = access_log;
	uktv_error_clear(&e);
	h = uktv_httpd_start(&o, &e);
	if (h == NULL)
		printf("# start: %s\n", e.message);
	return h;
}

static int
dial(int port)
{
	struct sockaddr_in sin;
	int fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Everything the server sends until it closes or ms pass. */
static char *
read_all(int fd, long ms)
{
	static char buf[65536];
	long long end = uktv_time_mono_ms() + ms;
	struct pollfd p = { fd, POLLIN, 0 };
	size_t len = 0;
	ssize_t n;

	buf[0] = '\0';
	while (len < sizeof(buf) - 1 && uktv_time_mono_ms() < end) {
		if (poll(&p, 1, 50) <= 0)
			continue;
		if ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
	}
	return buf;
}

/* One request on a new connection that asks to be closed after it. */
static char *
exchange(int port, const char *req)
{
	int fd = dial(port);
	char *out;

	if (fd == -1)
		return "";
	/* A server that answers before reading it all may close first:
	 * what it said is still there to read. */
	(void)send(fd, req, strlen(req), MSG_NOSIGNAL);
	out = read_all(fd, 5000);
	close(fd);
	return out;
}

static void
test_request_reaches_handler_whole(void)
{
	struct uktv_httpd *h = start(0, -1);
	char *out;

	CHECK(h != NULL);
	if (h == NULL)
		return;
	CHECK(uktv_httpd_port(h) > 0);
	out = exchange(uktv_httpd_port(h), "PUT /preferences?token=x HTTP/1.1\r\n"
	    "Host: a\r\nX-Test: yes\r\nContent-Length: 7\r\nConnection: close\r\n"
	    "\r\n{\"a\":1}");
	CHECK(strncmp(out, "HTTP/1.1 200", 12) == 0);
	CHECK(strstr(out, "Access-Control-Allow-Origin: *\r\n") != NULL);
	CHECK(strstr(out, "Content-Type: application/json\r\n") != NULL);
	CHECK(strstr(out, "\r\n\r\nPUT /preferences x-test=yes body={\"a\":1}") != NULL);
	out = exchange(uktv_httpd_port(h), "GET /missing HTTP/1.1\r\nHost: a\r\n"
	    "Connection: close\r\n\r\n");
	CHECK(strncmp(out, "HTTP/1.1 404", 12) == 0);
	CHECK(strstr(out, "body=") != NULL);
	/* A failing handler: 500 with the error body and the headers. */
	out = exchange(uktv_httpd_port(h), "GET /fail HTTP/1.1\r\nHost: a\r\n"
	    "Connection: close\r\n\r\n");
	CHECK(strncmp(out, "HTTP/1.1 500", 12) == 0);
	CHECK(strstr(out, "Access-Control-Allow-Origin: *\r\n") != NULL);
	CHECK(strstr(out, "{\"error\":\"internal\"}") != NULL);
	uktv_httpd_free(h);
	pthread_mutex_lock(&mu);
	CHECK(contexts_made >= 1 && contexts_made <= 2);
	CHECK_INT(contexts_freed, contexts_made);
	CHECK_INT(last_status, 500);
	pthread_mutex_unlock(&mu);
}

static void
test_body_over_the_bound_is_413(void)
{
	struct uktv_httpd *h = start(0, -1);
	char req[20000], *out, *body;
	int n;

	if (h == NULL) {
		CHECK(h != NULL);
		return;
	}
	/* Declared: answered before the body is read. */
	out = exchange(uktv_httpd_port(h), "PUT /p HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 17408\r\nConnection: close\r\n\r\n");
	CHECK(strncmp(out, "HTTP/1.1 413", 12) == 0);
	CHECK(strstr(out, "{\"error\":\"too large\"}") != NULL);
	CHECK(strstr(out, "Access-Control-Allow-Origin: *\r\n") != NULL);
	/* Chunked: read, dropped, 413 at the end. */
	body = malloc(17000);
	memset(body, 'x', 16999);
	body[16999] = '\0';
	n = snprintf(req, sizeof(req), "PUT /p HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
	    "%x\r\n%s\r\n0\r\n\r\n", 16999, body);
	CHECK(n > 0 && (size_t)n < sizeof(req));
	out = exchange(uktv_httpd_port(h), req);
	CHECK(strncmp(out, "HTTP/1.1 413", 12) == 0);
	/* Exactly the bound is fine. */
	body[16384] = '\0';
	n = snprintf(req, sizeof(req), "PUT /p HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 16384\r\nConnection: close\r\n\r\n%s", body);
	out = exchange(uktv_httpd_port(h), req);
	CHECK(strncmp(out, "HTTP/1.1 200", 12) == 0);
	free(body);
	uktv_httpd_free(h);
}

/* A head over the connection's memory is libmicrohttpd's own answer
 * (431), and the handler never sees it. */
static void
test_head_over_the_bound_is_refused(void)
{
	struct uktv_httpd *h = start(0, -1);
	char *req, *out;
	int before;

	if (h == NULL) {
		CHECK(h != NULL);
		return;
	}
	req = malloc(40 * 1024 + 100);
	strcpy(req, "GET /big HTTP/1.1\r\nHost: a\r\nX-Big: ");
	memset(req + strlen(req), 'x', 40 * 1024);
	strcpy(req + strlen("GET /big HTTP/1.1\r\nHost: a\r\nX-Big: ") + 40 * 1024,
	    "\r\nConnection: close\r\n\r\n");
	pthread_mutex_lock(&mu);
	before = logged;
	pthread_mutex_unlock(&mu);
	out = exchange(uktv_httpd_port(h), req);
	CHECK(strncmp(out, "HTTP/1.1 431", 12) == 0);
	free(req);
	uktv_httpd_free(h);
	pthread_mutex_lock(&mu);
	CHECK_INT(logged, before);
	pthread_mutex_unlock(&mu);
}

/* A client that sends a byte of its head every 100 ms is closed at the
 * deadline (libmicrohttpd's idle timeout alone would never close it); a
 * whole request meanwhile is answered. */
static void
test_deadline_closes_a_trickling_client(void)
{
	struct uktv_httpd *h = start(600, -1);
	const char *head = "GET /slow HTTP/1.1\r\nHost: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
	long long t0;
	size_t i;
	int fd, closed = 0;
	char c, *out;

	if (h == NULL) {
		CHECK(h != NULL);
		return;
	}
	fd = dial(uktv_httpd_port(h));
	CHECK(fd != -1);
	t0 = uktv_time_mono_ms();
	for (i = 0; i < strlen(head) && uktv_time_mono_ms() - t0 < 5000; i++) {
		struct pollfd p = { fd, POLLIN, 0 };

		if (poll(&p, 1, 100) > 0 && read(fd, &c, 1) <= 0) {
			closed = 1;
			break;
		}
		if (i == 2) {
			out = exchange(uktv_httpd_port(h), "GET /ok HTTP/1.1\r\n"
			    "Host: a\r\nConnection: close\r\n\r\n");
			CHECK(strncmp(out, "HTTP/1.1 200", 12) == 0);
		}
		if (send(fd, head + i, 1, MSG_NOSIGNAL) != 1) {
			closed = 1;
			break;
		}
	}
	CHECK(closed);
	close(fd);
	uktv_httpd_free(h);
}

struct drain_arg {
	struct uktv_httpd	*h;
	unsigned		 left;
};

static void *
drain_thread(void *arg)
{
	struct drain_arg *d = arg;

	d->left = uktv_httpd_drain(d->h, 5000);
	return NULL;
}

/* The drain answers the request whose body is still coming, with
 * "Connection: close", and then refuses new clients. */
static void
test_drain_finishes_a_request_in_flight(void)
{
	struct uktv_httpd *h = start(0, -1);
	const char *head = "PUT /p HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nab";
	struct drain_arg d;
	pthread_t t;
	long long t0;
	int fd, port;
	char *out;

	if (h == NULL) {
		CHECK(h != NULL);
		return;
	}
	port = uktv_httpd_port(h);
	fd = dial(port);
	CHECK(fd != -1);
	CHECK(write(fd, head, strlen(head)) == (ssize_t)strlen(head));
	t0 = uktv_time_mono_ms();
	while (uktv_httpd_in_flight(h) == 0 && uktv_time_mono_ms() - t0 < 5000)
		usleep(1000);
	CHECK_INT(uktv_httpd_in_flight(h), 1);
	d.h = h;
	d.left = 99;
	pthread_create(&t, NULL, drain_thread, &d);
	/* New clients are refused once the drain has begun. */
	t0 = uktv_time_mono_ms();
	while (uktv_time_mono_ms() - t0 < 5000) {
		int f2 = dial(port);

		if (f2 == -1)
			break;
		close(f2);
		usleep(1000);
	}
	CHECK(dial(port) == -1);
	CHECK(write(fd, "cd", 2) == 2);
	out = read_all(fd, 5000);
	CHECK(strncmp(out, "HTTP/1.1 200", 12) == 0);
	CHECK(strstr(out, "body=abcd") != NULL);
	CHECK(strstr(out, "Connection: close\r\n") != NULL);
	pthread_join(t, NULL);
	CHECK_INT(d.left, 0);
	close(fd);
	uktv_httpd_free(h);
	pthread_mutex_lock(&mu);
	CHECK_INT(last_status, 200);
	CHECK_STR(last_user, "u1");
	pthread_mutex_unlock(&mu);
}

static void
test_listen_addresses(void)
{
	struct uktv_httpd_opts o;
	struct uktv_error e;
	struct uktv_httpd *h;
	const char *bad[] = { "8080", "127.0.0.1:", "nohost.invalid:80",
	    "127.0.0.1:http" };
	size_t i;

	memset(&o, 0, sizeof(o));
	o.handler = handler;
	o.listen_fd = -1;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uktv_error_clear(&e);
		o.listen = bad[i];
		h = uktv_httpd_start(&o, &e);
		CHECK(h == NULL);
		CHECK_INT(e.kind, UKTV_ERR_USAGE);
		CHECK(strstr(e.message, bad[i]) != NULL);
		uktv_httpd_free(h);
	}
	o.listen = "[::1]:0";
	uktv_error_clear(&e);
	h = uktv_httpd_start(&o, &e);
	/* A machine without IPv6 on loopback says so, and nothing else. */
	CHECK(h != NULL || e.kind == UKTV_ERR_UNAVAILABLE);
	uktv_httpd_free(h);
	/* A socket that is not listening is refused. */
	o.listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	uktv_error_clear(&e);
	CHECK(uktv_httpd_start(&o, &e) == NULL);
	CHECK_INT(e.kind, UKTV_ERR_CONFIG);
	close(o.listen_fd);
}

/* A listening socket handed over (systemd's LISTEN_FDS) is served. */
static void
test_inherited_socket(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct uktv_httpd *h;
	int fd;
	char *out;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	CHECK(listen(fd, 8) == 0);
	CHECK(getsockname(fd, (struct sockaddr *)&sin, &len) == 0);
	if ((h = start(0, fd)) == NULL) {
		CHECK(h != NULL);
		close(fd);
		return;
	}
	CHECK_INT(uktv_httpd_port(h), ntohs(sin.sin_port));
	out = exchange(uktv_httpd_port(h), "GET /s HTTP/1.1\r\nHost: a\r\n"
	    "Connection: close\r\n\r\n");
	CHECK(strncmp(out, "HTTP/1.1 200", 12) == 0);
	uktv_httpd_free(h);
	/* Owned once taken: closed by uktv_httpd_free. */
	CHECK(close(fd) == -1 && errno == EBADF);
}

int
main(void)
{
	RUN(test_request_reaches_handler_whole);
	RUN(test_body_over_the_bound_is_413);
	RUN(test_head_over_the_bound_is_refused);
	RUN(test_deadline_closes_a_trickling_client);
	RUN(test_drain_finishes_a_request_in_flight);
	RUN(test_listen_addresses);
	RUN(test_inherited_socket);
	return UNIT_DONE();
}
