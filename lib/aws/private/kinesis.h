/*
 * private/kinesis.h: the Kinesis calls only the tests make
 * (no tool reads a stream summary).
 * Not installed: for libuktv's own tests only.
 */
#ifndef UKTV_PRIVATE_KINESIS_H
#define UKTV_PRIVATE_KINESIS_H

#include "kinesis.h"

/* StreamDescriptionSummary of the stream (new reference: caller puts). */
int	uktv_kinesis_describe_stream_summary(struct uktv_aws *,
	    const struct uktv_kinesis_stream *, struct json_object **summary,
	    struct uktv_error *);

#endif
