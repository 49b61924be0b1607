/*
 * checkpoint.h: a shard position, and durable per-shard position files in a
 * directory (uktv-consume --checkpoint DIR, uktv-notify --checkpoint DIR).
 *
 * A position is where a reader stands in one shard: after a sequence number
 * (and, inside a KPL aggregate, after a sub-sequence number), or one of the
 * sentinels the Kinesis Client Library also uses: TRIM_HORIZON, LATEST,
 * AT_TIMESTAMP (with a time) and SHARD_END (a closed shard read to its end:
 * its children may be read).
 *
 * Files: DIR/<shard id>.json, one JSON object:
 *   {"shard":"shardId-000000000001","position":"4959...","sub_sequence":3,
 *    "updated":"2025-07-04T16:02:51.855Z"}
 * position is a sequence number or "TRIM_HORIZON", "LATEST", "SHARD_END",
 * "AT_TIMESTAMP" (then "timestamp": ISO 8601 UTC with milliseconds);
 * sub_sequence is there only for a record that came out of a KPL aggregate.
 * A file is replaced atomically: written to a temporary file in DIR,
 * fsync(2)ed, rename(2)d over the old one, and DIR fsync(2)ed, so after a
 * crash (kill -9, power loss) each file holds either the old position or
 * the new one, never a mix or nothing.
 */
#ifndef UKTV_CHECKPOINT_H
#define UKTV_CHECKPOINT_H

#include <json-c/json.h>

#include "error.h"
#include "time.h"

/* Kinesis and DynamoDB Streams sequence numbers are decimal strings of up to
 * 128 bits (39 digits); some services' are longer: room for 128 digits. */
#define UKTV_SEQUENCE_MAX	128
/* Shard ids: Kinesis "shardId-" + 12 digits, DynamoDB Streams
 * "shardId-" + 20 digits + "-" + 8 hex (API Reference: 28 to 65). */
#define UKTV_SHARD_ID_MAX	128

enum uktv_position_kind {
	UKTV_POS_NONE = 0,		/* no position known */
	UKTV_POS_TRIM_HORIZON,
	UKTV_POS_LATEST,
	UKTV_POS_AT_TIMESTAMP,		/* timestamp_ms */
	UKTV_POS_SEQUENCE,		/* after sequence (and sub_sequence) */
	UKTV_POS_SHARD_END
};

struct uktv_position {
	enum uktv_position_kind	 kind;
	char			 sequence[UKTV_SEQUENCE_MAX + 1];
	/* Inside a KPL aggregate: the index of the last user record done
	 * (the next read resumes after it); -1 for a record that was not
	 * aggregated (the next read resumes after the whole record). */
	long long		 sub_sequence;
	long long		 timestamp_ms;	/* AT_TIMESTAMP */
	/* SEQUENCE only: AT the sequence (that record not done yet), as
	 * --from at-sequence= asks; never stored in a checkpoint. */
	int			 inclusive;
};

/* Sets pos to kind with no sequence (sub_sequence -1). */
void	uktv_position_set(struct uktv_position *, enum uktv_position_kind);
/* Sets pos to after seq (sub -1: a whole record).  0, or -1 when seq is
 * not 1-UKTV_SEQUENCE_MAX digits. */
int	uktv_position_set_sequence(struct uktv_position *, const char *seq,
	    long long sub);
/* "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP", "SHARD_END", the sequence
 * number, or "" for NONE (pointer into pos or static). */
const char *uktv_position_text(const struct uktv_position *);
/* Adds the position to obj as "position" (uktv_position_text), and
 * "sub_sequence" / "timestamp" (ISO 8601) when they apply. */
void	uktv_position_to_json(const struct uktv_position *,
	    struct json_object *obj);
/*
 * Parses "trim-horizon", "latest", "at-timestamp=TIME" (TIME as
 * uktv_time_parse takes it, relative to now_ms), "shard-end", or the KCL's
 * sentinels TRIM_HORIZON, LATEST, SHARD_END.  0, or -1 (not one of those).
 */
int	uktv_position_parse(const char *, long long now_ms, struct uktv_position *);

struct uktv_checkpoint_dir;

/* Opens DIR, creating it (mode 0755) when missing and create is set.
 * UKTV_ERR_NOINPUT when it is missing and create is not set,
 * UKTV_ERR_CANTCREAT when it cannot be created.  Caller frees with
 * uktv_checkpoint_close. */
struct uktv_checkpoint_dir *uktv_checkpoint_open(const char *dir, int create,
	    struct uktv_error *);
void	uktv_checkpoint_close(struct uktv_checkpoint_dir *);

/* 1 with *pos filled, 0 when the shard has no file (pos NONE), -1 with err
 * (UKTV_ERR_IO; UKTV_ERR_INPUT for a file that is not a checkpoint). */
int	uktv_checkpoint_read(struct uktv_checkpoint_dir *, const char *shard,
	    struct uktv_position *, struct uktv_error *);
/* Replaces the shard's file atomically (see above).  UKTV_ERR_IO or
 * UKTV_ERR_CANTCREAT on failure; the old file is then left as it was. */
int	uktv_checkpoint_write(struct uktv_checkpoint_dir *, const char *shard,
	    const struct uktv_position *, struct uktv_error *);

/* Called per checkpoint file, in shard id order; non-zero stops. */
typedef int (*uktv_checkpoint_fn)(const char *shard,
	    const struct uktv_position *, void *arg);
int	uktv_checkpoint_list(struct uktv_checkpoint_dir *, uktv_checkpoint_fn,
	    void *arg, struct uktv_error *);

/* 1 when s can be a shard id (1-UKTV_SHARD_ID_MAX of A-Za-z0-9_.- and not
 * starting with '.'): it names a file. */
int	uktv_shard_id_valid(const char *s);

/*
 * Takes an exclusive lock (flock(2) on DIR/.lock) for as long as the
 * directory is open, so that two readers never share one directory and an
 * operator's reset can tell that a reader is running.  0, or -1 with err:
 * UKTV_ERR_SERVICE with code "CheckpointsInUse" when another process holds
 * it.
 */
int	uktv_checkpoint_lock(struct uktv_checkpoint_dir *, struct uktv_error *);

#endif
