/*
 * private/kpl.h: the KPL encoder, which only the tests and the fuzzer
 * use (they build the aggregates the reader decodes).
 * Not installed: for libuktv's own tests only.
 */
#ifndef UKTV_PRIVATE_KPL_H
#define UKTV_PRIVATE_KPL_H

#include "kpl.h"

/*
 * Builds an aggregated record of recs[0, n) (partition keys and explicit
 * hash keys deduplicated into the tables, as the KPL does).  *out: caller
 * frees with free().  0, or -1 with errno ENOMEM.  For tests, benchmarks and
 * producers that want to aggregate.
 */
int	uktv_kpl_encode(const struct uktv_kpl_user_record *recs, size_t n,
	    unsigned char **out, size_t *outlen);

#endif
