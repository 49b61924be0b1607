/* secrets.c: see secrets.h. */
#include <string.h>

#include "awsjson.h"
#include "secrets.h"

char *
uktv_secrets_get_string(struct uktv_aws *aws, const char *secret_id,
    struct uktv_error *err)
{
	struct json_object *req, *resp = NULL, *v = NULL;
	char *secret = NULL;
	int rc;

	if ((req = json_object_new_object()) == NULL) {
		uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	json_object_object_add(req, "SecretId", json_object_new_string(secret_id));
	rc = uktv_awsjson_call(aws, &uktv_svc_secretsmanager, "GetSecretValue",
	    req, &resp, err);
	json_object_put(req);
	if (rc == -1)
		return NULL;
	if (!json_object_object_get_ex(resp, "SecretString", &v) ||
	    !json_object_is_type(v, json_type_string))
		uktv_error_set(err, UKTV_ERR_CONFIG,
		    "secret %s has no SecretString (binary secrets are not supported)",
		    secret_id);
	else if ((secret = strdup(json_object_get_string(v))) == NULL)
		uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	/* json-c's copy of the secret goes with the document: wipe it first. */
	if (v != NULL && json_object_is_type(v, json_type_string))
		explicit_bzero((char *)json_object_get_string(v),
		    (size_t)json_object_get_string_len(v));
	json_object_put(resp);
	return secret;
}
