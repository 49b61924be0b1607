/*
 * test_prefsrun.c: the uktv-prefs commands' parts that need no table
 * (lib/guide/prefsrun): which edit list an option fills, the PUT body from
 * a stream, and an import whose every line is refused before a write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prefsrun.h"
#include "unit.h"

static char notes[4096];

static void
collect(void *arg, enum uktv_guidenote_kind kind, const char *msg)
{
	(void)arg;
	snprintf(notes + strlen(notes), sizeof(notes) - strlen(notes),
	    "%d %s\n", (int)kind, msg);
}

static void
test_edit_list(void)
{
	struct uktv_prefs_edit e;

	uktv_prefs_edit_init(&e);
	CHECK(uktv_prefsrun_edit_list(&e, "sources") ==
	    &e.set[UKTV_PREFS_SOURCE]);
	CHECK_INT(e.replace, UKTV_PREFS_MASK(UKTV_PREFS_SOURCE));
	CHECK(uktv_prefsrun_edit_list(&e, "favourites") ==
	    &e.set[UKTV_PREFS_FAVOURITE]);
	CHECK(uktv_prefsrun_edit_list(&e, "add-genre") ==
	    &e.add[UKTV_PREFS_GENRE]);
	CHECK(uktv_prefsrun_edit_list(&e, "remove-favourite") ==
	    &e.remove[UKTV_PREFS_FAVOURITE]);
	CHECK_INT(e.replace, UKTV_PREFS_MASK(UKTV_PREFS_SOURCE) |
	    UKTV_PREFS_MASK(UKTV_PREFS_FAVOURITE));
	CHECK(uktv_prefsrun_edit_list(&e, "source") == NULL);
	CHECK(uktv_prefsrun_edit_list(&e, "add-sources") == NULL);
	CHECK(uktv_prefsrun_edit_list(&e, "table") == NULL);
	uktv_prefs_edit_free(&e);
}

/* The body text through uktv_prefsrun_read_body for bob. */
static int
body(const char *text, size_t max, struct uktv_prefs_edit *e,
    struct uktv_error *err)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	int rc;

	uktv_error_clear(err);
	uktv_prefs_edit_init(e);
	CHECK(fp != NULL);
	rc = uktv_prefsrun_read_body(fp, "bob", max, e, err);
	fclose(fp);
	return rc;
}

static void
test_read_body(void)
{
	struct uktv_prefs_edit e;
	struct uktv_error err;

	CHECK_INT(body("{\"sources\":[\"203\"],\"genres\":[4,7]}", 100, &e,
	    &err), 0);
	CHECK_INT(e.set[UKTV_PREFS_GENRE].n, 2);
	CHECK_INT(e.set[UKTV_PREFS_SOURCE].n, 1);
	uktv_prefs_edit_free(&e);
	CHECK_INT(body("{\"sources\":[\"203\"]}", 5, &e, &err), -1);
	CHECK_INT(err.kind, UKTV_ERR_INPUT);
	CHECK_STR(err.message, "stdin: the body is over 5 bytes (--max-line)");
	uktv_prefs_edit_free(&e);
	CHECK_INT(body("{\"user\":\"al\",\"sources\":[]}", 100, &e, &err), -1);
	CHECK_INT(err.kind, UKTV_ERR_INPUT);
	CHECK(strncmp(err.message, "stdin: ", 7) == 0);
	uktv_prefs_edit_free(&e);
}

static void
test_import_refused(void)
{
	static const char text[] = "not json\n{\"user\":\"b@d id!\"}\n";
	struct uktv_prefsrun pr = { 0 };
	struct uktv_error err;
	FILE *fp = fmemopen((void *)text, sizeof(text) - 1, "r");

	notes[0] = '\0';
	pr.note = collect;
	uktv_error_clear(&err);
	CHECK(fp != NULL);
	/* Refused lines make no call: no table is needed. */
	CHECK_INT(uktv_prefsrun_import(&pr, fp, 4096, &err), 1);
	fclose(fp);
	CHECK(strncmp(notes, "2 line 1: ", 10) == 0);
	CHECK(strstr(notes, "\n2 line 2: ") != NULL);
	CHECK(strstr(notes, "\n0 0 lines imported, 2 rejected\n") != NULL);
}

int
main(void)
{
	RUN(test_edit_list);
	RUN(test_read_body);
	RUN(test_import_refused);
	return UNIT_DONE();
}
