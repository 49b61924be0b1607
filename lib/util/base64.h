/*
 * base64.h: RFC 4648 base64 (standard alphabet, padded), as the AWS JSON
 * protocols carry blobs (Kinesis Data, DynamoDB B).
 *
 * The encoder writes no line breaks.  The decoder is strict: only the
 * standard alphabet, length a multiple of 4, "=" only as the final padding
 * and the unused bits of the last symbol zero, so every blob has exactly one
 * accepted text and a text that decodes also re-encodes to itself.
 */
#ifndef UKTV_BASE64_H
#define UKTV_BASE64_H

#include <stddef.h>

/* Length of the encoding of n bytes (no NUL). */
#define UKTV_BASE64_ENCODED_LEN(n)	((((n) + 2) / 3) * 4)
/* Upper bound of the decoding of a text of n characters. */
#define UKTV_BASE64_DECODED_MAX(n)	(((n) / 4) * 3)

/* Writes UKTV_BASE64_ENCODED_LEN(n) characters to dst (no NUL); returns
 * that length. */
size_t	uktv_base64_encode(const void *src, size_t n, char *dst);

/* Decodes src[0, n) into dst (room for UKTV_BASE64_DECODED_MAX(n) bytes);
 * 0 with *outlen set, or -1 when the text is not strict base64 (*outlen is
 * then the offset of the first bad character).  dst may be src: each group
 * of four is read before its three bytes are written, at or below it. */
int	uktv_base64_decode(const char *src, size_t n, void *dst, size_t *outlen);

/* Length of the unpadded base64url encoding of n bytes (no NUL). */
#define UKTV_BASE64URL_ENCODED_LEN(n)	(((n) * 4 + 2) / 3)
/* Upper bound of the decoding of a base64url text of n characters. */
#define UKTV_BASE64URL_DECODED_MAX(n)	((n) * 3 / 4)

/* Writes UKTV_BASE64URL_ENCODED_LEN(n) characters to dst (no NUL, no
 * padding); returns that length. */
size_t	uktv_base64url_encode(const void *src, size_t n, char *dst);

/* Decodes unpadded base64url src[0, n) into dst (room for
 * UKTV_BASE64URL_DECODED_MAX(n) bytes); 0 with *outlen set, or -1 (with
 * *outlen the offset of the first bad character).  dst may be src. */
int	uktv_base64url_decode(const char *src, size_t n, void *dst,
	    size_t *outlen);

#endif
