/*
 * notifyrun.h: one run of uktv-notify(1) between its options and its exit
 * code: the users' preferences (from a file, or from the table and read
 * again every so often), stream records in and their notifications out
 * (notify.h), each line to the output and then to the webhook, or spooled
 * into digests (digest.h) that go out when their period ends; what cannot
 * be delivered dead-lettered.
 *
 * The library never prints: what a tool would log goes, one line at a time,
 * to the run's note hook (guidenote.h), and a dead letter to its dead hook,
 * which writes it (lib/stream's deadletter.h, out of this floor's reach).
 * Where the records come from (a DynamoDB Stream, with its checkpoints) is
 * the tool's: it hands each one to uktv_notifyrun_record, or a file to
 * uktv_notifyrun_read, and makes the run durable (uktv_notifyrun_flush,
 * uktv_notifyrun_sync) before it checkpoints.
 *
 *   uktv_notifyrun_init(&r, stdout);
 *   r.hook = hook; r.dead = put; r.note = uktv_guidelog_note; ...
 *   uktv_notifyrun_open_digest(&r, dir, period, &err);
 *   uktv_notifyrun_prefs_table(&r, 1, &err);
 *   for each record: uktv_notifyrun_record(&r, rec, &where);
 *   after each batch: uktv_notifyrun_flush(&r); uktv_notifyrun_sync(&r);
 *       uktv_notifyrun_prefs_tick(&r, &err); uktv_notifyrun_digests(&r, 0);
 *   uktv_notifyrun_digests(&r, flush); uktv_notifyrun_report(&r);
 *   status = uktv_notifyrun_status(&r); uktv_notifyrun_free(&r);
 *
 * A function that returns -1 because the run must stop has put why in
 * r->fatal (the first such error wins); a record in hand when that happens
 * is not finished and must not be checkpointed.
 */
#ifndef UKTV_NOTIFYRUN_H
#define UKTV_NOTIFYRUN_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include <json-c/json.h>

#include "aws.h"
#include "digest.h"
#include "error.h"
#include "guidenote.h"
#include "ndjson.h"
#include "prefs.h"
#include "webhook.h"

/* --prefs-refresh's default. */
#define UKTV_NOTIFYRUN_PREFS_REFRESH_MS	300000L

/* Where a record came from, for messages and dead letters. */
struct uktv_notifyrun_where {
	unsigned long long	 line;		/* a file's: 1-based */
	long			 index;		/* in a Lambda event; -1 none */
	const char		*shard;		/* the stream's; NULL: by line */
	const char		*sequence;
};

/* One dead letter: a notification not delivered, or a record refused. */
struct uktv_notifyrun_dead {
	const char		*text;		/* the line or the record */
	const char		*code;		/* "webhook_unavailable",
						 * "webhook_refused",
						 * "bad_record" */
	const char		*message;	/* why */
	const struct uktv_notifyrun_where *where;
	int			 delivery;	/* 1: a notification not
						 * delivered, 0: a record */
};

/* Writes one dead letter.  0, or -1 with err: the run stops. */
typedef int (*uktv_notifyrun_dead_fn)(void *arg,
    const struct uktv_notifyrun_dead *, struct uktv_error *);

struct uktv_notifyrun {
	/* Set by the caller, before the first record. */
	struct uktv_aws		*aws;		/* the table's; borrowed */
	const char		*table;
	long long		 prefs_refresh_ms;
	size_t			 max_line;	/* of --records-from and
						 * --prefs-from lines */
	struct uktv_webhook	*hook;		/* NULL: none; borrowed */
	uktv_notifyrun_dead_fn	 dead;		/* NULL: no --dead-letter */
	void			*dead_arg;
	uktv_guidenote_fn	 note;		/* what a tool would log */
	void			*note_arg;
	volatile sig_atomic_t	*stop;		/* set: read no further */

	/* The run's own. */
	struct uktv_ndjson_writer out;
	struct uktv_prefs_set	 prefs;
	struct uktv_digest	*digest;	/* NULL: no --digest */
	int			 prefs_table;	/* read again every so often */
	long long		 prefs_at;	/* the next time */

	/* What happened. */
	unsigned long long	 records;
	unsigned long long	 notes;		/* lines out */
	unsigned long		 bad;		/* records, lines reported */
	unsigned long		 dead_count;	/* dead-lettered */
	struct uktv_error	 fatal;		/* stop: kind set */
	int			 closed;	/* the output's reader went
						 * away (fatal holds a marker) */
};

/* No preferences, no digest, the default refresh and line bound; the
 * lines go to out (not owned). */
void	uktv_notifyrun_init(struct uktv_notifyrun *, FILE *out);
/* The preferences and the digest spool (not the hooks). */
void	uktv_notifyrun_free(struct uktv_notifyrun *);

/* The run stops: err is kept unless an error was kept already. */
void	uktv_notifyrun_fail(struct uktv_notifyrun *, const struct uktv_error *);
/* The output's reader went away: the run stops, silently (r->closed). */
void	uktv_notifyrun_closed(struct uktv_notifyrun *);

/* Opens the digest spool in dir (digest.h), noting damaged lines left
 * there.  0, or -1 with err. */
int	uktv_notifyrun_open_digest(struct uktv_notifyrun *, const char *dir,
	    long long period_ms, struct uktv_error *);

/* The preferences from fp (uktv-prefs list lines), named in the notes of
 * the lines refused (counted in r->bad).  0, or -1 with err. */
int	uktv_notifyrun_prefs_file(struct uktv_notifyrun *, FILE *,
	    const char *name, struct uktv_error *);
/*
 * The preferences from r->table's items, in place of those held, read
 * again by uktv_notifyrun_prefs_tick every r->prefs_refresh_ms from now on.
 * 1 when read; 0 when they could not be and the ones read before are kept
 * (noted); -1 with err when the run must stop: first (nothing was read
 * before), or a refusal or a configuration that will not mend.
 */
int	uktv_notifyrun_prefs_table(struct uktv_notifyrun *, int first,
	    struct uktv_error *);
/* With preferences from the table, once the refresh is due: as
 * uktv_notifyrun_prefs_table; else 0. */
int	uktv_notifyrun_prefs_tick(struct uktv_notifyrun *, struct uktv_error *);

/* One stream record: its notifications out (or spooled); a record that is
 * not one is noted and dead-lettered.  0, or -1: stop before it. */
int	uktv_notifyrun_record(struct uktv_notifyrun *, struct json_object *rec,
	    const struct uktv_notifyrun_where *);
/*
 * Every record of fp (notify.h's --records-from reader), until its end,
 * r->stop or a fatal error; bad lines are noted.  0; -1 with errno when no
 * reader could be made (nothing read).
 */
int	uktv_notifyrun_read(struct uktv_notifyrun *, FILE *);

/* The digests due (every pending one with all) out, then dropped from the
 * spool.  0, or -1: stop. */
int	uktv_notifyrun_digests(struct uktv_notifyrun *, int all);
/* fflush of the output.  0, or -1: stop. */
int	uktv_notifyrun_flush(struct uktv_notifyrun *);
/* Makes what was spooled durable: before any checkpoint.  0, or -1: stop. */
int	uktv_notifyrun_sync(struct uktv_notifyrun *);

/* What was reported and dead-lettered (when any), what was read and
 * written, as notes. */
void	uktv_notifyrun_report(const struct uktv_notifyrun *);
/* The exit status: r->fatal's, else 1 when something was reported or
 * dead-lettered, else 0. */
int	uktv_notifyrun_status(const struct uktv_notifyrun *);

#endif
