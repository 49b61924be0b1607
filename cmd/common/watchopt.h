/*
 * watchopt.h: the Watchmode options every tool that calls Watchmode shares
 * (long only; the values sit between toolopt's shared set and the tools'
 * own range), and the environment the Watchmode client takes its endpoint
 * and key from.  The client itself (lib/guide/watchmode.h) reads neither
 * argv nor the environment.
 *
 *   static struct option longopts[] = {
 *           UKTV_TOOLOPT_LONGOPTS, UKTV_WATCHOPT_LONGOPTS, ...
 *   };
 *   struct uktv_watchmode_opts wo = { 0 };
 *   ... getopt loop: uktv_watchopt_handle(&wo, ch, optarg, why, sizeof(why))
 *   wm = uktv_watchopt_client(uktv_aws_http(aws), aws, &wo, &err);
 */
#ifndef UKTV_WATCHOPT_H
#define UKTV_WATCHOPT_H

#include <stddef.h>

#include "toolopt.h"
#include "watchmode.h"

enum {
	UKTV_OPT_API_KEY_FILE = 0x1040,
	UKTV_OPT_API_KEY_SECRET,
	UKTV_OPT_KEY_IN_QUERY
};

#define UKTV_WATCHOPT_LONGOPTS						\
	{ "api-key-file",	required_argument, NULL, UKTV_OPT_API_KEY_FILE }, \
	{ "api-key-secret",	required_argument, NULL, UKTV_OPT_API_KEY_SECRET }, \
	{ "key-in-query",	no_argument,	   NULL, UKTV_OPT_KEY_IN_QUERY }

#define UKTV_WATCHOPT_USAGE						\
	"  --api-key-file FILE     Watchmode API key: first line of FILE\n" \
	"  --api-key-secret ARN    Watchmode API key: a Secrets Manager secret\n" \
	"                          (default: WATCHMODE_API_KEY)\n"		\
	"  --key-in-query          send the key as the legacy apiKey parameter\n"

/*
 * Handles one of the options above (UKTV_TOOLOPT_HANDLED), says
 * UKTV_TOOLOPT_NOT_MINE for others, or UKTV_TOOLOPT_BAD with why filled
 * (--api-key-file and --api-key-secret together, an empty value).
 */
enum uktv_toolopt_result uktv_watchopt_handle(struct uktv_watchmode_opts *,
	    int ch, const char *arg, char *why, size_t whylen);

/*
 * uktv_toolopt_next for a tool that also takes the options above: handles
 * those (a bad one is a usage error) and returns the next of the tool's
 * own, or -1 at the end.
 */
int	uktv_watchopt_next(struct uktv_toolopt *, struct uktv_watchmode_opts *,
	    int argc, char *const argv[], const char *optstring,
	    const struct option *longopts);

/*
 * uktv_watchmode_open with the environment filled in where the options
 * leave it open: WATCHMODE_ENDPOINT_URL (endpoint_url), WATCHMODE_API_KEY
 * (api_key).  The retry base comes from aws (uktv_aws_retry_base_ms), or
 * without aws from the configuration (uktv_awsconf_retry_base_ms).
 */
struct uktv_watchmode *uktv_watchopt_client(struct uktv_http *,
	    struct uktv_aws *, const struct uktv_watchmode_opts *,
	    struct uktv_error *);

/* The names these had while they lived in watchmode.h, for the tools that
 * still use them (uktv-consume). */
#define UKTV_WATCHMODE_LONGOPTS		UKTV_WATCHOPT_LONGOPTS
#define UKTV_WATCHMODE_USAGE		UKTV_WATCHOPT_USAGE
#define uktv_watchmode_opt_handle	uktv_watchopt_handle
#define uktv_watchmode_new		uktv_watchopt_client

#endif
