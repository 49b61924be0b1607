/*
 * private/items.h: items's test seams (not installed): entry points only its
 * unit tests call.
 */
#ifndef UKTV_PRIVATE_ITEMS_H
#define UKTV_PRIVATE_ITEMS_H

#include "items.h"

/* "source", "genre", "region", "index", "title", "userpref", "other". */
const char *uktv_items_kind_name(enum uktv_item_kind);

/* 1 if two DynamoDB number texts are the same number ("10" and "1E1"). */
int	uktv_items_number_equal(const char *a, const char *b);

#endif
