/*
 * private/s3.h: the pure parts of s3.c (names, keys, the listing parser,
 * ETags, content types) for the unit tests and the fuzzer.
 * Not installed: tests include it as "private/s3.h".
 */
#ifndef UKTV_PRIVATE_S3_H
#define UKTV_PRIVATE_S3_H

#include "../s3.h"

void	uktv_s3_objects_init(struct uktv_s3_objects *);
void	uktv_s3_objects_free(struct uktv_s3_objects *);

/* ---- pure parts (no client; unit-tested) ---- */

/* 1 if name follows the bucket naming rules (3-63 of a-z 0-9 . -, starting
 * and ending with a letter or digit, no "..", not an IP address). */
int	uktv_s3_bucket_valid(const char *name);
/* 1 if key may be sent (see the top of this file). */
int	uktv_s3_key_valid(const char *key);
/* The key as a URI path without the leading '/': each segment
 * percent-encoded, '/' kept.  Caller frees; NULL on OOM. */
char	*uktv_s3_key_encode(const char *key);
/*
 * Parses one ListObjectsV2 answer (<ListBucketResult>): appends each
 * <Contents> (Key, ETag, Size) to out, sets *truncated from IsTruncated and
 * *next_token (caller frees; NULL when absent) from NextContinuationToken.
 * Keys listed with <EncodingType>url</EncodingType> are percent-decoded.
 * -1 (UKTV_ERR_SERVICE) on anything else, with what was wrong.
 */
int	uktv_s3_list_parse(const char *xml, size_t len,
	    struct uktv_s3_objects *out, int *truncated, char **next_token,
	    struct uktv_error *);
/* The MD5 of body as 32 lowercase hex digits and a NUL. */
void	uktv_s3_md5_hex(const void *body, size_t len, char hex[33]);
/* 1 if a listed ETag (quotes optional, any case) is that MD5. */
int	uktv_s3_etag_is(const char *etag, const char *md5hex);
/* Content-Type and Cache-Control a static site serves a file name with:
 * by extension (.html, .css, .json, .txt, .png, .jpg, .svg, .ico, ...);
 * HTML is cached briefly (it changes with the table), the rest longer.
 * Static strings. */
const char *uktv_s3_content_type(const char *name);
const char *uktv_s3_cache_control(const char *name);

const char *uktv_s3_bucket(const struct uktv_s3 *);

#endif
