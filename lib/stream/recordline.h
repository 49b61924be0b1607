/*
 * recordline.h: one NDJSON input line as one Kinesis record, the way
 * uktv-publish(1) makes it: the line is the data, its partition key from a
 * JSON path (default .payload.id, else the SHA-256 hex of the line), an
 * explicit hash key from another; or, for uktv-consume --envelope lines,
 * the envelope's data (compacted JSON, or data_base64 decoded) with its own
 * partition_key, the line kept as the record's note (the dead letter's
 * input).  A line that cannot be a record is rejected with the dead-letter
 * code and a reason (ARCHITECTURE.md "Dead-letter files").  No printing.
 */
#ifndef UKTV_RECORDLINE_H
#define UKTV_RECORDLINE_H

#include <stddef.h>

#include "kinesis.h"

struct uktv_recordline_opts {
	int		 envelope;
	const char	*key_path;	/* NULL: .payload.id, or the SHA-256 */
	const char	*hash_key_path;	/* NULL: none; in an envelope: in .data */
	size_t		 max_line;	/* the longest line the caller holds */
};

enum uktv_recordline_bad {
	UKTV_RECORDLINE_OK = 0,
	UKTV_RECORDLINE_BAD_KEY_PATH,	/* key_path is not a path */
	UKTV_RECORDLINE_BAD_HASH_PATH,	/* hash_key_path is not a path */
	UKTV_RECORDLINE_NOMEM
};

struct uktv_recordline;

/* NULL with *bad saying which option is wrong (or out of memory). */
struct uktv_recordline *uktv_recordline_new(const struct uktv_recordline_opts *,
	    enum uktv_recordline_bad *bad);
void	uktv_recordline_free(struct uktv_recordline *);

/*
 * The record for line text[0, len) (UTF-8 checked by the reader) into
 * *rec, tagged tag; its strings point into text and into the recordline
 * (valid until the next call).  0, or -1 with *code (the dead letter's
 * "error") and why (one line) saying why it cannot be sent.
 */
int	uktv_recordline_build(struct uktv_recordline *, const char *text,
	    size_t len, unsigned long long tag, struct uktv_kinesis_record *rec,
	    const char **code, char *why, size_t whylen);

#endif
