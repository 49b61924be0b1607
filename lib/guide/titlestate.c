/*
 * titlestate.c: see titlestate.h.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "time.h"
#include "parse.h"
#include "ndjson.h"
#include "fileio.h"
#include "items.h"
#include "titlestate.h"
#include "strbuf.h"
#include "private/sorted.h"
#include "private/titlestate.h"

/* A state line holds one title and its pairs: a few hundred bytes; the
 * bound only keeps a damaged file from eating memory. */
#define STATE_MAX_LINE	((size_t)1 << 20)
#define HEADER_KEY	"uktv_titles_state"

static int
oom(struct uktv_error *err)
{
	return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
}

void
uktv_titlestate_init(struct uktv_titlestate *st)
{
	memset(st, 0, sizeof(*st));
}

static void
title_free(struct uktv_titlestate_title *t)
{
	uktv_titlestate_pairs_free(t->pairs, t->npairs);
	t->pairs = NULL;
	t->npairs = 0;
}

void
uktv_titlestate_clear(struct uktv_titlestate *st)
{
	for (size_t i = 0; i < st->ntitles; i++)
		title_free(&st->titles[i]);
	free(st->titles);
	free(st->pairs);
	free(st->query);
	memset(st, 0, sizeof(*st));
}

void
uktv_titlestate_pairs_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* ---- keys ---- */

int
uktv_titlestate_id_valid(const char *s)
{
	size_t n;

	if (s == NULL || (n = strspn(s, "0123456789")) == 0 || s[n] != '\0' ||
	    n > UKTV_TITLESTATE_ID_MAX)
		return 0;
	/* Canonical ids only ("0" itself is no Watchmode id either). */
	return s[0] != '0';
}

int
uktv_titlestate_pair_key(const char *source, const char *genre, char *buf,
    size_t len)
{
	if (!uktv_titlestate_id_valid(source) || !uktv_titlestate_id_valid(genre))
		return -1;
	if ((size_t)snprintf(buf, len, "%s:%s", source, genre) >= len)
		return -1;
	return 0;
}

int
uktv_titlestate_pair_split(const char *key, char *source, char *genre)
{
	const char *colon;
	size_t n;

	if (key == NULL || (colon = strchr(key, ':')) == NULL)
		return -1;
	n = (size_t)(colon - key);
	if (n == 0 || n > UKTV_TITLESTATE_ID_MAX)
		return -1;
	memcpy(source, key, n);
	source[n] = '\0';
	if (strlen(colon + 1) > UKTV_TITLESTATE_ID_MAX)
		return -1;
	strlcpy(genre, colon + 1, UKTV_TITLESTATE_ID_MAX + 1);
	if (!uktv_titlestate_id_valid(source) || !uktv_titlestate_id_valid(genre))
		return -1;
	return 0;
}

static int
key_valid(const char *key)
{
	char s[UKTV_TITLESTATE_ID_MAX + 1], g[UKTV_TITLESTATE_ID_MAX + 1];

	return uktv_titlestate_pair_split(key, s, g) == 0;
}

int
uktv_titlestate_pair_cmp(const char *a, const char *b)
{
	char sa[UKTV_TITLESTATE_ID_MAX + 1], ga[UKTV_TITLESTATE_ID_MAX + 1];
	char sb[UKTV_TITLESTATE_ID_MAX + 1], gb[UKTV_TITLESTATE_ID_MAX + 1];
	int c;

	/* Keys that are not pair keys sort by bytes, after nothing in
	 * particular: consistent, which is all a sort needs. */
	if (uktv_titlestate_pair_split(a, sa, ga) == -1 ||
	    uktv_titlestate_pair_split(b, sb, gb) == -1)
		return strcmp(a, b);
	if ((c = uktv_cmp_decimal(sa, sb)) != 0)
		return c;
	return uktv_cmp_decimal(ga, gb);
}

static int
pair_ptr_cmp(const void *a, const void *b)
{
	return uktv_titlestate_pair_cmp(*(char *const *)a, *(char *const *)b);
}

/* ---- entries ---- */

int
uktv_titlestate_set_query(struct uktv_titlestate *st, const char *q)
{
	char *dup = NULL;

	if (q != NULL && (dup = strdup(q)) == NULL)
		return -1;
	free(st->query);
	st->query = dup;
	return 0;
}

static int
pair_key_cmp(const void *elem, const void *key)
{
	return uktv_titlestate_pair_cmp(
	    ((const struct uktv_titlestate_pair *)elem)->key, key);
}

static size_t
pair_at(const struct uktv_titlestate *st, const char *key, int *found)
{
	return uktv_sorted_at(st->pairs, st->npairs, sizeof(*st->pairs), key,
	    pair_key_cmp, found);
}

struct uktv_titlestate_pair *
uktv_titlestate_pair_find(const struct uktv_titlestate *st, const char *key)
{
	size_t at;
	int found;

	at = pair_at(st, key, &found);
	return found ? &st->pairs[at] : NULL;
}

struct uktv_titlestate_pair *
uktv_titlestate_pair_put(struct uktv_titlestate *st, const char *key)
{
	struct uktv_titlestate_pair *p;
	void *v = st->pairs;
	size_t at;
	int found;

	if (!key_valid(key))
		return NULL;
	at = pair_at(st, key, &found);
	if (found)
		return &st->pairs[at];
	p = uktv_sorted_insert(&v, &st->npairs, &st->pairs_cap, sizeof(*p), at, 16);
	st->pairs = v;
	if (p == NULL)
		return NULL;
	strlcpy(p->key, key, sizeof(p->key));
	p->pages = -1;
	return p;
}

int
uktv_titlestate_pair_remove(struct uktv_titlestate *st, const char *key)
{
	size_t at;
	int found;

	at = pair_at(st, key, &found);
	if (!found)
		return 0;
	uktv_sorted_remove(st->pairs, &st->npairs, sizeof(*st->pairs), at);
	return 1;
}

static int
title_id_cmp(const void *elem, const void *id)
{
	return uktv_cmp_decimal(((const struct uktv_titlestate_title *)elem)->id,
	    id);
}

/* Titles are mostly added in id order: the end is tried first. */
static size_t
title_at(const struct uktv_titlestate *st, const char *id, int *found)
{
	return uktv_sorted_at(st->titles, st->ntitles, sizeof(*st->titles), id,
	    title_id_cmp, found);
}

struct uktv_titlestate_title *
uktv_titlestate_title_find(const struct uktv_titlestate *st, const char *id)
{
	size_t at;
	int found;

	if (!uktv_titlestate_id_valid(id))
		return NULL;
	at = title_at(st, id, &found);
	return found ? &st->titles[at] : NULL;
}

struct uktv_titlestate_title *
uktv_titlestate_title_put(struct uktv_titlestate *st, const char *id)
{
	struct uktv_titlestate_title *t;
	void *v = st->titles;
	size_t at;
	int found;

	if (!uktv_titlestate_id_valid(id))
		return NULL;
	at = title_at(st, id, &found);
	if (found)
		return &st->titles[at];
	t = uktv_sorted_insert(&v, &st->ntitles, &st->titles_cap, sizeof(*t), at, 256);
	st->titles = v;
	if (t == NULL)
		return NULL;
	strlcpy(t->id, id, sizeof(t->id));
	return t;
}

int
uktv_titlestate_title_remove(struct uktv_titlestate *st, const char *id)
{
	size_t at;
	int found;

	if (!uktv_titlestate_id_valid(id))
		return 0;
	at = title_at(st, id, &found);
	if (!found)
		return 0;
	title_free(&st->titles[at]);
	uktv_sorted_remove(st->titles, &st->ntitles, sizeof(*st->titles), at);
	return 1;
}

/* A sorted, distinct copy of v[0..n); -1 on OOM or a bad key. */
static int
pairs_copy(const char *const *v, size_t n, char ***out, size_t *nout)
{
	char **c;
	size_t k = 0;

	*out = NULL;
	*nout = 0;
	if (n == 0)
		return 0;
	if ((c = calloc(n, sizeof(*c))) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!key_valid(v[i]) || (c[i] = strdup(v[i])) == NULL) {
			uktv_titlestate_pairs_free(c, n);
			return -1;
		}
	}
	uktv_qsort(c, n, sizeof(*c), pair_ptr_cmp);
	for (size_t i = 0; i < n; i++) {
		if (k > 0 && strcmp(c[k - 1], c[i]) == 0) {
			free(c[i]);
			continue;
		}
		c[k++] = c[i];
	}
	*out = c;
	*nout = k;
	return 0;
}

int
uktv_titlestate_title_set_pairs(struct uktv_titlestate_title *t,
    const char *const *pairs, size_t n)
{
	char **c;
	size_t nc;

	if (pairs_copy(pairs, n, &c, &nc) == -1)
		return -1;
	title_free(t);
	t->pairs = c;
	t->npairs = nc;
	return 0;
}

/* ---- the file ---- */

static int
get_time(struct json_object *o, const char *name, long long *ms)
{
	const char *s = uktv_items_json_str(o, name);

	*ms = 0;
	if (s == NULL)
		return json_object_object_get_ex(o, name, NULL) ? -1 : 0;
	/* Only the ISO 8601 form this file is written in, not "-1h". */
	if (!isdigit((unsigned char)*s) || uktv_time_parse(s, 0, ms) == -1)
		return -1;
	return 0;
}

static int
bad_line(struct uktv_error *err, const char *name, unsigned long long lineno,
    const char *why)
{
	return uktv_error_set(err, UKTV_ERR_INPUT, "state file %s line %llu: %s",
	    name, lineno, why);
}

static int
read_header(struct uktv_titlestate *st, struct json_object *o,
    const char *name, unsigned long long lineno, struct uktv_error *err)
{
	struct json_object *v;
	long long ver;

	if (!json_object_object_get_ex(o, HEADER_KEY, &v) ||
	    !json_object_is_type(v, json_type_int))
		return bad_line(err, name, lineno, "not a uktv-titles state file "
		    "(no \"" HEADER_KEY "\" header)");
	if ((ver = json_object_get_int64(v)) > UKTV_TITLESTATE_VERSION || ver < 1)
		return bad_line(err, name, lineno, "state format version not "
		    "known to this uktv-titles (written by a newer one?)");
	if (uktv_titlestate_set_query(st, uktv_items_json_str(o, "query")) == -1)
		return oom(err);
	if (get_time(o, "last_complete", &st->last_complete_ms) == -1)
		return bad_line(err, name, lineno, "last_complete is not a time");
	return 0;
}

static int
read_pair(struct uktv_titlestate *st, struct json_object *o, const char *name,
    unsigned long long lineno, struct uktv_error *err)
{
	struct uktv_titlestate_pair *p;
	struct json_object *v;
	const char *key = uktv_items_json_str(o, "pair");
	long long listed;

	if (!key_valid(key))
		return bad_line(err, name, lineno, "pair is not \"<source>:<genre>\"");
	if (uktv_titlestate_pair_find(st, key) != NULL)
		return bad_line(err, name, lineno, "pair listed twice");
	if (get_time(o, "listed", &listed) == -1)
		return bad_line(err, name, lineno, "listed is not a time");
	if ((p = uktv_titlestate_pair_put(st, key)) == NULL)
		return oom(err);
	p->listed_ms = listed;
	p->complete = json_object_object_get_ex(o, "complete", &v) &&
	    json_object_get_boolean(v);
	if (json_object_object_get_ex(o, "pages", &v) &&
	    json_object_is_type(v, json_type_int))
		p->pages = (long)json_object_get_int64(v);
	return 0;
}

static int
read_title(struct uktv_titlestate *st, struct json_object *o, const char *name,
    unsigned long long lineno, struct uktv_error *err)
{
	struct uktv_titlestate_title *t;
	struct json_object *arr;
	const char *id = uktv_items_json_str(o, "title"), *dg = uktv_items_json_str(o, "digest");
	const char **keys;
	long long emitted;
	size_t n;
	int rc;

	if (!uktv_titlestate_id_valid(id))
		return bad_line(err, name, lineno, "title is not an id");
	if (uktv_titlestate_title_find(st, id) != NULL)
		return bad_line(err, name, lineno, "title listed twice");
	if (dg == NULL || strlen(dg) != UKTV_TITLESTATE_DIGEST_LEN ||
	    strspn(dg, "0123456789abcdef") != UKTV_TITLESTATE_DIGEST_LEN)
		return bad_line(err, name, lineno, "digest is not 64 hex digits");
	if (get_time(o, "emitted", &emitted) == -1)
		return bad_line(err, name, lineno, "emitted is not a time");
	if (!json_object_object_get_ex(o, "pairs", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return bad_line(err, name, lineno, "pairs is not an array");
	n = json_object_array_length(arr);
	if ((keys = calloc(n ? n : 1, sizeof(*keys))) == NULL)
		return oom(err);
	for (size_t i = 0; i < n; i++) {
		struct json_object *k = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(k, json_type_string) ||
		    !key_valid(json_object_get_string(k))) {
			free(keys);
			return bad_line(err, name, lineno,
			    "pairs holds something that is not a pair key");
		}
		keys[i] = json_object_get_string(k);
	}
	if ((t = uktv_titlestate_title_put(st, id)) == NULL) {
		free(keys);
		return oom(err);
	}
	strlcpy(t->digest, dg, sizeof(t->digest));
	t->emitted_ms = emitted;
	rc = uktv_titlestate_title_set_pairs(t, keys, n);
	free(keys);
	return rc == -1 ? oom(err) : 0;
}

int
uktv_titlestate_read(struct uktv_titlestate *st, FILE *fp, const char *name,
    struct uktv_error *err)
{
	struct uktv_ndjson_reader *r;
	struct uktv_ndjson_line ln;
	int rc, header = 0, ret = 0;

	uktv_titlestate_clear(st);
	if ((r = uktv_ndjson_reader_new(fp, STATE_MAX_LINE)) == NULL)
		return oom(err);
	while ((rc = uktv_ndjson_next(r, &ln)) == 1 ||
	    (rc == -1 && errno == EINTR)) {
		if (rc == -1)
			continue;
		if (ln.reject != UKTV_NDJSON_OK) {
			ret = bad_line(err, name, ln.lineno, ln.reason);
			break;
		}
		if (!header) {
			if ((ret = read_header(st, ln.obj, name, ln.lineno,
			    err)) == -1)
				break;
			header = 1;
		} else if (json_object_object_get_ex(ln.obj, "title", NULL))
			ret = read_title(st, ln.obj, name, ln.lineno, err);
		else if (json_object_object_get_ex(ln.obj, "pair", NULL))
			ret = read_pair(st, ln.obj, name, ln.lineno, err);
		else
			ret = bad_line(err, name, ln.lineno,
			    "neither a title nor a pair");
		if (ret == -1)
			break;
	}
	if (ret == 0 && rc == -1)
		ret = uktv_error_set(err, errno == ENOMEM ? UKTV_ERR_INTERNAL :
		    UKTV_ERR_IO, "state file %s: %s", name, strerror(errno));
	/* An empty file (no header) reads as an empty state: it is what an
	 * operator's "> titles.state" leaves, not damage. */
	uktv_ndjson_reader_free(r);
	if (ret == -1)
		uktv_titlestate_clear(st);
	return ret;
}

int
uktv_titlestate_load(struct uktv_titlestate *st, const char *path, int *found,
    struct uktv_error *err)
{
	FILE *fp;
	int rc;

	*found = 0;
	uktv_titlestate_clear(st);
	if ((fp = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return 0;
		return uktv_error_set(err, UKTV_ERR_IO, "cannot open the state "
		    "file %s: %s", path, strerror(errno));
	}
	*found = 1;
	rc = uktv_titlestate_read(st, fp, path, err);
	fclose(fp);
	return rc;
}

/* One line of obj, compact. */
static int
put_line(FILE *fp, struct json_object *obj)
{
	const char *s = json_object_to_json_string_ext(obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	return fputs(s, fp) == EOF || putc('\n', fp) == EOF ? -1 : 0;
}

static void
add_time(struct json_object *o, const char *name, long long ms)
{
	char buf[32];

	if (ms <= 0)
		return;
	uktv_time_format(ms, buf);
	json_object_object_add(o, name, json_object_new_string(buf));
}

int
uktv_titlestate_write(const struct uktv_titlestate *st, FILE *fp,
    long long saved_ms, struct uktv_error *err)
{
	struct json_object *o;
	int bad = 0;

	o = json_object_new_object();
	json_object_object_add(o, HEADER_KEY,
	    json_object_new_int(UKTV_TITLESTATE_VERSION));
	if (st->query != NULL)
		json_object_object_add(o, "query",
		    json_object_new_string(st->query));
	add_time(o, "last_complete", st->last_complete_ms);
	add_time(o, "saved", saved_ms);
	bad |= put_line(fp, o);
	json_object_put(o);

	for (size_t i = 0; i < st->npairs && !bad; i++) {
		const struct uktv_titlestate_pair *p = &st->pairs[i];

		o = json_object_new_object();
		json_object_object_add(o, "pair", json_object_new_string(p->key));
		json_object_object_add(o, "complete",
		    json_object_new_boolean(p->complete));
		if (p->pages >= 0)
			json_object_object_add(o, "pages",
			    json_object_new_int64(p->pages));
		add_time(o, "listed", p->listed_ms);
		bad |= put_line(fp, o);
		json_object_put(o);
	}
	for (size_t i = 0; i < st->ntitles && !bad; i++) {
		const struct uktv_titlestate_title *t = &st->titles[i];
		struct json_object *arr = json_object_new_array();

		o = json_object_new_object();
		json_object_object_add(o, "title", json_object_new_string(t->id));
		json_object_object_add(o, "digest",
		    json_object_new_string(t->digest));
		add_time(o, "emitted", t->emitted_ms);
		for (size_t j = 0; j < t->npairs; j++)
			json_object_array_add(arr, json_object_new_string(t->pairs[j]));
		json_object_object_add(o, "pairs", arr);
		bad |= put_line(fp, o);
		json_object_put(o);
	}
	if (bad)
		return uktv_error_set(err, UKTV_ERR_IO, "cannot write the state: %s",
		    strerror(errno));
	return 0;
}

/* What the messages call the file (fileio.h: "cannot create the state
 * file PATH: ..."). */
#define STATE_FILE	"the state file"

int
uktv_titlestate_check_save(const char *path, struct uktv_error *err)
{
	struct uktv_atomic_file af;

	/* The temporary file save() makes, made and removed. */
	if (uktv_atomic_open(&af, path, 0644, 1, STATE_FILE, err) == -1)
		return -1;
	uktv_atomic_abort(&af);
	return 0;
}

int
uktv_titlestate_save(const struct uktv_titlestate *st, const char *path,
    long long saved_ms, struct uktv_error *err)
{
	struct uktv_atomic_file af;
	int e;

	if (uktv_atomic_open(&af, path, 0644, 1, STATE_FILE, err) == -1)
		return -1;
	if (uktv_titlestate_write(st, af.fp, saved_ms, err) == -1) {
		e = errno;
		uktv_atomic_abort(&af);
		return uktv_error_set(err, UKTV_ERR_IO, "cannot write "
		    STATE_FILE " %s: %s", path, strerror(e));
	}
	return uktv_atomic_commit(&af, err);
}

/* ---- payload digests ---- */

static int
key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
canon(struct uktv_strbuf *b, struct json_object *v, int depth)
{
	const int flags = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE;

	if (depth > UKTV_NDJSON_MAX_DEPTH) {
		b->failed = 1;
		return;
	}
	switch (json_object_get_type(v)) {
	case json_type_object: {
		const char **keys;
		size_t n = (size_t)json_object_object_length(v), i = 0;

		if ((keys = calloc(n ? n : 1, sizeof(*keys))) == NULL) {
			b->failed = 1;
			return;
		}
		json_object_object_foreach(v, k, unused) {
			(void)unused;
			keys[i++] = k;
		}
		uktv_qsort(keys, n, sizeof(*keys), key_cmp);
		uktv_strbuf_add(b, "{");
		for (i = 0; i < n; i++) {
			struct json_object *ks = json_object_new_string(keys[i]);

			if (ks == NULL) {
				b->failed = 1;
				break;
			}
			if (i > 0)
				uktv_strbuf_add(b, ",");
			uktv_strbuf_add(b, json_object_to_json_string_ext(ks, flags));
			json_object_put(ks);
			uktv_strbuf_add(b, ":");
			canon(b, json_object_object_get(v, keys[i]), depth + 1);
		}
		uktv_strbuf_add(b, "}");
		free(keys);
		break;
	}
	case json_type_array:
		uktv_strbuf_add(b, "[");
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			if (i > 0)
				uktv_strbuf_add(b, ",");
			canon(b, json_object_array_get_idx(v, i), depth + 1);
		}
		uktv_strbuf_add(b, "]");
		break;
	case json_type_null:
		uktv_strbuf_add(b, "null");
		break;
	default:
		uktv_strbuf_add(b, json_object_to_json_string_ext(v, flags));
		break;
	}
}

char *
uktv_titlestate_canonical(struct json_object *v)
{
	struct uktv_strbuf b = { 0 };

	canon(&b, v, 0);
	if (b.failed || b.s == NULL) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

int
uktv_titlestate_digest(struct json_object *v,
    char out[UKTV_TITLESTATE_DIGEST_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char *text;
	int ok;

	if ((text = uktv_titlestate_canonical(v)) == NULL)
		return -1;
	ok = EVP_Digest(text, strlen(text), md, &mdlen, EVP_sha256(), NULL);
	free(text);
	if (!ok || mdlen != 32)
		return -1;
	for (unsigned int i = 0; i < mdlen; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[2 * mdlen] = '\0';
	return 0;
}

/* ---- one run ---- */

/* The plan's entry for key, or NULL when the pair is not followed. */
static const struct uktv_titlestate_plan_pair *
uktv_titlestate_plan_find(const struct uktv_titlestate_plan *plan,
    const char *key)
{
	size_t lo = 0, hi = plan->n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = uktv_titlestate_pair_cmp(plan->v[mid].key, key)) == 0)
			return &plan->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Followed, and what it held was not listed again this run. */
static int
carried(const struct uktv_titlestate_plan *plan, const char *key)
{
	const struct uktv_titlestate_plan_pair *p =
	    uktv_titlestate_plan_find(plan, key);

	return p != NULL && p->fate != UKTV_TITLESTATE_LISTED;
}

int
uktv_titlestate_merge(const struct uktv_titlestate *st, const char *id,
    const char *const *seen, size_t nseen,
    const struct uktv_titlestate_plan *plan, char ***out, size_t *nout,
    struct uktv_error *err)
{
	const struct uktv_titlestate_title *t = uktv_titlestate_title_find(st, id);
	const char **all;
	size_t n = 0;
	int rc;

	*out = NULL;
	*nout = 0;
	if ((all = calloc(nseen + (t ? t->npairs : 0) + 1, sizeof(*all))) == NULL)
		return oom(err);
	for (size_t i = 0; i < nseen; i++)
		all[n++] = seen[i];
	for (size_t i = 0; t != NULL && i < t->npairs; i++)
		if (carried(plan, t->pairs[i]))
			all[n++] = t->pairs[i];
	rc = pairs_copy(all, n, out, nout);
	free(all);
	if (rc == -1)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "title %s: out of "
		    "memory, or a pair that is not \"<source>:<genre>\"", id);
	return 0;
}

const char *
uktv_titlestate_verdict_name(enum uktv_titlestate_verdict v)
{
	switch (v) {
	case UKTV_TITLESTATE_UNCHANGED:
		return "unchanged";
	case UKTV_TITLESTATE_NEW:
		return "new";
	case UKTV_TITLESTATE_CHANGED:
		return "changed";
	case UKTV_TITLESTATE_REFRESH:
		return "refresh";
	case UKTV_TITLESTATE_REMOVE:
		return "remove";
	}
	return "?";
}

int
uktv_titlestate_decide(struct uktv_titlestate *st, const char *id,
    const char *digest, const char *const *pairs, size_t npairs,
    const struct uktv_titlestate_plan *plan, struct uktv_error *err)
{
	struct uktv_titlestate_title *t;
	enum uktv_titlestate_verdict v;
	int existed;

	if (digest == NULL || strlen(digest) != UKTV_TITLESTATE_DIGEST_LEN)
		return uktv_error_set(err, UKTV_ERR_INTERNAL,
		    "title %s: not a digest", id);
	existed = uktv_titlestate_title_find(st, id) != NULL;
	if ((t = uktv_titlestate_title_put(st, id)) == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL,
		    "title '%.24s': out of memory or not an id", id);
	if (!existed)
		v = UKTV_TITLESTATE_NEW;
	else if (strcmp(t->digest, digest) != 0)
		v = UKTV_TITLESTATE_CHANGED;
	else if (plan->refresh_ms >= 0 &&
	    plan->now_ms - t->emitted_ms >= plan->refresh_ms)
		v = UKTV_TITLESTATE_REFRESH;
	else
		v = UKTV_TITLESTATE_UNCHANGED;
	if (uktv_titlestate_title_set_pairs(t, pairs, npairs) == -1) {
		/* A new entry without pairs would be swept as gone. */
		if (!existed)
			uktv_titlestate_title_remove(st, id);
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "title %s: out of "
		    "memory, or a pair that is not \"<source>:<genre>\"", id);
	}
	if (v != UKTV_TITLESTATE_UNCHANGED) {
		strlcpy(t->digest, digest, sizeof(t->digest));
		t->emitted_ms = plan->now_ms;
	}
	t->seen = 1;
	return (int)v;
}

long
uktv_titlestate_sweep(struct uktv_titlestate *st,
    const struct uktv_titlestate_plan *plan, long long started_ms,
    uktv_titlestate_remove_fn fn, void *arg, struct uktv_error *err)
{
	long removed = 0;
	size_t i, k;

	/* Titles first: a title gone from every followed pair leaves only
	 * when the run saw every pair to its end. */
	for (i = 0, k = 0; i < st->ntitles; i++) {
		struct uktv_titlestate_title *t = &st->titles[i];
		int keep = t->seen || !plan->complete;

		for (size_t j = 0; !keep && j < t->npairs; j++)
			if (carried(plan, t->pairs[j]))
				keep = 1;
		t->seen = 0;
		if (!keep) {
			if (fn != NULL && fn(t->id, arg) != 0) {
				/* Keep the rest as they are; compact. */
				for (; i < st->ntitles; i++)
					st->titles[k++] = st->titles[i];
				st->ntitles = k;
				return uktv_error_set(err, UKTV_ERR_IO,
				    "could not pass on a removed title");
			}
			title_free(t);
			removed++;
			continue;
		}
		if (k != i)
			st->titles[k] = *t;
		k++;
	}
	st->ntitles = k;

	for (i = 0; i < plan->n; i++) {
		const struct uktv_titlestate_plan_pair *pp = &plan->v[i];
		struct uktv_titlestate_pair *p;
		int known = uktv_titlestate_pair_find(st, pp->key) != NULL;

		if (pp->fate == UKTV_TITLESTATE_CARRIED ||
		    (pp->fate == UKTV_TITLESTATE_PARTIAL && known))
			continue;
		if ((p = uktv_titlestate_pair_put(st, pp->key)) == NULL)
			return oom(err);
		p->complete = pp->fate == UKTV_TITLESTATE_LISTED;
		p->pages = pp->pages;
		p->listed_ms = plan->now_ms;
	}
	if (plan->complete) {
		for (i = 0, k = 0; i < st->npairs; i++) {
			if (uktv_titlestate_plan_find(plan, st->pairs[i].key) == NULL)
				continue;
			st->pairs[k++] = st->pairs[i];
		}
		st->npairs = k;
		st->last_complete_ms = started_ms;
	}
	return removed;
}

size_t
uktv_titlestate_due(const struct uktv_titlestate *st, long long now_ms,
    long long refresh_ms)
{
	size_t n = 0;

	if (refresh_ms < 0)
		return 0;
	for (size_t i = 0; i < st->ntitles; i++)
		if (now_ms - st->titles[i].emitted_ms >= refresh_ms)
			n++;
	return n;
}
