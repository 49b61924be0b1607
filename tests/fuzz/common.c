/*
 * common.c: environment and input helpers for the fuzz targets (fuzz.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

void
fuzz_env(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	/* Fixed fake credentials from the environment: the chain stops at
	 * its first step, never runs a credential_process, never asks IMDS. */
	setenv("AWS_ACCESS_KEY_ID", "AKIDFUZZFUZZFUZZFUZZ", 1);
	setenv("AWS_SECRET_ACCESS_KEY", FUZZ_AWS_SECRET, 1);
	setenv("AWS_SESSION_TOKEN", FUZZ_AWS_TOKEN, 1);
	setenv("AWS_REGION", "eu-west-2", 1);
	setenv("AWS_DEFAULT_REGION", "eu-west-2", 1);
	setenv("AWS_CONFIG_FILE", "/dev/null", 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null", 1);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	setenv("AWS_ENDPOINT_URL", "http://aws.fuzz.invalid", 1);
	setenv("AWS_MAX_ATTEMPTS", "3", 1);
	setenv("AWS_RETRY_MODE", "standard", 1);
	/* Backoff sleeps of 0 ms: retries are exercised, not waited for. */
	setenv("UKTV_RETRY_BASE_MS", "0", 1);
	setenv("WATCHMODE_API_KEY", FUZZ_WATCHMODE_KEY, 1);
	setenv("WATCHMODE_ENDPOINT_URL", "http://watchmode.fuzz.invalid", 1);
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_DEFAULT_PROFILE");
	unsetenv("AWS_CA_BUNDLE");
	unsetenv("AWS_WEB_IDENTITY_TOKEN_FILE");
	unsetenv("AWS_ROLE_ARN");
	unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
}

void
fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: fuzz check failed: %s\n", file, line, what);
	abort();
}

unsigned
fuzz_byte(struct fuzz_in *in)
{
	unsigned b;

	if (in->n == 0)
		return 0;
	b = in->p[0];
	in->p++;
	in->n--;
	return b;
}

char *
fuzz_field(struct fuzz_in *in, char sep)
{
	const uint8_t *e = memchr(in->p, sep, in->n);
	size_t k = e != NULL ? (size_t)(e - in->p) : in->n;
	char *s;

	if ((s = malloc(k + 1)) == NULL)
		abort();
	if (k > 0)
		memcpy(s, in->p, k);
	s[k] = '\0';
	in->p += k;
	in->n -= k;
	if (e != NULL) {
		in->p++;
		in->n--;
	}
	return s;
}
