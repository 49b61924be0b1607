/*
 * profile.h: the AWS shared config and credentials files, read the way
 * botocore reads them (Python's configparser; see profile.c), and the
 * lookups of profiles, [sso-session NAME] and [services NAME] sections.
 *
 * Knows nothing of the environment or of which profile is active: that is
 * the configuration's (awsconf.h).  Values may be secrets (the credentials
 * file): they are wiped when a file is cleared, and errors name a line,
 * never its text.
 */
#ifndef UKTV_PROFILE_H
#define UKTV_PROFILE_H

#include <stddef.h>

#include "error.h"

#define UKTV_PROFILE_FILE_MAX	(4L * 1024 * 1024)

enum uktv_profile_kind {
	UKTV_PROFILE_PROFILE,
	UKTV_PROFILE_SSO_SESSION,
	UKTV_PROFILE_SERVICES,
	UKTV_PROFILE_OTHER
};

struct uktv_profile_ent {
	char		*key;
	char		*value;		/* NULL: a sub-section in sub[] */
	struct uktv_profile_ent	*sub;
	size_t		 nsub;
};

struct uktv_profile_sect {
	enum uktv_profile_kind	 kind;
	char		*name;
	struct uktv_profile_ent	*ents;
	size_t		 nents;
};

struct uktv_profile_file {
	char		*path;
	struct uktv_profile_sect	*sects;
	size_t		 nsects;
};

/* Reads path into f (is_config: "[profile x]" headers, else "[x]").  A
 * missing file is empty, not an error; f->path is set either way. */
int	uktv_profile_load(struct uktv_profile_file *f, const char *path,
	    int is_config, struct uktv_error *);
void	uktv_profile_clear(struct uktv_profile_file *);
/* 1 when f has a section of kind named name. */
int	uktv_profile_has(const struct uktv_profile_file *,
	    enum uktv_profile_kind, const char *name);
/* The last "key" of the last section named so: repeated sections merge and
 * the later value wins.  NULL when absent. */
const struct uktv_profile_ent *uktv_profile_find(
	    const struct uktv_profile_file *, enum uktv_profile_kind,
	    const char *name, const char *key);
/* A plain, non-empty value of one file's profile, or NULL. */
const char *uktv_profile_value(const struct uktv_profile_file *,
	    const char *profile, const char *key);
/* path with a leading "~/" replaced by home.  Caller frees. */
char	*uktv_profile_expand_home(const char *path, const char *home);

#endif
