package io.github.jnids.spark;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * A capture damaged part way gives its rows up to the damage (the streams open
 * there as "open"), as the command prints them, without ignoreCorruptFiles and
 * without failing the job; the scan's damagedFiles metric counts it.
 */
class DamagedCaptureTest {
    @Test
    void rowsBeforeTheDamageAreKept() {
        List<Path> files = List.of(SparkTests.testdata("synth").resolve("truncated-packet.pcap"),
                SparkTests.testdata("synth").resolve("truncated-record-header.pcap"),
                SparkTests.testdata("captured").resolve("reset.pcap"));
        Dataset<Row> df = SparkTests.spark().read().format("jnids")
                .load(files.stream().map(Path::toString).toArray(String[]::new));
        Dataset<Row> rows = CommandEqualityTest.tcpRows(df);
        Map<Path, List<String>> expected = CommandEqualityTest.expectedTcp(List.of(), files);
        assertEquals(1, expected.get(files.get(0)).size(), "the command's rows of " + files.get(0));
        assertTrue(expected.get(files.get(0)).get(0).contains(" open 43 0 "), expected.get(files.get(0)).toString());
        CommandEqualityTest.assertSame(expected, CommandEqualityTest.byFile(rows), 6);
        assertEquals(2, Plans.metric(rows, Metrics.DAMAGED), "damaged files");
        assertEquals(0, Plans.metric(rows, Metrics.SKIPPED), "skipped files");
        assertEquals(3, Plans.metric(rows, Metrics.FILES), "files read");
    }
}
