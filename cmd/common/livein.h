/*
 * livein.h: standard input read as it comes, for a tool at the end of a
 * live pipe (uktv-publish): read without blocking, so that when no more
 * input is waiting the tool can act on what it has (send the records read
 * so far) and then wait; stopped on a signal without losing what was read.
 * cmd/common: may print, never installed.
 *
 *   oldfl = uktv_livein_nonblocking(STDIN_FILENO);
 *   ... read; EAGAIN: act, then uktv_livein_wait(STDIN_FILENO, &watch);
 *   ... stop signal: uktv_livein_stop(STDIN_FILENO), read to the end;
 *   uktv_livein_restore(STDIN_FILENO, oldfl);
 */
#ifndef UKTV_LIVEIN_H
#define UKTV_LIVEIN_H

/* A pipe or socket on fd is set not to block.  Returns the old flags to
 * restore, or -1 when it is left blocking (a file, a terminal). */
int	uktv_livein_nonblocking(int fd);
/* Puts back the flags uktv_livein_nonblocking returned (-1: nothing). */
void	uktv_livein_restore(int fd, int oldfl);

/*
 * Waits until fd has input or a stop signal comes (uktv_stop_signal,
 * toolopt.h).  *watch, when not -1, is an output whose reader going away
 * also ends the wait: returns 1 then, else 0.  A *watch that is not open
 * is set to -1 (it would end every wait at once).
 */
int	uktv_livein_wait(int fd, int *watch);

/* Stops reading, but lets the lines already read be finished: with
 * /dev/null behind fd a reader hands out what it holds (a cut last line
 * included) and then sees the end. */
void	uktv_livein_stop(int fd);

#endif
