package io.github.jnids.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Assumptions;

/** The one SparkSession of the tests: local[2], on 127.0.0.1, no UI. */
final class SparkTests {
    private static SparkSession spark;

    private SparkTests() { }

    static synchronized SparkSession spark() {
        if (spark == null) {
            spark = SparkSession.builder()
                    .master("local[2]")
                    .appName("jnids-spark tests")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.ui.enabled", "false")
                    .config("spark.ui.showConsoleProgress", "false")
                    .config("spark.sql.shuffle.partitions", "2")
                    // Plans are inspected for the scan and its metrics: no adaptive re-planning.
                    .config("spark.sql.adaptive.enabled", "false")
                    .config("spark.hadoop." + SlowFileSystem.IMPL_KEY, SlowFileSystem.class.getName())
                    .config("spark.hadoop.fs." + SlowFileSystem.SCHEME + ".impl.disable.cache", "true")
                    .getOrCreate();
            spark.sparkContext().setLogLevel("WARN");
        }
        return spark;
    }

    static Path basedir() {
        return Paths.get(System.getProperty("jnids.basedir", "..")).toAbsolutePath().normalize();
    }

    static Path testdata(String dir) {
        return basedir().resolve("testdata").resolve(dir);
    }

    /** ../shared/pcaps next to the project, or a skip saying it is absent. */
    static Path sharedPcaps() {
        Path p = basedir().resolve("..").resolve("shared").resolve("pcaps").normalize();
        Assumptions.assumeTrue(Files.isDirectory(p), "no shared captures at " + p + " (../shared/pcaps/ absent)");
        return p;
    }
}
