/*
 * provider_container.h: container credentials (ECS, EKS Pod Identity):
 * AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI, with
 * AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE) (source "container").
 */
#ifndef UKTV_PROVIDER_CONTAINER_H
#define UKTV_PROVIDER_CONTAINER_H

#include "provider.h"

int	uktv_provider_container(struct uktv_provider_ctx *,
	    struct uktv_creds *out, struct uktv_error *);

#endif
