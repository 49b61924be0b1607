/*
 * test_webapi.c: the web API's routes (lib/guide/webapi) against
 * moto_server, started here as test_streamreader starts its double, on a
 * table holding tests/fixtures/prefs' reference items, title records and
 * index entries: every route, every error answer, the user's items as
 * uktv-prefs keeps them, a store that fails, and workers side by side
 * (one client each, as uktv-api's threads).  uktv-api's HTTP side and
 * the comparison with uktv-prefs' own output are tests/api-data.bats'.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <json-c/json.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aws.h"
#include "awsjson.h"
#include "awsservice.h"
#include "dynamodb.h"
#include "http.h"
#include "webapi.h"
#include "unit.h"

#define TABLE	"UKTVProgrammes"
#define ALICE	"a1b2c3d4-e5f6-7890-1234-567890abcdef"
#define BOB	"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"

static char url[64];
static pid_t moto_pid = -1;
static struct uktv_aws *aws;
static struct uktv_webapi api = { NULL, TABLE };

/* A port nobody listens on now (the kernel's choice, then closed). */
static int
free_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd, port = -1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static int
start_moto(void)
{
	struct uktv_http_opts ho = { 0 };
	struct uktv_http_response resp;
	struct uktv_http *h;
	struct uktv_error e;
	char port[16], probe[96];
	int up = 0;

	snprintf(port, sizeof(port), "%d", free_port());
	snprintf(url, sizeof(url), "http://127.0.0.1:%s", port);
	if ((moto_pid = fork()) == 0) {
		/* Its messages would mix with the TAP lines. */
		if (freopen("/dev/null", "w", stdout) == NULL ||
		    freopen("/dev/null", "w", stderr) == NULL)
			_exit(127);
		execlp("moto_server", "moto_server", "-H", "127.0.0.1", "-p",
		    port, (char *)NULL);
		_exit(127);
	}
	if (moto_pid == -1 || (h = uktv_http_new(&ho, &e)) == NULL)
		return -1;
	snprintf(probe, sizeof(probe), "%s/moto-api/", url);
	/* Up to 60 s: Python starts slowly on a loaded machine; a server
	 * that exits is given up on at once. */
	for (int i = 0; i < 1200 && !up; i++) {
		struct timespec ts = { 0, 50000000 };

		if (uktv_http_request(h, "GET", probe, NULL, 0, NULL, 0, &resp,
		    &e) == 0) {
			up = resp.status == 200;
			uktv_http_response_free(&resp);
		}
		if (!up && waitpid(moto_pid, NULL, WNOHANG) == moto_pid) {
			moto_pid = -1;
			break;
		}
		if (!up)
			nanosleep(&ts, NULL);
	}
	uktv_http_free(h);
	return up ? 0 : -1;
}

static void
stop_moto(void)
{
	if (moto_pid > 0) {
		kill(moto_pid, SIGTERM);
		waitpid(moto_pid, NULL, 0);
	}
}

/* One DynamoDB call with a JSON request text; 0 or -1 (said). */
static int
ddb(const char *op, const char *json)
{
	struct json_object *req, *resp = NULL;
	struct uktv_error e;
	int rc;

	if ((req = json_tokener_parse(json)) == NULL) {
		printf("# %s: bad request JSON\n", op);
		return -1;
	}
	uktv_error_clear(&e);
	rc = uktv_awsjson_call(aws, &uktv_svc_dynamodb, op, req, &resp, &e);
	if (rc == -1)
		printf("# %s: %s\n", op, e.message);
	json_object_put(req);
	json_object_put(resp);
	return rc;
}

/* The fixture's batch of puts (the RequestItems of one BatchWriteItem,
 * as `aws dynamodb batch-write-item --request-items` reads it). */
static int
load_fixture(const char *path)
{
	struct json_object *o, *req;
	int rc = -1;

	if ((o = json_object_from_file(path)) == NULL) {
		printf("# cannot read %s\n", path);
		return -1;
	}
	if ((req = json_object_new_object()) != NULL &&
	    json_object_object_add(req, "RequestItems", o) == 0)
		rc = ddb("BatchWriteItem", json_object_to_json_string_ext(req,
		    JSON_C_TO_STRING_PLAIN));
	else
		json_object_put(o);
	json_object_put(req);
	return rc;
}

static int
setup_table(void)
{
	return ddb("CreateTable", "{\"TableName\":\"" TABLE "\","
	    "\"AttributeDefinitions\":[{\"AttributeName\":\"PK\","
	    "\"AttributeType\":\"S\"},{\"AttributeName\":\"SK\","
	    "\"AttributeType\":\"S\"}],\"KeySchema\":[{\"AttributeName\":"
	    "\"PK\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"SK\","
	    "\"KeyType\":\"RANGE\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}") ||
	    load_fixture("tests/fixtures/prefs/reference.json") ||
	    load_fixture("tests/fixtures/prefs/titles.json") ||
	    /* Enriched, but never rated: the page gets user_rating 0. */
	    ddb("BatchWriteItem", "{\"RequestItems\":{\"" TABLE "\":[{\"PutRequest\":{\"Item\":"
	    "{\"PK\":{\"S\":\"title:9100001\"},\"SK\":{\"S\":\"record\"},"
	    "\"data\":{\"M\":{\"id\":{\"N\":\"9100001\"},\"title\":{\"S\":"
	    "\"Unrated Comedy\"},\"plot_overview\":{\"S\":\"A plot.\"},"
	    "\"poster\":{\"S\":\"https://example.com/p.jpg\"},\"user_rating\":"
	    "{\"NULL\":true}}}}}},{\"PutRequest\":{\"Item\":{\"PK\":{\"S\":"
	    "\"source:203:genre:4\"},\"SK\":{\"S\":\"title:9100001\"}}}}]}}");
}

/* The answer to one request; its body is kept in a static buffer. */
static int
call(const char *method, const char *path, const char *sub, const char *body,
    char *got, size_t gotlen)
{
	struct uktv_webapi_answer a;
	int rc;

	rc = uktv_webapi_handle(&api, method, path, sub, body,
	    body ? strlen(body) : 0, &a);
	CHECK_INT(rc, 0);
	snprintf(got, gotlen, "%s", a.body ? a.body : "(null)");
	uktv_webapi_answer_free(&a);
	CHECK(a.body == NULL);
	return a.status;
}

static char got[16384];

#define ANSWER(m, p, s, b, st, want) do {				\
	CHECK_INT(call((m), (p), (s), (b), got, sizeof(got)), (st));	\
	CHECK_STR(got, (want));						\
} while (0)

/* The SKs stored under userpref:user, in key order, space-separated. */
static void
stored(const char *user, char *out, size_t len)
{
	struct json_object *req, *resp = NULL, *items, *sk;
	struct uktv_error e;
	char json[512];
	size_t i, n;

	out[0] = '\0';
	snprintf(json, sizeof(json), "{\"TableName\":\"" TABLE "\","
	    "\"ConsistentRead\":true,\"KeyConditionExpression\":\"PK = :p\","
	    "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"userpref:%s\"}}}",
	    user);
	req = json_tokener_parse(json);
	uktv_error_clear(&e);
	if (uktv_awsjson_call(aws, &uktv_svc_dynamodb, "Query", req, &resp,
	    &e) == 0 && json_object_object_get_ex(resp, "Items", &items)) {
		n = json_object_array_length(items);
		for (i = 0; i < n; i++) {
			json_object_object_get_ex(json_object_object_get(
			    json_object_array_get_idx(items, i), "SK"), "S", &sk);
			snprintf(out + strlen(out), len - strlen(out), "%s%s",
			    i ? " " : "", json_object_get_string(sk));
		}
	} else
		printf("# Query: %s\n", e.message);
	json_object_put(req);
	json_object_put(resp);
}

static void
test_needs_user(void)
{
	CHECK_INT(uktv_webapi_needs_user("GET", "/sources"), 0);
	CHECK_INT(uktv_webapi_needs_user("GET", "/genres"), 0);
	CHECK_INT(uktv_webapi_needs_user("OPTIONS", "/preferences"), 0);
	CHECK_INT(uktv_webapi_needs_user("OPTIONS", "/anything/at/all"), 0);
	CHECK_INT(uktv_webapi_needs_user("GET", "/preferences"), 1);
	CHECK_INT(uktv_webapi_needs_user("PUT", "/preferences"), 1);
	CHECK_INT(uktv_webapi_needs_user("GET", "/titles"), 1);
	CHECK_INT(uktv_webapi_needs_user("GET", "/recommendations"), 1);
	/* The original checked the token before the path. */
	CHECK_INT(uktv_webapi_needs_user("GET", "/nowhere"), 1);
	CHECK_INT(uktv_webapi_needs_user("POST", "/sources"), 1);
	CHECK_INT(uktv_webapi_needs_user("GET", "/sources/"), 1);
	CHECK_INT(uktv_webapi_needs_user("get", "/sources"), 1);
}

static void
test_options(void)
{
	ANSWER("OPTIONS", "/preferences", NULL, NULL, 200, "{}");
	ANSWER("OPTIONS", "/nowhere", NULL, NULL, 200, "{}");
	ANSWER("OPTIONS", "/titles", ALICE, NULL, 200, "{}");
}

static void
test_sources_and_genres(void)
{
	/* By name as `uktv-prefs sources` lists them; no index entry
	 * (source:203:genre:4) among them. */
	ANSWER("GET", "/sources", NULL, NULL, 200,
	    "[{\"id\":\"349\",\"name\":\"AppleTV\"},"
	    "{\"id\":\"409\",\"name\":\"BBC iPlayer\"},"
	    "{\"id\":\"203\",\"name\":\"Netflix\"},"
	    "{\"id\":\"26\",\"name\":\"Prime Video\"}]");
	ANSWER("GET", "/genres", ALICE, NULL, 200,
	    "[{\"id\":\"1\",\"name\":\"Action\"},"
	    "{\"id\":\"4\",\"name\":\"Comedy\"},"
	    "{\"id\":\"6\",\"name\":\"Documentary\"},"
	    "{\"id\":\"7\",\"name\":\"Drama\"}]");
}

static void
test_unauthorized(void)
{
	static const char *const paths[][2] = {
		{ "GET", "/preferences" }, { "PUT", "/preferences" },
		{ "GET", "/titles" }, { "GET", "/recommendations" },
		{ "GET", "/nowhere" }, { "DELETE", "/sources" },
	};
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		ANSWER(paths[i][0], paths[i][1], NULL, "{\"sources\":[]}", 401,
		    "{\"error\":\"Unauthorized\"}");
	/* A sub that names no user uktv can keep. */
	ANSWER("GET", "/preferences", "not a user", NULL, 401,
	    "{\"error\":\"Unauthorized\"}");
	ANSWER("GET", "/preferences", "", NULL, 401,
	    "{\"error\":\"Unauthorized\"}");
	/* Nothing was written for anyone. */
	stored("not a user", got, sizeof(got));
	CHECK_STR(got, "");
}

static void
test_not_found(void)
{
	ANSWER("GET", "/nowhere", ALICE, NULL, 404, "{\"error\":\"Path not "
	    "found or method not allowed: GET /nowhere\"}");
	ANSWER("POST", "/preferences", ALICE, "{}", 404, "{\"error\":\"Path "
	    "not found or method not allowed: POST /preferences\"}");
	ANSWER("DELETE", "/sources", ALICE, NULL, 404, "{\"error\":\"Path not "
	    "found or method not allowed: DELETE /sources\"}");
	ANSWER("GET", "/sources/", ALICE, NULL, 404, "{\"error\":\"Path not "
	    "found or method not allowed: GET /sources/\"}");
	/* What a client sent is shown, never raw. */
	ANSWER("GET", "/a b\n\xc3", ALICE, NULL, 404, "{\"error\":\"Path not "
	    "found or method not allowed: GET /a%20b%0A%C3\"}");
}

static void
test_preferences_of_nobody(void)
{
	ANSWER("GET", "/preferences", BOB, NULL, 200,
	    "{\"sources\":[],\"genres\":[],\"favourites\":[]}");
	ANSWER("GET", "/titles", BOB, NULL, 200, "[]");
	ANSWER("GET", "/recommendations", BOB, NULL, 200, "[]");
}

static void
test_put_and_get(void)
{
	const struct uktv_aws_stats *st = uktv_aws_stats(aws);
	long before;

	/* The original page's body: ids as strings or numbers. */
	ANSWER("PUT", "/preferences", ALICE, "{\"sources\": [\"203\", 26], "
	    "\"genres\": [\"4\", \"7\"], \"favourites\": [\"9000003\"]}", 200,
	    "{\"message\":\"Preferences updated successfully\"}");
	ANSWER("GET", "/preferences", ALICE, NULL, 200,
	    "{\"sources\":[\"26\",\"203\"],\"genres\":[\"4\",\"7\"],"
	    "\"favourites\":[\"9000003\"]}");
	/* The original's item shapes, one per choice. */
	stored(ALICE, got, sizeof(got));
	CHECK_STR(got, "favourite:9000003 genre:4 genre:7 source:203 source:26");
	/* Each user sees only their own. */
	ANSWER("PUT", "/preferences", BOB, "{\"sources\":[\"349\"],"
	    "\"genres\":[\"6\"]}", 200,
	    "{\"message\":\"Preferences updated successfully\"}");
	ANSWER("GET", "/preferences", BOB, NULL, 200,
	    "{\"sources\":[\"349\"],\"genres\":[\"6\"],\"favourites\":[]}");
	stored(ALICE, got, sizeof(got));
	CHECK_STR(got, "favourite:9000003 genre:4 genre:7 source:203 source:26");

	/* A PUT without favourites (the original page's) keeps them, and
	 * writes only what changed: source 26 goes, the rest stays. */
	ANSWER("PUT", "/preferences", ALICE, "{\"sources\":[\"203\"],"
	    "\"genres\":[\"4\",\"7\"]}", 200,
	    "{\"message\":\"Preferences updated successfully\"}");
	stored(ALICE, got, sizeof(got));
	CHECK_STR(got, "favourite:9000003 genre:4 genre:7 source:203");
	/* Favourites only (not checked against the reference items) and
	 * unchanged: one consistent read, no write at all. */
	before = st->requests;
	ANSWER("PUT", "/preferences", ALICE, "{\"favourites\":[9000003]}", 200,
	    "{\"message\":\"Preferences updated successfully\"}");
	CHECK_INT(st->requests - before, 1);
	/* A changed one: the read and one BatchWriteItem. */
	before = st->requests;
	ANSWER("PUT", "/preferences", ALICE, "{\"favourites\":[]}", 200,
	    "{\"message\":\"Preferences updated successfully\"}");
	CHECK_INT(st->requests - before, 2);
	/* No list at all: nothing changes. */
	ANSWER("PUT", "/preferences", ALICE, " {} ", 200,
	    "{\"message\":\"Preferences updated successfully\"}");
	stored(ALICE, got, sizeof(got));
	CHECK_STR(got, "genre:4 genre:7 source:203");
	/* A body naming the user it is for must name this one. */
	ANSWER("PUT", "/preferences", ALICE, "{\"user\":\"" ALICE "\","
	    "\"sources\":[\"203\",\"26\"]}", 200,
	    "{\"message\":\"Preferences updated successfully\"}");
	ANSWER("GET", "/preferences", ALICE, NULL, 200,
	    "{\"sources\":[\"26\",\"203\"],\"genres\":[\"4\",\"7\"],"
	    "\"favourites\":[]}");
}

static void
test_put_refused(void)
{
	static const char *const not_json[] = {
		"", "   ", "not json", "{\"sources\":[\"203\"]", "{} {}",
		"{\"sources\":['203']}", "{\"sources\":[\"203\"],}",
	};
	char before[1024];
	size_t i;

	stored(ALICE, before, sizeof(before));
	for (i = 0; i < sizeof(not_json) / sizeof(not_json[0]); i++)
		ANSWER("PUT", "/preferences", ALICE, not_json[i], 400,
		    "{\"error\":\"Invalid JSON in request body\"}");
	CHECK_INT(call("PUT", "/preferences", ALICE, NULL, got, sizeof(got)),
	    400);
	CHECK_STR(got, "{\"error\":\"Invalid JSON in request body\"}");
	ANSWER("PUT", "/preferences", ALICE, "[\"203\"]", 400,
	    "{\"error\":\"not a JSON object\"}");
	ANSWER("PUT", "/preferences", ALICE, "{\"sources\":\"203\"}", 400,
	    "{\"error\":\"\\\"sources\\\" is not an array\"}");
	ANSWER("PUT", "/preferences", ALICE, "{\"genres\":[\"4\",\"x\"]}", 400,
	    "{\"error\":\"genres[1]: \\\"x\\\" is not an id (decimal "
	    "digits)\"}");
	ANSWER("PUT", "/preferences", ALICE, "{\"favourites\":[-1]}", 400,
	    "{\"error\":\"favourites[0]: -1 is not an id (decimal digits)\"}");
	ANSWER("PUT", "/preferences", ALICE, "{\"user\":\"" BOB "\","
	    "\"sources\":[]}", 400, "{\"error\":\"the body is for user '" BOB
	    "', not '" ALICE "'\"}");
	/* Unknown ids, each named; the known lists are not written either. */
	ANSWER("PUT", "/preferences", ALICE, "{\"sources\":[\"203\",\"999\"],"
	    "\"genres\":[\"1\",\"4242\"]}", 400, "{\"error\":\"unknown source "
	    "999: nothing written; unknown genre 4242: nothing written\"}");
	/* An index entry's PK is no source. */
	ANSWER("PUT", "/preferences", ALICE, "{\"genres\":[\"6\"],"
	    "\"sources\":[\"203:genre:4\"]}", 400, "{\"error\":\"sources[0]: "
	    "\\\"203:genre:4\\\" is not an id (decimal digits)\"}");
	stored(ALICE, got, sizeof(got));
	CHECK_STR(got, before);
}

/* The ids of a /titles answer, space-separated. */
static void
ids_of(const char *json, char *out, size_t len)
{
	struct json_object *a = json_tokener_parse(json), *id;
	size_t i, n;

	out[0] = '\0';
	n = a != NULL ? json_object_array_length(a) : 0;
	for (i = 0; i < n; i++) {
		json_object_object_get_ex(json_object_array_get_idx(a, i), "id",
		    &id);
		snprintf(out + strlen(out), len - strlen(out), "%s%s",
		    i ? " " : "", json_object_get_string(id));
	}
	json_object_put(a);
}

static void
test_titles_and_recommendations(void)
{
	struct json_object *a, *t;
	char ids[256];

	/* Alice follows 203, 26 x 4, 7: the enriched titles of those pairs
	 * (9000003 is not enriched, 9000004 has no record; Wednesday,
	 * A Minecraft Movie and iPlayer Drama are on pairs she does not
	 * follow), best rated first, the unrated last. */
	CHECK_INT(call("GET", "/titles", ALICE, NULL, got, sizeof(got)), 200);
	ids_of(got, ids, sizeof(ids));
	CHECK_STR(ids, "9000001 3196573 1615420 552585 9100001");
	a = json_tokener_parse(got);
	CHECK(a != NULL);
	/* Every field the page reads, user_rating a number. */
	t = json_object_array_get_idx(a, 0);
	CHECK_STR(json_object_to_json_string_ext(t, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE),
	    "{\"id\":\"9000001\",\"title\":\"Prime Drama\",\"year\":2024,"
	    "\"type\":\"tv_series\",\"user_rating\":9.1,"
	    "\"plot_overview\":\"A drama that is only on Prime Video.\","
	    "\"poster\":\"https://cdn.watchmode.com/posters/09000001_poster_w342.jpg\","
	    "\"source_ids\":[\"26\"],\"genre_ids\":[\"7\"],"
	    "\"sources\":[{\"source_id\":\"26\",\"name\":\"Prime Video\","
	    "\"type\":\"sub\",\"region\":\"GB\","
	    "\"web_url\":\"https://watch.amazon.co.uk/detail?gti=9000001\","
	    "\"format\":\"HD\"}]}");
	t = json_object_array_get_idx(a, 4);
	CHECK_STR(json_object_to_json_string_ext(t, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE),
	    "{\"id\":\"9100001\",\"title\":\"Unrated Comedy\","
	    "\"plot_overview\":\"A plot.\","
	    "\"poster\":\"https://example.com/p.jpg\",\"user_rating\":0,"
	    "\"source_ids\":[],\"genre_ids\":[]}");
	json_object_put(a);
	/* user_rating > 7: 552585 (7) and the unrated go. */
	CHECK_INT(call("GET", "/recommendations", ALICE, NULL, got,
	    sizeof(got)), 200);
	ids_of(got, ids, sizeof(ids));
	CHECK_STR(ids, "9000001 3196573 1615420");
	/* Bob's pair 349 x 6: Wednesday. */
	CHECK_INT(call("GET", "/titles", BOB, NULL, got, sizeof(got)), 200);
	ids_of(got, ids, sizeof(ids));
	CHECK_STR(ids, "3182718");
}

/* A webapi on t through a client at endpoint: GET /sources and PUT. */
static void
failing_store(const char *endpoint, const char *t, const char *want)
{
	struct uktv_aws_opts ao = { 0 };
	struct uktv_webapi bad;
	struct uktv_error e;
	const char *const req[][3] = {
		{ "GET", "/sources", NULL },
		{ "GET", "/preferences", NULL },
		{ "PUT", "/preferences", "{\"sources\":[\"203\"]}" },
		{ "PUT", "/preferences", "{\"favourites\":[\"1\"]}" },
		{ "GET", "/titles", NULL },
	};
	struct uktv_webapi_answer a;
	size_t i;

	ao.endpoint_url = endpoint;
	uktv_error_clear(&e);
	bad.aws = uktv_aws_new(&ao, &e);
	bad.table = t;
	CHECK(bad.aws != NULL);
	for (i = 0; bad.aws != NULL && i < sizeof(req) / sizeof(req[0]); i++) {
		CHECK_INT(uktv_webapi_handle(&bad, req[i][0], req[i][1], ALICE,
		    req[i][2], req[i][2] ? strlen(req[i][2]) : 0, &a), 0);
		CHECK_INT(a.status, 503);
		if (a.body == NULL || strncmp(a.body, "{\"error\":\"", 10) != 0 ||
		    strstr(a.body, want) == NULL || strstr(a.body, "testing")) {
			printf("# %s %s: %s\n", req[i][0], req[i][1],
			    a.body ? a.body : "(null)");
			CHECK(0);
		}
		uktv_webapi_answer_free(&a);
	}
	uktv_aws_free(bad.aws);
}

static void
test_store_failures(void)
{
	char closed[64];

	/* No such table: DynamoDB's answer, not retried. */
	failing_store(url, "NoSuchTable", "no DynamoDB table NoSuchTable");
	/* Nobody listening: the client's retries, then 503. */
	snprintf(closed, sizeof(closed), "http://127.0.0.1:%d", free_port());
	failing_store(closed, TABLE, "gave up after 3 attempts");
}

/* One worker of uktv-api: its own client, its own user. */
struct worker {
	pthread_t	 tid;
	struct uktv_aws	*aws;
	char		 user[64];
	const char	*sources;	/* what GET /sources answered alone */
	int		 bad;		/* answers that were not the one */
};

static void *
work(void *arg)
{
	struct worker *w = arg;
	struct uktv_webapi mine = { w->aws, TABLE };
	struct uktv_webapi_answer a;
	char body[64], want[128];
	int i;

	for (i = 0; i < 10; i++) {
		if (uktv_webapi_handle(&mine, "GET", "/sources", NULL, NULL, 0,
		    &a) == -1 || a.status != 200 || strcmp(a.body, w->sources))
			w->bad++;
		uktv_webapi_answer_free(&a);
		snprintf(body, sizeof(body), "{\"favourites\":[\"%d\"]}", i);
		if (uktv_webapi_handle(&mine, "PUT", "/preferences", w->user,
		    body, strlen(body), &a) == -1 || a.status != 200)
			w->bad++;
		uktv_webapi_answer_free(&a);
		snprintf(want, sizeof(want), "{\"sources\":[],\"genres\":[],"
		    "\"favourites\":[\"%d\"]}", i);
		if (uktv_webapi_handle(&mine, "GET", "/preferences", w->user,
		    NULL, 0, &a) == -1 || a.status != 200 ||
		    strcmp(a.body, want) != 0)
			w->bad++;
		uktv_webapi_answer_free(&a);
	}
	return NULL;
}

/* The clients are made and freed by the main thread, as a server does
 * before and after its workers: libcurl's global set-up, which each
 * client's handle takes a reference to, is not safe against itself. */
static void
test_workers_side_by_side(void)
{
	struct uktv_aws_opts ao = { 0 };
	struct uktv_error e;
	struct worker w[4];
	size_t i;

	CHECK_INT(call("GET", "/sources", NULL, NULL, got, sizeof(got)), 200);
	ao.endpoint_url = url;
	uktv_error_clear(&e);
	for (i = 0; i < 4; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		snprintf(w[i].user, sizeof(w[i].user), "worker-%zu", i);
		w[i].sources = got;
		w[i].aws = uktv_aws_new(&ao, &e);
		CHECK(w[i].aws != NULL);
	}
	for (i = 0; i < 4; i++)
		CHECK_INT(pthread_create(&w[i].tid, NULL, work, &w[i]), 0);
	for (i = 0; i < 4; i++) {
		CHECK_INT(pthread_join(w[i].tid, NULL), 0);
		CHECK_INT(w[i].bad, 0);
		uktv_aws_free(w[i].aws);
	}
}

int
main(void)
{
	struct uktv_aws_opts ao = { 0 };
	struct uktv_error e;
	int rc;

	/* The machine's moto is part of every checkout make check runs on:
	 * one that does not start is a failure, never a skip. */
	if (start_moto() == -1) {
		printf("not ok 1 - moto_server started\n1..1\n");
		stop_moto();
		return 1;
	}
	unit_local_aws_env();
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_ENDPOINT_URL_DYNAMODB");
	ao.endpoint_url = url;
	uktv_error_clear(&e);
	if ((aws = uktv_aws_new(&ao, &e)) == NULL || setup_table() != 0) {
		printf("# %s\nnot ok 1 - the table in moto\n1..1\n", e.message);
		uktv_aws_free(aws);
		stop_moto();
		return 1;
	}
	api.aws = aws;
	RUN(test_needs_user);
	RUN(test_options);
	RUN(test_sources_and_genres);
	RUN(test_unauthorized);
	RUN(test_not_found);
	RUN(test_preferences_of_nobody);
	RUN(test_put_and_get);
	RUN(test_put_refused);
	RUN(test_titles_and_recommendations);
	RUN(test_store_failures);
	RUN(test_workers_side_by_side);
	rc = UNIT_DONE();
	uktv_aws_free(aws);
	stop_moto();
	return rc;
}
