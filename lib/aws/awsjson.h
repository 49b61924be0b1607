/*
 * awsjson.h: one call of an AWS JSON 1.0/1.1 protocol operation
 * (DynamoDB, DynamoDB Streams, Kinesis, Secrets Manager).
 *
 * POST / with Content-Type application/x-amz-json-<version> and
 * X-Amz-Target <prefix>.<Operation>; the answer parsed with json-c.
 */
#ifndef UKTV_AWSJSON_H
#define UKTV_AWSJSON_H

#include <json-c/json.h>

#include "aws.h"

/*
 * Sends request (NULL means {}) and stores the parsed answer in *response
 * (caller releases with json_object_put).  Errors as uktv_aws_send, with the
 * message prefixed by "<Service> <Operation>".
 */
int	uktv_awsjson_call(struct uktv_aws *, const struct uktv_aws_service *,
	    const char *operation, struct json_object *request,
	    struct json_object **response, struct uktv_error *);

/*
 * The raw entry, for hot paths that build the body and scan the answer
 * themselves (PutRecords, the stream reader's GetRecords): body in, the
 * answer's body out in *resp (free with uktv_http_response_free), under the
 * client's retry policy.  On error *resp is empty and the message, as
 * uktv_aws_send made it, is prefixed "<Service> <Operation>" whatever its
 * kind.
 */
int	uktv_awsjson_call_raw(struct uktv_aws *, const struct uktv_aws_service *,
	    const char *operation, const void *body, size_t body_len,
	    struct uktv_http_response *resp, struct uktv_error *);

#endif
