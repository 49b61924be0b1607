/*
 * awsjson.c: see awsjson.h.  The AWS JSON protocols put the operation in
 * X-Amz-Target and the input in the body; errors come back as
 * {"__type": "...", "message": "..."} which aws.c parses.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "awsjson.h"

/* What a service calls the resource a request names, by its member. */
static const struct {
	const char	*member;
	const char	*what;
} named[] = {
	{ "TableName",	"table" },
	{ "StreamName",	"stream" },
	{ "StreamARN",	"stream" },
	{ "StreamArn",	"stream" },
	{ "SecretId",	"secret" },
};

/* The service as people name it, not as its X-Amz-Target spells it. */
static const char *
service_name(const struct uktv_aws_service *svc)
{
	if (svc == &uktv_svc_dynamodb)
		return "DynamoDB";
	if (svc == &uktv_svc_dynamodb_streams)
		return "DynamoDB Streams";
	if (svc == &uktv_svc_kinesis)
		return "Kinesis";
	if (svc == &uktv_svc_secretsmanager)
		return "Secrets Manager";
	return svc->target_prefix;
}

/*
 * "ResourceNotFoundException: Requested resource not found" names nothing a
 * reader can fix: when the request named a table, stream or secret (and no
 * shard: a shard gone is the stream reader's business, not a set-up
 * problem), the message names it and the region, and the kind is
 * UKTV_ERR_CONFIG (exit 78) like the other set-up mistakes.  The code stays
 * ResourceNotFoundException for callers that test it.
 */
static void
name_missing(struct uktv_aws *aws, const struct uktv_aws_service *svc,
    const char *op, const char *body, size_t body_len, struct uktv_error *err)
{
	struct json_tokener *tok;
	struct json_object *doc, *v;
	struct uktv_error scratch;
	const char *region, *name = NULL, *what = NULL;
	size_t i;

	if (strcmp(err->code, "ResourceNotFoundException") != 0 || body == NULL ||
	    body_len == 0 || body_len > INT32_MAX ||
	    (tok = json_tokener_new_ex(128)) == NULL)
		return;
	doc = json_tokener_parse_ex(tok, body, (int)body_len);
	json_tokener_free(tok);
	if (doc == NULL || !json_object_is_type(doc, json_type_object) ||
	    json_object_object_get_ex(doc, "ShardId", NULL) ||
	    json_object_object_get_ex(doc, "ShardIterator", NULL)) {
		json_object_put(doc);
		return;
	}
	for (i = 0; i < sizeof(named) / sizeof(named[0]) && name == NULL; i++)
		if (json_object_object_get_ex(doc, named[i].member, &v) &&
		    json_object_is_type(v, json_type_string)) {
			name = json_object_get_string(v);
			what = named[i].what;
		}
	uktv_error_clear(&scratch);
	if (name != NULL && (region = uktv_aws_region(aws, &scratch)) != NULL)
		uktv_error_set(err, UKTV_ERR_CONFIG, "no %s %s %.200s in %s (%s)",
		    service_name(svc), what, name, region, op);
	json_object_put(doc);
}

/* POST / with the protocol's two headers, under the client's retry policy
 * (uktv_aws_send).  The one place X-Amz-Target is written. */
static int
post(struct uktv_aws *aws, const struct uktv_aws_service *svc, const char *op,
    const void *body, size_t body_len, struct uktv_http_response *resp,
    struct uktv_error *err)
{
	struct uktv_aws_request req = { 0 };
	struct uktv_header hdrs[2];
	char ctype[48], target[128];

	snprintf(ctype, sizeof(ctype), "application/x-amz-json-%s",
	    svc->json_version);
	snprintf(target, sizeof(target), "%s.%s", svc->target_prefix, op);
	hdrs[0].name = "Content-Type";
	hdrs[0].value = ctype;
	hdrs[1].name = "X-Amz-Target";
	hdrs[1].value = target;
	req.svc = svc;
	req.method = "POST";
	req.path = "/";
	req.headers = hdrs;
	req.nheaders = 2;
	req.body = body;
	req.body_len = body_len;
	if (uktv_aws_send(aws, &req, resp, err) == -1) {
		memset(resp, 0, sizeof(*resp));
		return -1;
	}
	return 0;
}

int
uktv_awsjson_call_raw(struct uktv_aws *aws, const struct uktv_aws_service *svc,
    const char *op, const void *body, size_t body_len,
    struct uktv_http_response *resp, struct uktv_error *err)
{
	if (post(aws, svc, op, body, body_len, resp, err) == -1) {
		uktv_error_prefix(err, "%s %s", service_name(svc), op);
		return -1;
	}
	return 0;
}

/* A call whose body is serialised, its answer parsed. */
static int
call_body(struct uktv_aws *aws, const struct uktv_aws_service *svc,
    const char *op, const char *body, size_t body_len,
    struct json_object **response, struct uktv_error *err)
{
	struct uktv_http_response resp;
	struct json_tokener *tok;
	struct json_object *doc;

	*response = NULL;
	if (post(aws, svc, op, body, body_len, &resp, err) == -1) {
		name_missing(aws, svc, op, body, body_len, err);
		if (err->kind == UKTV_ERR_CONFIG &&
		    strcmp(err->code, "ResourceNotFoundException") == 0)
			return -1;
		/* Configuration and credential problems are about the user's
		 * set-up, not this operation: they read better on their own. */
		if ((err->kind != UKTV_ERR_CONFIG &&
		    !(err->kind == UKTV_ERR_NOPERM && err->http_status == 0)) ||
		    strcmp(err->code, "HTTP404") == 0)
			uktv_error_prefix(err, "%s %s", service_name(svc), op);
		return -1;
	}
	/* Answers can be large (GetRecords: up to 10 MiB); json-c's default
	 * depth of 32 is too shallow for DynamoDB maps, so allow 64 + slack. */
	if ((tok = json_tokener_new_ex(128)) == NULL) {
		uktv_http_response_free(&resp);
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	}
	doc = json_tokener_parse_ex(tok, resp.body_len ? resp.body : "{}",
	    resp.body_len ? (int)resp.body_len : 2);
	if (doc == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(doc, json_type_object)) {
		json_object_put(doc);
		json_tokener_free(tok);
		uktv_http_response_free(&resp);
		return uktv_error_set(err, UKTV_ERR_SERVICE,
		    "%s %s: the answer is not a JSON object", service_name(svc),
		    op);
	}
	json_tokener_free(tok);
	uktv_http_response_free(&resp);
	*response = doc;
	return 0;
}

int
uktv_awsjson_call(struct uktv_aws *aws, const struct uktv_aws_service *svc,
    const char *op, struct json_object *request,
    struct json_object **response, struct uktv_error *err)
{
	const char *body = "{}";
	size_t len = 2;

	if (request != NULL)
		body = json_object_to_json_string_length(request,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	return call_body(aws, svc, op, body, len, response, err);
}
