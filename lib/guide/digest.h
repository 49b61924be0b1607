/*
 * digest.h: grouping a user's notifications into one line per period
 * (uktv-notify --digest PERIOD), kept on disk so that nothing waits in
 * memory and a restart loses nothing.
 *
 * Periods are aligned to UTC (to multiples of the period since the epoch:
 * 1h starts on the hour, 1d at midnight UTC).  A notification belongs to the
 * period it was spooled in.  The spool is DIR/digest.spool, one JSON line
 * per notification:
 *   {"user":"alice","period_start":1751587200000,"period_end":1751673600000,
 *    "item":{...the notification...}}
 * appended with one write(2) per line and made durable by uktv_digest_sync
 * (fsync(2)) before the caller advances its checkpoint: a record is either
 * spooled for good or read again after a crash.  A torn last line (a crash
 * in the middle of an append, never synced) is cut off when the spool is
 * opened: its record was not checkpointed and comes again.
 *
 * Digests of ended periods are taken (uktv_digest_take) and, once the caller
 * has delivered them, dropped from the spool (uktv_digest_commit: the spool
 * is rewritten to a temporary file, fsync(2)ed and rename(2)d over the old
 * one, DIR fsync(2)ed).  A crash between the two gives the digest again
 * (at least once, as everything else in uktv).  A digest line:
 *   {"user","kind":"digest","period_start","period_end","items":[...],
 *    "event_ids":[...]}
 * period bounds in ISO 8601 UTC, items in the order they were spooled, an
 * event replayed after a restart counted once per user (by event_id);
 * digests in period order, then users in byte order.
 *
 * The clock is the caller's (now_ms arguments), so tests and faketime agree.
 */
#ifndef UKTV_DIGEST_H
#define UKTV_DIGEST_H

#include <stddef.h>

#include <json-c/json.h>

#include "error.h"

#define UKTV_DIGEST_SPOOL	"digest.spool"
/* --digest bounds: a second to 31 days. */
#define UKTV_DIGEST_PERIOD_MIN_MS	1000LL
#define UKTV_DIGEST_PERIOD_MAX_MS	(31LL * 86400 * 1000)
/* A spooled notification is a few KiB; a line over this is damage. */
#define UKTV_DIGEST_LINE_MAX	((size_t)1 << 20)

/*
 * "30s", "15m", "1h", "1d" (a positive integer and one of s, m, h, d) as
 * milliseconds, within the bounds above.  0, or -1 with errno EINVAL or
 * ERANGE.
 */
int	uktv_digest_parse_period(const char *, long long *ms);

struct uktv_digest;

/*
 * Opens (creating when missing) DIR/digest.spool for period_ms, cutting off
 * a torn last line, and learns when its earliest pending period ends.
 * UKTV_ERR_CANTCREAT / UKTV_ERR_IO on failure.  Caller frees with
 * uktv_digest_close.
 */
struct uktv_digest *uktv_digest_open(const char *dir, long long period_ms,
	    struct uktv_error *);
void	uktv_digest_close(struct uktv_digest *);
const char *uktv_digest_path(const struct uktv_digest *);

/* Appends notification (borrowed; needs a "user") to the period holding
 * now_ms.  Durable only after uktv_digest_sync. */
int	uktv_digest_add(struct uktv_digest *, struct json_object *notification,
	    long long now_ms, struct uktv_error *);
/* fsync(2) of what was appended (nothing to do: 0 at once). */
int	uktv_digest_sync(struct uktv_digest *, struct uktv_error *);

/* 1 when some pending period has ended by now_ms. */
int	uktv_digest_due(const struct uktv_digest *, long long now_ms);
/* Lines of the spool that were not spool lines (skipped, kept). */
unsigned long	uktv_digest_damaged(const struct uktv_digest *);

/*
 * The digests of the periods ended by now_ms (every pending period with
 * all set: --flush-digests) as a JSON array of digest lines (new reference;
 * empty when none).  The spool still holds them until uktv_digest_commit.
 */
int	uktv_digest_take(struct uktv_digest *, long long now_ms, int all,
	    struct json_object **out, struct uktv_error *);
/* Drops from the spool what the last take gave (see above). */
int	uktv_digest_commit(struct uktv_digest *, struct uktv_error *);

#endif
