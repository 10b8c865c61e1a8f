package io.github.jnids.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * Writes each direction of each stream to its own file in one directory, named
 * as tcpflow does: {@code 010.001.001.101.03177-010.001.001.001.00080} holds
 * what 10.1.1.101:3177 sent to 10.1.1.1:80. An existing file is never
 * overwritten: the name gets a suffix {@code -1}, {@code -2}, ... instead.
 * A file is created on the first byte of its direction, so a direction that
 * carried nothing has no file.
 *
 * <p>Bytes go from libnids' buffer to the file in one write(2), without a copy
 * on the Java side (the view of {@code dataBuffer()} is a direct buffer), and
 * nothing is allocated per write. A file stays open while its stream lives,
 * up to {@link #MAX_OPEN} at once; beyond that, or when the system refuses to
 * open more, the least recently written are closed and reopened on demand.
 */
final class Dumper implements AutoCloseable {
    /** Most files kept open at once, unless the system's limit on open files is lower. */
    static final int MAX_OPEN = 4096;

    /** A new file: fails when the name is taken (O_CREAT | O_EXCL), so that nothing is overwritten. */
    private static final Set<OpenOption> CREATE = Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW);
    /** A file of this run that was closed to make room. */
    private static final Set<OpenOption> REOPEN = Set.of(StandardOpenOption.WRITE, StandardOpenOption.APPEND);

    private final Path dir;
    private int maxOpen = MAX_OPEN;
    /** The open sinks, least recently written first: an intrusive list, so that a write allocates nothing. */
    private Sink eldest;
    private Sink newest;
    private int openCount;

    Dumper(Path dir) {
        this.dir = dir;
    }

    /** Checks the directory, creating it when missing. */
    static Dumper create(Path dir) {
        try {
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                throw new CliFailure(dir + ": not a directory");
            }
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CliFailure(dir + ": cannot create the dump directory: " + reason(e));
        }
        if (!Files.isWritable(dir)) throw new CliFailure(dir + ": dump directory not writable");
        return new Dumper(dir);
    }

    /** tcpflow's name for the bytes sent from src:sport to dst:dport. */
    static String flowName(String src, int sport, String dst, int dport) {
        StringBuilder b = new StringBuilder(43);
        endpoint(b, src, sport);
        b.append('-');
        endpoint(b, dst, dport);
        return b.toString();
    }

    /** {@code 010.001.001.101.03177}: each part of a dotted IPv4 address in 3 digits, the port in 5. */
    private static void endpoint(StringBuilder b, String ipv4, int port) {
        if (!appendPadded(b, ipv4)) b.append(ipv4);
        b.append('.');
        digits(b, port, 5);
    }

    /** Appends the address with each part zero-padded; false (and nothing appended) if it is not dotted IPv4. */
    private static boolean appendPadded(StringBuilder b, String ipv4) {
        int start = b.length();
        int parts = 0;
        int value = 0;
        int len = 0;
        for (int i = 0; i <= ipv4.length(); i++) {
            char c = i < ipv4.length() ? ipv4.charAt(i) : '.';
            if (c == '.') {
                if (len == 0 || value > 255 || parts == 4) {
                    b.setLength(start);
                    return false;
                }
                if (parts > 0) b.append('.');
                digits(b, value, 3);
                parts++;
                value = 0;
                len = 0;
            } else if (c >= '0' && c <= '9' && len < 3) {
                value = value * 10 + (c - '0');
                len++;
            } else {
                b.setLength(start);
                return false;
            }
        }
        if (parts != 4) {
            b.setLength(start);
            return false;
        }
        return true;
    }

    private static void digits(StringBuilder b, int value, int width) {
        for (int div = width == 5 ? 10000 : 100; div > 0; div /= 10) b.append((char) ('0' + value / div % 10));
    }

    Sink sink(String src, int sport, String dst, int dport) {
        return new Sink(flowName(src, sport, dst, dport));
    }

    /** Appends the bytes remaining in {@code data} to the sink's file. */
    void write(Sink sink, ByteBuffer data) {
        write(sink, data, data.remaining());
    }

    /**
     * Appends the last {@code n} bytes remaining in {@code data} (the ones that just
     * arrived, at the end of libnids' buffer) to the sink's file; moves the
     * buffer's position to its limit.
     */
    void write(Sink sink, ByteBuffer data, int n) {
        int limit = data.limit();
        int from = Math.max(data.position(), limit - n);
        if (from >= limit) return;
        data.position(from);
        try {
            FileChannel channel = sink.channel;
            if (channel == null) {
                channel = open(sink);
            } else if (sink != newest) {
                unlink(sink);
                link(sink);
            }
            do {
                channel.write(data);
            } while (data.hasRemaining());
        } catch (IOException e) {
            throw new CliFailure("cannot write " + (sink.path != null ? sink.path : dir.resolve(sink.name))
                    + ": " + reason(e), e);
        }
    }

    /** Opens the sink's file, creating it on first use, and makes it the newest open one. */
    private FileChannel open(Sink sink) throws IOException {
        while (openCount >= maxOpen) closeEldest();
        FileChannel channel;
        try {
            channel = sink.path == null ? createUnique(sink) : FileChannel.open(sink.path, REOPEN);
        } catch (IOException e) {
            // Most likely the limit on open files (EMFILE, ENFILE): keep fewer open and try once more.
            if (openCount == 0) throw e;
            maxOpen = Math.max(1, openCount / 2);
            while (openCount >= maxOpen) closeEldest();
            channel = sink.path == null ? createUnique(sink) : FileChannel.open(sink.path, REOPEN);
        }
        sink.channel = channel;
        link(sink);
        return channel;
    }

    private FileChannel createUnique(Sink sink) throws IOException {
        for (int i = 0; ; i++) {
            Path p = dir.resolve(i == 0 ? sink.name : sink.name + "-" + i);
            try {
                FileChannel channel = FileChannel.open(p, CREATE);
                sink.path = p;
                return channel;
            } catch (FileAlreadyExistsException e) {
                // taken: try the next suffix
            }
        }
    }

    private void closeEldest() throws IOException {
        Sink s = eldest;
        unlink(s);
        s.closeChannel();
    }

    private void link(Sink s) {
        s.older = newest;
        s.newer = null;
        if (newest != null) newest.newer = s;
        else eldest = s;
        newest = s;
        openCount++;
    }

    private void unlink(Sink s) {
        if (s.older != null) s.older.newer = s.newer;
        else eldest = s.newer;
        if (s.newer != null) s.newer.older = s.older;
        else newest = s.older;
        s.older = null;
        s.newer = null;
        openCount--;
    }

    /** Closes the sink's file; it is not reopened unless written again. */
    void close(Sink sink) {
        if (sink == null || sink.channel == null) return;
        unlink(sink);
        try {
            sink.closeChannel();
        } catch (IOException e) {
            throw new CliFailure("cannot write " + sink.path + ": " + reason(e), e);
        }
    }

    @Override
    public void close() {
        IOException first = null;
        Path failed = null;
        while (eldest != null) {
            Sink s = eldest;
            unlink(s);
            try {
                s.closeChannel();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                    failed = s.path;
                }
            }
        }
        if (first != null) throw new CliFailure("cannot write " + failed + ": " + reason(first), first);
    }

    static String reason(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied";
        if (e instanceof java.nio.file.NoSuchFileException) return "no such file or directory";
        if (e instanceof java.nio.file.NotDirectoryException) return "not a directory";
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) return fse.getReason();
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    /** One direction of one stream. */
    static final class Sink {
        final String name;
        /** The file, once created. */
        Path path;
        /** Open while the sink is in the dumper's list of open sinks. */
        FileChannel channel;
        Sink older;
        Sink newer;

        Sink(String name) {
            this.name = name;
        }

        void closeChannel() throws IOException {
            FileChannel c = channel;
            channel = null;
            if (c != null) c.close();
        }
    }
}
