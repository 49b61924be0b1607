/*
 * uktv-publish: each NDJSON line of stdin becomes one Kinesis record, sent
 * with PutRecords at Kinesis's limits, partial failures resent, and every
 * record that cannot be delivered named and dead-lettered.  It replaces the
 * original app's put_records loop, which ignored FailedRecordCount.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <json-c/json.h>

#include "kinesis.h"
#include "livein.h"
#include "log.h"
#include "ndjson.h"
#include "parse.h"
#include "publisher.h"
#include "recordline.h"
#include "streamopt.h"
#include "time.h"
#include "toolopt.h"

#define PROG	"uktv-publish"

/*
 * Input lines are held up to 2 MiB: twice a record's limit, so a line that is
 * too large to send is still held whole and dead-lettered with its text (a
 * longer one is skipped in constant memory and dead-lettered by its length),
 * and an envelope carrying a 1 MiB record as data_base64 (4/3 of it) fits.
 */
#define MAX_LINE	((size_t)2 << 20)

enum {
	OPT_STREAM_ARN = UKTV_OPT_FIRST_FREE,
	OPT_EHK,
	OPT_ENVELOPE,
	OPT_STRICT_ORDER,
	OPT_MAX_RATE,
	OPT_RECORD_ATTEMPTS,
	OPT_DEAD_LETTER,
	OPT_RESULTS
};

/* The tool around the publisher (publisher.h): its outputs and how it ends. */
struct tool {
	struct uktv_aws			*aws;
	struct uktv_publisher		*pub;
	struct uktv_log			 log;
	struct uktv_recordline		*rl;
	struct uktv_ndjson_writer	 results;
	int				 want_results;
	int				 watch;		/* stdout, polled; -1: not */
	unsigned long long		 last_line;
	int				 out_error;	/* stdout or dead-letter write failed */
	/* stdout's reader went away (--results): no more input is taken,
	 * the batch in hand is still sent, and the exit is UKTV_EXIT_PIPE. */
	int				 closed;
	/* What happened, kept past the publisher's close. */
	struct uktv_publisher_counts	 n;
	struct uktv_error		 fatal;		/* a call failed outright */
};

static struct uktv_toolopt to;

/* uktv-publish(1)'s SYNOPSIS: what a usage error prints. */
#define SYNOPSIS \
	"usage: " PROG " [-qvV] -s STREAM | --stream-arn ARN [-k PATH]\n" \
	"           [--explicit-hash-key PATH] [--envelope] [--strict-order]\n" \
	"           [--max-rate N] [--record-attempts N] [--dead-letter FILE]\n" \
	"           [--results]\n"

static void
usage_text(FILE *fp)
{
	fprintf(fp,
	    SYNOPSIS
	    "Sends each NDJSON line of stdin as one Kinesis record (PutRecords).\n"
	    "  -s, --stream NAME          the stream\n"
	    "  --stream-arn ARN           the stream, named by its ARN\n"
	    "  -k, --partition-key PATH   partition key from this JSON path (default:\n"
	    "                             .payload.id, else the SHA-256 hex of the line)\n"
	    "  --explicit-hash-key PATH   explicit hash key (decimal, 0 to 2^128-1) from PATH\n"
	    "  --envelope                 lines are uktv-consume --envelope lines: publish\n"
	    "                             their data with their own partition key\n"
	    "  --strict-order             at most one record per partition key in a call\n"
	    "  --max-rate N               send at most N records per second\n"
	    "  --record-attempts N        sends per record under partial failures (default %d)\n"
	    "  --dead-letter FILE         append the records not delivered to FILE (NDJSON)\n"
	    "  --results                  print one JSON line per record on stdout\n"
	    UKTV_TOOLOPT_USAGE, UKTV_KINESIS_PUT_ATTEMPTS);
}

/* What became of a line: stderr when it was not delivered, and with
 * --results one JSON line on stdout, {"line":N,"shard":s,"sequence":q} or
 * {"line":N,"error":code,"message":msg}. */
static void
on_outcome(const struct uktv_publish_result *r, void *arg)
{
	struct tool *t = arg;
	struct json_object *o;
	char msg[512];

	if (r->outcome == UKTV_PUBLISH_REJECTED)
		uktv_log_line_error(&t->log, r->line, "%s: not sent", r->message);
	else if (r->outcome == UKTV_PUBLISH_FAILED && r->call_failed)
		/* The call's error, which names its code, once per record. */
		uktv_log_line_error(&t->log, r->line, "not delivered: %s",
		    r->message);
	else if (r->outcome == UKTV_PUBLISH_FAILED) {
		snprintf(msg, sizeof(msg), "%s%s%s", r->code,
		    *r->message ? ": " : "", r->message);
		uktv_log_line_error(&t->log, r->line, "not delivered after %d "
		    "attempt%s: %s", r->attempts, r->attempts == 1 ? "" : "s",
		    msg);
	}
	if (!t->want_results || t->closed)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "line", json_object_new_int64((int64_t)r->line));
	if (r->outcome == UKTV_PUBLISH_DELIVERED) {
		json_object_object_add(o, "shard",
		    json_object_new_string(r->shard ? r->shard : ""));
		json_object_object_add(o, "sequence",
		    json_object_new_string(r->sequence ? r->sequence : ""));
	} else {
		json_object_object_add(o, "error", json_object_new_string(r->code));
		json_object_object_add(o, "message",
		    json_object_new_string(r->message));
	}
	if (uktv_ndjson_writer_put(&t->results, o) == -1) {
		if (uktv_toolopt_pipe_closed(errno))
			t->closed = 1;
		else
			t->out_error = errno ? errno : EIO;
	}
	json_object_put(o);
}

/*
 * Reads stdin to its end (or a signal, or a call that failed for good) and
 * sends every line.  Returns 0, or 128 + the signal that stopped it.
 */
static int
publish_all(struct tool *t, struct uktv_ndjson_reader *reader)
{
	struct uktv_ndjson_line ln;
	int rc, status = 0;

	for (;;) {
		/* stdout's reader went away: nobody learns what becomes of
		 * more lines, so none is taken; the batch in hand is sent. */
		if (t->closed) {
			status = UKTV_EXIT_PIPE;
			break;
		}
		if (uktv_stop_signal && status == 0) {
			uktv_livein_stop(STDIN_FILENO);
			status = 128 + (int)uktv_stop_signal;
		}
		if (uktv_publisher_failed(t->pub) != NULL)
			return status;
		rc = uktv_ndjson_next(reader, &ln);
		if (rc == 0)
			break;
		if (rc == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				uktv_log_errno(&t->log, errno, "reading stdin");
				t->out_error = t->out_error ? t->out_error : EIO;
				break;
			}
			/* Nothing waiting: send what was read, then wait. */
			uktv_publisher_flush(t->pub, t->aws);
			if (t->want_results)
				fflush(stdout);
			if (uktv_livein_wait(STDIN_FILENO, &t->watch))
				t->closed = 1;
			continue;
		}
		t->last_line = ln.lineno;
		uktv_publisher_add(t->pub, t->aws, &ln);
	}
	uktv_publisher_flush(t->pub, t->aws);
	return status;
}

/* What happened, on stderr: why it stopped early; with -v the figures. */
static void
summary(struct tool *t, struct uktv_ndjson_reader *reader, int status,
    double secs)
{
	const struct uktv_kinesis_batch_stats *bs = &t->n.sent;
	const struct uktv_aws_stats *as = uktv_aws_stats(t->aws);

	if (t->fatal.kind != UKTV_ERR_NONE) {
		uktv_log_error(&t->log, &t->fatal);
		uktv_log_warn(&t->log, "stopped after line %llu: the input after "
		    "it was not read", t->last_line);
	} else if (status != 0 && status != UKTV_EXIT_PIPE)
		uktv_log_warn(&t->log, "stopped by %s after line %llu: %llu "
		    "record%s delivered, %llu not; the input after it was not read",
		    status - 128 == SIGINT ? "SIGINT" : "SIGTERM", t->last_line,
		    (unsigned long long)bs->records, bs->records == 1 ? "" : "s",
		    t->n.failed + t->n.rejected);
	uktv_log_info(&t->log, "records %llu, bytes %llu, calls %llu, "
	    "retries %llu (calls %ld, records %llu), failures %llu, "
	    "rejected %llu, blank lines %llu, %.3f s, %.0f records/s",
	    (unsigned long long)bs->records, (unsigned long long)bs->bytes,
	    (unsigned long long)bs->calls,
	    (unsigned long long)as->retries + bs->resent, as->retries,
	    (unsigned long long)bs->resent, t->n.failed, t->n.rejected,
	    uktv_ndjson_blank_count(reader), secs,
	    secs > 0 ? (double)bs->records / secs : 0.0);
}

static struct option longopts[] = {
	UKTV_TOOLOPT_LONGOPTS,
	{ "stream",		required_argument, NULL, 's' },
	{ "stream-arn",		required_argument, NULL, OPT_STREAM_ARN },
	{ "partition-key",	required_argument, NULL, 'k' },
	{ "explicit-hash-key",	required_argument, NULL, OPT_EHK },
	{ "envelope",		no_argument,	   NULL, OPT_ENVELOPE },
	{ "strict-order",	no_argument,	   NULL, OPT_STRICT_ORDER },
	{ "max-rate",		required_argument, NULL, OPT_MAX_RATE },
	{ "record-attempts",	required_argument, NULL, OPT_RECORD_ATTEMPTS },
	{ "dead-letter",	required_argument, NULL, OPT_DEAD_LETTER },
	{ "results",		no_argument,	   NULL, OPT_RESULTS },
	{ NULL, 0, NULL, 0 }
};

/* What the options say. */
struct args {
	struct uktv_publisher_opts	 po;
	struct uktv_recordline_opts	 ro;
};

static void
set_option(struct args *a, struct tool *t, int ch, const char *arg)
{
	long long n;

	switch (ch) {
	case 's': a->po.stream.name = arg; break;
	case OPT_STREAM_ARN: a->po.stream.arn = arg; break;
	case 'k': a->ro.key_path = arg; break;
	case OPT_EHK: a->ro.hash_key_path = arg; break;
	case OPT_ENVELOPE: a->ro.envelope = 1; break;
	case OPT_STRICT_ORDER: a->po.strict_order = 1; break;
	case OPT_MAX_RATE:
		if (uktv_parse_uint(arg, 1, 1000000, &n) == -1)
			uktv_streamopt_usagef(&to, "--max-rate takes records per second from 1 to "
			    "1000000, not '%s'", arg);
		a->po.batch.max_rate = (double)n;
		break;
	case OPT_RECORD_ATTEMPTS:
		if (uktv_parse_uint(arg, 1, 100, &n) == -1)
			uktv_streamopt_usagef(&to, "--record-attempts takes a number from 1 to 100, "
			    "not '%s'", arg);
		a->po.batch.max_attempts = (int)n;
		break;
	case OPT_DEAD_LETTER: a->po.dead_letter = arg; break;
	case OPT_RESULTS: t->want_results = 1; break;
	}
}

static void
parse_args(int argc, char *argv[], struct args *a, struct tool *t)
{
	enum uktv_recordline_bad bad;
	int ch;

	uktv_toolopt_init(&to, PROG);
	to.synopsis = SYNOPSIS;
	to.usage = usage_text;
	while ((ch = uktv_toolopt_next(&to, argc, argv, "s:k:", longopts,
	    NULL)) != -1)
		set_option(a, t, ch, optarg);
	if (optind < argc)
		uktv_streamopt_usagef(&to, "unexpected argument '%s': records come on stdin",
		    argv[optind]);
	if ((a->po.stream.name == NULL) == (a->po.stream.arn == NULL))
		uktv_usage(a->po.stream.name == NULL ? "name the stream with "
		    "-s or "
		    "--stream-arn" : "-s and --stream-arn cannot be used together");
	if (a->ro.envelope && a->ro.key_path != NULL)
		uktv_usage("-k and --envelope cannot be used together: an "
		    "envelope carries its own partition key");
	a->ro.max_line = MAX_LINE;
	if ((t->rl = uktv_recordline_new(&a->ro, &bad)) == NULL) {
		if (bad == UKTV_RECORDLINE_BAD_KEY_PATH)
			uktv_streamopt_usagef(&to, "-k takes a path such as .payload.id, not '%s'",
			    a->ro.key_path);
		if (bad == UKTV_RECORDLINE_BAD_HASH_PATH)
			uktv_streamopt_usagef(&to, "--explicit-hash-key takes a path such as "
			    ".hash_key, not '%s'", a->ro.hash_key_path);
		uktv_log_fatal(&t->log, EX_OSERR, "out of memory");
	}
	a->po.lines = t->rl;
	/* Shard and sequence are read from the answer only to be printed. */
	a->po.batch.brief_success = !t->want_results;
	a->po.hook = on_outcome;
	a->po.hook_arg = t;
	t->watch = t->want_results ? STDOUT_FILENO : -1;
}

/* The dead letters, then region and credentials, before any input. */
static void
open_all(struct args *a, struct tool *t)
{
	struct uktv_error e;

	uktv_error_clear(&e);
	if ((t->pub = uktv_publisher_open(&a->po, &e)) == NULL)
		uktv_log_die(&t->log, &e);
	uktv_ndjson_writer_init(&t->results, stdout);
	uktv_toolopt_catch_stop();
	t->aws = uktv_toolopt_aws(&to);
	if (uktv_aws_region(t->aws, &e) == NULL ||
	    uktv_awsconf_credentials(uktv_aws_conf(t->aws),
	    uktv_aws_http(t->aws), &e) == NULL)
		uktv_toolopt_die(&to, &e);
}

/* Every line of stdin sent; the summary; the outputs closed. */
static int
publish(struct tool *t)
{
	struct uktv_ndjson_reader *reader;
	struct uktv_error e;
	long long t0;
	int oldfl, status;

	if ((reader = uktv_ndjson_reader_new(stdin, MAX_LINE)) == NULL)
		uktv_log_fatal_errno(&t->log, EX_OSERR, errno, "reader");
	uktv_ndjson_reader_set_flags(reader, UKTV_NDJSON_BYTES_ONLY);
	oldfl = uktv_livein_nonblocking(STDIN_FILENO);
	t0 = uktv_time_mono_ms();
	status = publish_all(t, reader);
	/* The reader went away while the last records were sent. */
	if (t->closed && status == 0)
		status = UKTV_EXIT_PIPE;
	uktv_livein_restore(STDIN_FILENO, oldfl);
	uktv_publisher_counts(t->pub, &t->n);
	if (uktv_publisher_failed(t->pub) != NULL)
		t->fatal = *uktv_publisher_failed(t->pub);
	summary(t, reader, status, (uktv_time_mono_ms() - t0) / 1000.0);
	if (t->n.dead_errors > 0)
		t->out_error = EIO;
	uktv_error_clear(&e);
	if (uktv_publisher_close(t->pub, &e) == -1) {
		uktv_log_error(&t->log, &e);
		t->out_error = EIO;
	}
	if (!t->closed && (fflush(stdout) == EOF || ferror(stdout))) {
		uktv_log_errno(&t->log, errno, "stdout");
		t->out_error = EIO;
	}
	uktv_ndjson_reader_free(reader);
	return status;
}

int
main(int argc, char *argv[])
{
	struct tool t;
	struct args a;
	int status;

	memset(&t, 0, sizeof(t));
	memset(&a, 0, sizeof(a));
	uktv_log_init(&t.log, PROG, 0);
	parse_args(argc, argv, &a, &t);
	uktv_log_init(&t.log, PROG, to.verbosity);
	open_all(&a, &t);
	status = publish(&t);
	uktv_recordline_free(t.rl);
	uktv_aws_free(t.aws);
	if (t.fatal.kind != UKTV_ERR_NONE)
		return uktv_error_exit_code(&t.fatal);
	if (t.out_error)
		return EX_IOERR;
	if (status != 0)
		return status;
	return t.n.failed + t.n.rejected > 0 ? 1 : 0;
}
