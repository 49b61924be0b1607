/*
 * guidestore.h: storing title events in the guide table, and enriching the
 * stored titles from Watchmode (uktv-consume -t TABLE [--enrich],
 * uktv-consume --enrich-missing).
 *
 * Item shapes are the original app's (ARCHITECTURE.md "Data",
 * tests/fixtures/seed-data/example_data_titles.json), so a table written
 * here reads the same through the original web API:
 *   PK "title:<id>", SK "record", data (M) = the event's payload as it came
 *     (boto3's typing: numbers N, strings S, arrays L, null NULL), plus after
 *     enrichment plot_overview, poster, user_rating, critic_score, sources
 *     (the offers of one region: source_id, name, type, region, web_url,
 *     format, price) and enriched_at (ISO 8601 UTC);
 *   PK "source:<sid>:genre:<gid>", SK "title:<id>", nothing else: one per
 *     pair of the payload's source_ids x genre_ids (none when either list is
 *     missing or empty, as the original did).
 * No other attribute is added.
 *
 * uktv_guidestore_apply stores one batch of events:
 *   1. each event is checked (uktv_title_event_check); a bad one is
 *      REJECTED with a reason and takes no further part;
 *   2. the batch's existing records are read with BatchGetItem
 *      (UnprocessedKeys retried, lib/aws/dynamodb.h);
 *   3. events for one title are applied in order to what was read; only the
 *      title's final state is written, compared with what was read:
 *      - same payload (by meaning: uktv_items_typed_equal): no write at all,
 *        so the table's stream and uktv-notify see nothing;
 *      - a new title: the record is put (with the enrichment fields when
 *        --enrich fetched them, so one write);
 *      - a changed payload: one UpdateItem SETs the payload fields, REMOVEs
 *        payload fields the new payload lacks, keeps the enrichment fields,
 *        and is conditioned on the payload fields still being what was read
 *        (another writer in between: read again and redo, a few times);
 *      - a remove event: the record and its index entries are deleted;
 *   4. index entries go through the BatchWriteItem queue (UnprocessedItems
 *      retried): the new payload's pairs that were not there, deletes for
 *      the pairs the title left.
 * Index entries are written before the records, so a record that is there
 * (and so "unchanged" when the batch is applied again after a crash) has its
 * entries; every write is idempotent, so applying a batch twice is safe.
 * A write that still fails after the retries (requests DynamoDB keeps
 * handing back unprocessed, a validation error) marks the title's events
 * FAILED: the caller reports or dead-letters them.  apply returns -1 only
 * for errors that stop the whole batch (auth, config, service unreachable
 * after retries): the batch is then not stored as a whole (some writes may
 * have been made) and must not be checkpointed; the results are not to be
 * used.
 *
 * Enrichment (struct uktv_watchmode given): /v1/title/{id}/details/
 * ?append_to_response=sources for new titles and titles whose payload
 * changed.  A failed enrichment never blocks storing: the record is written
 * without enriched_at, the event says so (enrich_failed) and
 * uktv_guidestore_enrich_missing picks it up later.  After a quota (402) or
 * key (401) error no more details are asked for by this store.
 *
 * No printing, no global state; the store owns a batch queue and its
 * figures, and borrows the aws client and the Watchmode client.
 */
#ifndef UKTV_GUIDESTORE_H
#define UKTV_GUIDESTORE_H

#include <stddef.h>

#include <json-c/json.h>

#include "aws.h"
#include "error.h"
#include "titleevent.h"
#include "watchmode.h"

/* Enrichment fields of a title's data: written only by enrichment, kept by
 * payload updates, never compared when deciding whether a payload changed. */
#define UKTV_GUIDESTORE_ENRICH_FIELDS \
	"plot_overview", "poster", "user_rating", "critic_score", "sources", \
	"enriched_at"

/* How many times a changed title is read again after a conditional update
 * lost to another writer. */
#define UKTV_GUIDESTORE_CONFLICT_ATTEMPTS	3

/*
 * The data (typed, "M" content: a map of AttributeValues) that an upsert
 * stores for t: the payload converted as boto3 converts it, with id as a
 * number (N) and source_ids/genre_ids as lists of id strings (L of S,
 * normalised as in struct uktv_title), as the original's items hold them.
 * New reference, caller puts; NULL on OOM.
 */
struct json_object *uktv_title_data(const struct uktv_title *t);

/*
 * Compares the payload part of two typed data maps (either may be NULL: no
 * record): 1 when they differ, 0 when the same.  Enrichment fields are not
 * compared.  Pure, for the unit tests and for apply.
 */
int	uktv_title_data_changed(struct json_object *old_data,
	    struct json_object *new_data);

/*
 * Index entry pairs of a title: calls fn for each "source:<sid>:genre:<gid>"
 * PK in (source x genre) order (none when either list is empty).  Works on
 * stored data too, through uktv_title_from_data.  fn returning non-zero
 * stops (that value is returned).
 */
typedef int (*uktv_title_pair_fn)(const char *index_pk, void *arg);
int	uktv_title_pairs(const struct uktv_title *, uktv_title_pair_fn, void *arg);
/* Fills t (action UPSERT, payload NULL) with the id and the source/genre
 * ids of a stored record's typed data map, as an event would give them.
 * 0, or -1 when data has no usable id. */
int	uktv_title_from_data(struct json_object *data, struct uktv_title *t);

/*
 * The enrichment fields for data from a /v1/title/{id}/details/ answer
 * (with append_to_response=sources): plot_overview, poster, user_rating,
 * critic_score when Watchmode gave them (not null), sources (the offers
 * whose region is region, each reduced to source_id, name, type, region,
 * web_url, format, price; nulls kept as NULL), enriched_at = now_ms as ISO
 * 8601 UTC.  A typed map (new reference, caller puts); NULL on OOM.
 */
struct json_object *uktv_guidestore_enrichment(struct json_object *details,
	    const char *region, long long now_ms);

/* What apply did with one event. */
enum uktv_title_result {
	UKTV_TITLE_PENDING = 0,	/* not decided (apply stopped early) */
	UKTV_TITLE_STORED,	/* a new record written */
	UKTV_TITLE_UPDATED,	/* a changed payload written */
	UKTV_TITLE_UNCHANGED,	/* same payload (or removing a title that
				 * is not there): nothing written */
	UKTV_TITLE_REMOVED,	/* record and index entries deleted */
	UKTV_TITLE_REJECTED,	/* not a valid title event: reason */
	UKTV_TITLE_FAILED	/* valid, but its writes failed: reason */
};

/*
 * One event of a batch.  The caller fills the first part; apply fills the
 * rest.  shard/sequence/line say where the event came from: guidestore
 * only copies them into messages.
 */
struct uktv_title_event {
	struct json_object	*event;		/* borrowed: the record's data */
	const char		*shard;		/* NULL when from a file */
	const char		*sequence;
	unsigned long long	 line;		/* 0 when from a stream */

	enum uktv_title_result	 result;
	/* REJECTED: "bad_event"; FAILED: the AWS error code or
	 * "ConditionalCheckFailed" / "Unprocessed" (dead letter "error"). */
	char			 code[64];
	char			 reason[256];	/* REJECTED / FAILED: one line */
	int			 enriched;	/* 1: enrichment stored with it */
	int			 enrich_failed;	/* 1: enrichment was asked for and
						 * failed; reason_enrich says why */
	char			 reason_enrich[256];
};

struct uktv_guidestore_opts {
	const char	*table;
	struct uktv_watchmode *wm;	/* NULL: no enrichment */
	const char	*region;	/* offers kept in sources: NULL "GB" */
	/* The clock (ms since the epoch) for enriched_at and --enrich-older-
	 * than; NULL: uktv_time_now_ms.  Tests fix it. */
	long long	(*now_ms)(void);
};

struct uktv_guidestore_stats {
	long	events;		/* events given to apply */
	long	stored;
	long	updated;
	long	unchanged;
	long	removed;
	long	rejected;
	long	failed;
	long	conflicts;	/* conditional updates lost and redone */
	long	reads;		/* records read (BatchGetItem keys) */
	long	index_puts;
	long	index_deletes;
	long	enriched;	/* details fetched and stored */
	long	enrich_failed;
};

struct uktv_guidestore;

/* Borrows aws and opts->wm (they must outlive the store); copies the rest.
 * Caller frees with uktv_guidestore_free.  NULL with err on OOM or a bad
 * option (no table, a region that is not two letters). */
struct uktv_guidestore *uktv_guidestore_new(struct uktv_aws *,
	    const struct uktv_guidestore_opts *, struct uktv_error *);
void	uktv_guidestore_free(struct uktv_guidestore *);

/*
 * Stores events[0, n) as described at the top.  0 when every event has a
 * result (some may be REJECTED or FAILED: count them with the stats or look
 * at each); -1 with err when the batch could not be handled at all.
 */
int	uktv_guidestore_apply(struct uktv_guidestore *,
	    struct uktv_title_event *events, size_t n, struct uktv_error *);

/*
 * --enrich-missing: scans the table for title records (title:<id> /
 * record) without data.enriched_at, or, when older_than_days >= 0, with an
 * enriched_at older than that many days, and enriches each (UpdateItem
 * conditioned on the record still being there, so a title removed in the
 * meantime is not brought back).  fn (may be NULL) is told about each title
 * tried: ok 1, or 0 with err saying why (a title Watchmode does not know,
 * ...).  Returns the number of titles that failed (0: all done), or -1 with
 * err when it had to stop (scan failed, Watchmode quota or key error,
 * service unreachable).  max_titles > 0 bounds the titles tried (the quota).
 */
typedef void (*uktv_guidestore_enrich_fn)(const char *title_id, int ok,
	    const struct uktv_error *, void *arg);
long	uktv_guidestore_enrich_missing(struct uktv_guidestore *,
	    int older_than_days, long max_titles, uktv_guidestore_enrich_fn,
	    void *arg, struct uktv_error *);

/* The Watchmode key or quota error that turned enrichment off for this
 * store, or NULL: storing went on, but the operator must hear of it. */
const struct uktv_error *uktv_guidestore_enrich_error(
	    const struct uktv_guidestore *);
/* Adds the stats to obj ("stored", "updated", ..., for --stats lines). */
void	uktv_guidestore_stats_json(const struct uktv_guidestore *,
	    struct json_object *obj);

#endif
