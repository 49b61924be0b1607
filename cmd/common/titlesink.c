/*
 * titlesink.c: see titlesink.h.  Moved from uktv-consume.
 */
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <json-c/json.h>

#include "ndjson.h"
#include "titlesink.h"
#include "watchopt.h"

void
uktv_titlesink_open(struct uktv_titlesink *s, struct uktv_toolopt *to,
    struct uktv_aws *aws, const char *table,
    const struct uktv_watchmode_opts *wo, const char *country,
    struct uktv_log *log)
{
	struct uktv_guidestore_opts go = { 0 };
	struct uktv_error e;

	memset(s, 0, sizeof(*s));
	s->log = log;
	uktv_error_clear(&e);
	/* Before a record is read or a Watchmode credit spent. */
	uktv_toolopt_table(to, table);
	uktv_toolopt_need_table(to, aws);
	if (wo != NULL && (s->wm = uktv_watchopt_client(uktv_aws_http(aws), aws,
	    wo, &e)) == NULL)
		uktv_log_die(log, &e);
	go.table = table;
	go.wm = s->wm;
	go.region = country;
	if ((s->store = uktv_guidestore_new(aws, &go, &e)) == NULL)
		uktv_log_die(log, &e);
}

void
uktv_titlesink_free(struct uktv_titlesink *s)
{
	uktv_guidestore_free(s->store);
	uktv_watchmode_free(s->wm);
	s->store = NULL;
	s->wm = NULL;
}

/* The parsed records' events (ev[map[i]] for records[i]; -1: none). */
static size_t
parse(struct uktv_titlesink *s, const struct uktv_stream_batch *b,
    const enum uktv_streamout_check *chk, struct uktv_title_event *ev,
    size_t *map)
{
	struct json_tokener *tok;
	size_t n = 0;

	if ((tok = json_tokener_new_ex(UKTV_NDJSON_MAX_DEPTH * 2)) == NULL)
		uktv_log_fatal(s->log, EX_OSERR, "out of memory");
	for (size_t i = 0; i < b->n; i++) {
		const struct uktv_stream_record *r = &b->records[i];
		struct json_object *o;

		map[i] = (size_t)-1;
		if (chk[i] != UKTV_SO_OBJECT)
			continue;
		json_tokener_reset(tok);
		o = json_tokener_parse_ex(tok, (const char *)r->data,
		    (int)r->data_len);
		if (o == NULL)
			continue;
		memset(&ev[n], 0, sizeof(ev[n]));
		ev[n].event = o;
		ev[n].shard = r->shard_id;
		ev[n].sequence = r->sequence;
		map[i] = n++;
	}
	json_tokener_free(tok);
	return n;
}

/* What the store made of one record (t: its event, NULL when its data did
 * not parse). */
static void
verdict(const struct uktv_title_event *t, struct uktv_consumerun_verdict *v)
{
	if (t == NULL) {
		v->kind = UKTV_CONSUMERUN_REFUSED;
		strlcpy(v->code, "invalid_json", sizeof(v->code));
		strlcpy(v->why, "data is not JSON", sizeof(v->why));
	} else if (t->result == UKTV_TITLE_REJECTED ||
	    t->result == UKTV_TITLE_FAILED) {
		v->kind = t->result == UKTV_TITLE_REJECTED ?
		    UKTV_CONSUMERUN_REFUSED : UKTV_CONSUMERUN_FAILED;
		strlcpy(v->code, t->code[0] ? t->code : t->result ==
		    UKTV_TITLE_REJECTED ? "bad_event" : "failed",
		    sizeof(v->code));
		strlcpy(v->why, t->reason, sizeof(v->why));
	} else if (t->enrich_failed)
		snprintf(v->info, sizeof(v->info), "not enriched: %s",
		    t->reason_enrich);
}

/* The sink's apply: the OBJECT records parsed and stored as one batch. */
static int
apply(void *arg, const struct uktv_stream_batch *b,
    const enum uktv_streamout_check *chk, struct uktv_consumerun_verdict *v,
    struct uktv_error *err)
{
	struct uktv_titlesink *s = arg;
	struct uktv_title_event *ev;
	size_t *map, n;
	int rc = 0;

	if ((ev = calloc(b->n, sizeof(*ev))) == NULL ||
	    (map = calloc(b->n, sizeof(*map))) == NULL)
		uktv_log_fatal(s->log, EX_OSERR, "out of memory");
	n = parse(s, b, chk, ev, map);
	if (n > 0 && uktv_guidestore_apply(s->store, ev, n, err) == -1)
		rc = -1;
	for (size_t i = 0; i < b->n && rc == 0; i++)
		if (chk[i] == UKTV_SO_OBJECT)
			verdict(map[i] == (size_t)-1 ? NULL : &ev[map[i]], &v[i]);
	for (size_t i = 0; i < n; i++)
		json_object_put(ev[i].event);
	free(ev);
	free(map);
	return rc;
}

static void
stats(void *arg, struct json_object *o)
{
	struct uktv_titlesink *s = arg;

	uktv_guidestore_stats_json(s->store, o);
}

/* Titles were stored, but a refused key or a spent quota is the
 * operator's to fix: say so and exit with its code (77, 69). */
static int
finish(void *arg)
{
	struct uktv_titlesink *s = arg;
	const struct uktv_error *ee;

	if ((ee = uktv_guidestore_enrich_error(s->store)) == NULL)
		return 0;
	uktv_log_warn(s->log, "enrichment stopped: %s", ee->message);
	return uktv_error_exit_code(ee);
}

void
uktv_titlesink_hook(struct uktv_titlesink *s, struct uktv_consumerun_sink *k)
{
	k->apply = apply;
	k->stats = stats;
	k->finish = finish;
	k->arg = s;
}

static void
on_enriched(const char *id, int ok, const struct uktv_error *e, void *arg)
{
	struct uktv_titlesink *s = arg;

	if (ok)
		uktv_log_info(s->log, "title %s: enriched", id);
	else
		uktv_log_warn(s->log, "title %s: not enriched: %s", id,
		    e != NULL ? e->message : "unknown error");
}

int
uktv_titlesink_enrich_missing(struct uktv_titlesink *s, int older_days)
{
	struct uktv_error e;
	long failed;

	uktv_error_clear(&e);
	failed = uktv_guidestore_enrich_missing(s->store, older_days, 0,
	    on_enriched, s, &e);
	if (failed == -1)
		uktv_log_die(s->log, &e);
	return failed > 0;
}
