/* time.c: see time.h. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "time.h"

long long
uktv_time_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long
uktv_time_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
uktv_time_format(long long ms, char out[UKTV_TIME_TEXT_MAX])
{
	struct tm tm;
	time_t t;
	long long sec = ms / 1000, frac = ms % 1000;

	if (frac < 0) {
		frac += 1000;
		sec--;
	}
	t = (time_t)sec;
	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	if (strftime(out, 24, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		strlcpy(out, "0000-00-00T00:00:00", UKTV_TIME_TEXT_MAX);
	snprintf(out + strlen(out), UKTV_TIME_TEXT_MAX - strlen(out), ".%03dZ",
	    (int)frac);
}

/* n digits at *s into *v; advances *s. */
static int
fixed(const char **s, int n, int *v)
{
	int x = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*s)[i]))
			return -1;
		x = x * 10 + ((*s)[i] - '0');
	}
	*s += n;
	*v = x;
	return 0;
}

/* Z, UTC, +hh:mm, +hhmm or nothing; *off in minutes east of UTC. */
static int
zone(const char **s, int *off)
{
	int sign, oh, om;

	*off = 0;
	if (**s == 'Z' || **s == 'z') {
		(*s)++;
		return 0;
	}
	if (strcmp(*s, "UTC") == 0) {
		*s += 3;
		return 0;
	}
	if (**s != '+' && **s != '-')
		return 0;
	sign = *(*s)++ == '-' ? -1 : 1;
	if (fixed(s, 2, &oh) == -1)
		return -1;
	if (**s == ':')
		(*s)++;
	if (fixed(s, 2, &om) == -1 || oh > 23 || om > 59)
		return -1;
	*off = sign * (oh * 60 + om);
	return 0;
}

int
uktv_time_parse_iso8601(const char *s, enum uktv_time_form form,
    long long *ms)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, off = 0;
	int need_seconds = form == UKTV_TIME_TIMESTAMP;
	time_t t;

	if (s == NULL || fixed(&s, 4, &y) == -1 || *s++ != '-' ||
	    fixed(&s, 2, &mo) == -1 || *s++ != '-' || fixed(&s, 2, &d) == -1)
		return -1;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		s++;
		if (fixed(&s, 2, &h) == -1 || *s++ != ':' ||
		    fixed(&s, 2, &mi) == -1)
			return -1;
		if (*s == ':') {
			s++;
			if (fixed(&s, 2, &sec) == -1)
				return -1;
			if (*s == '.' || *s == ',') {
				int scale = 100;

				s++;
				if (!isdigit((unsigned char)*s))
					return -1;
				for (; isdigit((unsigned char)*s); s++) {
					frac += (*s - '0') * scale;
					scale /= 10;
				}
			}
		} else if (need_seconds)
			return -1;
		if (zone(&s, &off) == -1)
			return -1;
	} else if (need_seconds)
		return -1;
	if (*s != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	/* timegm normalises 31 February into March: refuse such dates. */
	if (tm.tm_mday != d || tm.tm_mon != mo - 1)
		return -1;
	*ms = ((long long)t - (long long)off * 60) * 1000 + frac;
	return 0;
}

int
uktv_time_parse_epoch(const char *s, time_t *t)
{
	long long ms;

	if (uktv_time_parse_iso8601(s, UKTV_TIME_TIMESTAMP, &ms) == -1)
		return -1;
	*t = (time_t)(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
	return 0;
}

static int
relative(const char *s, long long now_ms, long long *ms)
{
	long long n = 0, unit;
	int sign = *s == '-' ? -1 : 1;
	const char *p = s + 1;

	if (!isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p)) {
		if (n > 1000000000LL)
			return -1;
		n = n * 10 + (*p++ - '0');
	}
	switch (*p++) {
	case 's':
		unit = 1000;
		break;
	case 'm':
		unit = 60 * 1000;
		break;
	case 'h':
		unit = 3600 * 1000;
		break;
	case 'd':
		unit = 86400 * 1000;
		break;
	default:
		return -1;
	}
	if (*p != '\0')
		return -1;
	*ms = now_ms + sign * n * unit;
	return 0;
}

int
uktv_time_parse(const char *s, long long now_ms, long long *ms)
{
	if (s == NULL)
		return -1;
	if (strcmp(s, "now") == 0) {
		*ms = now_ms;
		return 0;
	}
	if (*s == '-' || *s == '+')
		return relative(s, now_ms, ms);
	return uktv_time_parse_iso8601(s, UKTV_TIME_DATE_OR_TIMESTAMP, ms);
}
