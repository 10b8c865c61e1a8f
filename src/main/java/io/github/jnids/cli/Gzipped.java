package io.github.jnids.cli;

import io.github.jnids.CaptureStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * A gzip-compressed capture file ({@code cap.pcap.gz}; recognised by gzip's
 * magic bytes, whatever its name), read by the session through a
 * {@link CaptureStream} that inflates it on the way.
 */
final class Gzipped implements AutoCloseable {
    private static final int MAGIC1 = 0x1f;
    private static final int MAGIC2 = 0x8b;

    private final Path file;
    private final CaptureStream stream;

    private Gzipped(Path file, CaptureStream stream) {
        this.file = file;
        this.stream = stream;
    }

    /** The file read through gzip when it is gzip-compressed; null when it is not. */
    static Gzipped openIf(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            if (in.read() != MAGIC1 || in.read() != MAGIC2) return null;
        } catch (IOException e) {
            return null; // the session's own open reports what is wrong with the file
        }
        try {
            InputStream in = new GZIPInputStream(Files.newInputStream(file), 1 << 16);
            return new Gzipped(file, CaptureStream.open(in, file.toString()));
        } catch (IOException e) {
            throw new CliFailure(file + ": not a valid gzip file (" + e.getMessage() + ")", e);
        }
    }

    /** The name the session opens. */
    String filename() {
        return stream.path();
    }

    /** libpcap's message about the pipe, as a message about the file. */
    String rename(String message) {
        return stream.rename(message);
    }

    /**
     * What to report for a failure of the session reading this file: the
     * decompression's own error when there was one (a cut or corrupt file),
     * else the session's, renamed.
     */
    RuntimeException failure(RuntimeException e) {
        IOException f = stream.failure();
        if (f != null) return new CliFailure(file + ": damaged gzip data: " + f.getMessage(), e);
        String message = rename(e.getMessage());
        if (e instanceof io.github.jnids.NidsException n) return new CliFailure(Main.withName(file.toString(), n.reason(), message), e);
        return new CliFailure(file + ": " + Main.oneLine(message), e);
    }

    /** Closes the stream; a decompression error seen meanwhile becomes the command's failure. */
    @Override
    public void close() {
        try {
            stream.close();
        } catch (UncheckedIOException e) {
            throw new CliFailure(file + ": damaged gzip data: " + e.getCause().getMessage(), e);
        }
    }

    /** Closes the stream after another failure, which is the one reported. */
    void closeQuietly() {
        try {
            stream.close();
        } catch (RuntimeException ignored) {
            // the first failure is the one reported
        }
    }
}
