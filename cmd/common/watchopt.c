/*
 * watchopt.c: see watchopt.h.
 */
#include <stdio.h>
#include <stdlib.h>

#include "awsconf.h"
#include "watchopt.h"

enum uktv_toolopt_result
uktv_watchopt_handle(struct uktv_watchmode_opts *o, int ch, const char *arg,
    char *why, size_t whylen)
{
	switch (ch) {
	case UKTV_OPT_API_KEY_FILE:
	case UKTV_OPT_API_KEY_SECRET:
		if (arg == NULL || *arg == '\0') {
			snprintf(why, whylen, "--%s needs a value",
			    ch == UKTV_OPT_API_KEY_FILE ? "api-key-file" :
			    "api-key-secret");
			return UKTV_TOOLOPT_BAD;
		}
		if ((ch == UKTV_OPT_API_KEY_FILE && o->api_key_secret != NULL) ||
		    (ch == UKTV_OPT_API_KEY_SECRET && o->api_key_file != NULL)) {
			snprintf(why, whylen, "--api-key-file and "
			    "--api-key-secret cannot be used together");
			return UKTV_TOOLOPT_BAD;
		}
		if (ch == UKTV_OPT_API_KEY_FILE)
			o->api_key_file = arg;
		else
			o->api_key_secret = arg;
		return UKTV_TOOLOPT_HANDLED;
	case UKTV_OPT_KEY_IN_QUERY:
		o->key_in_query = 1;
		return UKTV_TOOLOPT_HANDLED;
	default:
		return UKTV_TOOLOPT_NOT_MINE;
	}
}

int
uktv_watchopt_next(struct uktv_toolopt *to, struct uktv_watchmode_opts *wo,
    int argc, char *const argv[], const char *optstring,
    const struct option *longopts)
{
	char why[300];
	int ch;

	while ((ch = uktv_toolopt_next(to, argc, argv, optstring, longopts,
	    NULL)) != -1) {
		switch (uktv_watchopt_handle(wo, ch, optarg, why, sizeof(why))) {
		case UKTV_TOOLOPT_HANDLED:
			continue;
		case UKTV_TOOLOPT_BAD:
			uktv_toolopt_usage(to, why);
		default:
			return ch;
		}
	}
	return -1;
}

struct uktv_watchmode *
uktv_watchopt_client(struct uktv_http *http, struct uktv_aws *aws,
    const struct uktv_watchmode_opts *opts, struct uktv_error *err)
{
	struct uktv_watchmode_opts o = { 0 };
	struct uktv_awsconf *conf;

	if (opts != NULL)
		o = *opts;
	if (o.endpoint_url == NULL)
		o.endpoint_url = getenv("WATCHMODE_ENDPOINT_URL");
	if (o.api_key == NULL)
		o.api_key = getenv("WATCHMODE_API_KEY");
	/* Without an AWS client (the unit tests, the fuzz target) the retry
	 * base still comes from the configuration layer, where tests shorten
	 * it; a configuration that does not load leaves the client's default. */
	if (aws == NULL && !o.retry_base_set &&
	    (conf = uktv_awsconf_load(NULL, NULL)) != NULL) {
		o.retry_base_ms = uktv_awsconf_retry_base_ms(conf);
		o.retry_base_set = 1;
		uktv_awsconf_free(conf);
	}
	return uktv_watchmode_open(http, aws, &o, err);
}
