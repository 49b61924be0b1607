/*
 * awsjson.c: see awsjson.h.  The AWS JSON protocols put the operation in
 * X-Amz-Target and the input in the body; errors come back as
 * {"__type": "...", "message": "..."} which aws.c parses.
 */
#include <stdio.h>
#include <string.h>

#include "awsjson.h"

int
uktv_awsjson_call_raw(struct uktv_aws *aws, const struct uktv_aws_service *svc,
    const char *op, const char *body, size_t body_len,
    struct json_object **response, struct uktv_error *err)
{
	struct uktv_aws_request req = { 0 };
	struct uktv_http_response resp;
	struct uktv_header hdrs[2];
	char ctype[48], target[128];
	struct json_tokener *tok;
	struct json_object *doc;

	*response = NULL;
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
	if (uktv_aws_send(aws, &req, &resp, err) == -1) {
		/* Configuration and credential problems are about the user's
		 * set-up, not this operation: they read better on their own. */
		if (err->kind != UKTV_ERR_CONFIG &&
		    !(err->kind == UKTV_ERR_NOPERM && err->http_status == 0))
			uktv_error_prefix(err, "%s %s", svc->target_prefix, op);
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
		    "%s %s: the answer is not a JSON object", svc->target_prefix,
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
	return uktv_awsjson_call_raw(aws, svc, op, body, len, response, err);
}
