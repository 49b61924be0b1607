/*
 * profile.c: see profile.h.  Profile files are read the way Python's
 * configparser reads them for botocore: "#" and ";" start a comment line (no
 * inline comments), keys are "key = value" or "key: value" and lower-cased,
 * a line indented deeper than its key continues that key, and a key whose
 * value is empty on its own line holds a sub-section
 * ("dynamodb =\n  endpoint_url = ...").  A line that fits none of these is
 * an error, as it is for the CLI.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credentials.h"
#include "profile.h"
#include "secret.h"

static int
oom(struct uktv_error *err)
{
	return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
}

static void
ent_clear(struct uktv_profile_ent *e)
{
	for (size_t i = 0; i < e->nsub; i++)
		ent_clear(&e->sub[i]);
	free(e->sub);
	/* Values may be keys from the credentials file. */
	uktv_secret_free(e->key);
	uktv_secret_free(e->value);
}

void
uktv_profile_clear(struct uktv_profile_file *f)
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
ent_push(struct uktv_profile_ent **arr, size_t *n, const char *key,
    const char *value)
{
	struct uktv_profile_ent *a, *e;

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
sect_push(struct uktv_profile_file *f, const char *hdr, int is_config)
{
	struct uktv_profile_sect *a, *s;
	enum uktv_profile_kind kind = UKTV_PROFILE_OTHER;
	char *name = NULL;
	int match;

	if (!is_config) {
		/* Credentials file: every section is a profile, "[x]". */
		kind = UKTV_PROFILE_PROFILE;
		name = strdup(hdr);
	} else if (strcmp(hdr, "default") == 0) {
		kind = UKTV_PROFILE_PROFILE;
		name = strdup(hdr);
	} else if ((name = qualified_name(hdr, "profile", &match)) != NULL ||
	    match)
		kind = name != NULL ? UKTV_PROFILE_PROFILE : UKTV_PROFILE_OTHER;
	else if ((name = qualified_name(hdr, "sso-session", &match)) != NULL ||
	    match)
		kind = name != NULL ? UKTV_PROFILE_SSO_SESSION : UKTV_PROFILE_OTHER;
	else if ((name = qualified_name(hdr, "services", &match)) != NULL ||
	    match)
		kind = name != NULL ? UKTV_PROFILE_SERVICES : UKTV_PROFILE_OTHER;
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
value_append(struct uktv_profile_ent *e, const char *line)
{
	size_t a = strlen(e->value), b = strlen(line);
	char *v;

	if ((v = malloc(a + b + 2)) == NULL)
		return -1;
	memcpy(v, e->value, a);
	v[a] = '\n';
	memcpy(v + a + 1, line, b + 1);
	uktv_secret_free(e->value);
	e->value = v;
	return 0;
}

/* Parses text (modified in place) into f.  Errors name the line, never its
 * text: the credentials file holds secrets. */
static int
ini_parse(struct uktv_profile_file *f, char *text, int is_config,
    struct uktv_error *err)
{
	struct uktv_profile_sect *sect = NULL;
	struct uktv_profile_ent *ent = NULL;
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
		c = uktv_creds_trim(line);
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
			if (ent_push(&ent->sub, &ent->nsub, uktv_creds_trim(c),
			    uktv_creds_trim(d + 1)) == -1)
				return oom(err);
			continue;
		}
		if (*c == '[') {
			if ((d = strrchr(c, ']')) == NULL)
				return uktv_error_set(err, UKTV_ERR_CONFIG,
				    "%s, line %d: section header without ']'",
				    f->path, lineno);
			*d = '\0';
			if (sect_push(f, uktv_creds_trim(c + 1), is_config) == -1)
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
		c = uktv_creds_trim(c);
		if (*c == '\0')
			return uktv_error_set(err, UKTV_ERR_CONFIG,
			    "%s, line %d: a setting without a name", f->path,
			    lineno);
		/* configparser lower-cases option names (optionxform). */
		for (char *k = c; *k != '\0'; k++)
			*k = tolower((unsigned char)*k);
		if (ent_push(&sect->ents, &sect->nents, c, uktv_creds_trim(d + 1)) == -1)
			return oom(err);
		ent = &sect->ents[sect->nents - 1];
		key_indent = indent;
	}
	return 0;
}

int
uktv_profile_load(struct uktv_profile_file *f, const char *path, int is_config,
    struct uktv_error *err)
{
	char *text;
	size_t len;
	int rc;

	if ((f->path = strdup(path)) == NULL)
		return oom(err);
	if ((rc = uktv_creds_file_read(path, UKTV_PROFILE_FILE_MAX, &text, &len,
	    err)) <= 0)
		return rc;
	rc = ini_parse(f, text, is_config, err);
	explicit_bzero(text, len);
	free(text);
	return rc;
}

int
uktv_profile_has(const struct uktv_profile_file *f, enum uktv_profile_kind kind,
    const char *name)
{
	for (size_t i = 0; i < f->nsects; i++)
		if (f->sects[i].kind == kind && strcmp(f->sects[i].name, name) == 0)
			return 1;
	return 0;
}

/* The last "key" of the last section named so: repeated sections merge and
 * the later value wins. */
const struct uktv_profile_ent *
uktv_profile_find(const struct uktv_profile_file *f,
    enum uktv_profile_kind kind, const char *name, const char *key)
{
	for (size_t i = f->nsects; i > 0; i--) {
		const struct uktv_profile_sect *s = &f->sects[i - 1];

		if (s->kind != kind || strcmp(s->name, name) != 0)
			continue;
		for (size_t j = s->nents; j > 0; j--)
			if (strcmp(s->ents[j - 1].key, key) == 0)
				return &s->ents[j - 1];
	}
	return NULL;
}

/* A plain, non-empty value of one file's profile. */
const char *
uktv_profile_value(const struct uktv_profile_file *f, const char *profile,
    const char *key)
{
	const struct uktv_profile_ent *e;

	e = uktv_profile_find(f, UKTV_PROFILE_PROFILE, profile, key);

	if (e == NULL || e->value == NULL || e->value[0] == '\0')
		return NULL;
	return e->value;
}

char *
uktv_profile_expand_home(const char *path, const char *home)
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
