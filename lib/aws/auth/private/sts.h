/*
 * private/sts.h: the pure parts of sts.c (the form body, the answer and
 * error parsers), for the unit tests and the fuzzers.
 * Not installed: tests include it as "private/sts.h".
 */
#ifndef UKTV_PRIVATE_STS_H
#define UKTV_PRIVATE_STS_H

#include "../sts.h"

/* The form body for action ("AssumeRole" or "AssumeRoleWithWebIdentity"),
 * every value percent-encoded.  Holds the token: caller wipes and frees. */
char	*uktv_sts_form_body(const struct uktv_sts_request *, const char *action);
/* Fills out from a successful answer's <Credentials> element; -1 with
 * UKTV_ERR_SERVICE naming the missing field (never a value). */
int	uktv_sts_parse_credentials(const char *xml, const char *source,
	    struct uktv_creds *out, struct uktv_error *);
/* Fills err from an error answer (<Error><Code>/<Message>, <RequestId>):
 * kind, code, http_status, retryable and a one-line message. */
void	uktv_sts_parse_error(long status, const char *xml, struct uktv_error *);

#endif
