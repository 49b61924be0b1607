/*
 * fuzz_values.c: the small parsers of outside values: title events as
 * uktv-consume takes them from Kinesis (lib/guide/guidestore.c:
 * uktv_title_event_check, the typed data and index pairs it derives, and
 * stored records read back), positions and times of --from/--until and
 * checkpoint files (lib/stream/checkpoint.c), the command-line number, size,
 * seconds and id-list parsers (lib/util/parse.c), base64 (lib/base64.c), and
 * Kinesis key checks.
 *
 * Input: one byte choosing the parser, then the text.
 *
 * Checks, beyond "no crash, no leak": a valid title event's id is digits,
 * its id lists are sorted and distinct, its stored data gives back the same
 * id and lists; a parsed position prints back to a position that parses
 * the same; a parsed time formats and parses back to itself; base64 of
 * decoded bytes decodes back to them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base64.h"
#include "checkpoint.h"
#include "parse.h"
#include "guidestore.h"
#include "kinesis.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_env();
	return 0;
}

static int
count_pair(const char *pk, void *arg)
{
	FUZZ_CHECK(strncmp(pk, "source:", 7) == 0 && strstr(pk, ":genre:"),
	    "index PK grammar");
	(*(long *)arg)++;
	return 0;
}

static void
check_sorted(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(v[i][0] != '\0' && strspn(v[i], "0123456789") ==
		    strlen(v[i]), "id is not digits");
		FUZZ_CHECK(strcmp(v[i], "0") == 0 || v[i][0] != '0',
		    "id with a leading zero");
		if (i > 0)
			FUZZ_CHECK(uktv_cmp_decimal(v[i - 1], v[i]) < 0,
			    "ids not sorted and distinct");
	}
}

static void
title_event(const char *text, size_t len)
{
	struct json_tokener *tok = json_tokener_new_ex(65);
	struct json_object *ev, *data, *enr;
	struct uktv_title t, back;
	char why[256];
	long pairs = 0;

	if (tok == NULL)
		abort();
	ev = json_tokener_parse_ex(tok, text, (int)len);
	json_tokener_free(tok);
	if (ev == NULL)
		return;
	memset(&t, 0, sizeof(t));
	if (uktv_title_event_check(ev, &t, why, sizeof(why)) == -1) {
		FUZZ_CHECK(why[0] != '\0' && strchr(why, '\n') == NULL,
		    "rejected event without a one-line reason");
		uktv_title_clear(&t);
		goto out;
	}
	FUZZ_CHECK(t.id[0] != '\0' && t.id[0] != '0' &&
	    strspn(t.id, "0123456789") == strlen(t.id), "title id not digits");
	check_sorted(t.source_ids, t.nsource_ids);
	check_sorted(t.genre_ids, t.ngenre_ids);
	uktv_title_pairs(&t, count_pair, &pairs);
	FUZZ_CHECK((size_t)pairs == t.nsource_ids * t.ngenre_ids,
	    "index pairs are not sources x genres");
	if (t.action == UKTV_TITLE_UPSERT) {
		data = uktv_title_data(&t);
		FUZZ_CHECK(data != NULL, "no data for an upsert");
		FUZZ_CHECK(uktv_title_data_changed(data, data) == 0,
		    "data differs from itself");
		memset(&back, 0, sizeof(back));
		FUZZ_CHECK(uktv_title_from_data(data, &back) == 0,
		    "stored data does not read back");
		FUZZ_CHECK(strcmp(back.id, t.id) == 0, "stored id changed");
		FUZZ_CHECK(back.nsource_ids == t.nsource_ids &&
		    back.ngenre_ids == t.ngenre_ids, "stored id lists changed");
		uktv_title_clear(&back);
		json_object_put(data);
	}
	uktv_title_clear(&t);
out:
	/* The same text as a Watchmode details answer. */
	enr = uktv_guidestore_enrichment(ev, "GB", 1700000000000LL);
	json_object_put(enr);
	json_object_put(ev);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned op;
	char *text;

	if (size < 1)
		return 0;
	op = data[0];
	data++;
	size--;
	if ((text = malloc(size + 1)) == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';

	switch (op & 7) {
	case 0:
	case 1:
		title_event(text, size);
		break;
	case 2: {
		struct uktv_position p, q;

		if (uktv_position_parse(text, 1700000000000LL, &p) == 0) {
			const char *s = uktv_position_text(&p);
			struct json_object *o = json_object_new_object();

			uktv_position_to_json(&p, o);
			json_object_put(o);
			if (p.kind != UKTV_POS_AT_TIMESTAMP &&
			    p.kind != UKTV_POS_NONE && !p.inclusive &&
			    p.sub_sequence < 0) {
				FUZZ_CHECK(uktv_position_parse(s, 1700000000000LL,
				    &q) == 0, "printed position does not parse");
				FUZZ_CHECK(q.kind == p.kind &&
				    strcmp(uktv_position_text(&q), s) == 0,
				    "printed position parses differently");
			}
		}
		break;
	}
	case 3: {
		long long ms, ms2;
		char out[32];

		if (uktv_time_parse(text, 1700000000000LL, &ms) == 0 &&
		    ms >= 0 && ms < 253402300800000LL) {
			uktv_time_format(ms, out);
			FUZZ_CHECK(uktv_time_parse(out, 1700000000000LL,
			    &ms2) == 0 && ms2 == ms, "time does not round-trip");
		}
		break;
	}
	case 4: {
		long ms;
		size_t sz;
		long long v;
		char **ids = NULL;
		size_t n = 0;

		(void)uktv_parse_seconds(text, &ms);
		(void)uktv_parse_size(text, &sz);
		(void)uktv_parse_uint(text, 0, 1000000, &v);
		if (uktv_parse_idlist(text, &ids, &n) == 0)
			uktv_parse_idlist_free(ids, n);
		(void)uktv_user_id_valid(text);
		(void)uktv_shard_id_valid(text);
		(void)uktv_kinesis_hash_key_valid(text, size);
		(void)uktv_kinesis_partition_key_valid(text, size);
		break;
	}
	case 5: {
		const char *sep = strchr(text, ',');

		if (sep != NULL) {
			char *a = strndup(text, (size_t)(sep - text));
			int c1 = uktv_cmp_decimal(a, sep + 1),
			    c2 = uktv_cmp_decimal(sep + 1, a);

			FUZZ_CHECK((c1 < 0) == (c2 > 0) && (c1 == 0) == (c2 == 0),
			    "decimal compare is not antisymmetric");
			free(a);
		}
		break;
	}
	default: {
		unsigned char *dec = malloc(size + 3);
		char *enc, *back;
		size_t dn, bn;

		if (dec == NULL)
			abort();
		if (uktv_base64_decode(text, size, dec, &dn) == 0) {
			FUZZ_CHECK(dn <= size, "decoded longer than the text");
			enc = malloc(dn / 3 * 4 + 8);
			back = malloc(dn + 3);
			if (enc == NULL || back == NULL)
				abort();
			bn = uktv_base64_encode(dec, dn, enc);
			FUZZ_CHECK(uktv_base64_decode(enc, bn, back, &bn) == 0 &&
			    bn == dn && memcmp(back, dec, dn) == 0,
			    "base64 does not round-trip");
			free(enc);
			free(back);
		}
		free(dec);
		break;
	}
	}
	free(text);
	return 0;
}
