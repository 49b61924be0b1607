/*
 * provider_profile.c: see provider_profile.h.
 */
#include "private/provider_profile.h"

/* aws_access_key_id / aws_secret_access_key [/ aws_session_token] of the
 * profile in one file. */
int
uktv_provider_profile(struct uktv_provider_ctx *p,
    const struct uktv_profile_file *f, const char *profile,
    struct uktv_creds *out, struct uktv_error *err)
{
	const char *ak = uktv_profile_value(f, profile, "aws_access_key_id");
	const char *sk = uktv_profile_value(f, profile, "aws_secret_access_key");

	if (ak == NULL && sk == NULL)
		return 0;
	p->fetches++;
	if (ak == NULL || sk == NULL)
		return uktv_error_set(err, UKTV_ERR_CONFIG,
		    "profile \"%s\" in %s has %s but no %s", profile,
		    f->path, ak ? "aws_access_key_id" : "aws_secret_access_key",
		    ak ? "aws_secret_access_key" : "aws_access_key_id");
	if (uktv_creds_set(out, ak, sk,
	    uktv_profile_value(f, profile, "aws_session_token"), 0, "profile",
	    err) == -1)
		return -1;
	return 1;
}
