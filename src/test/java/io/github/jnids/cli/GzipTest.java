package io.github.jnids.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command reads gzip-compressed captures as they are, through a CaptureStream. */
class GzipTest {
    private static final Path CAPTURED = Paths.get(System.getProperty("jnids.basedir", "."), "testdata", "captured");

    @TempDir
    Path dir;

    private Path gzip(byte[] content, String name) throws IOException {
        Path gz = dir.resolve(name);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(content);
        }
        return gz;
    }

    @Test
    void aGzippedCaptureGivesTheLinesOfTheCapture() throws IOException {
        Path plain = CAPTURED.resolve("concurrent.pcap");
        Path gz = gzip(Files.readAllBytes(plain), "concurrent.pcap.gz");
        Jnids.Result expected = Jnids.run("--json", plain.toString());
        Jnids.Result actual = Jnids.run("--json", gz.toString());
        assertEquals(0, actual.exit(), actual.toString());
        // 50 streams, then the capture's own record (checksum outcome)
        assertEquals(50, expected.lines().stream().filter(l -> l.startsWith("{\"type\":\"tcp\"")).count(),
                expected.toString());
        assertEquals(51, expected.lines().size(), expected.toString());
        assertEquals(expected.out().replace(plain.toString(), gz.toString()), actual.out());
        assertEquals("", actual.err());
    }

    @Test
    void aCutGzipFileReportsWhatCameBeforeTheDamageThenFails() throws IOException {
        Path plain = CAPTURED.resolve("concurrent.pcap");
        byte[] whole = Files.readAllBytes(gzip(Files.readAllBytes(plain), "whole.pcap.gz"));
        Path cut = dir.resolve("cut.pcap.gz");
        Files.write(cut, Arrays.copyOf(whole, whole.length * 2 / 3));
        Jnids.Result r = Jnids.run(cut.toString());
        assertEquals(1, r.exit(), r.toString());
        assertFalse(r.lines().isEmpty(), r.toString());
        assertTrue(r.err().startsWith("jnids: " + cut + ": damaged gzip data: "), r.err());
        assertFalse(r.err().contains("/dev/fd/"), r.err());
    }

    @Test
    void aGzippedFileThatIsNotACaptureFailsNamingTheFile() throws IOException {
        Path gz = gzip("these are notes, not packets\n".repeat(20).getBytes(), "notes.gz");
        Jnids.Result r = Jnids.run(gz.toString());
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains(gz.toString()) && !r.err().contains("/dev/fd/"), r.err());
        assertEquals(1, r.errLines().size(), r.err());
    }
}
