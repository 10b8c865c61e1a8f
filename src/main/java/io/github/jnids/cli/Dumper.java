package io.github.jnids.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;

/**
 * Writes each direction of each stream to its own file in one directory, named
 * as tcpflow does: {@code 010.001.001.101.03177-010.001.001.001.00080} holds
 * what 10.1.1.101:3177 sent to 10.1.1.1:80. An existing file is never
 * overwritten: the name gets a suffix {@code -1}, {@code -2}, ... instead.
 * A file is created on the first byte of its direction, so a direction that
 * carried nothing has no file.
 */
final class Dumper implements AutoCloseable {
    /** Most files kept open at once; the least recently written are closed and reopened on demand. */
    static final int MAX_OPEN = 256;

    private final Path dir;
    private final LinkedHashMap<Sink, Boolean> open = new LinkedHashMap<>(64, 0.75f, true);

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
        return padded(src) + "." + String.format(Locale.ROOT, "%05d", sport) + "-"
                + padded(dst) + "." + String.format(Locale.ROOT, "%05d", dport);
    }

    private static String padded(String ipv4) {
        String[] parts = ipv4.split("\\.");
        if (parts.length != 4) return ipv4;
        StringBuilder b = new StringBuilder(15);
        for (int i = 0; i < 4; i++) {
            if (i > 0) b.append('.');
            b.append(String.format(Locale.ROOT, "%03d", Integer.parseInt(parts[i])));
        }
        return b.toString();
    }

    Sink sink(String src, int sport, String dst, int dport) {
        return new Sink(flowName(src, sport, dst, dport));
    }

    /** Appends the bytes remaining in {@code data} to the sink's file. */
    void write(Sink sink, ByteBuffer data) {
        if (!data.hasRemaining()) return;
        try {
            if (sink.path == null) sink.path = createUnique(sink.name);
            if (sink.channel == null) {
                sink.channel = FileChannel.open(sink.path, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                open.put(sink, Boolean.TRUE);
                if (open.size() > MAX_OPEN) {
                    Iterator<Sink> eldest = open.keySet().iterator();
                    Sink old = eldest.next();
                    eldest.remove();
                    old.closeChannel();
                }
            } else {
                open.get(sink); // marks it recently used
            }
            sink.written += data.remaining();
            while (data.hasRemaining()) sink.channel.write(data);
        } catch (IOException e) {
            throw new CliFailure("cannot write " + (sink.path != null ? sink.path : dir.resolve(sink.name))
                    + ": " + reason(e), e);
        }
    }

    /** Closes the sink's file; it is not reopened unless written again. */
    void close(Sink sink) {
        if (sink == null) return;
        open.remove(sink);
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
        for (Sink s : open.keySet()) {
            try {
                s.closeChannel();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                    failed = s.path;
                }
            }
        }
        open.clear();
        if (first != null) throw new CliFailure("cannot write " + failed + ": " + reason(first), first);
    }

    private Path createUnique(String name) throws IOException {
        for (int i = 0; ; i++) {
            Path p = dir.resolve(i == 0 ? name : name + "-" + i);
            try {
                return Files.createFile(p);
            } catch (FileAlreadyExistsException e) {
                // taken: try the next suffix
            }
        }
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
        Path path;
        FileChannel channel;
        long written;

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
