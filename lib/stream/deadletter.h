/*
 * deadletter.h: the one --dead-letter writer (ARCHITECTURE.md "Dead-letter
 * files").  One NDJSON object per record not delivered:
 *
 *   {"input": the original text as a string (so `jq -r .input FILE | tool`
 *             replays it); "input_base64" instead when it is not UTF-8 text
 *             or holds a NUL; "length" alone when it was too long to keep,
 *    "error": a code, "message": why,
 *    where:   "shard", "sequence" (, "sub_sequence") for a stream record,
 *             else "line" (, "index": its place in a Lambda event)}
 *
 * The file is opened for appending when it exists, else created on the
 * first line, so a run with nothing to report leaves no empty file; either
 * way a file that cannot be written fails at open, before any work.  Each
 * line is written whole and flushed.  No printing.
 */
#ifndef UKTV_DEADLETTER_H
#define UKTV_DEADLETTER_H

#include <stddef.h>

#include "error.h"
#include "streamreader.h"

struct uktv_deadletter;

/* NULL with err (UKTV_ERR_CANTCREAT, "PATH: strerror") when the file could
 * not be written: a folder missing or that will not take a file. */
struct uktv_deadletter *uktv_deadletter_open(const char *path,
	    struct uktv_error *);
/* Closes (the last write's failure shows here).  0, or -1 with err
 * (UKTV_ERR_IO).  NULL is fine. */
int	uktv_deadletter_close(struct uktv_deadletter *, struct uktv_error *);
const char *uktv_deadletter_path(const struct uktv_deadletter *);

struct uktv_dead_entry {
	const void		*input;		/* NULL: only "length" */
	size_t			 len;
	const char		*error;		/* the code */
	const char		*message;
	const char		*shard;		/* NULL: by line */
	const char		*sequence;
	long long		 sub_sequence;	/* -1: none */
	unsigned long long	 line;
	long			 index;		/* -1: none */
};

/* A zeroed entry with no sub_sequence and no index. */
void	uktv_dead_entry_init(struct uktv_dead_entry *);
/* One line.  0, or -1 with err (UKTV_ERR_IO, "PATH: strerror"). */
int	uktv_deadletter_put(struct uktv_deadletter *,
	    const struct uktv_dead_entry *, struct uktv_error *);
/* A stream record's line: its data, shard, sequence and sub-sequence. */
int	uktv_deadletter_record(struct uktv_deadletter *,
	    const struct uktv_stream_record *, const char *error,
	    const char *message, struct uktv_error *);

/*
 * Failures counted by kind (code and message), for one report line per
 * kind instead of one per record: a dead webhook fails every notification
 * the same way.  Kinds past the table's room count with its last.
 */
#define UKTV_DEAD_TALLY_KINDS	8
struct uktv_dead_tally {
	struct {
		char		 code[32];
		char		 message[512];
		unsigned long	 n;
	}	 kind[UKTV_DEAD_TALLY_KINDS];
	size_t	 n;
};
void	uktv_dead_tally_add(struct uktv_dead_tally *, const char *code,
	    const char *message);

#endif
