/*
 * A pipe through which a capture held by a Java InputStream reaches libpcap.
 *
 * libpcap reads capture files through stdio, sequentially (pcap and pcapng
 * alike), so a pipe will do: libpcap opens the read end by name
 * ("/dev/fd/N", as it opens any file), and a Java thread copies the stream
 * into the write end. jnids' session code is not involved: the capture is
 * just a file name to it.
 */
#ifndef JNIDS_STREAM_H
#define JNIDS_STREAM_H

#ifdef __cplusplus
extern "C" {
#endif

/* Makes a close-on-exec pipe with a large buffer (fewer thread switches per
 * megabyte): fds[0] the read end, fds[1] the write end. Returns 0, or the
 * (positive) errno of the failure. */
int jnids_pipe_open(int *fds);

/* Writes len bytes of buf to fd, retrying short writes and EINTR. A pipe whose
 * reader has gone fails with EPIPE without a SIGPIPE signal. Returns 0, or the
 * errno of the failure. */
int jnids_pipe_write(int fd, const char *buf, int len);

/* close(2); returns 0 or the errno of the failure. */
int jnids_pipe_close(int fd);

/* strerror(3) of an errno, thread-safely, for messages. */
const char *jnids_errno_message(int err, char *buf, int len);

#ifdef __cplusplus
}
#endif

#endif
