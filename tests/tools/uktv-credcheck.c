/*
 * uktv-credcheck: resolves AWS credentials through libuktv's chain and says
 * which were used, for the credentials tests.  Not installed.
 *
 *   uktv-credcheck [shared options] [-n COUNT] [--margin SECONDS]
 *
 * Asks the client's awsconf for credentials COUNT times (default 1) and
 * prints one JSON line per call: the provider ("source"), the access key id,
 * whether a session token came with it, the seconds until expiry (0: none)
 * and how many provider fetches the process has made so far.  Never the
 * secret key or the token.  --margin sets the refresh margin (seconds before
 * expiry at which credentials are fetched again), so a test can force a
 * refresh on every call (a margin longer than the credentials live) or prove
 * that fresh ones are not fetched again, without waiting.  On error the
 * message goes to stderr and the exit code is the error's sysexits code.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "private/awsconf.h"
#include "toolopt.h"

enum { OPT_MARGIN = UKTV_OPT_FIRST_FREE };

static void
usage_text(FILE *fp)
{
	fprintf(fp,
	    "usage: uktv-credcheck [options] [-n COUNT] [--margin SECONDS]\n"
	    "  -n COUNT                ask for credentials COUNT times (default 1)\n"
	    "  --margin SECONDS        refresh this long before expiry\n"
	    UKTV_TOOLOPT_USAGE);
}

int
main(int argc, char *argv[])
{
	static struct option longopts[] = {
		UKTV_TOOLOPT_LONGOPTS,
		{ "margin", required_argument, NULL, OPT_MARGIN },
		{ NULL, 0, NULL, 0 }
	};
	struct uktv_toolopt to;
	struct uktv_error e;
	struct uktv_aws *aws;
	struct uktv_awsconf *conf;
	const struct uktv_creds *cr;
	const char *errstr;
	long long count = 1, margin = -1;
	int ch, rc = 0;

	uktv_toolopt_init(&to, "uktv-credcheck");
	to.usage = usage_text;
	while ((ch = getopt_long(argc, argv, "n:" UKTV_TOOLOPT_SHORT, longopts,
	    NULL)) != -1) {
		if (uktv_toolopt_getopt(&to, ch, optarg))
			continue;
		switch (ch) {
		case 'n':
			count = strtonum(optarg, 1, 1000, &errstr);
			if (errstr != NULL)
				uktv_toolopt_usage(&to, "-n takes a count from 1 to 1000");
			break;
		case OPT_MARGIN:
			margin = strtonum(optarg, 0, 86400, &errstr);
			if (errstr != NULL)
				uktv_toolopt_usage(&to, "--margin takes seconds from 0 to 86400");
			break;
		default:
			uktv_toolopt_usage(&to, "unknown option");
		}
	}
	if (optind != argc)
		uktv_toolopt_usage(&to, "no arguments are taken");

	aws = uktv_toolopt_aws(&to);
	conf = uktv_aws_conf(aws);
	if (margin >= 0)
		uktv_awsconf_set_refresh_margin(conf, (long)margin);
	uktv_error_clear(&e);
	for (long long i = 1; i <= count; i++) {
		struct json_object *o;
		long left = 0;

		if ((cr = uktv_awsconf_credentials(conf, uktv_aws_http(aws),
		    &e)) == NULL) {
			fprintf(stderr, "uktv-credcheck: %s\n", e.message);
			rc = uktv_error_exit_code(&e);
			break;
		}
		if (cr->expiration != 0)
			left = (long)(cr->expiration - time(NULL));
		o = json_object_new_object();
		json_object_object_add(o, "call", json_object_new_int64(i));
		json_object_object_add(o, "source",
		    json_object_new_string(cr->source ? cr->source : ""));
		json_object_object_add(o, "access_key_id",
		    json_object_new_string(cr->access_key_id));
		json_object_object_add(o, "session_token",
		    json_object_new_boolean(cr->session_token != NULL));
		json_object_object_add(o, "expires_in",
		    json_object_new_int64(left));
		json_object_object_add(o, "fetches",
		    json_object_new_int64(uktv_awsconf_credential_fetches(conf)));
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		fflush(stdout);
		json_object_put(o);
	}
	uktv_aws_free(aws);
	return rc;
}
