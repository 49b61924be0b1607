/*
 * awsconf.c: see awsconf.h.  The rules are the AWS SDKs and Tools Reference
 * Guide's; where the guide is silent we do what AWS CLI v2 (botocore) does:
 *
 * - Profile files are read the way Python's configparser reads them for
 *   botocore: "#" and ";" start a comment line (no inline comments), keys are
 *   "key = value" or "key: value" and lower-cased, a line indented deeper than
 *   its key continues that key, and a key whose value is empty on its own
 *   line holds a sub-section ("dynamodb =\n  endpoint_url = ...").  A line
 *   that fits none of these is an error, as it is for the CLI.
 * - The credentials file's values win over the config file's for the same
 *   profile (botocore merges them into one profile).
 * - Credentials chain, in botocore's order: environment, assume role,
 *   web identity, SSO, static keys from the credentials file,
 *   credential_process, static keys from the config file, container
 *   credentials, EC2 IMDSv2.  A --profile flag (not AWS_PROFILE) skips the
 *   environment keys and the web identity variables, as the CLI does.
 *   Assume role and web identity call STS (sts.c), SSO the portal and
 *   SSO-OIDC (sso.c), each signing or not for itself: this file sits below
 *   aws.c and never uses it.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "awsconf.h"
#include "sso.h"
#include "sts.h"

extern char **environ;

#define DEFAULT_REFRESH_MARGIN	300	/* seconds; the SDKs refresh 5 min early */
#define MAX_REFRESH_MARGIN	86400
#define DEFAULT_MAX_ATTEMPTS	3	/* SDK reference guide, "Retry behavior" */
#define MAX_PROFILE_FILE	(4L * 1024 * 1024)
#define MAX_PROCESS_OUTPUT	(64L * 1024)
/* credential_process_timeout / UKTV_CREDENTIAL_PROCESS_TIMEOUT, seconds: a
 * helper that never exits must not hold a cron job for ever (the SDKs have
 * no bound at all). */
#define DEFAULT_PROCESS_TIMEOUT	60
#define MAX_PROCESS_TIMEOUT	3600
#define PROCESS_TIMEOUT_ENV	"UKTV_CREDENTIAL_PROCESS_TIMEOUT"
#define MAX_TOKEN_FILE		(16L * 1024)

/* ECS task role endpoint for AWS_CONTAINER_CREDENTIALS_RELATIVE_URI. */
#define CONTAINER_HOST		"http://169.254.170.2"
/* Used only when the caller gives no http handle (botocore's 2 s). */
#define CONTAINER_TIMEOUT_MS	2000

#define IMDS_DEFAULT		"http://169.254.169.254"
#define IMDS_DEFAULT_IPV6	"http://[fd00:ec2::254]"
#define IMDS_TOKEN_TTL		"21600"	/* 6 h, the SDKs' value */
/* IMDS is the last resort and usually absent (a laptop): 1 s, one try. */
#define IMDS_TIMEOUT_MS		1000
#define IMDS_CREDS_PATH		"/latest/meta-data/iam/security-credentials/"

enum sect_kind {
	SECT_PROFILE,
	SECT_SSO_SESSION,
	SECT_SERVICES,
	SECT_OTHER
};

struct ini_ent {
	char		*key;
	char		*value;		/* NULL: a sub-section in sub[] */
	struct ini_ent	*sub;
	size_t		 nsub;
};

struct ini_sect {
	enum sect_kind	 kind;
	char		*name;
	struct ini_ent	*ents;
	size_t		 nents;
};

struct ini_file {
	char		*path;
	struct ini_sect	*sects;
	size_t		 nsects;
};

struct envvar {
	char	*name;
	char	*value;
};

struct uktv_awsconf {
	struct envvar	*env;		/* AWS_*, HOME and PROCESS_TIMEOUT_ENV,
					 * read once at load */
	size_t		 nenv;
	struct ini_file	 config;
	struct ini_file	 cred;
	char		*home;		/* for ~/.aws/sso/cache */
	char		*profile;
	int		 profile_flag;	/* given by opts: env keys are skipped */
	int		 profile_named;	/* by opts or AWS_PROFILE */
	char		*region;
	char		*endpoint_flag;
	char		 retry_mode[16];
	int		 max_attempts;
	long		 retry_base_ms;
	long		 refresh_margin;
	long		 fetches;
	struct uktv_creds creds;
	int		 have_creds;
};

/* ---------------------------------------------------------------- */
/* Small helpers                                                     */
/* ---------------------------------------------------------------- */

static void
wipe_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\f' || *s == '\v')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\n' || e[-1] == '\f' || e[-1] == '\v'))
		*--e = '\0';
	return s;
}

static int
oom(struct uktv_error *err)
{
	return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
}

/*
 * Reads a whole file.  Returns 1 with *buf (NUL-terminated, caller wipes and
 * frees), 0 when the file does not exist, -1 on error.  Reads to EOF rather
 * than trusting st_size so AWS_CONFIG_FILE=/dev/null works as it does for
 * the CLI.
 */
static int
slurp(const char *path, long max, char **buf, size_t *lenp,
    struct uktv_error *err)
{
	char *b = NULL, *nb;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd;

	*buf = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return uktv_error_set(err, UKTV_ERR_IO, "%s: %s", path,
		    strerror(errno));
	}
	for (;;) {
		if (len + 1 >= cap) {
			size_t ncap = cap ? cap * 2 : 4096;

			if ((nb = malloc(ncap)) == NULL) {
				close(fd);
				if (b != NULL)
					explicit_bzero(b, cap);
				free(b);
				return oom(err);
			}
			/* Copy by hand so the old buffer can be wiped. */
			if (b != NULL) {
				memcpy(nb, b, len);
				explicit_bzero(b, cap);
				free(b);
			}
			b = nb;
			cap = ncap;
		}
		n = read(fd, b + len, cap - len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			int e = errno;

			close(fd);
			explicit_bzero(b, cap);
			free(b);
			return uktv_error_set(err, UKTV_ERR_IO, "%s: %s", path,
			    strerror(e));
		}
		if (n == 0)
			break;
		len += n;
		if ((long)len > max) {
			close(fd);
			explicit_bzero(b, cap);
			free(b);
			return uktv_error_set(err, UKTV_ERR_IO,
			    "%s: larger than %ld bytes", path, max);
		}
	}
	close(fd);
	b[len] = '\0';
	*buf = b;
	if (lenp != NULL)
		*lenp = len;
	return 1;
}

/* ---------------------------------------------------------------- */
/* Profile files                                                     */
/* ---------------------------------------------------------------- */

static void
ent_clear(struct ini_ent *e)
{
	for (size_t i = 0; i < e->nsub; i++)
		ent_clear(&e->sub[i]);
	free(e->sub);
	/* Values may be keys from the credentials file. */
	wipe_free(e->key);
	wipe_free(e->value);
}

static void
ini_clear(struct ini_file *f)
{
	for (size_t i = 0; i < f->nsects; i++) {
		for (size_t j = 0; j < f->sects[i].nents; j++)
			ent_clear(&f->sects[i].ents[j]);
		free(f->sects[i].ents);
		free(f->sects[i].name);
	}
	free(f->sects);
	free(f->path);
	memset(f, 0, sizeof(*f));
}

static int
ent_push(struct ini_ent **arr, size_t *n, const char *key, const char *value)
{
	struct ini_ent *a, *e;

	if ((a = reallocarray(*arr, *n + 1, sizeof(*a))) == NULL)
		return -1;
	*arr = a;
	e = &a[*n];
	memset(e, 0, sizeof(*e));
	if ((e->key = strdup(key)) == NULL)
		return -1;
	if (value != NULL && (e->value = strdup(value)) == NULL) {
		free(e->key);
		return -1;
	}
	(*n)++;
	return 0;
}

/*
 * "word NAME" (botocore shell-splits the header and wants exactly two
 * parts; a quoted NAME may hold spaces).  *match says whether the header
 * starts with word; the name (caller frees) is NULL when it is unusable.
 */
static char *
qualified_name(const char *hdr, const char *word, int *match)
{
	size_t n = strlen(word), len;
	const char *rest;
	char *name;

	*match = 0;
	if (strncmp(hdr, word, n) != 0 || (hdr[n] != ' ' && hdr[n] != '\t'))
		return NULL;
	*match = 1;
	rest = hdr + n;
	while (*rest == ' ' || *rest == '\t')
		rest++;
	len = strlen(rest);
	if (len >= 2 && (rest[0] == '"' || rest[0] == '\'') &&
	    rest[len - 1] == rest[0])
		return strndup(rest + 1, len - 2);
	if (len == 0 || strpbrk(rest, " \t\"'") != NULL)
		return NULL;
	name = strdup(rest);
	return name;
}

static int
sect_push(struct ini_file *f, const char *hdr, int is_config)
{
	struct ini_sect *a, *s;
	enum sect_kind kind = SECT_OTHER;
	char *name = NULL;
	int match;

	if (!is_config) {
		/* Credentials file: every section is a profile, "[x]". */
		kind = SECT_PROFILE;
		name = strdup(hdr);
	} else if (strcmp(hdr, "default") == 0) {
		kind = SECT_PROFILE;
		name = strdup(hdr);
	} else if ((name = qualified_name(hdr, "profile", &match)) != NULL ||
	    match)
		kind = name != NULL ? SECT_PROFILE : SECT_OTHER;
	else if ((name = qualified_name(hdr, "sso-session", &match)) != NULL ||
	    match)
		kind = name != NULL ? SECT_SSO_SESSION : SECT_OTHER;
	else if ((name = qualified_name(hdr, "services", &match)) != NULL ||
	    match)
		kind = name != NULL ? SECT_SERVICES : SECT_OTHER;
	/* Other sections ("[preview]", "[profilex]") are kept but never match. */
	if (name == NULL && (name = strdup(hdr)) == NULL)
		return -1;
	if ((a = reallocarray(f->sects, f->nsects + 1, sizeof(*a))) == NULL) {
		free(name);
		return -1;
	}
	f->sects = a;
	s = &a[f->nsects++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->name = name;
	return 0;
}

/* Appends a continuation line to a plain value, as configparser joins them. */
static int
value_append(struct ini_ent *e, const char *line)
{
	size_t a = strlen(e->value), b = strlen(line);
	char *v;

	if ((v = malloc(a + b + 2)) == NULL)
		return -1;
	memcpy(v, e->value, a);
	v[a] = '\n';
	memcpy(v + a + 1, line, b + 1);
	wipe_free(e->value);
	e->value = v;
	return 0;
}

/* Parses text (modified in place) into f.  Errors name the line, never its
 * text: the credentials file holds secrets. */
static int
ini_parse(struct ini_file *f, char *text, int is_config, struct uktv_error *err)
{
	struct ini_sect *sect = NULL;
	struct ini_ent *ent = NULL;
	size_t key_indent = 0;
	char *p = text, *line, *nl, *c, *d;
	int lineno = 0;

	/* A UTF-8 byte-order mark (Notepad writes one) is not part of the
	 * first line: the AWS CLI accepts such a file, so do we. */
	if (strncmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (*p != '\0') {
		size_t indent;

		line = p;
		if ((nl = strchr(p, '\n')) != NULL) {
			*nl = '\0';
			p = nl + 1;
		} else
			p += strlen(p);
		lineno++;
		indent = strspn(line, " \t");
		c = trim(line);
		if (*c == '\0' || *c == '#' || *c == ';')
			continue;
		if (ent != NULL && indent > key_indent) {
			/* A continuation line (configparser checks this first). */
			if (ent->value != NULL && ent->value[0] == '\0' &&
			    ent->nsub == 0) {
				free(ent->value);
				ent->value = NULL;
			}
			if (ent->value != NULL) {
				if (value_append(ent, c) == -1)
					return oom(err);
				continue;
			}
			/* botocore's _parse_nested: "key = value", split at '='. */
			if ((d = strchr(c, '=')) == NULL)
				return uktv_error_set(err, UKTV_ERR_CONFIG,
				    "%s, line %d: expected \"key = value\" in "
				    "the sub-section of \"%s\"", f->path,
				    lineno, ent->key);
			*d = '\0';
			if (ent_push(&ent->sub, &ent->nsub, trim(c),
			    trim(d + 1)) == -1)
				return oom(err);
			continue;
		}
		if (*c == '[') {
			if ((d = strrchr(c, ']')) == NULL)
				return uktv_error_set(err, UKTV_ERR_CONFIG,
				    "%s, line %d: section header without ']'",
				    f->path, lineno);
			*d = '\0';
			if (sect_push(f, trim(c + 1), is_config) == -1)
				return oom(err);
			sect = &f->sects[f->nsects - 1];
			ent = NULL;
			continue;
		}
		if (sect == NULL)
			return uktv_error_set(err, UKTV_ERR_CONFIG,
			    "%s, line %d: a setting before any [section]",
			    f->path, lineno);
		/* configparser's delimiters are '=' and ':', the first wins. */
		if ((d = strpbrk(c, "=:")) == NULL)
			return uktv_error_set(err, UKTV_ERR_CONFIG,
			    "%s, line %d: expected \"key = value\"", f->path,
			    lineno);
		*d = '\0';
		c = trim(c);
		if (*c == '\0')
			return uktv_error_set(err, UKTV_ERR_CONFIG,
			    "%s, line %d: a setting without a name", f->path,
			    lineno);
		/* configparser lower-cases option names (optionxform). */
		for (char *k = c; *k != '\0'; k++)
			*k = tolower((unsigned char)*k);
		if (ent_push(&sect->ents, &sect->nents, c, trim(d + 1)) == -1)
			return oom(err);
		ent = &sect->ents[sect->nents - 1];
		key_indent = indent;
	}
	return 0;
}

static int
ini_load(struct ini_file *f, const char *path, int is_config,
    struct uktv_error *err)
{
	char *text;
	size_t len;
	int rc;

	if ((f->path = strdup(path)) == NULL)
		return oom(err);
	if ((rc = slurp(path, MAX_PROFILE_FILE, &text, &len, err)) <= 0)
		return rc;
	rc = ini_parse(f, text, is_config, err);
	explicit_bzero(text, len);
	free(text);
	return rc;
}

static int
ini_has(const struct ini_file *f, enum sect_kind kind, const char *name)
{
	for (size_t i = 0; i < f->nsects; i++)
		if (f->sects[i].kind == kind && strcmp(f->sects[i].name, name) == 0)
			return 1;
	return 0;
}

/* The last "key" of the last section named so: repeated sections merge and
 * the later value wins. */
static const struct ini_ent *
ini_find(const struct ini_file *f, enum sect_kind kind, const char *name,
    const char *key)
{
	for (size_t i = f->nsects; i > 0; i--) {
		const struct ini_sect *s = &f->sects[i - 1];

		if (s->kind != kind || strcmp(s->name, name) != 0)
			continue;
		for (size_t j = s->nents; j > 0; j--)
			if (strcmp(s->ents[j - 1].key, key) == 0)
				return &s->ents[j - 1];
	}
	return NULL;
}

/* A plain, non-empty value of one file's profile. */
static const char *
file_value(const struct ini_file *f, const char *profile, const char *key)
{
	const struct ini_ent *e = ini_find(f, SECT_PROFILE, profile, key);

	if (e == NULL || e->value == NULL || e->value[0] == '\0')
		return NULL;
	return e->value;
}

/* botocore merges the credentials file's profile over the config file's. */
static const char *
profile_value(const struct uktv_awsconf *c, const char *profile,
    const char *key)
{
	const char *v;

	if ((v = file_value(&c->cred, profile, key)) != NULL)
		return v;
	return file_value(&c->config, profile, key);
}

/* ---------------------------------------------------------------- */
/* Environment                                                       */
/* ---------------------------------------------------------------- */

static int
env_snapshot(struct uktv_awsconf *c)
{
	for (char **e = environ; e != NULL && *e != NULL; e++) {
		const char *eq;
		struct envvar *a, *v;

		if (strncmp(*e, "AWS_", 4) != 0 && strncmp(*e, "HOME=", 5) != 0 &&
		    strncmp(*e, PROCESS_TIMEOUT_ENV "=",
		    sizeof(PROCESS_TIMEOUT_ENV)) != 0 &&
		    strncmp(*e, UKTV_RETRY_BASE_ENV "=",
		    sizeof(UKTV_RETRY_BASE_ENV)) != 0)
			continue;
		if ((eq = strchr(*e, '=')) == NULL)
			continue;
		if ((a = reallocarray(c->env, c->nenv + 1, sizeof(*a))) == NULL)
			return -1;
		c->env = a;
		v = &a[c->nenv];
		if ((v->name = strndup(*e, eq - *e)) == NULL)
			return -1;
		if ((v->value = strdup(eq + 1)) == NULL) {
			free(v->name);
			return -1;
		}
		c->nenv++;
	}
	return 0;
}

/* An empty variable counts as unset ("AWS_PROFILE= cmd" to drop one). */
static const char *
env_get(const struct uktv_awsconf *c, const char *name)
{
	for (size_t i = 0; i < c->nenv; i++)
		if (strcmp(c->env[i].name, name) == 0)
			return c->env[i].value[0] != '\0' ? c->env[i].value : NULL;
	return NULL;
}

static int
is_true(const char *v)
{
	return v != NULL && strcasecmp(v, "true") == 0;
}

/* Setting from the environment, else from the profile; *from names it. */
static const char *
setting(const struct uktv_awsconf *c, const char *envname, const char *key,
    const char **from)
{
	const char *v;

	if ((v = env_get(c, envname)) != NULL) {
		*from = envname;
		return v;
	}
	*from = key;
	return profile_value(c, c->profile, key);
}

static char *
expand_home(const char *path, const char *home)
{
	char *s;

	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0') &&
	    home != NULL) {
		if (asprintf(&s, "%s%s", home, path + 1) == -1)
			return NULL;
		return s;
	}
	return strdup(path);
}

/* The file named by envname, else ~/.aws/name.  Caller frees. */
static char *
file_path(const struct uktv_awsconf *c, const char *envname, const char *name,
    const char *home)
{
	const char *v;
	char *s;

	if ((v = env_get(c, envname)) != NULL)
		return expand_home(v, home);
	if (asprintf(&s, "%s/.aws/%s", home != NULL ? home : "", name) == -1)
		return NULL;
	return s;
}

/* ---------------------------------------------------------------- */
/* Load                                                              */
/* ---------------------------------------------------------------- */

static int
load_retry(struct uktv_awsconf *c, struct uktv_error *err)
{
	const char *v, *from, *e = NULL;
	long long n;

	strlcpy(c->retry_mode, "standard", sizeof(c->retry_mode));
	if ((v = setting(c, "AWS_RETRY_MODE", "retry_mode", &from)) != NULL) {
		if (strcmp(v, "standard") != 0 && strcmp(v, "adaptive") != 0 &&
		    strcmp(v, "legacy") != 0)
			return uktv_error_set(err, UKTV_ERR_CONFIG,
			    "%s \"%s\" is not legacy, standard or adaptive",
			    from, v);
		strlcpy(c->retry_mode, v, sizeof(c->retry_mode));
	}
	c->max_attempts = DEFAULT_MAX_ATTEMPTS;
	if ((v = setting(c, "AWS_MAX_ATTEMPTS", "max_attempts", &from)) != NULL) {
		n = strtonum(v, 1, INT_MAX, &e);
		if (e != NULL)
			return uktv_error_set(err, UKTV_ERR_CONFIG,
			    "%s \"%s\" is not a whole number of at least 1",
			    from, v);
		c->max_attempts = (int)n;
	}
	/* Tests shorten every retry wait at once; an unusable value keeps
	 * the SDKs' base, as it always has. */
	c->retry_base_ms = UKTV_RETRY_BASE_DEFAULT_MS;
	if ((v = env_get(c, UKTV_RETRY_BASE_ENV)) != NULL) {
		n = strtonum(v, 0, 60000, &e);
		if (e == NULL)
			c->retry_base_ms = (long)n;
	}
	c->refresh_margin = DEFAULT_REFRESH_MARGIN;
	if ((v = env_get(c, "AWS_CREDENTIALS_REFRESH_MARGIN")) != NULL) {
		n = strtonum(v, 0, MAX_REFRESH_MARGIN, &e);
		if (e != NULL)
			return uktv_error_set(err, UKTV_ERR_CONFIG,
			    "AWS_CREDENTIALS_REFRESH_MARGIN \"%s\" is not a "
			    "number of seconds from 0 to %d", v,
			    MAX_REFRESH_MARGIN);
		c->refresh_margin = (long)n;
	}
	return 0;
}

struct uktv_awsconf *
uktv_awsconf_load(const struct uktv_awsconf_opts *opts, struct uktv_error *err)
{
	struct uktv_awsconf_opts none = { 0 };
	struct uktv_awsconf *c;
	const char *home, *v;
	char *path = NULL;

	if (opts == NULL)
		opts = &none;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		oom(err);
		return NULL;
	}
	if (env_snapshot(c) == -1)
		goto nomem;
	if ((home = env_get(c, "HOME")) == NULL) {
		struct passwd *pw = getpwuid(getuid());

		home = pw != NULL ? pw->pw_dir : NULL;
	}
	if (home != NULL && (c->home = strdup(home)) == NULL)
		goto nomem;

	/* Files: AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, else ~/.aws. */
	if ((path = file_path(c, "AWS_CONFIG_FILE", "config", home)) == NULL)
		goto nomem;
	if (ini_load(&c->config, path, 1, err) == -1)
		goto fail;
	free(path);
	if ((path = file_path(c, "AWS_SHARED_CREDENTIALS_FILE", "credentials",
	    home)) == NULL)
		goto nomem;
	if (ini_load(&c->cred, path, 0, err) == -1)
		goto fail;
	free(path);
	path = NULL;

	/* Profile: --profile, AWS_PROFILE, "default". */
	if (opts->profile != NULL && opts->profile[0] != '\0') {
		v = opts->profile;
		c->profile_flag = c->profile_named = 1;
	} else if ((v = env_get(c, "AWS_PROFILE")) != NULL)
		c->profile_named = 1;
	else
		v = "default";
	if ((c->profile = strdup(v)) == NULL)
		goto nomem;
	if (c->profile_named && !uktv_awsconf_profile_exists(c, c->profile)) {
		uktv_error_set(err, UKTV_ERR_CONFIG,
		    "profile \"%s\" (from %s) is not in %s or %s", c->profile,
		    c->profile_flag ? "--profile" : "AWS_PROFILE",
		    c->config.path, c->cred.path);
		goto fail;
	}

	/* Region: --region, AWS_REGION, AWS_DEFAULT_REGION, profile. */
	if (opts->region != NULL && opts->region[0] != '\0')
		v = opts->region;
	else if ((v = env_get(c, "AWS_REGION")) == NULL &&
	    (v = env_get(c, "AWS_DEFAULT_REGION")) == NULL)
		v = profile_value(c, c->profile, "region");
	if (v != NULL && (c->region = strdup(v)) == NULL)
		goto nomem;
	if (opts->endpoint_url != NULL && opts->endpoint_url[0] != '\0' &&
	    (c->endpoint_flag = strdup(opts->endpoint_url)) == NULL)
		goto nomem;

	if (load_retry(c, err) == -1)
		goto fail;
	return c;
nomem:
	oom(err);
fail:
	free(path);
	uktv_awsconf_free(c);
	return NULL;
}

void
uktv_awsconf_free(struct uktv_awsconf *c)
{
	if (c == NULL)
		return;
	uktv_creds_wipe(&c->creds);
	for (size_t i = 0; i < c->nenv; i++) {
		free(c->env[i].name);
		/* AWS_SECRET_ACCESS_KEY, AWS_CONTAINER_AUTHORIZATION_TOKEN ... */
		wipe_free(c->env[i].value);
	}
	free(c->env);
	ini_clear(&c->config);
	ini_clear(&c->cred);
	free(c->home);
	free(c->profile);
	free(c->region);
	free(c->endpoint_flag);
	free(c);
}

const char *
uktv_awsconf_profile_name(const struct uktv_awsconf *c)
{
	return c->profile;
}

const char *
uktv_awsconf_region(const struct uktv_awsconf *c)
{
	return c->region;
}

const char *
uktv_awsconf_get(const struct uktv_awsconf *c, const char *key)
{
	return profile_value(c, c->profile, key);
}

const char *
uktv_awsconf_profile_get(const struct uktv_awsconf *c, const char *profile,
    const char *key)
{
	return profile_value(c, profile, key);
}

int
uktv_awsconf_profile_exists(const struct uktv_awsconf *c, const char *profile)
{
	return ini_has(&c->config, SECT_PROFILE, profile) ||
	    ini_has(&c->cred, SECT_PROFILE, profile);
}

const char *
uktv_awsconf_sso_session_get(const struct uktv_awsconf *c,
    const char *session, const char *key)
{
	const struct ini_ent *e;

	e = ini_find(&c->config, SECT_SSO_SESSION, session, key);
	if (e == NULL || e->value == NULL || e->value[0] == '\0')
		return NULL;
	return e->value;
}

const char *
uktv_awsconf_config_path(const struct uktv_awsconf *c)
{
	return c->config.path;
}

const char *
uktv_awsconf_credentials_path(const struct uktv_awsconf *c)
{
	return c->cred.path;
}

int
uktv_awsconf_max_attempts(const struct uktv_awsconf *c)
{
	return c->max_attempts;
}

const char *
uktv_awsconf_retry_mode(const struct uktv_awsconf *c)
{
	return c->retry_mode;
}

long
uktv_awsconf_retry_base_ms(const struct uktv_awsconf *c)
{
	return c->retry_base_ms;
}

const char *
uktv_awsconf_ca_bundle(const struct uktv_awsconf *c)
{
	return env_get(c, "AWS_CA_BUNDLE");
}

/* ---------------------------------------------------------------- */
/* Endpoints                                                         */
/* ---------------------------------------------------------------- */

static char *
endpoint_dup(const char *url, struct uktv_error *err)
{
	char *s;
	size_t n;

	if ((s = strdup(url)) == NULL) {
		oom(err);
		return NULL;
	}
	/* "http://localhost:4566/" and "http://localhost:4566" are one endpoint;
	 * callers append paths that start with '/'. */
	n = strlen(s);
	while (n > 0 && s[n - 1] == '/')
		s[--n] = '\0';
	return s;
}

/* A region is one DNS label (botocore's validate_region_name), so it can
 * never change the host it is put into. */
static int
valid_region(const char *r)
{
	size_t n = strlen(r);

	if (n == 0 || n > 63 || r[0] == '-' || r[n - 1] == '-')
		return 0;
	for (; *r != '\0'; r++)
		if (!isalnum((unsigned char)*r) && *r != '-')
			return 0;
	return 1;
}

/* The profile's services section: services = NAME, then [services NAME]
 * with "<config_key> =\n  endpoint_url = URL". */
static const char *
services_endpoint(const struct uktv_awsconf *c,
    const struct uktv_aws_service *svc)
{
	const struct ini_ent *e;
	const char *name;

	if ((name = profile_value(c, c->profile, "services")) == NULL)
		return NULL;
	e = ini_find(&c->config, SECT_SERVICES, name, svc->config_key);
	if (e == NULL || e->value != NULL)
		return NULL;
	for (size_t i = e->nsub; i > 0; i--)
		if (strcmp(e->sub[i - 1].key, "endpoint_url") == 0 &&
		    e->sub[i - 1].value[0] != '\0')
			return e->sub[i - 1].value;
	return NULL;
}

/*
 * The endpoint of svc in region.  honour_flag: whether --endpoint-url
 * applies; it is the endpoint of the service a tool calls, so (as for the
 * CLI's --endpoint-url) the credential providers' STS, SSO and SSO-OIDC
 * calls do not use it, while AWS_ENDPOINT_URL_<SVC>, AWS_ENDPOINT_URL and the
 * profile's endpoints apply to them as to any client the SDKs create.
 */
static char *
service_endpoint(const struct uktv_awsconf *c,
    const struct uktv_aws_service *svc, const char *region, int honour_flag,
    struct uktv_error *err)
{
	char name[128], *url;
	const char *v;

	if (honour_flag && c->endpoint_flag != NULL)
		return endpoint_dup(c->endpoint_flag, err);
	if (!is_true(env_get(c, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) &&
	    !is_true(profile_value(c, c->profile,
	    "ignore_configured_endpoint_urls"))) {
		snprintf(name, sizeof(name), "AWS_ENDPOINT_URL_%s",
		    svc->env_suffix);
		if ((v = env_get(c, name)) != NULL ||
		    (v = env_get(c, "AWS_ENDPOINT_URL")) != NULL ||
		    (v = services_endpoint(c, svc)) != NULL ||
		    (v = profile_value(c, c->profile, "endpoint_url")) != NULL)
			return endpoint_dup(v, err);
	}
	if (region == NULL) {
		uktv_error_set(err, UKTV_ERR_CONFIG,
		    "no AWS region for %s: use --region, AWS_REGION or "
		    "\"region\" in profile \"%s\"", svc->host_prefix,
		    c->profile);
		return NULL;
	}
	if (!valid_region(region)) {
		uktv_error_set(err, UKTV_ERR_CONFIG,
		    "\"%s\" is not a valid AWS region name", region);
		return NULL;
	}
	/* The China partition has its own DNS suffix. */
	if (asprintf(&url, "https://%s.%s.amazonaws.com%s", svc->host_prefix,
	    region, strncmp(region, "cn-", 3) == 0 ? ".cn" : "") == -1) {
		oom(err);
		return NULL;
	}
	return url;
}

char *
uktv_awsconf_endpoint(const struct uktv_awsconf *c,
    const struct uktv_aws_service *svc, struct uktv_error *err)
{
	return service_endpoint(c, svc, c->region, 1, err);
}

/* ---------------------------------------------------------------- */
/* Time                                                              */
/* ---------------------------------------------------------------- */


/* ---------------------------------------------------------------- */
/* Credentials                                                       */
/* ---------------------------------------------------------------- */

void
uktv_creds_wipe(struct uktv_creds *cr)
{
	if (cr == NULL)
		return;
	wipe_free(cr->access_key_id);
	wipe_free(cr->secret_access_key);
	wipe_free(cr->session_token);
	memset(cr, 0, sizeof(*cr));
}

static int
creds_set(struct uktv_creds *out, const char *ak, const char *sk,
    const char *tok, time_t exp, const char *source, struct uktv_error *err)
{
	memset(out, 0, sizeof(*out));
	if ((out->access_key_id = strdup(ak)) == NULL ||
	    (out->secret_access_key = strdup(sk)) == NULL ||
	    (tok != NULL && tok[0] != '\0' &&
	    (out->session_token = strdup(tok)) == NULL)) {
		uktv_creds_wipe(out);
		return oom(err);
	}
	out->expiration = exp;
	out->source = source;
	return 0;
}

static const char *
json_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* json-c frees strings without wiping them: wipe the secrets first.  The
 * buffers are json-c's own heap memory, so writing them is safe. */
static void
json_wipe(struct json_object *o)
{
	if (o == NULL || !json_object_is_type(o, json_type_object))
		return;
	json_object_object_foreach(o, k, v) {
		(void)k;
		if (json_object_is_type(v, json_type_string))
			explicit_bzero((char *)json_object_get_string(v),
			    json_object_get_string_len(v));
	}
}

/*
 * Fills out from a credentials document: AccessKeyId, SecretAccessKey, the
 * token under tokkey ("SessionToken" for credential_process, "Token" for the
 * container and IMDS) and an optional ISO 8601 Expiration.  On failure *why
 * names what was wrong (a field name, never a value) and -1 is returned with
 * err untouched unless memory ran out.
 */
static int
creds_from_json(const char *text, size_t len, const char *tokkey,
    int want_version, const char *source, struct uktv_creds *out,
    const char **why, struct uktv_error *err)
{
	struct json_tokener *tok;
	struct json_object *o, *ver;
	const char *ak, *sk, *tk, *ex;
	time_t exp = 0;
	int rc = -1;

	*why = "not a JSON object";
	if ((tok = json_tokener_new()) == NULL)
		return oom(err);
	o = json_tokener_parse_ex(tok, text, (int)len);
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(o, json_type_object))
		goto done;
	if (want_version && (!json_object_object_get_ex(o, "Version", &ver) ||
	    !json_object_is_type(ver, json_type_int) ||
	    json_object_get_int(ver) != 1)) {
		*why = "Version is not 1";
		goto done;
	}
	ak = json_str(o, "AccessKeyId");
	sk = json_str(o, "SecretAccessKey");
	tk = json_str(o, tokkey);
	ex = json_str(o, "Expiration");
	if (ak == NULL || ak[0] == '\0') {
		*why = "no AccessKeyId";
		goto done;
	}
	if (sk == NULL || sk[0] == '\0') {
		*why = "no SecretAccessKey";
		goto done;
	}
	if (ex != NULL && uktv_time_parse_epoch(ex, &exp) == -1) {
		*why = "Expiration is not an ISO 8601 time";
		goto done;
	}
	if (creds_set(out, ak, sk, tk, exp, source, err) == -1) {
		*why = "out of memory";
		goto done;
	}
	*why = NULL;
	rc = 0;
done:
	json_wipe(o);
	json_object_put(o);
	json_tokener_free(tok);
	return rc;
}

/* AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY [+ AWS_SESSION_TOKEN]. */
static int
from_env(struct uktv_awsconf *c, struct uktv_creds *out,
    struct uktv_error *err)
{
	const char *ak = env_get(c, "AWS_ACCESS_KEY_ID");
	const char *sk = env_get(c, "AWS_SECRET_ACCESS_KEY");

	if (ak == NULL && sk == NULL)
		return 0;
	c->fetches++;
	if (ak == NULL || sk == NULL)
		return uktv_error_set(err, UKTV_ERR_CONFIG, "%s is set but %s "
		    "is not", ak ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
		    ak ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
	if (creds_set(out, ak, sk, env_get(c, "AWS_SESSION_TOKEN"), 0,
	    "environment", err) == -1)
		return -1;
	return 1;
}

/* aws_access_key_id / aws_secret_access_key [/ aws_session_token] of the
 * profile in one file. */
static int
from_static(struct uktv_awsconf *c, const struct ini_file *f,
    const char *profile, struct uktv_creds *out, struct uktv_error *err)
{
	const char *ak = file_value(f, profile, "aws_access_key_id");
	const char *sk = file_value(f, profile, "aws_secret_access_key");

	if (ak == NULL && sk == NULL)
		return 0;
	c->fetches++;
	if (ak == NULL || sk == NULL)
		return uktv_error_set(err, UKTV_ERR_CONFIG,
		    "profile \"%s\" in %s has %s but no %s", profile,
		    f->path, ak ? "aws_access_key_id" : "aws_secret_access_key",
		    ak ? "aws_secret_access_key" : "aws_access_key_id");
	if (creds_set(out, ak, sk,
	    file_value(f, profile, "aws_session_token"), 0, "profile",
	    err) == -1)
		return -1;
	return 1;
}

/* The environment's, else the profile's credential_process_timeout, else
 * the default, in seconds. */
static int
process_timeout(const struct uktv_awsconf *c, const char *profile,
    long *secs, struct uktv_error *err)
{
	const char *v, *from = PROCESS_TIMEOUT_ENV, *e = NULL;
	long long n;

	*secs = DEFAULT_PROCESS_TIMEOUT;
	if ((v = env_get(c, from)) == NULL) {
		from = "credential_process_timeout";
		if ((v = profile_value(c, profile, from)) == NULL)
			return 0;
	}
	n = strtonum(v, 1, MAX_PROCESS_TIMEOUT, &e);
	if (e != NULL)
		return uktv_error_set(err, UKTV_ERR_CONFIG, "profile \"%s\": %s "
		    "\"%s\" is not a number of seconds from 1 to %d", profile,
		    from, v, MAX_PROCESS_TIMEOUT);
	*secs = (long)n;
	return 0;
}

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Reads the helper's output from fd into buf until EOF, more than
 * MAX_PROCESS_OUTPUT bytes (*toobig), or the deadline, and closes fd (a
 * helper that writes on then dies of SIGPIPE); then waits for it to exit,
 * until the deadline.  1 when the deadline passed (the helper is still
 * there), else 0 with *st its wait status.
 */
static int
process_wait(pid_t pid, int fd, long long deadline, char *buf, size_t *len,
    int *toobig, int *st)
{
	struct pollfd p = { fd, POLLIN, 0 };
	struct timespec pause = { 0, 0 };
	long long left;
	ssize_t n;
	pid_t w;

	for (;;) {
		if ((left = deadline - mono_ms()) <= 0) {
			close(fd);
			return 1;
		}
		n = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (n == 0 || (n == -1 && errno == EINTR))
			continue;
		if (n == -1)
			break;
		n = read(fd, buf + *len, MAX_PROCESS_OUTPUT + 1 - *len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		*len += n;
		if (*len > MAX_PROCESS_OUTPUT) {
			*toobig = 1;
			break;
		}
	}
	close(fd);
	/* Its stdout is closed (or we stopped reading); it normally exits at
	 * once.  No SIGCHLD handler in a library: look, pausing a little
	 * longer each time, up to 50 ms. */
	for (;;) {
		w = waitpid(pid, st, WNOHANG);
		if (w == pid)
			return 0;
		if (w == -1 && errno != EINTR)
			return 0;	/* not ours to wait for: cannot happen */
		if (deadline - mono_ms() <= 0)
			return 1;
		if (pause.tv_nsec < 50000000)
			pause.tv_nsec += 1000000;
		nanosleep(&pause, NULL);
	}
}

/*
 * credential_process: run through /bin/sh -c, stdout is the JSON document
 * (SDK reference guide, "Process credential provider").  stdin is /dev/null
 * so the helper cannot eat a pipeline's input; its stderr is left to the
 * user, who may need its message.  Its output holds secrets and never goes
 * into an error message.  It runs in a process group of its own, so that a
 * helper still there after credential_process_timeout is killed with all it
 * started; and credentials already expired are refused, as the SDKs refuse
 * them (botocore: "refreshed credentials are still expired").
 */
static int
from_process(struct uktv_awsconf *c, const char *profile,
    struct uktv_creds *out, struct uktv_error *err)
{
	const char *cmd = profile_value(c, profile, "credential_process");
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t sa;
	sigset_t dfl;
	char *argv[4], *buf, when[32];
	const char *why;
	size_t len = 0;
	int pfd[2], rc, st = 0, toobig = 0, late;
	long timeout;
	pid_t pid;
	struct tm tm;

	if (cmd == NULL)
		return 0;
	c->fetches++;
	if (process_timeout(c, profile, &timeout, err) == -1)
		return -1;
	if ((buf = malloc(MAX_PROCESS_OUTPUT + 1)) == NULL)
		return oom(err);
	if (pipe2(pfd, O_CLOEXEC) == -1) {
		free(buf);
		return uktv_error_set(err, UKTV_ERR_INTERNAL,
		    "profile \"%s\": credential_process: pipe: %s", profile,
		    strerror(errno));
	}
	argv[0] = "/bin/sh";
	argv[1] = "-c";
	argv[2] = (char *)cmd;
	argv[3] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
	    O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], STDOUT_FILENO);
	/* A tool that ignores SIGPIPE must not pass that on: a helper that
	 * writes on after we stop reading should die of it. */
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	posix_spawnattr_init(&sa);
	posix_spawnattr_setflags(&sa, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&sa, 0);
	posix_spawnattr_setsigdefault(&sa, &dfl);
	rc = posix_spawn(&pid, "/bin/sh", &fa, &sa, argv, environ);
	posix_spawnattr_destroy(&sa);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (rc != 0) {
		close(pfd[0]);
		free(buf);
		return uktv_error_set(err, UKTV_ERR_CONFIG,
		    "profile \"%s\": cannot run credential_process: %s",
		    profile, strerror(rc));
	}
	late = process_wait(pid, pfd[0], mono_ms() + timeout * 1000, buf,
	    &len, &toobig, &st);
	if (late) {
		kill(-pid, SIGKILL);
		while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
			;
	}
	buf[len > MAX_PROCESS_OUTPUT ? MAX_PROCESS_OUTPUT : len] = '\0';
	if (late)
		rc = uktv_error_set(err, UKTV_ERR_CONFIG,
		    "profile \"%s\": credential_process did not finish within "
		    "%ld s (credential_process_timeout): killed", profile,
		    timeout);
	else if (toobig)
		rc = uktv_error_set(err, UKTV_ERR_CONFIG,
		    "profile \"%s\": credential_process printed more than %ld "
		    "bytes", profile, MAX_PROCESS_OUTPUT);
	else if (WIFSIGNALED(st))
		rc = uktv_error_set(err, UKTV_ERR_CONFIG,
		    "profile \"%s\": credential_process was killed by signal %d",
		    profile, WTERMSIG(st));
	else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		rc = uktv_error_set(err, UKTV_ERR_CONFIG,
		    "profile \"%s\": credential_process exited with status %d",
		    profile, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	else if (creds_from_json(buf, len, "SessionToken", 1,
	    "credential_process", out, &why, err) == -1) {
		if (err == NULL || err->kind != UKTV_ERR_INTERNAL)
			uktv_error_set(err, UKTV_ERR_CONFIG,
			    "profile \"%s\": credential_process output is not "
			    "credentials (%s; want JSON with Version 1, "
			    "AccessKeyId, SecretAccessKey)", profile, why);
		rc = -1;
	} else if (out->expiration != 0 && out->expiration <= time(NULL)) {
		gmtime_r(&out->expiration, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		uktv_creds_wipe(out);
		rc = uktv_error_set(err, UKTV_ERR_CONFIG,
		    "profile \"%s\": credential_process gave credentials that "
		    "expired at %s", profile, when);
	} else
		rc = 1;
	explicit_bzero(buf, MAX_PROCESS_OUTPUT + 1);
	free(buf);
	return rc;
}

/*
 * AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to a loopback
 * address or one of the ECS/EKS link-local hosts (botocore's
 * ContainerMetadataFetcher), so a token is never sent in clear elsewhere.
 */
static int
container_host_allowed(const char *url)
{
	static const char *const hosts[] = {
		"localhost", "169.254.170.2", "169.254.170.23", "fd00:ec2::23"
	};
	const char *h, *end, *at, *hend;
	char host[256];
	struct in_addr a4;
	struct in6_addr a6, eks6;

	if (strncasecmp(url, "https://", 8) == 0)
		return 1;
	if (strncasecmp(url, "http://", 7) != 0)
		return 0;
	h = url + 7;
	end = h + strcspn(h, "/?#");
	if ((at = memrchr(h, '@', end - h)) != NULL)
		h = at + 1;
	if (*h == '[') {
		if ((hend = memchr(h, ']', end - h)) == NULL)
			return 0;
		h++;
	} else if ((hend = memchr(h, ':', end - h)) == NULL)
		hend = end;
	if ((size_t)(hend - h) >= sizeof(host))
		return 0;
	memcpy(host, h, hend - h);
	host[hend - h] = '\0';
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
		if (strcasecmp(host, hosts[i]) == 0)
			return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1) {
		inet_pton(AF_INET6, "fd00:ec2::23", &eks6);
		return IN6_IS_ADDR_LOOPBACK(&a6) ||
		    memcmp(&a6, &eks6, sizeof(a6)) == 0;
	}
	return 0;
}

/* The Authorization value: the token file (re-read each time, EKS rotates
 * it) wins over AWS_CONTAINER_AUTHORIZATION_TOKEN.  *tok NULL: none. */
static int
container_token(struct uktv_awsconf *c, char **tok, struct uktv_error *err)
{
	const char *file = env_get(c, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *v;
	char *text, *t;
	int rc;

	*tok = NULL;
	if (file != NULL) {
		rc = slurp(file, MAX_TOKEN_FILE, &text, NULL, err);
		if (rc == 0)
			return uktv_error_set(err, UKTV_ERR_CONFIG,
			    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s does not "
			    "exist", file);
		if (rc == -1) {
			uktv_error_prefix(err,
			    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
			if (err != NULL)
				err->kind = UKTV_ERR_CONFIG;
			return -1;
		}
		/* A file written by echo ends in a newline: not part of it. */
		t = trim(text);
		*tok = strdup(t);
		explicit_bzero(text, strlen(text));
		free(text);
	} else if ((v = env_get(c, "AWS_CONTAINER_AUTHORIZATION_TOKEN")) != NULL)
		*tok = strdup(v);
	else
		return 0;
	if (*tok == NULL)
		return oom(err);
	if (strpbrk(*tok, "\r\n") != NULL) {
		wipe_free(*tok);
		*tok = NULL;
		return uktv_error_set(err, UKTV_ERR_CONFIG, "the container "
		    "authorization token is not a legal header value");
	}
	return 0;
}

static void
response_wipe(struct uktv_http_response *r)
{
	if (r->body != NULL)
		explicit_bzero(r->body, r->body_len);
	uktv_http_response_free(r);
}

static int
from_container(struct uktv_awsconf *c, struct uktv_http *http,
    struct uktv_creds *out, struct uktv_error *err)
{
	const char *rel = env_get(c, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = env_get(c, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
	struct uktv_http_opts hopts = { 0 };
	struct uktv_http_response resp = { 0 };
	struct uktv_http *own = NULL;
	struct uktv_header hdr;
	const char *why;
	char *url = NULL, *tok = NULL;
	int rc = -1;

	if (rel == NULL && full == NULL)
		return 0;
	c->fetches++;
	if (rel != NULL) {
		if (asprintf(&url, "%s%s", CONTAINER_HOST, rel) == -1)
			return oom(err);
	} else {
		if (!container_host_allowed(full))
			return uktv_error_set(err, UKTV_ERR_CONFIG,
			    "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, "
			    "or http to a loopback address, 169.254.170.2, "
			    "169.254.170.23 or fd00:ec2::23");
		if ((url = strdup(full)) == NULL)
			return oom(err);
	}
	if (container_token(c, &tok, err) == -1)
		goto done;
	if (http == NULL) {
		hopts.connect_timeout_ms = CONTAINER_TIMEOUT_MS;
		hopts.read_timeout_ms = CONTAINER_TIMEOUT_MS;
		if ((own = uktv_http_new(&hopts, err)) == NULL)
			goto done;
		http = own;
	}
	hdr.name = "Authorization";
	hdr.value = tok;
	if (uktv_http_request(http, "GET", url, &hdr, tok != NULL ? 1 : 0,
	    NULL, 0, &resp, err) == -1) {
		uktv_error_prefix(err, "container credentials");
		goto done;
	}
	if (resp.status != 200) {
		uktv_error_set(err, resp.status >= 500 ? UKTV_ERR_UNAVAILABLE :
		    UKTV_ERR_CONFIG, "container credentials endpoint answered "
		    "HTTP %ld", resp.status);
		if (err != NULL) {
			err->http_status = resp.status;
			err->retryable = resp.status >= 500;
		}
		goto done;
	}
	if (creds_from_json(resp.body, resp.body_len, "Token", 0, "container",
	    out, &why, err) == -1) {
		if (err == NULL || err->kind != UKTV_ERR_INTERNAL)
			uktv_error_set(err, UKTV_ERR_CONFIG, "container "
			    "credentials endpoint sent no credentials (%s)", why);
		goto done;
	}
	rc = 1;
done:
	response_wipe(&resp);
	uktv_http_free(own);
	wipe_free(tok);
	free(url);
	return rc;
}

/* One IMDS request; -1 only for a transport failure. */
static int
imds_request(struct uktv_http *http, const char *method, const char *base,
    const char *path, const char *token, struct uktv_http_response *resp)
{
	struct uktv_error lerr;
	struct uktv_header hdr;
	char *url;
	int rc;

	if (asprintf(&url, "%s%s", base, path) == -1)
		return -1;
	if (strcmp(method, "PUT") == 0) {
		hdr.name = "X-aws-ec2-metadata-token-ttl-seconds";
		hdr.value = IMDS_TOKEN_TTL;
	} else {
		hdr.name = "X-aws-ec2-metadata-token";
		hdr.value = (char *)token;
	}
	uktv_error_clear(&lerr);
	rc = uktv_http_request(http, method, url, &hdr,
	    hdr.value != NULL ? 1 : 0, NULL, 0, resp, &lerr);
	free(url);
	return rc;
}

/*
 * EC2 instance metadata, IMDSv2 (SDK reference guide, "IMDS credential
 * provider"): PUT a session token, GET the role name, GET its credentials.
 * Like botocore, a PUT answered 403/404/405 falls back to IMDSv1 unless
 * ec2_metadata_v1_disabled.  IMDS is the end of the chain, so nothing found
 * there is not an error of its own: why says what happened, for the
 * "no credentials" message.
 */
static int
from_imds(struct uktv_awsconf *c, struct uktv_creds *out, char *why,
    size_t whylen, struct uktv_error *err)
{
	struct uktv_http_opts hopts = { 0 };
	struct uktv_http_response resp = { 0 };
	struct uktv_http *http;
	const char *v, *from, *bad;
	char *base = NULL, *token = NULL, *role = NULL, *erole = NULL;
	char *path = NULL;
	int rc = 0;

	if (is_true(env_get(c, "AWS_EC2_METADATA_DISABLED"))) {
		snprintf(why, whylen, "disabled by AWS_EC2_METADATA_DISABLED");
		return 0;
	}
	if ((v = setting(c, "AWS_EC2_METADATA_SERVICE_ENDPOINT",
	    "ec2_metadata_service_endpoint", &from)) == NULL) {
		v = setting(c, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
		    "ec2_metadata_service_endpoint_mode", &from);
		v = v != NULL && strcasecmp(v, "IPv6") == 0 ?
		    IMDS_DEFAULT_IPV6 : IMDS_DEFAULT;
	}
	if ((base = endpoint_dup(v, err)) == NULL)
		return -1;
	c->fetches++;
	hopts.connect_timeout_ms = IMDS_TIMEOUT_MS;
	hopts.read_timeout_ms = IMDS_TIMEOUT_MS;
	if ((http = uktv_http_new(&hopts, err)) == NULL) {
		free(base);
		return -1;
	}

	if (imds_request(http, "PUT", base, "/latest/api/token", NULL,
	    &resp) == -1) {
		snprintf(why, whylen, "unreachable at %s", base);
		goto done;
	}
	if (resp.status == 200) {
		if ((token = strdup(trim(resp.body))) == NULL)
			goto nomem;
	} else if (resp.status == 403 || resp.status == 404 ||
	    resp.status == 405) {
		if (is_true(setting(c, "AWS_EC2_METADATA_V1_DISABLED",
		    "ec2_metadata_v1_disabled", &from))) {
			snprintf(why, whylen, "no IMDSv2 token (HTTP %ld) and "
			    "IMDSv1 disabled", resp.status);
			goto done;
		}
	} else {
		snprintf(why, whylen, "token request answered HTTP %ld",
		    resp.status);
		goto done;
	}
	response_wipe(&resp);

	if (imds_request(http, "GET", base, IMDS_CREDS_PATH, token,
	    &resp) == -1) {
		snprintf(why, whylen, "unreachable at %s", base);
		goto done;
	}
	if (resp.status != 200) {
		if (resp.status == 404)
			snprintf(why, whylen, "no instance role");
		else
			snprintf(why, whylen, "role request answered HTTP %ld",
			    resp.status);
		goto done;
	}
	/* One role per instance profile: the first line. */
	resp.body[strcspn(resp.body, "\r\n")] = '\0';
	if ((role = strdup(trim(resp.body))) == NULL)
		goto nomem;
	if (role[0] == '\0') {
		snprintf(why, whylen, "no instance role");
		goto done;
	}
	response_wipe(&resp);
	if ((erole = uktv_http_urlencode(role)) == NULL ||
	    asprintf(&path, "%s%s", IMDS_CREDS_PATH, erole) == -1) {
		path = NULL;
		goto nomem;
	}
	if (imds_request(http, "GET", base, path, token, &resp) == -1) {
		snprintf(why, whylen, "unreachable at %s", base);
		goto done;
	}
	if (resp.status != 200) {
		snprintf(why, whylen, "credentials request answered HTTP %ld",
		    resp.status);
		goto done;
	}
	{
		struct json_object *o = json_tokener_parse(resp.body);
		const char *code = o != NULL ? json_str(o, "Code") : NULL;

		bad = code != NULL && strcmp(code, "Success") != 0 ?
		    "Code is not Success" : NULL;
		json_wipe(o);
		json_object_put(o);
	}
	if (bad == NULL && creds_from_json(resp.body, resp.body_len, "Token",
	    0, "imds", out, &bad, err) == 0)
		rc = 1;
	else if (err != NULL && err->kind == UKTV_ERR_INTERNAL)
		rc = -1;
	else
		snprintf(why, whylen, "unusable credentials for role %s (%s)",
		    role, bad);
	goto done;
nomem:
	rc = oom(err);
done:
	response_wipe(&resp);
	uktv_http_free(http);
	wipe_free(token);
	free(role);
	free(erole);
	free(path);
	free(base);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Assume role, web identity, SSO                                    */
/* ---------------------------------------------------------------- */

/* Profiles in one source_profile chain; loops are caught long before. */
#define MAX_ROLE_CHAIN		16
/* DurationSeconds: 15 min to 12 h (STS AssumeRole API reference). */
#define MIN_ROLE_DURATION	900
#define MAX_ROLE_DURATION	43200
#define MAX_WEB_TOKEN_FILE	(64L * 1024)

struct role_chain {
	const char	*visited[MAX_ROLE_CHAIN];
	size_t		 n;
};

static int	source_creds(struct uktv_awsconf *, struct uktv_http *,
		    const char *, const char *, struct role_chain *,
		    struct uktv_creds *, struct uktv_error *);

/* http, or a handle of our own in *own when the caller gave none. */
static struct uktv_http *
use_http(struct uktv_awsconf *c, struct uktv_http *http,
    struct uktv_http **own, struct uktv_error *err)
{
	struct uktv_http_opts o = { 0 };

	if (http != NULL)
		return http;
	if (*own != NULL)
		return *own;
	o.ca_bundle = env_get(c, "AWS_CA_BUNDLE");
	*own = uktv_http_new(&o, err);
	return *own;
}

/* botocore's _has_static_credentials: the profile names an access key. */
static int
has_static(const struct uktv_awsconf *c, const char *profile)
{
	return profile_value(c, profile, "aws_access_key_id") != NULL;
}

/* botocore's AssumeRoleProvider takes a profile with role_arn unless it is
 * configured for web identity (that provider reads role_arn itself). */
static int
is_role_profile(const struct uktv_awsconf *c, const char *profile)
{
	return profile_value(c, profile, "role_arn") != NULL &&
	    profile_value(c, profile, "web_identity_token_file") == NULL;
}

/* The regional STS endpoint of the active region (what the SDKs use, and
 * what AWS recommends); us-east-1 when no region is set at all. */
static char *
sts_endpoint(const struct uktv_awsconf *c, const char **region,
    struct uktv_error *err)
{
	*region = c->region != NULL ? c->region : "us-east-1";
	return service_endpoint(c, &uktv_svc_sts, *region, 0, err);
}

/* RoleSessionName: envname (when given and set), the profile's
 * role_session_name, else one of our own as botocore makes one. */
static int
session_name(const struct uktv_awsconf *c, const char *profile,
    const char *envname, char *buf, size_t len, struct uktv_error *err)
{
	const char *v = envname != NULL ? env_get(c, envname) : NULL;

	if (v == NULL)
		v = profile_value(c, profile, "role_session_name");
	if (v == NULL) {
		snprintf(buf, len, "uktv-session-%lld", (long long)time(NULL));
		return 0;
	}
	if (!uktv_sts_session_name_valid(v))
		return uktv_error_set(err, UKTV_ERR_CONFIG,
		    "profile \"%s\": role_session_name \"%s\" is not 2 to %d "
		    "characters of A-Z a-z 0-9 + = , . @ _ -", profile, v,
		    UKTV_STS_SESSION_NAME_MAX);
	strlcpy(buf, v, len);
	return 0;
}

static int
role_duration(const struct uktv_awsconf *c, const char *profile, long *out,
    struct uktv_error *err)
{
	const char *v = profile_value(c, profile, "duration_seconds"), *e = NULL;
	long long n;

	*out = 0;
	if (v == NULL)
		return 0;
	n = strtonum(v, MIN_ROLE_DURATION, MAX_ROLE_DURATION, &e);
	if (e != NULL)
		return uktv_error_set(err, UKTV_ERR_CONFIG,
		    "profile \"%s\": duration_seconds \"%s\" is not a number of "
		    "seconds from %d to %d", profile, v, MIN_ROLE_DURATION,
		    MAX_ROLE_DURATION);
	*out = (long)n;
	return 0;
}

static void
copy_err(struct uktv_error *dst, const struct uktv_error *src)
{
	if (dst != NULL)
		*dst = *src;
}

/*
 * Web identity (SDK reference guide, "Assume role credential provider",
 * web identity): a token file and a role ARN, from AWS_WEB_IDENTITY_TOKEN_FILE,
 * AWS_ROLE_ARN and AWS_ROLE_SESSION_NAME (each variable winning over the
 * profile's key, as in botocore; not when use_env is 0: --profile, or a
 * source profile) or the profile's web_identity_token_file, role_arn and
 * role_session_name.  The file is read on every fetch: EKS and other
 * issuers rotate it.
 */
static int
from_web_identity(struct uktv_awsconf *c, struct uktv_http *http,
    const char *profile, int use_env, struct uktv_creds *out,
    struct uktv_error *err)
{
	struct uktv_sts_request req = { 0 };
	struct uktv_http *own = NULL;
	const char *file = NULL, *arn = NULL, *region;
	char name[UKTV_STS_SESSION_NAME_MAX + 1], *path = NULL, *text = NULL;
	char *endpoint = NULL, *tok;
	int rc = -1, r;

	if (use_env) {
		file = env_get(c, "AWS_WEB_IDENTITY_TOKEN_FILE");
		arn = env_get(c, "AWS_ROLE_ARN");
	}
	if (file == NULL)
		file = profile_value(c, profile, "web_identity_token_file");
	if (file == NULL)
		return 0;
	if (arn == NULL)
		arn = profile_value(c, profile, "role_arn");
	c->fetches++;
	if (arn == NULL)
		return uktv_error_set(err, UKTV_ERR_CONFIG,
		    "profile \"%s\": a web identity token file is set (%s) but "
		    "no role: set role_arn in the profile or AWS_ROLE_ARN",
		    profile, file);
	if (session_name(c, profile, use_env ? "AWS_ROLE_SESSION_NAME" : NULL,
	    name, sizeof(name), err) == -1 ||
	    role_duration(c, profile, &req.duration_seconds, err) == -1)
		return -1;
	if ((path = expand_home(file, c->home)) == NULL)
		return oom(err);
	if ((r = slurp(path, MAX_WEB_TOKEN_FILE, &text, NULL, err)) <= 0) {
		if (r == 0)
			uktv_error_set(err, UKTV_ERR_CONFIG, "profile \"%s\": "
			    "web identity token file %s does not exist",
			    profile, path);
		else if (err != NULL)
			err->kind = UKTV_ERR_CONFIG;
		goto done;
	}
	/* A file written by echo ends in a newline: not part of the token. */
	tok = trim(text);
	if (*tok == '\0') {
		uktv_error_set(err, UKTV_ERR_CONFIG, "profile \"%s\": web "
		    "identity token file %s is empty", profile, path);
		goto done;
	}
	if ((endpoint = sts_endpoint(c, &region, err)) == NULL ||
	    (http = use_http(c, http, &own, err)) == NULL)
		goto done;
	req.endpoint = endpoint;
	req.region = region;
	req.role_arn = arn;
	req.role_session_name = name;
	req.web_identity_token = tok;
	if (uktv_sts_assume_role_with_web_identity(http, &req, out, err) == -1) {
		uktv_error_prefix(err, "profile \"%s\": web identity role %s",
		    profile, arn);
		goto done;
	}
	rc = 1;
done:
	if (text != NULL) {
		explicit_bzero(text, strlen(text));
		free(text);
	}
	uktv_http_free(own);
	free(endpoint);
	free(path);
	return rc;
}

/* The one line an SSO user needs: what is wrong and the command that
 * fixes it.  Never the token. */
static int
sso_login_needed(const char *profile, const char *what,
    struct uktv_error *err)
{
	return uktv_error_set(err, UKTV_ERR_NOPERM, "profile \"%s\": %s; run "
	    "\"aws sso login --profile %s\"", profile, what, profile);
}

/*
 * IAM Identity Center (SDK reference guide, "IAM Identity Center credential
 * provider"; botocore's SSOProvider): a profile with any of sso_start_url,
 * sso_region, sso_account_id, sso_role_name, either with sso_session (start
 * URL and region from [sso-session NAME], token cached under the session
 * name's SHA-1, refreshed through SSO-OIDC within 15 minutes of expiry) or
 * in the legacy form (all four in the profile, token cached under the start
 * URL's SHA-1, never refreshed: `aws sso login` is the only way).
 */
static int
from_sso(struct uktv_awsconf *c, struct uktv_http *http, const char *profile,
    struct uktv_creds *out, struct uktv_error *err)
{
	static const char *const keys[] = {
		"sso_start_url", "sso_region", "sso_account_id", "sso_role_name"
	};
	struct uktv_sso_token tok = { 0 };
	struct uktv_http *own = NULL;
	struct uktv_error lerr, werr;
	const char *session, *vals[4];
	char missing[128] = "", what[sizeof(lerr.message) + 64];
	char *path = NULL, *portal = NULL;
	char *oidc = NULL;
	time_t now = time(NULL);
	int rc = -1, any = 0, r;

	for (size_t i = 0; i < 4; i++)
		if ((vals[i] = profile_value(c, profile, keys[i])) != NULL)
			any = 1;
	if (!any)
		return 0;
	c->fetches++;
	if ((session = profile_value(c, profile, "sso_session")) != NULL) {
		if (!ini_has(&c->config, SECT_SSO_SESSION, session))
			return uktv_error_set(err, UKTV_ERR_CONFIG,
			    "profile \"%s\": sso_session \"%s\" has no "
			    "[sso-session %s] section in %s", profile, session,
			    session, c->config.path);
		/* botocore: a key in both must agree; the session's is used. */
		for (size_t i = 0; i < 2; i++) {
			const char *sv = uktv_awsconf_sso_session_get(c,
			    session, keys[i]);

			if (sv != NULL && vals[i] != NULL &&
			    strcmp(sv, vals[i]) != 0)
				return uktv_error_set(err, UKTV_ERR_CONFIG,
				    "profile \"%s\": %s differs between the "
				    "profile and [sso-session %s]", profile,
				    keys[i], session);
			if (sv != NULL)
				vals[i] = sv;
		}
	}
	for (size_t i = 0; i < 4; i++)
		if (vals[i] == NULL) {
			if (missing[0] != '\0')
				strlcat(missing, ", ", sizeof(missing));
			strlcat(missing, keys[i], sizeof(missing));
		}
	if (missing[0] != '\0')
		return uktv_error_set(err, UKTV_ERR_CONFIG, "profile \"%s\" is "
		    "configured for SSO but has no %s", profile, missing);

	if ((path = uktv_sso_cache_path(c->home,
	    session != NULL ? session : vals[0])) == NULL)
		return oom(err);
	uktv_error_clear(&lerr);
	if ((r = uktv_sso_token_read(path, &tok, &lerr)) == 0) {
		sso_login_needed(profile, "not logged in to IAM Identity Center "
		    "(no cached SSO token)", err);
		goto done;
	}
	if (r == -1) {
		if (lerr.kind == UKTV_ERR_INTERNAL) {
			copy_err(err, &lerr);
			goto done;
		}
		snprintf(what, sizeof(what), "the cached SSO token is unusable "
		    "(%s)", lerr.message);
		sso_login_needed(profile, what, err);
		goto done;
	}
	if (session != NULL && now >= tok.expires_at - UKTV_SSO_REFRESH_WINDOW &&
	    uktv_sso_token_refreshable(&tok, now)) {
		if ((http = use_http(c, http, &own, err)) == NULL ||
		    (oidc = service_endpoint(c, &uktv_svc_sso_oidc, vals[1], 0,
		    err)) == NULL)
			goto done;
		uktv_error_clear(&lerr);
		if (uktv_sso_refresh(http, oidc, &tok, now, &lerr) == 0) {
			/* The new token works for this run even when the cache
			 * cannot be rewritten; the next run refreshes again. */
			uktv_error_clear(&werr);
			(void)uktv_sso_token_write(path, &tok, &werr);
		} else if (now >= tok.expires_at) {
			if (lerr.kind != UKTV_ERR_NOPERM &&
			    lerr.kind != UKTV_ERR_SERVICE) {
				/* Unreachable: not the user's login to blame. */
				copy_err(err, &lerr);
				uktv_error_prefix(err, "profile \"%s\"", profile);
				goto done;
			}
			snprintf(what, sizeof(what), "the SSO session has "
			    "expired and could not be refreshed (%s)", lerr.code);
			sso_login_needed(profile, what, err);
			goto done;
		}
		/* Refresh failed but the token is still good: use it. */
	}
	if (now >= tok.expires_at) {
		sso_login_needed(profile, "the SSO session has expired", err);
		goto done;
	}
	if ((http = use_http(c, http, &own, err)) == NULL ||
	    (portal = service_endpoint(c, &uktv_svc_sso, vals[1], 0,
	    err)) == NULL)
		goto done;
	uktv_error_clear(&lerr);
	if (uktv_sso_role_credentials(http, portal, tok.access_token, vals[2],
	    vals[3], out, &lerr) == -1) {
		if (lerr.kind == UKTV_ERR_NOPERM) {
			snprintf(what, sizeof(what), "IAM Identity Center refused "
			    "the SSO session or role %s in account %s (%s)",
			    vals[3], vals[2], lerr.code);
			sso_login_needed(profile, what, err);
		} else {
			copy_err(err, &lerr);
			uktv_error_prefix(err, "profile \"%s\"", profile);
		}
		goto done;
	}
	rc = 1;
done:
	uktv_sso_token_wipe(&tok);
	uktv_http_free(own);
	free(path);
	free(portal);
	free(oidc);
	return rc;
}

/* "a -> b -> a" for a loop message. */
static void
chain_text(const struct role_chain *ch, const char *last, char *buf,
    size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < ch->n; i++) {
		strlcat(buf, ch->visited[i], len);
		strlcat(buf, " -> ", len);
	}
	strlcat(buf, last, len);
}

/*
 * role_arn with source_profile or credential_source (SDK reference guide,
 * "Assume role credential provider"; botocore's AssumeRoleProvider): the
 * source credentials are resolved, then STS AssumeRole is called with them.
 * A profile may name itself as source_profile only when it has static keys;
 * any other repeat is a loop, named with the whole chain.  mfa_serial would
 * need a prompt, which a pipeline cannot answer: refused.
 */
static int
assume_role(struct uktv_awsconf *c, struct uktv_http *http,
    const char *profile, struct role_chain *ch, struct uktv_creds *out,
    struct uktv_error *err)
{
	struct uktv_sts_request req = { 0 };
	struct uktv_creds src = { 0 };
	struct uktv_http *own = NULL;
	const char *arn = profile_value(c, profile, "role_arn");
	const char *sprof = profile_value(c, profile, "source_profile");
	const char *csrc = profile_value(c, profile, "credential_source");
	const char *region;
	char name[UKTV_STS_SESSION_NAME_MAX + 1], loop[512], why[160];
	char *endpoint = NULL;
	int rc = -1, r;

	c->fetches++;
	if (profile_value(c, profile, "mfa_serial") != NULL)
		return uktv_error_set(err, UKTV_ERR_CONFIG, "profile \"%s\" "
		    "has mfa_serial: uktv never prompts for an MFA code (it "
		    "runs in pipelines); use a role without MFA, or put "
		    "session credentials from \"aws sts get-session-token\" in "
		    "the environment", profile);
	if (sprof != NULL && csrc != NULL)
		return uktv_error_set(err, UKTV_ERR_CONFIG, "profile \"%s\" "
		    "has both source_profile and credential_source: keep one",
		    profile);
	if (sprof == NULL && csrc == NULL)
		return uktv_error_set(err, UKTV_ERR_CONFIG, "profile \"%s\" "
		    "has role_arn but neither source_profile nor "
		    "credential_source", profile);
	if (session_name(c, profile, NULL, name, sizeof(name), err) == -1 ||
	    role_duration(c, profile, &req.duration_seconds, err) == -1)
		return -1;
	if (ch->n == MAX_ROLE_CHAIN)
		return uktv_error_set(err, UKTV_ERR_CONFIG, "profile \"%s\": "
		    "more than %d profiles in its source_profile chain",
		    profile, MAX_ROLE_CHAIN);
	ch->visited[ch->n++] = profile;

	if (sprof != NULL) {
		if (!uktv_awsconf_profile_exists(c, sprof))
			return uktv_error_set(err, UKTV_ERR_CONFIG, "profile "
			    "\"%s\": source_profile \"%s\" is not in %s or %s",
			    profile, sprof, c->config.path, c->cred.path);
		for (size_t i = 0; i < ch->n; i++) {
			if (strcmp(ch->visited[i], sprof) != 0)
				continue;
			/* Itself, for its own static keys: allowed. */
			if (strcmp(sprof, profile) == 0 && has_static(c, profile))
				continue;
			chain_text(ch, sprof, loop, sizeof(loop));
			return uktv_error_set(err, UKTV_ERR_CONFIG, "profile "
			    "\"%s\": source_profile loop: %s", ch->visited[0],
			    loop);
		}
		if (source_creds(c, http, sprof, profile, ch, &src, err) == -1)
			return -1;
	} else if (strcmp(csrc, "Environment") == 0) {
		if ((r = from_env(c, &src, err)) == -1)
			return -1;
		if (r == 0)
			return uktv_error_set(err, UKTV_ERR_CONFIG, "profile "
			    "\"%s\": credential_source Environment, but "
			    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not "
			    "set", profile);
	} else if (strcmp(csrc, "EcsContainer") == 0) {
		if ((r = from_container(c, http, &src, err)) == -1)
			return -1;
		if (r == 0)
			return uktv_error_set(err, UKTV_ERR_CONFIG, "profile "
			    "\"%s\": credential_source EcsContainer, but "
			    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI "
			    "are not set", profile);
	} else if (strcmp(csrc, "Ec2InstanceMetadata") == 0) {
		strlcpy(why, "no answer", sizeof(why));
		if ((r = from_imds(c, &src, why, sizeof(why), err)) == -1)
			return -1;
		if (r == 0)
			return uktv_error_set(err, UKTV_ERR_CONFIG, "profile "
			    "\"%s\": credential_source Ec2InstanceMetadata, but "
			    "instance metadata gave no credentials (%s)",
			    profile, why);
	} else
		return uktv_error_set(err, UKTV_ERR_CONFIG, "profile \"%s\": "
		    "credential_source \"%s\" is not Environment, "
		    "Ec2InstanceMetadata or EcsContainer", profile, csrc);

	if ((endpoint = sts_endpoint(c, &region, err)) == NULL ||
	    (http = use_http(c, http, &own, err)) == NULL)
		goto done;
	req.endpoint = endpoint;
	req.region = region;
	req.role_arn = arn;
	req.role_session_name = name;
	req.external_id = profile_value(c, profile, "external_id");
	if (uktv_sts_assume_role(http, &req, &src, out, err) == -1) {
		uktv_error_prefix(err, "profile \"%s\": assume role %s", profile,
		    arn);
		goto done;
	}
	rc = 1;
done:
	uktv_creds_wipe(&src);
	uktv_http_free(own);
	free(endpoint);
	return rc;
}

/*
 * The credentials of a source_profile (botocore's
 * _resolve_credentials_from_profile): a profile with static keys, or one
 * that is not a role profile, goes through the profile providers (web
 * identity, SSO, credentials file, credential_process, config file; no
 * environment); a role profile is assumed in turn.  0 or -1.
 */
static int
source_creds(struct uktv_awsconf *c, struct uktv_http *http, const char *name,
    const char *parent, struct role_chain *ch, struct uktv_creds *out,
    struct uktv_error *err)
{
	int rc;

	if (!has_static(c, name) && is_role_profile(c, name))
		return assume_role(c, http, name, ch, out, err) == 1 ? 0 : -1;
	rc = from_web_identity(c, http, name, 0, out, err);
	if (rc == 0)
		rc = from_sso(c, http, name, out, err);
	if (rc == 0)
		rc = from_static(c, &c->cred, name, out, err);
	if (rc == 0)
		rc = from_process(c, name, out, err);
	if (rc == 0)
		rc = from_static(c, &c->config, name, out, err);
	if (rc == 0)
		return uktv_error_set(err, UKTV_ERR_CONFIG, "profile \"%s\": its "
		    "source_profile \"%s\" has no credentials", parent, name);
	return rc < 0 ? -1 : 0;
}

/*
 * The profile providers botocore runs before the profile's static keys:
 * assume role, web identity (with the environment's variables unless
 * --profile was given), SSO.  One resolution counts as one fetch, however
 * many profiles and calls its chain took.  1 with out filled, 0 when the
 * profile has none of them, -1 with err.
 */
static int
from_profile_role(struct uktv_awsconf *c, struct uktv_http *http,
    struct uktv_creds *out, struct uktv_error *err)
{
	struct role_chain ch = { .n = 0 };
	long before = c->fetches;
	int rc;

	if (is_role_profile(c, c->profile))
		rc = assume_role(c, http, c->profile, &ch, out, err);
	else {
		rc = from_web_identity(c, http, c->profile, !c->profile_flag,
		    out, err);
		if (rc == 0)
			rc = from_sso(c, http, c->profile, out, err);
	}
	if (c->fetches != before)
		c->fetches = before + 1;
	return rc;
}

/* The chain, in order; 0 with out filled, -1 with err. */
static int
resolve(struct uktv_awsconf *c, struct uktv_http *http,
    struct uktv_creds *out, struct uktv_error *err)
{
	char imds_why[160] = "no answer";
	int rc = 0;

	if (!c->profile_flag)
		rc = from_env(c, out, err);
	if (rc == 0)
		rc = from_profile_role(c, http, out, err);
	if (rc == 0)
		rc = from_static(c, &c->cred, c->profile, out, err);
	if (rc == 0)
		rc = from_process(c, c->profile, out, err);
	if (rc == 0)
		rc = from_static(c, &c->config, c->profile, out, err);
	if (rc == 0)
		rc = from_container(c, http, out, err);
	if (rc == 0)
		rc = from_imds(c, out, imds_why, sizeof(imds_why), err);
	if (rc > 0)
		return 0;
	if (rc < 0)
		return -1;
	return uktv_error_set(err, UKTV_ERR_CONFIG,
	    "no AWS credentials for profile \"%s\": looked in %s%s and %s, "
	    "container credentials (AWS_CONTAINER_CREDENTIALS_*_URI unset) "
	    "and EC2 instance metadata (%s)", c->profile,
	    c->profile_flag ? "" : "AWS_ACCESS_KEY_ID, ", c->cred.path,
	    c->config.path, imds_why);
}

static int
needs_refresh(const struct uktv_awsconf *c, time_t now)
{
	return c->creds.expiration != 0 &&
	    now >= c->creds.expiration - (time_t)c->refresh_margin;
}

const struct uktv_creds *
uktv_awsconf_credentials(struct uktv_awsconf *c, struct uktv_http *http,
    struct uktv_error *err)
{
	struct uktv_creds fresh;
	struct uktv_error lerr;
	time_t now = time(NULL);

	if (c->have_creds && !needs_refresh(c, now))
		return &c->creds;
	memset(&fresh, 0, sizeof(fresh));
	uktv_error_clear(&lerr);
	if (resolve(c, http, &fresh, &lerr) == 0) {
		uktv_creds_wipe(&c->creds);
		c->creds = fresh;
		c->have_creds = 1;
		return &c->creds;
	}
	uktv_creds_wipe(&fresh);
	/* A failed early refresh keeps credentials that have not yet expired,
	 * as the SDKs do inside their advisory window. */
	if (c->have_creds && now < c->creds.expiration)
		return &c->creds;
	uktv_creds_wipe(&c->creds);
	c->have_creds = 0;
	if (err != NULL)
		*err = lerr;
	return NULL;
}

void
uktv_awsconf_set_refresh_margin(struct uktv_awsconf *c, long seconds)
{
	c->refresh_margin = seconds < 0 ? 0 : seconds;
}

long
uktv_awsconf_refresh_margin(const struct uktv_awsconf *c)
{
	return c->refresh_margin;
}

long
uktv_awsconf_credential_fetches(const struct uktv_awsconf *c)
{
	return c->fetches;
}
