/*
 * private/guidestore.h: guidestore's test seams (not installed): entry points only its
 * unit tests call.
 */
#ifndef UKTV_PRIVATE_GUIDESTORE_H
#define UKTV_PRIVATE_GUIDESTORE_H

#include "guidestore.h"

/* "stored", "updated", "unchanged", "removed", "rejected", "failed",
 * "pending". */
const char *uktv_title_result_name(enum uktv_title_result);

#endif
