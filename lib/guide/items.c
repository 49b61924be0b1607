/* items.c: see items.h. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "items.h"
#include "private/items.h"

/* Length of the run of digits at s, 0 when none or longer than the id max. */
static size_t
digits(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n <= UKTV_ITEMS_ID_MAX ? n : 0;
}

enum uktv_item_kind
uktv_items_pk_kind(const char *pk)
{
	size_t n;

	if (pk == NULL)
		return UKTV_ITEM_OTHER;
	if (strncmp(pk, "source:", 7) == 0) {
		if ((n = digits(pk + 7)) == 0)
			return UKTV_ITEM_OTHER;
		if (pk[7 + n] == '\0')
			return UKTV_ITEM_SOURCE;
		if (strncmp(pk + 7 + n, ":genre:", 7) == 0) {
			const char *g = pk + 7 + n + 7;
			size_t m = digits(g);

			if (m > 0 && g[m] == '\0')
				return UKTV_ITEM_INDEX;
		}
		return UKTV_ITEM_OTHER;
	}
	if (strncmp(pk, "genre:", 6) == 0)
		return (n = digits(pk + 6)) > 0 && pk[6 + n] == '\0' ?
		    UKTV_ITEM_GENRE : UKTV_ITEM_OTHER;
	if (strncmp(pk, "title:", 6) == 0)
		return (n = digits(pk + 6)) > 0 && pk[6 + n] == '\0' ?
		    UKTV_ITEM_TITLE : UKTV_ITEM_OTHER;
	if (strncmp(pk, "region:", 7) == 0) {
		const char *c = pk + 7;

		for (n = 0; isalnum((unsigned char)c[n]) &&
		    (unsigned char)c[n] < 128; n++)
			;
		return n > 0 && n <= UKTV_ITEMS_REGION_MAX && c[n] == '\0' ?
		    UKTV_ITEM_REGION : UKTV_ITEM_OTHER;
	}
	if (strncmp(pk, "userpref:", 9) == 0)
		return uktv_user_id_valid(pk + 9) ? UKTV_ITEM_USERPREF :
		    UKTV_ITEM_OTHER;
	return UKTV_ITEM_OTHER;
}

const char *
uktv_items_kind_name(enum uktv_item_kind k)
{
	switch (k) {
	case UKTV_ITEM_SOURCE:		return "source";
	case UKTV_ITEM_GENRE:		return "genre";
	case UKTV_ITEM_REGION:		return "region";
	case UKTV_ITEM_INDEX:		return "index";
	case UKTV_ITEM_TITLE:		return "title";
	case UKTV_ITEM_USERPREF:	return "userpref";
	case UKTV_ITEM_OTHER:		break;
	}
	return "other";
}

/*
 * A decimal number as sign, significant digits and a power of ten:
 * "-0012.500e1" is (-1, "125", 0).  Zero is (0, "", 0).  Returns -1 when s is
 * not a number.  digs has room for strlen(s) + 1.
 */
static int
number_norm(const char *s, int *sign, char *digs, long *exp10)
{
	size_t nd = 0;
	long frac = 0, e = 0;
	int any = 0, neg = 0;
	size_t lead;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	for (; isdigit((unsigned char)*s); s++, any = 1)
		digs[nd++] = *s;
	if (*s == '.')
		for (s++; isdigit((unsigned char)*s); s++, any = 1, frac++)
			digs[nd++] = *s;
	if (!any)
		return -1;
	if (*s == 'e' || *s == 'E') {
		char *end;

		e = strtol(s + 1, &end, 10);
		if (end == s + 1 || *end != '\0')
			return -1;
	} else if (*s != '\0')
		return -1;
	digs[nd] = '\0';
	lead = strspn(digs, "0");
	memmove(digs, digs + lead, nd - lead + 1);
	nd -= lead;
	*exp10 = e - frac;
	while (nd > 0 && digs[nd - 1] == '0') {
		digs[--nd] = '\0';
		(*exp10)++;
	}
	if (nd == 0) {
		*sign = 0;
		*exp10 = 0;
	} else
		*sign = neg ? -1 : 1;
	return 0;
}

int
uktv_items_number_equal(const char *a, const char *b)
{
	char *da, *db;
	int sa, sb, eq = 0;
	long ea, eb;

	if (a == NULL || b == NULL)
		return 0;
	if (strcmp(a, b) == 0)
		return 1;
	da = malloc(strlen(a) + 1);
	db = malloc(strlen(b) + 1);
	if (da != NULL && db != NULL &&
	    number_norm(a, &sa, da, &ea) == 0 &&
	    number_norm(b, &sb, db, &eb) == 0)
		eq = sa == sb && ea == eb && strcmp(da, db) == 0;
	free(da);
	free(db);
	return eq;
}

/* The one type/value pair of an AttributeValue, or -1. */
static int
av_split(struct json_object *av, const char **type, struct json_object **val)
{
	struct json_object_iter it;

	if (!json_object_is_type(av, json_type_object) ||
	    json_object_object_length(av) != 1)
		return -1;
	json_object_object_foreachC(av, it) {
		*type = it.key;
		*val = it.val;
	}
	return 0;
}

static int
scalar_equal(const char *type, struct json_object *a, struct json_object *b)
{
	if (strcmp(type, "N") == 0)
		return uktv_items_number_equal(json_object_get_string(a),
		    json_object_get_string(b));
	if (strcmp(type, "BOOL") == 0 || strcmp(type, "NULL") == 0)
		return json_object_get_boolean(a) == json_object_get_boolean(b);
	/* S and B (base64 text) compare as text. */
	return json_object_is_type(a, json_type_string) &&
	    json_object_is_type(b, json_type_string) &&
	    strcmp(json_object_get_string(a), json_object_get_string(b)) == 0;
}

/* Sets: every element of a is in b, and as many of them (sets have no
 * duplicates, so this is set equality). */
static int
set_equal(const char *type, struct json_object *a, struct json_object *b)
{
	const char *et = strcmp(type, "NS") == 0 ? "N" : "S";
	size_t n;

	if (!json_object_is_type(a, json_type_array) ||
	    !json_object_is_type(b, json_type_array) ||
	    (n = json_object_array_length(a)) != json_object_array_length(b))
		return 0;
	for (size_t i = 0; i < n; i++) {
		int found = 0;

		for (size_t j = 0; j < n && !found; j++)
			found = scalar_equal(et, json_object_array_get_idx(a, i),
			    json_object_array_get_idx(b, j));
		if (!found)
			return 0;
	}
	return 1;
}

int
uktv_items_typed_equal(struct json_object *a, struct json_object *b)
{
	const char *ta, *tb;
	struct json_object *va, *vb;

	if (a == NULL || b == NULL)
		return a == b;
	if (av_split(a, &ta, &va) == -1 || av_split(b, &tb, &vb) == -1 ||
	    strcmp(ta, tb) != 0)
		return 0;
	if (strcmp(ta, "M") == 0) {
		if (!json_object_is_type(va, json_type_object) ||
		    !json_object_is_type(vb, json_type_object) ||
		    json_object_object_length(va) != json_object_object_length(vb))
			return 0;
		json_object_object_foreach(va, key, sub) {
			struct json_object *other;

			if (!json_object_object_get_ex(vb, key, &other) ||
			    !uktv_items_typed_equal(sub, other))
				return 0;
		}
		return 1;
	}
	if (strcmp(ta, "L") == 0) {
		size_t n;

		if (!json_object_is_type(va, json_type_array) ||
		    !json_object_is_type(vb, json_type_array) ||
		    (n = json_object_array_length(va)) != json_object_array_length(vb))
			return 0;
		for (size_t i = 0; i < n; i++)
			if (!uktv_items_typed_equal(json_object_array_get_idx(va, i),
			    json_object_array_get_idx(vb, i)))
				return 0;
		return 1;
	}
	if (strcmp(ta, "SS") == 0 || strcmp(ta, "NS") == 0 ||
	    strcmp(ta, "BS") == 0)
		return set_equal(ta, va, vb);
	return scalar_equal(ta, va, vb);
}

const char *
uktv_items_json_str(struct json_object *o, const char *name)
{
	struct json_object *v;

	if (json_object_object_get_ex(o, name, &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

int
uktv_items_json_add(struct json_object *o, const char *key,
    struct json_object *v)
{
	if (v == NULL)
		return -1;
	if (json_object_object_add(o, key, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

int
uktv_items_json_push(struct json_object *a, struct json_object *v)
{
	if (v == NULL)
		return -1;
	if (json_object_array_add(a, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}
