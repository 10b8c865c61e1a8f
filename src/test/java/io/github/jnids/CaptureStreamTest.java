package io.github.jnids;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;

/** Captures read from an InputStream through CaptureStream, against the same captures read as files. */
class CaptureStreamTest extends NidsTestBase {
    private static final Path CAPTURED = Paths.get(System.getProperty("jnids.basedir", "."), "testdata", "captured");

    /** One line per stream as it ends: address, how it ended, bytes each way. */
    private List<String> streams() {
        List<String> out = new ArrayList<>();
        onTcp(tcp -> {
            if (tcp.nidsState() == Nids.NIDS_JUST_EST) {
                tcp.client().collect(true);
                tcp.server().collect(true);
            } else if (tcp.nidsState() != Nids.NIDS_DATA) {
                out.add(tcp.addr() + " " + tcp.nidsState() + " " + tcp.server().count() + " " + tcp.client().count());
            }
        });
        return out;
    }

    private List<String> readFile(Path file) {
        List<String> out = streams();
        runFile(file);
        List<String> copy = List.copyOf(out);
        out.clear();
        return copy;
    }

    private List<String> readStream(InputStream in, String name) {
        List<String> out = streams();
        try (CaptureStream s = CaptureStream.open(in, name)) {
            Nids.param("filename", s.path());
            Nids.init();
            Nids.run();
        }
        return out;
    }

    @Test
    void aStreamGivesTheStreamsOfTheFile() throws IOException {
        for (String name : List.of("concurrent.pcap", "http-large.pcap", "reset.pcap")) {
            Path file = CAPTURED.resolve(name);
            List<String> expected = readFile(file);
            assertFalse(expected.isEmpty(), name);
            // Parameters and handlers survive; a fresh handler list per read.
            endClean();
            startClean();
            assertEquals(expected, readStream(Files.newInputStream(file), name), name);
            endClean();
            startClean();
        }
    }

    @Test
    void aGzippedCaptureReadsThroughGzipInputStream() throws IOException {
        Path file = CAPTURED.resolve("concurrent.pcap");
        List<String> expected = readFile(file);
        endClean();
        startClean();
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
            z.write(Files.readAllBytes(file));
        }
        InputStream in = new java.util.zip.GZIPInputStream(new ByteArrayInputStream(gz.toByteArray()));
        assertEquals(expected, readStream(in, "concurrent.pcap.gz"));
    }

    @Test
    void aFailingStreamEndsTheCaptureAndCloseThrowsItsFailure() throws IOException {
        byte[] whole = Files.readAllBytes(CAPTURED.resolve("http-large.pcap"));
        InputStream failing = new FilterInputStream(new ByteArrayInputStream(whole)) {
            long read;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (read > whole.length / 2) throw new IOException("connection reset by the storage");
                int n = super.read(b, off, Math.min(len, 4096));
                read += Math.max(n, 0);
                return n;
            }
        };
        streams();
        CaptureStream s = CaptureStream.open(failing, "remote.pcap");
        Nids.param("filename", s.path());
        Nids.init();
        try {
            Nids.run();
        } catch (NidsException e) {
            // cut mid-record: libpcap reports a truncated file, named after the stream
            assertTrue(s.rename(e.getMessage()).contains("remote.pcap"), e.getMessage());
        }
        UncheckedIOException e = assertThrows(UncheckedIOException.class, s::close);
        assertTrue(e.getMessage().contains("remote.pcap") && e.getMessage().contains("connection reset by the storage"),
                e.getMessage());
        assertNotNull(s.failure());
    }

    @Test
    void closingBeforeTheEndStopsAnEndlessStream() throws Exception {
        byte[] whole = Files.readAllBytes(CAPTURED.resolve("concurrent.pcap"));
        byte[] records = Arrays.copyOfRange(whole, 24, whole.length);
        // The file header, then its packets over and over: never ends by itself.
        InputStream endless = new InputStream() {
            long pos;

            @Override
            public int read() {
                byte b = pos < 24 ? whole[(int) pos] : records[(int) ((pos - 24) % records.length)];
                pos++;
                return b & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                for (int i = 0; i < len; i++) b[off + i] = (byte) read();
                return len;
            }
        };
        List<String> out = streams();
        CaptureStream s = CaptureStream.open(endless, "endless.pcap");
        Nids.param("filename", s.path());
        Nids.init();
        while (out.size() < 60) assertTrue(Nids.dispatch(100) > 0);
        Nids.exit();
        long t0 = System.nanoTime();
        s.close();
        Thread pump = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("jnids-capture-stream endless.pcap")).findFirst().orElse(null);
        if (pump != null) pump.join(5000);
        assertTrue(pump == null || !pump.isAlive(), "the copying thread still runs after close()");
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
        assertNull(s.failure());
        assertTrue(s.bytesCopied() > whole.length, "copied " + s.bytesCopied());
    }

    @Test
    void aStreamThatIsNotACaptureFailsNamingTheStream() {
        CaptureStream s = CaptureStream.open(new ByteArrayInputStream("hello, not a capture\n".repeat(10).getBytes()),
                "notes.txt");
        try (s) {
            Nids.param("filename", s.path());
            NidsException e = assertThrows(NidsException.class, Nids::init);
            String m = s.rename(e.getMessage());
            assertTrue(m.contains("'notes.txt'") && !m.contains("/dev/fd/"), m);
        }
    }

    @Test
    void openRefusesNulls() {
        assertThrows(IllegalArgumentException.class, () -> CaptureStream.open(null, "x"));
        assertThrows(IllegalArgumentException.class, () -> CaptureStream.open(InputStream.nullInputStream(), null));
    }
}
