/*
 * uktv-guide: the guide table as a static website, written to a directory
 * and/or uploaded to S3, rewriting only what changed (see uktv-guide(1),
 * lib/guideview.h and lib/s3.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <json-c/json.h>

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
	OPT_SITE_TITLE
};

static struct uktv_toolopt to;
static struct uktv_log lg;
static struct uktv_ndjson_writer out;
/* stdout's reader went away: the listing stops, the site does not. */
static int out_closed;

/* uktv-guide(1)'s SYNOPSIS: what a usage error prints. */
#define SYNOPSIS \
	"usage: uktv-guide [options] -o DIR [--s3 s3://BUCKET/PREFIX]\n" \
	"       uktv-guide [options] --s3 s3://BUCKET/PREFIX\n"

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
	uktv_log_error(&lg, e);
	exit(uktv_error_exit_code(e));
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
	    (o = json_object_new_object()) == NULL) {
		uktv_log_warn(&lg, "out of memory");
		exit(EX_SOFTWARE);
	}
	json_object_object_add(o, "action", json_object_new_string(action));
	json_object_object_add(o, where, json_object_new_string(v));
	free(v);
	if (uktv_ndjson_writer_put(&out, o) == -1) {
		if (!uktv_toolopt_pipe_closed(errno)) {
			uktv_log_errno(&lg, errno, "stdout");
			exit(EX_IOERR);
		}
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

int
main(int argc, char *argv[])
{
	static struct option longopts[] = {
		UKTV_TOOLOPT_LONGOPTS,
		{ "table",	required_argument,	NULL, 't' },
		{ "output",	required_argument,	NULL, 'o' },
		{ "s3",		required_argument,	NULL, OPT_S3 },
		{ "users",	no_argument,		NULL, OPT_USERS },
		{ "site-title",	required_argument,	NULL, OPT_SITE_TITLE },
		{ NULL, 0, NULL, 0 }
	};
	struct uktv_guideview_opts go = { 0 };
	struct uktv_guideview_counts counts;
	struct uktv_site_write_stats ws;
	struct uktv_s3_sync_stats ss;
	struct uktv_guideview *gv;
	struct uktv_site site;
	struct uktv_error err;
	struct uktv_aws *aws;
	const char *table_opt = NULL, *dir = NULL, *s3url = NULL, *table;
	char *bucket = NULL, *prefix = NULL, why[320];
	int ch;

	uktv_toolopt_init(&to, PROG);
	to.synopsis = SYNOPSIS;
	to.usage = usage_text;
	while ((ch = uktv_toolopt_next(&to, argc, argv, "t:o:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 't':
			table_opt = optarg;
			break;
		case 'o':
			if (*optarg == '\0')
				usage("-o needs a directory");
			dir = optarg;
			break;
		case OPT_S3:
			s3url = optarg;
			break;
		case OPT_USERS:
			go.users = 1;
			break;
		case OPT_SITE_TITLE:
			if (*optarg == '\0')
				usage("--site-title needs a text");
			go.title = optarg;
			break;
		}
	}
	if (optind < argc) {
		snprintf(why, sizeof(why), "unexpected argument '%.64s'",
		    argv[optind]);
		usage(why);
	}
	if (dir == NULL && s3url == NULL)
		usage("say where the site goes: -o DIR, --s3 s3://BUCKET/PREFIX "
		    "or both");
	if (s3url != NULL && uktv_s3_url_parse(s3url, &bucket, &prefix, why,
	    sizeof(why)) == -1) {
		char msg[600];

		snprintf(msg, sizeof(msg), "--s3 %.200s: %s", s3url, why);
		usage(msg);
	}
	table = uktv_toolopt_table(&to, table_opt);
	uktv_log_init(&lg, PROG, to.verbosity);
	uktv_ndjson_writer_init(&out, stdout);

	/* What can be checked is, before the table is read: the folder, the
	 * region and credentials, the table. */
	uktv_error_clear(&err);
	if (dir != NULL && uktv_site_check_dir(dir, &err) == -1)
		die(&err);
	aws = uktv_toolopt_aws(&to);
	uktv_toolopt_need_table(&to, aws);
	if ((gv = uktv_guideview_new()) == NULL) {
		uktv_log_warn(&lg, "out of memory");
		return EX_SOFTWARE;
	}
	uktv_site_init(&site);
	if (uktv_guideview_load(gv, aws, table, &err) == -1 ||
	    uktv_guideview_render(gv, &go, &site, &err) == -1)
		die(&err);
	uktv_guideview_counts(gv, &counts);
	uktv_log_info(&lg, "%s: %ld titles, %ld source x genre pages, %ld "
	    "sources, %ld genres%s", table, counts.titles, counts.pairs,
	    counts.sources, counts.genres, go.users ? "" : ", no user pages");

	if (dir != NULL) {
		char base[4200];

		snprintf(base, sizeof(base), "%s%s", dir,
		    dir[strlen(dir) - 1] == '/' ? "" : "/");
		if (uktv_site_write_dir(&site, dir, file_changed, base, &ws,
		    &err) == -1)
			die(&err);
		uktv_log_info(&lg, "%s: %ld created, %ld updated, %ld deleted, "
		    "%ld unchanged", dir, ws.created, ws.updated, ws.deleted,
		    ws.unchanged);
	}
	if (s3url != NULL) {
		struct uktv_s3_file *files;
		struct uktv_s3 *s3;
		char base[UKTV_S3_BUCKET_MAX + 8];

		if ((s3 = uktv_s3_new(aws, bucket, &err)) == NULL)
			die(&err);
		if ((files = calloc(site.n + 1, sizeof(*files))) == NULL) {
			uktv_log_warn(&lg, "out of memory");
			return EX_SOFTWARE;
		}
		for (size_t i = 0; i < site.n; i++) {
			files[i].name = site.v[i].name;
			files[i].body = site.v[i].body;
			files[i].len = site.v[i].len;
		}
		snprintf(base, sizeof(base), "s3://%s/", bucket);
		if (uktv_s3_sync(s3, prefix, files, site.n, object_changed, base,
		    &ss, &err) == -1)
			die(&err);
		uktv_log_info(&lg, "s3://%s/%s: %ld uploaded, %ld deleted, %ld "
		    "unchanged (%s)", bucket, prefix, ss.uploaded, ss.deleted,
		    ss.unchanged, uktv_s3_path_style(s3) ? "path-style" :
		    "virtual-hosted");
		free(files);
		uktv_s3_free(s3);
	}
	uktv_site_free(&site);
	uktv_guideview_free(gv);
	uktv_aws_free(aws);
	free(bucket);
	free(prefix);
	if (!out_closed && (fflush(stdout) == EOF || ferror(stdout))) {
		uktv_log_errno(&lg, errno, "stdout");
		return EX_IOERR;
	}
	return 0;
}
