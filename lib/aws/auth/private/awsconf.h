/*
 * private/awsconf.h: the configuration's test seams: the refresh
 * margin, the fetch count, the retry mode as read.
 * Not installed: tests include it as "private/awsconf.h".
 */
#ifndef UKTV_PRIVATE_AWSCONF_H
#define UKTV_PRIVATE_AWSCONF_H

#include "../awsconf.h"

/* Seconds before expiration at which cached credentials are refreshed
 * (default 300; AWS_CREDENTIALS_REFRESH_MARGIN overrides, for tests). */
void	uktv_awsconf_set_refresh_margin(struct uktv_awsconf *, long seconds);

long	uktv_awsconf_refresh_margin(const struct uktv_awsconf *);

const char *uktv_awsconf_retry_mode(const struct uktv_awsconf *);
/* How many times the chain fetched credentials (tests count refreshes): one
 * per provider invoked, a whole assume-role / SSO / web identity resolution
 * (however many profiles and calls it took) counting once. */
long	uktv_awsconf_credential_fetches(const struct uktv_awsconf *);

#endif
