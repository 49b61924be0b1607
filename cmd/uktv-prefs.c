/*
 * uktv-prefs: users' preferences, the reference data and each user's guide,
 * on the original app's item shapes (see uktv-prefs(1) and lib/guide/prefs.h).
 * What each command does is lib/guide/prefsrun's; this file reads the
 * options, prints what the commands yield and logs what they note.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "guidelog.h"
#include "log.h"
#include "parse.h"
#include "ndjson.h"
#include "prefs.h"
#include "prefsrun.h"
#include "toolopt.h"

#define PROG	"uktv-prefs"

enum verb { NONE, GET, PUT, DELETE, LIST, IMPORT, SOURCES, GENRES, TITLES,
	RECOMMENDATIONS };

enum {
	OPT_SOURCES = UKTV_OPT_FIRST_FREE,	/* to OPT_REMOVE_FAVOURITE:
						 * put's lists (F_EDIT) */
	OPT_GENRES,
	OPT_FAVOURITES,
	OPT_ADD_SOURCE,
	OPT_REMOVE_SOURCE,
	OPT_ADD_GENRE,
	OPT_REMOVE_GENRE,
	OPT_ADD_FAVOURITE,
	OPT_REMOVE_FAVOURITE,
	OPT_NO_VALIDATE,
	OPT_MIN_RATING,
	OPT_ENRICHED_ONLY,
	OPT_MAX_LINE
};

/* Which verb takes which of its own options (checked after getopt, which
 * permutes: options may come before or after the verb). */
#define F_EDIT		0x01	/* --sources ... --remove-favourite */
#define F_NO_VALIDATE	0x02
#define F_LONG		0x04
#define F_MIN_RATING	0x08
#define F_ENRICHED	0x10
#define F_MAX_LINE	0x20

static const struct {
	const char	*name;
	enum verb	 verb;
	int		 nargs;		/* USER: 1 */
	unsigned	 flags;
} verbs[] = {
	{ "get",		GET,		1, 0 },
	{ "put",		PUT,		1, F_EDIT | F_NO_VALIDATE | F_MAX_LINE },
	{ "delete",		DELETE,		1, 0 },
	{ "list",		LIST,		0, 0 },
	{ "import",		IMPORT,		0, F_NO_VALIDATE | F_MAX_LINE },
	{ "sources",		SOURCES,	0, F_LONG },
	{ "genres",		GENRES,		0, F_LONG },
	{ "titles",		TITLES,		1, F_ENRICHED | F_MIN_RATING },
	{ "recommendations",	RECOMMENDATIONS, 1, F_ENRICHED | F_MIN_RATING },
};

static struct uktv_toolopt to;
static struct uktv_log lg;

/* uktv-prefs(1)'s SYNOPSIS: what a usage error prints. */
#define SYNOPSIS \
	"usage: uktv-prefs [options] get USER\n" \
	"       uktv-prefs [options] put USER [--sources IDS] [--genres IDS] [--favourites IDS]\n" \
	"                  [--add-source ID] [--remove-source ID] [--add-genre ID]\n" \
	"                  [--remove-genre ID] [--add-favourite ID] [--remove-favourite ID]\n" \
	"       uktv-prefs [options] put USER - < body.json\n" \
	"       uktv-prefs [options] delete USER\n" \
	"       uktv-prefs [options] list\n" \
	"       uktv-prefs [options] import < prefs.ndjson\n" \
	"       uktv-prefs [options] sources | genres [-l]\n" \
	"       uktv-prefs [options] titles | recommendations USER [--enriched-only]\n" \
	"                  [--min-rating N]\n"

static void
usage_text(FILE *fp)
{
	fprintf(fp,
	    SYNOPSIS
	    "options:\n"
	    "  -t, --table TABLE       the table (else UKTV_TABLE, else UKTVProgrammes)\n"
	    "  --sources IDS           put: replace the sources ('' clears)\n"
	    "  --genres IDS            put: replace the genres ('' clears)\n"
	    "  --favourites IDS        put: replace the favourite titles ('' clears)\n"
	    "  --add-source IDS        put: add sources, remove nothing\n"
	    "  --remove-source IDS     put: remove sources\n"
	    "  --add-genre IDS         put: add genres, remove nothing\n"
	    "  --remove-genre IDS      put: remove genres\n"
	    "  --add-favourite IDS     put: add favourite titles, remove nothing\n"
	    "  --remove-favourite IDS  put: remove favourite titles\n"
	    "  --no-validate           put, import: do not check ids against the reference items\n"
	    "  --max-line BYTES        put -, import: longest input line (default 1M)\n"
	    "  -l, --long              sources, genres: include the stored data\n"
	    "  --enriched-only         titles, recommendations: only titles with poster and plot\n"
	    "  --min-rating N          titles, recommendations: only user_rating > N\n"
	    "                          (recommendations: default 7)\n"
	    UKTV_TOOLOPT_USAGE);
}

static struct uktv_ndjson_writer out;

/* prefsrun's emit hook: one object out, its reference taken. */
static void
emit(void *arg, struct json_object *o)
{
	(void)arg;
	/* A change is made before it is printed: a reader that went away
	 * (`| head -1`) only ends the listing. */
	if (uktv_ndjson_writer_put(&out, o) == -1) {
		int e = errno;

		/* Freed before the exit: nothing is left for a leak check. */
		json_object_put(o);
		uktv_toolopt_stdout_failed(&to, e);
	}
	json_object_put(o);
}

/* The options and operands, as parse_args leaves them. */
struct args {
	struct uktv_prefs_guide_opts	 go;
	struct uktv_prefs_edit		 edit;
	const char			*table_opt;
	const char			*user;
	enum verb			 verb;
	size_t				 vi;	/* verbs[] */
	size_t				 max_line;
	unsigned			 given;	/* F_* */
	const char			*optname[8];
	int				 validate, with_data, from_stdin;
};

/* Remembers that an option of flag (an F_*) was given, and how the first
 * was spelt, for the message when it is given to a command that does not
 * take it. */
static void
seen(struct args *a, unsigned flag, int ch, const char *longname)
{
	static char names[8][32];
	int bit;

	if (flag == 0 || (a->given & flag))
		return;
	a->given |= flag;
	for (bit = 0; !(flag & (1u << bit)); bit++)
		continue;
	if (longname != NULL)
		snprintf(names[bit], sizeof(names[bit]), "--%s", longname);
	else
		snprintf(names[bit], sizeof(names[bit]), "-%c", ch);
	a->optname[bit] = names[bit];
}

/* One option into a; returns its F_* (0: any command takes it). */
static unsigned
option(struct args *a, int ch, const char *arg, const char *longname)
{
	char why[320], msg[400], *end;

	if (ch >= OPT_SOURCES && ch <= OPT_REMOVE_FAVOURITE) {
		if (uktv_prefs_ids_parse(uktv_prefsrun_edit_list(&a->edit,
		    longname), arg, why, sizeof(why)) == -1) {
			snprintf(msg, sizeof(msg), "--%s: %s", longname, why);
			uktv_usage(msg);
		}
		return F_EDIT;
	}
	switch (ch) {
	case 't':
		a->table_opt = arg;
		return 0;
	case OPT_NO_VALIDATE:
		a->validate = 0;
		return F_NO_VALIDATE;
	case OPT_MAX_LINE:
		if (uktv_parse_size(arg, &a->max_line) == -1 ||
		    a->max_line < 1 || a->max_line > SIZE_MAX / 4)
			uktv_usage("--max-line takes bytes (e.g. 65536, 64K, "
			    "1M)");
		return F_MAX_LINE;
	case 'l':
		a->with_data = 1;
		return F_LONG;
	case OPT_ENRICHED_ONLY:
		a->go.enriched_only = 1;
		return F_ENRICHED;
	case OPT_MIN_RATING:
		errno = 0;
		a->go.min_rating = strtod(arg, &end);
		if (*arg == '\0' || *end != '\0' || errno != 0 ||
		    !(a->go.min_rating >= 0 && a->go.min_rating <= 10))
			uktv_usage("--min-rating takes a number from 0 to 10");
		a->go.use_min_rating = 1;
		return F_MIN_RATING;
	}
	return 0;
}

/* The command word and its USER (argv: what getopt left). */
static void
verb_args(struct args *a, int argc, char *argv[])
{
	char why[320];
	int nargs;

	if (argc == 0)
		uktv_usage("give a command: get, put, delete, list, import, "
		    "sources, genres, titles or recommendations");
	for (a->vi = 0; a->vi < sizeof(verbs) / sizeof(verbs[0]); a->vi++)
		if (strcmp(argv[0], verbs[a->vi].name) == 0)
			break;
	if (a->vi == sizeof(verbs) / sizeof(verbs[0])) {
		snprintf(why, sizeof(why), "unknown command '%.64s'", argv[0]);
		uktv_usage(why);
	}
	a->verb = verbs[a->vi].verb;
	nargs = verbs[a->vi].nargs;
	argc--;
	argv++;
	if (a->verb == PUT && argc == 2 && strcmp(argv[1], "-") == 0) {
		a->from_stdin = 1;
		argc--;
	}
	if (argc != nargs) {
		snprintf(why, sizeof(why), "%s takes %s", verbs[a->vi].name,
		    nargs ? "one USER" : "no argument");
		uktv_usage(why);
	}
	if (nargs == 1)
		a->user = argv[0];
}

/* Which options go with the command, and the USER's grammar. */
static void
check_args(struct args *a)
{
	unsigned extra = a->given & ~verbs[a->vi].flags;
	char why[320];
	size_t i;

	if (extra) {
		for (i = 0; !(extra & (1u << i)); i++)
			continue;
		snprintf(why, sizeof(why), "%s is not an option of %s",
		    a->optname[i], verbs[a->vi].name);
		uktv_usage(why);
	}
	if (a->verb == PUT && a->from_stdin && (a->given & F_EDIT))
		uktv_usage("put USER - takes the lists from stdin, not from "
		    "options");
	if (a->verb == PUT && !a->from_stdin && (a->given & F_EDIT) == 0)
		uktv_usage("put: name a list to change (--sources, "
		    "--add-genre, ...) or give - for a body on stdin");
	if ((a->given & F_MAX_LINE) && a->verb == PUT && !a->from_stdin)
		uktv_usage("put: --max-line is for a body on stdin (put USER "
		    "-)");
	if (a->user != NULL && !uktv_user_id_valid(a->user)) {
		snprintf(why, sizeof(why), "bad user id '%.64s': 1-%d "
		    "characters of A-Za-z0-9._@+-", a->user, UKTV_USER_ID_MAX);
		uktv_usage(why);
	}
	if (a->verb == RECOMMENDATIONS && !a->go.use_min_rating) {
		a->go.use_min_rating = 1;
		a->go.min_rating = UKTV_PREFS_RECOMMEND_MIN;
	}
}

static void
parse_args(int argc, char *argv[], struct args *a)
{
	static struct option longopts[] = {
		UKTV_TOOLOPT_LONGOPTS,
		{ "table",		required_argument, NULL, 't' },
		{ "sources",		required_argument, NULL, OPT_SOURCES },
		{ "genres",		required_argument, NULL, OPT_GENRES },
		{ "favourites",		required_argument, NULL, OPT_FAVOURITES },
		{ "add-source",		required_argument, NULL, OPT_ADD_SOURCE },
		{ "remove-source",	required_argument, NULL, OPT_REMOVE_SOURCE },
		{ "add-genre",		required_argument, NULL, OPT_ADD_GENRE },
		{ "remove-genre",	required_argument, NULL, OPT_REMOVE_GENRE },
		{ "add-favourite",	required_argument, NULL, OPT_ADD_FAVOURITE },
		{ "remove-favourite",	required_argument, NULL, OPT_REMOVE_FAVOURITE },
		{ "no-validate",	no_argument,	   NULL, OPT_NO_VALIDATE },
		{ "max-line",		required_argument, NULL, OPT_MAX_LINE },
		{ "long",		no_argument,	   NULL, 'l' },
		{ "enriched-only",	no_argument,	   NULL, OPT_ENRICHED_ONLY },
		{ "min-rating",		required_argument, NULL, OPT_MIN_RATING },
		{ NULL, 0, NULL, 0 }
	};
	const char *name;
	int ch, li;

	memset(a, 0, sizeof(*a));
	a->max_line = UKTV_NDJSON_DEFAULT_MAX_LINE;
	a->validate = 1;
	uktv_toolopt_init(&to, PROG);
	to.synopsis = SYNOPSIS;
	to.usage = usage_text;
	to.operand = "a user id";
	uktv_prefs_edit_init(&a->edit);
	/* No '+': options may come before or after the command. */
	while ((ch = uktv_toolopt_next(&to, argc, argv, "t:l", longopts,
	    &li)) != -1) {
		name = li >= 0 ? longopts[li].name : NULL;
		seen(a, option(a, ch, optarg, name), ch, name);
	}
	uktv_log_init(&lg, PROG, to.verbosity);
	verb_args(a, argc - optind, argv + optind);
	check_args(a);
}

/* One function per command. */
static int
run(struct args *a, struct uktv_prefsrun *pr)
{
	struct uktv_error e;
	int rc = 0;

	uktv_error_clear(&e);
	switch (a->verb) {
	case GET:
		rc = uktv_prefsrun_get(pr, a->user, &e);
		break;
	case PUT:
		rc = uktv_prefsrun_put(pr, a->user, &a->edit, &e);
		break;
	case DELETE:
		rc = uktv_prefsrun_delete(pr, a->user, &e);
		break;
	case LIST:
		rc = uktv_prefsrun_list(pr, &e);
		break;
	case IMPORT:
		rc = uktv_prefsrun_import(pr, stdin, a->max_line, &e);
		break;
	case SOURCES:
	case GENRES:
		rc = uktv_prefsrun_reference(pr, a->verb == SOURCES ?
		    UKTV_PREFS_SOURCE : UKTV_PREFS_GENRE, a->with_data, &e);
		break;
	case TITLES:
	case RECOMMENDATIONS:
		rc = uktv_prefsrun_titles(pr, a->user, &a->go, &e);
		break;
	case NONE:
		break;
	}
	if (rc == -1)
		uktv_log_die(&lg, &e);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct uktv_prefsrun pr = { 0 };
	struct uktv_error e;
	struct args a;
	int rc;

	parse_args(argc, argv, &a);
	pr.table = uktv_toolopt_table(&to, a.table_opt);
	pr.aws = uktv_toolopt_aws(&to);
	pr.validate = a.validate;
	pr.emit = emit;
	pr.note = uktv_guidelog_note;
	pr.note_arg = &lg;
	uktv_toolopt_need_table(&to, pr.aws);
	uktv_error_clear(&e);
	if (a.from_stdin && uktv_prefsrun_read_body(stdin, a.user, a.max_line,
	    &a.edit, &e) == -1)
		uktv_log_die(&lg, &e);
	uktv_ndjson_writer_init(&out, stdout);
	rc = run(&a, &pr);
	uktv_prefs_edit_free(&a.edit);
	uktv_aws_free(pr.aws);
	if (fflush(stdout) == EOF || ferror(stdout))
		uktv_toolopt_stdout_failed(&to, errno);
	return rc;
}
