package io.github.jnids.spark;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Captures on a file system that is not the local one reach libnids through the
 * stream path (CaptureStream), and give the rows of the same files read locally;
 * so do compressed files, decompressed by Hadoop's codecs.
 */
class HadoopFileSystemTest {
    @TempDir
    Path dir;

    private static Dataset<Row> read(String path) {
        return SparkTests.spark().read().format("jnids").option("pathGlobFilter", "*.pcap*").load(path)
                .selectExpr("regexp_extract(capture, '[^/]*$', 0) AS file", "src", "dst", "sport", "dport", "state",
                        "bytes_cts", "bytes_stc", "first_ts", "last_ts");
    }

    @Test
    void aNonLocalFileSystemGivesTheRowsOfTheLocalFiles() {
        Path captured = SparkTests.testdata("captured");
        List<Row> local = read(captured.toString()).collectAsList();
        Dataset<Row> remote = read(SlowFileSystem.uri(captured));
        assertEquals(local, remote.collectAsList());
        assertTrue(local.size() > 60, local.size() + " rows");
        assertTrue(Plans.metric(remote, Metrics.CAPTURE_BYTES) > 1_000_000);
    }

    @Test
    void gzippedCapturesAreReadThroughHadoopsCodec() throws IOException {
        for (String name : List.of("concurrent.pcap", "http-large.pcap")) {
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve(name + ".gz")))) {
                Files.copy(SparkTests.testdata("captured").resolve(name), out);
            }
        }
        List<Row> plain = read(SparkTests.testdata("captured").toString())
                .filter("file IN ('concurrent.pcap', 'http-large.pcap')").collectAsList();
        List<Row> gz = read(dir.toString()).selectExpr("replace(file, '.gz', '') AS file", "src", "dst", "sport", "dport",
                "state", "bytes_cts", "bytes_stc", "first_ts", "last_ts").collectAsList();
        assertEquals(51, plain.size());
        assertEquals(plain, gz);
    }

    @Test
    void aCutGzipFileFailsTheTaskUnlessIgnoreCorruptFiles() throws IOException {
        byte[] whole;
        Path gz = dir.resolve("whole.pcap.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            Files.copy(SparkTests.testdata("captured").resolve("concurrent.pcap"), out);
        }
        whole = Files.readAllBytes(gz);
        Files.delete(gz);
        Path cut = dir.resolve("cut.pcap.gz");
        Files.write(cut, java.util.Arrays.copyOf(whole, whole.length / 2));
        Throwable t = assertThrows(Throwable.class, () -> read(cut.toString()).collectAsList());
        StringBuilder m = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) m.append(c.getMessage()).append(" | ");
        assertTrue(m.toString().contains("cut.pcap.gz"), m.toString());
        List<Row> some = SparkTests.spark().read().format("jnids").option("ignoreCorruptFiles", "true")
                .load(cut.toString()).collectAsList();
        assertFalse(some.isEmpty(), "the rows before the damage");
    }
}
