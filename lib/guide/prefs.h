/*
 * prefs.h: users' preferences in the single table, as the original app
 * stored them, and the guide they select.
 *
 * One item per choice (ARCHITECTURE.md, "Data"): PK "userpref:<user id>", SK
 * "source:<id>", "genre:<id>" or (new in uktv) "favourite:<title id>", no
 * other attribute.  Reference items are PK "source:<digits>" / "genre:<digits>"
 * with the name as SK; index entries "source:<s>:genre:<g>" / "title:<id>"
 * share the "source:" prefix and are told apart by that grammar.
 *
 * Pure parts (ids, keys, grouping, JSON forms, edits, diffs, the guide's
 * projection and order) take no client and are unit-tested; the table parts
 * take a struct uktv_aws.  Nothing here prints or exits; everything returns
 * 0 / -1 with a struct uktv_error unless its comment says otherwise.
 *
 * Ids: source, genre and title ids are decimal digits (at most
 * UKTV_PREFS_ID_MAX, so every Watchmode id fits); ids given by a caller are
 * canonicalised (leading zeros dropped: "0203" is 203), ids read from the
 * table are kept exactly as stored so that their items can be deleted.
 * Lists are kept sorted numerically and without duplicates.
 */
#ifndef UKTV_PREFS_H
#define UKTV_PREFS_H

#include <stddef.h>
#include <stdio.h>

#include <json-c/json.h>

#include "aws.h"
#include "parse.h"
#include "error.h"

#define UKTV_PREFS_USER_MAX	UKTV_USER_ID_MAX	/* cli.h, ARCHITECTURE.md */
#define UKTV_PREFS_ID_MAX	UKTV_CLI_MAX_ID_DIGITS	/* cli.h: any uint64 */
#define UKTV_PREFS_PK_PREFIX	"userpref:"
/* Room for "userpref:" + a user id, or "favourite:" + an id, and the NUL. */
#define UKTV_PREFS_KEY_MAX	(sizeof(UKTV_PREFS_PK_PREFIX) + UKTV_PREFS_USER_MAX + 1)
/* GET /recommendations: user_rating > 7 in the original app. */
#define UKTV_PREFS_RECOMMEND_MIN 7.0

enum uktv_prefs_kind {
	UKTV_PREFS_SOURCE = 0,
	UKTV_PREFS_GENRE,
	UKTV_PREFS_FAVOURITE,
	UKTV_PREFS_NKINDS
};
#define UKTV_PREFS_MASK(k)	(1u << (k))
#define UKTV_PREFS_ALL		0x7u

/* "source", "genre", "favourite": the SK prefix (static). */
const char *uktv_prefs_kind_name(enum uktv_prefs_kind);

/* ---- ids ---- */

/* 1 if s is 1..UKTV_PREFS_ID_MAX decimal digits, else 0. */
int	uktv_prefs_id_valid(const char *s);
/* Checks s and writes its canonical form (no leading zeros) to out, which
 * has room for UKTV_PREFS_ID_MAX + 1 bytes.  0, or -1 when not an id. */
int	uktv_prefs_id_canon(const char *s, char *out);
/* An id given in JSON: a string of digits or a non-negative integer
 * ({"sources":["203"]} and {"sources":[203]} both work, as in the original
 * PUT).  0 with the canonical form in out, or -1. */
int	uktv_prefs_id_from_json(struct json_object *v, char *out);
/* Numeric order of two digit strings of any length (uktv_cmp_decimal),
 * ties ("203" and "0203") broken by bytes so that the order is total.
 * User ids are checked with cli.h's uktv_user_id_valid. */
int	uktv_prefs_id_cmp(const char *a, const char *b);

/* A sorted list of distinct ids; zero-initialise or use _init. */
struct uktv_prefs_ids {
	char	**v;
	size_t	  n;
	size_t	  cap;
};

void	uktv_prefs_ids_init(struct uktv_prefs_ids *);
void	uktv_prefs_ids_free(struct uktv_prefs_ids *);
/* Copies id in at its place: 1 added, 0 already there, -1 out of memory.
 * id is not checked here (callers check or canonicalise first). */
int	uktv_prefs_ids_add(struct uktv_prefs_ids *, const char *id);
/* dst := src (dst's old contents freed). */
int	uktv_prefs_ids_copy(struct uktv_prefs_ids *dst,
	    const struct uktv_prefs_ids *src);
/*
 * Adds the ids of a comma-separated list ("203,349"; "" is the empty list),
 * read by uktv_parse_idlist (canonical, spaces around ids allowed).  An
 * empty element or a non-id is refused: -1 with why.  A failure leaves the
 * list as it was.
 */
int	uktv_prefs_ids_parse(struct uktv_prefs_ids *, const char *csv,
	    char *why, size_t whylen);

/* ---- keys ---- */

/* "userpref:<user>" into buf (UKTV_PREFS_KEY_MAX); -1 on a bad user id. */
int	uktv_prefs_pk(const char *user, char *buf, size_t len);
/* "<kind>:<id>" into buf; -1 if it does not fit. */
int	uktv_prefs_sk(enum uktv_prefs_kind, const char *id, char *buf, size_t len);
/* Splits a preference SK: 0 with kind and *id pointing into sk, or -1 when
 * sk is not "source:<digits>", "genre:<digits>" or "favourite:<digits>". */
int	uktv_prefs_sk_parse(const char *sk, enum uktv_prefs_kind *,
	    const char **id);
/* The user id in a preference PK (pointing into pk), or NULL. */
const char *uktv_prefs_pk_user(const char *pk);
/* A reference item's PK: "source:<digits>" or "genre:<digits>" exactly
 * (never an index entry "source:1:genre:2"): 0 with kind and id, or -1. */
int	uktv_prefs_ref_pk_parse(const char *pk, enum uktv_prefs_kind *,
	    const char **id);

/* ---- one user's preferences ---- */

struct uktv_prefs {
	char			*user;
	unsigned		 present;	/* UKTV_PREFS_MASK of lists given */
	struct uktv_prefs_ids	 lists[UKTV_PREFS_NKINDS];
};

void	uktv_prefs_init(struct uktv_prefs *);
void	uktv_prefs_clear(struct uktv_prefs *);	/* frees what it holds */
/* {"user","sources","genres","favourites"}, every list (empty ones too),
 * ids as strings: `uktv-prefs get` and `list` print this.  New reference. */
struct json_object *uktv_prefs_to_json(const struct uktv_prefs *);
/*
 * Reads a JSON object in that form, or (need_user 0) the original PUT body
 * {"sources":[...],"genres":[...]} where "user" is optional.  A list that is
 * absent (or null) is not in out->present; ids may be strings or numbers.
 * out is cleared first.  -1 with why on a bad user id, a list that is not an
 * array or an id that is not an id ("sources[1]: 'x' is not an id").
 */
int	uktv_prefs_from_json(struct json_object *, int need_user,
	    struct uktv_prefs *out, char *why, size_t whylen);

/*
 * The original PUT body for user: buf[0..len) (buf[len] must be '\0') holds
 * exactly one JSON document, the body (uktv_prefs_from_json, need_user 0),
 * whose "user", when present, is user.  0 with out filled, or -1 with err:
 * UKTV_ERR_INPUT ("not one JSON document (it ends early)", "the body is
 * for user 'x', not 'y'", ...), UKTV_ERR_INTERNAL when out of memory.
 */
int	uktv_prefs_body_parse(const char *buf, size_t len, const char *user,
	    struct uktv_prefs *out, struct uktv_error *);
/*
 * Its two steps, for a caller that answers them differently (uktv-api's
 * 400 "Invalid JSON in request body" is only for the first):
 * _json_doc reads the one document (new reference in *out; -1 with err,
 * INPUT "not one JSON document (...)", INTERNAL when out of memory);
 * _body_from_json reads the lists from it and checks its "user" (-1 with
 * err INPUT naming what is wrong, as uktv_prefs_from_json's why says it).
 */
int	uktv_prefs_json_doc(const char *buf, size_t len,
	    struct json_object **out, struct uktv_error *);
int	uktv_prefs_body_from_json(struct json_object *, const char *user,
	    struct uktv_prefs *out, struct uktv_error *);

/* ---- many users ---- */

/* Users in byte order of their ids, each at most once. */
struct uktv_prefs_set {
	struct uktv_prefs	*v;
	size_t			 n;
	size_t			 cap;
};

void	uktv_prefs_set_init(struct uktv_prefs_set *);
void	uktv_prefs_set_free(struct uktv_prefs_set *);
/*
 * Groups one table item by its keys: 1 when it is a preference (the user's
 * entry gets present = UKTV_PREFS_ALL: the table holds every list), 0 when
 * pk/sk are not a preference of the grammar (ignored), -1 on OOM.
 */
int	uktv_prefs_set_add_item(struct uktv_prefs_set *, const char *pk,
	    const char *sk);

/* Scan of every "userpref:" item, all pages, grouped into set. */
int	uktv_prefs_load_table(struct uktv_aws *, const char *table,
	    struct uktv_prefs_set *, struct uktv_error *);
/* One user's items (Query, all pages; consistent: ConsistentRead, for a
 * read that decides a write).  out->present = UKTV_PREFS_ALL.  A user with
 * no items is not an error: out holds empty lists. */
int	uktv_prefs_load_user(struct uktv_aws *, const char *table,
	    const char *user, int consistent, struct uktv_prefs *out,
	    struct uktv_error *);

/* Called for each rejected input line; lineno from the NDJSON reader. */
typedef void (*uktv_prefs_reject_fn)(unsigned long long lineno,
	    const char *reason, void *arg);
/*
 * Reads NDJSON lines in `list` form from fp (lines of at most max_line
 * bytes) into set; a later line for the same user replaces the lists it
 * names.  Each bad line goes to reject (may be NULL) and is counted in
 * *rejected; -1 only for a read error (UKTV_ERR_IO) or OOM.
 */
int	uktv_prefs_load_ndjson(FILE *, size_t max_line, struct uktv_prefs_set *,
	    uktv_prefs_reject_fn, void *arg, unsigned long *rejected,
	    struct uktv_error *);

/* ---- changes ---- */

/*
 * What a caller asks for: the lists in `replace` become set[k]; then add[k]
 * is added and remove[k] removed.  An edit with only adds never deletes, so
 * two writers adding different choices to one user both keep theirs.
 */
struct uktv_prefs_edit {
	unsigned		 replace;
	struct uktv_prefs_ids	 set[UKTV_PREFS_NKINDS];
	struct uktv_prefs_ids	 add[UKTV_PREFS_NKINDS];
	struct uktv_prefs_ids	 remove[UKTV_PREFS_NKINDS];
};

void	uktv_prefs_edit_init(struct uktv_prefs_edit *);
void	uktv_prefs_edit_free(struct uktv_prefs_edit *);
/* The edit of a whole record: replace the lists p->present with p's lists. */
int	uktv_prefs_edit_from(struct uktv_prefs_edit *, const struct uktv_prefs *);


struct uktv_prefs_write_stats {
	long	puts;
	long	deletes;
	long	calls;		/* BatchWriteItem calls */
	long	unprocessed;	/* requests handed back at least once */
};

/*
 * Applies edit to user's items: reads them fresh (ConsistentRead), works out
 * the difference and writes only that (puts and deletes through
 * BatchWriteItem, UnprocessedItems retried); nothing changed: no write at
 * all.  result (may be NULL) receives the preferences as written.  The ids
 * are not checked against the reference items here: see _refs below.
 */
int	uktv_prefs_write(struct uktv_aws *, const char *table, const char *user,
	    const struct uktv_prefs_edit *, struct uktv_prefs *result,
	    struct uktv_prefs_write_stats *, struct uktv_error *);
/* Deletes every item under the user's PK (whatever its SK); *deleted says
 * how many (0: the user had none, not an error). */
int	uktv_prefs_delete_user(struct uktv_aws *, const char *table,
	    const char *user, long *deleted, struct uktv_error *);

/* ---- reference items ---- */

/*
 * A cache of which source and genre ids have a reference item in the table
 * (one Query per distinct id, asked once).  Caller frees with
 * uktv_prefs_refs_free.  NULL on OOM.
 */
struct uktv_prefs_refs;
struct uktv_prefs_refs *uktv_prefs_refs_new(struct uktv_aws *, const char *table);
void	uktv_prefs_refs_free(struct uktv_prefs_refs *);
typedef void (*uktv_prefs_unknown_fn)(enum uktv_prefs_kind, const char *id,
	    void *arg);
/* Checks every source and genre id the edit sets or adds (favourites need
 * not be in the guide); fn (may be NULL) hears of each unknown one.  Returns
 * how many are unknown, or -1 on error. */
long	uktv_prefs_refs_check(struct uktv_prefs_refs *,
	    const struct uktv_prefs_edit *, uktv_prefs_unknown_fn, void *arg,
	    struct uktv_error *);

/*
 * The reference items of kind (SOURCE or GENRE) as a JSON array (new
 * reference) of {"id","name"} (plus "data", the stored data as plain JSON,
 * when with_data), sorted by name in byte order then id.  Scan of
 * begins_with(PK, "<kind>:"), all pages, keeping only PKs of the reference
 * grammar.
 */
int	uktv_prefs_ref_list(struct uktv_aws *, const char *table,
	    enum uktv_prefs_kind, int with_data, struct json_object **out,
	    struct uktv_error *);

/* ---- the user's guide (the original GET /titles and /recommendations) ---- */

struct uktv_prefs_guide_opts {
	int	enriched_only;	/* only titles with poster and plot_overview */
	int	use_min_rating;	/* keep only user_rating > min_rating */
	double	min_rating;
};

/*
 * A guide line from a title record's plain `data`: id (a string), title,
 * year, type, user_rating, plot_overview, poster, source_ids, genre_ids and
 * the GB `sources` (null fields left out).  New reference, NULL when data
 * has no id.
 */
struct json_object *uktv_prefs_guide_title(struct json_object *data);
/* 1 if a guide line passes opts. */
int	uktv_prefs_guide_keep(struct json_object *line,
	    const struct uktv_prefs_guide_opts *);
/* The guide's order: user_rating descending (unrated last), then title in
 * byte order, then id numerically.  For qsort over json_object pointers. */
int	uktv_prefs_guide_cmp(const void *a, const void *b);
/*
 * The titles of p's source x genre pairs: a Query per pair (all pages) of the
 * index entries, the title records fetched with BatchGetItem (chunks of 100,
 * UnprocessedKeys retried), deduplicated, filtered by opts and sorted.  *out
 * is a JSON array of guide lines (new reference).  Sources without genres
 * (or the reverse) make no pair and an empty guide, as in the original.
 */
int	uktv_prefs_guide(struct uktv_aws *, const char *table,
	    const struct uktv_prefs *p, const struct uktv_prefs_guide_opts *,
	    struct json_object **out, struct uktv_error *);

#endif
