/*
 * notify.h: what is a notification (uktv-notify): DynamoDB Stream records of
 * the guide table and the users' preferences in, notification lines out.
 *
 * Pure: no client, no I/O, no clock; unit-tested in tests/unit/test_notify.c.
 *
 * Only records of guide titles (PK "title:<digits>", SK "record") count; index
 * entries, preferences and reference items are ignored.  For such a record:
 *
 *   INSERT  new_title          to each user following a source x genre pair
 *                              the title's own source_ids x genre_ids meet
 *   MODIFY  favourite_changed  to each user with the title in favourites,
 *                              when something a person sees changed: the GB
 *                              sources gained or lost a source, user_rating
 *                              moved by UKTV_NOTIFY_RATING_STEP or more, or
 *                              the title was renamed
 *   REMOVE  title_removed      to each user with the title in favourites or
 *                              following a pair it met (from OldImage)
 *
 * "GB sources" are the source ids of data.sources' offers in
 * UKTV_NOTIFY_REGION (an offer without a region counts) when the record is
 * enriched (data.sources is a list), else data.source_ids.  Sources are
 * compared only when both images have the same kind (both enriched or
 * neither): the first enrichment of a title replaces the followed ids with
 * the real offers, which is news to nobody.  A MODIFY from an image that was
 * not enriched to one that is (the first enrichment) sends nothing at all,
 * and neither does a write that changed nothing (moto emits those, AWS does
 * not).
 *
 * A line, keys in this order (ARCHITECTURE.md, "Notification"):
 *   {"user","kind","title_id","title","changes","sources","event_id","at"}
 * ids as strings; "changes" {} for new_title and title_removed, else any of
 * "sources_added"/"sources_removed" (non-empty lists, numeric order),
 * "user_rating" [old,new] and "title" [old,new]; "sources" the title's GB
 * offers [{"source_id","name","web_url"}] (name and web_url only where
 * enriched, one entry per source, numeric order); "event_id" the record's
 * eventID; "at" its ApproximateCreationDateTime in ISO 8601 UTC
 * (milliseconds where the record gives them), null where it has none;
 * "title" left out when the image has none.  Users in byte order.
 */
#ifndef UKTV_NOTIFY_H
#define UKTV_NOTIFY_H

#include <stddef.h>
#include <stdio.h>

#include <json-c/json.h>

#include "error.h"
#include "prefs.h"

/* The smallest move of user_rating a person is told about. */
#define UKTV_NOTIFY_RATING_STEP	0.5
/* Whose offers are "the GB sources" (ARCHITECTURE.md: the guide is for the UK). */
#define UKTV_NOTIFY_REGION	"GB"
/* A Lambda event holds at most 10,000 records (the batch size's bound). */
#define UKTV_NOTIFY_EVENT_MAX	10000

enum uktv_notify_kind {
	UKTV_NOTIFY_NONE = 0,		/* the record is not about a title */
	UKTV_NOTIFY_NEW_TITLE,
	UKTV_NOTIFY_FAVOURITE_CHANGED,
	UKTV_NOTIFY_TITLE_REMOVED
};


/*
 * The notifications one stream record gives: *out is a JSON array (new
 * reference, caller puts) of lines, empty when the record is about no title
 * or concerns nobody; *kind (may be NULL) says which kind the record would
 * give, NONE when it is not a title record.  -1 with err (UKTV_ERR_INPUT,
 * one line saying why) for a record that is not a DynamoDB Stream record
 * (no "dynamodb" object, eventName not INSERT/MODIFY/REMOVE, a title record
 * without the image its event needs), UKTV_ERR_INTERNAL on OOM.
 */
int	uktv_notify_record(const struct uktv_prefs_set *, struct json_object *record,
	    struct json_object **out, enum uktv_notify_kind *kind,
	    struct uktv_error *);

/*
 * The stream records an input value holds: a Lambda DynamoDB Streams event
 * ({"Records":[...]}: its records) or one stream record (itself).  *records
 * is a JSON array (new reference).  -1 with why when value is neither.
 */
int	uktv_notify_input_records(struct json_object *value,
	    struct json_object **records, char *why, size_t whylen);


/* The record's eventID, or NULL (borrowed from record). */
const char *uktv_notify_event_id(struct json_object *record);

/*
 * Reading --records-from: NDJSON (one record or event per line, the rules
 * of ndjson.h), where a line that is not JSON on its own but opens an object
 * or array is taken as the start of a value spread over lines (a Lambda
 * event as the console and the seed data print it) and read on, line by
 * line, until the value is complete, at most UKTV_NOTIFY_VALUE_MAX bytes.
 * Values, one-line or not, may follow each other in any mix.
 */
#define UKTV_NOTIFY_VALUE_MAX	((size_t)16 << 20)	/* > Lambda's 6 MiB */

struct uktv_notify_input;

/* Does not own fp.  NULL with errno (EINVAL, ENOMEM).  Caller frees with
 * uktv_notify_input_free. */
struct uktv_notify_input *uktv_notify_input_new(FILE *fp, size_t max_line);
void	uktv_notify_input_free(struct uktv_notify_input *);

enum uktv_notify_input_result {
	UKTV_NOTIFY_INPUT_END = 0,
	UKTV_NOTIFY_INPUT_VALUE = 1,	/* *value (the reader's; valid until
					 * the next call) began on *lineno */
	UKTV_NOTIFY_INPUT_REJECT = 2	/* line *lineno is bad: *why says
					 * why (valid until the next call) */
};

/* The next value or rejection, END, or -1 with errno (EINTR: a signal cut a
 * read short, nothing lost: call again; ENOMEM). */
int	uktv_notify_input_next(struct uktv_notify_input *,
	    struct json_object **value, unsigned long long *lineno,
	    const char **why);

#endif
