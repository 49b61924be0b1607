/*
 * uktv-prefs: users' preferences, the reference data and each user's guide,
 * on the original app's item shapes (see uktv-prefs(1) and lib/prefs.h).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <json-c/json.h>

#include "parse.h"
#include "log.h"
#include "ndjson.h"
#include "prefs.h"
#include "toolopt.h"

#define PROG	"uktv-prefs"

enum verb { NONE, GET, PUT, DELETE, LIST, IMPORT, SOURCES, GENRES, TITLES,
	RECOMMENDATIONS };

enum {
	OPT_SOURCES = UKTV_OPT_FIRST_FREE,
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

static void __attribute__((noreturn))
usage(const char *why)
{
	uktv_toolopt_usage(&to, why);
}

static struct uktv_ndjson_writer out;

static void
emit(struct json_object *o)
{
	if (o == NULL)
		uktv_log_fatal(&lg, EX_SOFTWARE, "out of memory");
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

static int
finish(int rc)
{
	if (fflush(stdout) == EOF || ferror(stdout))
		uktv_toolopt_stdout_failed(&to, errno);
	return rc;
}

static void
unknown_id(enum uktv_prefs_kind k, const char *id, void *arg)
{
	unsigned long long lineno = *(unsigned long long *)arg;

	if (lineno > 0)
		uktv_log_line_error(&lg, lineno, "unknown %s %s",
		    uktv_prefs_kind_name(k), id);
	else
		uktv_log_warn(&lg, "unknown %s %s: nothing written",
		    uktv_prefs_kind_name(k), id);
}

/* Checks the edit's source and genre ids: 0 all known, 1 some unknown
 * (each named). */
static int
check_refs(struct uktv_prefs_refs *refs, const struct uktv_prefs_edit *e,
    unsigned long long lineno)
{
	struct uktv_error err;
	long n;

	uktv_error_clear(&err);
	if ((n = uktv_prefs_refs_check(refs, e, unknown_id, &lineno, &err)) == -1)
		uktv_log_die(&lg, &err);
	return n > 0;
}

static void
report_write(const char *user, const struct uktv_prefs_write_stats *st)
{
	if (st->puts == 0 && st->deletes == 0)
		uktv_log_info(&lg, "%s: unchanged, nothing written", user);
	else
		uktv_log_info(&lg, "%s: %ld put, %ld deleted in %ld call%s "
		    "(%ld unprocessed and retried)", user, st->puts, st->deletes,
		    st->calls, st->calls == 1 ? "" : "s", st->unprocessed);
}

static int
get(struct uktv_aws *aws, const char *table, const char *user)
{
	struct uktv_prefs p;
	struct uktv_error err;

	uktv_error_clear(&err);
	uktv_prefs_init(&p);
	if (uktv_prefs_load_user(aws, table, user, 0, &p, &err) == -1)
		uktv_log_die(&lg, &err);
	emit(uktv_prefs_to_json(&p));
	uktv_prefs_clear(&p);
	return 0;
}

/* The original PUT body on stdin: one JSON object, at most max bytes. */
static void
read_body(const char *user, size_t max, struct uktv_prefs *p)
{
	struct uktv_error err;
	char *buf;
	size_t len = 0, n;

	if ((buf = malloc(max + 1)) == NULL)
		uktv_log_fatal(&lg, EX_SOFTWARE, "out of memory");
	while ((n = fread(buf + len, 1, max + 1 - len, stdin)) > 0)
		if ((len += n) > max)
			break;
	if (ferror(stdin))
		uktv_log_fatal_errno(&lg, EX_IOERR, errno, "stdin");
	if (len > max)
		uktv_log_fatal(&lg, 1, "stdin: the body is over %zu bytes "
		    "(--max-line)", max);
	buf[len] = '\0';	/* for the check of what follows the document */
	uktv_error_clear(&err);
	if (uktv_prefs_body_parse(buf, len, user, p, &err) == -1) {
		if (err.kind != UKTV_ERR_INPUT)
			uktv_log_fatal(&lg, EX_SOFTWARE, "%s", err.message);
		uktv_log_fatal(&lg, 1, "stdin: %s", err.message);
	}
	free(buf);
}

static int
put(struct uktv_aws *aws, const char *table, const char *user,
    struct uktv_prefs_edit *e, int validate)
{
	struct uktv_prefs_write_stats st;
	struct uktv_prefs_refs *refs;
	struct uktv_error err;
	int bad = 0;

	uktv_error_clear(&err);
	if (validate) {
		if ((refs = uktv_prefs_refs_new(aws, table)) == NULL) {
			uktv_log_warn(&lg, "out of memory");
			return EX_SOFTWARE;
		}
		bad = check_refs(refs, e, 0);
		uktv_prefs_refs_free(refs);
		if (bad)
			return 1;
	}
	if (uktv_prefs_write(aws, table, user, e, NULL, &st, &err) == -1)
		uktv_log_die(&lg, &err);
	report_write(user, &st);
	return 0;
}

static int
delete(struct uktv_aws *aws, const char *table, const char *user)
{
	struct uktv_error err;
	long n;

	uktv_error_clear(&err);
	if (uktv_prefs_delete_user(aws, table, user, &n, &err) == -1)
		uktv_log_die(&lg, &err);
	/* Not an error (exit 0), but said unless -q: the caller may have
	 * misspelt the user. */
	if (n == 0 && to.verbosity >= 0)
		uktv_log_warn(&lg, "%s has no preferences: nothing deleted", user);
	else
		uktv_log_info(&lg, "%s: %ld item%s deleted", user, n,
		    n == 1 ? "" : "s");
	return 0;
}

static int
list(struct uktv_aws *aws, const char *table)
{
	struct uktv_prefs_set set;
	struct uktv_error err;
	size_t i;

	uktv_error_clear(&err);
	uktv_prefs_set_init(&set);
	if (uktv_prefs_load_table(aws, table, &set, &err) == -1)
		uktv_log_die(&lg, &err);
	for (i = 0; i < set.n; i++)
		emit(uktv_prefs_to_json(&set.v[i]));
	uktv_log_info(&lg, "%zu user%s", set.n, set.n == 1 ? "" : "s");
	uktv_prefs_set_free(&set);
	return 0;
}

static int
import(struct uktv_aws *aws, const char *table, size_t max_line, int validate)
{
	struct uktv_ndjson_reader *r;
	struct uktv_ndjson_line ln;
	struct uktv_prefs_write_stats st;
	struct uktv_prefs_refs *refs = NULL;
	struct uktv_prefs_edit e;
	struct uktv_prefs p;
	struct uktv_error err;
	unsigned long users = 0, rejected = 0;
	char why[256];
	int rc;

	uktv_error_clear(&err);
	if ((r = uktv_ndjson_reader_new(stdin, max_line)) == NULL ||
	    (validate && (refs = uktv_prefs_refs_new(aws, table)) == NULL)) {
		uktv_log_warn(&lg, "out of memory");
		return EX_SOFTWARE;
	}
	uktv_prefs_init(&p);
	while ((rc = uktv_ndjson_next(r, &ln)) == 1) {
		if (ln.reject != UKTV_NDJSON_OK) {
			uktv_log_line_error(&lg, ln.lineno, "%s", ln.reason);
			rejected++;
			continue;
		}
		if (uktv_prefs_from_json(ln.obj, 1, &p, why, sizeof(why)) == -1) {
			uktv_log_line_error(&lg, ln.lineno, "%s", why);
			rejected++;
			continue;
		}
		uktv_prefs_edit_init(&e);
		if (uktv_prefs_edit_from(&e, &p) == -1) {
			uktv_log_warn(&lg, "out of memory");
			return EX_SOFTWARE;
		}
		/* A line naming an unknown id is not written at all. */
		if (refs != NULL && check_refs(refs, &e, ln.lineno)) {
			rejected++;
		} else if (uktv_prefs_write(aws, table, p.user, &e, NULL, &st,
		    &err) == -1) {
			uktv_error_prefix(&err, "line %llu: %s", ln.lineno, p.user);
			uktv_log_die(&lg, &err);
		} else {
			report_write(p.user, &st);
			users++;
		}
		uktv_prefs_edit_free(&e);
	}
	if (rc == -1) {
		uktv_log_errno(&lg, errno, "stdin: after line %llu",
		    uktv_ndjson_lineno(r));
		return EX_IOERR;
	}
	uktv_log_info(&lg, "%lu line%s imported, %lu rejected", users,
	    users == 1 ? "" : "s", rejected);
	uktv_prefs_clear(&p);
	uktv_prefs_refs_free(refs);
	uktv_ndjson_reader_free(r);
	return rejected > 0 ? 1 : 0;
}

static int
reference(struct uktv_aws *aws, const char *table, enum uktv_prefs_kind k,
    int with_data)
{
	struct json_object *a;
	struct uktv_error err;
	size_t i, n;

	uktv_error_clear(&err);
	if (uktv_prefs_ref_list(aws, table, k, with_data, &a, &err) == -1)
		uktv_log_die(&lg, &err);
	n = json_object_array_length(a);
	for (i = 0; i < n; i++)
		emit(json_object_get(json_object_array_get_idx(a, i)));
	json_object_put(a);
	return 0;
}

static int
titles(struct uktv_aws *aws, const char *table, const char *user,
    const struct uktv_prefs_guide_opts *go)
{
	struct json_object *a;
	struct uktv_prefs p;
	struct uktv_error err;
	size_t i, n;

	uktv_error_clear(&err);
	uktv_prefs_init(&p);
	if (uktv_prefs_load_user(aws, table, user, 0, &p, &err) == -1 ||
	    uktv_prefs_guide(aws, table, &p, go, &a, &err) == -1)
		uktv_log_die(&lg, &err);
	n = json_object_array_length(a);
	for (i = 0; i < n; i++)
		emit(json_object_get(json_object_array_get_idx(a, i)));
	uktv_log_info(&lg, "%s: %zu title%s", user, n, n == 1 ? "" : "s");
	json_object_put(a);
	uktv_prefs_clear(&p);
	return 0;
}

/* Remembers how a command-specific option was spelt, for the message when
 * it is given to a command that does not take it. */
static void
seen(const char **optname, int ch, int li, const struct option *longopts)
{
	static const struct { int ch; unsigned flag; } flags[] = {
		{ OPT_SOURCES, F_EDIT }, { OPT_GENRES, F_EDIT },
		{ OPT_FAVOURITES, F_EDIT }, { OPT_ADD_SOURCE, F_EDIT },
		{ OPT_REMOVE_SOURCE, F_EDIT }, { OPT_ADD_GENRE, F_EDIT },
		{ OPT_REMOVE_GENRE, F_EDIT }, { OPT_ADD_FAVOURITE, F_EDIT },
		{ OPT_REMOVE_FAVOURITE, F_EDIT }, { OPT_NO_VALIDATE, F_NO_VALIDATE },
		{ 'l', F_LONG }, { OPT_MIN_RATING, F_MIN_RATING },
		{ OPT_ENRICHED_ONLY, F_ENRICHED }, { OPT_MAX_LINE, F_MAX_LINE },
	};
	static char names[8][32];
	size_t i;
	int bit;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		if (flags[i].ch != ch)
			continue;
		for (bit = 0; !(flags[i].flag & (1u << bit)); bit++)
			continue;
		if (optname[bit] != NULL)
			return;
		if (li >= 0)
			snprintf(names[bit], sizeof(names[bit]), "--%s",
			    longopts[li].name);
		else
			snprintf(names[bit], sizeof(names[bit]), "-%c", ch);
		optname[bit] = names[bit];
		return;
	}
}

/* --add-source and friends: which list of the edit an option fills. */
static struct uktv_prefs_ids *
edit_list(struct uktv_prefs_edit *e, int ch)
{
	switch (ch) {
	case OPT_SOURCES:		e->replace |= UKTV_PREFS_MASK(UKTV_PREFS_SOURCE);
					return &e->set[UKTV_PREFS_SOURCE];
	case OPT_GENRES:		e->replace |= UKTV_PREFS_MASK(UKTV_PREFS_GENRE);
					return &e->set[UKTV_PREFS_GENRE];
	case OPT_FAVOURITES:		e->replace |= UKTV_PREFS_MASK(UKTV_PREFS_FAVOURITE);
					return &e->set[UKTV_PREFS_FAVOURITE];
	case OPT_ADD_SOURCE:		return &e->add[UKTV_PREFS_SOURCE];
	case OPT_REMOVE_SOURCE:		return &e->remove[UKTV_PREFS_SOURCE];
	case OPT_ADD_GENRE:		return &e->add[UKTV_PREFS_GENRE];
	case OPT_REMOVE_GENRE:		return &e->remove[UKTV_PREFS_GENRE];
	case OPT_ADD_FAVOURITE:		return &e->add[UKTV_PREFS_FAVOURITE];
	case OPT_REMOVE_FAVOURITE:	return &e->remove[UKTV_PREFS_FAVOURITE];
	}
	return NULL;
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

static void
option(struct args *a, int ch, const char *arg, const char *longname)
{
	char why[320], msg[400], *end;

	switch (ch) {
	case 't':
		a->table_opt = arg;
		break;
	case OPT_SOURCES: case OPT_GENRES: case OPT_FAVOURITES:
	case OPT_ADD_SOURCE: case OPT_REMOVE_SOURCE:
	case OPT_ADD_GENRE: case OPT_REMOVE_GENRE:
	case OPT_ADD_FAVOURITE: case OPT_REMOVE_FAVOURITE:
		a->given |= F_EDIT;
		if (uktv_prefs_ids_parse(edit_list(&a->edit, ch), arg, why,
		    sizeof(why)) == -1) {
			snprintf(msg, sizeof(msg), "--%s: %s", longname, why);
			usage(msg);
		}
		break;
	case OPT_NO_VALIDATE:
		a->given |= F_NO_VALIDATE;
		a->validate = 0;
		break;
	case OPT_MAX_LINE:
		a->given |= F_MAX_LINE;
		if (uktv_parse_size(arg, &a->max_line) == -1 ||
		    a->max_line < 1 || a->max_line > SIZE_MAX / 4)
			usage("--max-line takes bytes (e.g. 65536, 64K, 1M)");
		break;
	case 'l':
		a->given |= F_LONG;
		a->with_data = 1;
		break;
	case OPT_ENRICHED_ONLY:
		a->given |= F_ENRICHED;
		a->go.enriched_only = 1;
		break;
	case OPT_MIN_RATING:
		a->given |= F_MIN_RATING;
		errno = 0;
		a->go.min_rating = strtod(arg, &end);
		if (*arg == '\0' || *end != '\0' || errno != 0 ||
		    !(a->go.min_rating >= 0 && a->go.min_rating <= 10))
			usage("--min-rating takes a number from 0 to 10");
		a->go.use_min_rating = 1;
		break;
	}
}

/* The command word and its USER (argv: what getopt left). */
static void
verb_args(struct args *a, int argc, char *argv[])
{
	char why[320];
	int nargs;

	if (argc == 0)
		usage("give a command: get, put, delete, list, import, sources, "
		    "genres, titles or recommendations");
	for (a->vi = 0; a->vi < sizeof(verbs) / sizeof(verbs[0]); a->vi++)
		if (strcmp(argv[0], verbs[a->vi].name) == 0)
			break;
	if (a->vi == sizeof(verbs) / sizeof(verbs[0])) {
		snprintf(why, sizeof(why), "unknown command '%.64s'", argv[0]);
		usage(why);
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
		usage(why);
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
		usage(why);
	}
	if (a->verb == PUT && a->from_stdin && (a->given & F_EDIT))
		usage("put USER - takes the lists from stdin, not from options");
	if (a->verb == PUT && !a->from_stdin && (a->given & F_EDIT) == 0)
		usage("put: name a list to change (--sources, --add-genre, ...) "
		    "or give - for a body on stdin");
	if ((a->given & F_MAX_LINE) && a->verb == PUT && !a->from_stdin)
		usage("put: --max-line is for a body on stdin (put USER -)");
	if (a->user != NULL && !uktv_user_id_valid(a->user)) {
		snprintf(why, sizeof(why), "bad user id '%.64s': 1-%d "
		    "characters of A-Za-z0-9._@+-", a->user, UKTV_USER_ID_MAX);
		usage(why);
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
		seen(a->optname, ch, li, longopts);
		option(a, ch, optarg, li >= 0 ? longopts[li].name : "");
	}
	uktv_log_init(&lg, PROG, to.verbosity);
	verb_args(a, argc - optind, argv + optind);
	check_args(a);
}

/* One function per command. */
static int
run(struct args *a, struct uktv_aws *aws, const char *table)
{
	switch (a->verb) {
	case GET:
		return get(aws, table, a->user);
	case PUT:
		return put(aws, table, a->user, &a->edit, a->validate);
	case DELETE:
		return delete(aws, table, a->user);
	case LIST:
		return list(aws, table);
	case IMPORT:
		return import(aws, table, a->max_line, a->validate);
	case SOURCES:
		return reference(aws, table, UKTV_PREFS_SOURCE, a->with_data);
	case GENRES:
		return reference(aws, table, UKTV_PREFS_GENRE, a->with_data);
	case TITLES:
	case RECOMMENDATIONS:
		return titles(aws, table, a->user, &a->go);
	case NONE:
		break;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct uktv_prefs body;
	struct uktv_aws *aws;
	struct args a;
	const char *table;
	int rc;

	parse_args(argc, argv, &a);
	table = uktv_toolopt_table(&to, a.table_opt);
	aws = uktv_toolopt_aws(&to);
	uktv_toolopt_need_table(&to, aws);
	if (a.from_stdin) {
		uktv_prefs_init(&body);
		read_body(a.user, a.max_line, &body);
		if (uktv_prefs_edit_from(&a.edit, &body) == -1) {
			uktv_log_warn(&lg, "out of memory");
			return EX_SOFTWARE;
		}
		uktv_prefs_clear(&body);
	}
	uktv_ndjson_writer_init(&out, stdout);
	rc = run(&a, aws, table);
	uktv_prefs_edit_free(&a.edit);
	uktv_aws_free(aws);
	return finish(rc);
}
