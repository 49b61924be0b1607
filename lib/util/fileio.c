/* fileio.c: see fileio.h. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"

static void
release(struct uktv_atomic_file *af)
{
	if (af->own_dirfd && af->dirfd != -1)
		close(af->dirfd);
	free(af->dir);
	free(af->name);
	free(af->tmp);
	af->fp = NULL;
	af->dirfd = -1;
	af->dir = af->name = af->tmp = NULL;
}

static int
oom(struct uktv_atomic_file *af, struct uktv_error *err)
{
	release(af);
	return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
}

/* dir/name, for messages; "name" alone in the current directory. */
static const char *
shown(const struct uktv_atomic_file *af, char *buf, size_t len)
{
	if (af->dir == NULL || strcmp(af->dir, ".") == 0)
		snprintf(buf, len, "%s", af->name);
	else
		snprintf(buf, len, "%s/%s", af->dir, af->name);
	return buf;
}

static int
start(struct uktv_atomic_file *af, mode_t mode, struct uktv_error *err)
{
	char path[4096];
	int fd, e;

	/* The pid and a counter keep two writers in one directory apart;
	 * O_EXCL refuses a name someone else holds. */
	for (int i = 0;; i++) {
		static unsigned serial;
		char *tmp;

		if (asprintf(&tmp, "%s.tmp.%ld.%u", af->name, (long)getpid(),
		    serial++) == -1)
			return oom(af, err);
		fd = openat(af->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_CLOEXEC, mode);
		if (fd != -1 || errno != EEXIST || i == 16) {
			af->tmp = tmp;
			break;
		}
		free(tmp);
	}
	if (fd == -1) {
		e = errno;
		uktv_error_set(err, UKTV_ERR_CANTCREAT, "cannot create %s %s: %s",
		    af->what, shown(af, path, sizeof(path)), strerror(e));
		release(af);
		return -1;
	}
	/* The umask must not narrow a mode the caller chose on purpose. */
	if (fchmod(fd, mode) == -1 || (af->fp = fdopen(fd, "w")) == NULL) {
		e = errno;
		close(fd);
		unlinkat(af->dirfd, af->tmp, 0);
		uktv_error_set(err, UKTV_ERR_IO, "cannot write %s %s: %s",
		    af->what, shown(af, path, sizeof(path)), strerror(e));
		release(af);
		return -1;
	}
	return 0;
}

int
uktv_atomic_openat(struct uktv_atomic_file *af, int dirfd, const char *dir,
    const char *name, mode_t mode, const char *what, struct uktv_error *err)
{
	memset(af, 0, sizeof(*af));
	af->dirfd = dirfd;
	snprintf(af->what, sizeof(af->what), "%s", what);
	if ((af->dir = strdup(dir)) == NULL || (af->name = strdup(name)) == NULL)
		return oom(af, err);
	return start(af, mode, err);
}

int
uktv_atomic_open(struct uktv_atomic_file *af, const char *path, mode_t mode,
    int keep_mode, const char *what, struct uktv_error *err)
{
	struct stat sb;
	char *dcopy, *bcopy;
	int e;

	memset(af, 0, sizeof(*af));
	af->dirfd = -1;
	snprintf(af->what, sizeof(af->what), "%s", what);
	if (keep_mode && stat(path, &sb) == 0)
		mode = sb.st_mode & 07777;
	if ((dcopy = strdup(path)) == NULL || (bcopy = strdup(path)) == NULL) {
		free(dcopy);
		return oom(af, err);
	}
	af->dir = strdup(dirname(dcopy));
	af->name = strdup(basename(bcopy));
	free(dcopy);
	free(bcopy);
	if (af->dir == NULL || af->name == NULL)
		return oom(af, err);
	if ((af->dirfd = open(af->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		e = errno;
		uktv_error_set(err, UKTV_ERR_CANTCREAT, "cannot create %s %s: %s",
		    af->what, path, strerror(e));
		release(af);
		return -1;
	}
	af->own_dirfd = 1;
	return start(af, mode, err);
}

mode_t
uktv_file_mode_umask(mode_t mode)
{
	mode_t um = umask(022);

	umask(um);
	return mode & ~um;
}

void
uktv_atomic_abort(struct uktv_atomic_file *af)
{
	if (af->fp != NULL)
		fclose(af->fp);
	if (af->tmp != NULL)
		unlinkat(af->dirfd, af->tmp, 0);
	release(af);
}

int
uktv_atomic_commit(struct uktv_atomic_file *af, struct uktv_error *err)
{
	char path[4096];
	int e, failed;

	failed = fflush(af->fp) == EOF || ferror(af->fp) ||
	    fsync(fileno(af->fp)) == -1;
	e = errno;
	if (fclose(af->fp) == EOF && !failed) {
		failed = 1;
		e = errno;
	}
	af->fp = NULL;
	if (!failed && renameat(af->dirfd, af->tmp, af->dirfd, af->name) == -1) {
		failed = 1;
		e = errno;
	}
	if (failed) {
		unlinkat(af->dirfd, af->tmp, 0);
		uktv_error_set(err, UKTV_ERR_IO, "cannot write %s %s: %s",
		    af->what, shown(af, path, sizeof(path)),
		    strerror(e != 0 ? e : EIO));
		release(af);
		return -1;
	}
	/* The rename is durable only once the directory is; some file
	 * systems refuse fsync on a directory (EINVAL): nothing to do then. */
	(void)fsync(af->dirfd);
	release(af);
	return 0;
}

int
uktv_file_write_atomic(const char *path, const void *buf, size_t len,
    mode_t mode, const char *what, struct uktv_error *err)
{
	struct uktv_atomic_file af;

	if (uktv_atomic_open(&af, path, mode, 0, what, err) == -1)
		return -1;
	if (len > 0 && fwrite(buf, 1, len, af.fp) != len) {
		char shownpath[4096];
		int e = errno;

		uktv_error_set(err, UKTV_ERR_IO, "cannot write %s %s: %s",
		    af.what, shown(&af, shownpath, sizeof(shownpath)),
		    strerror(e != 0 ? e : EIO));
		uktv_atomic_abort(&af);
		return -1;
	}
	return uktv_atomic_commit(&af, err);
}
