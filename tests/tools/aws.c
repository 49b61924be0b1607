/*
 * aws: the tests' client of tests/fakes/uktv-aws-forkserver.
 *
 * The AWS CLI v1 is the tests' reference client, and starting it costs about
 * half a second of CPU a call.  Where UKTV_AWS_SERVER names the fork server's
 * socket, this sends argv, the environment, the working folder and fds 0-2 to
 * it, forwards SIGINT/SIGTERM/SIGHUP to the child running the CLI, and ends
 * as that child ended (its exit code, or the same signal).  Without the
 * variable, or when the socket does not answer, it runs the next `aws` on
 * PATH, so a test behaves the same either way.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static volatile sig_atomic_t child = 0;

static void
forward(int sig)
{
	if (child > 0)
		kill((pid_t)child, sig);
}

/* Runs the next `aws` on PATH that is not this program. */
static void
exec_real(char **argv)
{
	char self[PATH_MAX], cand[PATH_MAX], real[PATH_MAX];
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;
	ssize_t n;

	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) < 0)
		n = 0;
	self[n] = '\0';
	if (path == NULL || (copy = strdup(path)) == NULL) {
		fprintf(stderr, "aws: no PATH to find the AWS CLI on\n");
		exit(127);
	}
	for (dir = strtok_r(copy, ":", &save); dir != NULL;
	    dir = strtok_r(NULL, ":", &save)) {
		snprintf(cand, sizeof(cand), "%s/aws", *dir ? dir : ".");
		if (access(cand, X_OK) != 0 || realpath(cand, real) == NULL ||
		    strcmp(real, self) == 0)
			continue;
		execv(cand, argv);
	}
	fprintf(stderr, "aws: the AWS CLI is not on PATH\n");
	exit(127);
}

static int
append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t nc = (*len + n + 1) * 2;
		char *nb = realloc(*buf, nc);

		if (nb == NULL)
			return -1;
		*buf = nb;
		*cap = nc;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[(*len)++] = '\0';
	return 0;
}

static int
read_full(int fd, void *p, size_t n)
{
	char *c = p;

	while (n > 0) {
		ssize_t r = read(fd, c, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *sock = getenv("UKTV_AWS_SERVER");
	struct sockaddr_un sa;
	struct sigaction act;
	char cwd[PATH_MAX], num[16], *buf = NULL;
	size_t len = 4, cap = 0;
	struct msghdr mh;
	struct iovec iov;
	union {
		char buf[CMSG_SPACE(3 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct cmsghdr *cm;
	int fd, fds[3] = { 0, 1, 2 };
	uint32_t be;
	int32_t v;
	size_t off;

	if (sock == NULL || *sock == '\0' || strlen(sock) >= sizeof(sa.sun_path))
		exec_real(argv);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		exec_real(argv);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, sock);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		exec_real(argv);
	}
	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		perror("aws: getcwd");
		return 255;
	}
	if ((buf = malloc(cap = 65536)) == NULL)
		return 255;
	snprintf(num, sizeof(num), "%d", argc - 1);
	if (append(&buf, &len, &cap, cwd, strlen(cwd)) < 0 ||
	    append(&buf, &len, &cap, num, strlen(num)) < 0)
		return 255;
	for (int i = 1; i < argc; i++)
		if (append(&buf, &len, &cap, argv[i], strlen(argv[i])) < 0)
			return 255;
	for (char **e = environ; *e != NULL; e++)
		if (append(&buf, &len, &cap, *e, strlen(*e)) < 0)
			return 255;
	len--;			/* no NUL after the last field */
	be = htonl((uint32_t)(len - 4));
	memcpy(buf, &be, 4);

	memset(&mh, 0, sizeof(mh));
	memset(&ctl, 0, sizeof(ctl));
	iov.iov_base = buf;
	iov.iov_len = len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.buf;
	mh.msg_controllen = sizeof(ctl.buf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(cm), fds, sizeof(fds));
	/* The descriptors go with the first bytes; the rest follows. */
	for (off = 0; off < len;) {
		ssize_t w;

		iov.iov_base = buf + off;
		iov.iov_len = len - off;
		w = sendmsg(fd, &mh, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			perror("aws: sending to the fork server");
			return 255;
		}
		off += (size_t)w;
		mh.msg_control = NULL;
		mh.msg_controllen = 0;
	}
	free(buf);

	if (read_full(fd, &v, 4) < 0) {
		fprintf(stderr, "aws: the fork server did not start the CLI\n");
		return 255;
	}
	child = (int32_t)ntohl((uint32_t)v);
	memset(&act, 0, sizeof(act));
	act.sa_handler = forward;
	sigaction(SIGINT, &act, NULL);
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGHUP, &act, NULL);
	if (read_full(fd, &v, 4) < 0) {
		fprintf(stderr, "aws: lost the fork server\n");
		return 255;
	}
	v = (int32_t)ntohl((uint32_t)v);
	if (WIFSIGNALED(v)) {
		signal(WTERMSIG(v), SIG_DFL);
		raise(WTERMSIG(v));
		return 128 + WTERMSIG(v);
	}
	return WIFEXITED(v) ? WEXITSTATUS(v) : 255;
}
