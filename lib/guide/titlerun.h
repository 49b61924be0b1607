/*
 * titlerun.h: one run of uktv-titles from the preferences loaded to the
 * report: the pairs, the state's query, Watchmode's changes window and the
 * quota, the listing of every pair and the reconciling (titleplan.h), then
 * what happened and the exit code.  The library never prints: what a tool
 * would say is handed, one line at a time, to the run's note hook, which
 * the tool routes to its log (guidenote.h).
 *
 *   uktv_titlerun_init(&r, "uktv-titles");
 *   ... options into r, preferences into r.set ...
 *   uktv_titlerun_pairs(&r, &err); uktv_titlerun_load_state(&r, &err);
 *   uktv_titlerun_plan(&r, wm, &err); uktv_titlerun_list(&r);
 *   uktv_titlerun_reconcile(&r, now_ms, ts, &err);
 *   uktv_titlerun_print(&r, stdout, ts, &written);
 *   uktv_titlerun_save(&r, written, &err);
 *   rc = uktv_titlerun_report(&r);
 */
#ifndef UKTV_TITLERUN_H
#define UKTV_TITLERUN_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"
#include "guidenote.h"
#include "prefs.h"
#include "titleplan.h"
#include "titlestate.h"
#include "watchmode.h"

/* The changes endpoints' time zone is not documented for certain (api.md
 * 7.10: US Eastern or Pacific); looking back this much more than the last
 * complete run's start covers either. */
#define UKTV_TITLERUN_DEFAULT_OVERLAP_MS	(8LL * 3600 * 1000)

/* One run: what is asked (set before uktv_titlerun_pairs), then what the
 * steps find out. */
struct uktv_titlerun {
	const char		*component;	/* the events' header */
	const char		*state_path;	/* NULL: no state */
	char			 country[3];
	char			 types[128];	/* CSV, sorted */
	char			 since[9];	/* YYYYMMDD */
	long long		 max_calls;	/* 0: no bound */
	long long		 refresh_ms;	/* -1: never */
	long long		 overlap_ms;
	int			 changes;	/* ask Watchmode's changes */
	int			 force;		/* no quota check */
	uktv_guidenote_fn	 note;		/* what a tool would log */
	void			*note_arg;

	struct uktv_watchmode	*wm;		/* borrowed */
	struct uktv_prefs_set	 set;
	unsigned long		 rejected;	/* preference lines */
	struct uktv_titleplan_pair *pairs;
	size_t			 npairs;
	size_t			 nlist;		/* pairs to list this run */
	size_t			 nlisted;	/* pairs listed to the end */
	struct uktv_titlestate	 st;
	long long		 started_ms;
	long			 used;		/* billed calls */
	int			 stopped;	/* by --max-calls */
	struct uktv_error	 failed;	/* a listing that failed */
	struct uktv_titleplan_hits hits;
	struct uktv_titleplan_events outs;
	struct uktv_titleplan_tally tally;
};

/* The defaults (country GB, no refresh, the default overlap), an empty
 * preference set and state. */
void	uktv_titlerun_init(struct uktv_titlerun *, const char *component);
void	uktv_titlerun_free(struct uktv_titlerun *);

/* The distinct pairs of r->set, said (and warned about when there are
 * none to list).  0, or -1 with err. */
int	uktv_titlerun_pairs(struct uktv_titlerun *, struct uktv_error *);
/*
 * The state at r->state_path (when set), its query compared with this
 * run's: when it changed every pair is listed.  0; -1 with err (a state
 * that cannot be read, saying how to start afresh); -2 out of memory.
 */
int	uktv_titlerun_load_state(struct uktv_titlerun *, struct uktv_error *);
/*
 * Before a title is listed, with wm: with r->changes, Watchmode's changes
 * may spare the pairs listed complete last time; then, unless r->force,
 * the quota must hold the calls planned.  0, or -1 with err (kind QUOTA
 * when the quota is short; code "MaxCalls", exit 1, when --max-calls ran
 * out while asking for changes).
 */
int	uktv_titlerun_plan(struct uktv_titlerun *, struct uktv_watchmode *,
	    struct uktv_error *);
/*
 * One list-titles query per pair to list, every page, until a call fails
 * for good (r->failed) or the next would exceed max_calls (r->stopped):
 * neither is an error of this call.  0, or -2 out of memory.
 */
int	uktv_titlerun_list(struct uktv_titlerun *);
/* The titles seen against the state: r->outs and r->tally, a sweep of the
 * titles gone only when nothing was cut short.  0, or -1 with err. */
int	uktv_titlerun_reconcile(struct uktv_titlerun *, long long now_ms,
	    const char *ts, struct uktv_error *);
/*
 * The events in id order to fp as NDJSON.  0; -1 with errno when a write
 * or the flush failed, *written saying how many events went out before
 * (all of them when the flush failed); -2 out of memory.
 */
int	uktv_titlerun_print(struct uktv_titlerun *, FILE *, const char *ts,
	    size_t *written);
/*
 * Saves the state (when there is one) once written of the events are out:
 * when not all of them are (the reader went away), the state becomes the
 * one this run started from with only those titles brought up to date, so
 * that it claims nothing that was not written.  0, or -1 with err.
 */
int	uktv_titlerun_save(struct uktv_titlerun *, size_t written,
	    struct uktv_error *);
/* What happened and what was cut short, as notes; returns the exit code
 * (0, 1, or the failed listing's). */
int	uktv_titlerun_report(struct uktv_titlerun *);

#endif
