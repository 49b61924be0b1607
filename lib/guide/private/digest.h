/*
 * private/digest.h: digest's test seams (not installed): entry points only its
 * unit tests call.
 */
#ifndef UKTV_PRIVATE_DIGEST_H
#define UKTV_PRIVATE_DIGEST_H

#include "digest.h"

/* Notifications spooled and not yet taken and committed. */
unsigned long	uktv_digest_pending(const struct uktv_digest *);

/* The start of the period holding t (aligned to UTC). */
long long uktv_digest_period_start(long long t_ms, long long period_ms);

#endif
