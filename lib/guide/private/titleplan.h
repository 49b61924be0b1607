/*
 * private/titleplan.h: titleplan's test seams (not installed): entry points only its
 * unit tests call.
 */
#ifndef UKTV_PRIVATE_TITLEPLAN_H
#define UKTV_PRIVATE_TITLEPLAN_H

#include "titleplan.h"

struct uktv_titleplan_pair *uktv_titleplan_pair_find(
	    struct uktv_titleplan_pair *, size_t n, const char *key);

/* A uktv_watchmode_title_fn: collects a title summary into hits (arg) as
 * seen in hits->pair; one without a positive id or a title is counted in
 * hits->bad.  0, or 2 when out of memory (the paging stops). */
int	uktv_titleplan_on_title(struct json_object *title, void *hits);

#endif
