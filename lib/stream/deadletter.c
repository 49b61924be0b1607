/* deadletter.c: see deadletter.h. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "base64.h"
#include "deadletter.h"
#include "ndjson.h"
#include "streamout.h"

struct uktv_deadletter {
	FILE				*fp;
	char				*path;
	struct uktv_ndjson_writer	 w;
};

/* A file opened for appending on its first write (fopencookie(3)). */
struct later {
	char	*path;
	int	 fd;
};

static ssize_t
later_write(void *cookie, const char *buf, size_t n)
{
	struct later *l = cookie;
	size_t off = 0;
	ssize_t w;

	if (l->fd == -1 && (l->fd = open(l->path, O_WRONLY | O_APPEND |
	    O_CREAT | O_CLOEXEC, 0666)) == -1)
		return 0;	/* stdio's error: errno says why */
	while (off < n) {
		if ((w = write(l->fd, buf + off, n - off)) == -1) {
			if (errno == EINTR)
				continue;
			return (ssize_t)off;
		}
		off += (size_t)w;
	}
	return (ssize_t)n;
}

static int
later_close(void *cookie)
{
	struct later *l = cookie;
	int rc = 0;

	if (l->fd != -1)
		rc = close(l->fd);
	free(l->path);
	free(l);
	return rc;
}

static FILE *
open_later(const char *path)
{
	cookie_io_functions_t io = { NULL, later_write, NULL, later_close };
	struct later *l;
	char *dcopy, *tmp;
	size_t n;
	FILE *fp;
	int fd, e;

	if ((l = calloc(1, sizeof(*l))) == NULL ||
	    (l->path = strdup(path)) == NULL) {
		free(l);
		return NULL;
	}
	/* A file that is there is opened now (creating nothing); else a
	 * file is made and removed beside it, so a folder that will not
	 * take one fails before any work. */
	if ((l->fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)) == -1) {
		if (errno != ENOENT)
			goto fail;
		n = strlen(path) + sizeof("/.uktv-check.XXXXXX");
		if ((dcopy = strdup(path)) == NULL || (tmp = malloc(n)) == NULL) {
			free(dcopy);
			goto fail;
		}
		snprintf(tmp, n, "%s/.uktv-check.XXXXXX", dirname(dcopy));
		free(dcopy);
		if ((fd = mkstemp(tmp)) == -1) {
			e = errno;
			free(tmp);
			errno = e;
			goto fail;
		}
		close(fd);
		unlink(tmp);
		free(tmp);
	}
	if ((fp = fopencookie(l, "a", io)) == NULL)
		goto fail;
	return fp;
fail:
	e = errno;
	if (l->fd != -1)
		close(l->fd);
	free(l->path);
	free(l);
	errno = e;
	return NULL;
}

struct uktv_deadletter *
uktv_deadletter_open(const char *path, struct uktv_error *err)
{
	struct uktv_deadletter *d;

	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (d->path = strdup(path)) == NULL) {
		free(d);
		uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	if ((d->fp = open_later(path)) == NULL) {
		uktv_error_set(err, UKTV_ERR_CANTCREAT, "%s: %s", path,
		    strerror(errno));
		free(d->path);
		free(d);
		return NULL;
	}
	uktv_ndjson_writer_init(&d->w, d->fp);
	return d;
}

int
uktv_deadletter_close(struct uktv_deadletter *d, struct uktv_error *err)
{
	int rc = 0;

	if (d == NULL)
		return 0;
	if ((fflush(d->fp) == EOF || ferror(d->fp) || fclose(d->fp) == EOF) &&
	    (rc = -1) == -1)
		uktv_error_set(err, UKTV_ERR_IO, "%s: %s", d->path,
		    strerror(errno ? errno : EIO));
	free(d->path);
	free(d);
	return rc;
}

const char *
uktv_deadletter_path(const struct uktv_deadletter *d)
{
	return d->path;
}

void
uktv_dead_entry_init(struct uktv_dead_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->sub_sequence = -1;
	e->index = -1;
}

static void
add_input(struct json_object *o, const struct uktv_dead_entry *e)
{
	char *b;
	size_t n;

	if (e->input == NULL) {
		json_object_object_add(o, "length",
		    json_object_new_int64((int64_t)e->len));
		return;
	}
	if (uktv_utf8_valid(e->input, e->len)) {
		json_object_object_add(o, "input",
		    json_object_new_string_len(e->input, (int)e->len));
		return;
	}
	if ((b = malloc(UKTV_BASE64_ENCODED_LEN(e->len) + 1)) == NULL)
		return;
	n = uktv_base64_encode(e->input, e->len, b);
	json_object_object_add(o, "input_base64",
	    json_object_new_string_len(b, (int)n));
	free(b);
}

int
uktv_deadletter_put(struct uktv_deadletter *d, const struct uktv_dead_entry *e,
    struct uktv_error *err)
{
	struct json_object *o = json_object_new_object();
	int rc = 0;

	add_input(o, e);
	json_object_object_add(o, "error", json_object_new_string(e->error));
	json_object_object_add(o, "message", json_object_new_string(e->message));
	if (e->shard != NULL) {
		json_object_object_add(o, "shard", json_object_new_string(e->shard));
		json_object_object_add(o, "sequence",
		    json_object_new_string(e->sequence));
		if (e->sub_sequence >= 0)
			json_object_object_add(o, "sub_sequence",
			    json_object_new_int64(e->sub_sequence));
	} else {
		json_object_object_add(o, "line",
		    json_object_new_int64((int64_t)e->line));
		if (e->index >= 0)
			json_object_object_add(o, "index",
			    json_object_new_int64(e->index));
	}
	if (uktv_ndjson_writer_put(&d->w, o) == -1 || fflush(d->fp) == EOF)
		rc = uktv_error_set(err, UKTV_ERR_IO, "%s: %s", d->path,
		    strerror(errno ? errno : EIO));
	json_object_put(o);
	return rc;
}

int
uktv_deadletter_record(struct uktv_deadletter *d,
    const struct uktv_stream_record *r, const char *error, const char *message,
    struct uktv_error *err)
{
	struct uktv_dead_entry e;

	uktv_dead_entry_init(&e);
	e.input = r->data;
	e.len = r->data_len;
	e.error = error;
	e.message = message;
	e.shard = r->shard_id;
	e.sequence = r->sequence;
	e.sub_sequence = r->sub_sequence;
	return uktv_deadletter_put(d, &e, err);
}

void
uktv_dead_tally_add(struct uktv_dead_tally *t, const char *code,
    const char *message)
{
	size_t i, last = UKTV_DEAD_TALLY_KINDS - 1;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->kind[i].code, code) == 0 &&
		    strcmp(t->kind[i].message, message) == 0)
			break;
	if (i == t->n && i > last)
		i = last;
	else if (i == t->n) {
		strlcpy(t->kind[i].code, code, sizeof(t->kind[i].code));
		strlcpy(t->kind[i].message, message, sizeof(t->kind[i].message));
		t->n++;
	}
	t->kind[i].n++;
}
