package io.github.jnids.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Writes each direction of each stream to its own file in one directory, named
 * as tcpflow does: {@code 010.001.001.101.03177-010.001.001.001.00080} holds
 * what 10.1.1.101:3177 sent to 10.1.1.1:80. An existing file is never
 * overwritten: the name gets a suffix {@code -1}, {@code -2}, ... instead.
 * A file is created on the first byte of its direction, so a direction that
 * carried nothing has no file.
 *
 * <p>The names are chosen here, on the caller's thread, against the names the
 * directory held when the dump began and those this dump gave: a file's name
 * is known (for {@code --json}) as soon as its first byte is written. The
 * files themselves are written by {@link OpenFiles}, either at once, or on a
 * {@link WriterThread} that the bytes reach through pooled buffers (then a
 * failure to write is reported by a later call, at the latest by
 * {@link #close()}).
 */
final class Dumper implements AutoCloseable {
    /** Most files kept open at once, unless the system's limit on open files is lower. */
    static final int MAX_OPEN = OpenFiles.MAX_OPEN;

    private final Path dir;
    /** Names in the directory: there when the dump began, or given by this dump. */
    private final Set<String> taken;
    /** Where the bytes go when written at once; null with a writer thread. */
    private final OpenFiles direct;
    private final WriterThread writer;

    /** Writes through {@code writer} when given, else through {@code files} on the caller's thread. */
    Dumper(Path dir, Set<String> taken, OpenFiles files, WriterThread writer) {
        this.dir = dir;
        this.taken = taken;
        this.writer = writer;
        this.direct = writer == null ? files : null;
    }

    /** {@code -Djnids.dumpThread=false} writes on the caller's thread always, for A/B runs. */
    static final String THREAD_PROPERTY = "jnids.dumpThread";

    /** A dumper writing on the caller's thread. */
    static Dumper create(Path dir) {
        return create(dir, false);
    }

    /**
     * Checks the directory, creating it when missing. With {@code background}
     * (and more than one processor), the files are written on a thread of
     * their own: for reading capture files, where no one waits for a file to
     * grow while the capture is read.
     */
    static Dumper create(Path dir, boolean background) {
        Set<String> taken = new HashSet<>();
        try {
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                throw new CliFailure(dir + ": not a directory");
            }
            Files.createDirectories(dir);
            try (Stream<Path> names = Files.list(dir)) {
                names.forEach(p -> taken.add(p.getFileName().toString()));
            }
        } catch (IOException e) {
            throw new CliFailure(dir + ": cannot create the dump directory: " + reason(e));
        }
        if (!Files.isWritable(dir)) throw new CliFailure(dir + ": dump directory not writable");
        boolean thread = background && Runtime.getRuntime().availableProcessors() > 1
                && !"false".equals(System.getProperty(THREAD_PROPERTY));
        return thread ? new Dumper(dir, taken, null, new WriterThread(new OpenFiles()))
                : new Dumper(dir, taken, new OpenFiles(), null);
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
        if (sink.path == null) name(sink);
        if (writer != null) {
            writer.write(sink, data);
            return;
        }
        try {
            direct.write(sink, data);
        } catch (IOException e) {
            throw failure(sink, e);
        }
    }

    /** Gives the sink the first free one of its name, name-1, name-2, ... */
    private void name(Sink sink) {
        String name = sink.name;
        for (int i = 1; !taken.add(name); i++) name = sink.name + "-" + i;
        sink.path = dir.resolve(name);
    }

    /** Closes the sink's file; it is not reopened unless written again. */
    void close(Sink sink) {
        if (sink == null || sink.path == null) return;
        if (writer != null) {
            writer.close(sink);
            return;
        }
        try {
            direct.close(sink);
        } catch (IOException e) {
            throw failure(sink, e);
        }
    }

    /** Closes every file; with a writer thread, after it has written everything handed to it. */
    @Override
    public void close() {
        if (writer != null) {
            writer.finish();
            return;
        }
        try {
            direct.closeAll();
        } catch (OpenFiles.Failure e) {
            throw failure(e.sink, e.io);
        }
    }

    static CliFailure failure(Sink sink, IOException e) {
        return new CliFailure("cannot write " + sink.path + ": " + reason(e), e);
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
        /** The file's path, given on the first byte written (see {@link Dumper#name}). */
        Path path;
        /** Whether the file exists: later opens append to it. Touched only by the thread writing files. */
        boolean created;
        /** Open while the sink is in the open files' list. Touched only by the thread writing files. */
        java.nio.channels.FileChannel channel;
        Sink older;
        Sink newer;

        Sink(String name) {
            this.name = name;
        }

        void closeChannel() throws IOException {
            java.nio.channels.FileChannel c = channel;
            channel = null;
            if (c != null) c.close();
        }
    }
}
