/*
 * prefsrun.c: see prefsrun.h.  Moved from uktv-prefs so that the tool is
 * its options and its output, and a second program (an HTTP front end, a
 * test) runs the same commands.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ndjson.h"
#include "prefsrun.h"

static int
oom(struct uktv_error *err)
{
	return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
}

static const char *
plural(long long n)
{
	return n == 1 ? "" : "s";
}

/* One line for the note hook. */
#define note(pr, kind, ...) \
	uktv_guidenote((pr)->note, (pr)->note_arg, (kind), __VA_ARGS__)

/* obj to the emit hook; NULL (an allocation that failed) is an error. */
static int
emit(struct uktv_prefsrun *pr, struct json_object *obj,
    struct uktv_error *err)
{
	if (obj == NULL)
		return oom(err);
	pr->emit(pr->emit_arg, obj);
	return 0;
}

/* Every element of a (whose reference is dropped) to the emit hook. */
static void
emit_all(struct uktv_prefsrun *pr, struct json_object *a)
{
	size_t i, n = json_object_array_length(a);

	for (i = 0; i < n; i++)
		pr->emit(pr->emit_arg, json_object_get(json_object_array_get_idx(a,
		    i)));
	json_object_put(a);
}

/* What checking an edit's ids needs to say where the edit came from. */
struct unknown_ctx {
	struct uktv_prefsrun	*pr;
	unsigned long long	 lineno;	/* 0: not from a line */
};

static void
unknown_id(enum uktv_prefs_kind k, const char *id, void *arg)
{
	struct unknown_ctx *c = arg;

	if (c->lineno > 0)
		note(c->pr, UKTV_GUIDENOTE_WARN, "line %llu: unknown %s %s",
		    c->lineno, uktv_prefs_kind_name(k), id);
	else
		note(c->pr, UKTV_GUIDENOTE_WARN, "unknown %s %s: nothing written",
		    uktv_prefs_kind_name(k), id);
}

/* The edit's source and genre ids: 0 all known, 1 some unknown (each
 * noted), -1 with err. */
static int
check_refs(struct uktv_prefsrun *pr, struct uktv_prefs_refs *refs,
    const struct uktv_prefs_edit *e, unsigned long long lineno,
    struct uktv_error *err)
{
	struct unknown_ctx c = { pr, lineno };
	long n;

	if ((n = uktv_prefs_refs_check(refs, e, unknown_id, &c, err)) == -1)
		return -1;
	return n > 0;
}

static void
report_write(struct uktv_prefsrun *pr, const char *user,
    const struct uktv_prefs_write_stats *st)
{
	if (st->puts == 0 && st->deletes == 0)
		note(pr, UKTV_GUIDENOTE_INFO, "%s: unchanged, nothing written",
		    user);
	else
		note(pr, UKTV_GUIDENOTE_INFO, "%s: %ld put, %ld deleted in %ld "
		    "call%s (%ld unprocessed and retried)", user, st->puts,
		    st->deletes, st->calls, plural(st->calls), st->unprocessed);
}

int
uktv_prefsrun_get(struct uktv_prefsrun *pr, const char *user,
    struct uktv_error *err)
{
	struct uktv_prefs p;
	int rc;

	uktv_prefs_init(&p);
	rc = uktv_prefs_load_user(pr->aws, pr->table, user, 0, &p, err);
	if (rc == 0)
		rc = emit(pr, uktv_prefs_to_json(&p), err);
	uktv_prefs_clear(&p);
	return rc;
}

int
uktv_prefsrun_put(struct uktv_prefsrun *pr, const char *user,
    const struct uktv_prefs_edit *e, struct uktv_error *err)
{
	struct uktv_prefs_write_stats st;
	struct uktv_prefs_refs *refs;
	int bad;

	if (pr->validate) {
		if ((refs = uktv_prefs_refs_new(pr->aws, pr->table)) == NULL)
			return oom(err);
		bad = check_refs(pr, refs, e, 0, err);
		uktv_prefs_refs_free(refs);
		if (bad != 0)
			return bad;
	}
	if (uktv_prefs_write(pr->aws, pr->table, user, e, NULL, &st,
	    err) == -1)
		return -1;
	report_write(pr, user, &st);
	return 0;
}

int
uktv_prefsrun_delete(struct uktv_prefsrun *pr, const char *user,
    struct uktv_error *err)
{
	long n;

	if (uktv_prefs_delete_user(pr->aws, pr->table, user, &n, err) == -1)
		return -1;
	/* Not an error (exit 0), but said: the caller may have misspelt
	 * the user. */
	if (n == 0)
		note(pr, UKTV_GUIDENOTE_NOTICE, "%s has no preferences: nothing "
		    "deleted", user);
	else
		note(pr, UKTV_GUIDENOTE_INFO, "%s: %ld item%s deleted", user, n,
		    plural(n));
	return 0;
}

int
uktv_prefsrun_list(struct uktv_prefsrun *pr, struct uktv_error *err)
{
	struct uktv_prefs_set set;
	size_t i;
	int rc;

	uktv_prefs_set_init(&set);
	rc = uktv_prefs_load_table(pr->aws, pr->table, &set, err);
	for (i = 0; rc == 0 && i < set.n; i++)
		rc = emit(pr, uktv_prefs_to_json(&set.v[i]), err);
	if (rc == 0)
		note(pr, UKTV_GUIDENOTE_INFO, "%zu user%s", set.n,
		    plural(set.n));
	uktv_prefs_set_free(&set);
	return rc;
}

/* One good line's preferences, p, written (or refused): 0 written, 1
 * refused (said), -1 with err. */
static int
import_line(struct uktv_prefsrun *pr, struct uktv_prefs_refs *refs,
    const struct uktv_prefs *p, unsigned long long lineno,
    struct uktv_error *err)
{
	struct uktv_prefs_write_stats st;
	struct uktv_prefs_edit e;
	int rc = 0;

	uktv_prefs_edit_init(&e);
	if (uktv_prefs_edit_from(&e, p) == -1)
		rc = oom(err);
	/* A line naming an unknown id is not written at all. */
	else if (refs != NULL)
		rc = check_refs(pr, refs, &e, lineno, err);
	if (rc == 0 && uktv_prefs_write(pr->aws, pr->table, p->user, &e, NULL,
	    &st, err) == -1) {
		uktv_error_prefix(err, "line %llu: %s", lineno, p->user);
		rc = -1;
	} else if (rc == 0)
		report_write(pr, p->user, &st);
	uktv_prefs_edit_free(&e);
	return rc;
}

/* The lines of r: -1 with err, else how many were rejected (said). */
static long
import_lines(struct uktv_prefsrun *pr, struct uktv_ndjson_reader *r,
    struct uktv_prefs_refs *refs, unsigned long *users,
    struct uktv_error *err)
{
	struct uktv_ndjson_line ln;
	struct uktv_prefs p;
	long rejected = 0;
	char why[256];
	int rc = 0;

	uktv_prefs_init(&p);
	while (rc != -1 && (rc = uktv_ndjson_next(r, &ln)) == 1) {
		if (ln.reject != UKTV_NDJSON_OK)
			note(pr, UKTV_GUIDENOTE_WARN, "line %llu: %s", ln.lineno,
			    ln.reason);
		else if (uktv_prefs_from_json(ln.obj, 1, &p, why,
		    sizeof(why)) == -1)
			note(pr, UKTV_GUIDENOTE_WARN, "line %llu: %s", ln.lineno,
			    why);
		else if ((rc = import_line(pr, refs, &p, ln.lineno, err)) == 0) {
			(*users)++;
			continue;
		}
		if (rc != -1)
			rejected++;
	}
	if (rc == -1 && err->kind == UKTV_ERR_NONE) {
		int e = errno;

		uktv_error_set(err, UKTV_ERR_IO, "stdin: after line %llu: %s",
		    uktv_ndjson_lineno(r), strerror(e));
	}
	uktv_prefs_clear(&p);
	return rc == -1 ? -1 : rejected;
}

int
uktv_prefsrun_import(struct uktv_prefsrun *pr, FILE *fp, size_t max_line,
    struct uktv_error *err)
{
	struct uktv_ndjson_reader *r;
	struct uktv_prefs_refs *refs = NULL;
	unsigned long users = 0;
	long rejected = -1;

	uktv_error_clear(err);
	if ((r = uktv_ndjson_reader_new(fp, max_line)) == NULL ||
	    (pr->validate &&
	    (refs = uktv_prefs_refs_new(pr->aws, pr->table)) == NULL))
		oom(err);
	else if ((rejected = import_lines(pr, r, refs, &users, err)) >= 0)
		note(pr, UKTV_GUIDENOTE_INFO, "%lu line%s imported, %ld "
		    "rejected", users, plural(users), rejected);
	uktv_prefs_refs_free(refs);
	uktv_ndjson_reader_free(r);
	return rejected == -1 ? -1 : rejected > 0;
}

int
uktv_prefsrun_reference(struct uktv_prefsrun *pr, enum uktv_prefs_kind k,
    int with_data, struct uktv_error *err)
{
	struct json_object *a;

	if (uktv_prefs_ref_list(pr->aws, pr->table, k, with_data, &a,
	    err) == -1)
		return -1;
	emit_all(pr, a);
	return 0;
}

int
uktv_prefsrun_titles(struct uktv_prefsrun *pr, const char *user,
    const struct uktv_prefs_guide_opts *go, struct uktv_error *err)
{
	struct json_object *a;
	struct uktv_prefs p;
	size_t n;
	int rc;

	uktv_prefs_init(&p);
	if ((rc = uktv_prefs_load_user(pr->aws, pr->table, user, 0, &p,
	    err)) == 0 &&
	    (rc = uktv_prefs_guide(pr->aws, pr->table, &p, go, &a, err)) == 0) {
		n = json_object_array_length(a);
		emit_all(pr, a);
		note(pr, UKTV_GUIDENOTE_INFO, "%s: %zu title%s", user, n,
		    plural(n));
	}
	uktv_prefs_clear(&p);
	return rc;
}

/* fp's bytes, at most max, into a buffer of max + 1 (caller frees). */
static char *
read_all(FILE *fp, size_t max, size_t *len, struct uktv_error *err)
{
	char *buf;
	size_t n;

	*len = 0;
	if ((buf = malloc(max + 1)) == NULL) {
		oom(err);
		return NULL;
	}
	while ((n = fread(buf + *len, 1, max + 1 - *len, fp)) > 0)
		if ((*len += n) > max)
			break;
	if (ferror(fp))
		uktv_error_set(err, UKTV_ERR_IO, "stdin: %s", strerror(errno));
	else if (*len > max)
		uktv_error_set(err, UKTV_ERR_INPUT, "stdin: the body is over "
		    "%zu bytes (--max-line)", max);
	else {
		buf[*len] = '\0';	/* for the check of what follows the
					 * document */
		return buf;
	}
	free(buf);
	return NULL;
}

int
uktv_prefsrun_read_body(FILE *fp, const char *user, size_t max,
    struct uktv_prefs_edit *edit, struct uktv_error *err)
{
	struct uktv_prefs p;
	size_t len;
	char *buf;
	int rc;

	if ((buf = read_all(fp, max, &len, err)) == NULL)
		return -1;
	uktv_prefs_init(&p);
	if ((rc = uktv_prefs_body_parse(buf, len, user, &p, err)) == -1) {
		if (err->kind == UKTV_ERR_INPUT)
			uktv_error_prefix(err, "stdin");
		else
			err->kind = UKTV_ERR_INTERNAL;
	} else if (uktv_prefs_edit_from(edit, &p) == -1)
		rc = oom(err);
	free(buf);
	uktv_prefs_clear(&p);
	return rc;
}

struct uktv_prefs_ids *
uktv_prefsrun_edit_list(struct uktv_prefs_edit *e, const char *name)
{
	static const struct {
		const char		*name;
		enum uktv_prefs_kind	 kind;
	} kinds[] = {
		{ "source", UKTV_PREFS_SOURCE }, { "genre", UKTV_PREFS_GENRE },
		{ "favourite", UKTV_PREFS_FAVOURITE },
	};
	struct uktv_prefs_ids *list = e->set;
	size_t i, n;

	if (strncmp(name, "add-", 4) == 0) {
		list = e->add;
		name += 4;
	} else if (strncmp(name, "remove-", 7) == 0) {
		list = e->remove;
		name += 7;
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		n = strlen(kinds[i].name);
		if (strncmp(name, kinds[i].name, n) != 0)
			continue;
		/* Setting a list is by the plural ("sources"), adding to or
		 * removing from one by the singular ("add-source"). */
		if (list == e->set && strcmp(name + n, "s") == 0) {
			e->replace |= UKTV_PREFS_MASK(kinds[i].kind);
			return &e->set[kinds[i].kind];
		}
		if (list != e->set && name[n] == '\0')
			return &list[kinds[i].kind];
	}
	return NULL;
}
