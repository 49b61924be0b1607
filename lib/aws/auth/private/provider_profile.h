/*
 * provider_profile.h: static keys of a profile in one of the two files:
 * aws_access_key_id, aws_secret_access_key and aws_session_token (source
 * "profile").
 */
#ifndef UKTV_PROVIDER_PROFILE_H
#define UKTV_PROVIDER_PROFILE_H

#include "provider.h"

int	uktv_provider_profile(struct uktv_provider_ctx *,
	    const struct uktv_profile_file *, const char *profile,
	    struct uktv_creds *out, struct uktv_error *);

#endif
