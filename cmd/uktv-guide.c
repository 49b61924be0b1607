/*
 * uktv-guide: the guide table as a static website, written to a directory
 * and/or uploaded to S3, rewriting only what changed (see uktv-guide(1),
 * lib/guide/guideview.h and lib/s3.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <json-c/json.h>

#include "guideapp.h"
#include "guideview.h"
#include "log.h"
#include "ndjson.h"
#include "prefs.h"
#include "s3.h"
#include "toolopt.h"

#define PROG	"uktv-guide"

enum {
	OPT_S3 = UKTV_OPT_FIRST_FREE,
	OPT_USERS,
	OPT_SITE_TITLE,
	OPT_APP,
	OPT_USER_POOL,
	OPT_CLIENT_ID,
	OPT_COGNITO_DOMAIN
};

static struct uktv_toolopt to;
static struct uktv_log lg;
static struct uktv_ndjson_writer out;
/* stdout's reader went away: the listing stops, the site does not. */
static int out_closed;

/* uktv-guide(1)'s SYNOPSIS: what a usage error prints. */
#define SYNOPSIS \
	"usage: uktv-guide [options] -o DIR [--s3 s3://BUCKET/PREFIX]\n" \
	"       uktv-guide [options] --s3 s3://BUCKET/PREFIX\n" \
	"       uktv-guide [options] -o DIR --app URL --user-pool POOL_ID " \
	"--client-id ID\n" \
	"                  --cognito-domain DOMAIN\n"

static void
usage_text(FILE *fp)
{
	fprintf(fp,
	    SYNOPSIS
	    "options:\n"
	    "  -t, --table TABLE       the table (else UKTV_TABLE, else UKTVProgrammes)\n"
	    "  -o, --output DIR        write the site to DIR (only files that changed)\n"
	    "  --s3 s3://BUCKET/PREFIX upload the site under PREFIX (only objects that\n"
	    "                          changed; objects the site no longer has are deleted)\n"
	    "  --users                 also a page per user (for private hosting only)\n"
	    "  --site-title TEXT       the site's name (default \"UK TV guide\")\n"
	    "  --app URL               also the signed-in page, app/, talking to\n"
	    "                          uktv-api at URL; needs the three below\n"
	    "  --user-pool POOL_ID     the Cognito user pool (REGION_ID)\n"
	    "  --client-id ID          the page's app client (implicit flow)\n"
	    "  --cognito-domain DOMAIN the hosted UI's host name\n"
	    UKTV_TOOLOPT_USAGE);
}

/*
 * One change as a line on stdout: {"action":..,"file":..} or {..,"url":..}.
 * The site is the product and these lines its log: once their reader has
 * gone (`uktv-guide -o site | head -1`) they stop, and the site is still
 * written whole, or an index would link to pages that were never made.
 */
static void
emit(const char *action, const char *where, const char *a, const char *b)
{
	struct json_object *o;
	char *v;

	if (out_closed)
		return;
	if (asprintf(&v, "%s%s", a, b) == -1 ||
	    (o = json_object_new_object()) == NULL)
		uktv_log_fatal(&lg, EX_SOFTWARE, "out of memory");
	json_object_object_add(o, "action", json_object_new_string(action));
	json_object_object_add(o, where, json_object_new_string(v));
	free(v);
	if (uktv_ndjson_writer_put(&out, o) == -1) {
		if (!uktv_toolopt_pipe_closed(errno))
			uktv_log_fatal_errno(&lg, EX_IOERR, errno, "stdout");
		out_closed = 1;
	}
	json_object_put(o);
}

static void
file_changed(enum uktv_site_action a, const char *name, void *arg)
{
	emit(uktv_site_action_name(a), "file", arg, name);
}

static void
object_changed(enum uktv_s3_sync_action a, const char *key, void *arg)
{
	emit(a == UKTV_S3_UPLOADED ? "uploaded" : "deleted", "url", arg, key);
}

/*
 * The page's four options go together: none, or all of them, each checked
 * (guideapp.h says what each may hold).
 */
static void
check_app(const struct uktv_guideapp_config *c)
{
	const char *given[4] = { c->api_url, c->user_pool, c->client_id,
	    c->domain };
	static const char *const names[4] = { "--app", "--user-pool",
	    "--client-id", "--cognito-domain" };
	char missing[80] = "", why[200], msg[400], bad;
	int n = 0;

	for (int i = 0; i < 4; i++)
		if (given[i] == NULL)
			snprintf(missing + strlen(missing), sizeof(missing) -
			    strlen(missing), "%s%s", n++ ? ", " : "", names[i]);
	if (n == 4)
		return;
	if (n > 0) {
		snprintf(msg, sizeof(msg), "the signed-in page needs --app, "
		    "--user-pool, --client-id and --cognito-domain together; "
		    "missing: %s", missing);
		uktv_usage(msg);
	}
	if (uktv_guideapp_check(c, &bad, why, sizeof(why)) == -1) {
		int i = bad == 'a' ? 0 : bad == 'p' ? 1 : bad == 'c' ? 2 : 3;

		snprintf(msg, sizeof(msg), "%s %.100s: %s", names[i], given[i],
		    why);
		uktv_usage(msg);
	}
}

/* The options. */
struct args {
	struct uktv_guideview_opts	 go;
	struct uktv_guideapp_config	 app;	/* app.api_url: --app given */
	const char			*table_opt, *dir, *s3url, *table;
	char				*bucket, *prefix;	/* of --s3 */
};

static void
parse_args(int argc, char *argv[], struct args *a)
{
	static struct option longopts[] = {
		UKTV_TOOLOPT_LONGOPTS,
		{ "table",	required_argument,	NULL, 't' },
		{ "output",	required_argument,	NULL, 'o' },
		{ "s3",		required_argument,	NULL, OPT_S3 },
		{ "users",	no_argument,		NULL, OPT_USERS },
		{ "site-title",	required_argument,	NULL, OPT_SITE_TITLE },
		{ "app",	required_argument,	NULL, OPT_APP },
		{ "user-pool",	required_argument,	NULL, OPT_USER_POOL },
		{ "client-id",	required_argument,	NULL, OPT_CLIENT_ID },
		{ "cognito-domain", required_argument,	NULL, OPT_COGNITO_DOMAIN },
		{ NULL, 0, NULL, 0 }
	};
	char why[320], msg[600];
	int ch;

	memset(a, 0, sizeof(*a));
	uktv_toolopt_init(&to, PROG);
	to.synopsis = SYNOPSIS;
	to.usage = usage_text;
	while ((ch = uktv_toolopt_next(&to, argc, argv, "t:o:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 't':
			a->table_opt = optarg;
			break;
		case 'o':
			if (*optarg == '\0')
				uktv_usage("-o needs a directory");
			a->dir = optarg;
			break;
		case OPT_S3:
			a->s3url = optarg;
			break;
		case OPT_USERS:
			a->go.users = 1;
			break;
		case OPT_SITE_TITLE:
			if (*optarg == '\0')
				uktv_usage("--site-title needs a text");
			a->go.title = optarg;
			break;
		case OPT_APP:
			a->app.api_url = uktv_toolopt_value(&to, optarg,
			    "--app needs uktv-api's URL");
			break;
		case OPT_USER_POOL:
			a->app.user_pool = uktv_toolopt_value(&to, optarg,
			    "--user-pool needs a pool id");
			break;
		case OPT_CLIENT_ID:
			a->app.client_id = uktv_toolopt_value(&to, optarg,
			    "--client-id needs an app client id");
			break;
		case OPT_COGNITO_DOMAIN:
			a->app.domain = uktv_toolopt_value(&to, optarg,
			    "--cognito-domain needs a host name");
			break;
		}
	}
	if (optind < argc) {
		snprintf(why, sizeof(why), "unexpected argument '%.64s'",
		    argv[optind]);
		uktv_usage(why);
	}
	if (a->dir == NULL && a->s3url == NULL)
		uktv_usage("say where the site goes: -o DIR, --s3 "
		    "s3://BUCKET/PREFIX or both");
	if (a->s3url != NULL && uktv_s3_url_parse(a->s3url, &a->bucket,
	    &a->prefix, why, sizeof(why)) == -1) {
		snprintf(msg, sizeof(msg), "--s3 %.200s: %s", a->s3url, why);
		uktv_usage(msg);
	}
	check_app(&a->app);
	a->app.title = a->go.title;
	a->table = uktv_toolopt_table(&to, a->table_opt);
	uktv_log_init(&lg, PROG, to.verbosity);
}

/* The site, from the table. */
static struct uktv_guideview *
render(struct uktv_aws *aws, struct args *a, struct uktv_site *site)
{
	struct uktv_guideview_counts counts;
	struct uktv_guideview *gv;
	struct uktv_error err;

	uktv_error_clear(&err);
	if ((gv = uktv_guideview_new()) == NULL)
		uktv_log_fatal(&lg, EX_SOFTWARE, "out of memory");
	uktv_site_init(site);
	if (uktv_guideview_load(gv, aws, a->table, &err) == -1 ||
	    uktv_guideview_render(gv, &a->go, site, &err) == -1 ||
	    (a->app.api_url != NULL &&
	    uktv_guideapp_render(&a->app, site, &err) == -1))
		uktv_log_die(&lg, &err);
	uktv_guideview_counts(gv, &counts);
	uktv_log_info(&lg, "%s: %ld titles, %ld source x genre pages, %ld "
	    "sources, %ld genres%s", a->table, counts.titles, counts.pairs,
	    counts.sources, counts.genres, a->go.users ? "" : ", no user pages");
	return gv;
}

/* -o DIR: the site into the folder. */
static void
to_dir(const char *dir, const struct uktv_site *site)
{
	struct uktv_site_write_stats ws;
	struct uktv_error err;
	char base[4200];

	uktv_error_clear(&err);
	snprintf(base, sizeof(base), "%s%s", dir,
	    dir[strlen(dir) - 1] == '/' ? "" : "/");
	if (uktv_site_write_dir(site, dir, file_changed, base, &ws, &err) == -1)
		uktv_log_die(&lg, &err);
	uktv_log_info(&lg, "%s: %ld created, %ld updated, %ld deleted, "
	    "%ld unchanged", dir, ws.created, ws.updated, ws.deleted,
	    ws.unchanged);
}

/* --s3 s3://BUCKET/PREFIX: the site into the bucket. */
static void
to_s3(struct uktv_aws *aws, const char *bucket, const char *prefix,
    const struct uktv_site *site)
{
	struct uktv_s3_sync_stats ss;
	struct uktv_s3_file *files;
	struct uktv_error err;
	struct uktv_s3 *s3;
	char base[UKTV_S3_BUCKET_MAX + 8];

	uktv_error_clear(&err);
	if ((s3 = uktv_s3_new(aws, bucket, &err)) == NULL)
		uktv_log_die(&lg, &err);
	if ((files = calloc(site->n + 1, sizeof(*files))) == NULL)
		uktv_log_fatal(&lg, EX_SOFTWARE, "out of memory");
	for (size_t i = 0; i < site->n; i++) {
		files[i].name = site->v[i].name;
		files[i].body = site->v[i].body;
		files[i].len = site->v[i].len;
	}
	snprintf(base, sizeof(base), "s3://%s/", bucket);
	if (uktv_s3_sync(s3, prefix, files, site->n, object_changed, base,
	    &ss, &err) == -1)
		uktv_log_die(&lg, &err);
	uktv_log_info(&lg, "s3://%s/%s: %ld uploaded, %ld deleted, %ld "
	    "unchanged (%s)", bucket, prefix, ss.uploaded, ss.deleted,
	    ss.unchanged, uktv_s3_path_style(s3) ? "path-style" :
	    "virtual-hosted");
	free(files);
	uktv_s3_free(s3);
}

int
main(int argc, char *argv[])
{
	struct uktv_guideview *gv;
	struct uktv_site site;
	struct uktv_error err;
	struct uktv_aws *aws;
	struct args a;

	parse_args(argc, argv, &a);
	uktv_ndjson_writer_init(&out, stdout);
	/* What can be checked is, before the table is read: the folder, the
	 * region and credentials, the table. */
	uktv_error_clear(&err);
	if (a.dir != NULL && uktv_site_check_dir(a.dir, &err) == -1)
		uktv_log_die(&lg, &err);
	aws = uktv_toolopt_aws(&to);
	uktv_toolopt_need_table(&to, aws);
	gv = render(aws, &a, &site);
	if (a.dir != NULL)
		to_dir(a.dir, &site);
	if (a.s3url != NULL)
		to_s3(aws, a.bucket, a.prefix, &site);
	uktv_site_free(&site);
	uktv_guideview_free(gv);
	uktv_aws_free(aws);
	free(a.bucket);
	free(a.prefix);
	if (!out_closed && (fflush(stdout) == EOF || ferror(stdout))) {
		uktv_log_errno(&lg, errno, "stdout");
		return EX_IOERR;
	}
	return 0;
}
