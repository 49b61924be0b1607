/*
 * titlerun.c: see titlerun.h.  Moved from uktv-titles' main so that a
 * second program (a scheduler, a test) can run the same steps and say
 * what happened its own way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ndjson.h"
#include "time.h"
#include "titleevent.h"
#include "titlerun.h"

/* One line for the run's note hook. */
#define note(r, kind, ...) \
	uktv_guidenote((r)->note, (r)->note_arg, (kind), __VA_ARGS__)

static const char *
plural(long long n)
{
	return n == 1 ? "" : "s";
}

void
uktv_titlerun_init(struct uktv_titlerun *r, const char *component)
{
	memset(r, 0, sizeof(*r));
	r->component = component;
	strlcpy(r->country, "GB", sizeof(r->country));
	r->refresh_ms = -1;
	r->overlap_ms = UKTV_TITLERUN_DEFAULT_OVERLAP_MS;
	uktv_prefs_set_init(&r->set);
	uktv_titlestate_init(&r->st);
}

void
uktv_titlerun_free(struct uktv_titlerun *r)
{
	uktv_titleplan_hits_free(&r->hits);
	uktv_titleplan_events_free(&r->outs);
	free(r->pairs);
	r->pairs = NULL;
	uktv_titlestate_clear(&r->st);
	uktv_prefs_set_free(&r->set);
}

/* ---- before listing ---- */

int
uktv_titlerun_pairs(struct uktv_titlerun *r, struct uktv_error *err)
{
	if (uktv_titleplan_pairs(&r->set, &r->pairs, &r->npairs, err) == -1)
		return -1;
	note(r, UKTV_GUIDENOTE_INFO, "%zu user%s follow %zu distinct source x "
	    "genre pair%s", r->set.n, plural(r->set.n), r->npairs,
	    plural(r->npairs));
	if (r->npairs == 0 && r->rejected == 0)
		note(r, UKTV_GUIDENOTE_WARN, "no user follows both a source and "
		    "a genre: there is nothing to list");
	return 0;
}

int
uktv_titlerun_load_state(struct uktv_titlerun *r, struct uktv_error *err)
{
	char query[256];
	int found = 0;

	uktv_titleplan_query(r->country, r->types, r->since, query,
	    sizeof(query));
	if (r->state_path != NULL &&
	    uktv_titlestate_load(&r->st, r->state_path, &found, err) == -1) {
		strlcat(err->message, " (move it away to start afresh: every "
		    "title is then sent again)", sizeof(err->message));
		return -1;
	}
	if (found && (r->st.query == NULL || strcmp(r->st.query, query) != 0)) {
		note(r, UKTV_GUIDENOTE_INFO, "state: the query changed (%s, was "
		    "%s): every pair is listed", query,
		    r->st.query ? r->st.query : "none");
		for (size_t i = 0; i < r->st.npairs; i++)
			r->st.pairs[i].complete = 0;
	}
	if (uktv_titlestate_set_query(&r->st, query) == -1)
		return -2;
	return 0;
}

/*
 * Asks one changes endpoint whether anything changed since since.  1 yes,
 * 0 no, -1 with err (err->http_status 401: not in the plan).
 */
static int
changed(struct uktv_titlerun *r, const char *change, const char *since,
    const char *region, long budget, struct uktv_error *err)
{
	int rc;

	rc = uktv_titleplan_changed(r->wm, change, since,
	    *r->types ? r->types : NULL, region, budget, &r->used, err);
	note(r, UKTV_GUIDENOTE_INFO, "Watchmode /v1/changes/%s/ since %s: %s",
	    change, since, rc == 1 ? "changes" : rc == 0 ? "none" : "failed");
	return rc;
}

/*
 * --changes: when the last complete run listed every pair the state knows,
 * all of them still followed, and Watchmode reports no new title and no
 * title whose sources changed since then, the pairs it listed need not be
 * listed again (new pairs still are).
 */
static int
ask_changes(struct uktv_titlerun *r, struct uktv_error *err)
{
	const char *no;
	char since[16];
	int c1, c2 = 0;

	if ((no = uktv_titleplan_changes_useless(&r->st, r->pairs, r->npairs,
	    r->started_ms, r->refresh_ms)) != NULL) {
		note(r, UKTV_GUIDENOTE_INFO, "--changes: %s: listing every pair",
		    no);
		return 0;
	}
	uktv_titleplan_changes_since(&r->st, r->overlap_ms, since);
	if (!r->force && uktv_watchmode_check_quota(r->wm, r->max_calls > 0 &&
	    r->max_calls < 2 ? (long)r->max_calls : 2, err) == -1)
		return -1;
	c1 = changed(r, "new_titles", since, NULL, r->max_calls, err);
	if (c1 == 0)
		c2 = changed(r, "titles_sources_changed", since, r->country,
		    r->max_calls > 0 ? r->max_calls - r->used : 0, err);
	if ((c1 == -1 || c2 == -1) && err->http_status == 401) {
		note(r, UKTV_GUIDENOTE_WARN, "Watchmode's changes need a paid "
		    "plan (HTTP 401): listing every pair");
		return 0;
	}
	if ((c1 == -1 || c2 == -1) && strcmp(err->code, "MaxCalls") == 0)
		return uktv_error_set(err, UKTV_ERR_SERVICE, "--max-calls %lld "
		    "reached while asking for changes: nothing listed",
		    r->max_calls);
	if (c1 == -1 || c2 == -1)
		return -1;
	if (c1 == 1 || c2 == 1)
		return 0;
	r->nlist = uktv_titleplan_skip_complete(&r->st, r->pairs, r->npairs);
	note(r, UKTV_GUIDENOTE_INFO, "--changes: nothing changed since %s: %zu "
	    "known pair%s not listed, %zu new", since, r->npairs - r->nlist,
	    plural(r->npairs - r->nlist), r->nlist);
	return 0;
}

/* The quota check: the pages each pair took last time, else one. */
static int
check_quota(struct uktv_titlerun *r, struct uktv_error *err)
{
	long long planned;

	if (r->nlist == 0 || r->force)
		return 0;
	planned = uktv_titleplan_planned_calls(&r->st, r->pairs, r->npairs,
	    r->max_calls, r->used);
	if (planned > 0 && uktv_watchmode_check_quota(r->wm, (long)planned,
	    err) == -1) {
		if (err->kind == UKTV_ERR_QUOTA)
			strlcat(err->message, " (--force runs anyway)",
			    sizeof(err->message));
		return -1;
	}
	return 0;
}

int
uktv_titlerun_plan(struct uktv_titlerun *r, struct uktv_watchmode *wm,
    struct uktv_error *err)
{
	r->wm = wm;
	r->nlist = r->npairs;
	r->started_ms = uktv_time_now_ms();
	uktv_error_clear(err);
	if (r->changes && ask_changes(r, err) == -1)
		return -1;
	uktv_error_clear(err);
	return check_quota(r, err);
}

/* ---- listing ---- */

/* Every page of pair i: 0, -1 with err, or -2 out of memory. */
static int
list_pair(struct uktv_titlerun *r, size_t i, struct uktv_error *err)
{
	struct uktv_titleplan_query q = { r->country, r->types, r->since,
	    r->max_calls };
	struct uktv_titleplan_pair *p = &r->pairs[i];
	int rc;

	/* On a terminal: which pair, out of how many, and what it cost. */
	note(r, UKTV_GUIDENOTE_PROGRESS, "pair %zu/%zu (source %s x genre %s), "
	    "%ld call%s, %zu titles", i + 1, r->npairs, p->source,
	    p->genre, r->used, plural(r->used), r->hits.n);
	uktv_error_clear(err);
	rc = uktv_titleplan_list_pair(r->wm, &q, r->pairs, i, &r->hits,
	    &r->used, err);
	note(r, UKTV_GUIDENOTE_PROGRESS_DONE, "%s", "");
	if (rc == 0) {
		r->nlisted++;
		note(r, UKTV_GUIDENOTE_INFO, "source %s x genre %s: %ld title%s, "
		    "%ld page%s", p->source, p->genre, p->titles,
		    plural(p->titles), p->pages, plural(p->pages));
	}
	return rc;
}

int
uktv_titlerun_list(struct uktv_titlerun *r)
{
	struct uktv_error err;
	int rc;

	uktv_error_clear(&r->failed);
	for (size_t i = 0; i < r->npairs; i++) {
		if (!r->pairs[i].list)
			continue;
		if (r->max_calls > 0 && r->used >= r->max_calls) {
			r->stopped = 1;
			return 0;
		}
		if ((rc = list_pair(r, i, &err)) == 0)
			continue;
		if (rc == -2)
			return -2;
		if (strcmp(err.code, "MaxCalls") == 0)
			r->stopped = 1;
		else
			r->failed = err;
		return 0;
	}
	return 0;
}

/* ---- after listing ---- */

int
uktv_titlerun_reconcile(struct uktv_titlerun *r, long long now_ms,
    const char *ts, struct uktv_error *err)
{
	struct uktv_titleplan_run pr = { 0 };

	pr.pairs = r->pairs;
	pr.npairs = r->npairs;
	pr.hits = &r->hits;
	pr.complete = !r->stopped && r->failed.kind == UKTV_ERR_NONE &&
	    r->rejected == 0;
	pr.started_ms = r->started_ms;
	pr.now_ms = now_ms;
	pr.refresh_ms = r->refresh_ms;
	pr.component = r->component;
	pr.ts = ts;
	return uktv_titleplan_reconcile(&r->st, &pr, &r->outs, &r->tally, err);
}

int
uktv_titlerun_print(struct uktv_titlerun *r, FILE *fp, const char *ts,
    size_t *written)
{
	struct uktv_titleplan_events *o = &r->outs;
	struct uktv_ndjson_writer w;

	uktv_titleplan_events_sort(o);
	uktv_ndjson_writer_init(&w, fp);
	for (*written = 0; *written < o->n; (*written)++) {
		struct uktv_titleplan_event *v = &o->v[*written];
		struct json_object *ev = v->obj;
		int rc;

		if (ev == NULL && (ev = uktv_titleevent_remove(r->component,
		    ts, v->id)) == NULL)
			return -2;
		rc = uktv_ndjson_writer_put(&w, ev);
		if (v->obj == NULL)
			json_object_put(ev);
		if (rc == -1)
			return -1;
	}
	return fflush(fp) == EOF ? -1 : 0;
}

int
uktv_titlerun_save(struct uktv_titlerun *r, size_t written,
    struct uktv_error *err)
{
	if (r->state_path == NULL)
		return 0;
	if (written < r->outs.n && uktv_titleplan_keep_written(&r->st,
	    r->state_path, &r->outs, written, err) == -1)
		return -1;
	if (uktv_titlestate_save(&r->st, r->state_path, uktv_time_now_ms(),
	    err) == -1) {
		strlcat(err->message, " (the titles printed will be sent again "
		    "next time)", sizeof(err->message));
		return -1;
	}
	return 0;
}

/* What was cut short; returns the exit code. */
static int
report_problems(struct uktv_titlerun *r)
{
	int rc = 0;

	if (r->hits.bad > 0) {
		note(r, UKTV_GUIDENOTE_WARN, "%ld title%s in Watchmode's answers "
		    "had no id or no title: left out", r->hits.bad,
		    plural(r->hits.bad));
		rc = 1;
	}
	if (r->rejected > 0) {
		note(r, UKTV_GUIDENOTE_WARN, "%lu preference line%s rejected: no "
		    "title was removed this run", r->rejected,
		    plural(r->rejected));
		rc = 1;
	}
	if (r->stopped) {
		note(r, UKTV_GUIDENOTE_WARN, "stopped at --max-calls %lld: %zu of "
		    "%zu pair%s listed; no title was removed this run",
		    r->max_calls, r->nlisted, r->nlist, plural(r->nlist));
		rc = 1;
	}
	if (r->failed.kind != UKTV_ERR_NONE) {
		note(r, UKTV_GUIDENOTE_WARN, "%s", r->failed.message[0] != '\0' ?
		    r->failed.message : uktv_error_kind_name(r->failed.kind));
		note(r, UKTV_GUIDENOTE_WARN, "%zu of %zu pair%s listed; no title "
		    "was removed this run", r->nlisted, r->nlist,
		    plural(r->nlist));
		rc = uktv_error_exit_code(&r->failed);
	}
	return rc;
}

int
uktv_titlerun_report(struct uktv_titlerun *r)
{
	const struct uktv_watchmode_quota *q = uktv_watchmode_quota(r->wm);
	const long *v = r->tally.verdicts;

	note(r, UKTV_GUIDENOTE_INFO, "titles: %ld new, %ld changed, %ld "
	    "refreshed, %ld removed, %ld unchanged", v[UKTV_TITLESTATE_NEW],
	    v[UKTV_TITLESTATE_CHANGED], v[UKTV_TITLESTATE_REFRESH],
	    v[UKTV_TITLESTATE_REMOVE], v[UKTV_TITLESTATE_UNCHANGED]);
	note(r, UKTV_GUIDENOTE_INFO, "Watchmode: %ld call%s (%ld retried, %ld "
	    "rate-limited); quota: %ld of %ld credits used, %ld left", r->used,
	    plural(r->used), q->retries, q->rate_limited, q->quota_used,
	    q->quota, q->quota >= 0 && q->quota_used >= 0 ?
	    q->quota - q->quota_used : -1);
	return report_problems(r);
}
