/*
 * secrets.h: AWS Secrets Manager GetSecretValue (SecretString only).
 */
#ifndef UKTV_SECRETS_H
#define UKTV_SECRETS_H

#include "aws.h"

/*
 * Returns the secret's SecretString (caller wipes with explicit_bzero and
 * frees), or NULL with err set.  The secret never goes into err.
 */
char	*uktv_secrets_get_string(struct uktv_aws *, const char *secret_id,
	    struct uktv_error *);

#endif
