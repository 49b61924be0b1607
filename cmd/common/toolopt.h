/*
 * toolopt.h: the options every uktv binary shares, parsed one way.
 *
 *   static struct option longopts[] = {
 *           UKTV_TOOLOPT_LONGOPTS,
 *           { "table", required_argument, NULL, 't' },
 *           ...
 *   };
 *   struct uktv_toolopt to;
 *   uktv_toolopt_init(&to, "uktv-x");
 *   to.synopsis = SYNOPSIS;	(the man page's SYNOPSIS as "usage: " lines)
 *   to.usage = usage_text;	(the whole help, for --help, on a FILE)
 *   while ((ch = uktv_toolopt_next(&to, argc, argv, "t:", longopts,
 *       NULL)) != -1) {
 *           switch (ch) { case 't': ... }	(only the tool's own options)
 *   }
 *   table = uktv_toolopt_table(&to, table_opt);	(-t, UKTV_TABLE, default)
 *   aws = uktv_toolopt_aws(&to);
 *   uktv_toolopt_need_table(&to, aws);	(before any work: one DescribeTable)
 *
 * Shared options: --profile, --region, --endpoint-url, --connect-timeout SEC,
 * --read-timeout SEC, --attempt-timeout SEC, --ca-bundle FILE, -v/--verbose (repeatable), -q/--quiet,
 * -h/--help, -V/--version.  With -v -v every HTTP request is traced on stderr
 * (method, URL, status, bytes, time; never headers or bodies).
 * Watchmode options: watchopt.h.
 */
#ifndef UKTV_TOOLOPT_H
#define UKTV_TOOLOPT_H

#include <getopt.h>
#include <signal.h>
#include <stdio.h>

#include "aws.h"

enum {
	UKTV_OPT_PROFILE = 0x1000,
	UKTV_OPT_REGION,
	UKTV_OPT_ENDPOINT_URL,
	UKTV_OPT_CONNECT_TIMEOUT,
	UKTV_OPT_READ_TIMEOUT,
	UKTV_OPT_CA_BUNDLE,
	UKTV_OPT_ATTEMPT_TIMEOUT,
	UKTV_OPT_FIRST_FREE = 0x1100	/* tools number their own long-only options from here */
};

#define UKTV_TOOLOPT_LONGOPTS						\
	{ "profile",		required_argument, NULL, UKTV_OPT_PROFILE },	\
	{ "region",		required_argument, NULL, UKTV_OPT_REGION },	\
	{ "endpoint-url",	required_argument, NULL, UKTV_OPT_ENDPOINT_URL }, \
	{ "connect-timeout",	required_argument, NULL, UKTV_OPT_CONNECT_TIMEOUT }, \
	{ "read-timeout",	required_argument, NULL, UKTV_OPT_READ_TIMEOUT }, \
	{ "attempt-timeout",	required_argument, NULL, UKTV_OPT_ATTEMPT_TIMEOUT }, \
	{ "ca-bundle",		required_argument, NULL, UKTV_OPT_CA_BUNDLE },	\
	{ "verbose",		no_argument,	   NULL, 'v' },			\
	{ "quiet",		no_argument,	   NULL, 'q' },			\
	{ "help",		no_argument,	   NULL, 'h' },			\
	{ "version",		no_argument,	   NULL, 'V' }

/* The short options the shared set uses; append to a tool's optstring. */
#define UKTV_TOOLOPT_SHORT "vqhV"

/* Usage text for the shared options, for each tool's --help. */
#define UKTV_TOOLOPT_USAGE						\
	"  --profile NAME          AWS profile (else AWS_PROFILE, default)\n" \
	"  --region REGION         AWS region (else AWS_REGION, AWS_DEFAULT_REGION, profile)\n" \
	"  --endpoint-url URL      AWS endpoint (else AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL)\n" \
	"  --connect-timeout SEC   connect timeout (default 5)\n"	\
	"  --read-timeout SEC      read timeout (default 60)\n"		\
	"  --attempt-timeout SEC   longest one request may take (default 120)\n" \
	"  --ca-bundle FILE        CA certificates (else AWS_CA_BUNDLE)\n" \
	"  -v, --verbose           more on stderr (twice: trace HTTP requests)\n" \
	"  -q, --quiet             only errors on stderr\n"		\
	"  -h, --help              this help\n"				\
	"  -V, --version           print the version\n"

enum uktv_toolopt_result {
	UKTV_TOOLOPT_NOT_MINE = 0,
	UKTV_TOOLOPT_HANDLED,
	UKTV_TOOLOPT_HELP,
	UKTV_TOOLOPT_VERSION,
	UKTV_TOOLOPT_BAD	/* to.why says what is wrong */
};

struct uktv_toolopt {
	const char		*prog;
	const char		*synopsis;	/* "usage: ..." lines (SYNOPSIS) */
	void			(*usage)(FILE *);	/* the tool's whole help */
	/* What a bare operand is ("a user id"), for the hint that one that
	 * starts with '-' goes after "--"; NULL when the tool takes none. */
	const char		*operand;
	const char		*table;		/* uktv_toolopt_table's answer */
	const char		*table_from;	/* "-t", "UKTV_TABLE", "the default" */
	struct uktv_aws_opts	 aws;		/* pass to uktv_aws_new */
	int			 verbosity;	/* -1 quiet, 0, 1 (-v), 2 (-vv) */
	char			 why[256];
};

/*
 * The exit status of a tool whose standard output's reader went away
 * (uktv(7)): 128 + SIGPIPE, what a shell shows for `tail -f | head`, so
 * that a pipeline reads the same whichever uktv tool was cut off.
 */
#define UKTV_EXIT_PIPE	141

/* Also ignores SIGPIPE: a write to a closed pipe is then EPIPE, which the
 * tool meets where it can still commit what it did write. */
void	uktv_toolopt_init(struct uktv_toolopt *, const char *prog);
/*
 * 1 when errnum says standard output's reader has gone (EPIPE; with SIGPIPE
 * ignored a closed socket says so too).
 */
int	uktv_toolopt_pipe_closed(int errnum);
/*
 * A write to standard output failed with errnum.  Its reader went away
 * (uktv_toolopt_pipe_closed): exit UKTV_EXIT_PIPE without a word, as
 * `tail -f | head` does; anything else (ENOSPC, EIO): "prog: stdout: why"
 * on stderr, exit 74.  Call it once what was written is committed.
 */
void	uktv_toolopt_stdout_failed(const struct uktv_toolopt *, int errnum)
	    __attribute__((noreturn));
/* Writes o as one line on stdout and frees it; a failed write ends the
 * tool as uktv_toolopt_stdout_failed does (o freed first). */
struct json_object;
void	uktv_toolopt_write_json(const struct uktv_toolopt *,
	    struct json_object *o);
enum uktv_toolopt_result uktv_toolopt_handle(struct uktv_toolopt *, int ch,
	    const char *optarg);
/*
 * The shared options in a getopt loop: returns 1 when ch was one of them.
 * --help prints to.usage on stdout and exits 0, --version the version line,
 * and a bad value the reason and the usage on stderr, exit 2.
 */
int	uktv_toolopt_getopt(struct uktv_toolopt *, int ch, const char *optarg);
/*
 * The getopt_long loop every tool runs, in one place so that every tool
 * says the same words: returns the next option that is the tool's own
 * (optstring without the shared UKTV_TOOLOPT_SHORT, which it adds), or -1
 * at the end.  The shared options are handled as uktv_toolopt_getopt does;
 * an unknown option, an ambiguous abbreviation, a missing value or a value
 * given to an option that takes none is "prog: unknown option --x" (or
 * "-t needs a value", ...) and the synopsis on stderr, exit 2.  getopt(3)'s
 * own messages are turned off (opterr).
 */
int	uktv_toolopt_next(struct uktv_toolopt *, int argc, char *const argv[],
	    const char *optstring, const struct option *longopts, int *longindex);
/*
 * The guide table's name: opt (-t), else UKTV_TABLE, else UKTVProgrammes
 * (ARCHITECTURE.md); remembered with where it came from in to.table and
 * to.table_from.  A name DynamoDB cannot have (3-255 of A-Za-z0-9_.-) is a
 * usage error (exit 2).
 */
const char *uktv_toolopt_table(struct uktv_toolopt *, const char *opt);
/*
 * One DescribeTable of to.table, before the tool spends any work or
 * Watchmode credit: a table that is not there is "prog: no table T in
 * REGION (the name is from -t): ...", exit 78; other failures as
 * uktv_toolopt_die.
 */
void	uktv_toolopt_need_table(const struct uktv_toolopt *, struct uktv_aws *);
/* "prog: why", then the synopsis (else the usage) on stderr; exit 2. */
void	uktv_toolopt_usage(const struct uktv_toolopt *, const char *why)
	    __attribute__((noreturn));
/* Prints "uktv-x X.Y.Z" on stdout. */
void	uktv_toolopt_version(const struct uktv_toolopt *);
/* Prints "prog X.Y.Z\n" on stdout (UKTV_VERSION, from the Makefile); prog
 * is used from its last '/' on. */
void	uktv_toolopt_print_version(const char *prog);
/*
 * Creates the AWS client from the options (with the -vv trace wired to
 * stderr).  On failure prints "prog: message" and exits with the error's
 * sysexits code: binaries call this, the library never does.
 */
struct uktv_aws *uktv_toolopt_aws(struct uktv_toolopt *);

/*
 * SIGINT and SIGTERM set uktv_stop_signal (to the signal's number) instead
 * of killing the tool.  No SA_RESTART: a sleep or a read is cut short and
 * the loop sees the flag, finishes or dead-letters what is in flight, and
 * exits 128 + the signal (ARCHITECTURE.md).
 */
extern volatile sig_atomic_t uktv_stop_signal;
void	uktv_toolopt_catch_stop(void);
/* An option's seconds ("5", "0.5") in ms, at least min_ms; anything else is
 * a usage error naming the option (exit 2). */
long	uktv_toolopt_seconds(const struct uktv_toolopt *, const char *name,
	    const char *arg, long min_ms);
/* An option's count (digits, min to max); anything else is a usage error
 * naming the option and the bounds (exit 2). */
long long uktv_toolopt_count(const struct uktv_toolopt *, const char *name,
	    const char *arg, long long min, long long max);
/*
 * systemd's socket activation (sd_listen_fds(3)): when LISTEN_PID is this
 * process, the first socket it passed (descriptor 3; *n says how many), else
 * -1.  LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES are removed either way once
 * they name this process, so a child never takes them for its own.
 */
int	uktv_toolopt_listen_fd(int *n);
/* The tool's usage error (uktv_toolopt_usage on the options last given to
 * uktv_toolopt_init): one process, one tool, so no tool needs a wrapper. */
void	uktv_usage(const char *why) __attribute__((noreturn));
/* arg, or (when it is empty) a usage error saying why: "-t needs a table
 * name". */
const char *uktv_toolopt_value(const struct uktv_toolopt *, const char *arg,
	    const char *why);
/* Prints "prog: message" for err on stderr and exits with its code. */
void	uktv_toolopt_die(const struct uktv_toolopt *, const struct uktv_error *)
	    __attribute__((noreturn));

#endif
