/*
 * toolopt.c: see toolopt.h.  This file is the binaries' side of libuktv: it
 * is the one module allowed to print and exit, because every binary would
 * otherwise repeat these lines.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toolopt.h"

#ifndef UKTV_VERSION
#define UKTV_VERSION "0.0.0"
#endif

void
uktv_toolopt_init(struct uktv_toolopt *to, const char *prog)
{
	memset(to, 0, sizeof(*to));
	to->prog = prog;
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
uktv_toolopt_version(const struct uktv_toolopt *to)
{
	printf("%s %s\n", to->prog, UKTV_VERSION);
}

static void
trace_stderr(void *arg, const char *line)
{
	const struct uktv_toolopt *to = arg;

	fprintf(stderr, "%s: %s\n", to->prog, line);
}

void
uktv_toolopt_die(const struct uktv_toolopt *to, const struct uktv_error *e)
{
	fprintf(stderr, "%s: %s\n", to->prog, e->message);
	exit(uktv_error_exit_code(e));
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

void
uktv_toolopt_usage(const struct uktv_toolopt *to, const char *why)
{
	if (why != NULL)
		fprintf(stderr, "%s: %s\n", to->prog, why);
	if (to->usage != NULL)
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
