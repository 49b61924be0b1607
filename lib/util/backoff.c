/* backoff.c: see backoff.h. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "backoff.h"

long long
uktv_backoff_ms(long long base_ms, long long cap_ms, int attempt,
    enum uktv_jitter jitter)
{
	long long d = base_ms;

	if (d <= 0)
		return 0;
	for (int i = 1; i < attempt && d < cap_ms; i++)
		d *= 2;
	if (d > cap_ms)
		d = cap_ms;
	/* arc4random_uniform (libbsd): unbiased, and no seed to share
	 * between threads or callers. */
	if (jitter == UKTV_JITTER_EQUAL)
		return d / 2 + (long long)arc4random_uniform((uint32_t)(d / 2 + 1));
	return (long long)arc4random_uniform((uint32_t)(d + 1));
}

void
uktv_sleep_ms(long long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}
