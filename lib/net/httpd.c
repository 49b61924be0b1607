/*
 * httpd.c: the HTTP server on GNU libmicrohttpd (see httpd.h).
 *
 * libmicrohttpd owns the sockets, the parsing and the workers; this file
 * adds what uktv-api needs on top and 0.9.75 lacks: the whole body in one
 * piece under a bound, a context per worker thread, the total deadline per
 * request (the watchdog), and the drain.  One mutex guards the connection
 * list, the in-flight count and the flags; the workers hold it only to link,
 * unlink or count.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <netinet/in.h>

#include <microhttpd.h>

#include "httpd.h"
#include "time.h"

/* One per connection (libmicrohttpd's socket context): what the watchdog
 * needs. */
struct conn {
	struct conn	*prev, *next;
	int		 fd;
	long long	 start_ms;	/* connection start, or the end of its
					 * previous request */
	int		 cut;		/* the watchdog shut it down */
};

/* One per request (libmicrohttpd's con_cls). */
struct req {
	struct conn	*c;
	char		*path;
	char		 method[16];
	char		 client[64];
	char		*body;
	size_t		 len;
	int		 too_large;
	int		 status;	/* queued; 0: none yet */
	size_t		 bytes;
	char		 user[UKTV_HTTPD_USER_MAX + 1];
	long long	 start_ms;
};

/* A worker's context, kept in a list so that all are freed after the
 * workers have stopped (a thread-specific destructor would run in the
 * worker, while libmicrohttpd is still tearing down). */
struct tctx {
	struct tctx	*next;
	void		*ctx;
};

struct uktv_httpd {
	struct uktv_httpd_opts	 o;
	struct MHD_Daemon	*d;
	int			 fd;		/* the listening socket */
	int			 inherited;	/* fd came from opts->listen_fd */
	int			 port;
	pthread_mutex_t		 mu;
	pthread_cond_t		 wd_cv;		/* wakes the watchdog */
	pthread_cond_t		 done_cv;	/* a request finished */
	struct conn		*conns;
	unsigned		 in_flight;
	int			 draining, stopping;
	pthread_t		 wd;
	int			 wd_started;
	pthread_key_t		 key;
	struct tctx		*ctxs;		/* under mu */
};

static void
conn_link(struct uktv_httpd *h, struct conn *c)
{
	c->prev = NULL;
	c->next = h->conns;
	if (h->conns != NULL)
		h->conns->prev = c;
	h->conns = c;
}

static void
conn_unlink(struct uktv_httpd *h, struct conn *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		h->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
}

/*
 * libmicrohttpd calls this with STARTED before the connection's first byte
 * is read and with CLOSED before it closes the descriptor, so an entry on
 * the list always names a descriptor that is still this connection's: the
 * watchdog can never shut down a number the kernel has handed out again.
 */
static void
on_connection(void *cls, struct MHD_Connection *mc, void **socket_context,
    enum MHD_ConnectionNotificationCode code)
{
	struct uktv_httpd *h = cls;
	const union MHD_ConnectionInfo *ci;
	struct conn *c;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
		if (ci == NULL || (c = calloc(1, sizeof(*c))) == NULL)
			return;
		c->fd = ci->connect_fd;
		c->start_ms = uktv_time_mono_ms();
		pthread_mutex_lock(&h->mu);
		conn_link(h, c);
		pthread_mutex_unlock(&h->mu);
		*socket_context = c;
		return;
	}
	if ((c = *socket_context) == NULL)
		return;
	pthread_mutex_lock(&h->mu);
	conn_unlink(h, c);
	pthread_mutex_unlock(&h->mu);
	free(c);
	*socket_context = NULL;
}

/* Sleeps on wd_cv until ms on the monotonic clock (the condition variable
 * was made for it), or until woken. */
static void
wait_until_ms(pthread_cond_t *cv, pthread_mutex_t *mu, long long ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	pthread_cond_timedwait(cv, mu, &ts);
}

/*
 * The deadline: libmicrohttpd 0.9.75 times out idle connections only.  A
 * connection older than request_timeout_ms (since it started or since its
 * last request ended) is shut down; libmicrohttpd reads the end of the
 * stream and closes it on its own thread, as for a client that went away.
 */
static void *
watchdog(void *arg)
{
	struct uktv_httpd *h = arg;
	long long now, next, t = h->o.request_timeout_ms;
	struct conn *c;

	pthread_mutex_lock(&h->mu);
	while (!h->stopping) {
		now = uktv_time_mono_ms();
		next = now + t;
		for (c = h->conns; c != NULL; c = c->next) {
			if (c->cut)
				continue;
			if (now - c->start_ms >= t) {
				shutdown(c->fd, SHUT_RDWR);
				c->cut = 1;
			} else if (c->start_ms + t < next)
				next = c->start_ms + t;
		}
		/* A few ms late is fine; a busy loop on a deadline that is
		 * due now is not. */
		if (next < now + 10)
			next = now + 10;
		wait_until_ms(&h->wd_cv, &h->mu, next);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

/* The worker's context, made on its first request. */
static int
thread_ctx(struct uktv_httpd *h, void **ctx)
{
	struct tctx *t;

	*ctx = NULL;
	if (h->o.thread_new == NULL)
		return 0;
	if ((t = pthread_getspecific(h->key)) != NULL) {
		*ctx = t->ctx;
		return 0;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return -1;
	if ((t->ctx = h->o.thread_new(h->o.arg)) == NULL ||
	    pthread_setspecific(h->key, t) != 0) {
		if (t->ctx != NULL && h->o.thread_free != NULL)
			h->o.thread_free(h->o.arg, t->ctx);
		free(t);
		return -1;
	}
	pthread_mutex_lock(&h->mu);
	t->next = h->ctxs;
	h->ctxs = t;
	pthread_mutex_unlock(&h->mu);
	*ctx = t->ctx;
	return 0;
}

/* Queues status with body (taken: freed by libmicrohttpd, or here). */
static enum MHD_Result
queue(struct uktv_httpd *h, struct req *r, struct MHD_Connection *mc,
    int status, char *body, size_t len)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	int draining;
	size_t i;

	resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	for (i = 0; i < h->o.nheaders; i++)
		MHD_add_response_header(resp, h->o.headers[i].name,
		    h->o.headers[i].value);
	pthread_mutex_lock(&h->mu);
	draining = h->draining;
	pthread_mutex_unlock(&h->mu);
	/* A client that keeps its connection would find it closed under it
	 * once the drain stops the workers: tell it now. */
	if (draining)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	ret = MHD_queue_response(mc, (unsigned)status, resp);
	MHD_destroy_response(resp);
	if (ret == MHD_YES) {
		r->status = status;
		r->bytes = len;
	}
	return ret;
}

static enum MHD_Result
queue_text(struct uktv_httpd *h, struct req *r, struct MHD_Connection *mc,
    int status, const char *text)
{
	char *body;

	if (text == NULL)
		text = "";
	if ((body = strdup(text)) == NULL)
		return MHD_NO;
	return queue(h, r, mc, status, body, strlen(body));
}

static void
client_text(struct MHD_Connection *mc, char *out, size_t outsz)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;
	socklen_t len;

	strlcpy(out, "-", outsz);
	ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return;
	len = sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
	if (getnameinfo(sa, len, out, (socklen_t)outsz, NULL, 0,
	    NI_NUMERICHOST) != 0)
		strlcpy(out, "-", outsz);
}

/* The request's first call: its head is whole. */
static struct req *
req_new(struct uktv_httpd *h, struct MHD_Connection *mc, const char *url,
    const char *method)
{
	const union MHD_ConnectionInfo *ci;
	struct req *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	if ((r->path = strdup(url)) == NULL) {
		free(r);
		return NULL;
	}
	strlcpy(r->method, method, sizeof(r->method));
	client_text(mc, r->client, sizeof(r->client));
	r->start_ms = uktv_time_mono_ms();
	ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	r->c = ci != NULL ? ci->socket_context : NULL;
	pthread_mutex_lock(&h->mu);
	h->in_flight++;
	pthread_mutex_unlock(&h->mu);
	return r;
}

/* A declared length over the bound is answered before the body is read. */
static int
declared_too_large(struct uktv_httpd *h, struct MHD_Connection *mc)
{
	const char *cl;
	unsigned long long n;
	char *end;

	cl = MHD_lookup_connection_value(mc, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl == NULL)
		return 0;
	errno = 0;
	n = strtoull(cl, &end, 10);
	return end != cl && (errno == ERANGE || n > h->o.body_limit);
}

/* One piece of the body; past the bound the rest is read and dropped, and
 * the answer is 413 (a chunked body has no length to refuse up front). */
static int
body_add(struct uktv_httpd *h, struct req *r, const char *data, size_t n)
{
	char *p;

	if (r->too_large)
		return 0;
	if (n > h->o.body_limit - r->len) {
		r->too_large = 1;
		free(r->body);
		r->body = NULL;
		r->len = 0;
		return 0;
	}
	if ((p = realloc(r->body, r->len + n + 1)) == NULL)
		return -1;
	memcpy(p + r->len, data, n);
	r->len += n;
	p[r->len] = '\0';
	r->body = p;
	return 0;
}

static enum MHD_Result
answer(struct uktv_httpd *h, struct req *r, struct MHD_Connection *mc)
{
	struct uktv_httpd_request rq;
	struct uktv_httpd_answer a;

	memset(&rq, 0, sizeof(rq));
	memset(&a, 0, sizeof(a));
	rq.method = r->method;
	rq.path = r->path;
	rq.body = r->body != NULL ? r->body : "";
	rq.body_len = r->len;
	rq.client = r->client;
	rq.conn_ = mc;
	if (thread_ctx(h, &rq.thread_ctx) == -1 ||
	    h->o.handler(h->o.arg, &rq, &a) == -1 || a.status < 100 ||
	    a.status > 599) {
		free(a.body);
		return queue_text(h, r, mc, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    h->o.error_body);
	}
	strlcpy(r->user, a.user, sizeof(r->user));
	return queue(h, r, mc, a.status, a.body, a.body != NULL ? a.body_len : 0);
}

/*
 * libmicrohttpd calls this once the head is read (*con_cls NULL), then for
 * each piece of the body, then once more with nothing left (the whole
 * request is in).
 */
static enum MHD_Result
on_request(void *cls, struct MHD_Connection *mc, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct uktv_httpd *h = cls;
	struct req *r = *con_cls;

	(void)version;
	if (r == NULL) {
		if ((r = req_new(h, mc, url, method)) == NULL)
			return MHD_NO;
		*con_cls = r;
		if (declared_too_large(h, mc)) {
			r->too_large = 1;
			return queue_text(h, r, mc, MHD_HTTP_CONTENT_TOO_LARGE,
			    h->o.too_large_body);
		}
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (body_add(h, r, upload, *upload_size) == -1)
			return MHD_NO;
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->status != 0)
		return MHD_YES;
	if (r->too_large)
		return queue_text(h, r, mc, MHD_HTTP_CONTENT_TOO_LARGE,
		    h->o.too_large_body);
	return answer(h, r, mc);
}

static void
on_completed(void *cls, struct MHD_Connection *mc, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct uktv_httpd *h = cls;
	struct uktv_httpd_access a;
	struct req *r = *con_cls;
	long long now = uktv_time_mono_ms();

	(void)mc;
	if (r == NULL)
		return;
	*con_cls = NULL;
	pthread_mutex_lock(&h->mu);
	/* The deadline of the connection's next request starts now. */
	if (r->c != NULL)
		r->c->start_ms = now;
	h->in_flight--;
	pthread_cond_broadcast(&h->done_cv);
	pthread_mutex_unlock(&h->mu);
	if (h->o.access_log != NULL) {
		memset(&a, 0, sizeof(a));
		a.method = r->method;
		a.path = r->path;
		a.client = r->client;
		a.user = r->user[0] != '\0' ? r->user : "-";
		a.status = toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ?
		    r->status : 0;
		a.bytes = a.status != 0 ? r->bytes : 0;
		a.ms = now - r->start_ms;
		h->o.access_log(h->o.arg, &a);
	}
	free(r->body);
	free(r->path);
	free(r);
}

/* "ADDR:PORT" or "[ADDR]:PORT" into a bound, listening socket. */
static int
listen_on(const char *spec, struct uktv_error *err)
{
	struct addrinfo hints, *ai = NULL;
	char host[256], *port;
	int fd, on = 1, rc;

	if (strlcpy(host, spec, sizeof(host)) >= sizeof(host) ||
	    (port = strrchr(host, ':')) == NULL || port[1] == '\0')
		return uktv_error_set(err, UKTV_ERR_USAGE,
		    "bad listen address '%.64s': give ADDR:PORT", spec);
	*port++ = '\0';
	if (host[0] == '[' && port - host >= 3 && port[-2] == ']') {
		port[-2] = '\0';
		memmove(host, host + 1, strlen(host));
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(host[0] != '\0' ? host : NULL, port, &hints,
	    &ai)) != 0)
		return uktv_error_set(err, UKTV_ERR_USAGE,
		    "bad listen address '%.64s': %s", spec, gai_strerror(rc));
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, ai->ai_protocol);
	if (fd != -1 && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
	    sizeof(on)) == -1 || bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
	    listen(fd, SOMAXCONN) == -1)) {
		rc = errno;
		close(fd);
		fd = -1;
		errno = rc;
	}
	freeaddrinfo(ai);
	if (fd == -1)
		return uktv_error_set(err, UKTV_ERR_UNAVAILABLE,
		    "cannot listen on %.64s: %s", spec, strerror(errno));
	return fd;
}

/* An inherited socket must be a listening stream socket (systemd's). */
static int
take_fd(int fd, struct uktv_error *err)
{
	int on = 0, type = 0, fl;
	socklen_t len = sizeof(on), tlen = sizeof(type);

	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == -1 ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) == -1 || !on ||
	    type != SOCK_STREAM)
		return uktv_error_set(err, UKTV_ERR_CONFIG,
		    "descriptor %d is not a listening stream socket", fd);
	/* Several workers accept on it: none may block there. */
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		return uktv_error_set(err, UKTV_ERR_CONFIG,
		    "descriptor %d: %s", fd, strerror(errno));
	return fd;
}

static int
bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return 0;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return 0;
}

static void
defaults(struct uktv_httpd_opts *o)
{
	if (o->threads == 0)
		o->threads = UKTV_HTTPD_THREADS;
	if (o->max_connections == 0)
		o->max_connections = UKTV_HTTPD_MAX_CONNECTIONS;
	if (o->max_per_client == 0)
		o->max_per_client = UKTV_HTTPD_MAX_PER_CLIENT;
	if (o->header_limit == 0)
		o->header_limit = UKTV_HTTPD_HEADER_LIMIT;
	if (o->body_limit == 0)
		o->body_limit = UKTV_HTTPD_BODY_LIMIT;
	if (o->idle_timeout_s == 0)
		o->idle_timeout_s = UKTV_HTTPD_IDLE_TIMEOUT_S;
	if (o->request_timeout_ms <= 0)
		o->request_timeout_ms = UKTV_HTTPD_REQUEST_TIMEOUT_MS;
}

/* The mutex, the condition variables (on the monotonic clock: a wall
 * clock step must not stretch a deadline) and the thread key. */
static int
sync_init(struct uktv_httpd *h)
{
	pthread_condattr_t ca;
	int rc = 0;

	if (pthread_mutex_init(&h->mu, NULL) != 0)
		return -1;
	if (pthread_condattr_init(&ca) != 0) {
		pthread_mutex_destroy(&h->mu);
		return -1;
	}
	if (pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&h->wd_cv, &ca) != 0)
		rc = -1;
	else if (pthread_cond_init(&h->done_cv, &ca) != 0) {
		pthread_cond_destroy(&h->wd_cv);
		rc = -1;
	}
	pthread_condattr_destroy(&ca);
	if (rc == 0 && pthread_key_create(&h->key, NULL) != 0) {
		pthread_cond_destroy(&h->done_cv);
		pthread_cond_destroy(&h->wd_cv);
		rc = -1;
	}
	if (rc == -1)
		pthread_mutex_destroy(&h->mu);
	return rc;
}

static struct MHD_Daemon *
daemon_start(struct uktv_httpd *h)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_USE_ITC;

	/* No MHD_USE_ERROR_LOG: the library prints nothing. */
	return MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
	    MHD_OPTION_LISTEN_SOCKET, (MHD_socket)h->fd,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)h->o.threads,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)h->o.max_connections,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)h->o.max_per_client,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)h->o.header_limit,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)h->o.idle_timeout_s,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
	    MHD_OPTION_END);
}

struct uktv_httpd *
uktv_httpd_start(const struct uktv_httpd_opts *opts, struct uktv_error *err)
{
	struct uktv_httpd *h;

	if (opts->handler == NULL) {
		uktv_error_set(err, UKTV_ERR_INTERNAL, "httpd: no handler");
		return NULL;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	h->o = *opts;
	defaults(&h->o);
	h->fd = -1;
	if (sync_init(h) == -1) {
		free(h);
		uktv_error_set(err, UKTV_ERR_INTERNAL, "httpd: cannot set up threads");
		return NULL;
	}
	h->inherited = opts->listen_fd >= 0;
	h->fd = h->inherited ? take_fd(opts->listen_fd, err) :
	    listen_on(opts->listen != NULL ? opts->listen : "127.0.0.1:8080", err);
	if (h->fd == -1) {
		uktv_httpd_free(h);
		return NULL;
	}
	h->port = bound_port(h->fd);
	if (pthread_create(&h->wd, NULL, watchdog, h) != 0) {
		uktv_error_set(err, UKTV_ERR_INTERNAL, "httpd: cannot start the watchdog");
		uktv_httpd_free(h);
		return NULL;
	}
	h->wd_started = 1;
	if ((h->d = daemon_start(h)) == NULL) {
		uktv_error_set(err, UKTV_ERR_UNAVAILABLE,
		    "cannot start the HTTP server on port %d", h->port);
		uktv_httpd_free(h);
		return NULL;
	}
	return h;
}

int
uktv_httpd_port(const struct uktv_httpd *h)
{
	return h->port;
}

unsigned
uktv_httpd_in_flight(struct uktv_httpd *h)
{
	unsigned n;

	pthread_mutex_lock(&h->mu);
	n = h->in_flight;
	pthread_mutex_unlock(&h->mu);
	return n;
}

const char *
uktv_httpd_request_header(const struct uktv_httpd_request *rq,
    const char *name)
{
	if (rq == NULL || rq->conn_ == NULL)
		return NULL;
	return MHD_lookup_connection_value(rq->conn_, MHD_HEADER_KIND, name);
}

/* Stops the workers (libmicrohttpd closes every connection and reports
 * each request), then the watchdog. */
static void
stop(struct uktv_httpd *h)
{
	if (h->d != NULL) {
		MHD_stop_daemon(h->d);
		h->d = NULL;
	}
	if (h->wd_started) {
		pthread_mutex_lock(&h->mu);
		h->stopping = 1;
		pthread_cond_signal(&h->wd_cv);
		pthread_mutex_unlock(&h->mu);
		pthread_join(h->wd, NULL);
		h->wd_started = 0;
	}
}

unsigned
uktv_httpd_drain(struct uktv_httpd *h, long timeout_ms)
{
	long long end = uktv_time_mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	unsigned left;

	pthread_mutex_lock(&h->mu);
	h->draining = 1;
	pthread_mutex_unlock(&h->mu);
	/*
	 * Quiesced, the workers no longer accept.  Our own socket is shut
	 * down too, so that a new client is refused rather than left in the
	 * backlog until the close; systemd's is left as it is: systemd keeps
	 * it and queues clients for the next start (closed after the stop,
	 * as libmicrohttpd asks).
	 */
	if (h->d != NULL && MHD_quiesce_daemon(h->d) != MHD_INVALID_SOCKET &&
	    !h->inherited)
		shutdown(h->fd, SHUT_RDWR);
	pthread_mutex_lock(&h->mu);
	while (h->in_flight > 0 && uktv_time_mono_ms() < end)
		wait_until_ms(&h->done_cv, &h->mu, end);
	left = h->in_flight;
	pthread_mutex_unlock(&h->mu);
	stop(h);
	return left;
}

void
uktv_httpd_free(struct uktv_httpd *h)
{
	struct tctx *t;

	if (h == NULL)
		return;
	stop(h);
	while ((t = h->ctxs) != NULL) {
		h->ctxs = t->next;
		if (h->o.thread_free != NULL)
			h->o.thread_free(h->o.arg, t->ctx);
		free(t);
	}
	if (h->fd != -1)
		close(h->fd);
	pthread_key_delete(h->key);
	pthread_cond_destroy(&h->done_cv);
	pthread_cond_destroy(&h->wd_cv);
	pthread_mutex_destroy(&h->mu);
	free(h);
}
