/*
 * ddbstreams.c: see ddbstreams.h.
 */
#include <stdlib.h>
#include <string.h>

#include "awsjson.h"
#include "backoff.h"
#include "ddbstreams.h"
#include "private/shardread.h"

/* What GetShardIterator and GetRecords differ in on DynamoDB Streams. */
const struct uktv_shardread_api uktv_shardread_ddbstreams = {
	&uktv_svc_dynamodb_streams, "DynamoDB Streams", "StreamArn",
	"SequenceNumber", UKTV_DDBSTREAMS_GET_RECORDS_MAX, 0
};

static const char *
str_member(struct json_object *o, const char *name)
{
	struct json_object *v;

	if (o != NULL && json_object_object_get_ex(o, name, &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

int
uktv_ddbstreams_latest_arn(struct uktv_aws *aws, const char *table, char **arn,
    struct uktv_error *err)
{
	struct json_object *req, *resp = NULL, *t;
	const char *a;
	int rc;

	*arn = NULL;
	if ((req = json_object_new_object()) == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	json_object_object_add(req, "TableName", json_object_new_string(table));
	rc = uktv_awsjson_call(aws, &uktv_svc_dynamodb, "DescribeTable", req,
	    &resp, err);
	json_object_put(req);
	if (rc == -1)
		return -1;
	if (!json_object_object_get_ex(resp, "Table", &t) ||
	    (a = str_member(t, "LatestStreamArn")) == NULL) {
		json_object_put(resp);
		return uktv_error_set(err, UKTV_ERR_NOTFOUND,
		    "table %s has no stream (StreamSpecification)", table);
	}
	*arn = strdup(a);
	json_object_put(resp);
	if (*arn == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	return 0;
}

#define LIMIT_WAIT_BASE_MS	100
#define LIMIT_WAIT_CAP_MS	2000

/*
 * The wait before another DescribeStream after LimitExceededException: the
 * limit is per second, so the client's retry delays (tens of milliseconds)
 * do not clear it; 100 ms doubling to 2 s, with jitter so that readers
 * started together spread out.
 */
static void
limit_wait(int attempt)
{
	uktv_sleep_ms(uktv_backoff_ms(LIMIT_WAIT_BASE_MS, LIMIT_WAIT_CAP_MS,
	    attempt, UKTV_JITTER_EQUAL));
}

int
uktv_ddbstreams_describe(struct uktv_aws *aws, const char *stream_arn,
    int page_size, uktv_ddbstreams_shard_fn fn, void *arg,
    struct json_object **description, struct uktv_error *err)
{
	struct json_object *req, *resp, *desc;
	char *start = NULL;
	int rc, attempt;

	if (description != NULL)
		*description = NULL;
	if (page_size <= 0 || page_size > UKTV_DDBSTREAMS_DESCRIBE_MAX)
		page_size = UKTV_DDBSTREAMS_DESCRIBE_MAX;
	for (;;) {
		if ((req = json_object_new_object()) == NULL) {
			free(start);
			return uktv_error_set(err, UKTV_ERR_INTERNAL,
			    "out of memory");
		}
		json_object_object_add(req, "StreamArn",
		    json_object_new_string(stream_arn));
		json_object_object_add(req, "Limit",
		    json_object_new_int(page_size));
		if (start != NULL)
			json_object_object_add(req, "ExclusiveStartShardId",
			    json_object_new_string(start));
		/* DescribeStream is limited per account (10/s): the client's
		 * standard retries may not be enough when several readers
		 * start at once, so a LimitExceeded answer is waited out. */
		for (attempt = 1;; attempt++) {
			rc = uktv_awsjson_call(aws, &uktv_svc_dynamodb_streams,
			    "DescribeStream", req, &resp, err);
			if (rc == 0 || strcmp(err->code,
			    "LimitExceededException") != 0 ||
			    attempt >= UKTV_DDBSTREAMS_DESCRIBE_ATTEMPTS)
				break;
			limit_wait(attempt);
		}
		json_object_put(req);
		free(start);
		start = NULL;
		if (rc == -1)
			return -1;
		if (!json_object_object_get_ex(resp, "StreamDescription", &desc) ||
		    !json_object_is_type(desc, json_type_object)) {
			json_object_put(resp);
			return uktv_error_set(err, UKTV_ERR_SERVICE,
			    "DynamoDB Streams DescribeStream: no "
			    "StreamDescription in the answer");
		}
		rc = uktv_shardread_page(desc, "LastEvaluatedShardId", fn, arg,
		    &start, err);
		if (rc == 0 && description != NULL && *description == NULL) {
			json_object_object_del(desc, "Shards");
			*description = json_object_get(desc);
		}
		json_object_put(resp);
		if (rc != 0 || start == NULL)
			return rc == -1 ? -1 : 0;
	}
}

int
uktv_ddbstreams_get_shard_iterator(struct uktv_aws *aws, const char *stream_arn,
    const char *shard_id, const char *type, const char *sequence,
    char **iterator, struct uktv_error *err)
{
	struct json_object *req;

	*iterator = NULL;
	if ((req = json_object_new_object()) == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	json_object_object_add(req, "StreamArn",
	    json_object_new_string(stream_arn));
	return uktv_shardread_get_iterator(aws, &uktv_shardread_ddbstreams, req,
	    shard_id, type, sequence, 0, iterator, err);
}

int
uktv_ddbstreams_get_records(struct uktv_aws *aws, const char *iterator,
    int limit, struct json_object **response, struct uktv_error *err)
{
	return uktv_shardread_get_records(aws, &uktv_shardread_ddbstreams,
	    iterator, limit, NULL, response, err);
}
