package io.github.jnids.cli;

import io.github.jnids.IpHandler;
import io.github.jnids.Nids;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A one-line progress report on standard error, rewritten in place: bytes read
 * of the capture's size, rate and streams so far (packets and streams for a
 * live capture). Shown only when standard error is a terminal. Polled from an
 * IP handler, i.e. on the thread running libnids, at most five times a second;
 * each capture's final figures stay on the terminal as a summary.
 */
final class Progress implements IpHandler {
    private static final long INTERVAL_NANOS = 200_000_000L;

    /** The size of a capture read from a pipe. */
    static final long UNKNOWN = -2;
    private static final long LIVE = -1;

    private final PrintStream err;
    private final LongSupplier streams;
    private String label;
    private long total;
    private long startNanos;
    private long lastNanos;
    private long packets;
    private long streamsBefore;
    private long lastRead;
    private boolean visible;

    Progress(PrintStream err, LongSupplier streams) {
        this.err = err;
        this.streams = streams;
    }

    /** Whether standard error is a terminal (on Linux, where /proc tells; else whether there is a console). */
    static boolean stderrIsTerminal() {
        return isTerminal(2);
    }

    /** Whether standard output is a terminal: then each line is shown at once. */
    static boolean stdoutIsTerminal() {
        return isTerminal(1);
    }

    private static boolean isTerminal(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (Exception | LinkageError e) {
            return System.console() != null;
        }
    }

    /** Starts reporting on one capture; {@code total} is the file's size, {@link #UNKNOWN} for a pipe, -1 live. */
    void start(String label, long total) {
        this.label = label;
        this.total = total;
        this.packets = 0;
        this.lastRead = 0;
        this.streamsBefore = streams.getAsLong();
        this.startNanos = System.nanoTime();
        this.lastNanos = startNanos;
    }

    @Override
    public void accept(ByteBuffer ipPacket) {
        if ((++packets & 63) != 0) return;
        long now = System.nanoTime();
        if (now - lastNanos < INTERVAL_NANOS) return;
        lastNanos = now;
        show(now, false, null);
    }

    private void show(long now, boolean complete, String note) {
        double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
        StringBuilder b = new StringBuilder(label).append(": ");
        long read = 0;
        if (total != LIVE) {
            read = complete && total >= 0 ? total : Math.max(lastRead, Nids.isOpen() ? Nids.bytesRead() : 0);
            lastRead = read;
        }
        if (total == LIVE || read <= 0 && total == UNKNOWN) {
            // Live, or a pipe, which has no file offset: packets and time instead of bytes.
            b.append(packets).append(packets == 1 ? " packet" : " packets");
            b.append(String.format(Locale.ROOT, ", %d:%02d", (long) seconds / 60, (long) seconds % 60));
        } else {
            b.append(size(read));
            if (total >= 0) {
                b.append(" / ").append(size(total));
                if (total > 0) b.append(String.format(Locale.ROOT, " (%d%%)", Math.min(100, read * 100 / total)));
            }
            b.append(", ").append(size((long) (read / seconds))).append("/s");
        }
        long n = streams.getAsLong() - streamsBefore;
        b.append(", ").append(n).append(n == 1 ? " stream" : " streams");
        if (note != null) b.append("; ").append(note);
        err.print("\r" + b + "\033[K");
        err.flush();
        visible = true;
    }

    /**
     * Shows the capture's final figures and leaves them on their line, with how its
     * checksums were treated ({@code checksums}, or null).
     */
    void finish(String checksums) {
        show(System.nanoTime(), true, checksums);
        err.println();
        err.flush();
        visible = false;
    }

    /** Erases the progress line, before other output or after a failure. */
    void clear() {
        if (visible) {
            err.print("\r\033[K");
            err.flush();
            visible = false;
        }
    }

    static String size(long bytes) {
        if (bytes < 1024) return bytes + " B";
        double v = bytes;
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
