/*
 * guidetable.h: which table the guide lives in.  One rule for every tool:
 * the -t value, else UKTV_TABLE's, else UKTVProgrammes (ARCHITECTURE.md,
 * "Data"); the name must be one DynamoDB can have (3-255 of A-Za-z0-9_.-),
 * so a typo is a usage error, not a call.  The caller reads the variable
 * (the library reads no environment) and hands its value in.
 */
#ifndef UKTV_GUIDETABLE_H
#define UKTV_GUIDETABLE_H

#include "error.h"

#define UKTV_GUIDETABLE_DEFAULT	"UKTVProgrammes"
#define UKTV_GUIDETABLE_ENV	"UKTV_TABLE"

/* Where the name came from, for messages. */
#define UKTV_GUIDETABLE_FROM_OPT	"-t"
#define UKTV_GUIDETABLE_FROM_ENV	UKTV_GUIDETABLE_ENV
#define UKTV_GUIDETABLE_FROM_DEFAULT	"the default"

/*
 * opt (-t, may be NULL), else env (UKTV_TABLE's value, NULL or "" when
 * unset), else the default.  0 with *name (borrowed from opt, env or a
 * constant) and *from set, or -1 with err (UKTV_ERR_USAGE: "bad table name
 * 'X' (3-255 of A-Za-z0-9_.-)", " in UKTV_TABLE" added when not from -t).
 */
int	uktv_guidetable_resolve(const char *opt, const char *env,
	    const char **name, const char **from, struct uktv_error *);

#endif
