/*
 * fileio.h: the one atomic file write of libuktv.  The new contents go to a
 * temporary file in the same directory (rename(2) is atomic only within a
 * file system), which is fsync(2)ed and renamed over the old file; then the
 * directory is fsync(2)ed, because the rename is durable only once the
 * directory is.  A reader sees the old file or the new one, never half, and
 * after a crash the file is one or the other.
 *
 * The temporary is NAME.tmp.PID.N beside the file: a reader that lists the
 * directory by suffix (*.json, *.html) passes over it, and a person who finds
 * one after a crash sees whose it was.  The mode is set exactly as given (an
 * operator's 0600 is kept); uktv_file_mode_umask gives what open(2) would.
 *
 * Errors name the file as the caller calls it ("what": "the state file",
 * "the digest"): UKTV_ERR_CANTCREAT when the temporary file cannot be made,
 * UKTV_ERR_IO when it cannot be written or renamed.  The temporary file is
 * removed on every failure.
 */
#ifndef UKTV_FILEIO_H
#define UKTV_FILEIO_H

#include <sys/types.h>

#include <stddef.h>
#include <stdio.h>

#include "error.h"

/* A write in progress: write to fp, then commit or abort (both free it). */
struct uktv_atomic_file {
	FILE	*fp;
	int	 dirfd;		/* the directory, for the temporary and fsync */
	int	 own_dirfd;	/* opened here, closed at the end */
	char	*dir;		/* for messages */
	char	*name;		/* the file's name in dirfd */
	char	*tmp;		/* the temporary's name in dirfd */
	char	 what[64];
};

/*
 * Starts a write of path.  mode: the new file's mode; with keep_mode set an
 * existing file's mode wins (a state file an operator made 0600 stays so).
 */
int	uktv_atomic_open(struct uktv_atomic_file *, const char *path,
	    mode_t mode, int keep_mode, const char *what, struct uktv_error *);
/* The same for name inside an open directory (dir names it in messages);
 * dirfd stays the caller's. */
int	uktv_atomic_openat(struct uktv_atomic_file *, int dirfd,
	    const char *dir, const char *name, mode_t mode, const char *what,
	    struct uktv_error *);
/* Flushes, fsyncs, renames over the file, fsyncs the directory. */
int	uktv_atomic_commit(struct uktv_atomic_file *, struct uktv_error *);
/* Drops the write: the old file stays as it was. */
void	uktv_atomic_abort(struct uktv_atomic_file *);

/* mode less the process's umask, as open(2) would create a file. */
mode_t	uktv_file_mode_umask(mode_t mode);

/* One call for contents already in memory. */
int	uktv_file_write_atomic(const char *path, const void *buf, size_t len,
	    mode_t mode, const char *what, struct uktv_error *);

#endif
