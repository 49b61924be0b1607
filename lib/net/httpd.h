/*
 * httpd.h: a small HTTP/1.1 server on GNU libmicrohttpd (0.9.75).
 *
 * Owns: the libmicrohttpd daemon, its listening socket (opened here, or
 * inherited and then owned), one context per worker thread, and a watchdog
 * thread.  A request reaches the handler once, whole: method, path (without
 * the query), headers by name, the body (NUL-terminated) and the client's
 * address; the handler fills a status and a body and says who the user was,
 * for the access log.  Nothing is printed: the access-log hook gets one
 * record per request the handler answered.
 *
 * Bounds, each with a default (0 in the options):
 *   - header size: libmicrohttpd's memory per connection; over it the
 *     library answers 431 itself, and the handler never sees the request.
 *   - body size: a body over body_limit is answered 413 (with
 *     too_large_body) without reaching the handler; a Content-Length over
 *     it is answered before the body is read.
 *   - connections in all and per client address: over either, a new
 *     connection is closed at once.
 *   - idle timeout: libmicrohttpd's own, a connection silent that long is
 *     closed.
 *   - a total deadline per request, counted from the connection's start or
 *     from the end of its previous request: libmicrohttpd 0.9.75's timeout
 *     is an idle one only, so a client trickling a byte every half second
 *     would hold a connection (and a slot of its address) for ever.  A
 *     watchdog thread shuts the descriptor down (shutdown(2) on
 *     MHD_CONNECTION_INFO_CONNECTION_FD) when it passes; libmicrohttpd then
 *     sees the end of the stream and closes the connection.
 *
 * Threads: threads workers (MHD_OPTION_THREAD_POOL_SIZE) each serve many
 * connections (epoll); the handler runs on a worker and must be
 * thread-safe.  thread_new is called lazily, on a worker's first request,
 * for a context only that worker uses (uktv-api's: one uktv_aws client,
 * which holds one curl handle); every context is freed with thread_free
 * once the workers have stopped.
 */
#ifndef UKTV_HTTPD_H
#define UKTV_HTTPD_H

#include <stddef.h>

#include "error.h"
#include "http.h"

#define UKTV_HTTPD_THREADS		4
#define UKTV_HTTPD_MAX_CONNECTIONS	512
#define UKTV_HTTPD_MAX_PER_CLIENT	128
#define UKTV_HTTPD_HEADER_LIMIT		(32 * 1024)
#define UKTV_HTTPD_BODY_LIMIT		(16 * 1024)
#define UKTV_HTTPD_IDLE_TIMEOUT_S	15
#define UKTV_HTTPD_REQUEST_TIMEOUT_MS	30000
#define UKTV_HTTPD_USER_MAX		128

struct uktv_httpd_request {
	const char	*method;
	const char	*path;		/* decoded, without "?query" */
	const char	*body;		/* NUL-terminated ("" when none) */
	size_t		 body_len;
	const char	*client;	/* numeric address, "127.0.0.1" */
	void		*thread_ctx;	/* thread_new's answer for this worker */
	void		*conn_;		/* private: the connection */
};

struct uktv_httpd_answer {
	int		 status;
	char		*body;		/* malloc'd by the handler; httpd frees it */
	size_t		 body_len;
	char		 user[UKTV_HTTPD_USER_MAX + 1];	/* for the log; "" */
};

/* One record per request the handler was given (or the server answered
 * 413 for); status 0 when no answer was sent (the deadline passed or the
 * client went away first). */
struct uktv_httpd_access {
	const char	*method;
	const char	*path;
	const char	*client;
	const char	*user;		/* the handler's, or "-" */
	int		 status;
	size_t		 bytes;		/* the answer's body */
	long long	 ms;		/* from the whole header to the end */
};

/*
 * The handler fills out (status, a body it allocated with malloc, the
 * user) and returns 0; -1 (out of memory, or thread_new failed) answers
 * 500 with error_body.
 */
typedef int	(*uktv_httpd_handler)(void *arg,
		    const struct uktv_httpd_request *,
		    struct uktv_httpd_answer *);

struct uktv_httpd_opts {
	const char	*listen;	/* "ADDR:PORT", "[ADDR]:PORT"; port 0:
					 * any (uktv_httpd_port says which) */
	int		 listen_fd;	/* a bound, listening socket to take
					 * over (systemd's), or -1 */
	unsigned	 threads;
	unsigned	 max_connections;
	unsigned	 max_per_client;
	size_t		 header_limit;	/* bytes of libmicrohttpd's memory per
					 * connection: headers and buffers */
	size_t		 body_limit;
	unsigned	 idle_timeout_s;
	long		 request_timeout_ms;
	/* Added to every answer, the server's own 413 and 500 too
	 * (CORS, Content-Type). */
	const struct uktv_header *headers;
	size_t		 nheaders;
	const char	*too_large_body;	/* NULL: "" */
	const char	*error_body;		/* NULL: "" */
	uktv_httpd_handler handler;
	void		*arg;
	void		*(*thread_new)(void *arg);	/* NULL: no context */
	void		 (*thread_free)(void *arg, void *ctx);
	void		 (*access_log)(void *arg, const struct uktv_httpd_access *);
};

struct uktv_httpd;

/* The value of request header name (case-insensitive), or NULL. */
const char *uktv_httpd_request_header(const struct uktv_httpd_request *,
	    const char *name);

/*
 * Listens (opts->listen, or takes opts->listen_fd) and starts the workers
 * and the watchdog.  A bad address, a port in use or a socket that is not
 * listening: NULL with err (UKTV_ERR_USAGE for an address that does not
 * parse, UKTV_ERR_UNAVAILABLE otherwise).  Free with uktv_httpd_free.
 */
struct uktv_httpd *uktv_httpd_start(const struct uktv_httpd_opts *,
	    struct uktv_error *);
/* The port listened on (the one chosen for port 0). */
int	uktv_httpd_port(const struct uktv_httpd *);
/* Requests the handler has been given and not yet finished sending. */
unsigned uktv_httpd_in_flight(struct uktv_httpd *);
/*
 * The drain: stops accepting (the listening socket is closed, so a new
 * client is refused), answers what is in flight (each answer with
 * "Connection: close"), waits up to timeout_ms for those to be sent, then
 * stops the workers; connections that have not sent a whole request head
 * yet are closed.  Returns the number of requests still in flight at the
 * bound (0: all finished).  Safe to call once; uktv_httpd_free after.
 */
unsigned uktv_httpd_drain(struct uktv_httpd *, long timeout_ms);
/* Stops (without waiting) if not drained, frees the contexts.  NULL: no-op. */
void	uktv_httpd_free(struct uktv_httpd *);

#endif
