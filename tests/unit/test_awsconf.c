/*
 * test_awsconf.c: AWS configuration as the SDKs and CLI v2 resolve it.
 *
 * Every test runs with a fresh temporary HOME and no AWS_* variable, writes
 * the profile files it needs, and loads a new struct uktv_awsconf.  Container
 * credentials and IMDSv2 are served by tests/fakes/uktv-credentials-double,
 * started here and killed at the end of each test.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "private/awsconf.h"
#include "chain.h"
#include "endpoints.h"
#include "sso.h"
#include "time.h"
#include "unit.h"

extern char **environ;

static char tmp[64];

/* ---------------------------------------------------------------- */
/* Fixture                                                           */
/* ---------------------------------------------------------------- */

static void
clear_aws_env(void)
{
	char name[256];

	for (;;) {
		char **e;

		for (e = environ; *e != NULL; e++)
			if (strncmp(*e, "AWS_", 4) == 0)
				break;
		if (*e == NULL)
			return;
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(*e, "="), *e);
		unsetenv(name);
	}
}

static void
setup(void)
{
	char aws[PATH_MAX];

	clear_aws_env();
	strlcpy(tmp, "/tmp/uktv-awsconf-XXXXXX", sizeof(tmp));
	if (mkdtemp(tmp) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	setenv("HOME", tmp, 1);
	snprintf(aws, sizeof(aws), "%s/.aws", tmp);
	mkdir(aws, 0700);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
teardown(void)
{
	nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	clear_aws_env();
}

static const char *
tpath(const char *rel)
{
	static char buf[4][PATH_MAX];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmp, rel);
	return buf[i];
}

static void
put(const char *rel, const char *text)
{
	FILE *fp = fopen(tpath(rel), "w");

	if (fp == NULL) {
		perror(rel);
		exit(1);
	}
	fputs(text, fp);
	fclose(fp);
}

static struct uktv_awsconf *
load(const char *profile, const char *region, const char *endpoint,
    struct uktv_error *err)
{
	struct uktv_awsconf_opts o = { profile, region, endpoint };

	uktv_error_clear(err);
	return uktv_awsconf_load(&o, err);
}

static int
count_lines(const char *path, const char *needle)
{
	char line[1024];
	FILE *fp;
	int n = 0;

	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (needle == NULL || strstr(line, needle) != NULL)
			n++;
	fclose(fp);
	return n;
}

static void
iso_in(long secs, char *buf, size_t len)
{
	time_t t = time(NULL) + secs;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *
endpoint(struct uktv_awsconf *c, const struct uktv_aws_service *svc)
{
	static char buf[8][512];
	static int i;
	struct uktv_error err;
	char *u;

	uktv_error_clear(&err);
	i = (i + 1) % 8;
	if ((u = uktv_endpoints_url(c, svc, &err)) == NULL) {
		strlcpy(buf[i], "ERROR: ", sizeof(buf[i]));
		strlcat(buf[i], err.message, sizeof(buf[i]));
	}
	else {
		strlcpy(buf[i], u, sizeof(buf[i]));
		free(u);
	}
	return buf[i];
}

/* ---------------------------------------------------------------- */
/* The credentials double                                            */
/* ---------------------------------------------------------------- */

struct dbl {
	pid_t	pid;
	int	port;
	char	log[PATH_MAX];
};

static const char *
double_path(void)
{
	static char buf[PATH_MAX];
	char exe[PATH_MAX], *s;
	ssize_t n;
	int up;

	if (access("tests/fakes/uktv-credentials-double", R_OK) == 0)
		return "tests/fakes/uktv-credentials-double";
	/* Run from elsewhere: B/tests/test_awsconf is two levels down. */
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) == -1)
		return NULL;
	exe[n] = '\0';
	for (up = 0; up < 3 && (s = strrchr(exe, '/')) != NULL; up++)
		*s = '\0';
	strlcpy(buf, exe, sizeof(buf));
	strlcat(buf, "/tests/fakes/uktv-credentials-double", sizeof(buf));
	return access(buf, R_OK) == 0 ? buf : NULL;
}

static int
double_start(struct dbl *d, const char *opt1, const char *opt2)
{
	char pf[PATH_MAX];
	char *argv[12];
	const char *script = double_path();
	int i = 0, st;
	FILE *fp;

	memset(d, 0, sizeof(*d));
	if (script == NULL) {
		printf("# cannot find tests/fakes/uktv-credentials-double\n");
		return -1;
	}
	snprintf(pf, sizeof(pf), "%s/double.port", tmp);
	snprintf(d->log, sizeof(d->log), "%s/double.log", tmp);
	unlink(pf);
	unlink(d->log);
	argv[i++] = "python3";
	argv[i++] = (char *)script;
	argv[i++] = "--port-file";
	argv[i++] = pf;
	argv[i++] = "--log";
	argv[i++] = d->log;
	if (opt1 != NULL)
		argv[i++] = (char *)opt1;
	if (opt2 != NULL)
		argv[i++] = (char *)opt2;
	argv[i] = NULL;
	if (posix_spawnp(&d->pid, "python3", NULL, NULL, argv, environ) != 0) {
		printf("# cannot start the credentials double\n");
		return -1;
	}
	/* Bounded wait for the port file: 10 s at most. */
	for (i = 0; i < 200; i++) {
		if ((fp = fopen(pf, "r")) != NULL) {
			if (fscanf(fp, "%d", &d->port) != 1)
				d->port = 0;
			fclose(fp);
			if (d->port > 0)
				return 0;
		}
		if (waitpid(d->pid, &st, WNOHANG) == d->pid) {
			printf("# the credentials double died\n");
			d->pid = 0;
			return -1;
		}
		usleep(50000);
	}
	printf("# the credentials double wrote no port file\n");
	kill(d->pid, SIGKILL);
	waitpid(d->pid, &st, 0);
	d->pid = 0;
	return -1;
}

static void
double_stop(struct dbl *d)
{
	int st;

	if (d->pid <= 0)
		return;
	kill(d->pid, SIGTERM);
	waitpid(d->pid, &st, 0);
	d->pid = 0;
}

/* A port nobody listens on: bound, read back, closed. */
static int
closed_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	getsockname(fd, (struct sockaddr *)&sa, &len);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

/* ---------------------------------------------------------------- */
/* Region and profile                                                */
/* ---------------------------------------------------------------- */

static void
test_region_order(void)
{
	struct uktv_error err;
	struct uktv_awsconf *c;

	setup();
	c = load(NULL, NULL, NULL, &err);
	CHECK(c != NULL);
	CHECK(c != NULL && uktv_awsconf_region(c) == NULL);
	uktv_awsconf_free(c);

	put(".aws/config", "[default]\nregion = eu-west-1\n");
	c = load(NULL, NULL, NULL, &err);
	CHECK_STR(c ? uktv_awsconf_region(c) : NULL, "eu-west-1");
	uktv_awsconf_free(c);

	setenv("AWS_DEFAULT_REGION", "eu-west-2", 1);
	c = load(NULL, NULL, NULL, &err);
	CHECK_STR(c ? uktv_awsconf_region(c) : NULL, "eu-west-2");
	uktv_awsconf_free(c);

	setenv("AWS_REGION", "eu-west-3", 1);
	c = load(NULL, NULL, NULL, &err);
	CHECK_STR(c ? uktv_awsconf_region(c) : NULL, "eu-west-3");
	uktv_awsconf_free(c);

	c = load(NULL, "us-east-1", NULL, &err);
	CHECK_STR(c ? uktv_awsconf_region(c) : NULL, "us-east-1");
	uktv_awsconf_free(c);

	/* An empty variable is no value: the next source answers. */
	setenv("AWS_REGION", "", 1);
	c = load(NULL, NULL, NULL, &err);
	CHECK_STR(c ? uktv_awsconf_region(c) : NULL, "eu-west-2");
	uktv_awsconf_free(c);
	teardown();
}

/* Notepad saves a byte-order mark first: the AWS CLI reads such files, and
 * they once gave "a setting before any [section]". */
static void
test_byte_order_mark(void)
{
	struct uktv_error err;
	struct uktv_awsconf *c;

	setup();
	put(".aws/config", "\xEF\xBB\xBF[default]\nregion = eu-west-1\n");
	put(".aws/credentials", "\xEF\xBB\xBF[default]\n"
	    "aws_access_key_id = AKIDBOM\naws_secret_access_key = s\n");
	c = load(NULL, NULL, NULL, &err);
	CHECK_STR(c ? uktv_awsconf_region(c) : err.message, "eu-west-1");
	CHECK_STR(c ? uktv_awsconf_get(c, "aws_access_key_id") : err.message,
	    "AKIDBOM");
	uktv_awsconf_free(c);
	teardown();
}

static void
test_profile_order(void)
{
	struct uktv_error err;
	struct uktv_awsconf *c;

	setup();
	put(".aws/config",
	    "[default]\nregion = eu-west-1\n\n"
	    "[profile a]\nregion = eu-west-2\n\n"
	    "[profile b]\nregion = eu-west-3\n");
	c = load(NULL, NULL, NULL, &err);
	CHECK_STR(c ? uktv_awsconf_profile_name(c) : NULL, "default");
	CHECK_STR(c ? uktv_awsconf_region(c) : NULL, "eu-west-1");
	uktv_awsconf_free(c);

	setenv("AWS_PROFILE", "a", 1);
	c = load(NULL, NULL, NULL, &err);
	CHECK_STR(c ? uktv_awsconf_profile_name(c) : NULL, "a");
	CHECK_STR(c ? uktv_awsconf_region(c) : NULL, "eu-west-2");
	uktv_awsconf_free(c);

	c = load("b", NULL, NULL, &err);
	CHECK_STR(c ? uktv_awsconf_profile_name(c) : NULL, "b");
	CHECK_STR(c ? uktv_awsconf_region(c) : NULL, "eu-west-3");
	uktv_awsconf_free(c);

	/* Unknown profiles, by flag and by variable. */
	c = load("nosuch", NULL, NULL, &err);
	CHECK(c == NULL);
	CHECK_INT(err.kind, UKTV_ERR_CONFIG);
	CHECK(strstr(err.message, "\"nosuch\"") != NULL);
	CHECK(strstr(err.message, "--profile") != NULL);
	setenv("AWS_PROFILE", "zzz", 1);
	c = load(NULL, NULL, NULL, &err);
	CHECK(c == NULL);
	CHECK_INT(err.kind, UKTV_ERR_CONFIG);
	CHECK(strstr(err.message, "\"zzz\"") != NULL);
	CHECK(strstr(err.message, "AWS_PROFILE") != NULL);
	uktv_awsconf_free(c);

	/* No files and no profile named: "default", and not an error. */
	unsetenv("AWS_PROFILE");
	unlink(tpath(".aws/config"));
	c = load(NULL, NULL, NULL, &err);
	CHECK(c != NULL);
	CHECK_STR(c ? uktv_awsconf_profile_name(c) : NULL, "default");
	uktv_awsconf_free(c);
	/* ... but "default" named explicitly must exist, as in the CLI. */
	c = load("default", NULL, NULL, &err);
	CHECK(c == NULL);
	CHECK_INT(err.kind, UKTV_ERR_CONFIG);
	teardown();
}

static void
test_sections(void)
{
	struct uktv_error err;
	struct uktv_awsconf *c;

	setup();
	put(".aws/config",
	    "# a comment\n"
	    "; another comment\n"
	    "[default]\n"
	    "REGION = eu-west-1\n"
	    "output: json\n"
	    "  # a comment inside a value's block is skipped\n"
	    "\n"
	    "[profile spaced]\n"
	    "  region=us-east-2\n"
	    "[profile \"quoted name\"]\n"
	    "region = ap-south-1\n"
	    "[other]\n"
	    "region = nope\n"
	    "[profilex]\n"
	    "region = nope2\n"
	    "[sso-session corp]\n"
	    "sso_region = eu-west-1\n"
	    "sso_start_url = https://example.awsapps.com/start\n"
	    "[profile multi]\n"
	    "region = eu-north-1\n"
	    "note = first\n"
	    "  second\n"
	    "url = http://x:1 # not a comment\n"
	    "[profile crlf]\r\n"
	    "region = ca-central-1\r\n");
	put(".aws/credentials",
	    "[fromcreds]\n"
	    "region = sa-east-1\n"
	    "[profile pc]\n"
	    "region = af-south-1\n");
	c = load(NULL, NULL, NULL, &err);
	CHECK(c != NULL);
	if (c == NULL) {
		printf("# %s\n", err.message);
		teardown();
		return;
	}
	/* Keys are case-insensitive (lower-cased), ':' is a delimiter too. */
	CHECK_STR(uktv_awsconf_region(c), "eu-west-1");
	CHECK_STR(uktv_awsconf_get(c, "output"), "json");
	CHECK_STR(uktv_awsconf_profile_get(c, "spaced", "region"), "us-east-2");
	CHECK_STR(uktv_awsconf_profile_get(c, "quoted name", "region"),
	    "ap-south-1");
	CHECK_STR(uktv_awsconf_profile_get(c, "multi", "note"), "first\nsecond");
	/* No inline comments in values, as in the CLI. */
	CHECK_STR(uktv_awsconf_profile_get(c, "multi", "url"),
	    "http://x:1 # not a comment");
	CHECK_STR(uktv_awsconf_profile_get(c, "crlf", "region"), "ca-central-1");
	/* [other] and [profilex] are not profiles in the config file. */
	CHECK(!uktv_awsconf_profile_exists(c, "other"));
	CHECK(!uktv_awsconf_profile_exists(c, "profilex"));
	CHECK(!uktv_awsconf_profile_exists(c, "x"));
	/* In the credentials file [x] is profile x and [profile pc] is
	 * literally "profile pc". */
	CHECK_STR(uktv_awsconf_profile_get(c, "fromcreds", "region"),
	    "sa-east-1");
	CHECK(!uktv_awsconf_profile_exists(c, "pc"));
	CHECK(uktv_awsconf_profile_exists(c, "profile pc"));
	/* sso-session sections are kept, and are not profiles. */
	CHECK_STR(uktv_awsconf_sso_session_get(c, "corp", "sso_region"),
	    "eu-west-1");
	CHECK(!uktv_awsconf_profile_exists(c, "corp"));
	uktv_awsconf_free(c);

	c = load("other", NULL, NULL, &err);
	CHECK(c == NULL);
	uktv_awsconf_free(c);
	c = load("pc", NULL, NULL, &err);
	CHECK(c == NULL);
	uktv_awsconf_free(c);
	c = load("fromcreds", NULL, NULL, &err);
	CHECK_STR(c ? uktv_awsconf_region(c) : NULL, "sa-east-1");
	uktv_awsconf_free(c);

	/* Malformed files are errors naming the line, never its text. */
	put(".aws/credentials", "[default]\naws_access_key_id = AKIA\n"
	    "SECRETLINEWITHOUTEQUALS\n");
	c = load(NULL, NULL, NULL, &err);
	CHECK(c == NULL);
	CHECK_INT(err.kind, UKTV_ERR_CONFIG);
	CHECK(strstr(err.message, "line 3") != NULL);
	CHECK(strstr(err.message, "SECRETLINE") == NULL);
	put(".aws/credentials", "region = eu-west-1\n[default]\n");
	c = load(NULL, NULL, NULL, &err);
	CHECK(c == NULL);
	CHECK(strstr(err.message, "line 1") != NULL);
	teardown();
}

static void
test_file_locations(void)
{
	struct uktv_error err;
	struct uktv_awsconf *c;
	const struct uktv_creds *cr;
	char dir[PATH_MAX];

	setup();
	snprintf(dir, sizeof(dir), "%s/custom", tmp);
	mkdir(dir, 0700);
	put(".aws/config", "[default]\nregion = eu-west-1\n");
	put("custom/config", "[default]\nregion = eu-west-3\n");
	put("custom/creds", "[default]\naws_access_key_id = AKIACUSTOM\n"
	    "aws_secret_access_key = custom-secret\n");
	/* "~/" is the user's home, as botocore's expanduser does. */
	setenv("AWS_CONFIG_FILE", "~/custom/config", 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", tpath("custom/creds"), 1);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	c = load(NULL, NULL, NULL, &err);
	CHECK_STR(c ? uktv_awsconf_region(c) : NULL, "eu-west-3");
	CHECK_STR(c ? uktv_awsconf_config_path(c) : NULL, tpath("custom/config"));
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	CHECK_STR(cr ? cr->access_key_id : NULL, "AKIACUSTOM");
	uktv_awsconf_free(c);

	/* /dev/null as the config file: no configuration, no error. */
	setenv("AWS_CONFIG_FILE", "/dev/null", 1);
	c = load(NULL, NULL, NULL, &err);
	CHECK(c != NULL);
	CHECK(c != NULL && uktv_awsconf_region(c) == NULL);
	uktv_awsconf_free(c);
	teardown();
}

static void
test_credentials_file_wins(void)
{
	struct uktv_error err;
	struct uktv_awsconf *c;
	const struct uktv_creds *cr;

	setup();
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	put(".aws/config",
	    "[profile a]\nregion = eu-west-1\noutput = json\n"
	    "aws_access_key_id = AKIACONFIG\n"
	    "aws_secret_access_key = config-secret\n");
	put(".aws/credentials",
	    "[a]\nregion = eu-west-2\n"
	    "aws_access_key_id = AKIACREDS\n"
	    "aws_secret_access_key = creds-secret\n");
	c = load("a", NULL, NULL, &err);
	CHECK(c != NULL);
	CHECK_STR(c ? uktv_awsconf_region(c) : NULL, "eu-west-2");
	CHECK_STR(c ? uktv_awsconf_get(c, "region") : NULL, "eu-west-2");
	CHECK_STR(c ? uktv_awsconf_get(c, "output") : NULL, "json");
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	CHECK_STR(cr ? cr->access_key_id : NULL, "AKIACREDS");
	CHECK_STR(cr ? cr->secret_access_key : NULL, "creds-secret");
	CHECK(cr != NULL && cr->session_token == NULL);
	CHECK_STR(cr ? cr->source : NULL, "profile");
	uktv_awsconf_free(c);
	teardown();
}

/* ---------------------------------------------------------------- */
/* Static credentials                                                */
/* ---------------------------------------------------------------- */

static void
test_env_credentials(void)
{
	struct uktv_error err;
	struct uktv_awsconf *c;
	const struct uktv_creds *cr;

	setup();
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	put(".aws/credentials", "[default]\naws_access_key_id = AKIAFILE\n"
	    "aws_secret_access_key = file-secret\n");
	setenv("AWS_ACCESS_KEY_ID", "ASIAENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
	setenv("AWS_SESSION_TOKEN", "env-token", 1);
	c = load(NULL, NULL, NULL, &err);
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	CHECK(cr != NULL);
	CHECK_STR(cr ? cr->access_key_id : NULL, "ASIAENV");
	CHECK_STR(cr ? cr->secret_access_key : NULL, "env-secret");
	CHECK_STR(cr ? cr->session_token : NULL, "env-token");
	CHECK_STR(cr ? cr->source : NULL, "environment");
	CHECK(cr != NULL && cr->expiration == 0);
	CHECK_INT(c ? uktv_awsconf_credential_fetches(c) : -1, 1);
	uktv_awsconf_free(c);

	/* AWS_PROFILE keeps the environment keys first ... */
	setenv("AWS_PROFILE", "default", 1);
	c = load(NULL, NULL, NULL, &err);
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	CHECK_STR(cr ? cr->access_key_id : NULL, "ASIAENV");
	uktv_awsconf_free(c);
	/* ... a --profile flag skips them, as the CLI does. */
	c = load("default", NULL, NULL, &err);
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	CHECK_STR(cr ? cr->access_key_id : NULL, "AKIAFILE");
	uktv_awsconf_free(c);
	unsetenv("AWS_PROFILE");

	/* Without a token; then half a pair is an error. */
	unsetenv("AWS_SESSION_TOKEN");
	c = load(NULL, NULL, NULL, &err);
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	CHECK(cr != NULL && cr->session_token == NULL);
	uktv_awsconf_free(c);
	unsetenv("AWS_SECRET_ACCESS_KEY");
	c = load(NULL, NULL, NULL, &err);
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	CHECK(cr == NULL);
	CHECK_INT(err.kind, UKTV_ERR_CONFIG);
	CHECK(strstr(err.message, "AWS_SECRET_ACCESS_KEY") != NULL);
	CHECK(strstr(err.message, "ASIAENV") == NULL);
	uktv_awsconf_free(c);
	teardown();
}

static void
test_static_profile_keys(void)
{
	struct uktv_error err;
	struct uktv_awsconf *c;
	const struct uktv_creds *cr;

	setup();
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	put(".aws/credentials",
	    "[default]\naws_access_key_id = ASIAFILE\n"
	    "aws_secret_access_key = file-secret\n"
	    "aws_session_token = file-token\n"
	    "[half]\naws_access_key_id = AKIAHALF\n");
	put(".aws/config",
	    "[profile cfg]\n"
	    "AWS_ACCESS_KEY_ID = AKIACFG\n"
	    "aws_secret_access_key = cfg-secret\n");
	c = load(NULL, NULL, NULL, &err);
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	CHECK_STR(cr ? cr->access_key_id : NULL, "ASIAFILE");
	CHECK_STR(cr ? cr->secret_access_key : NULL, "file-secret");
	CHECK_STR(cr ? cr->session_token : NULL, "file-token");
	CHECK_STR(cr ? cr->source : NULL, "profile");
	/* Static keys never expire: a second call fetches nothing. */
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	CHECK(cr != NULL);
	CHECK_INT(c ? uktv_awsconf_credential_fetches(c) : -1, 1);
	uktv_awsconf_free(c);

	c = load("cfg", NULL, NULL, &err);
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	CHECK_STR(cr ? cr->access_key_id : NULL, "AKIACFG");
	CHECK(cr != NULL && cr->session_token == NULL);
	uktv_awsconf_free(c);

	c = load("half", NULL, NULL, &err);
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	CHECK(cr == NULL);
	CHECK_INT(err.kind, UKTV_ERR_CONFIG);
	CHECK(strstr(err.message, "\"half\"") != NULL);
	CHECK(strstr(err.message, "aws_secret_access_key") != NULL);
	uktv_awsconf_free(c);
	teardown();
}

static void
test_no_credentials(void)
{
	struct uktv_error err;
	struct uktv_awsconf *c;
	const struct uktv_creds *cr;

	setup();
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	put(".aws/config", "[profile empty]\nregion = eu-west-2\n");
	c = load(NULL, NULL, NULL, &err);
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	CHECK(cr == NULL);
	CHECK_INT(err.kind, UKTV_ERR_CONFIG);
	CHECK(strchr(err.message, '\n') == NULL);
	CHECK(strstr(err.message, "AWS_ACCESS_KEY_ID") != NULL);
	CHECK(strstr(err.message, tpath(".aws/credentials")) != NULL);
	CHECK(strstr(err.message, tpath(".aws/config")) != NULL);
	CHECK(strstr(err.message, "container") != NULL);
	CHECK(strstr(err.message, "AWS_EC2_METADATA_DISABLED") != NULL);
	uktv_awsconf_free(c);

	/* A profile named explicitly without credentials: its name. */
	setenv("AWS_PROFILE", "empty", 1);
	c = load(NULL, NULL, NULL, &err);
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	CHECK(cr == NULL);
	CHECK_INT(err.kind, UKTV_ERR_CONFIG);
	CHECK(strstr(err.message, "profile \"empty\"") != NULL);
	uktv_awsconf_free(c);
	teardown();
}

/* ---------------------------------------------------------------- */
/* Endpoints                                                         */
/* ---------------------------------------------------------------- */

static void
test_endpoint_order(void)
{
	struct uktv_error err;
	struct uktv_awsconf *c;

	setup();
	put(".aws/config",
	    "[default]\n"
	    "region = eu-west-2\n"
	    "endpoint_url = http://profile-endpoint:1/\n"
	    "services = local\n"
	    "\n"
	    "[services local]\n"
	    "dynamodb =\n"
	    "  endpoint_url = http://services-ddb:2/\n"
	    "kinesis = http://not-a-sub-section:9\n"
	    "[services other]\n"
	    "dynamodb_streams =\n"
	    "  endpoint_url = http://wrong-section:8\n");

	c = load(NULL, NULL, NULL, &err);
	CHECK_STR(endpoint(c, &uktv_svc_dynamodb), "http://services-ddb:2");
	CHECK_STR(endpoint(c, &uktv_svc_kinesis), "http://profile-endpoint:1");
	CHECK_STR(endpoint(c, &uktv_svc_dynamodb_streams),
	    "http://profile-endpoint:1");
	uktv_awsconf_free(c);

	setenv("AWS_ENDPOINT_URL", "http://global:3//", 1);
	c = load(NULL, NULL, NULL, &err);
	CHECK_STR(endpoint(c, &uktv_svc_dynamodb), "http://global:3");
	CHECK_STR(endpoint(c, &uktv_svc_kinesis), "http://global:3");
	uktv_awsconf_free(c);

	setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://ddb-env:4", 1);
	setenv("AWS_ENDPOINT_URL_DYNAMODB_STREAMS", "http://streams-env:5/", 1);
	c = load(NULL, NULL, NULL, &err);
	CHECK_STR(endpoint(c, &uktv_svc_dynamodb), "http://ddb-env:4");
	CHECK_STR(endpoint(c, &uktv_svc_dynamodb_streams), "http://streams-env:5");
	CHECK_STR(endpoint(c, &uktv_svc_kinesis), "http://global:3");
	uktv_awsconf_free(c);

	c = load(NULL, NULL, "http://flag:6/", &err);
	CHECK_STR(endpoint(c, &uktv_svc_dynamodb), "http://flag:6");
	CHECK_STR(endpoint(c, &uktv_svc_kinesis), "http://flag:6");
	uktv_awsconf_free(c);

	/* Ignoring configured endpoints leaves the flag and the default. */
	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
	c = load(NULL, NULL, NULL, &err);
	CHECK_STR(endpoint(c, &uktv_svc_dynamodb),
	    "https://dynamodb.eu-west-2.amazonaws.com");
	CHECK_STR(endpoint(c, &uktv_svc_dynamodb_streams),
	    "https://streams.dynamodb.eu-west-2.amazonaws.com");
	uktv_awsconf_free(c);
	c = load(NULL, NULL, "http://flag:6", &err);
	CHECK_STR(endpoint(c, &uktv_svc_dynamodb), "http://flag:6");
	uktv_awsconf_free(c);
	unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");

	/* ... and so does the profile's ignore_configured_endpoint_urls. */
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_ENDPOINT_URL_DYNAMODB");
	unsetenv("AWS_ENDPOINT_URL_DYNAMODB_STREAMS");
	put(".aws/config",
	    "[default]\nregion = cn-north-1\nendpoint_url = http://p:1\n"
	    "ignore_configured_endpoint_urls = true\n");
	c = load(NULL, NULL, NULL, &err);
	CHECK_STR(endpoint(c, &uktv_svc_kinesis),
	    "https://kinesis.cn-north-1.amazonaws.com.cn");
	uktv_awsconf_free(c);

	/* A region is one DNS label: it cannot redirect the host. */
	c = load(NULL, "evil.example.com/x", NULL, &err);
	CHECK(strncmp(endpoint(c, &uktv_svc_kinesis), "ERROR:", 6) == 0);
	uktv_awsconf_free(c);
	teardown();
}

static void
test_endpoint_needs_region(void)
{
	struct uktv_error err;
	struct uktv_awsconf *c;
	char *u;

	setup();
	c = load(NULL, NULL, NULL, &err);
	uktv_error_clear(&err);
	u = c ? uktv_endpoints_url(c, &uktv_svc_dynamodb, &err) : NULL;
	CHECK(u == NULL);
	CHECK_INT(err.kind, UKTV_ERR_CONFIG);
	CHECK(strstr(err.message, "region") != NULL);
	CHECK(strstr(err.message, "\"default\"") != NULL);
	free(u);
	uktv_awsconf_free(c);

	/* A configured endpoint needs no region. */
	setenv("AWS_ENDPOINT_URL", "http://localhost:4566", 1);
	c = load(NULL, NULL, NULL, &err);
	CHECK_STR(endpoint(c, &uktv_svc_dynamodb), "http://localhost:4566");
	uktv_awsconf_free(c);
	teardown();
}

/* ---------------------------------------------------------------- */
/* credential_process                                                */
/* ---------------------------------------------------------------- */

static void
write_process(const char *json, int status)
{
	char script[PATH_MAX * 2 + 128], conf[PATH_MAX + 64];

	put("creds.json", json);
	snprintf(script, sizeof(script),
	    "#!/bin/sh\necho run >> '%s'\ncat '%s'\nexit %d\n",
	    tpath("count"), tpath("creds.json"), status);
	put("proc.sh", script);
	snprintf(conf, sizeof(conf),
	    "[default]\nregion = eu-west-2\n"
	    "credential_process = /bin/sh %s --flag\n", tpath("proc.sh"));
	put(".aws/config", conf);
}

static void
proc_json(char *buf, size_t len, const char *ak, long expires_in)
{
	char exp[64];

	iso_in(expires_in, exp, sizeof(exp));
	snprintf(buf, len, "{\"Version\": 1, \"AccessKeyId\": \"%s\", "
	    "\"SecretAccessKey\": \"proc-secret\", \"SessionToken\": "
	    "\"proc-token\", \"Expiration\": \"%s\"}\n", ak, exp);
}

static void
test_credential_process(void)
{
	struct uktv_error err;
	struct uktv_awsconf *c;
	const struct uktv_creds *cr;
	char json[512];

	setup();
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);

	/* Fresh for an hour: two calls, one run. */
	proc_json(json, sizeof(json), "ASIAPROC1", 3600);
	write_process(json, 0);
	c = load(NULL, NULL, NULL, &err);
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	if (cr == NULL)
		printf("# %s\n", err.message);
	CHECK_STR(cr ? cr->access_key_id : NULL, "ASIAPROC1");
	CHECK_STR(cr ? cr->secret_access_key : NULL, "proc-secret");
	CHECK_STR(cr ? cr->session_token : NULL, "proc-token");
	CHECK_STR(cr ? cr->source : NULL, "credential_process");
	CHECK(cr != NULL && cr->expiration > time(NULL) + 3500);
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	CHECK_STR(cr ? cr->access_key_id : NULL, "ASIAPROC1");
	CHECK_INT(c ? uktv_awsconf_credential_fetches(c) : -1, 1);
	CHECK_INT(count_lines(tpath("count"), NULL), 1);
	uktv_awsconf_free(c);

	/* Expiring inside the 300 s margin: the next call runs it again. */
	unlink(tpath("count"));
	proc_json(json, sizeof(json), "ASIAPROC2", 100);
	write_process(json, 0);
	c = load(NULL, NULL, NULL, &err);
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	CHECK_STR(cr ? cr->access_key_id : NULL, "ASIAPROC2");
	proc_json(json, sizeof(json), "ASIAPROC3", 3600);
	put("creds.json", json);
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	CHECK_STR(cr ? cr->access_key_id : NULL, "ASIAPROC3");
	CHECK_INT(c ? uktv_awsconf_credential_fetches(c) : -1, 2);
	CHECK_INT(count_lines(tpath("count"), NULL), 2);
	/* Now fresh again: no third run. */
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	CHECK_INT(c ? uktv_awsconf_credential_fetches(c) : -1, 2);
	uktv_awsconf_free(c);

	/* Already expired: refused, as the SDKs refuse them, and run again
	 * on every call (never kept). */
	unlink(tpath("count"));
	proc_json(json, sizeof(json), "ASIAOLD", -60);
	write_process(json, 0);
	c = load(NULL, NULL, NULL, &err);
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	CHECK(cr == NULL);
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	CHECK(cr == NULL);
	CHECK_INT(err.kind, UKTV_ERR_CONFIG);
	CHECK(strstr(err.message, "expired at") != NULL);
	CHECK_INT(count_lines(tpath("count"), NULL), 2);
	uktv_awsconf_free(c);

	/* The margin from the setter and from AWS_CREDENTIALS_REFRESH_MARGIN. */
	unlink(tpath("count"));
	proc_json(json, sizeof(json), "ASIAPROC4", 100);
	write_process(json, 0);
	c = load(NULL, NULL, NULL, &err);
	CHECK_INT(c ? uktv_awsconf_refresh_margin(c) : -1, 300);
	if (c != NULL)
		uktv_awsconf_set_refresh_margin(c, 30);
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	CHECK_INT(c ? uktv_awsconf_credential_fetches(c) : -1, 1);
	uktv_awsconf_free(c);
	setenv("AWS_CREDENTIALS_REFRESH_MARGIN", "50", 1);
	c = load(NULL, NULL, NULL, &err);
	CHECK_INT(c ? uktv_awsconf_refresh_margin(c) : -1, 50);
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	CHECK_INT(c ? uktv_awsconf_credential_fetches(c) : -1, 1);
	uktv_awsconf_free(c);
	setenv("AWS_CREDENTIALS_REFRESH_MARGIN", "soon", 1);
	c = load(NULL, NULL, NULL, &err);
	CHECK(c == NULL);
	CHECK_INT(err.kind, UKTV_ERR_CONFIG);
	unsetenv("AWS_CREDENTIALS_REFRESH_MARGIN");

	/* No Expiration: never refreshed. */
	write_process("{\"Version\":1,\"AccessKeyId\":\"AKIAFOREVER\","
	    "\"SecretAccessKey\":\"s\"}", 0);
	c = load(NULL, NULL, NULL, &err);
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	CHECK(cr != NULL && cr->expiration == 0 && cr->session_token == NULL);
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	CHECK_INT(c ? uktv_awsconf_credential_fetches(c) : -1, 1);
	uktv_awsconf_free(c);

	/* A refresh that fails keeps credentials that have not yet expired. */
	proc_json(json, sizeof(json), "ASIAKEEP", 100);
	write_process(json, 0);
	c = load(NULL, NULL, NULL, &err);
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	write_process("not json", 0);
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	CHECK_STR(cr ? cr->access_key_id : NULL, "ASIAKEEP");
	CHECK_INT(c ? uktv_awsconf_credential_fetches(c) : -1, 2);
	uktv_awsconf_free(c);
	teardown();
}

/* 1 when pid is a zombie: dead, waiting for whoever reaps it. */
static int
is_zombie(long pid)
{
	char path[64], buf[512], *p;
	size_t n = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	return (p = strrchr(buf, ')')) != NULL && p[1] == ' ' && p[2] == 'Z';
}

static void
expect_process_error(const char *json, int status, const char *want)
{
	struct uktv_error err;
	struct uktv_awsconf *c;
	const struct uktv_creds *cr;

	write_process(json, status);
	c = load(NULL, NULL, NULL, &err);
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	CHECK(cr == NULL);
	CHECK_INT(err.kind, UKTV_ERR_CONFIG);
	CHECK(strstr(err.message, "profile \"default\"") != NULL);
	CHECK(strstr(err.message, want) != NULL);
	/* The output holds secrets: never in the message. */
	CHECK(strstr(err.message, "SECRETLEAK") == NULL);
	CHECK(strstr(err.message, "ASIALEAK") == NULL);
	if (strstr(err.message, want) == NULL ||
	    strstr(err.message, "SECRETLEAK") != NULL)
		printf("# message: %s\n", err.message);
	uktv_awsconf_free(c);
}

static void
test_credential_process_errors(void)
{
	setup();
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	expect_process_error("{\"Version\":1,\"AccessKeyId\":\"ASIALEAK\","
	    "\"SecretAccessKey\":\"SECRETLEAK\"}", 3, "status 3");
	expect_process_error("{\"Version\":1,\"AccessKeyId\":\"ASIALEAK\","
	    "\"SecretAccessKey\":\"SECRETLEAK\"", 0, "not a JSON object");
	expect_process_error("SECRETLEAK ASIALEAK", 0, "credential_process");
	expect_process_error("{\"Version\":2,\"AccessKeyId\":\"ASIALEAK\","
	    "\"SecretAccessKey\":\"SECRETLEAK\"}", 0, "Version");
	expect_process_error("{\"Version\":1,\"AccessKeyId\":\"ASIALEAK\"}", 0,
	    "SecretAccessKey");
	expect_process_error("{\"Version\":1,\"AccessKeyId\":\"ASIALEAK\","
	    "\"SecretAccessKey\":\"SECRETLEAK\",\"Expiration\":\"tomorrow\"}",
	    0, "Expiration");
	expect_process_error("{\"Version\":1,\"AccessKeyId\":\"ASIALEAK\","
	    "\"SecretAccessKey\":\"SECRETLEAK\",\"Expiration\":"
	    "\"2020-01-02T03:04:05Z\"}", 0,
	    "gave credentials that expired at 2020-01-02T03:04:05Z");
	teardown();
}

/* A helper that never exits is killed, with what it started, after
 * credential_process_timeout (or UKTV_CREDENTIAL_PROCESS_TIMEOUT, which
 * wins); a timeout that is not 1 to 3600 seconds is named. */
static void
test_credential_process_timeout(void)
{
	struct uktv_error err;
	struct uktv_awsconf *c;
	const struct uktv_creds *cr;
	char conf[PATH_MAX * 2 + 256], script[PATH_MAX + 128];
	long pid = 0;
	FILE *fp;

	setup();
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	snprintf(script, sizeof(script), "#!/bin/sh\nsleep 300 &\n"
	    "echo $! > '%s'\nwait\n", tpath("pid"));
	put("hang.sh", script);
	snprintf(conf, sizeof(conf), "[default]\nregion = eu-west-2\n"
	    "credential_process = /bin/sh %s\n"
	    "credential_process_timeout = 3600\n", tpath("hang.sh"));
	put(".aws/config", conf);
	setenv("UKTV_CREDENTIAL_PROCESS_TIMEOUT", "1", 1);
	c = load(NULL, NULL, NULL, &err);
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	CHECK(cr == NULL);
	CHECK_INT(err.kind, UKTV_ERR_CONFIG);
	CHECK_STR(err.message, "profile \"default\": credential_process did "
	    "not finish within 1 s (credential_process_timeout): killed");
	/* The helper's own child went with it. */
	if ((fp = fopen(tpath("pid"), "r")) != NULL) {
		if (fscanf(fp, "%ld", &pid) != 1)
			pid = 0;
		fclose(fp);
	}
	CHECK(pid > 0);
	for (int i = 0; pid > 0 && i < 5000 && kill((pid_t)pid, 0) == 0 &&
	    !is_zombie(pid); i++)
		usleep(1000);
	CHECK(pid > 0 && (kill((pid_t)pid, 0) == -1 || is_zombie(pid)));
	uktv_awsconf_free(c);

	setenv("UKTV_CREDENTIAL_PROCESS_TIMEOUT", "0", 1);
	c = load(NULL, NULL, NULL, &err);
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	CHECK(cr == NULL);
	CHECK_INT(err.kind, UKTV_ERR_CONFIG);
	CHECK(strstr(err.message, "UKTV_CREDENTIAL_PROCESS_TIMEOUT \"0\" is "
	    "not a number of seconds from 1 to 3600") != NULL);
	uktv_awsconf_free(c);
	unsetenv("UKTV_CREDENTIAL_PROCESS_TIMEOUT");
	teardown();
}

/* ---------------------------------------------------------------- */
/* Container credentials and IMDS                                    */
/* ---------------------------------------------------------------- */

static void
test_container_credentials(void)
{
	struct uktv_error err;
	struct uktv_awsconf *c;
	struct uktv_http *http;
	const struct uktv_creds *cr;
	struct dbl d;
	char url[128];

	setup();
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	if (double_start(&d, "--container-token=Bearer tok-123", NULL) == -1) {
		CHECK(0);
		teardown();
		return;
	}
	http = uktv_http_new(NULL, &err);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/creds", d.port);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer tok-123", 1);
	c = load(NULL, NULL, NULL, &err);
	cr = c ? uktv_awsconf_credentials(c, http, &err) : NULL;
	if (cr == NULL)
		printf("# %s\n", err.message);
	CHECK_STR(cr ? cr->access_key_id : NULL, "ASIACONTAINER");
	CHECK_STR(cr ? cr->secret_access_key : NULL, "container-secret");
	CHECK_STR(cr ? cr->session_token : NULL, "container-token");
	CHECK_STR(cr ? cr->source : NULL, "container");
	CHECK(cr != NULL && cr->expiration > time(NULL) + 3000);
	/* Fresh: no second request. */
	cr = c ? uktv_awsconf_credentials(c, http, &err) : NULL;
	CHECK(cr != NULL);
	CHECK_INT(c ? uktv_awsconf_credential_fetches(c) : -1, 1);
	CHECK_INT(count_lines(d.log, "GET /creds"), 1);
	CHECK_INT(count_lines(d.log, "auth=ok"), 1);
	uktv_awsconf_free(c);

	/* Without an http handle of the caller's, a private one is used. */
	c = load(NULL, NULL, NULL, &err);
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	CHECK_STR(cr ? cr->access_key_id : NULL, "ASIACONTAINER");
	uktv_awsconf_free(c);

	/* A wrong token: the endpoint's 401 is a configuration error. */
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer wrong", 1);
	c = load(NULL, NULL, NULL, &err);
	cr = c ? uktv_awsconf_credentials(c, http, &err) : NULL;
	CHECK(cr == NULL);
	CHECK_INT(err.kind, UKTV_ERR_CONFIG);
	CHECK_INT(err.http_status, 401);
	CHECK(strstr(err.message, "wrong") == NULL);
	uktv_awsconf_free(c);

	/* The token file wins over the variable; its newline is not sent. */
	put("token", "Bearer tok-123\n");
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", tpath("token"), 1);
	c = load(NULL, NULL, NULL, &err);
	cr = c ? uktv_awsconf_credentials(c, http, &err) : NULL;
	CHECK_STR(cr ? cr->access_key_id : NULL, "ASIACONTAINER");
	uktv_awsconf_free(c);
	put("token", "Bearer tok-123\nsecond line\n");
	c = load(NULL, NULL, NULL, &err);
	cr = c ? uktv_awsconf_credentials(c, http, &err) : NULL;
	CHECK(cr == NULL);
	CHECK_INT(err.kind, UKTV_ERR_CONFIG);
	uktv_awsconf_free(c);
	unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");

	/* A FULL_URI to a host that is not loopback or ECS/EKS over http is
	 * refused before any request. */
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://192.0.2.1/creds", 1);
	c = load(NULL, NULL, NULL, &err);
	cr = c ? uktv_awsconf_credentials(c, http, &err) : NULL;
	CHECK(cr == NULL);
	CHECK_INT(err.kind, UKTV_ERR_CONFIG);
	CHECK(strstr(err.message, "AWS_CONTAINER_CREDENTIALS_FULL_URI") != NULL);
	uktv_awsconf_free(c);
	unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	double_stop(&d);

	/* Expiring within the margin: every call asks again. */
	if (double_start(&d, "--expires-in=60", NULL) == -1) {
		CHECK(0);
	} else {
		snprintf(url, sizeof(url), "http://localhost:%d/creds", d.port);
		setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
		c = load(NULL, NULL, NULL, &err);
		cr = c ? uktv_awsconf_credentials(c, http, &err) : NULL;
		cr = c ? uktv_awsconf_credentials(c, http, &err) : NULL;
		CHECK(cr != NULL);
		CHECK_INT(c ? uktv_awsconf_credential_fetches(c) : -1, 2);
		CHECK_INT(count_lines(d.log, "GET /creds"), 2);
		CHECK_INT(count_lines(d.log, "auth=none"), 2);
		uktv_awsconf_free(c);
		double_stop(&d);
	}
	uktv_http_free(http);
	teardown();
}

static void
test_imds(void)
{
	struct uktv_error err;
	struct uktv_awsconf *c;
	const struct uktv_creds *cr;
	struct dbl d;
	char url[128];

	setup();
	if (double_start(&d, NULL, NULL) == -1) {
		CHECK(0);
		teardown();
		return;
	}
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", d.port);
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url, 1);
	c = load(NULL, NULL, NULL, &err);
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	if (cr == NULL)
		printf("# %s\n", err.message);
	CHECK_STR(cr ? cr->access_key_id : NULL, "ASIAIMDS");
	CHECK_STR(cr ? cr->secret_access_key : NULL, "imds-secret");
	CHECK_STR(cr ? cr->session_token : NULL, "imds-token");
	CHECK_STR(cr ? cr->source : NULL, "imds");
	CHECK(cr != NULL && cr->expiration > time(NULL) + 3000);
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	CHECK_INT(c ? uktv_awsconf_credential_fetches(c) : -1, 1);
	/* IMDSv2: a token from the PUT (6 h TTL), then both GETs carry it. */
	CHECK_INT(count_lines(d.log, "PUT /latest/api/token token=issued "
	    "ttl=21600"), 1);
	CHECK_INT(count_lines(d.log, "GET /latest/meta-data/iam/"
	    "security-credentials/ token=ok"), 1);
	CHECK_INT(count_lines(d.log, "GET /latest/meta-data/iam/"
	    "security-credentials/uktv-role token=ok"), 1);
	CHECK_INT(count_lines(d.log, NULL), 3);
	uktv_awsconf_free(c);
	double_stop(&d);

	/* A host without IMDSv2 (PUT answered 404): IMDSv1, as botocore. */
	if (double_start(&d, "--imds-v1", NULL) == -1) {
		CHECK(0);
	} else {
		snprintf(url, sizeof(url), "http://127.0.0.1:%d", d.port);
		setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url, 1);
		c = load(NULL, NULL, NULL, &err);
		cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
		CHECK_STR(cr ? cr->access_key_id : NULL, "ASIAIMDS");
		CHECK_INT(count_lines(d.log, "token=missing"), 2);
		uktv_awsconf_free(c);
		/* ... unless IMDSv1 is disabled. */
		setenv("AWS_EC2_METADATA_V1_DISABLED", "true", 1);
		c = load(NULL, NULL, NULL, &err);
		cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
		CHECK(cr == NULL);
		CHECK(strstr(err.message, "IMDSv1 disabled") != NULL);
		uktv_awsconf_free(c);
		unsetenv("AWS_EC2_METADATA_V1_DISABLED");
		double_stop(&d);
	}
	teardown();
}

static void
test_imds_disabled(void)
{
	struct uktv_error err;
	struct uktv_awsconf *c;
	const struct uktv_creds *cr;
	struct dbl d;
	char url[128];
	double t0;

	setup();
	if (double_start(&d, NULL, NULL) == -1) {
		CHECK(0);
		teardown();
		return;
	}
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", d.port);
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url, 1);
	setenv("AWS_EC2_METADATA_DISABLED", "TRUE", 1);
	t0 = now_s();
	c = load(NULL, NULL, NULL, &err);
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	CHECK(cr == NULL);
	CHECK_INT(err.kind, UKTV_ERR_CONFIG);
	CHECK(strstr(err.message, "disabled") != NULL);
	CHECK(now_s() - t0 < 1.0);
	CHECK_INT(count_lines(d.log, NULL), 0);
	CHECK_INT(c ? uktv_awsconf_credential_fetches(c) : -1, 0);
	uktv_awsconf_free(c);
	double_stop(&d);
	teardown();
}

static void
test_imds_unreachable(void)
{
	struct uktv_error err;
	struct uktv_awsconf *c;
	const struct uktv_creds *cr;
	char url[128];
	double t0;

	setup();
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", closed_port());
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url, 1);
	t0 = now_s();
	c = load(NULL, NULL, NULL, &err);
	cr = c ? uktv_awsconf_credentials(c, NULL, &err) : NULL;
	CHECK(cr == NULL);
	CHECK_INT(err.kind, UKTV_ERR_CONFIG);
	CHECK(strstr(err.message, "unreachable") != NULL);
	CHECK(now_s() - t0 < 2.0);
	uktv_awsconf_free(c);
	teardown();
}

/* ---------------------------------------------------------------- */
/* Retry settings, time, wipe                                        */
/* ---------------------------------------------------------------- */

static void
expect_load_error(const char *want)
{
	struct uktv_error err;
	struct uktv_awsconf *c = load(NULL, NULL, NULL, &err);

	CHECK(c == NULL);
	CHECK_INT(err.kind, UKTV_ERR_CONFIG);
	CHECK(strstr(err.message, want) != NULL);
	uktv_awsconf_free(c);
}

static void
test_retry_settings(void)
{
	struct uktv_error err;
	struct uktv_awsconf *c;

	setup();
	c = load(NULL, NULL, NULL, &err);
	CHECK_STR(c ? uktv_awsconf_retry_mode(c) : NULL, "standard");
	CHECK_INT(c ? uktv_awsconf_max_attempts(c) : -1, 3);
	uktv_awsconf_free(c);

	put(".aws/config", "[default]\nretry_mode = adaptive\nmax_attempts = 5\n");
	c = load(NULL, NULL, NULL, &err);
	CHECK_STR(c ? uktv_awsconf_retry_mode(c) : NULL, "adaptive");
	CHECK_INT(c ? uktv_awsconf_max_attempts(c) : -1, 5);
	CHECK_STR(c ? uktv_awsconf_get(c, "retry_mode") : NULL, "adaptive");
	uktv_awsconf_free(c);

	setenv("AWS_RETRY_MODE", "legacy", 1);
	setenv("AWS_MAX_ATTEMPTS", "7", 1);
	c = load(NULL, NULL, NULL, &err);
	CHECK_STR(c ? uktv_awsconf_retry_mode(c) : NULL, "legacy");
	CHECK_INT(c ? uktv_awsconf_max_attempts(c) : -1, 7);
	uktv_awsconf_free(c);

	setenv("AWS_MAX_ATTEMPTS", "0", 1);
	expect_load_error("AWS_MAX_ATTEMPTS");
	setenv("AWS_MAX_ATTEMPTS", "three", 1);
	expect_load_error("AWS_MAX_ATTEMPTS");
	unsetenv("AWS_MAX_ATTEMPTS");
	setenv("AWS_RETRY_MODE", "fast", 1);
	expect_load_error("AWS_RETRY_MODE");
	unsetenv("AWS_RETRY_MODE");
	put(".aws/config", "[default]\nmax_attempts = -1\n");
	expect_load_error("max_attempts");
	teardown();
}

static void
test_parse_time(void)
{
	time_t t = 0;

	CHECK_INT(uktv_time_parse_epoch("2025-07-04T16:02:51Z", &t), 0);
	CHECK_INT(t, 1751644971);
	CHECK_INT(uktv_time_parse_epoch("2025-07-04T16:02:51.855Z", &t), 0);
	CHECK_INT(t, 1751644971);
	CHECK_INT(uktv_time_parse_epoch("2025-07-04T17:02:51+01:00", &t), 0);
	CHECK_INT(t, 1751644971);
	CHECK_INT(uktv_time_parse_epoch("2025-07-04T15:32:51-0030", &t), 0);
	CHECK_INT(t, 1751644971);
	CHECK_INT(uktv_time_parse_epoch("2025-07-04T16:02:51", &t), 0);
	CHECK_INT(t, 1751644971);
	/* The AWS CLI v1's SSO cache wrote the zone as "UTC". */
	CHECK_INT(uktv_time_parse_epoch("2025-07-04T16:02:51UTC", &t), 0);
	CHECK_INT(t, 1751644971);
	CHECK_INT(uktv_time_parse_epoch("2025-07-04T16:02:51UTCx", &t), -1);
	CHECK_INT(uktv_time_parse_epoch("2025-07-04", &t), -1);
	CHECK_INT(uktv_time_parse_epoch("2025-13-04T16:02:51Z", &t), -1);
	CHECK_INT(uktv_time_parse_epoch("2025-07-04T16:02:51Zjunk", &t), -1);
	CHECK_INT(uktv_time_parse_epoch("tomorrow", &t), -1);
}

static void
test_creds_wipe(void)
{
	struct uktv_creds cr;

	cr.access_key_id = strdup("AKIA");
	cr.secret_access_key = strdup("secret");
	cr.session_token = strdup("token");
	cr.expiration = 42;
	cr.source = "test";
	uktv_creds_wipe(&cr);
	CHECK(cr.access_key_id == NULL);
	CHECK(cr.secret_access_key == NULL);
	CHECK(cr.session_token == NULL);
	CHECK_INT(cr.expiration, 0);
	uktv_creds_wipe(&cr);		/* twice is harmless */
	uktv_creds_wipe(NULL);
}

/* ---------------------------------------------------------------- */
/* Assume role, web identity, SSO                                    */
/* ---------------------------------------------------------------- */

/* Resolves profile's credentials; NULL with *err when they fail. */
static const struct uktv_creds *
creds_of(struct uktv_awsconf **cp, const char *profile, const char *flag_url,
    struct uktv_error *err)
{
	*cp = load(profile, NULL, flag_url, err);
	if (*cp == NULL)
		return NULL;
	return uktv_awsconf_credentials(*cp, NULL, err);
}

/* The credentials of profile must fail with kind and a message holding
 * want (and, when given, want2). */
static void
expect_fail(const char *profile, enum uktv_error_kind kind, const char *want,
    const char *want2)
{
	struct uktv_awsconf *c = NULL;
	struct uktv_error err;
	const struct uktv_creds *cr;

	cr = creds_of(&c, profile, NULL, &err);
	CHECK(cr == NULL);
	CHECK_INT(err.kind, kind);
	CHECK(strstr(err.message, want) != NULL);
	CHECK(want2 == NULL || strstr(err.message, want2) != NULL);
	CHECK(strchr(err.message, '\n') == NULL);
	if (cr != NULL || err.kind != kind || strstr(err.message, want) == NULL ||
	    (want2 != NULL && strstr(err.message, want2) == NULL))
		printf("# %s: %s\n", profile, err.message);
	uktv_awsconf_free(c);
}

static void
test_role_config_errors(void)
{
	char sts[64];

	setup();
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	setenv("AWS_REGION", "eu-west-2", 1);
	/* Nothing here may reach STS: make it unreachable to be sure. */
	snprintf(sts, sizeof(sts), "http://127.0.0.1:%d", closed_port());
	setenv("AWS_ENDPOINT_URL_STS", sts, 1);
	put(".aws/credentials", "[caller]\naws_access_key_id = AKIACALLER\n"
	    "aws_secret_access_key = caller-secret\n");
	put(".aws/config",
	    "[profile a]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = b\n"
	    "[profile b]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = a\n"
	    "[profile selfish]\nrole_arn = arn:aws:iam::1:role/r\n"
	    "source_profile = selfish\n"
	    "[profile missing]\nrole_arn = arn:aws:iam::1:role/r\n"
	    "source_profile = nowhere\n"
	    "[profile both]\nrole_arn = arn:aws:iam::1:role/r\n"
	    "source_profile = caller\ncredential_source = Environment\n"
	    "[profile neither]\nrole_arn = arn:aws:iam::1:role/r\n"
	    "[profile mfa]\nrole_arn = arn:aws:iam::1:role/r\n"
	    "source_profile = caller\nmfa_serial = arn:aws:iam::1:mfa/u\n"
	    "[profile bogus]\nrole_arn = arn:aws:iam::1:role/r\n"
	    "credential_source = Laptop\n"
	    "[profile short]\nrole_arn = arn:aws:iam::1:role/r\n"
	    "source_profile = caller\nduration_seconds = 60\n"
	    "[profile badname]\nrole_arn = arn:aws:iam::1:role/r\n"
	    "source_profile = caller\nrole_session_name = has space\n"
	    "[profile envsrc]\nrole_arn = arn:aws:iam::1:role/r\n"
	    "credential_source = Environment\n"
	    "[profile ecs]\nrole_arn = arn:aws:iam::1:role/r\n"
	    "credential_source = EcsContainer\n"
	    "[profile imds]\nrole_arn = arn:aws:iam::1:role/r\n"
	    "credential_source = Ec2InstanceMetadata\n"
	    "[profile hollow]\nrole_arn = arn:aws:iam::1:role/r\n"
	    "source_profile = empty\n"
	    "[profile empty]\nregion = eu-west-1\n"
	    "[profile webnorole]\nweb_identity_token_file = /nonexistent\n");
	expect_fail("a", UKTV_ERR_CONFIG, "profile \"a\": source_profile loop: "
	    "a -> b -> a", NULL);
	expect_fail("b", UKTV_ERR_CONFIG, "source_profile loop: b -> a -> b",
	    NULL);
	expect_fail("selfish", UKTV_ERR_CONFIG,
	    "source_profile loop: selfish -> selfish", NULL);
	expect_fail("missing", UKTV_ERR_CONFIG, "source_profile \"nowhere\" "
	    "is not in", NULL);
	expect_fail("both", UKTV_ERR_CONFIG, "both source_profile and "
	    "credential_source", NULL);
	expect_fail("neither", UKTV_ERR_CONFIG, "neither source_profile nor "
	    "credential_source", NULL);
	expect_fail("mfa", UKTV_ERR_CONFIG, "has mfa_serial", "never prompts");
	expect_fail("bogus", UKTV_ERR_CONFIG, "credential_source \"Laptop\"",
	    NULL);
	expect_fail("short", UKTV_ERR_CONFIG, "duration_seconds \"60\"", NULL);
	expect_fail("badname", UKTV_ERR_CONFIG, "role_session_name \"has space\"",
	    NULL);
	expect_fail("envsrc", UKTV_ERR_CONFIG, "credential_source Environment",
	    "AWS_ACCESS_KEY_ID");
	expect_fail("ecs", UKTV_ERR_CONFIG, "credential_source EcsContainer",
	    NULL);
	expect_fail("imds", UKTV_ERR_CONFIG, "credential_source "
	    "Ec2InstanceMetadata", "AWS_EC2_METADATA_DISABLED");
	expect_fail("hollow", UKTV_ERR_CONFIG, "its source_profile \"empty\" "
	    "has no credentials", NULL);
	expect_fail("webnorole", UKTV_ERR_CONFIG, "no role", "AWS_ROLE_ARN");
	teardown();
}

/*
 * The chain's order, shown without a network: STS and the SSO services are
 * pointed at a closed port, so the provider that ran is named by the call
 * that could not be made.
 */
static void
test_role_chain_order(void)
{
	struct uktv_awsconf *c = NULL;
	struct uktv_error err;
	const struct uktv_creds *cr;
	char sts[64], sso[64], want[128], web[PATH_MAX + 64];

	setup();
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	setenv("AWS_REGION", "eu-west-2", 1);
	snprintf(sts, sizeof(sts), "http://127.0.0.1:%d", closed_port());
	snprintf(sso, sizeof(sso), "http://127.0.0.1:%d", closed_port());
	setenv("AWS_ENDPOINT_URL_STS", sts, 1);
	setenv("AWS_ENDPOINT_URL_SSO", sso, 1);
	put("token.jwt", "header.payload.sig\n");
	put(".aws/credentials", "[caller]\naws_access_key_id = AKIACALLER\n"
	    "aws_secret_access_key = caller-secret\n"
	    "[self]\naws_access_key_id = AKIASELF\n"
	    "aws_secret_access_key = self-secret\n"
	    "[web]\naws_access_key_id = AKIAWEB\n"
	    "aws_secret_access_key = web-secret\n"
	    "[sso]\naws_access_key_id = AKIASSO\n"
	    "aws_secret_access_key = sso-secret\n"
	    "[default]\naws_access_key_id = AKIADEFAULT\n"
	    "aws_secret_access_key = default-secret\n");
	snprintf(web, sizeof(web),
	    "[profile role]\nrole_arn = arn:aws:iam::1:role/r\n"
	    "source_profile = caller\n"
	    "[profile self]\nrole_arn = arn:aws:iam::1:role/r\n"
	    "source_profile = self\n"
	    "[profile web]\nrole_arn = arn:aws:iam::1:role/w\n"
	    "web_identity_token_file = %s\n"
	    "[profile sso]\nsso_start_url = https://x.awsapps.com/start\n"
	    "sso_region = eu-west-1\nsso_account_id = 1\nsso_role_name = r\n",
	    tpath("token.jwt"));
	put(".aws/config", web);
	snprintf(want, sizeof(want), "STS AssumeRole at %s", sts);

	/* Environment keys come first, even before a role profile ... */
	setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
	setenv("AWS_PROFILE", "role", 1);
	cr = creds_of(&c, NULL, NULL, &err);
	CHECK_STR(cr ? cr->source : NULL, "environment");
	uktv_awsconf_free(c);
	/* ... but not with --profile: then the role is assumed. */
	expect_fail("role", UKTV_ERR_UNAVAILABLE, want,
	    "profile \"role\": assume role arn:aws:iam::1:role/r");
	unsetenv("AWS_PROFILE");
	/* The role before the profile's own static keys. */
	expect_fail("self", UKTV_ERR_UNAVAILABLE, want, NULL);
	/* --endpoint-url is the called service's, never STS's. */
	cr = creds_of(&c, "self", "http://127.0.0.1:1", &err);
	CHECK(cr == NULL && strstr(err.message, want) != NULL);
	uktv_awsconf_free(c);
	/* Web identity and SSO before static keys. */
	snprintf(want, sizeof(want), "STS AssumeRoleWithWebIdentity at %s", sts);
	expect_fail("web", UKTV_ERR_UNAVAILABLE, want,
	    "web identity role arn:aws:iam::1:role/w");
	expect_fail("sso", UKTV_ERR_NOPERM, "aws sso login --profile sso", NULL);
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");

	/* The environment's web identity comes before the default profile's
	 * static keys, and is ignored under --profile. */
	setenv("AWS_WEB_IDENTITY_TOKEN_FILE", tpath("token.jwt"), 1);
	setenv("AWS_ROLE_ARN", "arn:aws:iam::1:role/envweb", 1);
	expect_fail(NULL, UKTV_ERR_UNAVAILABLE, want,
	    "arn:aws:iam::1:role/envweb");
	cr = creds_of(&c, "caller", NULL, &err);
	CHECK_STR(cr ? cr->access_key_id : NULL, "AKIACALLER");
	uktv_awsconf_free(c);
	/* A bad AWS_ROLE_SESSION_NAME is refused before any call. */
	setenv("AWS_ROLE_SESSION_NAME", "no/slash", 1);
	expect_fail(NULL, UKTV_ERR_CONFIG, "role_session_name \"no/slash\"",
	    NULL);
	unsetenv("AWS_ROLE_SESSION_NAME");
	unsetenv("AWS_WEB_IDENTITY_TOKEN_FILE");
	unsetenv("AWS_ROLE_ARN");

	/* A web identity profile as another's source, and the env file. */
	put(".aws/config", "[profile hop]\nrole_arn = arn:aws:iam::1:role/h\n"
	    "source_profile = web\n"
	    "[profile web]\nrole_arn = arn:aws:iam::1:role/w\n"
	    "web_identity_token_file = ~/token.jwt\n");
	expect_fail("hop", UKTV_ERR_UNAVAILABLE, want,
	    "profile \"web\": web identity role");
	put(".aws/config", "[profile web]\nrole_arn = arn:aws:iam::1:role/w\n"
	    "web_identity_token_file = ~/gone.jwt\n");
	expect_fail("web", UKTV_ERR_CONFIG, "gone.jwt does not exist", NULL);
	put("empty.jwt", "\n");
	put(".aws/config", "[profile web]\nrole_arn = arn:aws:iam::1:role/w\n"
	    "web_identity_token_file = ~/empty.jwt\n");
	expect_fail("web", UKTV_ERR_CONFIG, "is empty", NULL);
	teardown();
}

static void
put_token(const char *key, const char *json)
{
	char *path = uktv_sso_cache_path(tmp, key);
	FILE *fp;

	mkdir(tpath(".aws/sso"), 0700);
	mkdir(tpath(".aws/sso/cache"), 0700);
	if (path == NULL || (fp = fopen(path, "w")) == NULL) {
		perror("put_token");
		exit(1);
	}
	fputs(json, fp);
	fclose(fp);
	free(path);
}

static void
test_sso_profiles(void)
{
	char sso[64], oidc[64], conf[1024], json[1024], exp[64], reg[64];
	char want[128];

	setup();
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	snprintf(sso, sizeof(sso), "http://127.0.0.1:%d", closed_port());
	snprintf(oidc, sizeof(oidc), "http://127.0.0.1:%d", closed_port());
	setenv("AWS_ENDPOINT_URL_SSO", sso, 1);
	setenv("AWS_ENDPOINT_URL_SSO_OIDC", oidc, 1);
	snprintf(conf, sizeof(conf),
	    "[profile partial]\nsso_start_url = https://x.awsapps.com/start\n"
	    "[profile nosession]\nsso_session = ghost\nsso_account_id = 1\n"
	    "sso_role_name = r\n"
	    "[profile clash]\nsso_session = dev\nsso_account_id = 1\n"
	    "sso_role_name = r\nsso_start_url = https://other.awsapps.com/start\n"
	    "[profile dev]\nsso_session = dev\nsso_account_id = 1\n"
	    "sso_role_name = r\n"
	    "[profile legacy]\nsso_start_url = https://x.awsapps.com/start\n"
	    "sso_region = eu-west-1\nsso_account_id = 1\nsso_role_name = r\n"
	    "[sso-session dev]\nsso_start_url = https://d-1.awsapps.com/start\n"
	    "sso_region = eu-west-1\n");
	put(".aws/config", conf);
	expect_fail("partial", UKTV_ERR_CONFIG, "configured for SSO but has no "
	    "sso_region, sso_account_id, sso_role_name", NULL);
	expect_fail("nosession", UKTV_ERR_CONFIG, "sso_session \"ghost\" has "
	    "no [sso-session ghost] section", NULL);
	expect_fail("clash", UKTV_ERR_CONFIG, "sso_start_url differs", NULL);
	/* Not logged in: the one line with the command. */
	expect_fail("dev", UKTV_ERR_NOPERM, "profile \"dev\": not logged in",
	    "run \"aws sso login --profile dev\"");
	expect_fail("legacy", UKTV_ERR_NOPERM, "not logged in",
	    "aws sso login --profile legacy");

	/* An unreadable cache: the same advice, never its contents. */
	put_token("dev", "{\"accessToken\": \"SECRETTOKEN\"");
	expect_fail("dev", UKTV_ERR_NOPERM, "unusable",
	    "aws sso login --profile dev");
	expect_fail("dev", UKTV_ERR_NOPERM, "not a JSON object", NULL);

	/* The legacy form is never refreshed, even with a refresh token. */
	iso_in(-60, exp, sizeof(exp));
	iso_in(86400, reg, sizeof(reg));
	snprintf(json, sizeof(json), "{\"accessToken\": \"SECRETTOKEN\", "
	    "\"expiresAt\": \"%s\", \"refreshToken\": \"SECRETREFRESH\", "
	    "\"clientId\": \"c\", \"clientSecret\": \"SECRETCLIENT\", "
	    "\"registrationExpiresAt\": \"%s\"}", exp, reg);
	put_token("https://x.awsapps.com/start", json);
	expect_fail("legacy", UKTV_ERR_NOPERM, "profile \"legacy\": the SSO "
	    "session has expired; run \"aws sso login --profile legacy\"",
	    NULL);
	/* sso-session: refreshed; the OIDC service being down is not the
	 * user's login to blame (69, naming the call). */
	put_token("dev", json);
	snprintf(want, sizeof(want), "SSO-OIDC CreateToken at %s", oidc);
	expect_fail("dev", UKTV_ERR_UNAVAILABLE, want, "profile \"dev\"");
	/* Expired without a refresh token: the login line. */
	snprintf(json, sizeof(json), "{\"accessToken\": \"SECRETTOKEN\", "
	    "\"expiresAt\": \"%s\"}", exp);
	put_token("dev", json);
	expect_fail("dev", UKTV_ERR_NOPERM, "the SSO session has expired",
	    "aws sso login --profile dev");
	/* A registration that has expired cannot refresh either. */
	iso_in(-10, reg, sizeof(reg));
	snprintf(json, sizeof(json), "{\"accessToken\": \"SECRETTOKEN\", "
	    "\"expiresAt\": \"%s\", \"refreshToken\": \"SECRETREFRESH\", "
	    "\"clientId\": \"c\", \"clientSecret\": \"SECRETCLIENT\", "
	    "\"registrationExpiresAt\": \"%s\"}", exp, reg);
	put_token("dev", json);
	expect_fail("dev", UKTV_ERR_NOPERM, "the SSO session has expired",
	    NULL);

	/* Within the 15-minute window with the OIDC service down: the token
	 * that is still good is used (the portal call is what fails here). */
	iso_in(600, exp, sizeof(exp));
	iso_in(86400, reg, sizeof(reg));
	snprintf(json, sizeof(json), "{\"accessToken\": \"SECRETTOKEN\", "
	    "\"expiresAt\": \"%s\", \"refreshToken\": \"SECRETREFRESH\", "
	    "\"clientId\": \"c\", \"clientSecret\": \"SECRETCLIENT\", "
	    "\"registrationExpiresAt\": \"%s\"}", exp, reg);
	put_token("dev", json);
	snprintf(want, sizeof(want), "SSO GetRoleCredentials at %s", sso);
	expect_fail("dev", UKTV_ERR_UNAVAILABLE, want, NULL);
	/* The AWS CLI v1's "...UTC" expiry is understood. */
	snprintf(json, sizeof(json), "{\"accessToken\": \"SECRETTOKEN\", "
	    "\"expiresAt\": \"2999-01-01T00:00:00UTC\"}");
	put_token("https://x.awsapps.com/start", json);
	expect_fail("legacy", UKTV_ERR_UNAVAILABLE, want, NULL);
	teardown();
}

static void
test_sso_cache(void)
{
	struct uktv_sso_token t;
	struct uktv_error err;
	struct stat st;
	char *path, json[512];
	FILE *fp;
	int n = 0;

	setup();
	/* botocore's test vector for a start URL. */
	path = uktv_sso_cache_path("/home/u", "https://d-abc123.awsapps.com/start");
	CHECK_STR(path, "/home/u/.aws/sso/cache/"
	    "40a89917e3175433e361b710a9d43528d7f1890a.json");
	free(path);
	path = uktv_sso_cache_path("/h", "uktv");
	CHECK_STR(path, "/h/.aws/sso/cache/"
	    "7690648719052cbb98839d9f1aba4fffbede0648.json");
	free(path);

	path = uktv_sso_cache_path(tmp, "dev");
	uktv_error_clear(&err);
	CHECK_INT(uktv_sso_token_read(path, &t, &err), 0);
	snprintf(json, sizeof(json), "{\"startUrl\": \"https://d-1.awsapps.com/"
	    "start\", \"region\": \"eu-west-1\", \"accessToken\": \"at-1\", "
	    "\"expiresAt\": \"2030-01-01T00:00:00Z\", \"clientId\": \"cid\", "
	    "\"clientSecret\": \"csec\", \"registrationExpiresAt\": "
	    "\"2030-02-01T00:00:00Z\", \"refreshToken\": \"rt-1\", "
	    "\"scopes\": [\"sso:account:access\"]}");
	put_token("dev", json);
	CHECK_INT(uktv_sso_token_read(path, &t, &err), 1);
	CHECK_STR(t.access_token, "at-1");
	CHECK_STR(t.refresh_token, "rt-1");
	CHECK_STR(t.client_id, "cid");
	CHECK_STR(t.client_secret, "csec");
	CHECK_INT(t.expires_at, 1893456000);
	CHECK_INT(t.registration_expires_at, 1896134400);
	CHECK(uktv_sso_token_refreshable(&t, 1893456000));
	CHECK(!uktv_sso_token_refreshable(&t, 1896134400));

	/* A refresh rewrites three fields and keeps the rest. */
	free(t.access_token);
	t.access_token = strdup("at-2");
	free(t.refresh_token);
	t.refresh_token = strdup("rt-2");
	t.expires_at = 1893459600;
	CHECK_INT(uktv_sso_token_write(path, &t, &err), 0);
	uktv_sso_token_wipe(&t);
	CHECK(t.access_token == NULL);
	CHECK_INT(uktv_sso_token_read(path, &t, &err), 1);
	CHECK_STR(t.access_token, "at-2");
	CHECK_STR(t.refresh_token, "rt-2");
	CHECK_STR(t.client_secret, "csec");
	CHECK_INT(t.expires_at, 1893459600);
	uktv_sso_token_wipe(&t);
	if ((fp = fopen(path, "r")) != NULL) {
		n = (int)fread(json, 1, sizeof(json) - 1, fp);
		fclose(fp);
	}
	json[n > 0 ? n : 0] = '\0';
	CHECK(strstr(json, "\"startUrl\":\"https://d-1.awsapps.com/start\"") !=
	    NULL);
	CHECK(strstr(json, "\"expiresAt\":\"2030-01-01T01:00:00Z\"") != NULL);
	CHECK(strstr(json, "\"scopes\":[\"sso:account:access\"]") != NULL);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	/* Nothing but the one file in the cache directory. */
	{
		char cmd[PATH_MAX + 64];
		FILE *ls;
		int files = 0;

		snprintf(cmd, sizeof(cmd), "ls -A '%s'", tpath(".aws/sso/cache"));
		if ((ls = popen(cmd, "r")) != NULL) {
			while (fgets(cmd, sizeof(cmd), ls) != NULL)
				files++;
			pclose(ls);
		}
		CHECK_INT(files, 1);
	}

	/* Not a token cache: named, never a value. */
	put_token("dev", "{\"expiresAt\": \"2030-01-01T00:00:00Z\"}");
	CHECK_INT(uktv_sso_token_read(path, &t, &err), -1);
	CHECK(strstr(err.message, "accessToken") != NULL);
	put_token("dev", "{\"accessToken\": \"SECRET\", \"expiresAt\": \"later\"}");
	CHECK_INT(uktv_sso_token_read(path, &t, &err), -1);
	CHECK(strstr(err.message, "expiresAt") != NULL);
	CHECK(strstr(err.message, "SECRET") == NULL);
	put_token("dev", "[1]");
	CHECK_INT(uktv_sso_token_read(path, &t, &err), -1);
	CHECK_INT(err.kind, UKTV_ERR_CONFIG);
	/* A legacy login: no refresh. */
	put_token("dev", "{\"accessToken\": \"a\", \"expiresAt\": "
	    "\"2030-01-01T00:00:00Z\"}");
	CHECK_INT(uktv_sso_token_read(path, &t, &err), 1);
	CHECK(!uktv_sso_token_refreshable(&t, 0));
	uktv_sso_token_wipe(&t);
	free(path);
	teardown();
}

int
main(void)
{
	RUN(test_region_order);
	RUN(test_byte_order_mark);
	RUN(test_profile_order);
	RUN(test_sections);
	RUN(test_file_locations);
	RUN(test_credentials_file_wins);
	RUN(test_env_credentials);
	RUN(test_static_profile_keys);
	RUN(test_no_credentials);
	RUN(test_endpoint_order);
	RUN(test_endpoint_needs_region);
	RUN(test_credential_process);
	RUN(test_credential_process_errors);
	RUN(test_credential_process_timeout);
	RUN(test_container_credentials);
	RUN(test_imds);
	RUN(test_imds_disabled);
	RUN(test_imds_unreachable);
	RUN(test_retry_settings);
	RUN(test_parse_time);
	RUN(test_creds_wipe);
	RUN(test_role_config_errors);
	RUN(test_role_chain_order);
	RUN(test_sso_profiles);
	RUN(test_sso_cache);
	return UNIT_DONE();
}
