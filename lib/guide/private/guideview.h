/*
 * private/guideview.h: guideview's test seams (not installed): entry points only its
 * unit tests call.
 */
#ifndef UKTV_PRIVATE_GUIDEVIEW_H
#define UKTV_PRIVATE_GUIDEVIEW_H

#include "guideview.h"

/*
 * Takes in one item in DynamoDB's typed form (as Scan returns it; borrowed).
 * Items of no known shape are ignored.  0, or -1 on OOM.
 */
int	uktv_guideview_add_item(struct uktv_guideview *, struct json_object *item);

/* The file named name, or NULL. */
const struct uktv_site_file *uktv_site_find(const struct uktv_site *,
	    const char *name);

#endif
