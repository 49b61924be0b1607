/*
 * prefsrun.h: what each uktv-prefs(1) command does beyond printing: read a
 * user, write an edit (its ids checked against the reference items first),
 * delete, list, import NDJSON lines, list the reference items, build the
 * guide.  The library never prints: the JSON objects a command yields go
 * to the run's emit hook, and what a tool would say goes, one line at a
 * time, to its note hook; the tool routes both.
 *
 *   struct uktv_prefsrun pr = { aws, table, 1, emit, arg, note, log };
 *   rc = uktv_prefsrun_import(&pr, stdin, max_line, &err);
 */
#ifndef UKTV_PREFSRUN_H
#define UKTV_PREFSRUN_H

#include <stddef.h>
#include <stdio.h>

#include <json-c/json.h>

#include "aws.h"
#include "error.h"
#include "guidenote.h"
#include "prefs.h"

/* Takes the reference to obj. */
typedef void (*uktv_prefsrun_emit_fn)(void *arg, struct json_object *obj);

struct uktv_prefsrun {
	struct uktv_aws		*aws;
	const char		*table;
	int			 validate;	/* ids against the reference
						 * items before a write */
	uktv_prefsrun_emit_fn	 emit;
	void			*emit_arg;
	uktv_guidenote_fn	 note;		/* what a tool would log */
	void			*note_arg;
};

/*
 * Each command returns 0; 1 when something was refused and said (put: an
 * unknown id, nothing written; import: lines rejected); -1 with err (kind
 * INTERNAL, "out of memory", when an allocation failed).
 */
int	uktv_prefsrun_get(struct uktv_prefsrun *, const char *user,
	    struct uktv_error *);
int	uktv_prefsrun_put(struct uktv_prefsrun *, const char *user,
	    const struct uktv_prefs_edit *, struct uktv_error *);
int	uktv_prefsrun_delete(struct uktv_prefsrun *, const char *user,
	    struct uktv_error *);
int	uktv_prefsrun_list(struct uktv_prefsrun *, struct uktv_error *);
/* The lines of fp (named in messages as "stdin"), each a user's
 * preferences as `list` prints them; a line naming an unknown id is not
 * written at all. */
int	uktv_prefsrun_import(struct uktv_prefsrun *, FILE *, size_t max_line,
	    struct uktv_error *);
int	uktv_prefsrun_reference(struct uktv_prefsrun *, enum uktv_prefs_kind,
	    int with_data, struct uktv_error *);
/* titles and recommendations: the guide of user's pairs under go. */
int	uktv_prefsrun_titles(struct uktv_prefsrun *, const char *user,
	    const struct uktv_prefs_guide_opts *, struct uktv_error *);

/* The list of edit an option of put fills, by the option's name: "sources",
 * "genres", "favourites" (the list to set), "add-source", "remove-genre",
 * ...; NULL for another name. */
struct uktv_prefs_ids *uktv_prefsrun_edit_list(struct uktv_prefs_edit *,
	    const char *name);

/*
 * The original PUT body for user from fp, at most max bytes, as the lists
 * of edit to set: 0; -1 with err (INPUT, prefixed "stdin: ", for a body too long or
 * not one for user; IO when fp cannot be read; INTERNAL otherwise).
 */
int	uktv_prefsrun_read_body(FILE *, const char *user, size_t max,
	    struct uktv_prefs_edit *edit, struct uktv_error *);

#endif
