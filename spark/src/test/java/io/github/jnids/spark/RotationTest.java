package io.github.jnids.spark;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A capture split as tcpdump -C rotates it reads back, with rotation, as the whole capture. */
class RotationTest {
    @TempDir
    Path dir;

    /**
     * Splits a little-endian pcap file into parts of about {@code bytes} each, named as
     * tcpdump -C names them: name, name1, name2, ...; returns the files.
     */
    static List<Path> split(Path capture, Path dir, String name, int bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(capture)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xa1b2c3d4, b.getInt(0), "a little-endian microsecond pcap file");
        byte[] header = new byte[24];
        b.get(0, header);
        List<Path> out = new ArrayList<>();
        int pos = 24;
        while (pos < b.limit()) {
            Path part = dir.resolve(out.isEmpty() ? name : name + out.size());
            try (OutputStream o = Files.newOutputStream(part)) {
                o.write(header);
                int start = pos;
                while (pos < b.limit() && pos - start < bytes) pos += 16 + b.getInt(pos + 8);
                o.write(b.array(), start, pos - start);
            }
            out.add(part);
        }
        return out;
    }

    private static Dataset<Row> streams(Dataset<Row> df) {
        return df.selectExpr("src", "dst", "sport", "dport", "state", "bytes_cts", "bytes_stc", "first_ts", "last_ts");
    }

    @Test
    void aSplitCaptureReadAsARotationSetGivesTheStreamsOfTheWhole() throws IOException {
        Path whole = SparkTests.testdata("captured").resolve("concurrent.pcap");
        Path set = Files.createDirectories(dir.resolve("sensor"));
        List<Path> parts = split(whole, set, "trace.pcap", 30_000);
        assertTrue(parts.size() >= 10, parts.size() + " parts");
        // A second, unrelated set beside it: its own partition.
        split(SparkTests.testdata("captured").resolve("http-large.pcap"), set, "other.pcap", 200_000);

        List<Row> expected = streams(SparkTests.spark().read().format("jnids").load(whole.toString())).collectAsList();
        Dataset<Row> rotated = SparkTests.spark().read().format("jnids").option("rotation", "true").load(set.toString());
        assertEquals(2, rotated.rdd().getNumPartitions(), "one partition per rotation set");
        Dataset<Row> first = rotated.filter("capture LIKE '%/trace.pcap'");
        assertEquals(expected, streams(first).collectAsList());
        assertEquals(rotated.count(), first.count() + rotated.filter("capture LIKE '%/other.pcap'").count(),
                "every row's capture is its set's first file");

        // Without rotation the streams are cut at the file boundaries: the comparison can fail.
        List<Row> unrotated = streams(SparkTests.spark().read().format("jnids").option("pathGlobFilter", "trace.pcap*")
                .load(set.toString())).collectAsList();
        assertNotEquals(expected, unrotated);
    }

    @Test
    void numbersOrderTheSetNumerically() throws IOException {
        Path whole = SparkTests.testdata("captured").resolve("http-large.pcap");
        List<Path> parts = split(whole, dir, "t.pcap", 40_000);
        assertTrue(parts.size() > 10, "parts up to t.pcap" + (parts.size() - 1) + ": t.pcap10 must follow t.pcap9");
        List<Row> expected = streams(SparkTests.spark().read().format("jnids").load(whole.toString())).collectAsList();
        assertEquals(expected, streams(SparkTests.spark().read().format("jnids").option("rotation", "true")
                .load(dir.toString())).collectAsList());
    }

    @Test
    void aSetOfDifferentLinkTypesIsRefused() throws IOException {
        Path a = Files.copy(SparkTests.testdata("captured").resolve("reset.pcap"), dir.resolve("mix.pcap"));
        Files.copy(SparkTests.testdata("synth").resolve("link-raw.pcap"), dir.resolve("mix.pcap1"));
        Throwable t = assertThrows(Throwable.class, () -> SparkTests.spark().read().format("jnids")
                .option("rotation", "true").load(dir.toString()).collectAsList());
        StringBuilder m = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) m.append(c.getMessage()).append(" | ");
        assertTrue(m.toString().contains("differs from the first file's"), m.toString());
        assertNotNull(a);
    }
}
