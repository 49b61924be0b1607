/*
 * uktv-awscall: calls one AWS JSON operation through libuktv, for the
 * foundation's tests (signing, retries, errors, keep-alive against moto and
 * the fault proxy).  Not installed.
 *
 *   uktv-awscall [shared options] [-n COUNT] SERVICE OPERATION [JSON]
 *
 * SERVICE is dynamodb, dynamodbstreams, kinesis or secretsmanager.  The
 * answer goes to stdout as one JSON line per call; on error the message goes
 * to stderr and the exit code is the error's sysexits code.  With -n the
 * call is made COUNT times on one client (keep-alive).  Prints, with -v, the
 * client's request/retry/throttle counts and HTTP connections on stderr.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "awsjson.h"
#include "private/http.h"
#include "toolopt.h"

static void
usage_text(FILE *fp)
{
	fprintf(fp,
	    "usage: uktv-awscall [options] [-n COUNT] SERVICE OPERATION [JSON]\n"
	    UKTV_TOOLOPT_USAGE);
}

int
main(int argc, char *argv[])
{
	static struct option longopts[] = {
		UKTV_TOOLOPT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const struct uktv_aws_service *svc;
	struct uktv_toolopt to;
	struct uktv_error e;
	struct uktv_aws *aws;
	struct json_object *req = NULL, *resp;
	const char *errstr;
	long long count = 1;
	int ch, rc = 0;

	uktv_toolopt_init(&to, "uktv-awscall");
	to.usage = usage_text;
	while ((ch = getopt_long(argc, argv, "n:" UKTV_TOOLOPT_SHORT, longopts,
	    NULL)) != -1) {
		if (uktv_toolopt_getopt(&to, ch, optarg))
			continue;
		switch (ch) {
		case 'n':
			count = strtonum(optarg, 1, 100000, &errstr);
			if (errstr != NULL)
				uktv_toolopt_usage(&to, "-n takes a count from 1 to 100000");
			break;
		default:
			uktv_toolopt_usage(&to, "unknown option");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2 || argc > 3)
		uktv_toolopt_usage(&to, "give SERVICE OPERATION [JSON]");
	if (strcmp(argv[0], "dynamodb") == 0)
		svc = &uktv_svc_dynamodb;
	else if (strcmp(argv[0], "dynamodbstreams") == 0)
		svc = &uktv_svc_dynamodb_streams;
	else if (strcmp(argv[0], "kinesis") == 0)
		svc = &uktv_svc_kinesis;
	else if (strcmp(argv[0], "secretsmanager") == 0)
		svc = &uktv_svc_secretsmanager;
	else
		uktv_toolopt_usage(&to, "SERVICE is dynamodb, dynamodbstreams, kinesis or secretsmanager");
	if (argc == 3 && (req = json_tokener_parse(argv[2])) == NULL)
		uktv_toolopt_usage(&to, "JSON does not parse");

	aws = uktv_toolopt_aws(&to);
	uktv_error_clear(&e);
	for (long long i = 0; i < count; i++) {
		if (uktv_awsjson_call(aws, svc, argv[1], req, &resp, &e) == -1) {
			fprintf(stderr, "uktv-awscall: %s\n", e.message);
			rc = uktv_error_exit_code(&e);
			break;
		}
		puts(json_object_to_json_string_ext(resp, JSON_C_TO_STRING_PLAIN));
		json_object_put(resp);
	}
	if (to.verbosity >= 1) {
		const struct uktv_aws_stats *st = uktv_aws_stats(aws);

		fprintf(stderr, "uktv-awscall: requests=%ld retries=%ld "
		    "throttles=%ld connections=%ld\n", st->requests, st->retries,
		    st->throttles, uktv_http_connections(uktv_aws_http(aws)));
	}
	json_object_put(req);
	uktv_aws_free(aws);
	return rc;
}
