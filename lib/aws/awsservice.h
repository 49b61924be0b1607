/*
 * awsservice.h: what libuktv knows about each AWS service it calls: how its
 * endpoint is named (for AWS_ENDPOINT_URL_<SERVICE>, [services] sections and
 * the regional host), how it is signed, and its JSON protocol target.
 * Read-only data; nothing here is mutable.
 */
#ifndef UKTV_AWSSERVICE_H
#define UKTV_AWSSERVICE_H

struct uktv_aws_service {
	const char	*env_suffix;	/* AWS_ENDPOINT_URL_<env_suffix> */
	const char	*config_key;	/* key inside a [services NAME] section */
	const char	*host_prefix;	/* https://<host_prefix>.<region>.amazonaws.com */
	const char	*signing_name;	/* SigV4 service name */
	const char	*target_prefix;	/* X-Amz-Target prefix (JSON protocols) */
	const char	*json_version;	/* "1.0" or "1.1" (JSON protocols) */
};

extern const struct uktv_aws_service uktv_svc_dynamodb;
extern const struct uktv_aws_service uktv_svc_dynamodb_streams;
extern const struct uktv_aws_service uktv_svc_kinesis;
extern const struct uktv_aws_service uktv_svc_secretsmanager;
extern const struct uktv_aws_service uktv_svc_sts;
extern const struct uktv_aws_service uktv_svc_s3;
extern const struct uktv_aws_service uktv_svc_sso;
extern const struct uktv_aws_service uktv_svc_sso_oidc;
extern const struct uktv_aws_service uktv_svc_cognito_idp;

#endif
