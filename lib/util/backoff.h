/*
 * backoff.h: the one retry delay of libuktv: exponential, capped, with
 * jitter, as the AWS SDKs' standard retry mode computes it
 * (min(base * 2^(attempt-1), cap), then a random share of that), and the
 * one sleep that survives signals.
 */
#ifndef UKTV_BACKOFF_H
#define UKTV_BACKOFF_H

/* The SDKs' cap on one delay (standard mode: 20 s). */
#define UKTV_BACKOFF_CAP_MS	20000LL

enum uktv_jitter {
	UKTV_JITTER_FULL,	/* uniform in [0, d]: the SDKs' full jitter */
	UKTV_JITTER_EQUAL	/* uniform in [d/2, d]: never hammers at once */
};

/* The delay before retry number attempt (1 = the first retry), in ms.
 * base_ms <= 0 gives 0 (tests switch the waiting off that way). */
long long uktv_backoff_ms(long long base_ms, long long cap_ms, int attempt,
	    enum uktv_jitter jitter);
/* Sleeps ms milliseconds, resuming after a signal handler returns. */
void	uktv_sleep_ms(long long ms);

#endif
