/*
 * private/sigv4.h: presigning and the intermediate strings of a signature,
 * for the unit tests, the fuzzer and the aws-c-auth suite driver; no
 * library module presigns.  Not installed: include as "private/sigv4.h".
 */
#ifndef UKTV_PRIVATE_SIGV4_H
#define UKTV_PRIVATE_SIGV4_H

#include "../sigv4.h"

/*
 * Presigned-URL signing: returns the complete query string (without '?') to
 * send: the request's own parameters plus X-Amz-Algorithm, X-Amz-Credential,
 * X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders, (X-Amz-Security-Token) and
 * X-Amz-Signature.  Caller frees.
 */
char	*uktv_sigv4_presign_query(struct uktv_sigv4_signer *,
	    const struct uktv_sigv4_config *, const struct uktv_sigv4_creds *,
	    const struct uktv_sigv4_request *, struct uktv_error *);

/* The intermediate strings, for the test suite and -v debugging.  Caller frees. */
char	*uktv_sigv4_canonical_request(const struct uktv_sigv4_config *,
	    const struct uktv_sigv4_creds *, const struct uktv_sigv4_request *,
	    int presign);
char	*uktv_sigv4_string_to_sign(const struct uktv_sigv4_config *,
	    const char *canonical_request);
/* Canonical URI of a wire path under the config's normalise/double-encode rules. */
char	*uktv_sigv4_canonical_uri(const struct uktv_sigv4_config *, const char *path);

/* How many signing keys the signer has derived (cache misses), for tests. */
unsigned long	uktv_sigv4_signer_derivations(const struct uktv_sigv4_signer *);

#endif
