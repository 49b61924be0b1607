/*
 * shardread.c: see private/shardread.h.
 */
#include <stdlib.h>
#include <string.h>

#include "awsjson.h"
#include "private/shardread.h"

int
uktv_shardread_page(struct json_object *holder, const char *token,
    uktv_shardread_fn fn, void *arg, char **next, struct uktv_error *err)
{
	struct json_object *shards, *v;

	*next = NULL;
	if (json_object_object_get_ex(holder, "Shards", &shards) &&
	    json_object_is_type(shards, json_type_array)) {
		size_t n = json_object_array_length(shards);

		for (size_t i = 0; i < n; i++)
			if (fn(json_object_array_get_idx(shards, i), arg))
				return 1;
	}
	if (json_object_object_get_ex(holder, token, &v) &&
	    json_object_is_type(v, json_type_string) &&
	    json_object_get_string_len(v) > 0 &&
	    (*next = strdup(json_object_get_string(v))) == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	return 0;
}

int
uktv_shardread_get_iterator(struct uktv_aws *aws,
    const struct uktv_shardread_api *api, struct json_object *req,
    const char *shard_id, const char *type, const char *sequence,
    long long timestamp_ms, char **iterator, struct uktv_error *err)
{
	struct json_object *resp, *v;
	int rc;

	*iterator = NULL;
	json_object_object_add(req, "ShardId", json_object_new_string(shard_id));
	json_object_object_add(req, "ShardIteratorType",
	    json_object_new_string(type));
	if (strcmp(type, "AT_SEQUENCE_NUMBER") == 0 ||
	    strcmp(type, "AFTER_SEQUENCE_NUMBER") == 0) {
		if (sequence == NULL) {
			json_object_put(req);
			return uktv_error_set(err, UKTV_ERR_USAGE,
			    "%s needs a sequence number", type);
		}
		json_object_object_add(req, api->sequence_member,
		    json_object_new_string(sequence));
	} else if (api->timestamps && strcmp(type, "AT_TIMESTAMP") == 0)
		/* Timestamp: epoch seconds, fractions allowed (the SDKs send
		 * a number). */
		json_object_object_add(req, "Timestamp",
		    json_object_new_double((double)timestamp_ms / 1000.0));
	rc = uktv_awsjson_call(aws, api->svc, "GetShardIterator", req, &resp,
	    err);
	json_object_put(req);
	if (rc == -1)
		return -1;
	if (!json_object_object_get_ex(resp, "ShardIterator", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		json_object_put(resp);
		return uktv_error_set(err, UKTV_ERR_SERVICE, "%s "
		    "GetShardIterator: no ShardIterator in the answer",
		    api->name);
	}
	*iterator = strdup(json_object_get_string(v));
	json_object_put(resp);
	if (*iterator == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	return 0;
}

static struct json_object *
records_request(const struct uktv_shardread_api *api, const char *iterator,
    int limit, const char *stream_arn)
{
	struct json_object *req;

	if (limit < 1)
		limit = 1;
	if (limit > api->records_max)
		limit = api->records_max;
	if ((req = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(req, "ShardIterator",
	    json_object_new_string(iterator));
	json_object_object_add(req, "Limit", json_object_new_int(limit));
	if (stream_arn != NULL)
		json_object_object_add(req, api->arn_member,
		    json_object_new_string(stream_arn));
	return req;
}

int
uktv_shardread_get_records(struct uktv_aws *aws,
    const struct uktv_shardread_api *api, const char *iterator, int limit,
    const char *stream_arn, struct json_object **response,
    struct uktv_error *err)
{
	struct json_object *req;
	int rc;

	*response = NULL;
	if ((req = records_request(api, iterator, limit, stream_arn)) == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	rc = uktv_awsjson_call(aws, api->svc, "GetRecords", req, response,
	    err);
	json_object_put(req);
	return rc;
}

int
uktv_shardread_get_records_raw(struct uktv_aws *aws,
    const struct uktv_shardread_api *api, const char *iterator, int limit,
    const char *stream_arn, struct uktv_http_response *resp,
    struct uktv_error *err)
{
	struct json_object *req;
	const char *body;
	size_t len;
	int rc;

	memset(resp, 0, sizeof(*resp));
	if ((req = records_request(api, iterator, limit, stream_arn)) == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	body = json_object_to_json_string_length(req,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	rc = uktv_awsjson_call_raw(aws, api->svc, "GetRecords", body, len,
	    resp, err);
	json_object_put(req);
	return rc;
}
