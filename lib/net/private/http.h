/*
 * private/http.h: what the keep-alive tests count.
 * Not installed: for libuktv's own tests only.
 */
#ifndef UKTV_PRIVATE_HTTP_H
#define UKTV_PRIVATE_HTTP_H

#include "http.h"

/* Number of TCP connections libcurl opened so far (for keep-alive tests). */
long	uktv_http_connections(struct uktv_http *);

#endif
