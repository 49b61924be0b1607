/*
 * fuzz_prefs.c: preferences as users hand them in (lib/guide/prefs.c): NDJSON
 * lines of `uktv-prefs import` and `uktv-titles --prefs-from`
 * (uktv_prefs_load_ndjson), one record's JSON (uktv_prefs_from_json), id
 * lists from the command line, and the key grammar of table items.
 *
 * Input: one byte choosing the parser, then the text.
 *
 * Checks, beyond "no crash, no leak": every line is loaded or rejected
 * with a reason (rejected count = reasons given); loaded lists are sorted
 * and canonical ids; a record printed by uktv_prefs_to_json reads back to
 * the same record; a parsed key prints back to itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "parse.h"
#include "prefs.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_env();
	return 0;
}

static void
on_reject(unsigned long long lineno, const char *reason, void *arg)
{
	FUZZ_CHECK(lineno > 0, "reject without a line number");
	FUZZ_CHECK(reason != NULL && reason[0] != '\0' &&
	    strchr(reason, '\n') == NULL, "reject reason");
	(*(unsigned long *)arg)++;
}

static void
check_lists(const struct uktv_prefs *p)
{
	char canon[UKTV_PREFS_ID_MAX + 1];

	for (int k = 0; k < UKTV_PREFS_NKINDS; k++) {
		const struct uktv_prefs_ids *l = &p->lists[k];

		for (size_t i = 0; i < l->n; i++) {
			FUZZ_CHECK(uktv_prefs_id_canon(l->v[i], canon) == 0 &&
			    strcmp(canon, l->v[i]) == 0, "list id not canonical");
			if (i > 0)
				FUZZ_CHECK(uktv_prefs_id_cmp(l->v[i - 1], l->v[i]) < 0,
				    "list not sorted or not distinct");
		}
	}
}

static void
roundtrip(const struct uktv_prefs *p)
{
	struct json_object *j = uktv_prefs_to_json(p);
	struct uktv_prefs back;
	char why[256];

	FUZZ_CHECK(j != NULL, "to_json failed");
	uktv_prefs_init(&back);
	if (uktv_prefs_from_json(j, 1, &back, why, sizeof(why)) == -1) {
		fprintf(stderr, "%s: %s\n", json_object_to_json_string(j), why);
		FUZZ_CHECK(0, "printed record does not read back");
	}
	for (int k = 0; k < UKTV_PREFS_NKINDS; k++) {
		FUZZ_CHECK(back.lists[k].n == p->lists[k].n, "list length changed");
		for (size_t i = 0; i < p->lists[k].n; i++)
			FUZZ_CHECK(strcmp(back.lists[k].v[i], p->lists[k].v[i]) == 0,
			    "list changed");
	}
	uktv_prefs_clear(&back);
	json_object_put(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned op;
	char *text, why[256];

	if (size < 1)
		return 0;
	op = data[0];
	data++;
	size--;
	if ((text = malloc(size + 1)) == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';

	switch (op & 3) {
	case 0: {
		struct uktv_prefs_set set;
		struct uktv_error err;
		unsigned long rejected = 0, reasons = 0;
		FILE *fp = size > 0 ? fmemopen(text, size, "r") :
		    fopen("/dev/null", "r");

		if (fp == NULL)
			abort();
		uktv_prefs_set_init(&set);
		uktv_error_clear(&err);
		if (uktv_prefs_load_ndjson(fp, (op & 4) ? 64 : 1 << 20, &set,
		    on_reject, &reasons, &rejected, &err) == 0) {
			FUZZ_CHECK(rejected == reasons, "rejected without a reason");
			for (size_t i = 0; i < set.n; i++) {
				FUZZ_CHECK(uktv_user_id_valid(set.v[i].user),
				    "loaded user id not valid");
				if (i > 0)
					FUZZ_CHECK(strcmp(set.v[i - 1].user,
					    set.v[i].user) < 0, "users not in order");
				check_lists(&set.v[i]);
				roundtrip(&set.v[i]);
			}
		}
		uktv_prefs_set_free(&set);
		fclose(fp);
		break;
	}
	case 1: {
		struct json_tokener *tok = json_tokener_new_ex(64);
		struct json_object *j;
		struct uktv_prefs p;

		if (tok == NULL)
			abort();
		j = json_tokener_parse_ex(tok, text, (int)size);
		json_tokener_free(tok);
		uktv_prefs_init(&p);
		if (j != NULL && uktv_prefs_from_json(j, (op >> 2) & 1, &p, why,
		    sizeof(why)) == 0) {
			check_lists(&p);
			if (p.user != NULL)
				roundtrip(&p);
		}
		uktv_prefs_clear(&p);
		json_object_put(j);
		break;
	}
	case 2: {
		struct uktv_prefs_ids ids;

		uktv_prefs_ids_init(&ids);
		if (uktv_prefs_ids_parse(&ids, text, why, sizeof(why)) == 0) {
			struct uktv_prefs p;

			uktv_prefs_init(&p);
			uktv_prefs_ids_copy(&p.lists[0], &ids);
			check_lists(&p);
			uktv_prefs_clear(&p);
		} else
			FUZZ_CHECK(ids.n == 0, "a failed parse changed the list");
		uktv_prefs_ids_free(&ids);
		break;
	}
	default: {
		enum uktv_prefs_kind kind;
		const char *id;
		char buf[UKTV_PREFS_KEY_MAX + 32];

		if (uktv_prefs_sk_parse(text, &kind, &id) == 0) {
			FUZZ_CHECK(uktv_prefs_sk(kind, id, buf, sizeof(buf)) == 0 &&
			    strcmp(buf, text) == 0, "SK does not print back");
		}
		if (uktv_prefs_ref_pk_parse(text, &kind, &id) == 0)
			FUZZ_CHECK(uktv_prefs_id_valid(id), "ref PK id not valid");
		if ((id = uktv_prefs_pk_user(text)) != NULL &&
		    uktv_user_id_valid(id))
			FUZZ_CHECK(uktv_prefs_pk(id, buf, sizeof(buf)) == 0 &&
			    strcmp(buf, text) == 0, "PK does not print back");
		break;
	}
	}
	free(text);
	return 0;
}
