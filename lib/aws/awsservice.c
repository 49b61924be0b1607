/*
 * awsservice.c: service identifiers.  The env suffixes and config keys are the
 * SDKs' service ids ("DynamoDB Streams" -> DYNAMODB_STREAMS / dynamodb_streams),
 * per the AWS SDKs and Tools reference guide, "Service-specific endpoints".
 */
#include <stddef.h>

#include "awsservice.h"

const struct uktv_aws_service uktv_svc_dynamodb = {
	"DYNAMODB", "dynamodb", "dynamodb", "dynamodb",
	"DynamoDB_20120810", "1.0"
};
const struct uktv_aws_service uktv_svc_dynamodb_streams = {
	"DYNAMODB_STREAMS", "dynamodb_streams", "streams.dynamodb", "dynamodb",
	"DynamoDBStreams_20120810", "1.0"
};
const struct uktv_aws_service uktv_svc_kinesis = {
	"KINESIS", "kinesis", "kinesis", "kinesis",
	"Kinesis_20131202", "1.1"
};
const struct uktv_aws_service uktv_svc_secretsmanager = {
	"SECRETS_MANAGER", "secrets_manager", "secretsmanager", "secretsmanager",
	"secretsmanager", "1.1"
};
const struct uktv_aws_service uktv_svc_sts = {
	"STS", "sts", "sts", "sts", NULL, NULL
};
const struct uktv_aws_service uktv_svc_s3 = {
	"S3", "s3", "s3", "s3", NULL, NULL
};
const struct uktv_aws_service uktv_svc_sso = {
	"SSO", "sso", "portal.sso", "awsssoportal", NULL, NULL
};
const struct uktv_aws_service uktv_svc_sso_oidc = {
	"SSO_OIDC", "sso_oidc", "oidc", "sso-oauth", NULL, NULL
};
/* Cognito user pools: uktv-api reads only the pool's public JWKS from its
 * endpoint (cognito.h), unsigned; the signing name and target are the
 * service's own, for completeness. */
const struct uktv_aws_service uktv_svc_cognito_idp = {
	"COGNITO_IDENTITY_PROVIDER", "cognito_identity_provider", "cognito-idp",
	"cognito-idp", "AWSCognitoIdentityProviderService", "1.1"
};
