/*
 * provider_imds.h: EC2 instance metadata, IMDSv2 with botocore's IMDSv1
 * fallback (source "imds").  Off with AWS_EC2_METADATA_DISABLED.  Nothing
 * found is not an error: 0, with why saying what happened for the chain's
 * message.
 */
#ifndef UKTV_PROVIDER_IMDS_H
#define UKTV_PROVIDER_IMDS_H

#include <stddef.h>

#include "provider.h"

int	uktv_provider_imds(struct uktv_provider_ctx *, struct uktv_creds *out,
	    char *why, size_t whylen, struct uktv_error *);

#endif
