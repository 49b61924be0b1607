/*
 * provider_process.h: credential_process (SDK reference guide, "Process
 * credential provider"), run through /bin/sh -c with a timeout (source
 * "credential_process").
 */
#ifndef UKTV_PROVIDER_PROCESS_H
#define UKTV_PROVIDER_PROCESS_H

#include "provider.h"

int	uktv_provider_process(struct uktv_provider_ctx *, const char *profile,
	    struct uktv_creds *out, struct uktv_error *);

#endif
