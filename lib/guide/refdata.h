/*
 * refdata.h: Watchmode's reference data (sources of a country, genres,
 * regions) as the guide table keeps it (uktv-refdata): each object checked
 * into a reference item (PK "source:<id>", "genre:<id>" or "region:<CC>",
 * SK its name, data the object), and the writes that bring the table to
 * what Watchmode lists, only what changed.  Nothing here calls Watchmode,
 * prints or exits.
 */
#ifndef UKTV_REFDATA_H
#define UKTV_REFDATA_H

#include <stddef.h>

#include <json-c/json.h>

#include "aws.h"
#include "error.h"
#include "items.h"

enum uktv_refdata_kind {
	UKTV_REFDATA_SOURCE,
	UKTV_REFDATA_GENRE,
	UKTV_REFDATA_REGION,
	UKTV_REFDATA_NKINDS
};

/* The operand ("sources") and the output's "kind" ("source") of a kind
 * (static). */
const char *uktv_refdata_word(enum uktv_refdata_kind);
const char *uktv_refdata_name(enum uktv_refdata_kind);
/* The kind of an operand, or -1. */
int	uktv_refdata_kind(const char *word);
/* The kinds the operands name (want[k] set to 1; none: sources and genres):
 * how many, or -1 with err (UKTV_ERR_USAGE) naming an unknown one. */
int	uktv_refdata_want(const char *const *words, int n,
	    int want[UKTV_REFDATA_NKINDS], struct uktv_error *);

/* One reference item to be: borrowed from the fetched array. */
struct uktv_refdata_rec {
	char			 pk[40];
	const char		*sk;
	struct json_object	*obj;
};

struct uktv_refdata_set {
	struct json_object	*arr;	/* owned */
	struct uktv_refdata_rec	*recs;	/* owned */
	size_t			 n;
};

/* Told about each object left out (message: "sources: item 3 is not an
 * object: left out"); bad is 1 when the object counts as bad data, 0 for a
 * duplicate. */
typedef void (*uktv_refdata_reject_fn)(const char *message, int bad,
	    void *arg);

/*
 * Takes over arr (Watchmode's answer for kind), sorts it (by id; regions by
 * country) and checks each object can be a reference item (an id or
 * country code of the grammar, a name of at most 1024 bytes); the first of
 * a PK listed twice is kept.  Returns the number of bad objects, or -1 on
 * OOM (err).  Free with uktv_refdata_set_free.
 */
int	uktv_refdata_set_make(enum uktv_refdata_kind, struct json_object *arr,
	    struct uktv_refdata_set *, uktv_refdata_reject_fn, void *arg,
	    struct uktv_error *);
void	uktv_refdata_set_free(struct uktv_refdata_set *);

/* What the table needs. */
struct uktv_refdata_plan {
	struct json_object	*puts;		/* typed items */
	struct json_object	*deletes;	/* [{"PK":..,"SK":..}] plain */
	long			 unchanged;
	long			 stale;		/* listed no more, kept */
};

int	uktv_refdata_plan_init(struct uktv_refdata_plan *, struct uktv_error *);
void	uktv_refdata_plan_free(struct uktv_refdata_plan *);

/*
 * What one kind needs, given what the table holds of it (stored: PK -> [
 * typed items], consumed): a put for each item whose name or data differs,
 * a delete for each stored item of a listed PK under another name (a
 * rename leaves one item), and with prune a delete for each reference item
 * of a PK no longer listed (else counted stale).
 */
void	uktv_refdata_diff(const struct uktv_refdata_set *,
	    struct json_object *stored, int prune, struct uktv_refdata_plan *);
/* The same, reading what table holds of kind first. */
int	uktv_refdata_plan_kind(struct uktv_aws *, const char *table,
	    enum uktv_refdata_kind, const struct uktv_refdata_set *, int prune,
	    struct uktv_refdata_plan *, struct uktv_error *);

/*
 * Queues the plan's writes in b, puts first (a reader between the calls
 * sees the new name, not none), and flushes; progress (may be NULL) is told
 * before each put.  The first error is kept in *first (the rest of the
 * writes are still tried; uktv_ddb_batch_failed names what failed).
 * Returns 0, or -1 when something failed.
 */
struct uktv_ddb_batch;
int	uktv_refdata_write(struct uktv_ddb_batch *,
	    const struct uktv_refdata_plan *,
	    void (*progress)(size_t done, size_t total, void *), void *arg,
	    struct uktv_error *first);

#endif
