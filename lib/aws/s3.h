/*
 * s3.h: the three S3 operations a static site needs (PutObject,
 * ListObjectsV2, DeleteObject), and a sync of an in-memory set of files to a
 * "folder" (a key prefix) that sends only what changed.
 *
 * S3 is a REST + XML service and is signed by its own SigV4 rules (Amazon S3
 * API Reference, "Signature Calculations for the Authorization Header"): the
 * path is URI-encoded once and never normalised, and x-amz-content-sha256 is
 * sent and signed; lib/aws/aws.c does that for a request with s3 = 1.
 *
 * Addressing.  With an endpoint configured (--endpoint-url,
 * AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's services section:
 * moto, MinIO, a VPC endpoint) requests are path-style,
 * ENDPOINT/BUCKET/KEY.  Without one they are virtual-hosted style,
 * https://BUCKET.s3.REGION.amazonaws.com/KEY, as AWS prefers, except for
 * bucket names that are not valid host labels under TLS (dots): those go
 * path-style to https://s3.REGION.amazonaws.com/BUCKET/KEY.
 *
 * Keys are URI-encoded per segment (RFC 3986 unreserved characters kept,
 * '/' kept, every other byte %XX: spaces and UTF-8 work).  A key is 1 to
 * UKTV_S3_KEY_MAX bytes and has no "." or ".." segment (those would be
 * normalised away by HTTP clients and break the signature).
 *
 * Nothing here prints or exits; calls return 0 / -1 with struct uktv_error.
 * S3's XML errors (<Error><Code>...) are turned into err by lib/aws/aws.c.
 */
#ifndef UKTV_S3_H
#define UKTV_S3_H

#include <stddef.h>

#include "aws.h"
#include "error.h"

/* Amazon S3 User Guide, "Naming Amazon S3 objects": keys are at most 1024
 * bytes of UTF-8. */
#define UKTV_S3_KEY_MAX		1024
/* ListObjectsV2 returns at most 1000 keys per page (MaxKeys default). */
#define UKTV_S3_LIST_MAX_KEYS	1000
/* Bucket names: 3-63 characters (S3 User Guide, "Bucket naming rules"). */
#define UKTV_S3_BUCKET_MAX	63
/* UKTV_S3_MAX_KEYS=N (1-1000) makes ListObjectsV2 pages smaller, so tests
 * see continuation tokens without a thousand objects. */
#define UKTV_S3_MAX_KEYS_ENV	"UKTV_S3_MAX_KEYS"

/* One listed object. */
struct uktv_s3_object {
	char		*key;		/* decoded */
	char		*etag;		/* without its quotes; the MD5 in hex
					 * for a single-part upload */
	long long	 size;
};

struct uktv_s3_objects {
	struct uktv_s3_object	*v;
	size_t			 n;
	size_t			 cap;
};

/*
 * Splits "s3://BUCKET[/PREFIX]" into the bucket and a folder prefix: ""
 * for the bucket's top, else PREFIX with exactly one trailing '/'
 * ("s3://b/site" and "s3://b/site/" are both "site/").  Caller frees both.
 * -1 with why on a URL that is not of that form, a bad bucket name or a
 * prefix with an empty, "." or ".." segment.
 */
int	uktv_s3_url_parse(const char *url, char **bucket, char **prefix,
	    char *why, size_t whylen);

/* ---- a client for one bucket ---- */

struct uktv_s3;

/*
 * A client for bucket over aws (borrowed: it must outlive the handle).
 * Works out the addressing style from the configured endpoint (the region
 * is needed: UKTV_ERR_CONFIG without one).  The aws client caches endpoints
 * by service, and a virtual-hosted handle is its own service: use one
 * handle per bucket for the aws client's whole life.  Caller frees with
 * uktv_s3_free.
 */
struct uktv_s3 *uktv_s3_new(struct uktv_aws *, const char *bucket,
	    struct uktv_error *);
void	uktv_s3_free(struct uktv_s3 *);
/* 1 path-style, 0 virtual-hosted. */
int	uktv_s3_path_style(const struct uktv_s3 *);

/* ---- sync of a set of files to a folder ---- */

struct uktv_s3_file {
	const char	*name;		/* relative to the prefix: "a/b.html" */
	const void	*body;
	size_t		 len;
	const char	*content_type;	/* NULL: uktv_s3_content_type(name) */
	const char	*cache_control;	/* NULL: uktv_s3_cache_control(name) */
};

enum uktv_s3_sync_action {
	UKTV_S3_UPLOADED = 0,	/* new or changed: PutObject */
	UKTV_S3_DELETED		/* under the prefix, not in the set */
};

/* Told of each object sent or deleted (key is the whole key). */
typedef void (*uktv_s3_sync_fn)(enum uktv_s3_sync_action, const char *key,
	    void *arg);

struct uktv_s3_sync_stats {
	long	listed;		/* objects found under the prefix */
	long	uploaded;
	long	unchanged;	/* listed ETag equal to the file's MD5 */
	long	deleted;
};

/*
 * Makes the objects under prefix (a folder prefix from uktv_s3_url_parse)
 * the files: one listing (all pages); each file whose MD5 differs from the
 * listed object's ETag, or that is not listed, is put; then every listed
 * object under the prefix that is not a file is deleted (the prefix belongs
 * to the caller).  Stops at the first failure (-1 with err; what was done
 * so far is in stats and was told to fn).  Names must be distinct.
 */
int	uktv_s3_sync(struct uktv_s3 *, const char *prefix,
	    const struct uktv_s3_file *files, size_t nfiles,
	    uktv_s3_sync_fn, void *arg, struct uktv_s3_sync_stats *,
	    struct uktv_error *);

#endif
