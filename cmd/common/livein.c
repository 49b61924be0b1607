/*
 * livein.c: see livein.h.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include "livein.h"
#include "toolopt.h"

int
uktv_livein_nonblocking(int fd)
{
	struct stat st;
	int fl;

	if (fstat(fd, &st) == -1 || !(S_ISFIFO(st.st_mode) ||
	    S_ISSOCK(st.st_mode)))
		return -1;
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return -1;
	return fl;
}

void
uktv_livein_restore(int fd, int oldfl)
{
	if (oldfl != -1)
		(void)fcntl(fd, F_SETFL, oldfl);
}

/*
 * The signals are blocked while the flag is looked at and unblocked by
 * ppoll itself, so one that comes just before the wait still ends it.
 */
int
uktv_livein_wait(int fd, int *watch)
{
	struct pollfd pfd[2] = {
		{ fd, POLLIN, 0 },
		/* No events: its POLLERR says the reader went away. */
		{ *watch, 0, 0 }
	};
	sigset_t stop, old;
	int gone = 0;

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, &old);
	if (!uktv_stop_signal && ppoll(pfd, 2, NULL, &old) > 0 &&
	    (pfd[1].revents & (POLLERR | POLLHUP)) != 0)
		gone = 1;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if ((pfd[1].revents & POLLNVAL) != 0)
		*watch = -1;
	return gone;
}

void
uktv_livein_stop(int fd)
{
	int null = open("/dev/null", O_RDONLY);

	if (null != -1) {
		dup2(null, fd);
		close(null);
	}
}
