/*
 * provider_env.h: the environment's keys: AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (source "environment").
 */
#ifndef UKTV_PROVIDER_ENV_H
#define UKTV_PROVIDER_ENV_H

#include "provider.h"

int	uktv_provider_env(struct uktv_provider_ctx *, struct uktv_creds *out,
	    struct uktv_error *);

#endif
