/*
 * uktv-refdata: Watchmode's reference data (sources for a country, genres,
 * regions) as NDJSON, and with -t kept in the table as the original app's
 * PeriodicReferenceFunction kept it, writing only what changed.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <json-c/json.h>

#include "dynamodb.h"
#include "items.h"
#include "log.h"
#include "ndjson.h"
#include "toolopt.h"
#include "watchmode.h"
#include "watchopt.h"

#define PROG	"uktv-refdata"

/* DynamoDB's limit for a sort key value (Developer Guide, "Quotas"). */
#define SK_MAX	1024

enum {
	OPT_COUNTRY = UKTV_OPT_FIRST_FREE,
	OPT_PRUNE,
	OPT_DRY_RUN,
	OPT_FORCE
};

enum kind { K_SOURCE, K_GENRE, K_REGION, K_MAX };

/* Output order is this order (sources, genres, regions). */
static const struct {
	const char		*word;	/* operand */
	const char		*name;	/* "kind" in the output */
	const char		*prefix;/* PK prefix */
	enum uktv_item_kind	 item;
} kinds[K_MAX] = {
	{ "sources", "source", "source:", UKTV_ITEM_SOURCE },
	{ "genres", "genre", "genre:", UKTV_ITEM_GENRE },
	{ "regions", "region", "region:", UKTV_ITEM_REGION },
};

/* One reference item to be: borrowed from the fetched array. */
struct rec {
	char			 pk[40];
	const char		*sk;
	struct json_object	*obj;
};

struct fetched {
	struct json_object	*arr;	/* owned */
	struct rec		*recs;	/* owned */
	size_t			 n;
};

struct plan {
	struct json_object	*puts;		/* typed items */
	struct json_object	*deletes;	/* [{"PK":..,"SK":..}] plain */
	long			 unchanged;
	long			 stale;		/* listed no more, kept */
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

static void __attribute__((noreturn))
usage(const char *why)
{
	uktv_toolopt_usage(&to, why);
}

static void __attribute__((noreturn))
die(const struct uktv_error *e)
{
	uktv_log_error(&logger, e);
	exit(uktv_error_exit_code(e));
}

static long long
obj_id(struct json_object *o)
{
	struct json_object *v;

	if (json_object_object_get_ex(o, "id", &v) &&
	    json_object_is_type(v, json_type_int))
		return json_object_get_int64(v);
	return -1;
}

static const char *
obj_str(struct json_object *o, const char *name)
{
	struct json_object *v;

	if (json_object_object_get_ex(o, name, &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

static int
cmp_id(const void *a, const void *b)
{
	long long x = obj_id(*(struct json_object *const *)a);
	long long y = obj_id(*(struct json_object *const *)b);

	return x < y ? -1 : x > y;
}

static int
cmp_country(const void *a, const void *b)
{
	const char *x = obj_str(*(struct json_object *const *)a, "country");
	const char *y = obj_str(*(struct json_object *const *)b, "country");

	return strcmp(x ? x : "", y ? y : "");
}

/*
 * Fetches one kind, sorted, and checks each object can be a reference item
 * (an id or country code of the grammar, a name).  An object that cannot is
 * reported and left out; *bad counts them.
 */
static void
fetch(struct uktv_watchmode *wm, enum kind k, const char *country,
    struct fetched *f, int *bad)
{
	struct uktv_error e;
	size_t n;
	int rc;

	uktv_error_clear(&e);
	uktv_log_progress(&logger, "fetching %s from Watchmode",
	    k == K_SOURCE ? "sources" : k == K_GENRE ? "genres" : "regions");
	if (k == K_SOURCE)
		rc = uktv_watchmode_sources(wm, country, NULL, &f->arr, &e);
	else if (k == K_GENRE)
		rc = uktv_watchmode_genres(wm, &f->arr, &e);
	else
		rc = uktv_watchmode_regions(wm, &f->arr, &e);
	uktv_log_progress_done(&logger);
	if (rc == -1)
		die(&e);
	json_object_array_sort(f->arr, k == K_REGION ? cmp_country : cmp_id);
	n = json_object_array_length(f->arr);
	if ((f->recs = calloc(n ? n : 1, sizeof(*f->recs))) == NULL)
		err(EX_OSERR, NULL);
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(f->arr, i);
		struct rec *r = &f->recs[f->n];
		const char *code;

		if (!json_object_is_type(o, json_type_object)) {
			uktv_log_warn(&logger, "%s: item %zu is not an object: "
			    "left out", kinds[k].word, i + 1);
			(*bad)++;
			continue;
		}
		if (k == K_REGION)
			snprintf(r->pk, sizeof(r->pk), "region:%s",
			    (code = obj_str(o, "country")) ? code : "");
		else
			snprintf(r->pk, sizeof(r->pk), "%s%lld", kinds[k].prefix,
			    obj_id(o));
		r->sk = obj_str(o, "name");
		if (uktv_items_pk_kind(r->pk) != kinds[k].item) {
			uktv_log_warn(&logger, "%s: item %zu has no valid %s: left out",
			    kinds[k].word, i + 1, k == K_REGION ? "country" : "id");
			(*bad)++;
			continue;
		}
		if (r->sk == NULL || *r->sk == '\0' || strlen(r->sk) > SK_MAX) {
			uktv_log_warn(&logger, "%s: %s has no usable name: left out",
			    kinds[k].word, r->pk);
			(*bad)++;
			continue;
		}
		if (f->n > 0 && strcmp(f->recs[f->n - 1].pk, r->pk) == 0) {
			uktv_log_warn(&logger, "%s: %s listed twice: the first kept",
			    kinds[k].word, r->pk);
			continue;
		}
		r->obj = o;
		f->n++;
	}
}

/* Reads what the table holds of one kind: PK -> [items]. */
struct scanned {
	enum uktv_item_kind	 want;
	struct json_object	*by_pk;
};

static int
on_item(struct json_object *item, void *arg)
{
	struct scanned *s = arg;
	const char *pk = uktv_ddb_item_str(item, "PK");
	struct json_object *list;

	/* A begins_with scan also finds index entries: the grammar decides. */
	if (uktv_items_pk_kind(pk) != s->want ||
	    uktv_ddb_item_str(item, "SK") == NULL)
		return 0;
	if (!json_object_object_get_ex(s->by_pk, pk, &list)) {
		list = json_object_new_array();
		json_object_object_add(s->by_pk, pk, list);
	}
	json_object_array_add(list, json_object_get(item));
	return 0;
}

static void
add_delete(struct plan *p, const char *pk, const char *sk)
{
	struct json_object *d = json_object_new_object();

	json_object_object_add(d, "PK", json_object_new_string(pk));
	json_object_object_add(d, "SK", json_object_new_string(sk));
	json_object_array_add(p->deletes, d);
}

/*
 * What one kind needs: a put for each item whose name or data differs from
 * what is stored, a delete for each stored item of a listed PK under another
 * name (a rename leaves one item), and with prune a delete for each
 * reference item of a PK Watchmode no longer lists.
 */
static void
plan_kind(struct uktv_aws *aws, const char *table, enum kind k,
    const struct fetched *f, int prune, struct plan *p)
{
	struct scanned s = { kinds[k].item, json_object_new_object() };
	struct uktv_error e;

	uktv_error_clear(&e);
	if (uktv_ddb_scan(aws, table, kinds[k].prefix, on_item, &s, &e) == -1)
		die(&e);
	for (size_t i = 0; i < f->n; i++) {
		const struct rec *r = &f->recs[i];
		struct json_object *data = uktv_ddb_to_typed(r->obj), *list, *item;
		int same = 0;

		if (json_object_object_get_ex(s.by_pk, r->pk, &list)) {
			for (size_t j = 0; j < json_object_array_length(list); j++) {
				struct json_object *old = json_object_array_get_idx(list, j);
				const char *sk = uktv_ddb_item_str(old, "SK");
				struct json_object *od = NULL;

				json_object_object_get_ex(old, "data", &od);
				if (strcmp(sk, r->sk) != 0)
					add_delete(p, r->pk, sk);
				else if (uktv_items_typed_equal(od, data))
					same = 1;
			}
			json_object_object_del(s.by_pk, r->pk);
		}
		if (same) {
			p->unchanged++;
			json_object_put(data);
			continue;
		}
		item = uktv_ddb_key(r->pk, r->sk);
		json_object_object_add(item, "data", data);
		json_object_array_add(p->puts, item);
	}
	json_object_object_foreach(s.by_pk, pk, list) {
		for (size_t j = 0; j < json_object_array_length(list); j++) {
			const char *sk = uktv_ddb_item_str(
			    json_object_array_get_idx(list, j), "SK");

			if (prune)
				add_delete(p, pk, sk);
			else
				p->stale++;
		}
	}
	json_object_put(s.by_pk);
}

static const char *
put_sk(struct json_object *item)
{
	return uktv_ddb_item_str(item, "SK");
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
	    uktv_ddb_item_str(k, "PK"), put_sk(k));
}

/* Writes the plan; returns the exit code. */
static int
apply(struct uktv_aws *aws, const char *table, struct plan *p)
{
	struct uktv_ddb_batch *b;
	struct uktv_error e, first;
	struct json_object *failed;
	size_t np = json_object_array_length(p->puts);
	size_t nd = json_object_array_length(p->deletes);
	int rc = 0;

	uktv_error_clear(&first);
	if ((b = uktv_ddb_batch_new(aws, table)) == NULL)
		err(EX_OSERR, NULL);
	/* Puts first: a reader between the calls sees the new name, not none. */
	for (size_t i = 0; i < np; i++) {
		uktv_log_progress(&logger, "writing %zu of %zu items", i + 1,
		    np + nd);
		uktv_error_clear(&e);
		if (uktv_ddb_batch_put(b, json_object_get(
		    json_object_array_get_idx(p->puts, i)), &e) == -1 &&
		    first.kind == UKTV_ERR_NONE)
			first = e;
	}
	for (size_t i = 0; i < nd; i++) {
		struct json_object *d = json_object_array_get_idx(p->deletes, i);

		uktv_error_clear(&e);
		if (uktv_ddb_batch_delete(b, obj_str(d, "PK"), obj_str(d, "SK"),
		    &e) == -1 && first.kind == UKTV_ERR_NONE)
			first = e;
	}
	uktv_error_clear(&e);
	if (uktv_ddb_batch_flush(b, &e) == -1 && first.kind == UKTV_ERR_NONE)
		first = e;
	uktv_log_progress_done(&logger);
	failed = uktv_ddb_batch_failed(b);
	if (first.kind != UKTV_ERR_NONE) {
		for (size_t i = 0; i < json_object_array_length(failed); i++)
			report_failed(json_object_array_get_idx(failed, i));
		uktv_log_error(&logger, &first);
		/* Items named above failed: 1 (ARCHITECTURE.md), unless no write
		 * could be made at all for a reason the operator must fix. */
		rc = first.kind == UKTV_ERR_NOPERM || first.kind == UKTV_ERR_CONFIG ||
		    first.kind == UKTV_ERR_INTERNAL ? uktv_error_exit_code(&first) : 1;
	}
	uktv_log_info(&logger, "%s: %ld put, %ld deleted, %ld unchanged, "
	    "%ld BatchWriteItem call%s", table, uktv_ddb_batch_stats(b)->puts,
	    uktv_ddb_batch_stats(b)->deletes, p->unchanged,
	    uktv_ddb_batch_stats(b)->calls,
	    uktv_ddb_batch_stats(b)->calls == 1 ? "" : "s");
	uktv_ddb_batch_free(b);
	return rc;
}

static void
dry_run(const char *table, struct plan *p)
{
	size_t np = json_object_array_length(p->puts);
	size_t nd = json_object_array_length(p->deletes);

	uktv_log_warn(&logger, "dry run: would put %zu item%s and delete %zu "
	    "item%s in %s (%ld unchanged)", np, np == 1 ? "" : "s", nd,
	    nd == 1 ? "" : "s", table, p->unchanged);
	for (size_t i = 0; i < np; i++) {
		struct json_object *it = json_object_array_get_idx(p->puts, i);

		uktv_log_info(&logger, "would put %s (%s)",
		    uktv_ddb_item_str(it, "PK"), put_sk(it));
	}
	for (size_t i = 0; i < nd; i++) {
		struct json_object *d = json_object_array_get_idx(p->deletes, i);

		uktv_log_info(&logger, "would delete %s (%s)", obj_str(d, "PK"),
		    obj_str(d, "SK"));
	}
}

int
main(int argc, char *argv[])
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
	struct uktv_watchmode_opts wo = { 0 };
	struct uktv_watchmode *wm;
	struct uktv_aws *aws;
	struct uktv_error e;
	struct uktv_ndjson_writer out;
	struct fetched got[K_MAX];
	struct plan plan;
	const char *table = NULL;
	char country[3] = "GB", why[256];
	int ch, want[K_MAX] = { 0 }, nwant = 0, print = 1, prune = 0;
	int dry = 0, force = 0, bad = 0, rc = 0;
	/* stdout's reader went away: the listing stops; the table, for
	 * which the credits were spent, is still written. */
	int closed = 0;

	uktv_toolopt_init(&to, PROG);
	to.synopsis = SYNOPSIS;
	to.usage = usage_text;
	while ((ch = uktv_toolopt_next(&to, argc, argv, "t:n", longopts,
	    NULL)) != -1) {
		switch (uktv_watchopt_handle(&wo, ch, optarg, why, sizeof(why))) {
		case UKTV_TOOLOPT_HANDLED:
			continue;
		case UKTV_TOOLOPT_BAD:
			usage(why);
		default:
			break;
		}
		switch (ch) {
		case 't':
			if (*optarg == '\0')
				usage("-t needs a table name");
			table = optarg;
			break;
		case 'n':
			print = 0;
			break;
		case OPT_COUNTRY:
			if (uktv_watchmode_country(optarg, country) == -1) {
				snprintf(why, sizeof(why), "--country takes a "
				    "two-letter country code (GB), not '%s'", optarg);
				usage(why);
			}
			break;
		case OPT_PRUNE:
			prune = 1;
			break;
		case OPT_DRY_RUN:
			dry = 1;
			break;
		case OPT_FORCE:
			force = 1;
			break;
		}
	}
	for (int i = optind; i < argc; i++) {
		int k;

		for (k = 0; k < K_MAX && strcmp(argv[i], kinds[k].word) != 0; k++)
			;
		if (k == K_MAX) {
			snprintf(why, sizeof(why), "unknown data '%s' (sources, "
			    "genres or regions)", argv[i]);
			usage(why);
		}
		if (!want[k])
			nwant++;
		want[k] = 1;
	}
	if (nwant == 0) {
		want[K_SOURCE] = want[K_GENRE] = 1;
		nwant = 2;
	}
	if (table == NULL && (prune || dry))
		usage(prune ? "--prune needs -t TABLE" : "--dry-run needs -t TABLE");
	uktv_log_init(&logger, PROG, to.verbosity);

	aws = uktv_toolopt_aws(&to);
	/* Region, credentials and the table before the first Watchmode
	 * credit is spent or a line printed. */
	if (table != NULL) {
		uktv_toolopt_table(&to, table);
		uktv_toolopt_need_table(&to, aws);
	}
	uktv_error_clear(&e);
	if ((wm = uktv_watchopt_client(uktv_aws_http(aws), aws, &wo, &e)) == NULL)
		die(&e);
	/* One call per kind; /v1/status/ itself costs nothing (api.md 4.3). */
	if (!force && uktv_watchmode_check_quota(wm, nwant, &e) == -1) {
		if (e.kind == UKTV_ERR_QUOTA)
			strlcat(e.message, " (--force runs anyway)", sizeof(e.message));
		die(&e);
	}
	/* Everything is fetched before anything is printed or written, so a
	 * failed call leaves the table as it was. */
	memset(got, 0, sizeof(got));
	for (int k = 0; k < K_MAX; k++)
		if (want[k])
			fetch(wm, k, country, &got[k], &bad);

	if (print) {
		uktv_ndjson_writer_init(&out, stdout);
		for (int k = 0; k < K_MAX; k++)
			for (size_t i = 0; i < got[k].n; i++) {
				struct json_object *o = got[k].recs[i].obj;

				/* The object as it came, plus its kind. */
				json_object_object_add(o, "kind",
				    json_object_new_string(kinds[k].name));
				if (!closed && uktv_ndjson_writer_put(&out, o)
				    == -1) {
					if (!uktv_toolopt_pipe_closed(errno)) {
						uktv_log_errno(&logger, errno,
						    "stdout");
						exit(EX_IOERR);
					}
					closed = 1;
				}
				json_object_object_del(o, "kind");
			}
		if (!closed && fflush(stdout) == EOF) {
			uktv_log_errno(&logger, errno, "stdout");
			exit(EX_IOERR);
		}
	}

	if (table != NULL) {
		plan.puts = json_object_new_array();
		plan.deletes = json_object_new_array();
		plan.unchanged = plan.stale = 0;
		for (int k = 0; k < K_MAX; k++)
			if (want[k])
				plan_kind(aws, table, k, &got[k], prune, &plan);
		if (plan.stale > 0)
			uktv_log_info(&logger, "%ld reference item%s no longer "
			    "listed by Watchmode kept (--prune deletes them)",
			    plan.stale, plan.stale == 1 ? "" : "s");
		if (dry)
			dry_run(table, &plan);
		else
			rc = apply(aws, table, &plan);
		json_object_put(plan.puts);
		json_object_put(plan.deletes);
	}

	uktv_log_info(&logger, "Watchmode: %ld call%s; quota: %ld of %ld "
	    "credits used", uktv_watchmode_quota(wm)->calls,
	    uktv_watchmode_quota(wm)->calls == 1 ? "" : "s",
	    uktv_watchmode_quota(wm)->quota_used, uktv_watchmode_quota(wm)->quota);
	for (int k = 0; k < K_MAX; k++) {
		json_object_put(got[k].arr);
		free(got[k].recs);
	}
	uktv_watchmode_free(wm);
	uktv_aws_free(aws);
	if (rc == 0 && closed)
		rc = UKTV_EXIT_PIPE;
	if (rc == 0 && bad > 0)
		rc = 1;
	return rc;
}
