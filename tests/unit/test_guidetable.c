/*
 * test_guidetable.c: the guide table's name, one rule for every tool
 * (lib/guide/guidetable): -t, else UKTV_TABLE, else UKTVProgrammes, and
 * only names DynamoDB can have.
 */
#include <string.h>

#include "guidetable.h"
#include "unit.h"

static void
test_order(void)
{
	const char *name, *from;
	struct uktv_error e;

	uktv_error_clear(&e);
	CHECK_INT(uktv_guidetable_resolve("Opt", "Env", &name, &from, &e), 0);
	CHECK_STR(name, "Opt");
	CHECK_STR(from, "-t");
	CHECK_INT(uktv_guidetable_resolve(NULL, "Env", &name, &from, &e), 0);
	CHECK_STR(name, "Env");
	CHECK_STR(from, "UKTV_TABLE");
	CHECK_INT(uktv_guidetable_resolve(NULL, "", &name, &from, &e), 0);
	CHECK_STR(name, "UKTVProgrammes");
	CHECK_STR(from, "the default");
	CHECK_INT(uktv_guidetable_resolve(NULL, NULL, &name, &from, &e), 0);
	CHECK_STR(name, "UKTVProgrammes");
}

static void
test_bad_names(void)
{
	const char *name = NULL, *from = NULL;
	struct uktv_error e;

	uktv_error_clear(&e);
	CHECK_INT(uktv_guidetable_resolve("ab", NULL, &name, &from, &e), -1);
	CHECK_INT(e.kind, UKTV_ERR_USAGE);
	CHECK_STR(e.message, "bad table name 'ab' (3-255 of A-Za-z0-9_.-)");
	CHECK_INT(uktv_guidetable_resolve(NULL, "a b c", &name, &from, &e), -1);
	CHECK_STR(e.message, "bad table name 'a b c' (3-255 of A-Za-z0-9_.-) "
	    "in UKTV_TABLE");
	CHECK(name == NULL);
}

int
main(void)
{
	RUN(test_order);
	RUN(test_bad_names);
	return UNIT_DONE();
}
