/*
 * uktv-refdata: Watchmode's reference data (sources for a country, genres,
 * regions) as NDJSON, and with -t kept in the table as the original app's
 * PeriodicReferenceFunction kept it, writing only what changed.  What the
 * table needs is lib/guide/refdata's; this file fetches, prints and writes.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <json-c/json.h>

#include "dynamodb.h"
#include "log.h"
#include "ndjson.h"
#include "refdata.h"
#include "toolopt.h"
#include "watchmode.h"
#include "watchopt.h"

#define PROG	"uktv-refdata"
#define K_MAX	UKTV_REFDATA_NKINDS

enum {
	OPT_COUNTRY = UKTV_OPT_FIRST_FREE,
	OPT_PRUNE,
	OPT_DRY_RUN,
	OPT_FORCE
};

/* The options, then what the run finds out. */
struct run {
	const char			*table;
	char				 country[3];
	int				 want[K_MAX], nwant;
	int				 print, prune, dry, force;
	struct uktv_watchmode_opts	 wo;

	struct uktv_aws			*aws;
	struct uktv_watchmode		*wm;
	struct uktv_refdata_set		 got[K_MAX];
	int				 bad;	/* objects left out */
	/* stdout's reader went away: the listing stops; the table, for
	 * which the credits were spent, is still written. */
	int				 closed;
};

static struct uktv_log logger;

static struct uktv_toolopt to;

/* uktv-refdata(1)'s SYNOPSIS: what a usage error prints. */
#define SYNOPSIS \
	"usage: " PROG " [-nqvV] [-t TABLE] [--country CC] [--prune] [--dry-run]\n" \
	"           [--force] [--api-key-file FILE | --api-key-secret ARN]\n" \
	"           [--key-in-query] [sources | genres | regions ...]\n"

static void
usage_text(FILE *fp)
{
	fprintf(fp,
	    SYNOPSIS
	    "Prints Watchmode's reference data as NDJSON (default: sources and genres)\n"
	    "and with -t keeps it in TABLE, writing only what changed.\n"
	    "  -t, --table TABLE       also store the items in TABLE\n"
	    "  -n, --no-output         print nothing on stdout\n"
	    "  --country CC            the country whose sources are listed (default GB)\n"
	    "  --prune                 delete reference items Watchmode no longer lists\n"
	    "  --dry-run               write nothing; say what would be put and deleted\n"
	    "  --force                 run even when the calls exceed the remaining quota\n"
	    UKTV_WATCHOPT_USAGE
	    UKTV_TOOLOPT_USAGE);
}

static void
option(struct run *r, int ch, const char *arg)
{
	char why[256];

	switch (ch) {
	case 't':
		r->table = uktv_toolopt_value(&to, arg, "-t needs a table name");
		break;
	case 'n':
		r->print = 0;
		break;
	case OPT_COUNTRY:
		if (uktv_watchmode_country(arg, r->country) == -1) {
			snprintf(why, sizeof(why), "--country takes a two-letter "
			    "country code (GB), not '%s'", arg);
			uktv_usage(why);
		}
		break;
	case OPT_PRUNE:
		r->prune = 1;
		break;
	case OPT_DRY_RUN:
		r->dry = 1;
		break;
	case OPT_FORCE:
		r->force = 1;
		break;
	}
}

static void
parse_args(int argc, char *argv[], struct run *r)
{
	static struct option longopts[] = {
		UKTV_TOOLOPT_LONGOPTS,
		UKTV_WATCHOPT_LONGOPTS,
		{ "table",	required_argument, NULL, 't' },
		{ "no-output",	no_argument,	   NULL, 'n' },
		{ "country",	required_argument, NULL, OPT_COUNTRY },
		{ "prune",	no_argument,	   NULL, OPT_PRUNE },
		{ "dry-run",	no_argument,	   NULL, OPT_DRY_RUN },
		{ "force",	no_argument,	   NULL, OPT_FORCE },
		{ NULL, 0, NULL, 0 }
	};
	struct uktv_error e;
	int ch;

	memset(r, 0, sizeof(*r));
	strlcpy(r->country, "GB", sizeof(r->country));
	r->print = 1;
	uktv_toolopt_init(&to, PROG);
	to.synopsis = SYNOPSIS;
	to.usage = usage_text;
	while ((ch = uktv_watchopt_next(&to, &r->wo, argc, argv, "t:n",
	    longopts)) != -1)
		option(r, ch, optarg);
	uktv_error_clear(&e);
	if ((r->nwant = uktv_refdata_want((const char *const *)argv + optind,
	    argc - optind, r->want, &e)) == -1)
		uktv_usage(e.message);
	if (r->table == NULL && (r->prune || r->dry))
		uktv_usage(r->prune ? "--prune needs -t TABLE" :
		    "--dry-run needs -t TABLE");
	uktv_log_init(&logger, PROG, to.verbosity);
}

static void
on_reject(const char *message, int bad, void *arg)
{
	(void)bad;
	(void)arg;
	uktv_log_warn(&logger, "%s", message);
}

/* Fetches one kind, sorted, each object checked (refdata.h). */
static void
fetch(struct run *r, enum uktv_refdata_kind k)
{
	struct json_object *arr = NULL;
	struct uktv_error e;
	int rc;

	uktv_error_clear(&e);
	uktv_log_progress(&logger, "fetching %s from Watchmode",
	    uktv_refdata_word(k));
	if (k == UKTV_REFDATA_SOURCE)
		rc = uktv_watchmode_sources(r->wm, r->country, NULL, &arr, &e);
	else if (k == UKTV_REFDATA_GENRE)
		rc = uktv_watchmode_genres(r->wm, &arr, &e);
	else
		rc = uktv_watchmode_regions(r->wm, &arr, &e);
	uktv_log_progress_done(&logger);
	if (rc == -1)
		uktv_log_die(&logger, &e);
	if ((rc = uktv_refdata_set_make(k, arr, &r->got[k], on_reject, NULL,
	    &e)) == -1)
		uktv_log_die(&logger, &e);
	r->bad += rc;
}

/* Each object as it came, plus its kind. */
static void
print_all(struct run *r)
{
	struct uktv_ndjson_writer out;

	uktv_ndjson_writer_init(&out, stdout);
	for (int k = 0; k < K_MAX; k++)
		for (size_t i = 0; i < r->got[k].n; i++) {
			struct json_object *o = r->got[k].recs[i].obj;

			json_object_object_add(o, "kind",
			    json_object_new_string(uktv_refdata_name(k)));
			if (!r->closed && uktv_ndjson_writer_put(&out, o) == -1) {
				if (!uktv_toolopt_pipe_closed(errno))
					uktv_log_fatal_errno(&logger, EX_IOERR,
					    errno, "stdout");
				r->closed = 1;
			}
			json_object_object_del(o, "kind");
		}
	if (!r->closed && fflush(stdout) == EOF)
		uktv_log_fatal_errno(&logger, EX_IOERR, errno, "stdout");
}

/* Names a write request the batch gave back: "put source:203 (Netflix)". */
static void
report_failed(struct json_object *wr)
{
	struct json_object *r, *k;
	const char *verb;

	if (json_object_object_get_ex(wr, "PutRequest", &r) &&
	    json_object_object_get_ex(r, "Item", &k))
		verb = "put";
	else if (json_object_object_get_ex(wr, "DeleteRequest", &r) &&
	    json_object_object_get_ex(r, "Key", &k))
		verb = "delete";
	else
		return;
	uktv_log_warn(&logger, "not written: %s %s (%s)", verb,
	    uktv_ddb_item_str(k, "PK"), uktv_ddb_item_str(k, "SK"));
}

/* What apply did: the items that failed, and the counts. */
static int
applied(struct uktv_ddb_batch *b, const char *table,
    const struct uktv_refdata_plan *p, const struct uktv_error *first)
{
	struct json_object *failed = uktv_ddb_batch_failed(b);
	const struct uktv_ddb_batch_stats *st = uktv_ddb_batch_stats(b);
	int rc = 0;

	if (first->kind != UKTV_ERR_NONE) {
		for (size_t i = 0; i < json_object_array_length(failed); i++)
			report_failed(json_object_array_get_idx(failed, i));
		uktv_log_error(&logger, first);
		/* Items named above failed: 1 (ARCHITECTURE.md), unless no write
		 * could be made at all for a reason the operator must fix. */
		rc = first->kind == UKTV_ERR_NOPERM ||
		    first->kind == UKTV_ERR_CONFIG ||
		    first->kind == UKTV_ERR_INTERNAL ?
		    uktv_error_exit_code(first) : 1;
	}
	uktv_log_info(&logger, "%s: %ld put, %ld deleted, %ld unchanged, "
	    "%ld BatchWriteItem call%s", table, st->puts, st->deletes,
	    p->unchanged, st->calls, st->calls == 1 ? "" : "s");
	uktv_ddb_batch_free(b);
	return rc;
}

static void
on_progress(size_t done, size_t total, void *arg)
{
	(void)arg;
	uktv_log_progress(&logger, "writing %zu of %zu items", done, total);
}

/* Writes the plan; returns the exit code. */
static int
apply(struct uktv_aws *aws, const char *table, struct uktv_refdata_plan *p)
{
	struct uktv_ddb_batch *b;
	struct uktv_error first;

	uktv_error_clear(&first);
	if ((b = uktv_ddb_batch_new(aws, table)) == NULL)
		uktv_log_fatal(&logger, EX_OSERR, "out of memory");
	uktv_refdata_write(b, p, on_progress, NULL, &first);
	uktv_log_progress_done(&logger);
	return applied(b, table, p, &first);
}

static void
dry_run(const char *table, struct uktv_refdata_plan *p)
{
	size_t np = json_object_array_length(p->puts);
	size_t nd = json_object_array_length(p->deletes);

	uktv_log_warn(&logger, "dry run: would put %zu item%s and delete %zu "
	    "item%s in %s (%ld unchanged)", np, np == 1 ? "" : "s", nd,
	    nd == 1 ? "" : "s", table, p->unchanged);
	for (size_t i = 0; i < np; i++) {
		struct json_object *it = json_object_array_get_idx(p->puts, i);

		uktv_log_info(&logger, "would put %s (%s)",
		    uktv_ddb_item_str(it, "PK"), uktv_ddb_item_str(it, "SK"));
	}
	for (size_t i = 0; i < nd; i++) {
		struct json_object *d = json_object_array_get_idx(p->deletes, i);

		uktv_log_info(&logger, "would delete %s (%s)", uktv_items_json_str(d, "PK"),
		    uktv_items_json_str(d, "SK"));
	}
}

/* With -t: what the table needs, then written (or said, --dry-run). */
static int
store(struct run *r)
{
	struct uktv_refdata_plan plan;
	struct uktv_error e;
	int rc = 0;

	uktv_error_clear(&e);
	if (uktv_refdata_plan_init(&plan, &e) == -1)
		uktv_log_die(&logger, &e);
	for (int k = 0; k < K_MAX; k++)
		if (r->want[k] && uktv_refdata_plan_kind(r->aws, r->table, k,
		    &r->got[k], r->prune, &plan, &e) == -1)
			uktv_log_die(&logger, &e);
	if (plan.stale > 0)
		uktv_log_info(&logger, "%ld reference item%s no longer listed by "
		    "Watchmode kept (--prune deletes them)", plan.stale,
		    plan.stale == 1 ? "" : "s");
	if (r->dry)
		dry_run(r->table, &plan);
	else
		rc = apply(r->aws, r->table, &plan);
	uktv_refdata_plan_free(&plan);
	return rc;
}

/* Region, credentials and the table before the first Watchmode credit is
 * spent or a line printed; one call per kind, and /v1/status/ itself costs
 * nothing (api.md 4.3). */
static void
start(struct run *r)
{
	struct uktv_error e;

	r->aws = uktv_toolopt_aws(&to);
	if (r->table != NULL) {
		uktv_toolopt_table(&to, r->table);
		uktv_toolopt_need_table(&to, r->aws);
	}
	uktv_error_clear(&e);
	if ((r->wm = uktv_watchopt_client(uktv_aws_http(r->aws), r->aws,
	    &r->wo, &e)) == NULL)
		uktv_log_die(&logger, &e);
	if (!r->force && uktv_watchmode_check_quota(r->wm, r->nwant,
	    &e) == -1) {
		if (e.kind == UKTV_ERR_QUOTA)
			strlcat(e.message, " (--force runs anyway)",
			    sizeof(e.message));
		uktv_log_die(&logger, &e);
	}
}

int
main(int argc, char *argv[])
{
	const struct uktv_watchmode_quota *q;
	struct run r;
	int rc = 0;

	parse_args(argc, argv, &r);
	start(&r);
	/* Everything is fetched before anything is printed or written, so a
	 * failed call leaves the table as it was. */
	for (int k = 0; k < K_MAX; k++)
		if (r.want[k])
			fetch(&r, k);
	if (r.print)
		print_all(&r);
	if (r.table != NULL)
		rc = store(&r);
	q = uktv_watchmode_quota(r.wm);
	uktv_log_info(&logger, "Watchmode: %ld call%s; quota: %ld of %ld "
	    "credits used", q->calls, q->calls == 1 ? "" : "s", q->quota_used,
	    q->quota);
	for (int k = 0; k < K_MAX; k++)
		uktv_refdata_set_free(&r.got[k]);
	uktv_watchmode_free(r.wm);
	uktv_aws_free(r.aws);
	if (rc == 0 && r.closed)
		rc = UKTV_EXIT_PIPE;
	if (rc == 0 && r.bad > 0)
		rc = 1;
	return rc;
}
