/* test_dynamodb.c: typed attribute values as boto3's TypeSerializer wrote them. */
#include <json-c/json.h>

#include "dynamodb.h"
#include "unit.h"

static const char *
typed(const char *plain)
{
	static char buf[4096];
	struct json_object *in = json_tokener_parse(plain), *out;

	out = uktv_ddb_to_typed(in);
	snprintf(buf, sizeof(buf), "%s",
	    json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN));
	json_object_put(in);
	json_object_put(out);
	return buf;
}

static const char *
plain(const char *typedjson)
{
	static char buf[4096];
	struct json_object *in = json_tokener_parse(typedjson), *out;

	out = uktv_ddb_from_typed(in);
	snprintf(buf, sizeof(buf), "%s", out ? json_object_to_json_string_ext(out,
	    JSON_C_TO_STRING_PLAIN) : "null");
	json_object_put(in);
	json_object_put(out);
	return buf;
}

static void
test_scalars_to_typed(void)
{
	CHECK_STR(typed("\"Netflix\""), "{\"S\":\"Netflix\"}");
	CHECK_STR(typed("203"), "{\"N\":\"203\"}");
	CHECK_STR(typed("7.5"), "{\"N\":\"7.5\"}");
	CHECK_STR(typed("0.1"), "{\"N\":\"0.1\"}");
	CHECK_STR(typed("true"), "{\"BOOL\":true}");
	CHECK_STR(typed("null"), "{\"NULL\":true}");
	CHECK_STR(typed("18446744073709551615"), "{\"N\":\"18446744073709551615\"}");
}

static void
test_nested_to_typed(void)
{
	CHECK_STR(typed("{\"regions\":[\"GB\",\"US\"],\"logo\":null}"),
	    "{\"M\":{\"regions\":{\"L\":[{\"S\":\"GB\"},{\"S\":\"US\"}]},"
	    "\"logo\":{\"NULL\":true}}}");
}

static void
test_from_typed(void)
{
	CHECK_STR(plain("{\"S\":\"x\"}"), "\"x\"");
	CHECK_STR(plain("{\"N\":\"203\"}"), "203");
	CHECK_STR(plain("{\"N\":\"7.50\"}"), "7.50");
	CHECK_STR(plain("{\"N\":\"9.1\"}"), "9.1");
	CHECK_STR(plain("{\"N\":\"2.0\"}"), "2");
	CHECK_STR(plain("{\"NULL\":true}"), "null");
	CHECK_STR(plain("{\"SS\":[\"a\",\"b\"]}"), "[\"a\",\"b\"]");
	CHECK_STR(plain("{\"M\":{\"a\":{\"L\":[{\"N\":\"1\"},{\"BOOL\":false}]}}}"),
	    "{\"a\":[1,false]}");
}

static void
test_round_trip(void)
{
	const char *doc = "{\"id\":203,\"name\":\"Netflix\",\"type\":\"sub\","
	    "\"logo_100px\":\"https://x/203.png\",\"ios_scheme\":null,"
	    "\"regions\":[\"GB\"],\"rating\":7.25,\"nested\":{\"a\":[1,2]}}";
	struct json_object *in = json_tokener_parse(doc);
	struct json_object *t = uktv_ddb_to_typed(in);
	struct json_object *back = uktv_ddb_from_typed(t);

	CHECK(json_object_equal(in, back));
	json_object_put(in);
	json_object_put(t);
	json_object_put(back);
}

static void
test_key_and_str(void)
{
	struct json_object *k = uktv_ddb_key("source:203", "Netflix");

	CHECK_STR(uktv_ddb_item_str(k, "PK"), "source:203");
	CHECK_STR(uktv_ddb_item_str(k, "SK"), "Netflix");
	CHECK(uktv_ddb_item_str(k, "data") == NULL);
	json_object_put(k);
}

int
main(void)
{
	RUN(test_scalars_to_typed);
	RUN(test_nested_to_typed);
	RUN(test_from_typed);
	RUN(test_round_trip);
	RUN(test_key_and_str);
	return UNIT_DONE();
}
