/*
 * sigv4.h: AWS Signature Version 4, header and presigned-query signing.
 *
 * Owns: the signing-key cache (one derived key per date/region/service/key id),
 * wiped with explicit_bzero when replaced or freed.  Follows the AWS SigV4
 * documentation and passes the aws-c-auth signing suite in
 * tests/fixtures/sigv4 (see tests/tools/sigv4-suite.c).
 */
#ifndef UKTV_SIGV4_H
#define UKTV_SIGV4_H

#include <stddef.h>
#include <time.h>

#include "error.h"
#include "http.h"

struct uktv_sigv4_creds {
	const char	*access_key_id;
	const char	*secret_access_key;
	const char	*session_token;		/* NULL when none */
};

struct uktv_sigv4_config {
	const char	*region;
	const char	*service;		/* signing name, e.g. "dynamodb" */
	time_t		 now;			/* signing time (UTC) */
	int		 normalize_path;	/* 1 for all services but S3 */
	int		 double_encode;		/* 1 for all services but S3 */
	int		 sign_body;		/* add and sign x-amz-content-sha256 */
	int		 omit_session_token;	/* add the token after signing, unsigned */
	long		 expires;		/* presigning: X-Amz-Expires seconds */
};

struct uktv_sigv4_request {
	const char		*method;
	const char		*path;		/* as sent on the wire ("/" if empty) */
	const char		*query;		/* as sent, without '?'; NULL if none */
	const struct uktv_header *headers;	/* must include Host */
	size_t			 nheaders;
	const void		*body;
	size_t			 body_len;
};

struct uktv_sigv4_signer;

/* Caller frees with uktv_sigv4_signer_free (which wipes cached keys). */
struct uktv_sigv4_signer *uktv_sigv4_signer_new(void);
void	uktv_sigv4_signer_free(struct uktv_sigv4_signer *);

/*
 * Header signing.  *out receives the headers to ADD to the request, in this
 * order: X-Amz-Date, x-amz-content-sha256 (when sign_body), X-Amz-Security-Token
 * (when a token is given), Authorization.  Caller frees with
 * uktv_sigv4_headers_free.  signer may be NULL (no cache).
 */
int	uktv_sigv4_sign_headers(struct uktv_sigv4_signer *,
	    const struct uktv_sigv4_config *, const struct uktv_sigv4_creds *,
	    const struct uktv_sigv4_request *,
	    struct uktv_header **out, size_t *nout, struct uktv_error *);
void	uktv_sigv4_headers_free(struct uktv_header *, size_t);

/*
 * Additions (sigv4.c):
 *
 * Headers the signer supplies are not signed from req->headers: Authorization
 * and X-Amz-Date always, X-Amz-Security-Token when creds carry a token,
 * x-amz-content-sha256 when sign_body (so re-signing a retried request that
 * still carries the old ones is safe; the caller replaces them with *out).
 * Without sign_body, a caller's own x-amz-content-sha256 (e.g. S3's
 * UNSIGNED-PAYLOAD) is signed and used as the payload hash; otherwise the
 * payload hash is always the SHA-256 of the body.  req->query must not carry
 * X-Amz-* signing parameters already.  A signer is not thread-safe.
 */

/* Longest presigned-URL lifetime AWS accepts (X-Amz-Expires), seven days. */
#define UKTV_SIGV4_MAX_EXPIRES	604800L

#endif
