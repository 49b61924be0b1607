/*
 * provider_process.c: see provider_process.h.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "private/provider_process.h"
#include "time.h"

extern char **environ;

#define MAX_PROCESS_OUTPUT	(64L * 1024)
/* credential_process_timeout / UKTV_CREDENTIAL_PROCESS_TIMEOUT, seconds: a
 * helper that never exits must not hold a cron job for ever (the SDKs have
 * no bound at all). */
#define DEFAULT_PROCESS_TIMEOUT	60
#define MAX_PROCESS_TIMEOUT	3600

static int
oom(struct uktv_error *err)
{
	return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
}

/* The environment's, else the profile's credential_process_timeout, else
 * the default, in seconds. */
static int
process_timeout(const struct uktv_awsconf *c, const char *profile,
    long *secs, struct uktv_error *err)
{
	const char *v, *from = UKTV_PROCESS_TIMEOUT_ENV, *e = NULL;
	long long n;

	*secs = DEFAULT_PROCESS_TIMEOUT;
	if ((v = uktv_awsconf_env(c, from)) == NULL) {
		from = "credential_process_timeout";
		if ((v = uktv_awsconf_profile_get(c, profile, from)) == NULL)
			return 0;
	}
	n = strtonum(v, 1, MAX_PROCESS_TIMEOUT, &e);
	if (e != NULL)
		return uktv_error_set(err, UKTV_ERR_CONFIG, "profile \"%s\": %s "
		    "\"%s\" is not a number of seconds from 1 to %d", profile,
		    from, v, MAX_PROCESS_TIMEOUT);
	*secs = (long)n;
	return 0;
}

/*
 * Reads the helper's output from fd into buf until EOF, more than
 * MAX_PROCESS_OUTPUT bytes (*toobig), or the deadline, and closes fd (a
 * helper that writes on then dies of SIGPIPE); then waits for it to exit,
 * until the deadline.  1 when the deadline passed (the helper is still
 * there), else 0 with *st its wait status.
 */
static int
process_wait(pid_t pid, int fd, long long deadline, char *buf, size_t *len,
    int *toobig, int *st)
{
	struct pollfd p = { fd, POLLIN, 0 };
	struct timespec pause = { 0, 0 };
	long long left;
	ssize_t n;
	pid_t w;

	for (;;) {
		if ((left = deadline - uktv_time_mono_ms()) <= 0) {
			close(fd);
			return 1;
		}
		n = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (n == 0 || (n == -1 && errno == EINTR))
			continue;
		if (n == -1)
			break;
		n = read(fd, buf + *len, MAX_PROCESS_OUTPUT + 1 - *len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		*len += n;
		if (*len > MAX_PROCESS_OUTPUT) {
			*toobig = 1;
			break;
		}
	}
	close(fd);
	/* Its stdout is closed (or we stopped reading); it normally exits at
	 * once.  No SIGCHLD handler in a library: look, pausing a little
	 * longer each time, up to 50 ms. */
	for (;;) {
		w = waitpid(pid, st, WNOHANG);
		if (w == pid)
			return 0;
		if (w == -1 && errno != EINTR)
			return 0;	/* not ours to wait for: cannot happen */
		if (deadline - uktv_time_mono_ms() <= 0)
			return 1;
		if (pause.tv_nsec < 50000000)
			pause.tv_nsec += 1000000;
		nanosleep(&pause, NULL);
	}
}

/*
 * credential_process: run through /bin/sh -c, stdout is the JSON document
 * (SDK reference guide, "Process credential provider").  stdin is /dev/null
 * so the helper cannot eat a pipeline's input; its stderr is left to the
 * user, who may need its message.  Its output holds secrets and never goes
 * into an error message.  It runs in a process group of its own, so that a
 * helper still there after credential_process_timeout is killed with all it
 * started; and credentials already expired are refused, as the SDKs refuse
 * them (botocore: "refreshed credentials are still expired").
 */
int
uktv_provider_process(struct uktv_provider_ctx *p, const char *profile,
    struct uktv_creds *out, struct uktv_error *err)
{
	const struct uktv_awsconf *c = p->conf;
	const char *cmd = uktv_awsconf_profile_get(c, profile, "credential_process");
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t sa;
	sigset_t dfl;
	char *argv[4], *buf, when[32];
	const char *why;
	size_t len = 0;
	int pfd[2], rc, st = 0, toobig = 0, late;
	long timeout;
	pid_t pid;
	struct tm tm;

	if (cmd == NULL)
		return 0;
	p->fetches++;
	if (process_timeout(c, profile, &timeout, err) == -1)
		return -1;
	if ((buf = malloc(MAX_PROCESS_OUTPUT + 1)) == NULL)
		return oom(err);
	if (pipe2(pfd, O_CLOEXEC) == -1) {
		free(buf);
		return uktv_error_set(err, UKTV_ERR_INTERNAL,
		    "profile \"%s\": credential_process: pipe: %s", profile,
		    strerror(errno));
	}
	argv[0] = "/bin/sh";
	argv[1] = "-c";
	argv[2] = (char *)cmd;
	argv[3] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
	    O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], STDOUT_FILENO);
	/* A tool that ignores SIGPIPE must not pass that on: a helper that
	 * writes on after we stop reading should die of it. */
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	posix_spawnattr_init(&sa);
	posix_spawnattr_setflags(&sa, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&sa, 0);
	posix_spawnattr_setsigdefault(&sa, &dfl);
	rc = posix_spawn(&pid, "/bin/sh", &fa, &sa, argv, environ);
	posix_spawnattr_destroy(&sa);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (rc != 0) {
		close(pfd[0]);
		free(buf);
		return uktv_error_set(err, UKTV_ERR_CONFIG,
		    "profile \"%s\": cannot run credential_process: %s",
		    profile, strerror(rc));
	}
	late = process_wait(pid, pfd[0], uktv_time_mono_ms() + timeout * 1000,
	    buf, &len, &toobig, &st);
	if (late) {
		kill(-pid, SIGKILL);
		while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
			;
	}
	buf[len > MAX_PROCESS_OUTPUT ? MAX_PROCESS_OUTPUT : len] = '\0';
	if (late)
		rc = uktv_error_set(err, UKTV_ERR_CONFIG,
		    "profile \"%s\": credential_process did not finish within "
		    "%ld s (credential_process_timeout): killed", profile,
		    timeout);
	else if (toobig)
		rc = uktv_error_set(err, UKTV_ERR_CONFIG,
		    "profile \"%s\": credential_process printed more than %ld "
		    "bytes", profile, MAX_PROCESS_OUTPUT);
	else if (WIFSIGNALED(st))
		rc = uktv_error_set(err, UKTV_ERR_CONFIG,
		    "profile \"%s\": credential_process was killed by signal %d",
		    profile, WTERMSIG(st));
	else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		rc = uktv_error_set(err, UKTV_ERR_CONFIG,
		    "profile \"%s\": credential_process exited with status %d",
		    profile, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	else if (uktv_creds_from_json(buf, len, "SessionToken", 1,
	    "credential_process", out, &why, err) == -1) {
		if (err == NULL || err->kind != UKTV_ERR_INTERNAL)
			uktv_error_set(err, UKTV_ERR_CONFIG,
			    "profile \"%s\": credential_process output is not "
			    "credentials (%s; want JSON with Version 1, "
			    "AccessKeyId, SecretAccessKey)", profile, why);
		rc = -1;
	} else if (out->expiration != 0 && out->expiration <= time(NULL)) {
		gmtime_r(&out->expiration, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		uktv_creds_wipe(out);
		rc = uktv_error_set(err, UKTV_ERR_CONFIG,
		    "profile \"%s\": credential_process gave credentials that "
		    "expired at %s", profile, when);
	} else
		rc = 1;
	explicit_bzero(buf, MAX_PROCESS_OUTPUT + 1);
	free(buf);
	return rc;
}
