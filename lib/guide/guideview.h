/*
 * guideview.h: the static HTML guide that uktv-guide(1) publishes, built
 * from the single table (ARCHITECTURE.md, "Data"), and written to a directory
 * rewriting only what changed.
 *
 * Reading: one Scan of the table (all pages); each item is told apart by
 * its key grammar (lib/guide/items.h): reference items give source and genre
 * names, title records the titles, index entries which titles are in which
 * source x genre pair, preference items who follows what.
 *
 * The site (every link relative, so it works from a folder, an S3 bucket
 * or any web server; HTML5 without JavaScript; one stylesheet):
 *   index.html          the GB sources and genres that have titles, each
 *                       linking to its pair pages (and, with users, a
 *                       list of the user pages)
 *   titles.html         every title, A to Z
 *   pairs/S-G.html      one per source x genre pair followed by anyone
 *                       (some user's sources x genres) that has titles:
 *                       poster, title, year, type, rating, plot and
 *                       "where to watch" links to each GB offer
 *   titles/ID.html      one per title record
 *   users/USER.html     only with opts->users: the user's recommendations
 *                       and guide, in uktv-prefs' order and with its rules
 *                       (lib/guide/prefs.h: uktv_prefs_guide_cmp, _keep)
 *   style.css
 * Titles are ordered as `uktv-prefs titles` orders them: user_rating
 * descending, unrated last, then title in byte order, then id.  Titles not
 * yet enriched are shown without poster or plot (no image element at all,
 * never a broken one); posters and offer links are used only when they are
 * absolute http(s) URLs.  Nothing time-dependent is written, so the same
 * table gives the same bytes and a cron run on an unchanged table writes
 * nothing.
 */
#ifndef UKTV_GUIDEVIEW_H
#define UKTV_GUIDEVIEW_H

#include <stddef.h>

#include <json-c/json.h>

#include "aws.h"
#include "error.h"

/* The site's own subdirectories: files in them that the site no longer
 * has are removed by uktv_site_write_dir (a title gone from the table, user
 * pages after a run without --users, the signed-in page of
 * lib/guide/guideapp.h after a run without it). */
#define UKTV_GUIDEVIEW_DIRS	{ "pairs", "titles", "users", "app" }
/* Poster sizes in the HTML (Watchmode posters are 2:3). */
#define UKTV_GUIDEVIEW_CARD_W	120
#define UKTV_GUIDEVIEW_CARD_H	180
#define UKTV_GUIDEVIEW_PAGE_W	240
#define UKTV_GUIDEVIEW_PAGE_H	360

struct uktv_guideview;

/* Caller frees with uktv_guideview_free.  NULL on OOM. */
struct uktv_guideview *uktv_guideview_new(void);
void	uktv_guideview_free(struct uktv_guideview *);
/* One Scan of table, every page, each item of a known shape taken in. */
int	uktv_guideview_load(struct uktv_guideview *, struct uktv_aws *,
	    const char *table, struct uktv_error *);

struct uktv_guideview_counts {
	long	sources;	/* with titles, on the index page */
	long	genres;
	long	pairs;		/* pair pages */
	long	titles;		/* title pages */
	long	users;		/* user pages */
};
void	uktv_guideview_counts(const struct uktv_guideview *,
	    struct uktv_guideview_counts *);

/* ---- the site as files ---- */

struct uktv_site_file {
	char	*name;		/* "pairs/203-4.html", relative, '/'-separated */
	char	*body;
	size_t	 len;
};

struct uktv_site {
	struct uktv_site_file	*v;
	size_t			 n;
	size_t			 cap;
};

void	uktv_site_init(struct uktv_site *);
void	uktv_site_free(struct uktv_site *);
/* Adds a file: a copy of name, taking over body (freed by the site, also
 * on failure).  -1 when out of memory. */
int	uktv_site_add(struct uktv_site *, const char *name, char *body,
	    size_t len);

struct uktv_guideview_opts {
	int		 users;		/* --users: a page per user */
	const char	*title;		/* the site's name; NULL "UK TV guide" */
};

/* Renders every page (see the top) into out (initialised by the caller;
 * files are added).  0, or -1 with err (out of memory). */
int	uktv_guideview_render(struct uktv_guideview *,
	    const struct uktv_guideview_opts *, struct uktv_site *out,
	    struct uktv_error *);

/* ---- writing a directory ---- */

enum uktv_site_action {
	UKTV_SITE_CREATED = 0,
	UKTV_SITE_UPDATED,
	UKTV_SITE_DELETED
};
/* "created", "updated", "deleted". */
const char *uktv_site_action_name(enum uktv_site_action);

typedef void (*uktv_site_fn)(enum uktv_site_action, const char *name,
	    void *arg);

struct uktv_site_write_stats {
	long	created;
	long	updated;
	long	unchanged;
	long	deleted;
};

/*
 * Writes site into dir (created if missing, and its subdirectories): a
 * file whose content is already there is not touched; a new or changed
 * one is written to a temporary file beside it and renamed over it, so a
 * web server never serves half a page; files are created with mode 0666
 * less the umask.  Then *.html, *.js and *.css files in the site's own
 * subdirectories (UKTV_GUIDEVIEW_DIRS) that the site does not have are
 * removed.  fn (may
 * be NULL) hears of each change.  -1 with err: UKTV_ERR_CANTCREAT when a
 * directory or file cannot be created, UKTV_ERR_IO when one cannot be
 * written or removed.
 */
/*
 * What uktv_site_write_dir needs, checked before the table is read: dir
 * is created if missing and a file can be created in it (a probe, removed
 * again).  -1 with err (UKTV_ERR_CANTCREAT) when not.
 */
int	uktv_site_check_dir(const char *dir, struct uktv_error *);
int	uktv_site_write_dir(const struct uktv_site *, const char *dir,
	    uktv_site_fn, void *arg, struct uktv_site_write_stats *,
	    struct uktv_error *);

#endif
