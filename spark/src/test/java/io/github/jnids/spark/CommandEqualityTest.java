package io.github.jnids.spark;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;

/**
 * The DataFrame equals, row for row and in order, what the jnids command
 * prints with --json for each file: TCP streams, UDP datagrams (--udp),
 * warnings and scans (--scan), and payload prefixes against --dump's files.
 */
class CommandEqualityTest {
    private static final String GLOB = "*.{pcap,pcapng}";

    @TempDir
    Path dir;

    static List<Path> captures(Path... dirs) {
        List<Path> out = new ArrayList<>();
        for (Path d : dirs) {
            try (Stream<Path> s = Files.list(d)) {
                s.filter(p -> p.getFileName().toString().matches(".*\\.(pcap|pcapng)")).sorted().forEach(out::add);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return out;
    }

    /** testdata's folders of captures: IPv4, IPv6, and captures with holes (the command's --gaps skip). */
    static Path[] testdataDirs() {
        return Stream.of("captured", "captured/ipv6", "synth", "synth/ipv6", "hostile", "lossy")
                .map(SparkTests::testdata).toArray(Path[]::new);
    }

    static List<Path> testdata() {
        return captures(testdataDirs());
    }

    static String[] dirs(Path... d) {
        return Arrays.stream(d).map(Path::toString).toArray(String[]::new);
    }

    /** The rows by file (the capture column as a local path), in the order they came. */
    static Map<Path, List<String>> byFile(Dataset<Row> df, String... columns) {
        Map<Path, List<String>> out = new LinkedHashMap<>();
        for (Row r : df.collectAsList()) {
            Path file = Paths.get(new org.apache.hadoop.fs.Path(r.getString(0)).toUri().getPath());
            List<String> values = new ArrayList<>();
            for (int i = 1; i < r.length(); i++) {
                Object v = r.get(i);
                values.add(v instanceof byte[] b ? java.util.HexFormat.of().formatHex(b) : String.valueOf(v));
            }
            out.computeIfAbsent(file, k -> new ArrayList<>()).add(String.join(" ", values));
        }
        return out;
    }

    static String tcpLine(JsonObject o) {
        return String.join(" ", o.get("src").getAsString(), o.get("dst").getAsString(), o.get("sport").getAsString(),
                o.get("dport").getAsString(), o.get("state").getAsString(), o.get("bytes_cts").getAsString(),
                o.get("bytes_stc").getAsString(), String.valueOf(Cli.micros(o, "first_ts")),
                String.valueOf(Cli.micros(o, "last_ts")));
    }

    static Dataset<Row> tcpRows(Dataset<Row> df) {
        return df.selectExpr("capture", "src", "dst", "sport", "dport", "state", "bytes_cts", "bytes_stc",
                "unix_micros(first_ts)", "unix_micros(last_ts)");
    }

    /** Compares per file; files without rows on one side must have none on the other. */
    static void assertSame(Map<Path, List<String>> expected, Map<Path, List<String>> actual, int atLeast) {
        int rows = 0;
        for (Map.Entry<Path, List<String>> e : expected.entrySet()) {
            List<String> got = actual.getOrDefault(e.getKey(), List.of());
            assertEquals(e.getValue(), got, "rows of " + e.getKey());
            rows += got.size();
        }
        for (Path p : actual.keySet()) assertTrue(expected.containsKey(p), "rows for a file the command did not read: " + p);
        assertTrue(rows >= atLeast, "only " + rows + " rows compared");
    }

    static Map<Path, List<String>> expectedTcp(List<String> options, List<Path> files) {
        Map<Path, List<String>> out = new LinkedHashMap<>();
        Cli.perFile(options, files, "tcp").forEach((f, records) ->
                out.put(f, records.stream().map(CommandEqualityTest::tcpLine).collect(Collectors.toList())));
        return out;
    }

    /**
     * One run of the command serves the TCP, UDP and warnings comparisons: --udp and --scan
     * add records without changing the streams' (the TCP rows, read without scan detection,
     * are compared with this run's).
     */
    static final List<String> ALL_RECORDS = List.of("--udp", "--scan");

    @Test
    void tcpRowsEqualTheCommandOnTestdata() {
        List<Path> files = testdata();
        Dataset<Row> df = SparkTests.spark().read().format("jnids")
                .option("pathGlobFilter", GLOB).option("ignoreCorruptFiles", "true")
                .load(dirs(testdataDirs()));
        assertEquals(files.size(), df.rdd().getNumPartitions(), "one partition per capture file");
        assertSame(expectedTcp(ALL_RECORDS, files), byFile(tcpRows(df)), 100);
    }

    @Test
    void checksumsOffEqualsNoChecksum() {
        List<Path> files = captures(SparkTests.testdata("captured"));
        Path bad = SparkTests.testdata("synth").resolve("tcp-bad-checksum.pcap");
        files.add(bad);
        Dataset<Row> df = SparkTests.spark().read().format("jnids").option("checksums", "off")
                .option("pathGlobFilter", GLOB)
                .load(dirs(SparkTests.testdata("captured"), bad));
        Map<Path, List<String>> expected = expectedTcp(List.of("--no-checksum"), files);
        assertFalse(expected.get(SparkTests.testdata("captured").resolve("http-lo.pcap")).isEmpty(),
                "http-lo.pcap needs checksums off");
        assertSame(expected, byFile(tcpRows(df)), 70);
    }

    @Test
    void tcpRowsEqualTheCommandOnTheSharedCaptures() {
        Path shared = SparkTests.sharedPcaps();
        List<Path> files;
        Dataset<Row> df = SparkTests.spark().read().format("jnids").option("pathGlobFilter", "*.{pcap,pcapng,cap}")
                .load(shared.toString());
        try (Stream<Path> s = Files.list(shared)) {
            files = s.filter(p -> p.getFileName().toString().matches(".*\\.(pcap|pcapng|cap)")).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertSame(expectedTcp(List.of(), files), byFile(tcpRows(df)), 10);
    }

    @Test
    void udpRowsEqualTheCommandsUdpRecords() {
        List<Path> files = testdata();
        Dataset<Row> df = SparkTests.spark().read().format("jnids").option("kind", "udp")
                .option("pathGlobFilter", GLOB).option("ignoreCorruptFiles", "true")
                .load(dirs(testdataDirs()))
                .selectExpr("capture", "src", "sport", "dst", "dport", "bytes", "unix_micros(ts)");
        Map<Path, List<String>> expected = new LinkedHashMap<>();
        Cli.perFile(ALL_RECORDS, files, "udp").forEach((f, records) -> expected.put(f, records.stream()
                .map(o -> String.join(" ", o.get("src").getAsString(), o.get("sport").getAsString(),
                        o.get("dst").getAsString(), o.get("dport").getAsString(), o.get("bytes").getAsString(),
                        String.valueOf(Cli.micros(o, "ts"))))
                .collect(Collectors.toList())));
        assertSame(expected, byFile(df), 30);
    }

    @Test
    void warningRowsEqualTheCommandsScanRecords() {
        List<Path> files = testdata();
        Dataset<Row> df = SparkTests.spark().read().format("jnids").option("kind", "warnings")
                .option("pathGlobFilter", GLOB).option("ignoreCorruptFiles", "true")
                .load(dirs(testdataDirs()))
                .selectExpr("capture", "type", "kind", "code", "coalesce(message, '-')", "coalesce(src, '-')",
                        "coalesce(sport, 0)", "coalesce(dst, '-')", "coalesce(dport, 0)",
                        "coalesce(to_json(probes), '-')", "unix_micros(ts)");
        Map<Path, List<String>> expected = new LinkedHashMap<>();
        Cli.perFile(ALL_RECORDS, files, "warning", "scan").forEach((f, records) -> expected.put(f, records.stream()
                .map(o -> String.join(" ", o.get("type").getAsString(), o.get("kind").getAsString(),
                        o.get("code").getAsString(), str(o, "message"), str(o, "src"),
                        o.has("sport") ? o.get("sport").getAsString() : "0", str(o, "dst"),
                        o.has("dport") ? o.get("dport").getAsString() : "0",
                        o.has("probes") ? o.get("probes").toString() : "-", String.valueOf(Cli.micros(o, "ts"))))
                .collect(Collectors.toList())));
        assertSame(expected, byFile(df), 10);
    }

    private static String str(JsonObject o, String field) {
        return o.has(field) && !o.get(field).isJsonNull() ? o.get(field).getAsString() : "-";
    }

    @Test
    void payloadPrefixesEqualTheBytesDumpWrites() throws IOException {
        int n = 700;
        List<Path> files = captures(SparkTests.testdata("captured"));
        Path dump = dir.resolve("dump");
        List<String> args = new ArrayList<>(List.of("--no-checksum", "--dump", dump.toString()));
        Map<Path, List<String>> expected = new LinkedHashMap<>();
        Cli.perFile(args, files, "tcp").forEach((f, records) -> {
            List<String> lines = new ArrayList<>();
            for (JsonObject o : records) {
                lines.add(tcpLine(o) + " " + prefix(o, "file_cts", n) + " " + prefix(o, "file_stc", n));
            }
            expected.put(f, lines);
        });
        Dataset<Row> df = SparkTests.spark().read().format("jnids").option("payload", n).option("checksums", "off")
                .option("pathGlobFilter", "*.pcap").load(SparkTests.testdata("captured").toString())
                .selectExpr("capture", "src", "dst", "sport", "dport", "state", "bytes_cts", "bytes_stc",
                        "unix_micros(first_ts)", "unix_micros(last_ts)", "data_cts", "data_stc");
        assertSame(expected, byFile(df), 60);
        // Both cases are among the rows compared: prefixes cut at n, and whole directions shorter than n.
        assertTrue(df.filter("bytes_stc > " + n + " AND length(data_stc) = " + n).count() > 10);
        assertTrue(df.filter("bytes_cts > 0 AND bytes_cts < " + n + " AND length(data_cts) = bytes_cts").count() > 10);
    }

    private static String prefix(JsonObject o, String field, int n) {
        if (!o.has(field)) return "";
        try {
            byte[] b = Files.readAllBytes(Paths.get(o.get(field).getAsString()));
            return java.util.HexFormat.of().formatHex(Arrays.copyOf(b, Math.min(n, b.length)));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
