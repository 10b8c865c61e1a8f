package io.github.jnids;

import static io.github.jnids.global.nids.*;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicLong;

import org.bytedeco.javacpp.BytePointer;

/**
 * A capture read from an {@link InputStream} (a compressed file, a network or
 * HDFS stream, anything that is not a local file): a session reads it as the
 * file named by {@link #path()}, the read end of a pipe into which a daemon
 * thread copies the stream. libpcap reads pcap and pcapng sequentially, so
 * nothing needs to seek.
 *
 * <pre>{@code
 * try (CaptureStream in = CaptureStream.open(new GZIPInputStream(new FileInputStream("cap.pcap.gz")), "cap.pcap.gz")) {
 *     Nids.param("filename", in.path());
 *     Nids.init();
 *     Nids.registerTcp(tcp -> { ... });
 *     Nids.run();
 * }                                 // close() throws the stream's own read error, if it had one
 * }</pre>
 *
 * A failure of the stream (an {@code IOException} from {@code read}) ends the
 * capture where the stream failed, as a cut file would end; {@link #close()}
 * then throws it, so that a short capture is never taken for a whole one.
 * {@link #rename(String)} turns libpcap's messages about {@link #path()} into
 * messages about the stream's name. Close it after the session that reads it
 * (closing it earlier ends the capture there). One stream feeds one session.
 */
public final class CaptureStream implements AutoCloseable {
    /** Bytes per copy: libpcap reads the pipe through a buffer of this size. */
    private static final int CHUNK = JNIDS_READ_BUFFER_BYTES;

    private final String name;
    private final String path;
    private final InputStream in;
    private final Thread pump;
    private final AtomicLong copied = new AtomicLong();
    private int readFd;
    private volatile IOException failure;
    private volatile boolean closing;
    private boolean closed;

    private CaptureStream(InputStream in, String name, int readFd, int writeFd) {
        this.in = in;
        this.name = name;
        this.readFd = readFd;
        this.path = "/dev/fd/" + readFd;
        this.pump = new Thread(() -> pump(writeFd), "jnids-capture-stream " + name);
        this.pump.setDaemon(true);
    }

    /**
     * Starts copying {@code in} into a new pipe.
     *
     * @param in   the capture's bytes (pcap or pcapng); closed by {@link #close()}
     * @param name what error messages call the capture, e.g. its file name or URI
     * @throws NidsException when no pipe can be made (e.g. the process is out of file descriptors)
     */
    public static CaptureStream open(InputStream in, String name) {
        if (in == null) throw new IllegalArgumentException("CaptureStream.open: the input stream is null");
        if (name == null) throw new IllegalArgumentException("CaptureStream.open: the name is null");
        int[] fds = new int[2];
        int err = jnids_pipe_open(fds);
        if (err != 0) {
            throw new NidsException("cannot read capture '" + name + "' from a stream: no pipe: " + message(err));
        }
        CaptureStream s = new CaptureStream(in, name, fds[0], fds[1]);
        s.pump.start();
        return s;
    }

    /** The file name to give a session as its {@code filename} parameter. */
    public String path() {
        return path;
    }

    /** The name given to {@link #open}. */
    public String name() {
        return name;
    }

    /** Bytes copied from the stream into the pipe so far. */
    public long bytesCopied() {
        return copied.get();
    }

    /** The stream's read failure, if it had one; the capture ended there. */
    public IOException failure() {
        return failure;
    }

    /** A libpcap or jnids message with the pipe's name replaced by the stream's. */
    public String rename(String message) {
        return message == null ? null : message.replace(path, name);
    }

    /**
     * Stops the copying, closes the pipe and the stream. Idempotent.
     *
     * @throws UncheckedIOException with the stream's read failure, when it had one
     */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            closing = true;
            // The write end is the pump's to close: a copy blocked on a full pipe
            // fails with EPIPE once no read end is left, and the pump ends.
            jnids_pipe_close(readFd);
            readFd = -1;
            try {
                in.close();
            } catch (IOException e) {
                // the stream's own failure, if any, is the one that matters
            }
        }
        IOException f = failure;
        if (f != null) {
            throw new UncheckedIOException("reading capture '" + name + "' failed: " + f.getMessage(), f);
        }
    }

    private void pump(int writeFd) {
        byte[] chunk = new byte[CHUNK];
        try (BytePointer buffer = new BytePointer(CHUNK)) {
            while (true) {
                int n;
                try {
                    n = in.read(chunk);
                } catch (IOException e) {
                    if (!closing) failure = e;
                    return;
                }
                if (n < 0) return;
                if (n == 0) continue;
                buffer.position(0).put(chunk, 0, n);
                int err = jnids_pipe_write(writeFd, buffer, n);
                if (err != 0) {
                    // EPIPE: the session stopped reading (ended early, or closed this stream).
                    return;
                }
                copied.addAndGet(n);
            }
        } catch (RuntimeException | Error e) {
            if (!closing) failure = new IOException("copying the stream failed: " + e, e);
        } finally {
            jnids_pipe_close(writeFd);
        }
    }

    private static String message(int err) {
        byte[] buf = new byte[256];
        return jnids_errno_message(err, buf, buf.length).getString();
    }

    @Override
    public String toString() {
        return "CaptureStream[" + name + " as " + path + ", " + copied.get() + " bytes copied"
                + (failure != null ? ", failed: " + failure.getMessage() : "") + (closed ? ", closed" : "") + "]";
    }
}
