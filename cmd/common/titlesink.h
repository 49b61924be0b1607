/*
 * titlesink.h: the guide table behind a stream run (uktv-consume -t): the
 * title store opened the tools' way, the batch sink of lib/stream's
 * consumerun.h over lib/guide's guidestore.h (each record's data a title
 * event, stored, and what became of it), the store's figures for --stats,
 * what stopped enrichment, and --enrich-missing.  Here rather than in lib/
 * since it needs both stream and guide, which never include each other.
 * cmd/common: may print and exit, never installed.
 */
#ifndef UKTV_TITLESINK_H
#define UKTV_TITLESINK_H

#include "consumerun.h"
#include "guidestore.h"
#include "log.h"
#include "toolopt.h"
#include "watchmode.h"

struct uktv_titlesink {
	struct uktv_log		*log;
	struct uktv_watchmode	*wm;
	struct uktv_guidestore	*store;
};

/*
 * The table (-t TABLE, checked with one DescribeTable before a record is
 * read or a Watchmode credit spent), with wo the Watchmode client for
 * enrichment (NULL: none), and the store, its offers for country.  Dies
 * (through log) on failure.
 */
void	uktv_titlesink_open(struct uktv_titlesink *, struct uktv_toolopt *,
	    struct uktv_aws *, const char *table,
	    const struct uktv_watchmode_opts *wo, const char *country,
	    struct uktv_log *);
void	uktv_titlesink_free(struct uktv_titlesink *);

/* The run's sink hooks over s (borrowed until the run is over). */
void	uktv_titlesink_hook(struct uktv_titlesink *, struct uktv_consumerun_sink *);

/* --enrich-missing: each stored title without details (or with details
 * older than older_days, >= 0) enriched, each said with -v.  0, or 1 when
 * some failed; dies when the scan cannot go on. */
int	uktv_titlesink_enrich_missing(struct uktv_titlesink *, int older_days);

#endif
