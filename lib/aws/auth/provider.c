/*
 * provider.c: see provider.h.
 */
#include "private/provider.h"

struct uktv_http *
uktv_provider_http(const struct uktv_provider_ctx *p, struct uktv_http **own,
    struct uktv_error *err)
{
	struct uktv_http_opts o = { 0 };

	if (p->http != NULL)
		return p->http;
	if (*own != NULL)
		return *own;
	o.ca_bundle = uktv_awsconf_ca_bundle(p->conf);
	*own = uktv_http_new(&o, err);
	return *own;
}
