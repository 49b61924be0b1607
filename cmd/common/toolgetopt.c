/*
 * toolgetopt.c: the getopt loop every tool runs (uktv_toolopt_next) and
 * getopt_long's complaints said in our words, one usage line each.  Apart
 * from toolopt.c because it is the one part that knows glibc's getopt
 * conventions (opterr, optopt, ':' first).  cmd/common: may print and exit.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "toolopt.h"

/* The long option arg ("--name" or "--name=value") names, or NULL. */
static const struct option *
long_option(const struct option *longopts, const char *arg)
{
	size_t n;

	if (strncmp(arg, "--", 2) != 0)
		return NULL;
	arg += 2;
	n = strcspn(arg, "=");
	for (; longopts != NULL && longopts->name != NULL; longopts++)
		if (strlen(longopts->name) == n &&
		    strncmp(longopts->name, arg, n) == 0)
			return longopts;
	return NULL;
}

/*
 * getopt_long's complaint in our words.  With opterr 0 and a ':' first in
 * optstring, glibc returns ':' for a missing value (optopt: the option's
 * character or val) and '?' otherwise: optopt 0 for an unknown or ambiguous
 * long option, the option's val for a long option given a value it does not
 * take, the character for an unknown short one.
 */
static void __attribute__((noreturn))
bad_option(const struct uktv_toolopt *to, int ch, int argc, char *const argv[],
    const char *optstring, const struct option *longopts)
{
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
	const struct option *o;
	char why[400], name[80];
	size_t n, matches = 0;

	if (arg == NULL)
		arg = "";
	if (ch == ':') {
		if (strncmp(arg, "--", 2) == 0)
			snprintf(why, sizeof(why), "%.64s needs a value", arg);
		else
			snprintf(why, sizeof(why), "-%c needs a value", optopt);
		uktv_toolopt_usage(to, why);
	}
	if (optopt == 0) {
		n = strcspn(arg, "=");
		snprintf(name, sizeof(name), "%.*s", n > 64 ? 64 : (int)n, arg);
		for (o = longopts; o != NULL && o->name != NULL; o++)
			if (n > 2 && strncmp(o->name, arg + 2, n - 2) == 0)
				matches++;
		if (matches > 1)
			snprintf(why, sizeof(why), "ambiguous option %s: say "
			    "which, in full", name);
		else
			snprintf(why, sizeof(why), "unknown option %s", name);
		uktv_toolopt_usage(to, why);
	}
	if ((o = long_option(longopts, arg)) != NULL && o->val == optopt &&
	    strchr(arg, '=') != NULL) {
		snprintf(why, sizeof(why), "--%.64s takes no value", o->name);
		uktv_toolopt_usage(to, why);
	}
	/* An unknown short option: in the middle of a group ("-alice") optind
	 * still points at the group, at its end it has moved past it. */
	if (optind < argc && argv[optind][0] == '-' && argv[optind][1] != '-' &&
	    strchr(argv[optind] + 1, optopt) != NULL)
		arg = argv[optind];
	else if (!(arg[0] == '-' && arg[1] != '-' &&
	    strchr(arg + 1, optopt) != NULL))
		arg = NULL;
	(void)optstring;
	if (to->operand != NULL && arg != NULL && strlen(arg) > 2)
		snprintf(why, sizeof(why), "unknown option -%c in '%.64s' (%s "
		    "that starts with - goes after --)", optopt, arg,
		    to->operand);
	else if (to->operand != NULL)
		snprintf(why, sizeof(why), "unknown option -%c (%s that starts "
		    "with - goes after --)", optopt, to->operand);
	else
		snprintf(why, sizeof(why), "unknown option -%c", optopt);
	uktv_toolopt_usage(to, why);
}

int
uktv_toolopt_next(struct uktv_toolopt *to, int argc, char *const argv[],
    const char *optstring, const struct option *longopts, int *longindex)
{
	char os[128];
	int ch, li;

	/* ':' first: a missing value is told from an unknown option. */
	snprintf(os, sizeof(os), ":%s" UKTV_TOOLOPT_SHORT, optstring);
	opterr = 0;
	for (;;) {
		li = -1;
		ch = getopt_long(argc, argv, os, longopts, &li);
		if (longindex != NULL)
			*longindex = li;
		if (ch == -1)
			return -1;
		if (ch == '?' || ch == ':')
			bad_option(to, ch, argc, argv, os, longopts);
		if (!uktv_toolopt_getopt(to, ch, optarg))
			return ch;
	}
}
