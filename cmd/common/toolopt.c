/*
 * toolopt.c: see toolopt.h.  This file is the binaries' side of libuktv: it
 * is the one module allowed to print and exit, because every binary would
 * otherwise repeat these lines.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "awsjson.h"
#include "ndjson.h"
#include "guidetable.h"
#include "toolopt.h"
#include "parse.h"
#include "log.h"

#ifndef UKTV_VERSION
#define UKTV_VERSION "0.0.0"
#endif

/* The options of the one tool this process is (uktv_usage). */
static const struct uktv_toolopt *this_tool;

void
uktv_toolopt_init(struct uktv_toolopt *to, const char *prog)
{
	memset(to, 0, sizeof(*to));
	to->prog = prog;
	this_tool = to;
	/* Killed by SIGPIPE, a tool cannot checkpoint what it did write, nor
	 * finish a site whose log nobody reads: it gets EPIPE instead. */
	signal(SIGPIPE, SIG_IGN);
}

/* The tool's log, for the messages said here: one line, escaped, as every
 * other message of the tool. */
static struct uktv_log *
tolog(const struct uktv_toolopt *to, struct uktv_log *lg)
{
	uktv_log_init(lg, to->prog, to->verbosity);
	return lg;
}

int
uktv_toolopt_pipe_closed(int errnum)
{
	return errnum == EPIPE;
}

void
uktv_toolopt_stdout_failed(const struct uktv_toolopt *to, int errnum)
{
	struct uktv_log lg;

	if (uktv_toolopt_pipe_closed(errnum))
		exit(UKTV_EXIT_PIPE);
	uktv_log_fatal_errno(tolog(to, &lg), EX_IOERR, errnum, "stdout");
}

void
uktv_toolopt_write_json(const struct uktv_toolopt *to, struct json_object *o)
{
	int e;

	if (uktv_ndjson_write(stdout, o) == -1) {
		e = errno;
		json_object_put(o);
		uktv_toolopt_stdout_failed(to, e);
	}
	json_object_put(o);
}

/* Decimal seconds ("5", "0.5") to milliseconds, 1 ms .. 1 day. */
static int
parse_seconds(const char *s, long *ms)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0')
		return -1;
	v = strtod(s, &end);
	if (*end != '\0' || !(v > 0) || v > 86400)
		return -1;
	*ms = (long)(v * 1000 + 0.5);
	if (*ms < 1)
		*ms = 1;
	return 0;
}

enum uktv_toolopt_result
uktv_toolopt_handle(struct uktv_toolopt *to, int ch, const char *arg)
{
	switch (ch) {
	case UKTV_OPT_PROFILE:
		to->aws.profile = arg;
		return UKTV_TOOLOPT_HANDLED;
	case UKTV_OPT_REGION:
		to->aws.region = arg;
		return UKTV_TOOLOPT_HANDLED;
	case UKTV_OPT_ENDPOINT_URL:
		if (strncmp(arg, "http://", 7) != 0 &&
		    strncmp(arg, "https://", 8) != 0) {
			snprintf(to->why, sizeof(to->why),
			    "--endpoint-url must start with http:// or https://");
			return UKTV_TOOLOPT_BAD;
		}
		to->aws.endpoint_url = arg;
		return UKTV_TOOLOPT_HANDLED;
	case UKTV_OPT_CONNECT_TIMEOUT:
	case UKTV_OPT_READ_TIMEOUT:
	case UKTV_OPT_ATTEMPT_TIMEOUT:
		if (parse_seconds(arg, ch == UKTV_OPT_CONNECT_TIMEOUT ?
		    &to->aws.connect_timeout_ms : ch == UKTV_OPT_READ_TIMEOUT ?
		    &to->aws.read_timeout_ms : &to->aws.attempt_timeout_ms) == -1) {
			snprintf(to->why, sizeof(to->why),
			    "--%s takes seconds between 0.001 and 86400, not '%s'",
			    ch == UKTV_OPT_CONNECT_TIMEOUT ? "connect-timeout" :
			    ch == UKTV_OPT_READ_TIMEOUT ? "read-timeout" :
			    "attempt-timeout", arg);
			return UKTV_TOOLOPT_BAD;
		}
		return UKTV_TOOLOPT_HANDLED;
	case UKTV_OPT_CA_BUNDLE:
		to->aws.ca_bundle = arg;
		return UKTV_TOOLOPT_HANDLED;
	case 'v':
		if (to->verbosity >= 0)
			to->verbosity++;
		return UKTV_TOOLOPT_HANDLED;
	case 'q':
		to->verbosity = -1;
		return UKTV_TOOLOPT_HANDLED;
	case 'h':
		return UKTV_TOOLOPT_HELP;
	case 'V':
		return UKTV_TOOLOPT_VERSION;
	default:
		return UKTV_TOOLOPT_NOT_MINE;
	}
}

void
uktv_toolopt_print_version(const char *prog)
{
	const char *slash;

	if ((slash = strrchr(prog, '/')) != NULL && slash[1] != '\0')
		prog = slash + 1;
	printf("%s %s\n", prog, UKTV_VERSION);
}

void
uktv_toolopt_version(const struct uktv_toolopt *to)
{
	uktv_toolopt_print_version(to->prog);
}

static void
trace_stderr(void *arg, const char *line)
{
	const struct uktv_toolopt *to = arg;
	struct uktv_log lg;

	uktv_log_warn(tolog(to, &lg), "%s", line);
}

void
uktv_toolopt_die(const struct uktv_toolopt *to, const struct uktv_error *e)
{
	struct uktv_log lg;

	uktv_log_die(tolog(to, &lg), e);
}

volatile sig_atomic_t uktv_stop_signal;

static void
on_stop(int sig)
{
	uktv_stop_signal = sig;
}

void
uktv_toolopt_catch_stop(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

long
uktv_toolopt_seconds(const struct uktv_toolopt *to, const char *name,
    const char *arg, long min_ms)
{
	char why[160];
	long ms;

	if (uktv_parse_seconds(arg, &ms) == -1 || ms < min_ms) {
		snprintf(why, sizeof(why), "%s takes seconds (at least %ld ms), "
		    "not '%s'", name, min_ms, arg);
		uktv_toolopt_usage(to, why);
	}
	return ms;
}

long long
uktv_toolopt_count(const struct uktv_toolopt *to, const char *name,
    const char *arg, long long min, long long max)
{
	char why[160];
	long long n;

	if (uktv_parse_uint(arg, min, max, &n) == -1) {
		snprintf(why, sizeof(why), "%s takes a number from %lld to %lld, "
		    "not '%.32s'", name, min, max, arg);
		uktv_toolopt_usage(to, why);
	}
	return n;
}

/* sd_listen_fds(3)'s first descriptor. */
#define LISTEN_FDS_START	3

int
uktv_toolopt_listen_fd(int *n)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	long long p, count;

	*n = 0;
	if (pid == NULL || fds == NULL ||
	    uktv_parse_uint(pid, 1, INT32_MAX, &p) == -1 || p != getpid())
		return -1;
	if (uktv_parse_uint(fds, 0, 1024, &count) == -1)
		count = 0;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	*n = (int)count;
	return count > 0 ? LISTEN_FDS_START : -1;
}

struct uktv_aws *
uktv_toolopt_aws(struct uktv_toolopt *to)
{
	struct uktv_error e;
	struct uktv_aws *aws;

	uktv_error_clear(&e);
	if (to->verbosity >= 2) {
		to->aws.trace = trace_stderr;
		to->aws.trace_arg = to;
	}
	if ((aws = uktv_aws_new(&to->aws, &e)) == NULL)
		uktv_toolopt_die(to, &e);
	return aws;
}

/* A usage error is one line and the synopsis: the whole help (up to 52
 * lines) would push the line that matters off the screen. */
void
uktv_toolopt_usage(const struct uktv_toolopt *to, const char *why)
{
	struct uktv_log lg;

	if (why != NULL)
		uktv_log_warn(tolog(to, &lg), "%s", why);
	if (to->synopsis != NULL)
		fputs(to->synopsis, stderr);
	else if (to->usage != NULL)
		to->usage(stderr);
	exit(2);
}

int
uktv_toolopt_getopt(struct uktv_toolopt *to, int ch, const char *arg)
{
	switch (uktv_toolopt_handle(to, ch, arg)) {
	case UKTV_TOOLOPT_HANDLED:
		return 1;
	case UKTV_TOOLOPT_HELP:
		if (to->usage != NULL)
			to->usage(stdout);
		exit(0);
	case UKTV_TOOLOPT_VERSION:
		uktv_toolopt_version(to);
		exit(0);
	case UKTV_TOOLOPT_BAD:
		uktv_toolopt_usage(to, to->why);
	case UKTV_TOOLOPT_NOT_MINE:
		break;
	}
	return 0;
}

void
uktv_usage(const char *why)
{
	uktv_toolopt_usage(this_tool, why);
}

const char *
uktv_toolopt_value(const struct uktv_toolopt *to, const char *arg,
    const char *why)
{
	if (*arg == '\0')
		uktv_toolopt_usage(to, why);
	return arg;
}

const char *
uktv_toolopt_table(struct uktv_toolopt *to, const char *opt)
{
	struct uktv_error e;

	uktv_error_clear(&e);
	if (uktv_guidetable_resolve(opt, getenv(UKTV_GUIDETABLE_ENV),
	    &to->table, &to->table_from, &e) == -1)
		uktv_toolopt_usage(to, e.message);
	return to->table;
}

void
uktv_toolopt_need_table(const struct uktv_toolopt *to, struct uktv_aws *aws)
{
	struct json_object *req, *resp = NULL;
	struct uktv_log lg;
	struct uktv_error e;
	const char *region;
	int rc;

	uktv_error_clear(&e);
	/* Region first: its message is the clearer one when both are wrong. */
	if ((region = uktv_aws_region(aws, &e)) == NULL)
		uktv_toolopt_die(to, &e);
	if ((req = json_object_new_object()) == NULL ||
	    json_object_object_add(req, "TableName",
	    json_object_new_string(to->table)) == -1) {
		uktv_error_set(&e, UKTV_ERR_INTERNAL, "out of memory");
		uktv_toolopt_die(to, &e);
	}
	rc = uktv_awsjson_call(aws, &uktv_svc_dynamodb, "DescribeTable", req,
	    &resp, &e);
	json_object_put(req);
	json_object_put(resp);
	if (rc == 0)
		return;
	if (strcmp(e.code, "ResourceNotFoundException") == 0) {
		uktv_log_fatal(tolog(to, &lg), EX_CONFIG, "no table %s in %s "
		    "(the name is %s%s): create it, or name the table with -t "
		    "or %s", to->table, region, strcmp(to->table_from, UKTV_GUIDETABLE_FROM_DEFAULT) == 0 ?
		    "" : "from ", to->table_from, UKTV_GUIDETABLE_ENV);
	}
	uktv_toolopt_die(to, &e);
}
