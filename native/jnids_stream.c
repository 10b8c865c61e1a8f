/*
 * The pipe of jnids_stream.h. Kept out of jnids.c: it has no state and no
 * part in a libnids session; the capture it carries is a file name to them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>

#include "jnids_stream.h"

/* A pipe holds 64 KB by default: at capture-file rates that is a switch
 * between the writing and the reading thread every few dozen packets. 1 MB
 * is Linux' default limit for unprivileged processes. */
enum { PIPE_BYTES = 1 << 20 };

int jnids_pipe_open(int *fds)
{
    if (pipe2(fds, O_CLOEXEC) != 0)
        return errno;
#ifdef F_SETPIPE_SZ
    (void) fcntl(fds[1], F_SETPIPE_SZ, PIPE_BYTES); /* a smaller pipe still works */
#endif
    return 0;
}

/* write(2) with SIGPIPE blocked for this thread: a write to a pipe whose
 * reader is gone then fails with EPIPE, and the signal it raised, left
 * pending, is taken back so that it never reaches the process (the JVM's
 * handler would ignore it, a plain C host's default action would end it). */
static int write_no_sigpipe(int fd, const char *buf, size_t len, ssize_t *written)
{
    sigset_t pipe_only, previous, pending;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    sigpending(&pending);
    int was_pending = sigismember(&pending, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &previous);

    ssize_t n = write(fd, buf, len);
    int err = n < 0 ? errno : 0;

    if (err == EPIPE && !was_pending) {
        struct timespec none = {0, 0};
        while (sigtimedwait(&pipe_only, NULL, &none) < 0 && errno == EINTR) { }
    }
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    *written = n;
    return err;
}

int jnids_pipe_write(int fd, const char *buf, int len)
{
    size_t left = len > 0 ? (size_t) len : 0;
    while (left > 0) {
        ssize_t n;
        int err = write_no_sigpipe(fd, buf, left, &n);
        if (err == EINTR)
            continue;
        if (err)
            return err;
        buf += n;
        left -= (size_t) n;
    }
    return 0;
}

int jnids_pipe_close(int fd)
{
    /* Linux releases the descriptor even when close() reports EINTR: never retry. */
    return close(fd) == 0 || errno == EINTR ? 0 : errno;
}

const char *jnids_errno_message(int err, char *buf, int len)
{
    if (len <= 0)
        return "";
    /* The GNU strerror_r returns the message, in buf or elsewhere. */
    const char *m = strerror_r(err, buf, (size_t) len);
    if (m != buf) {
        strncpy(buf, m, (size_t) len - 1);
        buf[len - 1] = 0;
    }
    return buf;
}
