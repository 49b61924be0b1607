/*
 * digest.c: see digest.h.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "parse.h"
#include "digest.h"
#include "fileio.h"
#include "private/digest.h"

struct uktv_digest {
	char		*dir;
	char		*path;
	int		 fd;		/* O_APPEND */
	int		 dirty;		/* appended since the last fsync */
	long long	 period;
	unsigned long	 pending;
	unsigned long	 damaged;
	long long	 min_end;	/* LLONG_MAX: nothing pending */
	/* The last take, for commit. */
	int		 taken;
	off_t		 taken_len;
	long long	 taken_now;
	int		 taken_all;
};

/* A spool line, parsed. */
struct entry {
	const char		*user;
	long long		 ps, pe;
	struct json_object	*item;
};

int
uktv_digest_parse_period(const char *s, long long *ms)
{
	long long n = 0, unit;
	size_t i, len = strlen(s);

	if (len < 2 || len > 12) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i + 1 < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			errno = EINVAL;
			return -1;
		}
		n = n * 10 + (s[i] - '0');
	}
	switch (s[len - 1]) {
	case 's': unit = 1000LL; break;
	case 'm': unit = 60000LL; break;
	case 'h': unit = 3600000LL; break;
	case 'd': unit = 86400000LL; break;
	default:
		errno = EINVAL;
		return -1;
	}
	if (n == 0 || n > UKTV_DIGEST_PERIOD_MAX_MS / unit ||
	    n * unit < UKTV_DIGEST_PERIOD_MIN_MS) {
		errno = ERANGE;
		return -1;
	}
	*ms = n * unit;
	return 0;
}

long long
uktv_digest_period_start(long long t, long long period)
{
	long long r = t % period;

	return r < 0 ? t - r - period : t - r;
}

static int
entry_parse(struct json_object *o, struct entry *e)
{
	struct json_object *v;

	memset(e, 0, sizeof(*e));
	if (!json_object_is_type(o, json_type_object))
		return -1;
	if (!json_object_object_get_ex(o, "user", &v) ||
	    !json_object_is_type(v, json_type_string))
		return -1;
	e->user = json_object_get_string(v);
	if (!json_object_object_get_ex(o, "period_start", &v) ||
	    !json_object_is_type(v, json_type_int))
		return -1;
	e->ps = json_object_get_int64(v);
	if (!json_object_object_get_ex(o, "period_end", &v) ||
	    !json_object_is_type(v, json_type_int))
		return -1;
	e->pe = json_object_get_int64(v);
	if (!json_object_object_get_ex(o, "item", &v) ||
	    !json_object_is_type(v, json_type_object))
		return -1;
	e->item = v;
	return e->pe > e->ps ? 0 : -1;
}

/* Called per line of the spool: e NULL for a line that is not an entry;
 * line is the raw text with its "\n". */
typedef int (*line_fn)(void *arg, const char *line, size_t len,
	    const struct entry *e);

/* Each line of path among its first limit bytes (-1: all). */
static int
each_line(const char *path, off_t limit, line_fn fn, void *arg,
    struct uktv_error *err)
{
	struct json_tokener *tok;
	struct json_object *o;
	struct entry e;
	FILE *fp;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	off_t done = 0;
	int rc = 0;

	if ((fp = fopen(path, "re")) == NULL)
		return uktv_error_set(err, UKTV_ERR_IO, "%s: %s", path,
		    strerror(errno));
	if ((tok = json_tokener_new()) == NULL) {
		fclose(fp);
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	}
	while ((limit < 0 || done < limit) &&
	    (n = getline(&line, &cap, fp)) != -1) {
		done += n;
		o = NULL;
		if (n > 1 && (size_t)n <= UKTV_DIGEST_LINE_MAX &&
		    line[n - 1] == '\n') {
			json_tokener_reset(tok);
			o = json_tokener_parse_ex(tok, line, (int)n - 1);
			if (json_tokener_get_error(tok) != json_tokener_success) {
				json_object_put(o);
				o = NULL;
			}
		}
		rc = fn(arg, line, (size_t)n,
		    o != NULL && entry_parse(o, &e) == 0 ? &e : NULL);
		json_object_put(o);
		if (rc == -1)
			break;
	}
	if (rc == 0 && ferror(fp))
		rc = uktv_error_set(err, UKTV_ERR_IO, "%s: %s", path,
		    strerror(errno));
	free(line);
	json_tokener_free(tok);
	fclose(fp);
	return rc;
}

static int
count_line(void *arg, const char *line, size_t len, const struct entry *e)
{
	struct uktv_digest *d = arg;

	if (e == NULL) {
		d->damaged++;
		return 0;
	}
	d->pending++;
	if (e->pe < d->min_end)
		d->min_end = e->pe;
	return 0;
}

static int
rescan(struct uktv_digest *d, struct uktv_error *err)
{
	d->pending = 0;
	d->damaged = 0;
	d->min_end = LLONG_MAX;
	return each_line(d->path, -1, count_line, d, err);
}

static int
fsync_dir(const char *dir, struct uktv_error *err)
{
	int fd, rc;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return uktv_error_set(err, UKTV_ERR_IO, "%s: %s", dir,
		    strerror(errno));
	rc = fsync(fd);
	close(fd);
	if (rc == -1)
		return uktv_error_set(err, UKTV_ERR_IO, "%s: fsync: %s", dir,
		    strerror(errno));
	return 0;
}

/* Cuts a torn last line (no "\n": an append that was never synced). */
static int
cut_torn(struct uktv_digest *d, struct uktv_error *err)
{
	struct stat st;
	char buf[4096];
	off_t end, at;
	ssize_t n, i;

	if (fstat(d->fd, &st) == -1)
		return uktv_error_set(err, UKTV_ERR_IO, "%s: %s", d->path,
		    strerror(errno));
	end = st.st_size;
	if (end == 0)
		return 0;
	at = end;
	while (at > 0) {
		off_t from = at > (off_t)sizeof(buf) ? at - (off_t)sizeof(buf) : 0;

		if ((n = pread(d->fd, buf, (size_t)(at - from), from)) <= 0)
			return uktv_error_set(err, UKTV_ERR_IO, "%s: %s",
			    d->path, n == 0 ? "short read" : strerror(errno));
		for (i = n - 1; i >= 0; i--)
			if (buf[i] == '\n')
				break;
		if (i >= 0) {
			at = from + i + 1;
			break;
		}
		at = from;
	}
	if (at == end)
		return 0;
	if (ftruncate(d->fd, at) == -1 || fsync(d->fd) == -1)
		return uktv_error_set(err, UKTV_ERR_IO, "%s: %s", d->path,
		    strerror(errno));
	return 0;
}

static int
open_spool(struct uktv_digest *d, struct uktv_error *err)
{
	int existed = access(d->path, F_OK) == 0;

	/* 0600: it names users and what they follow. */
	if ((d->fd = open(d->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600)) == -1)
		return uktv_error_set(err, errno == ENOENT || errno == EACCES ||
		    errno == EROFS ? UKTV_ERR_CANTCREAT : UKTV_ERR_IO,
		    "%s: %s", d->path, strerror(errno));
	if (!existed && fsync_dir(d->dir, err) == -1)
		return -1;
	return 0;
}

void
uktv_digest_close(struct uktv_digest *d)
{
	if (d == NULL)
		return;
	if (d->fd != -1)
		close(d->fd);
	free(d->dir);
	free(d->path);
	free(d);
}

struct uktv_digest *
uktv_digest_open(const char *dir, long long period, struct uktv_error *err)
{
	struct uktv_digest *d;

	if ((d = calloc(1, sizeof(*d))) == NULL) {
		uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	d->fd = -1;
	d->period = period;
	d->min_end = LLONG_MAX;
	if ((d->dir = strdup(dir)) == NULL ||
	    asprintf(&d->path, "%s/%s", dir, UKTV_DIGEST_SPOOL) == -1) {
		d->path = NULL;
		uktv_digest_close(d);
		uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	if (open_spool(d, err) == -1 || cut_torn(d, err) == -1 ||
	    rescan(d, err) == -1) {
		uktv_digest_close(d);
		return NULL;
	}
	return d;
}

const char *
uktv_digest_path(const struct uktv_digest *d)
{
	return d->path;
}

unsigned long
uktv_digest_pending(const struct uktv_digest *d)
{
	return d->pending;
}

unsigned long
uktv_digest_damaged(const struct uktv_digest *d)
{
	return d->damaged;
}

int
uktv_digest_due(const struct uktv_digest *d, long long now_ms)
{
	return d->pending > 0 && d->min_end <= now_ms;
}

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
uktv_digest_add(struct uktv_digest *d, struct json_object *item,
    long long now_ms, struct uktv_error *err)
{
	struct json_object *o, *u;
	const char *text;
	char *line;
	long long ps = uktv_digest_period_start(now_ms, d->period);
	size_t len;
	int rc;

	if (!json_object_object_get_ex(item, "user", &u) ||
	    !json_object_is_type(u, json_type_string))
		return uktv_error_set(err, UKTV_ERR_INPUT,
		    "a notification without a user");
	if ((o = json_object_new_object()) == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	json_object_object_add(o, "user", json_object_get(u));
	json_object_object_add(o, "period_start", json_object_new_int64(ps));
	json_object_object_add(o, "period_end",
	    json_object_new_int64(ps + d->period));
	json_object_object_add(o, "item", json_object_get(item));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	len = text != NULL ? strlen(text) : 0;
	if (text == NULL || (line = malloc(len + 1)) == NULL) {
		json_object_put(o);
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	}
	memcpy(line, text, len);
	line[len] = '\n';
	json_object_put(o);
	/* One write per line: a crash tears at most the last one. */
	rc = write_all(d->fd, line, len + 1);
	free(line);
	if (rc == -1)
		return uktv_error_set(err, UKTV_ERR_IO, "%s: %s", d->path,
		    strerror(errno));
	d->dirty = 1;
	d->pending++;
	if (ps + d->period < d->min_end)
		d->min_end = ps + d->period;
	return 0;
}

int
uktv_digest_sync(struct uktv_digest *d, struct uktv_error *err)
{
	if (!d->dirty)
		return 0;
	if (fsync(d->fd) == -1)
		return uktv_error_set(err, UKTV_ERR_IO, "%s: fsync: %s", d->path,
		    strerror(errno));
	d->dirty = 0;
	return 0;
}

/* ---- take ---- */

struct group {
	long long		 ps, pe;
	char			*user;
	struct json_object	*items;
	struct json_object	*ids;
	struct json_object	*seen;	/* event ids, as keys */
};

struct take {
	struct uktv_digest	*d;
	long long		 now;
	int			 all;
	struct group		*g;
	size_t			 n, cap;
	struct json_object	*index;	/* "ps\tpe\tuser" -> group number */
	int			 oom;
};

static int
selected(const struct take *t, const struct entry *e)
{
	return t->all || e->pe <= t->now;
}

static int
take_line(void *arg, const char *line, size_t len, const struct entry *e)
{
	struct take *t = arg;
	struct json_object *v;
	struct group *g;
	const char *eid = NULL;
	char *key;
	size_t i;

	if (e == NULL || !selected(t, e))
		return 0;
	if (asprintf(&key, "%lld\t%lld\t%s", e->ps, e->pe, e->user) == -1)
		goto oom;
	if (json_object_object_get_ex(t->index, key, &v))
		i = (size_t)json_object_get_int64(v);
	else {
		if (t->n == t->cap) {
			size_t nc = t->cap ? t->cap * 2 : 16;
			struct group *ng = reallocarray(t->g, nc, sizeof(*ng));

			if (ng == NULL) {
				free(key);
				goto oom;
			}
			t->g = ng;
			t->cap = nc;
		}
		g = &t->g[t->n];
		memset(g, 0, sizeof(*g));
		g->ps = e->ps;
		g->pe = e->pe;
		if ((g->user = strdup(e->user)) == NULL ||
		    (g->items = json_object_new_array()) == NULL ||
		    (g->ids = json_object_new_array()) == NULL ||
		    (g->seen = json_object_new_object()) == NULL) {
			free(g->user);
			json_object_put(g->items);
			json_object_put(g->ids);
			free(key);
			goto oom;
		}
		i = t->n++;
		json_object_object_add(t->index, key,
		    json_object_new_int64((int64_t)i));
	}
	free(key);
	g = &t->g[i];
	if (json_object_object_get_ex(e->item, "event_id", &v) &&
	    json_object_is_type(v, json_type_string))
		eid = json_object_get_string(v);
	if (eid != NULL) {
		/* A record read again after a restart was spooled twice. */
		if (json_object_object_get_ex(g->seen, eid, NULL))
			return 0;
		json_object_object_add(g->seen, eid, NULL);
		json_object_array_add(g->ids, json_object_new_string(eid));
	}
	json_object_array_add(g->items, json_object_get(e->item));
	return 0;
oom:
	t->oom = 1;
	return -1;
}

static int
group_cmp(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->ps != y->ps)
		return x->ps < y->ps ? -1 : 1;
	if (x->pe != y->pe)
		return x->pe < y->pe ? -1 : 1;
	return strcmp(x->user, y->user);
}

static struct json_object *
iso(long long ms)
{
	char buf[32];
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return NULL;
	return json_object_new_string(buf);
}

int
uktv_digest_take(struct uktv_digest *d, long long now_ms, int all,
    struct json_object **out, struct uktv_error *err)
{
	struct take t;
	struct json_object *o;
	struct stat st;
	size_t i;
	int rc = -1;

	*out = NULL;
	d->taken = 0;
	memset(&t, 0, sizeof(t));
	t.d = d;
	t.now = now_ms;
	t.all = all;
	if (fstat(d->fd, &st) == -1)
		return uktv_error_set(err, UKTV_ERR_IO, "%s: %s", d->path,
		    strerror(errno));
	if ((t.index = json_object_new_object()) == NULL ||
	    (*out = json_object_new_array()) == NULL)
		goto oom;
	if (each_line(d->path, st.st_size, take_line, &t, err) == -1) {
		if (t.oom)
			goto oom;
		goto done;
	}
	uktv_qsort(t.g, t.n, sizeof(*t.g), group_cmp);
	for (i = 0; i < t.n; i++) {
		struct group *g = &t.g[i];

		if ((o = json_object_new_object()) == NULL)
			goto oom;
		json_object_object_add(o, "user", json_object_new_string(g->user));
		json_object_object_add(o, "kind", json_object_new_string("digest"));
		json_object_object_add(o, "period_start", iso(g->ps));
		json_object_object_add(o, "period_end", iso(g->pe));
		json_object_object_add(o, "items", json_object_get(g->items));
		json_object_object_add(o, "event_ids", json_object_get(g->ids));
		if (json_object_array_add(*out, o) != 0) {
			json_object_put(o);
			goto oom;
		}
	}
	d->taken = 1;
	d->taken_len = st.st_size;
	d->taken_now = now_ms;
	d->taken_all = all;
	rc = 0;
	goto done;
oom:
	uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
done:
	for (i = 0; i < t.n; i++) {
		free(t.g[i].user);
		json_object_put(t.g[i].items);
		json_object_put(t.g[i].ids);
		json_object_put(t.g[i].seen);
	}
	free(t.g);
	json_object_put(t.index);
	if (rc == -1) {
		json_object_put(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- commit ---- */

struct keep {
	struct take	 sel;		/* only now and all are used */
	int		 fd;
	int		 failed;
};

static int
keep_line(void *arg, const char *line, size_t len, const struct entry *e)
{
	struct keep *k = arg;

	if (e != NULL && selected(&k->sel, e))
		return 0;	/* delivered */
	if (write_all(k->fd, line, len) == -1) {
		k->failed = errno;
		return -1;
	}
	return 0;
}

/* Copies what was appended after the take, as it is, to fd. */
static int
copy_rest(struct uktv_digest *d, int to, struct uktv_error *err)
{
	char buf[65536];
	ssize_t n;
	off_t at = d->taken_len;
	int fd;

	if ((fd = open(d->path, O_RDONLY | O_CLOEXEC)) == -1)
		return uktv_error_set(err, UKTV_ERR_IO, "%s: %s", d->path,
		    strerror(errno));
	while ((n = pread(fd, buf, sizeof(buf), at)) > 0) {
		if (write_all(to, buf, (size_t)n) == -1) {
			close(fd);
			return uktv_error_set(err, UKTV_ERR_IO, "%s: %s",
			    d->path, strerror(errno));
		}
		at += n;
	}
	close(fd);
	if (n == -1)
		return uktv_error_set(err, UKTV_ERR_IO, "%s: %s", d->path,
		    strerror(errno));
	return 0;
}

int
uktv_digest_commit(struct uktv_digest *d, struct uktv_error *err)
{
	struct uktv_atomic_file af;
	struct keep k;

	if (!d->taken)
		return 0;
	memset(&k, 0, sizeof(k));
	k.sel.now = d->taken_now;
	k.sel.all = d->taken_all;
	/* 0600: it names users and what they follow.  Written through the
	 * descriptor only: the stream stays empty, commit's flush is a no-op. */
	if (uktv_atomic_open(&af, d->path, 0600, 0, "the digest spool",
	    err) == -1)
		return -1;
	k.fd = fileno(af.fp);
	if (each_line(d->path, d->taken_len, keep_line, &k, err) == -1) {
		if (k.failed)
			uktv_error_set(err, UKTV_ERR_IO, "%s: %s", d->path,
			    strerror(k.failed));
		uktv_atomic_abort(&af);
		return -1;
	}
	if (copy_rest(d, k.fd, err) == -1) {
		uktv_atomic_abort(&af);
		return -1;
	}
	if (uktv_atomic_commit(&af, err) == -1)
		return -1;
	d->taken = 0;
	close(d->fd);
	d->fd = -1;
	d->dirty = 0;
	if (open_spool(d, err) == -1)
		return -1;
	return rescan(d, err);
}
