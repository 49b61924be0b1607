/*
 * private/notify.h: notify's test seams (not installed): entry points only its
 * unit tests call.
 */
#ifndef UKTV_PRIVATE_NOTIFY_H
#define UKTV_PRIVATE_NOTIFY_H

#include "notify.h"

/* "new_title", "favourite_changed", "title_removed" (static; "" for NONE). */
const char *uktv_notify_kind_name(enum uktv_notify_kind);

/*
 * ApproximateCreationDateTime (seconds since the epoch, a number, with a
 * fraction where milliseconds are known; a value above 1e11 is taken as
 * milliseconds) as ISO 8601 UTC: "2025-07-04T16:02:51Z", or
 * "2025-07-04T16:02:51.855Z" when the value has a fraction.  0, or -1 when v
 * is absent or not a usable number.
 */
int	uktv_notify_time(struct json_object *v, char out[32]);

#endif
