/*
 * items.h: the single table's key grammar and the comparison of stored
 * values (ARCHITECTURE.md, "Data").
 *
 * One table holds reference items (source:<digits>, genre:<digits>,
 * region:<code>, SK the name), preferences (userpref:<user>), guide titles
 * (title:<digits>) and index entries (source:<digits>:genre:<digits>).  A
 * scan with begins_with(PK, 'source:') finds reference items AND index
 * entries, so every reader and pruner asks uktv_items_pk_kind which one a
 * key is.
 *
 * uktv_items_typed_equal compares two DynamoDB AttributeValues by meaning,
 * not by text: numbers as numbers ("4.50" equals "4.5", as DynamoDB itself
 * normalises them), maps whatever their key order, sets whatever their
 * element order.  Tools use it to write only what changed (a write that
 * changes nothing still puts a record on the table's stream).
 */
#ifndef UKTV_ITEMS_H
#define UKTV_ITEMS_H

#include <json-c/json.h>

enum uktv_item_kind {
	UKTV_ITEM_OTHER = 0,	/* nothing of the grammar */
	UKTV_ITEM_SOURCE,	/* source:<digits> */
	UKTV_ITEM_GENRE,	/* genre:<digits> */
	UKTV_ITEM_REGION,	/* region:<code>: 1-8 letters or digits */
	UKTV_ITEM_INDEX,	/* source:<digits>:genre:<digits> */
	UKTV_ITEM_TITLE,	/* title:<digits> */
	UKTV_ITEM_USERPREF	/* userpref:<user id> */
};

/* Longest id the grammar takes: 20 digits hold any uint64 (cli.h). */
#define UKTV_ITEMS_ID_MAX	20
#define UKTV_ITEMS_REGION_MAX	8

enum uktv_item_kind uktv_items_pk_kind(const char *pk);

/* 1 if the two AttributeValues mean the same value, else 0 (NULL pointers
 * are equal only to each other). */
int	uktv_items_typed_equal(struct json_object *a, struct json_object *b);
/* A plain (untyped) object's string member name, or NULL when it has none
 * or it is not a string.  Borrowed from o. */
const char *uktv_items_json_str(struct json_object *o, const char *name);
/* o[key] = v, a[] += v, taking v over (put on failure; NULL v is out of
 * memory already).  0, or -1 on OOM. */
int	uktv_items_json_add(struct json_object *o, const char *key,
	    struct json_object *v);
int	uktv_items_json_push(struct json_object *a, struct json_object *v);

#endif
