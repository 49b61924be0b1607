/*
 * titlestate.h: what an incremental title lister has already sent, and the
 * reconciling of one run's findings with it (uktv-titles --state FILE).
 *
 * A run asks Watchmode for the titles of each followed (source, genre)
 * pair; a title's memberships are the pairs whose answers contained it.
 * The state remembers, per title, a digest of the payload last emitted, when
 * it was emitted and its pairs; per pair, whether its last listing was
 * complete and how many pages it took; and when the last complete run
 * started.  From that, the next run emits only new or changed titles (and
 * those due for a refresh), and a title that is in no followed pair any more
 * leaves with one remove event, but only after a complete run: a run cut
 * short (a Watchmode error, a call bound) removes nothing and keeps what it
 * did not see as it was.
 *
 * The file is NDJSON, one object per line, written atomically (a temporary
 * file in the same directory, fsync(2), rename(2), then the directory
 * fsync(2)ed), so a crash leaves the old state or the new one:
 *
 *   {"uktv_titles_state":1,"query":"regions=GB","last_complete":
 *    "2025-07-04T16:00:00.000Z","saved":"2025-07-04T16:00:09.120Z"}
 *   {"pair":"203:7","complete":true,"pages":2,"listed":"2025-07-04T16:00:04.002Z"}
 *   {"title":"3184039","digest":"<64 hex>","emitted":"2025-07-04T16:00:09.118Z",
 *    "pairs":["203:4","203:7"]}
 *
 * The header comes first; "query" is the caller's description of what was
 * asked (opaque here: a run with another query does not trust the pairs'
 * completeness); "last_complete" is absent until a run completes.  Pairs
 * and titles follow in numeric order.  Unknown keys are ignored, so a later
 * version may add some; a higher "uktv_titles_state" version is refused.
 *
 * Pair keys are "<source id>:<genre id>" (decimal ids without leading
 * zeros), ordered numerically by source then genre; title ids are decimal
 * strings ordered numerically.
 *
 * Nothing here prints or exits; functions return 0 / -1 with struct
 * uktv_error (UKTV_ERR_INTERNAL for out of memory) unless said otherwise.
 */
#ifndef UKTV_TITLESTATE_H
#define UKTV_TITLESTATE_H

#include <stddef.h>
#include <stdio.h>

#include <json-c/json.h>

#include "error.h"

#define UKTV_TITLESTATE_VERSION		1
#define UKTV_TITLESTATE_ID_MAX		20	/* digits: any uint64 (cli.h) */
/* "<source>:<genre>" */
#define UKTV_TITLESTATE_PAIR_MAX	(2 * UKTV_TITLESTATE_ID_MAX + 1)
#define UKTV_TITLESTATE_DIGEST_LEN	64	/* SHA-256 in hex */

struct uktv_titlestate_pair {
	char		 key[UKTV_TITLESTATE_PAIR_MAX + 1];
	int		 complete;	/* its last listing reached the end */
	long		 pages;		/* pages that listing took, -1 unknown */
	long long	 listed_ms;	/* when, 0 unknown */
};

struct uktv_titlestate_title {
	char		 id[UKTV_TITLESTATE_ID_MAX + 1];
	char		 digest[UKTV_TITLESTATE_DIGEST_LEN + 1];
	long long	 emitted_ms;
	char		**pairs;	/* owned; sorted, distinct */
	size_t		 npairs;
	int		 seen;		/* this run: not saved */
};

/* Zero-initialise or use _init; free with _clear. */
struct uktv_titlestate {
	char				*query;		/* NULL: none recorded */
	long long			 last_complete_ms;	/* 0: never */
	struct uktv_titlestate_pair	*pairs;		/* sorted by key */
	size_t				 npairs, pairs_cap;
	struct uktv_titlestate_title	*titles;	/* sorted by id */
	size_t				 ntitles, titles_cap;
};

void	uktv_titlestate_init(struct uktv_titlestate *);
void	uktv_titlestate_clear(struct uktv_titlestate *);

/* ---- keys ---- */

/* "source:genre" into buf (UKTV_TITLESTATE_PAIR_MAX + 1 bytes); -1 when an
 * id is not valid. */
int	uktv_titlestate_pair_key(const char *source, const char *genre,
	    char *buf, size_t len);
/* Splits a pair key into its ids (each UKTV_TITLESTATE_ID_MAX + 1 bytes);
 * 0, or -1 when key is not a pair key. */
int	uktv_titlestate_pair_split(const char *key, char *source, char *genre);
/* Numeric order of pair keys: by source, then genre. */
int	uktv_titlestate_pair_cmp(const char *a, const char *b);

/* ---- the file ---- */

/* Loads path; a file that does not exist is an empty state (*found 0). */
int	uktv_titlestate_load(struct uktv_titlestate *, const char *path,
	    int *found, struct uktv_error *);
/* Replaces path atomically (see above); an existing file's mode is kept,
 * else 0644.  UKTV_ERR_CANTCREAT when the temporary file cannot be created,
 * UKTV_ERR_IO when it cannot be written or renamed (the old file is then
 * left as it was). */
int	uktv_titlestate_save(const struct uktv_titlestate *, const char *path,
	    long long saved_ms, struct uktv_error *);
/* Checks, before any work, that save() will be able to create its
 * temporary file beside path (one is made and removed): the same
 * UKTV_ERR_CANTCREAT as save() when not. */
int	uktv_titlestate_check_save(const char *path, struct uktv_error *);

/* ---- entries ---- */

/* Copies q (NULL allowed); -1 on OOM. */
int	uktv_titlestate_set_query(struct uktv_titlestate *, const char *q);

/* The pair's entry, or NULL. */
struct uktv_titlestate_pair *uktv_titlestate_pair_find(
	    const struct uktv_titlestate *, const char *key);

struct uktv_titlestate_title *uktv_titlestate_title_find(
	    const struct uktv_titlestate *, const char *id);
/* The title's entry, created at its place (empty digest, no pairs) when
 * absent; NULL on OOM or a bad id.  Valid until the titles change. */
struct uktv_titlestate_title *uktv_titlestate_title_put(struct uktv_titlestate *,
	    const char *id);
int	uktv_titlestate_title_remove(struct uktv_titlestate *, const char *id);
/* t->pairs := a sorted, distinct copy of pairs[0..n) (each a pair key). */
int	uktv_titlestate_title_set_pairs(struct uktv_titlestate_title *,
	    const char *const *pairs, size_t n);

/* ---- payload digests ---- */

/* SHA-256 of the canonical text, in lower-case hex.  -1 on OOM. */
int	uktv_titlestate_digest(struct json_object *,
	    char out[UKTV_TITLESTATE_DIGEST_LEN + 1]);

/* ---- one run ---- */

/* How one followed pair fared in this run. */
enum uktv_titlestate_fate {
	UKTV_TITLESTATE_CARRIED = 0,	/* not listed: skipped, or never reached */
	UKTV_TITLESTATE_PARTIAL,	/* listing started, did not finish */
	UKTV_TITLESTATE_LISTED		/* every page listed */
};

struct uktv_titlestate_plan_pair {
	const char			*key;	/* borrowed */
	enum uktv_titlestate_fate	 fate;
	long				 pages;	/* pages fetched this run */
};

/* The followed pairs of a run, sorted by key (uktv_titlestate_pair_cmp). */
struct uktv_titlestate_plan {
	const struct uktv_titlestate_plan_pair	*v;
	size_t					 n;
	int					 complete; /* every pair LISTED or
							    * rightly skipped, and
							    * nothing failed */
	long long				 now_ms;
	long long				 refresh_ms; /* re-emit after; <0: never */
};


/*
 * The memberships of a title seen this run: the pairs it was seen in, plus
 * the pairs of its state entry (if any) that are followed and were not
 * LISTED this run (what a pair not listed held is carried over as it was).
 * *out is a sorted, distinct array of pair keys; caller frees with
 * uktv_titlestate_pairs_free(*out, *nout).
 */
int	uktv_titlestate_merge(const struct uktv_titlestate *, const char *id,
	    const char *const *seen, size_t nseen,
	    const struct uktv_titlestate_plan *, char ***out, size_t *nout,
	    struct uktv_error *);
void	uktv_titlestate_pairs_free(char **, size_t);

enum uktv_titlestate_verdict {
	UKTV_TITLESTATE_UNCHANGED = 0,	/* same digest, not due: not emitted */
	UKTV_TITLESTATE_NEW,		/* not in the state */
	UKTV_TITLESTATE_CHANGED,	/* another digest */
	UKTV_TITLESTATE_REFRESH,	/* same digest, emitted refresh_ms ago or more */
	UKTV_TITLESTATE_REMOVE		/* in no followed pair after a complete run */
};

/*
 * Decides whether a title seen this run (with the payload digest and the
 * memberships from _merge) is emitted, and records it: the entry is created
 * or updated (pairs always; digest and emitted time when emitted) and
 * marked seen.  -1 (OOM, bad id) or the verdict.
 */
int	uktv_titlestate_decide(struct uktv_titlestate *, const char *id,
	    const char *digest, const char *const *pairs, size_t npairs,
	    const struct uktv_titlestate_plan *, struct uktv_error *);

/*
 * After every seen title was decided: each title of the state not seen this
 * run is, when the plan is complete and none of its pairs is followed and
 * unlisted (CARRIED or PARTIAL), removed from the state and passed to fn
 * (may be NULL) with UKTV_TITLESTATE_REMOVE, in id order; others are kept as
 * they were.  Then the pairs are brought up to date: LISTED pairs become
 * complete with this run's pages and time, a PARTIAL pair the state did not
 * know is added as not complete (one it knew is kept as it was), CARRIED
 * pairs are kept, and after a complete run pairs no longer followed are
 * dropped and last_complete_ms becomes started_ms.  Seen marks are cleared.
 * Returns the number of titles removed; -1 on OOM or when fn fails.
 */
typedef int (*uktv_titlestate_remove_fn)(const char *id, void *arg);
long	uktv_titlestate_sweep(struct uktv_titlestate *,
	    const struct uktv_titlestate_plan *, long long started_ms,
	    uktv_titlestate_remove_fn fn, void *arg, struct uktv_error *);

/* Titles whose last emission is refresh_ms or more before now_ms. */
size_t	uktv_titlestate_due(const struct uktv_titlestate *, long long now_ms,
	    long long refresh_ms);

#endif
