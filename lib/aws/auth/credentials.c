/*
 * credentials.c: see credentials.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "credentials.h"
#include "secret.h"
#include "time.h"

static int
oom(struct uktv_error *err)
{
	return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
}


void
uktv_creds_wipe(struct uktv_creds *cr)
{
	if (cr == NULL)
		return;
	uktv_secret_free(cr->access_key_id);
	uktv_secret_free(cr->secret_access_key);
	uktv_secret_free(cr->session_token);
	memset(cr, 0, sizeof(*cr));
}

int
uktv_creds_set(struct uktv_creds *out, const char *ak, const char *sk,
    const char *tok, time_t exp, const char *source, struct uktv_error *err)
{
	memset(out, 0, sizeof(*out));
	if ((out->access_key_id = strdup(ak)) == NULL ||
	    (out->secret_access_key = strdup(sk)) == NULL ||
	    (tok != NULL && tok[0] != '\0' &&
	    (out->session_token = strdup(tok)) == NULL)) {
		uktv_creds_wipe(out);
		return oom(err);
	}
	out->expiration = exp;
	out->source = source;
	return 0;
}

const char *
uktv_creds_json_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* The buffers are json-c's own heap memory, so writing them is safe.
 * Nested objects too: roleCredentials is one level down. */
void
uktv_creds_json_wipe(struct json_object *o)
{
	if (o == NULL)
		return;
	if (json_object_is_type(o, json_type_string)) {
		explicit_bzero((char *)json_object_get_string(o),
		    json_object_get_string_len(o));
		return;
	}
	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, k, v) {
			(void)k;
			uktv_creds_json_wipe(v);
		}
	}
}

/*
 * Fills out from a credentials document: AccessKeyId, SecretAccessKey, the
 * token under tokkey ("SessionToken" for credential_process, "Token" for the
 * container and IMDS) and an optional ISO 8601 Expiration.  On failure *why
 * names what was wrong (a field name, never a value) and -1 is returned with
 * err untouched unless memory ran out.
 */
int
uktv_creds_from_json(const char *text, size_t len, const char *tokkey,
    int want_version, const char *source, struct uktv_creds *out,
    const char **why, struct uktv_error *err)
{
	struct json_tokener *tok;
	struct json_object *o, *ver;
	const char *ak, *sk, *tk, *ex;
	time_t exp = 0;
	int rc = -1;

	*why = "not a JSON object";
	if ((tok = json_tokener_new()) == NULL)
		return oom(err);
	o = json_tokener_parse_ex(tok, text, (int)len);
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(o, json_type_object))
		goto done;
	if (want_version && (!json_object_object_get_ex(o, "Version", &ver) ||
	    !json_object_is_type(ver, json_type_int) ||
	    json_object_get_int(ver) != 1)) {
		*why = "Version is not 1";
		goto done;
	}
	ak = uktv_creds_json_str(o, "AccessKeyId");
	sk = uktv_creds_json_str(o, "SecretAccessKey");
	tk = uktv_creds_json_str(o, tokkey);
	ex = uktv_creds_json_str(o, "Expiration");
	if (ak == NULL || ak[0] == '\0') {
		*why = "no AccessKeyId";
		goto done;
	}
	if (sk == NULL || sk[0] == '\0') {
		*why = "no SecretAccessKey";
		goto done;
	}
	if (ex != NULL && uktv_time_parse_epoch(ex, &exp) == -1) {
		*why = "Expiration is not an ISO 8601 time";
		goto done;
	}
	if (uktv_creds_set(out, ak, sk, tk, exp, source, err) == -1) {
		*why = "out of memory";
		goto done;
	}
	*why = NULL;
	rc = 0;
done:
	uktv_creds_json_wipe(o);
	json_object_put(o);
	json_tokener_free(tok);
	return rc;
}

void
uktv_creds_response_free(struct uktv_http_response *r)
{
	if (r->body != NULL)
		explicit_bzero(r->body, r->body_len);
	uktv_http_response_free(r);
}

/*
 * Reads a whole file.  Returns 1 with *buf (NUL-terminated, caller wipes and
 * frees), 0 when the file does not exist, -1 on error.  Reads to EOF rather
 * than trusting st_size so AWS_CONFIG_FILE=/dev/null works as it does for
 * the CLI.
 */
int
uktv_creds_file_read(const char *path, long max, char **buf, size_t *lenp,
    struct uktv_error *err)
{
	char *b = NULL, *nb;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd;

	*buf = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return uktv_error_set(err, UKTV_ERR_IO, "%s: %s", path,
		    strerror(errno));
	}
	for (;;) {
		if (len + 1 >= cap) {
			size_t ncap = cap ? cap * 2 : 4096;

			if ((nb = malloc(ncap)) == NULL) {
				close(fd);
				if (b != NULL)
					explicit_bzero(b, cap);
				free(b);
				return oom(err);
			}
			/* Copy by hand so the old buffer can be wiped. */
			if (b != NULL) {
				memcpy(nb, b, len);
				explicit_bzero(b, cap);
				free(b);
			}
			b = nb;
			cap = ncap;
		}
		n = read(fd, b + len, cap - len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			int e = errno;

			close(fd);
			explicit_bzero(b, cap);
			free(b);
			return uktv_error_set(err, UKTV_ERR_IO, "%s: %s", path,
			    strerror(e));
		}
		if (n == 0)
			break;
		len += n;
		if ((long)len > max) {
			close(fd);
			explicit_bzero(b, cap);
			free(b);
			return uktv_error_set(err, UKTV_ERR_IO,
			    "%s: larger than %ld bytes", path, max);
		}
	}
	close(fd);
	b[len] = '\0';
	*buf = b;
	if (lenp != NULL)
		*lenp = len;
	return 1;
}

char *
uktv_creds_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\f' || *s == '\v')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\n' || e[-1] == '\f' || e[-1] == '\v'))
		*--e = '\0';
	return s;
}

const struct uktv_creds *
uktv_creds_cache_get(const struct uktv_creds_cache *k, time_t now)
{
	if (!k->have)
		return NULL;
	if (k->creds.expiration != 0 &&
	    now >= k->creds.expiration - (time_t)k->refresh_margin)
		return NULL;
	return &k->creds;
}

const struct uktv_creds *
uktv_creds_cache_put(struct uktv_creds_cache *k, struct uktv_creds *fresh)
{
	uktv_creds_wipe(&k->creds);
	k->creds = *fresh;
	memset(fresh, 0, sizeof(*fresh));
	k->have = 1;
	return &k->creds;
}

const struct uktv_creds *
uktv_creds_cache_keep(struct uktv_creds_cache *k, time_t now)
{
	if (k->have && now < k->creds.expiration)
		return &k->creds;
	uktv_creds_cache_wipe(k);
	return NULL;
}

void
uktv_creds_cache_wipe(struct uktv_creds_cache *k)
{
	uktv_creds_wipe(&k->creds);
	k->have = 0;
}
