package io.github.jnids.spark;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.DataFrameReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which files a read takes (recursiveFileLookup, names starting with "_" or
 * ".", explicitly named files), and where their partitions prefer to run.
 */
class CaptureFilesTest {
    @TempDir
    Path dir;

    private static final Path RESET = SparkTests.testdata("captured").resolve("reset.pcap");

    private static DataFrameReader jnids() {
        return SparkTests.spark().read().format("jnids");
    }

    private Path tree() throws IOException {
        Path top = Files.createDirectories(dir.resolve("top"));
        Files.copy(RESET, top.resolve("a.pcap"));
        Files.copy(RESET, Files.createDirectories(top.resolve("sub").resolve("deeper")).resolve("b.pcap"));
        Files.copy(RESET, top.resolve(".hidden.pcap"));
        Files.copy(RESET, top.resolve("_partial.pcap"));
        Files.writeString(top.resolve("_SUCCESS"), "");
        return top;
    }

    private static List<String> files(org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> df) {
        return df.selectExpr("regexp_extract(capture, '[^/]*$', 0) AS file").distinct().orderBy("file")
                .collectAsList().stream().map(r -> r.getString(0)).toList();
    }

    @Test
    void aDirectoryGivesItsOwnFilesAndRecursiveFileLookupThoseBelow() throws IOException {
        Path top = tree();
        assertEquals(List.of("a.pcap"), files(jnids().load(top.toString())));
        assertEquals(List.of("a.pcap", "b.pcap"), files(jnids().option("recursiveFileLookup", "true").load(top.toString())));
        assertEquals(8, jnids().option("recursiveFileLookup", "true").load(top.toString()).count(), "4 streams a file");
        // Named explicitly, a file is read whatever its name.
        assertEquals(List.of(".hidden.pcap"), files(jnids().load(top.resolve(".hidden.pcap").toString())));
        // A glob in the path, as Spark's file sources take it.
        assertEquals(List.of("b.pcap"), files(jnids().load(top + "/sub/*/*.pcap")));
    }

    @Test
    void theSessionsIgnoreCorruptFilesIsTheDefault() {
        String text = SparkTests.testdata("synth").resolve("not-a-capture.txt").toString();
        SparkTests.spark().conf().set("spark.sql.files.ignoreCorruptFiles", "true");
        try {
            assertEquals(4, jnids().load(text, RESET.toString()).count());
            // The read's option wins over the session's setting.
            assertThrows(Exception.class, () -> jnids().option("ignoreCorruptFiles", "false")
                    .load(text, RESET.toString()).count());
        } finally {
            SparkTests.spark().conf().unset("spark.sql.files.ignoreCorruptFiles");
        }
    }

    @Test
    void partitionsPreferTheHostsHoldingMostOfTheirBytes() {
        Configuration conf = new Configuration(false);
        conf.set(SlowFileSystem.IMPL_KEY, SlowFileSystem.class.getName());
        conf.setBoolean("fs." + SlowFileSystem.SCHEME + ".impl.disable.cache", true);
        // Six equal blocks: h3 holds five, h2 three, h4 two, h1 one; localhost is no location.
        conf.set(SlowFileSystem.HOSTS_KEY, "h3,h2,h4;h3,h2,h4;h3,h2;h3;h1,localhost;h3");
        ReadOptions o = new ReadOptions(Map.of("path", SlowFileSystem.uri(RESET)), false);
        List<CapturePartition> parts = CaptureFiles.partitions(o, conf);
        assertEquals(1, parts.size());
        // The three hosts holding the most bytes, most first.
        assertEquals(List.of("h3", "h2", "h4"), List.of(parts.get(0).preferredLocations()));
    }
}
