/*
 * private/lease.h: the lease rules on their own, for the unit tests.
 * Not installed: for libuktv's own tests only.
 */
#ifndef UKTV_PRIVATE_LEASE_H
#define UKTV_PRIVATE_LEASE_H

#include "lease.h"

/*
 * The balance rule on its own, for the unit tests: given the leases as this
 * worker sees them at now_ms, marks in want[i] 1 for each lease to take
 * (free or expired), 2 for the one to steal, 0 otherwise.  Returns the
 * number marked.  Leases held by me (held set) are counted as mine.
 */
size_t	uktv_lease_plan(const struct uktv_lease *leases, size_t n,
	    const char *me, long long now_ms, long duration_ms, int *want);
/* 1 when the lease may be read now (eligible, above). */
int	uktv_lease_eligible(const struct uktv_lease *leases, size_t n, size_t i);

#endif
