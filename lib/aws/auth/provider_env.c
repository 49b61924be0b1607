/*
 * provider_env.c: see provider_env.h.
 */
#include "private/provider_env.h"

/* AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY [+ AWS_SESSION_TOKEN]. */
int
uktv_provider_env(struct uktv_provider_ctx *p, struct uktv_creds *out,
    struct uktv_error *err)
{
	const struct uktv_awsconf *c = p->conf;
	const char *ak = uktv_awsconf_env(c, "AWS_ACCESS_KEY_ID");
	const char *sk = uktv_awsconf_env(c, "AWS_SECRET_ACCESS_KEY");

	if (ak == NULL && sk == NULL)
		return 0;
	p->fetches++;
	if (ak == NULL || sk == NULL)
		return uktv_error_set(err, UKTV_ERR_CONFIG, "%s is set but %s "
		    "is not", ak ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
		    ak ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
	if (uktv_creds_set(out, ak, sk, uktv_awsconf_env(c, "AWS_SESSION_TOKEN"), 0,
	    "environment", err) == -1)
		return -1;
	return 1;
}
