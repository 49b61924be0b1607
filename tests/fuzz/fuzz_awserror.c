/*
 * fuzz_awserror.c: AWS error answers as lib/aws/aws.c turns them into a struct
 * uktv_error: X-Amzn-ErrorType, a JSON body's __type/code and message, the
 * XML fallback (<Code>/<Message>/<RequestId>, as moto's auth errors, STS and
 * S3 send), the status alone; and the retry decisions that follow, through
 * uktv_aws_send and uktv_awsjson_call over the fake transport.
 *
 * Input: one byte (service, JSON or raw call), then the transport script.
 *
 * Checks, beyond "no crash, no leak": code, message and request id are
 * terminated, one line each (a log line cannot be forged by an answer),
 * hold neither the secret key nor the session token; the code has no
 * namespace prefix left; a retryable error is classed UNAVAILABLE; a 2xx
 * answer is a success.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "aws.h"
#include "awsjson.h"
#include "awsservice.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_env();
	return 0;
}

static void
check_line(const char *s, size_t cap, const char *what)
{
	const char *e = memchr(s, '\0', cap);

	FUZZ_CHECK(e != NULL, what);
	for (const char *p = s; p < e; p++)
		FUZZ_CHECK(*p != '\n' && *p != '\r', what);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct uktv_aws_service *const svcs[] = {
		&uktv_svc_dynamodb, &uktv_svc_kinesis, &uktv_svc_dynamodb_streams,
		&uktv_svc_secretsmanager, &uktv_svc_sts, &uktv_svc_s3
	};
	struct uktv_aws_opts ao = { 0 };
	struct uktv_aws_request req = { 0 };
	struct uktv_http_response resp;
	struct uktv_error err;
	struct uktv_aws *aws;
	struct json_object *out = NULL;
	unsigned op;
	int rc;

	if (size < 1)
		return 0;
	op = data[0];
	fuzz_http_script(data + 1, size - 1);
	uktv_error_clear(&err);
	if ((aws = uktv_aws_new(&ao, &err)) == NULL)
		abort();
	if (op & 0x80) {
		rc = uktv_awsjson_call(aws, svcs[(op & 7) % 3], "DescribeTable",
		    NULL, &out, &err);
		json_object_put(out);
	} else {
		req.svc = svcs[(op & 7) % 6];
		req.method = (op & 0x08) ? "GET" : "POST";
		req.path = (op & 0x10) ? "/bucket/key%20with%2Fslash" : "/";
		req.query = (op & 0x20) ? "list-type=2&prefix=a%2Fb" : NULL;
		req.s3 = req.svc == &uktv_svc_s3;
		req.body = "{}";
		req.body_len = 2;
		rc = uktv_aws_send(aws, &req, &resp, &err);
		if (rc == 0) {
			FUZZ_CHECK(resp.status >= 200 && resp.status < 300,
			    "success with a non-2xx status");
			uktv_http_response_free(&resp);
		}
	}
	if (rc == -1) {
		check_line(err.message, sizeof(err.message), "message not one line");
		check_line(err.code, sizeof(err.code), "code not one line");
		check_line(err.request_id, sizeof(err.request_id),
		    "request id not one line");
		fuzz_check_aws_error(&err);
		FUZZ_CHECK(strchr(err.code, '#') == NULL,
		    "namespace prefix left in the code");
		if (err.retryable)
			FUZZ_CHECK(err.kind == UKTV_ERR_UNAVAILABLE,
			    "retryable error not UNAVAILABLE");
		FUZZ_CHECK(err.kind != UKTV_ERR_NONE, "failure without a kind");
	}
	FUZZ_CHECK(uktv_aws_stats(aws)->requests <= fuzz_http_requests(),
	    "more requests counted than sent");
	uktv_aws_free(aws);
	fuzz_http_reset();
	return 0;
}
