/* log.c: see log.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

#define ERASE_LINE	"\r\033[K"

void
uktv_log_init(struct uktv_log *log, const char *prog, int verbosity)
{
	const char *slash;

	if (prog == NULL)
		prog = "uktv";
	if ((slash = strrchr(prog, '/')) != NULL && slash[1] != '\0')
		prog = slash + 1;
	log->prog = prog;
	log->verbosity = verbosity;
	log->is_tty = isatty(STDERR_FILENO);
	log->progress_shown = 0;
}

/* A growing buffer for one message; starts on the caller's stack. */
struct line {
	char	*p;
	size_t	 len;
	size_t	 cap;
	int	 heap;
	int	 failed;
};

static void
line_reserve(struct line *l, size_t more)
{
	char *np;
	size_t ncap;

	if (l->failed || l->len + more + 1 <= l->cap)
		return;
	ncap = (l->len + more + 1) * 2;
	if (l->heap)
		np = realloc(l->p, ncap);
	else if ((np = malloc(ncap)) != NULL)
		memcpy(np, l->p, l->len);
	if (np == NULL) {
		l->failed = 1;	/* the message is cut where memory ran out */
		return;
	}
	l->p = np;
	l->cap = ncap;
	l->heap = 1;
}

static void
line_add(struct line *l, const char *s, size_t n)
{
	line_reserve(l, n);
	if (l->failed && n > l->cap - 1 - l->len)
		n = l->cap - 1 - l->len;
	memcpy(l->p + l->len, s, n);
	l->len += n;
	l->p[l->len] = '\0';
}

static void
line_adds(struct line *l, const char *s)
{
	line_add(l, s, strlen(s));
}

/* The formatted message, control characters shown as '?'. */
static void
line_addv(struct line *l, const char *fmt, va_list ap)
{
	va_list aq;
	size_t start = l->len, i;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(l->p + l->len, l->cap - l->len, fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	if ((size_t)n >= l->cap - l->len) {
		line_reserve(l, (size_t)n);
		if (!l->failed) {
			va_copy(aq, ap);
			vsnprintf(l->p + l->len, l->cap - l->len, fmt, aq);
			va_end(aq);
		}
		n = (int)strlen(l->p + l->len);
	}
	l->len += (size_t)n;
	for (i = start; i < l->len; i++) {
		unsigned char c = (unsigned char)l->p[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			l->p[i] = '?';
	}
}

/*
 * Writes one message: pre "prog: " head msg tail, in one fwrite (stderr is
 * unbuffered: one write(2)).  pre NULL: erase the progress line if one is
 * shown.  errno is kept for the caller.
 */
static void
emit(struct uktv_log *log, const char *pre, const char *head,
    const char *tail, const char *fmt, va_list ap)
{
	char stack[1024];
	struct line l = { stack, 0, sizeof(stack), 0, 0 };
	int saved = errno;

	stack[0] = '\0';
	if (pre == NULL && log->progress_shown)
		pre = ERASE_LINE;
	log->progress_shown = 0;
	if (pre != NULL)
		line_adds(&l, pre);
	line_adds(&l, log->prog);
	line_adds(&l, ": ");
	if (head != NULL)
		line_adds(&l, head);
	line_addv(&l, fmt, ap);
	line_adds(&l, tail);
	fwrite(l.p, 1, l.len, stderr);
	if (l.heap)
		free(l.p);
	errno = saved;
}

void
uktv_log_warn(struct uktv_log *log, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(log, NULL, NULL, "\n", fmt, ap);
	va_end(ap);
}

void
uktv_log_errno(struct uktv_log *log, int errnum, const char *fmt, ...)
{
	char tail[256];
	va_list ap;

	snprintf(tail, sizeof(tail), ": %s\n", strerror(errnum));
	va_start(ap, fmt);
	emit(log, NULL, NULL, tail, fmt, ap);
	va_end(ap);
}

void
uktv_log_die(struct uktv_log *log, const struct uktv_error *e)
{
	uktv_log_error(log, e);
	exit(uktv_error_exit_code(e));
}

void
uktv_log_fatal(struct uktv_log *log, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(log, NULL, NULL, "\n", fmt, ap);
	va_end(ap);
	exit(status);
}

void
uktv_log_fatal_errno(struct uktv_log *log, int status, int errnum,
    const char *fmt, ...)
{
	char tail[256];
	va_list ap;

	snprintf(tail, sizeof(tail), ": %s\n", strerror(errnum));
	va_start(ap, fmt);
	emit(log, NULL, NULL, tail, fmt, ap);
	va_end(ap);
	exit(status);
}

/* A va_list-taking shim, so a fixed string can go through emit. */
static void
emit_str(struct uktv_log *log, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(log, NULL, NULL, "\n", fmt, ap);
	va_end(ap);
}

void
uktv_log_error(struct uktv_log *log, const struct uktv_error *err)
{
	emit_str(log, "%s", err->message[0] != '\0' ? err->message :
	    uktv_error_kind_name(err->kind));
}

void
uktv_log_line_error(struct uktv_log *log, unsigned long long lineno,
    const char *fmt, ...)
{
	char head[48];
	va_list ap;

	snprintf(head, sizeof(head), "line %llu: ", lineno);
	va_start(ap, fmt);
	emit(log, NULL, head, "\n", fmt, ap);
	va_end(ap);
}

/* The levels below warn differ only in how much -v they need. */
#define LOG_AT(log, min, fmt) do {					\
	va_list ap_;							\
									\
	if ((log)->verbosity < (min))					\
		return;							\
	va_start(ap_, fmt);						\
	emit(log, NULL, NULL, "\n", fmt, ap_);				\
	va_end(ap_);							\
} while (0)

void
uktv_log_info(struct uktv_log *log, const char *fmt, ...)
{
	LOG_AT(log, 1, fmt);
}

void
uktv_log_debug(struct uktv_log *log, const char *fmt, ...)
{
	LOG_AT(log, 2, fmt);
}

void
uktv_log_progress(struct uktv_log *log, const char *fmt, ...)
{
	va_list ap;

	if (!log->is_tty || log->verbosity < 0)
		return;
	/* "\r" instead of an erase: the new text overwrites the old and
	 * "\033[K" clears what is left, so the line does not flicker. */
	va_start(ap, fmt);
	emit(log, "\r", NULL, "\033[K", fmt, ap);
	va_end(ap);
	log->progress_shown = 1;
}

void
uktv_log_progress_done(struct uktv_log *log)
{
	if (!log->progress_shown)
		return;
	fputs(ERASE_LINE, stderr);
	log->progress_shown = 0;
}

/* The length of the longest secret text starts with, 0 if none. */
static size_t
match_at(const char *text, const char *const *secrets)
{
	size_t best = 0, m;
	const char *s;

	for (; *secrets != NULL; secrets++) {
		s = *secrets;
		if (s[0] == '\0' || s[0] != text[0])
			continue;
		/* text is NUL-terminated: the loop stops at its end. */
		for (m = 0; s[m] != '\0' && s[m] == text[m]; m++)
			;
		if (s[m] == '\0' && m > best)
			best = m;
	}
	return best;
}

char *
uktv_redact(const char *text, const char *const *secrets)
{
	static const char mask[] = "****";
	size_t i, m, n = 0;
	char *out, *o;

	if (text == NULL)
		return NULL;
	if (secrets == NULL)
		return strdup(text);
	/* Two passes: measure, then copy, so the result is allocated once. */
	for (i = 0; text[i] != '\0'; ) {
		if ((m = match_at(text + i, secrets)) > 0) {
			n += sizeof(mask) - 1;
			i += m;
		} else {
			n++;
			i++;
		}
	}
	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	for (i = 0, o = out; text[i] != '\0'; ) {
		if ((m = match_at(text + i, secrets)) > 0) {
			memcpy(o, mask, sizeof(mask) - 1);
			o += sizeof(mask) - 1;
			i += m;
		} else
			*o++ = text[i++];
	}
	*o = '\0';
	return out;
}

void
uktv_redact_inplace(char *buf, size_t len, const char *secret)
{
	char *p, *end = buf + len;
	size_t sl;

	if (buf == NULL || secret == NULL || (sl = strlen(secret)) == 0)
		return;
	for (p = buf; (p = memmem(p, (size_t)(end - p), secret, sl)) != NULL;
	    p += sl)
		memset(p, '*', sl);
}
