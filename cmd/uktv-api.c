/*
 * uktv-api: the original app's web API over HTTP/1.1 for viewers signed in
 * with Amazon Cognito (see uktv-api(1)): lib/net/httpd serves,
 * lib/aws/cognito checks the token, lib/guide/webapi answers; this file
 * wires them together, adds the CORS headers and logs each request.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cognito.h"
#include "httpd.h"
#include "log.h"
#include "parse.h"
#include "toolopt.h"
#include "webapi.h"

#define PROG		"uktv-api"
#define MAX_CLIENT_IDS	16

enum {
	OPT_USER_POOL = UKTV_OPT_FIRST_FREE,
	OPT_CLIENT_ID,
	OPT_LISTEN,
	OPT_CORS_ORIGIN,
	OPT_REQUEST_TIMEOUT,
	OPT_IDLE_TIMEOUT,
	OPT_THREADS,
	OPT_MAX_CONNECTIONS,
	OPT_MAX_PER_CLIENT
};

static struct uktv_toolopt to;
static struct uktv_log lg;

/* uktv-api(1)'s SYNOPSIS: what a usage error prints. */
#define SYNOPSIS \
	"usage: uktv-api [options] --user-pool POOL_ID --client-id ID [--client-id ID ...]\n" \
	"                [--listen ADDR:PORT] [--cors-origin ORIGIN]\n"

static void
usage_text(FILE *fp)
{
	fprintf(fp,
	    SYNOPSIS
	    "options:\n"
	    "  -t, --table TABLE       the table (else UKTV_TABLE, else UKTVProgrammes)\n"
	    "  --user-pool POOL_ID     the Cognito user pool whose ID tokens sign users in\n"
	    "  --client-id ID          an app client allowed as audience (repeatable)\n"
	    "  --listen ADDR:PORT      where to listen (default 127.0.0.1:8080)\n"
	    "  --cors-origin ORIGIN    Access-Control-Allow-Origin (default *)\n"
	    "  --request-timeout SEC   longest one request may take, idle or not (default 30)\n"
	    "  --idle-timeout SEC      close a connection silent this long (default 15)\n"
	    "  --threads N             worker threads (default 4)\n"
	    "  --max-connections N     connections in all (default 512)\n"
	    "  --max-connections-per-client N  from one address (default 128)\n"
	    UKTV_TOOLOPT_USAGE);
}

/* The options, as parse_args leaves them; srv's bounds are the options'
 * (0: httpd's defaults). */
struct args {
	const char		*table_opt, *pool;
	const char		*client_ids[MAX_CLIENT_IDS];
	size_t			 nclient_ids;
	int			 listen_given;
	struct uktv_httpd_opts	 srv;
};

/* On every answer, the server's own 413 and 500 too; [0] is --cors-origin. */
static struct uktv_header headers[] = {
	{ "Access-Control-Allow-Origin", "*" },
	{ "Access-Control-Allow-Headers", "Content-Type,Authorization" },
	{ "Access-Control-Allow-Methods", "GET,POST,PUT,DELETE,OPTIONS" },
	{ "Content-Type", "application/json" },
};

/* What every worker reads; nothing in it changes once serving. */
struct service {
	struct uktv_cognito	*cognito;
	const char		*table;
};

/* One per worker thread: a client holds one curl handle. */
struct worker {
	struct uktv_aws		*aws;
	struct uktv_webapi	 api;
};

static void
option(struct args *a, int ch, const char *arg)
{
	switch (ch) {
	case 't':
		a->table_opt = arg;
		break;
	case OPT_USER_POOL:
		a->pool = arg;
		break;
	case OPT_CLIENT_ID:
		if (a->nclient_ids == MAX_CLIENT_IDS)
			uktv_usage("--client-id: at most 16 app clients");
		a->client_ids[a->nclient_ids++] = arg;
		break;
	case OPT_LISTEN:
		a->srv.listen = arg;
		a->listen_given = 1;
		break;
	case OPT_CORS_ORIGIN:
		headers[0].value = (char *)arg;
		break;
	case OPT_REQUEST_TIMEOUT:
		a->srv.request_timeout_ms = uktv_toolopt_seconds(&to,
		    "--request-timeout", arg, 100);
		break;
	case OPT_IDLE_TIMEOUT:
		a->srv.idle_timeout_s = (unsigned)uktv_toolopt_count(&to,
		    "--idle-timeout", arg, 1, 86400);
		break;
	case OPT_THREADS:
		a->srv.threads = (unsigned)uktv_toolopt_count(&to, "--threads",
		    arg, 1, 64);
		break;
	case OPT_MAX_CONNECTIONS:
		a->srv.max_connections = (unsigned)uktv_toolopt_count(&to,
		    "--max-connections", arg, 1, 65536);
		break;
	case OPT_MAX_PER_CLIENT:
		a->srv.max_per_client = (unsigned)uktv_toolopt_count(&to,
		    "--max-connections-per-client", arg, 1, 65536);
		break;
	}
}

static void
check_args(struct args *a, int argc)
{
	const char *p;

	if (argc > 0)
		uktv_usage("uktv-api takes no operand");
	if (a->pool == NULL)
		uktv_usage("give the Cognito user pool: --user-pool POOL_ID");
	if (a->nclient_ids == 0)
		uktv_usage("give the app client(s) allowed to sign in: "
		    "--client-id ID");
	/* A header value: one line of printable text, or the answer could
	 * be made to say anything. */
	for (p = headers[0].value; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			uktv_usage("--cors-origin: a control character");
	if (*headers[0].value == '\0')
		uktv_usage("--cors-origin: empty");
}

static void
parse_args(int argc, char *argv[], struct args *a)
{
	static struct option longopts[] = {
		UKTV_TOOLOPT_LONGOPTS,
		{ "table",		required_argument, NULL, 't' },
		{ "user-pool",		required_argument, NULL, OPT_USER_POOL },
		{ "client-id",		required_argument, NULL, OPT_CLIENT_ID },
		{ "listen",		required_argument, NULL, OPT_LISTEN },
		{ "cors-origin",	required_argument, NULL, OPT_CORS_ORIGIN },
		{ "request-timeout",	required_argument, NULL, OPT_REQUEST_TIMEOUT },
		{ "idle-timeout",	required_argument, NULL, OPT_IDLE_TIMEOUT },
		{ "threads",		required_argument, NULL, OPT_THREADS },
		{ "max-connections",	required_argument, NULL, OPT_MAX_CONNECTIONS },
		{ "max-connections-per-client", required_argument, NULL,
		    OPT_MAX_PER_CLIENT },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(a, 0, sizeof(*a));
	a->srv.listen = "127.0.0.1:8080";
	uktv_toolopt_init(&to, PROG);
	to.synopsis = SYNOPSIS;
	to.usage = usage_text;
	while ((ch = uktv_toolopt_next(&to, argc, argv, "t:", longopts,
	    NULL)) != -1)
		option(a, ch, optarg);
	uktv_log_init(&lg, PROG, to.verbosity);
	check_args(a, argc - optind);
}

/* A log of its own per call: workers log at once, and a struct uktv_log
 * keeps a little state. */
static struct uktv_log *
wlog(struct uktv_log *l)
{
	uktv_log_init(l, PROG, to.verbosity);
	return l;
}

static void *
worker_new(void *arg)
{
	struct service *sv = arg;
	struct worker *w;
	struct uktv_error e;
	struct uktv_log l;

	uktv_error_clear(&e);
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	if ((w->aws = uktv_aws_new(&to.aws, &e)) == NULL) {
		uktv_log_error(wlog(&l), &e);
		free(w);
		return NULL;
	}
	w->api.aws = w->aws;
	w->api.table = sv->table;
	return w;
}

static void
worker_free(void *arg, void *ctx)
{
	struct worker *w = ctx;

	(void)arg;
	uktv_aws_free(w->aws);
	free(w);
}

/*
 * The sign-in check only where the route needs a user; without a valid
 * token sub stays NULL and webapi answers 401, with one line here saying
 * why.  Keys that could not be fetched are 503: the token may be good.
 */
static int
handle(void *arg, const struct uktv_httpd_request *rq,
    struct uktv_httpd_answer *a)
{
	const struct service *sv = arg;
	const struct worker *w = rq->thread_ctx;
	const char *sub = NULL, *auth;
	struct uktv_cognito_claims cl;
	struct uktv_webapi_answer wa;
	struct uktv_error e;
	struct uktv_log l;

	if (w == NULL)
		return -1;
	uktv_error_clear(&e);
	auth = uktv_httpd_request_header(rq, "Authorization");
	if (!uktv_webapi_needs_user(rq->method, rq->path))
		;
	else if (auth == NULL || *auth == '\0')
		uktv_log_warn(wlog(&l), "401 %s %s: no Authorization header",
		    rq->method, rq->path);
	else if (uktv_cognito_verify(sv->cognito, auth, &cl, &e) == 0)
		sub = cl.sub;
	else if (e.kind == UKTV_ERR_NOPERM)
		uktv_log_warn(wlog(&l), "401 %s %s: %s", rq->method, rq->path,
		    e.message);
	else {
		uktv_log_warn(wlog(&l), "%s %s: %s", rq->method, rq->path,
		    e.message);
		if ((a->body = strdup("{\"error\":\"Sign-in keys unavailable\"}"))
		    == NULL)
			return -1;
		a->status = 503;
		a->body_len = strlen(a->body);
		return 0;
	}
	if (uktv_webapi_handle(&w->api, rq->method, rq->path, sub, rq->body,
	    rq->body_len, &wa) == -1)
		return -1;
	/* webapi's body is malloc'd text: the server frees it. */
	a->status = wa.status;
	a->body = wa.body;
	a->body_len = wa.body != NULL ? strlen(wa.body) : 0;
	if (sub != NULL)
		strlcpy(a->user, sub, sizeof(a->user));
	return 0;
}

/* One line per request; never a header, so never the token. */
static void
access_log(void *arg, const struct uktv_httpd_access *x)
{
	struct uktv_log l;

	(void)arg;
	if (to.verbosity < 0)
		return;
	uktv_log_warn(wlog(&l), "%s %s %d %zu %lldms %s", x->method, x->path,
	    x->status, x->bytes, x->ms, x->user);
}

/*
 * The one mode: serve until SIGTERM or SIGINT, then drain and exit 0 (a
 * service that finished what it was doing has succeeded; the batch tools'
 * 143 is for work left undone).  The signals are blocked before the
 * workers start, so they inherit the mask and only sigsuspend here takes
 * them.
 */
static int
serve(struct args *a, struct service *sv)
{
	struct uktv_httpd_opts *o = &a->srv;
	struct uktv_httpd *h;
	struct uktv_error e;
	sigset_t stop, old;
	unsigned left;
	int n;

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	uktv_toolopt_catch_stop();
	pthread_sigmask(SIG_BLOCK, &stop, &old);
	/* systemd's socket (LISTEN_FDS) first, else --listen. */
	if ((o->listen_fd = uktv_toolopt_listen_fd(&n)) >= 0 &&
	    (n > 1 || a->listen_given))
		uktv_log_warn(&lg, "serving the first of the %d socket(s) systemd "
		    "passed%s", n, a->listen_given ? "; --listen ignored" : "");
	o->headers = headers;
	o->nheaders = sizeof(headers) / sizeof(headers[0]);
	o->too_large_body = "{\"error\":\"Request body too large\"}";
	o->error_body = "{\"error\":\"Internal server error\"}";
	o->handler = handle;
	o->arg = sv;
	o->thread_new = worker_new;
	o->thread_free = worker_free;
	o->access_log = access_log;
	uktv_error_clear(&e);
	if ((h = uktv_httpd_start(o, &e)) == NULL)
		uktv_log_die(&lg, &e);
	uktv_log_info(&lg, "listening on %s (port %d)", o->listen_fd >= 0 ?
	    "systemd's socket" : o->listen, uktv_httpd_port(h));
	sigdelset(&old, SIGINT);
	sigdelset(&old, SIGTERM);
	while (!uktv_stop_signal)
		sigsuspend(&old);
	uktv_log_info(&lg, "%s: draining %u request(s) in flight",
	    uktv_stop_signal == SIGINT ? "SIGINT" : "SIGTERM",
	    uktv_httpd_in_flight(h));
	/* Each request in flight has its deadline: no need to wait longer. */
	if ((left = uktv_httpd_drain(h, o->request_timeout_ms > 0 ?
	    o->request_timeout_ms : UKTV_HTTPD_REQUEST_TIMEOUT_MS)) > 0)
		uktv_log_warn(&lg, "%u request(s) cut at the drain's bound", left);
	uktv_httpd_free(h);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct uktv_cognito_config cc;
	struct service sv;
	struct uktv_error e;
	struct uktv_aws *aws;
	struct args a;
	int rc;

	parse_args(argc, argv, &a);
	memset(&sv, 0, sizeof(sv));
	sv.table = uktv_toolopt_table(&to, a.table_opt);
	aws = uktv_toolopt_aws(&to);
	uktv_toolopt_need_table(&to, aws);
	memset(&cc, 0, sizeof(cc));
	/* No region: the issuer's is the pool id's prefix (eu-west-2_AbC),
	 * whatever region the table is in (cognito.h). */
	cc.pool_id = a.pool;
	cc.client_ids = a.client_ids;
	cc.nclient_ids = a.nclient_ids;
	cc.conf = uktv_aws_conf(aws);
	uktv_error_clear(&e);
	if ((sv.cognito = uktv_cognito_new(&cc, &e)) == NULL) {
		if (e.kind == UKTV_ERR_USAGE)
			uktv_usage(e.message);
		uktv_log_die(&lg, &e);
	}
	rc = serve(&a, &sv);
	uktv_cognito_free(sv.cognito);
	uktv_aws_free(aws);
	return rc;
}
