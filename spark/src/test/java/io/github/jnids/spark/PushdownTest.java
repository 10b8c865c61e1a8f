package io.github.jnids.spark;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** Column pruning and the BPF pushdown take effect, and change no row. */
class PushdownTest {
    private static Dataset<Row> captured() {
        return SparkTests.spark().read().format("jnids").option("checksums", "off").option("pathGlobFilter", "*.pcap")
                .load(SparkTests.testdata("captured").toString());
    }

    @Test
    void aPortFilterBecomesBpfAndLibnidsSeesFewerPackets() {
        Dataset<Row> all = captured();
        List<Row> expected = all.filter("dport = 8080").collectAsList();
        long allPackets = metricOf(all);

        Dataset<Row> filtered = captured().filter("dport = 8080");
        List<Row> actual = filtered.collectAsList();
        assertEquals(expected, actual);
        assertEquals(2, actual.size());
        String description = Plans.scan(filtered).scan().description();
        assertTrue(description.contains("tcp port 8080"), description);
        long filteredPackets = Plans.metric(filtered, Metrics.PACKETS);
        assertTrue(filteredPackets > 0 && filteredPackets < allPackets / 2,
                "packets read with the filter pushed down: " + filteredPackets + ", without: " + allPackets);
    }

    @Test
    void inAndAddressFiltersArePushedAndKeepTheirRows() {
        String where = "sport IN (80, 7000) OR dport IN (80, 7000)";
        List<Row> expected = captured().filter(where).collectAsList();
        assertEquals(expected, captured().filter(where).collectAsList());

        Dataset<Row> in = captured().filter("dport IN (7000, 80) AND src = '10.77.0.1'");
        List<Row> rows = in.collectAsList();
        assertEquals(captured().collectAsList().stream()
                .filter(r -> (r.getInt(4) == 7000 || r.getInt(4) == 80) && r.getString(1).equals("10.77.0.1")).toList(), rows);
        String description = Plans.scan(in).scan().description();
        assertTrue(description.contains("tcp port 7000 or tcp port 80") && description.contains("host 10.77.0.1"), description);
    }

    @Test
    void filtersOnOtherColumnsAreNotPushed() {
        Dataset<Row> df = captured().filter("bytes_stc > 1000 AND state = 'close'");
        assertFalse(df.collectAsList().isEmpty());
        assertFalse(Plans.scan(df).scan().description().contains("bpf="), Plans.scan(df).scan().description());
    }

    @Test
    void onlyTheColumnsAskedForAreRead() {
        Dataset<Row> df = SparkTests.spark().read().format("jnids").option("payload", 64).option("pathGlobFilter", "*.pcap")
                .load(SparkTests.testdata("captured").toString()).select("dport", "bytes_stc");
        List<Row> rows = df.collectAsList();
        assertFalse(rows.isEmpty());
        assertEquals(List.of("dport", "bytes_stc"),
                List.of(Plans.scan(df).scan().readSchema().fieldNames()), "the scan's schema after pruning");
        assertEquals(2, rows.get(0).length());
    }

    private static long metricOf(Dataset<Row> df) {
        df.collectAsList();
        return Plans.metric(df, Metrics.PACKETS);
    }
}
