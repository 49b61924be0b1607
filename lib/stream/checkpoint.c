/*
 * checkpoint.c: see checkpoint.h.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "parse.h"
#include "checkpoint.h"
#include "private/checkpoint.h"
#include "fileio.h"
#include "time.h"

/* A checkpoint file is one short JSON object: anything larger is not one. */
#define FILE_MAX	4096

struct uktv_checkpoint_dir {
	char	*path;
	int	 fd;		/* the directory, for fsync after rename */
	int	 lockfd;	/* DIR/.lock while locked, else -1 */
	long	 writes;
};

/* ------------------------------------------------------------ positions */

void
uktv_position_set(struct uktv_position *pos, enum uktv_position_kind kind)
{
	memset(pos, 0, sizeof(*pos));
	pos->kind = kind;
	pos->sub_sequence = -1;
}

static int
digits(const char *s, size_t max)
{
	size_t n = 0;

	if (s == NULL || *s == '\0')
		return 0;
	for (; s[n] != '\0'; n++)
		if (n >= max || !isdigit((unsigned char)s[n]))
			return 0;
	return 1;
}

int
uktv_position_set_sequence(struct uktv_position *pos, const char *seq,
    long long sub)
{
	if (!digits(seq, UKTV_SEQUENCE_MAX))
		return -1;
	uktv_position_set(pos, UKTV_POS_SEQUENCE);
	strlcpy(pos->sequence, seq, sizeof(pos->sequence));
	pos->sub_sequence = sub < 0 ? -1 : sub;
	return 0;
}

const char *
uktv_position_text(const struct uktv_position *pos)
{
	switch (pos->kind) {
	case UKTV_POS_TRIM_HORIZON:
		return "TRIM_HORIZON";
	case UKTV_POS_LATEST:
		return "LATEST";
	case UKTV_POS_AT_TIMESTAMP:
		return "AT_TIMESTAMP";
	case UKTV_POS_SHARD_END:
		return "SHARD_END";
	case UKTV_POS_SEQUENCE:
		return pos->sequence;
	default:
		return "";
	}
}

void
uktv_position_to_json(const struct uktv_position *pos, struct json_object *obj)
{
	char ts[32];

	json_object_object_add(obj, "position",
	    json_object_new_string(uktv_position_text(pos)));
	if (pos->kind == UKTV_POS_SEQUENCE && pos->sub_sequence >= 0)
		json_object_object_add(obj, "sub_sequence",
		    json_object_new_int64(pos->sub_sequence));
	if (pos->kind == UKTV_POS_AT_TIMESTAMP) {
		uktv_time_format(pos->timestamp_ms, ts);
		json_object_object_add(obj, "timestamp",
		    json_object_new_string(ts));
	}
}

int
uktv_position_parse(const char *s, long long now_ms, struct uktv_position *pos)
{
	long long ms;

	if (strcmp(s, "trim-horizon") == 0 || strcmp(s, "TRIM_HORIZON") == 0)
		uktv_position_set(pos, UKTV_POS_TRIM_HORIZON);
	else if (strcmp(s, "latest") == 0 || strcmp(s, "LATEST") == 0)
		uktv_position_set(pos, UKTV_POS_LATEST);
	else if (strcmp(s, "shard-end") == 0 || strcmp(s, "SHARD_END") == 0)
		uktv_position_set(pos, UKTV_POS_SHARD_END);
	else if (strncmp(s, "at-timestamp=", 13) == 0) {
		if (uktv_time_parse(s + 13, now_ms, &ms) == -1)
			return -1;
		uktv_position_set(pos, UKTV_POS_AT_TIMESTAMP);
		pos->timestamp_ms = ms;
	} else
		return -1;
	return 0;
}

/* ------------------------------------------------------------ files */

int
uktv_shard_id_valid(const char *s)
{
	size_t n;

	if (s == NULL || *s == '\0' || *s == '.')
		return 0;
	for (n = 0; s[n] != '\0'; n++)
		if (n >= UKTV_SHARD_ID_MAX ||
		    !(isalnum((unsigned char)s[n]) || s[n] == '_' ||
		    s[n] == '.' || s[n] == '-'))
			return 0;
	return 1;
}

struct uktv_checkpoint_dir *
uktv_checkpoint_open(const char *dir, int create, struct uktv_error *err)
{
	struct uktv_checkpoint_dir *d;
	struct stat st;

	if (stat(dir, &st) == -1) {
		if (errno != ENOENT) {
			uktv_error_set(err, UKTV_ERR_IO, "%s: %s", dir,
			    strerror(errno));
			return NULL;
		}
		if (!create) {
			uktv_error_set(err, UKTV_ERR_NOINPUT,
			    "%s: no such checkpoint directory", dir);
			return NULL;
		}
		if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
			uktv_error_set(err, UKTV_ERR_CANTCREAT,
			    "cannot create %s: %s", dir, strerror(errno));
			return NULL;
		}
	} else if (!S_ISDIR(st.st_mode)) {
		uktv_error_set(err, UKTV_ERR_CANTCREAT, "%s: not a directory",
		    dir);
		return NULL;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (d->path = strdup(dir)) == NULL) {
		free(d);
		uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	d->lockfd = -1;
	if ((d->fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		uktv_error_set(err, UKTV_ERR_IO, "%s: %s", dir, strerror(errno));
		free(d->path);
		free(d);
		return NULL;
	}
	return d;
}

void
uktv_checkpoint_close(struct uktv_checkpoint_dir *d)
{
	if (d == NULL)
		return;
	if (d->lockfd != -1)
		close(d->lockfd);
	close(d->fd);
	free(d->path);
	free(d);
}

int
uktv_checkpoint_lock(struct uktv_checkpoint_dir *d, struct uktv_error *err)
{
	int fd;

	if (d->lockfd != -1)
		return 0;
	if ((fd = openat(d->fd, ".lock", O_RDWR | O_CREAT | O_CLOEXEC,
	    0644)) == -1)
		return uktv_error_set(err, UKTV_ERR_CANTCREAT,
		    "cannot create %s/.lock: %s", d->path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		int e = errno;

		close(fd);
		if (e == EWOULDBLOCK) {
			uktv_error_set(err, UKTV_ERR_SERVICE, "%s is in use "
			    "by another reader", d->path);
			strlcpy(err->code, "CheckpointsInUse", sizeof(err->code));
			return -1;
		}
		return uktv_error_set(err, UKTV_ERR_IO, "%s/.lock: %s",
		    d->path, strerror(e));
	}
	d->lockfd = fd;
	return 0;
}

long
uktv_checkpoint_writes(const struct uktv_checkpoint_dir *d)
{
	return d->writes;
}

static int
bad_shard(const char *shard, struct uktv_error *err)
{
	return uktv_error_set(err, UKTV_ERR_USAGE,
	    "'%s' cannot be a shard id", shard);
}

/* Parses the text of shard's file name into pos; -1 with a reason in err. */
static int
parse_file(const char *shard, const char *name, const char *text, size_t len,
    struct uktv_position *pos, struct uktv_error *err)
{
	struct json_tokener *tok;
	struct json_object *o, *v;
	const char *p;
	long long ms;

	if ((tok = json_tokener_new()) == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	o = json_tokener_parse_ex(tok, text, (int)len);
	if (json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(o, json_type_object)) {
		json_tokener_free(tok);
		json_object_put(o);
		return uktv_error_set(err, UKTV_ERR_INPUT,
		    "%s: not a checkpoint (not a JSON object)", name);
	}
	json_tokener_free(tok);
	/* A file copied or renamed by hand would start one shard at another's
	 * position and skip its records: the shard it names must be its own. */
	if (json_object_object_get_ex(o, "shard", &v) &&
	    (!json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), shard) != 0)) {
		uktv_error_set(err, UKTV_ERR_INPUT, "%s: the checkpoint of "
		    "another shard (\"shard\": %s): fix or remove the file",
		    name, json_object_to_json_string_ext(v,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
		return -1;
	}
	if (!json_object_object_get_ex(o, "position", &v) ||
	    !json_object_is_type(v, json_type_string))
		goto bad;
	p = json_object_get_string(v);
	if (strcmp(p, "AT_TIMESTAMP") == 0) {
		if (!json_object_object_get_ex(o, "timestamp", &v) ||
		    !json_object_is_type(v, json_type_string) ||
		    uktv_time_parse(json_object_get_string(v), 0, &ms) == -1)
			goto bad;
		uktv_position_set(pos, UKTV_POS_AT_TIMESTAMP);
		pos->timestamp_ms = ms;
	} else if (digits(p, UKTV_SEQUENCE_MAX)) {
		long long sub = -1;

		if (json_object_object_get_ex(o, "sub_sequence", &v)) {
			if (!json_object_is_type(v, json_type_int) ||
			    (sub = json_object_get_int64(v)) < 0)
				goto bad;
		}
		uktv_position_set_sequence(pos, p, sub);
	} else if (uktv_position_parse(p, 0, pos) == -1)
		goto bad;
	json_object_put(o);
	return 0;
bad:
	json_object_put(o);
	return uktv_error_set(err, UKTV_ERR_INPUT,
	    "%s: not a checkpoint (no valid \"position\")", name);
}

int
uktv_checkpoint_read(struct uktv_checkpoint_dir *d, const char *shard,
    struct uktv_position *pos, struct uktv_error *err)
{
	char name[UKTV_SHARD_ID_MAX + 8], buf[FILE_MAX];
	ssize_t n;
	size_t len = 0;
	int fd;

	uktv_position_set(pos, UKTV_POS_NONE);
	if (!uktv_shard_id_valid(shard))
		return bad_shard(shard, err);
	snprintf(name, sizeof(name), "%s.json", shard);
	if ((fd = openat(d->fd, name, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 0;
		return uktv_error_set(err, UKTV_ERR_IO, "%s/%s: %s", d->path,
		    name, strerror(errno));
	}
	while (len < sizeof(buf) &&
	    (n = read(fd, buf + len, sizeof(buf) - len)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			close(fd);
			return uktv_error_set(err, UKTV_ERR_IO, "%s/%s: %s",
			    d->path, name, strerror(errno));
		}
		len += (size_t)n;
	}
	close(fd);
	if (len == sizeof(buf))
		return uktv_error_set(err, UKTV_ERR_INPUT,
		    "%s/%s: not a checkpoint (too large)", d->path, name);
	if (parse_file(shard, name, buf, len, pos, err) == -1) {
		uktv_error_prefix(err, "%s", d->path);
		return -1;
	}
	return 1;
}

int
uktv_checkpoint_write(struct uktv_checkpoint_dir *d, const char *shard,
    const struct uktv_position *pos, struct uktv_error *err)
{
	char name[UKTV_SHARD_ID_MAX + 8], now[32];
	struct uktv_atomic_file af;
	struct json_object *o;
	const char *text;
	size_t len;
	int rc, e;

	if (!uktv_shard_id_valid(shard))
		return bad_shard(shard, err);
	if (pos->kind == UKTV_POS_NONE)
		return uktv_error_set(err, UKTV_ERR_USAGE,
		    "no position to checkpoint for %s", shard);
	snprintf(name, sizeof(name), "%s.json", shard);
	if ((o = json_object_new_object()) == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	json_object_object_add(o, "shard", json_object_new_string(shard));
	uktv_position_to_json(pos, o);
	uktv_time_format(uktv_time_now_ms(), now);
	json_object_object_add(o, "updated", json_object_new_string(now));
	text = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	/* The temporary sits in DIR beside the file: fileio names it with
	 * the pid, so two processes sharing a directory by mistake do not
	 * write into each other's file. */
	if (uktv_atomic_openat(&af, d->fd, d->path, name,
	    uktv_file_mode_umask(0644), "checkpoint",
	    err) == -1) {
		json_object_put(o);
		return -1;
	}
	if (fwrite(text, 1, len, af.fp) != len || putc('\n', af.fp) == EOF) {
		e = errno != 0 ? errno : EIO;
		json_object_put(o);
		uktv_atomic_abort(&af);
		return uktv_error_set(err, UKTV_ERR_IO, "cannot write checkpoint "
		    "%s/%s: %s", d->path, name, strerror(e));
	}
	json_object_put(o);
	if ((rc = uktv_atomic_commit(&af, err)) == 0)
		d->writes++;
	return rc;
}

int
uktv_checkpoint_remove(struct uktv_checkpoint_dir *d, const char *shard,
    struct uktv_error *err)
{
	char name[UKTV_SHARD_ID_MAX + 8];

	if (!uktv_shard_id_valid(shard))
		return bad_shard(shard, err);
	snprintf(name, sizeof(name), "%s.json", shard);
	if (unlinkat(d->fd, name, 0) == -1 && errno != ENOENT)
		return uktv_error_set(err, UKTV_ERR_IO, "%s/%s: %s", d->path,
		    name, strerror(errno));
	fsync(d->fd);
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
uktv_checkpoint_list(struct uktv_checkpoint_dir *d, uktv_checkpoint_fn fn,
    void *arg, struct uktv_error *err)
{
	struct uktv_position pos;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	DIR *dp;
	int fd, rc = 0;

	if ((fd = dup(d->fd)) == -1 || (dp = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return uktv_error_set(err, UKTV_ERR_IO, "%s: %s", d->path,
		    strerror(errno));
	}
	rewinddir(dp);
	while ((de = readdir(dp)) != NULL) {
		size_t len = strlen(de->d_name);
		char *s;

		if (len <= 5 || strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		if ((s = strndup(de->d_name, len - 5)) == NULL ||
		    !uktv_shard_id_valid(s)) {
			free(s);
			continue;
		}
		if (n == cap) {
			char **nn = reallocarray(names, cap ? cap * 2 : 16,
			    sizeof(*nn));

			if (nn == NULL) {
				free(s);
				rc = uktv_error_set(err, UKTV_ERR_INTERNAL,
				    "out of memory");
				break;
			}
			names = nn;
			cap = cap ? cap * 2 : 16;
		}
		names[n++] = s;
	}
	closedir(dp);
	if (rc == 0 && n > 0)
		uktv_qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n && rc == 0; i++) {
		int got = uktv_checkpoint_read(d, names[i], &pos, err);

		if (got == -1)
			rc = -1;
		else if (got == 1 && fn(names[i], &pos, arg) != 0)
			break;
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}
