/*
 * aws.h: a client for AWS services: configuration (awsconf), one HTTP handle,
 * a SigV4 signer with its key cache, and the SDKs' "standard" retry mode.
 *
 * Owns: all of those; uktv_aws_free releases them and wipes secrets.
 * uktv_aws_send signs and sends one request, retrying throttling and transient
 * errors with full-jitter exponential backoff under a retry quota, and turns
 * an error answer into a typed struct uktv_error (code from X-Amzn-ErrorType,
 * then a JSON "__type"/"code" (namespace prefix stripped), then an XML
 * <Code>/<Message> as moto and the Query/REST services send, else the HTTP
 * status).  Protocol modules (awsjson, sts, s3) build on it.
 */
#ifndef UKTV_AWS_H
#define UKTV_AWS_H

#include <stddef.h>

#include "awsconf.h"
#include "chain.h"
#include "endpoints.h"
#include "awsservice.h"
#include "error.h"
#include "http.h"

struct uktv_aws_opts {
	const char	*profile;		/* --profile */
	const char	*region;		/* --region */
	const char	*endpoint_url;		/* --endpoint-url */
	long		 connect_timeout_ms;	/* --connect-timeout, 0: 5 s */
	long		 read_timeout_ms;	/* --read-timeout, 0: 60 s */
	long		 attempt_timeout_ms;	/* --attempt-timeout, 0: 120 s */
	const char	*ca_bundle;		/* --ca-bundle, else AWS_CA_BUNDLE */
	void		(*trace)(void *arg, const char *line);	/* -v -v */
	void		*trace_arg;
};

struct uktv_aws_request {
	const struct uktv_aws_service *svc;
	const char		*method;
	const char		*path;		/* wire path below the endpoint, "/" */
	const char		*query;		/* wire query without '?', or NULL */
	const struct uktv_header *headers;	/* Content-Type, X-Amz-Target, ... */
	size_t			 nheaders;
	const void		*body;
	size_t			 body_len;
	int			 s3;		/* S3 signing: no normalising, single
						 * encoding, x-amz-content-sha256 */
};

struct uktv_aws_stats {
	long	requests;	/* HTTP requests sent, retries included */
	long	retries;
	long	throttles;	/* answers with a throttling code */
};

struct uktv_aws;

/* Caller frees with uktv_aws_free.  Fails (UKTV_ERR_CONFIG) on a bad profile
 * or bad retry settings; region and credentials are checked on first use. */
struct uktv_aws *uktv_aws_new(const struct uktv_aws_opts *, struct uktv_error *);
void	uktv_aws_free(struct uktv_aws *);

struct uktv_awsconf *uktv_aws_conf(struct uktv_aws *);
struct uktv_http *uktv_aws_http(struct uktv_aws *);
const struct uktv_aws_stats *uktv_aws_stats(const struct uktv_aws *);
/* Fails with UKTV_ERR_CONFIG and one clear line when no region is set. */
const char *uktv_aws_region(struct uktv_aws *, struct uktv_error *);

/*
 * Signs and sends req; on success (2xx) resp holds the answer (free with
 * uktv_http_response_free).  On an error answer resp is freed, err is filled
 * (kind, code, message, request id, http_status) and -1 is returned: the
 * retryable ones only after the configured attempts.
 */
int	uktv_aws_send(struct uktv_aws *, const struct uktv_aws_request *,
	    struct uktv_http_response *, struct uktv_error *);

/* Classifies an AWS error code (exposed for tests and for callers that
 * retry at their own level, e.g. partial PutRecords failures). */
int	uktv_aws_code_is_throttle(const char *code);
int	uktv_aws_code_is_transient(const char *code, long http_status);

/* Sleeps for the standard mode's backoff before retry number attempt (1..):
 * a random time in [0, min(base * 2^(attempt-1), 20 s)].  base is
 * UKTV_RETRY_BASE_MS (default 1000 ms: the SDKs' value). */
void	uktv_aws_backoff(struct uktv_aws *, int attempt);
/* The base of every retry wait (uktv_awsconf_retry_base_ms): one setting
 * for every retrying client built on this one. */
long	uktv_aws_retry_base_ms(const struct uktv_aws *);

#endif
