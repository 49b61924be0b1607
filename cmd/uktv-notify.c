/*
 * uktv-notify: follows the guide table's DynamoDB Stream (or reads stream
 * records from a file) and prints who should hear about what changed: new
 * titles on the pairs a user follows, changes to their favourites, titles
 * gone.  Optionally posts each notification to a webhook, signed, or groups
 * them into one digest per user and period.  The original app's "final
 * function triggered by the stream".
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "digest.h"
#include "guidelog.h"
#include "log.h"
#include "notifyrun.h"
#include "notifystream.h"
#include "parse.h"
#include "streamopt.h"
#include "toolopt.h"
#include "webhook.h"

#define PROG	"uktv-notify"

enum {
	OPT_RECORDS_FROM = UKTV_OPT_FIRST_FREE,
	OPT_PREFS_FROM,
	OPT_PREFS_REFRESH,
	OPT_WEBHOOK,
	OPT_WEBHOOK_SECRET_FILE,
	OPT_WEBHOOK_ATTEMPTS,
	OPT_DIGEST,
	OPT_FLUSH_DIGESTS,
	OPT_MAX_LINE
};

static struct option longopts[] = {
	UKTV_TOOLOPT_LONGOPTS,
	UKTV_STREAMOPT_LONGOPTS,
	{ "table",		required_argument, NULL, 't' },
	{ "records-from",	required_argument, NULL, OPT_RECORDS_FROM },
	{ "prefs-from",		required_argument, NULL, OPT_PREFS_FROM },
	{ "prefs-refresh",	required_argument, NULL, OPT_PREFS_REFRESH },
	{ "webhook",		required_argument, NULL, OPT_WEBHOOK },
	{ "webhook-secret-file", required_argument, NULL, OPT_WEBHOOK_SECRET_FILE },
	{ "webhook-attempts",	required_argument, NULL, OPT_WEBHOOK_ATTEMPTS },
	{ "digest",		required_argument, NULL, OPT_DIGEST },
	{ "flush-digests",	no_argument,	   NULL, OPT_FLUSH_DIGESTS },
	{ "max-line",		required_argument, NULL, OPT_MAX_LINE },
	{ NULL, 0, NULL, 0 }
};

/* One run: the notifications (lib/guide), their stream and dead letters
 * (cmd/common/notifystream.h), and what only this tool holds. */
struct ctx {
	struct uktv_notifyrun		 run;
	struct uktv_notifystream	 ns;
	const char			*prefs_from;
	struct uktv_http		*own_http;	/* without AWS */
	struct uktv_checkpoint_dir	*ckdir;
	struct uktv_position		 start;
};

static struct uktv_log logger;

static struct uktv_toolopt to;

/* uktv-notify(1)'s SYNOPSIS: what a usage error prints. */
#define SYNOPSIS \
	"usage: " PROG " [-eqvV] [-t TABLE] [--checkpoint DIR] [--from POSITION]\n" \
	"           [--records-from FILE] [--prefs-from FILE] [--prefs-refresh SEC]\n" \
	"           [--webhook URL [--webhook-secret-file FILE]\n" \
	"           [--webhook-attempts N]] [--dead-letter FILE]\n" \
	"           [--digest PERIOD [--flush-digests]]\n"

static void
usage_text(FILE *fp)
{
	fprintf(fp,
	    SYNOPSIS
	    "Follows the table's DynamoDB Stream and prints one JSON line per user\n"
	    "and change: new_title, favourite_changed, title_removed.\n"
	    "  -t, --table TABLE         the guide table (else UKTV_TABLE, UKTVProgrammes)\n"
	    "  -e, --exit                exit at the end the stream had when the run started\n"
	    "  --checkpoint DIR          keep each shard's position (and the digest spool) in DIR\n"
	    "  --from POSITION           latest (default), trim-horizon, at-timestamp=TIME\n"
	    "                            (a checkpoint wins)\n"
	    "  --poll-interval SEC       wait between calls once caught up (default 1)\n"
	    "  --records-from FILE       read stream records from FILE ('-': stdin): a Lambda\n"
	    "                            event {\"Records\":[...]} or NDJSON of records\n"
	    "  --prefs-from FILE         users' preferences from FILE (uktv-prefs list form)\n"
	    "                            instead of the table\n"
	    "  --prefs-refresh SEC       read the preferences again every SEC (default 300)\n"
	    "  --webhook URL             POST each notification to URL, signed\n"
	    "  --webhook-secret-file FILE  the signing secret (else UKTV_WEBHOOK_SECRET)\n"
	    "  --webhook-attempts N      tries per notification (default %d)\n"
	    "  --dead-letter FILE        append notifications not delivered to FILE\n"
	    "  --digest PERIOD           one digest per user and PERIOD (30s, 15m, 1h, 1d;\n"
	    "                            aligned to UTC), spooled in the checkpoint DIR\n"
	    "  --flush-digests           emit the digests of unfinished periods too\n"
	    "  --max-line BYTES          longest input line (default 1M)\n"
	    UKTV_TOOLOPT_USAGE, UKTV_WEBHOOK_ATTEMPTS);
}

/* ------------------------------------------------------------ main */

static void
open_webhook(struct ctx *c, const char *url,
    const char *secret_file, int attempts)
{
	struct uktv_webhook_opts o;
	struct uktv_http_opts ho;
	struct uktv_http *http;
	struct uktv_error e;
	const char *env, *s;
	char *secret = NULL;
	size_t len = 0;
	long long v;

	uktv_error_clear(&e);
	if (secret_file != NULL) {
		if (uktv_webhook_read_secret(secret_file, &secret, &len, &e) == -1)
			uktv_log_die(&logger, &e);
	} else if ((env = getenv(UKTV_WEBHOOK_SECRET_ENV)) != NULL && *env != '\0') {
		len = strlen(env);
		if ((secret = strdup(env)) == NULL)
			uktv_log_fatal_errno(&logger, EX_OSERR, errno, "webhook secret");
	} else
		uktv_log_fatal(&logger, EX_CONFIG, "--webhook needs a secret: --webhook-secret-file "
		    "FILE or " UKTV_WEBHOOK_SECRET_ENV);
	if (c->run.aws != NULL)
		http = uktv_aws_http(c->run.aws);
	else {
		memset(&ho, 0, sizeof(ho));
		ho.connect_timeout_ms = to.aws.connect_timeout_ms;
		ho.read_timeout_ms = to.aws.read_timeout_ms;
		ho.attempt_timeout_ms = to.aws.attempt_timeout_ms;
		ho.ca_bundle = to.aws.ca_bundle != NULL ? to.aws.ca_bundle :
		    getenv("AWS_CA_BUNDLE");
		if ((c->own_http = http = uktv_http_new(&ho, &e)) == NULL)
			uktv_log_die(&logger, &e);
	}
	memset(&o, 0, sizeof(o));
	o.url = url;
	o.secret = secret;
	o.secret_len = len;
	o.attempts = attempts;
	o.user_agent = PROG "/" UKTV_VERSION;
	o.stop = &uktv_stop_signal;
	/* The same setting as the AWS retries (tests make them fast). */
	if ((s = getenv("UKTV_RETRY_BASE_MS")) != NULL &&
	    uktv_parse_uint(s, 0, 60000, &v) == 0)
		o.base_ms = v > 0 ? (long)v : -1;
	c->run.hook = uktv_webhook_new(http, &o, &e);
	uktv_webhook_secret_free(secret, len);
	if (c->run.hook == NULL)
		uktv_log_die(&logger, &e);
}

/* ------------------------------------------------------------ options */

/* What the options say, beyond what the loop keeps in ctx. */
struct args {
	struct uktv_streamopt	 so;
	const char	*records_from, *webhook, *secret_file, *digest;
	long long	 period;
	int		 flush, attempts;
};

static void
set_option(struct args *a, struct ctx *c, int ch, const char *arg)
{
	long long v;

	if (uktv_streamopt_handle(&a->so, &to, ch, arg))
		return;
	switch (ch) {
	case 't': c->run.table = arg; break;
	case OPT_RECORDS_FROM: a->records_from = arg; break;
	case OPT_PREFS_FROM: c->prefs_from = arg; break;
	case OPT_PREFS_REFRESH:
		c->run.prefs_refresh_ms = uktv_toolopt_seconds(&to, "--prefs-refresh",
		    arg, 1);
		break;
	case OPT_WEBHOOK: a->webhook = arg; break;
	case OPT_WEBHOOK_SECRET_FILE: a->secret_file = arg; break;
	case OPT_WEBHOOK_ATTEMPTS:
		if (uktv_parse_uint(arg, 1, 20, &v) == -1)
			uktv_streamopt_usagef(&to, "--webhook-attempts takes 1 to 20, not '%s'", arg);
		a->attempts = (int)v;
		break;
	case OPT_DIGEST:
		if (uktv_digest_parse_period(arg, &a->period) == -1)
			uktv_streamopt_usagef(&to, "--digest takes a period of 1s to 31d (30s, 15m, "
			    "1h, 1d), not '%s'", arg);
		a->digest = arg;
		break;
	case OPT_FLUSH_DIGESTS: a->flush = 1; break;
	case OPT_MAX_LINE:
		if (uktv_parse_size(arg, &c->run.max_line) == -1 ||
		    c->run.max_line < 2 || c->run.max_line > ((size_t)1 << 30))
			uktv_streamopt_usagef(&to, "--max-line takes 2 bytes to 1G, not '%s'", arg);
		break;
	}
}

/* The options' one block of checks. */
static void
check_args(struct args *a, struct ctx *c)
{
	if (a->digest != NULL && a->so.checkpoint == NULL)
		uktv_usage("--digest needs --checkpoint DIR (the spool is kept "
		    "there)");
	if (a->flush && a->digest == NULL)
		uktv_usage("--flush-digests needs --digest PERIOD");
	if ((a->secret_file != NULL || a->attempts > 0) && a->webhook == NULL)
		uktv_usage("--webhook-secret-file and --webhook-attempts need "
		    "--webhook URL");
	if (a->records_from != NULL && c->prefs_from != NULL &&
	    strcmp(a->records_from, "-") == 0 && strcmp(c->prefs_from, "-") == 0)
		uktv_usage("--records-from and --prefs-from cannot both be "
		    "stdin");
	if (a->records_from != NULL && a->so.from != NULL)
		uktv_usage("--from is for the stream, not --records-from");
	if (a->so.from == NULL)
		uktv_position_set(&c->start, UKTV_POS_LATEST);
	else if (uktv_position_parse(a->so.from, uktv_time_now_ms(), &c->start) ==
	    -1 || c->start.kind == UKTV_POS_SHARD_END)
		uktv_streamopt_usagef(&to, "--from takes latest, trim-horizon or "
		    "at-timestamp=TIME, not '%s'", a->so.from);
	c->run.table = uktv_toolopt_table(&to, c->run.table);
}

static void
parse_args(int argc, char *argv[], struct args *a, struct ctx *c)
{
	int ch;

	a->so.poll_min_ms = 1;
	uktv_toolopt_init(&to, PROG);
	to.synopsis = SYNOPSIS;
	to.usage = usage_text;
	while ((ch = uktv_toolopt_next(&to, argc, argv, "t:e", longopts,
	    NULL)) != -1)
		set_option(a, c, ch, optarg);
	if (optind < argc)
		uktv_streamopt_usagef(&to, "unexpected argument '%s'", argv[optind]);
	check_args(a, c);
}

/* ------------------------------------------------------------ set-up */

/* path ('-': stdin) to read from, or the exit. */
static FILE *
open_in(const char *path)
{
	FILE *fp;

	if (strcmp(path, "-") == 0)
		return stdin;
	if ((fp = fopen(path, "re")) == NULL)
		uktv_log_fatal_errno(&logger, errno == ENOENT ? EX_NOINPUT :
		    EX_IOERR, errno, "%s", path);
	return fp;
}

static void
prefs_from_file(struct ctx *c)
{
	struct uktv_error e;
	FILE *fp = open_in(c->prefs_from);

	uktv_error_clear(&e);
	if (uktv_notifyrun_prefs_file(&c->run, fp, fp == stdin ? "stdin" :
	    c->prefs_from, &e) == -1)
		uktv_log_die(&logger, &e);
	if (fp != stdin)
		fclose(fp);
}

/* AWS (unless records and preferences both come from files), the
 * positions, the digest spool, the dead letters, the webhook, the
 * preferences: all before the first record. */
static void
open_all(struct args *a, struct ctx *c)
{
	struct uktv_consumer_opts co = { 0 };
	struct uktv_error e;

	if (a->records_from == NULL || c->prefs_from == NULL) {
		c->run.aws = uktv_toolopt_aws(&to);
		uktv_toolopt_need_table(&to, c->run.aws);
	}
	uktv_error_clear(&e);
	if (a->so.checkpoint != NULL &&
	    (c->ckdir = uktv_checkpoint_open(a->so.checkpoint, 1, &e)) == NULL)
		uktv_log_die(&logger, &e);
	if (a->digest != NULL && uktv_notifyrun_open_digest(&c->run,
	    a->so.checkpoint, a->period, &e) == -1)
		uktv_log_die(&logger, &e);
	if (a->so.dead_letter != NULL && (c->ns.dead =
	    uktv_deadletter_open(a->so.dead_letter, &e)) == NULL)
		uktv_log_die(&logger, &e);
	if (c->ns.dead != NULL) {
		c->run.dead = uktv_notifystream_dead;
		c->run.dead_arg = &c->ns;
	}
	co.aws = c->run.aws;
	co.backend = UKTV_SR_DDBSTREAMS;
	co.ckdir = c->ckdir;
	co.note = uktv_streamopt_note;
	co.arg = &logger;
	if ((c->ns.cons = uktv_consumer_new(&co, &e)) == NULL)
		uktv_log_die(&logger, &e);
	if (a->webhook != NULL)
		open_webhook(c, a->webhook, a->secret_file, a->attempts);
	if (c->prefs_from != NULL)
		prefs_from_file(c);
	else
		uktv_notifystream_prefs(&c->ns, 1);
}

/* ------------------------------------------------------------ modes */

static void
records_from(struct ctx *c, const char *path)
{
	FILE *fp = open_in(path);

	if (uktv_notifyrun_read(&c->run, fp) == -1)
		uktv_log_fatal_errno(&logger, EX_OSERR, errno, "reader");
	uktv_notifystream_sync(&c->ns);
	if (fp != stdin)
		fclose(fp);
}

int
main(int argc, char *argv[])
{
	struct args a;
	struct ctx c;
	int rc;

	memset(&a, 0, sizeof(a));
	memset(&c, 0, sizeof(c));
	uktv_notifyrun_init(&c.run, stdout);
	parse_args(argc, argv, &a, &c);
	uktv_log_init(&logger, PROG, to.verbosity);
	uktv_toolopt_catch_stop();
	c.run.note = uktv_guidelog_note;
	c.run.note_arg = &logger;
	c.run.stop = &uktv_stop_signal;
	c.ns.run = &c.run;
	c.ns.log = &logger;
	open_all(&a, &c);
	if (a.records_from != NULL)
		records_from(&c, a.records_from);
	else
		uktv_notifystream_follow(&c.ns, &c.start, a.so.to_end,
		    a.so.poll_ms);
	rc = uktv_notifystream_finish(&c.ns, a.flush);
	uktv_webhook_free(c.run.hook);
	uktv_http_free(c.own_http);
	uktv_consumer_free(c.ns.cons);
	uktv_checkpoint_close(c.ckdir);
	uktv_aws_free(c.run.aws);
	uktv_notifyrun_free(&c.run);
	return rc;
}
