package io.github.jnids.spark;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** Two partitions of one executor run their libnids sessions at the same time, and give the rows of one at a time. */
class ConcurrencyTest {
    @Test
    void twoPartitionsRunAtOnceWithTheRowsOfOne() {
        String captured = SlowFileSystem.uri(SparkTests.testdata("captured"));
        // Slow reads (1 ms per 4 KB: a few tenths of a second per file) make the sessions overlap for sure.
        {
            Engines.resetMaxOpen();
            Dataset<Row> two = SparkTests.spark().read().format("jnids").option(SlowFileSystem.DELAY_KEY, "1")
                    .option("pathGlobFilter", "{http-large,concurrent}.pcap")
                    .option("checksums", "off").load(captured);
            List<Row> parallel = two.collectAsList();
            int maxOpen = Engines.maxOpen();

            // The same read, one partition at a time.
            List<Row> serial = SparkTests.spark().read().format("jnids").option(SlowFileSystem.DELAY_KEY, "0")
                    .option("pathGlobFilter", "{http-large,concurrent}.pcap")
                    .option("checksums", "off").load(captured).coalesce(1).collectAsList();
            assertEquals(serial, parallel);
            assertTrue(parallel.size() > 50, parallel.size() + " rows");
            assertEquals(2, maxOpen, "sessions open at once in the executor (local[2])");
        }
    }
}
