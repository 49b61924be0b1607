/*
 * uktv-publish: each NDJSON line of stdin becomes one Kinesis record, sent
 * with PutRecords at Kinesis's limits, partial failures resent, and every
 * record that cannot be delivered named and dead-lettered.  It replaces the
 * original app's put_records loop, which ignored FailedRecordCount.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "deadletter.h"
#include "parse.h"
#include "jsonscan.h"
#include "kinesis.h"
#include "log.h"
#include "ndjson.h"
#include "recordline.h"
#include "streamopt.h"
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

struct publisher {
	struct uktv_aws			*aws;
	struct uktv_kinesis_batch	*batch;
	struct uktv_log			 log;
	struct uktv_recordline		*rl;
	int				 strict_order;
	struct uktv_ndjson_writer	 results;
	int				 want_results;
	struct uktv_deadletter		*dead;
	/* What happened. */
	unsigned long long		 lines;		/* non-blank lines read */
	unsigned long long		 rejected;	/* lines not sent */
	unsigned long long		 failed;	/* records not delivered */
	unsigned long long		 last_line;
	int				 out_error;	/* stdout or dead-letter write failed */
	/* stdout's reader went away (--results): no more input is taken,
	 * the batch in hand is still sent, and the exit is UKTV_EXIT_PIPE. */
	int				 closed;
	int				 no_watch;	/* stdout not open: not polled */
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

static void __attribute__((noreturn))
usage(const char *why)
{
	uktv_toolopt_usage(&to, why);
}

/* A --results line could not be written. */
static void
results_failed(struct publisher *pb)
{
	if (uktv_toolopt_pipe_closed(errno))
		pb->closed = 1;
	else
		pb->out_error = errno ? errno : EIO;
}

/* {"line":N,"error":code,"message":msg} on stdout with --results. */
static void
result_error(struct publisher *pb, unsigned long long line, const char *code,
    const char *message)
{
	struct json_object *o;

	if (!pb->want_results || pb->closed)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "line", json_object_new_int64((int64_t)line));
	json_object_object_add(o, "error", json_object_new_string(code));
	json_object_object_add(o, "message", json_object_new_string(message));
	if (uktv_ndjson_writer_put(&pb->results, o) == -1)
		results_failed(pb);
	json_object_put(o);
}

/* One dead-letter line (deadletter.h); a line too long to hold (input
 * NULL) has only its length. */
static void
dead_letter(struct publisher *pb, unsigned long long line, const char *input,
    size_t len, const char *code, const char *message)
{
	struct uktv_dead_entry d;
	struct uktv_error e;

	if (pb->dead == NULL)
		return;
	uktv_dead_entry_init(&d);
	d.input = input;
	d.len = len;
	d.error = code;
	d.message = message;
	d.line = line;
	uktv_error_clear(&e);
	if (uktv_deadletter_put(pb->dead, &d, &e) == -1)
		pb->out_error = errno ? errno : EIO;
}

/* A line that is not sent: stderr, dead letter, result. */
static void
reject(struct publisher *pb, unsigned long long line, const char *input,
    size_t len, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void
reject(struct publisher *pb, unsigned long long line, const char *input,
    size_t len, const char *code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	uktv_log_line_error(&pb->log, line, "%s: not sent", msg);
	dead_letter(pb, line, input, len, code, msg);
	result_error(pb, line, code, msg);
	pb->rejected++;
}

/* The final outcome of a record the batch took. */
static void
on_result(const struct uktv_kinesis_result *res, void *arg)
{
	struct publisher *pb = arg;
	struct json_object *o;
	char msg[512];

	if (res->error_code == NULL) {
		if (!pb->want_results || pb->closed)
			return;
		o = json_object_new_object();
		json_object_object_add(o, "line",
		    json_object_new_int64((int64_t)res->tag));
		json_object_object_add(o, "shard",
		    json_object_new_string(res->shard_id ? res->shard_id : ""));
		json_object_object_add(o, "sequence",
		    json_object_new_string(res->sequence ? res->sequence : ""));
		if (uktv_ndjson_writer_put(&pb->results, o) == -1)
			results_failed(pb);
		json_object_put(o);
		return;
	}
	if (res->call_failed)
		/* The call's error, which names its code, once per record. */
		uktv_log_line_error(&pb->log, res->tag, "not delivered: %s",
		    res->error_message);
	else {
		snprintf(msg, sizeof(msg), "%s%s%s", res->error_code,
		    res->error_message && *res->error_message ? ": " : "",
		    res->error_message ? res->error_message : "");
		uktv_log_line_error(&pb->log, res->tag, "not delivered after %d "
		    "attempt%s: %s", res->attempts, res->attempts == 1 ? "" : "s",
		    msg);
	}
	/* The input is the data itself, or the envelope line kept as note. */
	if (res->note != NULL)
		dead_letter(pb, res->tag, res->note, res->note_len,
		    res->error_code, res->error_message ? res->error_message : "");
	else
		dead_letter(pb, res->tag, res->data, res->data_len,
		    res->error_code, res->error_message ? res->error_message : "");
	result_error(pb, res->tag, res->error_code,
	    res->error_message ? res->error_message : "");
	pb->failed++;
}

static void
flush(struct publisher *pb)
{
	struct uktv_error e;

	if (uktv_kinesis_batch_count(pb->batch) == 0)
		return;
	uktv_error_clear(&e);
	if (uktv_kinesis_batch_flush(pb->aws, pb->batch, on_result, pb, &e) == -1 &&
	    pb->fatal.kind == UKTV_ERR_NONE)
		pb->fatal = e;
}

/* One good line (UTF-8 checked by the reader): its record into the batch. */
static void
publish_line(struct publisher *pb, const struct uktv_ndjson_line *ln)
{
	struct uktv_kinesis_record rec;
	struct uktv_error e;
	const char *code;
	char why[512];

	if (uktv_recordline_build(pb->rl, ln->text, ln->len, ln->lineno, &rec,
	    &code, why, sizeof(why)) == -1) {
		reject(pb, ln->lineno, ln->text, ln->len, code, "%s", why);
		return;
	}
	/* --strict-order: a key already in this call waits for the next. */
	if ((pb->strict_order && uktv_kinesis_batch_has_key(pb->batch,
	    rec.partition_key, rec.partition_key_len)) ||
	    !uktv_kinesis_batch_fits(pb->batch, rec.data_len,
	    rec.partition_key_len))
		flush(pb);
	if (pb->fatal.kind != UKTV_ERR_NONE) {
		/* The service is gone: what would have been sent is kept. */
		reject(pb, ln->lineno, ln->text, ln->len, pb->fatal.code[0] ?
		    pb->fatal.code : "Unavailable", "%s", pb->fatal.message);
		return;
	}
	/* e is filled only on failure: no clearing per line. */
	if (uktv_kinesis_batch_add(pb->batch, &rec, &e) == -1)
		reject(pb, ln->lineno, ln->text, ln->len, "invalid_record",
		    "%s", e.message);
}

/* The reader's rejection of a line (size, NUL, UTF-8). */
static void
reject_line(struct publisher *pb, const struct uktv_ndjson_line *ln)
{
	reject(pb, ln->lineno, ln->text, ln->len,
	    uktv_ndjson_reject_code(ln->reject), "%s", ln->reason);
}

/*
 * Standard input that is a pipe or socket is read without blocking, so that
 * when no more input is waiting the records read so far are sent at once
 * (a live pipe never holds a record back for a batch to fill).  Returns the
 * old flags to restore, or -1 when left blocking.
 */
static int
input_nonblocking(int fd)
{
	struct stat st;
	int fl;

	if (fstat(fd, &st) == -1 || !(S_ISFIFO(st.st_mode) ||
	    S_ISSOCK(st.st_mode)))
		return -1;
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return -1;
	return fl;
}

/*
 * Waits until stdin has input or a stop signal comes (with --results, or
 * until stdout's reader goes away).  The signals are blocked while the flag
 * is looked at and unblocked by ppoll itself, so one that comes just before
 * the wait still ends it.
 */
static void
wait_input(struct publisher *pb)
{
	struct pollfd pfd[2] = {
		{ STDIN_FILENO, POLLIN, 0 },
		/* No events: its POLLERR says the reader went away. */
		{ pb->want_results && !pb->no_watch ? STDOUT_FILENO : -1, 0, 0 }
	};
	sigset_t stop, old;

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, &old);
	if (!uktv_stop_signal && ppoll(pfd, 2, NULL, &old) > 0 &&
	    (pfd[1].revents & (POLLERR | POLLHUP)) != 0)
		pb->closed = 1;
	sigprocmask(SIG_SETMASK, &old, NULL);
	/* A closed descriptor would wake poll at once, always. */
	if ((pfd[1].revents & POLLNVAL) != 0)
		pb->no_watch = 1;
}

/* Stop reading, but finish the lines already read: with /dev/null behind
 * it the reader hands out what it holds (a cut last line included) and
 * then sees the end. */
static void
stop_input(void)
{
	int fd = open("/dev/null", O_RDONLY);

	if (fd != -1) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Reads stdin to its end (or a signal, or a call that failed for good) and
 * sends every line.  Returns 0, or 128 + the signal that stopped it.
 */
static int
publish_all(struct publisher *pb, struct uktv_ndjson_reader *reader,
    size_t batch_max)
{
	struct uktv_ndjson_line ln;
	int rc, status = 0;

	for (;;) {
		/* stdout's reader went away: nobody learns what becomes of
		 * more lines, so none is taken; the batch in hand is sent. */
		if (pb->closed) {
			status = UKTV_EXIT_PIPE;
			break;
		}
		if (uktv_stop_signal && status == 0) {
			stop_input();
			status = 128 + (int)uktv_stop_signal;
		}
		if (pb->fatal.kind != UKTV_ERR_NONE)
			return status;
		rc = uktv_ndjson_next(reader, &ln);
		if (rc == 0)
			break;
		if (rc == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				uktv_log_errno(&pb->log, errno, "reading stdin");
				pb->out_error = pb->out_error ? pb->out_error : EIO;
				break;
			}
			/* Nothing waiting: send what was read, then wait. */
			flush(pb);
			if (pb->want_results)
				fflush(stdout);
			wait_input(pb);
			continue;
		}
		pb->last_line = ln.lineno;
		pb->lines++;
		if (ln.reject != UKTV_NDJSON_OK)
			reject_line(pb, &ln);
		else
			publish_line(pb, &ln);
		if (uktv_kinesis_batch_count(pb->batch) >= batch_max)
			flush(pb);
	}
	flush(pb);
	return status;
}

/* What happened, on stderr: why it stopped early; with -v the figures. */
static void
summary(struct publisher *pb, struct uktv_ndjson_reader *reader, int status,
    double secs)
{
	const struct uktv_kinesis_batch_stats *bs;
	const struct uktv_aws_stats *as = uktv_aws_stats(pb->aws);

	bs = uktv_kinesis_batch_stats(pb->batch);
	if (pb->fatal.kind != UKTV_ERR_NONE) {
		uktv_log_error(&pb->log, &pb->fatal);
		uktv_log_warn(&pb->log, "stopped after line %llu: the input after "
		    "it was not read", pb->last_line);
	} else if (status != 0 && status != UKTV_EXIT_PIPE)
		uktv_log_warn(&pb->log, "stopped by %s after line %llu: %llu "
		    "record%s delivered, %llu not; the input after it was not read",
		    status - 128 == SIGINT ? "SIGINT" : "SIGTERM", pb->last_line,
		    (unsigned long long)bs->records, bs->records == 1 ? "" : "s",
		    pb->failed + pb->rejected);
	uktv_log_info(&pb->log, "records %llu, bytes %llu, calls %llu, "
	    "retries %llu (calls %ld, records %llu), failures %llu, "
	    "rejected %llu, blank lines %llu, %.3f s, %.0f records/s",
	    (unsigned long long)bs->records, (unsigned long long)bs->bytes,
	    (unsigned long long)bs->calls,
	    (unsigned long long)as->retries + bs->resent, as->retries,
	    (unsigned long long)bs->resent, pb->failed, pb->rejected,
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
	struct uktv_kinesis_stream	 stream;
	struct uktv_kinesis_batch_opts	 bopts;
	struct uktv_recordline_opts	 ro;
	const char			*dead_path;
	size_t				 batch_max;
};

static void
set_option(struct args *a, struct publisher *pb, int ch, const char *arg)
{
	long long n;

	switch (ch) {
	case 's': a->stream.name = arg; break;
	case OPT_STREAM_ARN: a->stream.arn = arg; break;
	case 'k': a->ro.key_path = arg; break;
	case OPT_EHK: a->ro.hash_key_path = arg; break;
	case OPT_ENVELOPE: a->ro.envelope = 1; break;
	case OPT_STRICT_ORDER: pb->strict_order = 1; break;
	case OPT_MAX_RATE:
		if (uktv_parse_uint(arg, 1, 1000000, &n) == -1)
			uktv_streamopt_usagef(&to, "--max-rate takes records per second from 1 to "
			    "1000000, not '%s'", arg);
		a->bopts.max_rate = (double)n;
		break;
	case OPT_RECORD_ATTEMPTS:
		if (uktv_parse_uint(arg, 1, 100, &n) == -1)
			uktv_streamopt_usagef(&to, "--record-attempts takes a number from 1 to 100, "
			    "not '%s'", arg);
		a->bopts.max_attempts = (int)n;
		break;
	case OPT_DEAD_LETTER: a->dead_path = arg; break;
	case OPT_RESULTS: pb->want_results = 1; break;
	}
}

static void
parse_args(int argc, char *argv[], struct args *a, struct publisher *pb)
{
	enum uktv_recordline_bad bad;
	int ch;

	uktv_toolopt_init(&to, PROG);
	to.synopsis = SYNOPSIS;
	to.usage = usage_text;
	while ((ch = uktv_toolopt_next(&to, argc, argv, "s:k:", longopts,
	    NULL)) != -1)
		set_option(a, pb, ch, optarg);
	if (optind < argc)
		uktv_streamopt_usagef(&to, "unexpected argument '%s': records come on stdin",
		    argv[optind]);
	if ((a->stream.name == NULL) == (a->stream.arn == NULL))
		usage(a->stream.name == NULL ? "name the stream with -s or "
		    "--stream-arn" : "-s and --stream-arn cannot be used together");
	if (a->ro.envelope && a->ro.key_path != NULL)
		usage("-k and --envelope cannot be used together: an envelope "
		    "carries its own partition key");
	a->ro.max_line = MAX_LINE;
	if ((pb->rl = uktv_recordline_new(&a->ro, &bad)) == NULL) {
		if (bad == UKTV_RECORDLINE_BAD_KEY_PATH)
			uktv_streamopt_usagef(&to, "-k takes a path such as .payload.id, not '%s'",
			    a->ro.key_path);
		if (bad == UKTV_RECORDLINE_BAD_HASH_PATH)
			uktv_streamopt_usagef(&to, "--explicit-hash-key takes a path such as "
			    ".hash_key, not '%s'", a->ro.hash_key_path);
		uktv_log_fatal(&pb->log, EX_OSERR, "out of memory");
	}
	/* Shard and sequence are read from the answer only to be printed. */
	a->bopts.brief_success = !pb->want_results;
	/* A paced stream sends small calls rather than a second's worth. */
	a->batch_max = UKTV_KINESIS_PUT_MAX_RECORDS;
	if (a->bopts.max_rate > 0 &&
	    a->bopts.max_rate < UKTV_KINESIS_PUT_MAX_RECORDS)
		a->batch_max = (size_t)(a->bopts.max_records =
		    (int)a->bopts.max_rate);
}

/* The dead letters, then region and credentials, before any input. */
static void
open_all(struct args *a, struct publisher *pb)
{
	struct uktv_error e;

	uktv_error_clear(&e);
	if (a->dead_path != NULL &&
	    (pb->dead = uktv_deadletter_open(a->dead_path, &e)) == NULL)
		uktv_log_die(&pb->log, &e);
	uktv_ndjson_writer_init(&pb->results, stdout);
	uktv_toolopt_catch_stop();
	pb->aws = uktv_toolopt_aws(&to);
	if (uktv_aws_region(pb->aws, &e) == NULL ||
	    uktv_awsconf_credentials(uktv_aws_conf(pb->aws),
	    uktv_aws_http(pb->aws), &e) == NULL)
		uktv_toolopt_die(&to, &e);
	if ((pb->batch = uktv_kinesis_batch_new(&a->stream, &a->bopts, &e)) ==
	    NULL)
		uktv_toolopt_die(&to, &e);
}

/* Every line of stdin sent; the summary; the outputs closed. */
static int
publish(struct args *a, struct publisher *pb)
{
	struct uktv_ndjson_reader *reader;
	struct uktv_error e;
	int oldfl, status;
	double t0;

	if ((reader = uktv_ndjson_reader_new(stdin, MAX_LINE)) == NULL)
		uktv_log_fatal_errno(&pb->log, EX_OSERR, errno, "reader");
	uktv_ndjson_reader_set_flags(reader, UKTV_NDJSON_BYTES_ONLY);
	oldfl = input_nonblocking(STDIN_FILENO);
	t0 = now_seconds();
	status = publish_all(pb, reader, a->batch_max);
	/* The reader went away while the last records were sent. */
	if (pb->closed && status == 0)
		status = UKTV_EXIT_PIPE;
	if (oldfl != -1)
		(void)fcntl(STDIN_FILENO, F_SETFL, oldfl);
	summary(pb, reader, status, now_seconds() - t0);
	uktv_error_clear(&e);
	if (uktv_deadletter_close(pb->dead, &e) == -1) {
		uktv_log_error(&pb->log, &e);
		pb->out_error = EIO;
	}
	if (!pb->closed && (fflush(stdout) == EOF || ferror(stdout))) {
		uktv_log_errno(&pb->log, errno, "stdout");
		pb->out_error = EIO;
	}
	uktv_ndjson_reader_free(reader);
	return status;
}

int
main(int argc, char *argv[])
{
	struct publisher pb;
	struct args a;
	int status;

	memset(&pb, 0, sizeof(pb));
	memset(&a, 0, sizeof(a));
	uktv_log_init(&pb.log, PROG, 0);
	parse_args(argc, argv, &a, &pb);
	uktv_log_init(&pb.log, PROG, to.verbosity);
	open_all(&a, &pb);
	status = publish(&a, &pb);
	uktv_kinesis_batch_free(pb.batch);
	uktv_recordline_free(pb.rl);
	uktv_aws_free(pb.aws);
	if (pb.fatal.kind != UKTV_ERR_NONE)
		return uktv_error_exit_code(&pb.fatal);
	if (pb.out_error)
		return EX_IOERR;
	if (status != 0)
		return status;
	return pb.failed + pb.rejected > 0 ? 1 : 0;
}
