import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * jnids-spark's benchmark driver: reads a directory of captures with the jnids
 * source on local[N] and prints one line per run: master, seconds, rows,
 * bytes, and the CPU time the whole JVM spent on it (all threads: Spark's,
 * the JIT's, the collector's), which a loaded machine changes less than the
 * wall time. A run computes an aggregate over every column of every row (sum of
 * the byte counts, count of streams, min/max times), so nothing is pruned
 * away. Run by bench/spark-bench.sh.
 *
 *   java -cp SPARK_CLASSPATH:jnids-spark-all.jar SparkBench.java DIR RUNS local[1] local[2]
 */
public class SparkBench {
    /** Runs before those measured: on a loaded machine the first two still ran well above the later ones. */
    private static final int WARMUP = 2;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int runs = Integer.parseInt(args[1]);
        long bytes;
        try (Stream<Path> s = Files.list(dir)) {
            bytes = s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        for (String master : Arrays.copyOfRange(args, 2, args.length)) {
            SparkSession spark = SparkSession.builder().master(master).appName("jnids-spark bench")
                    .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                    .config("spark.sql.shuffle.partitions", "1")
                    .getOrCreate();
            spark.sparkContext().setLogLevel("ERROR");
            List<Double> times = new ArrayList<>();
            List<Double> cpus = new ArrayList<>();
            long rows = 0;
            for (int i = 0; i < WARMUP + runs; i++) {
                long t0 = System.nanoTime();
                long c0 = cpu();
                Row r = spark.read().format("jnids").option("checksums", "off").load(dir.toString())
                        .selectExpr("count(*)", "sum(bytes_cts + bytes_stc)", "min(first_ts)", "max(last_ts)",
                                "count(DISTINCT capture)", "max(length(src) + length(dst) + sport + dport + length(state))")
                        .first();
                double s = (System.nanoTime() - t0) / 1e9;
                double c = (cpu() - c0) / 1e9;
                rows = r.getLong(0);
                if (i >= WARMUP) { // the first runs warm up the JIT and Spark's code generation
                    times.add(s);
                    cpus.add(c);
                }
                System.out.printf("run %s %d %.3f s %.3f cpu-s %d rows%n", master, i, s, c, rows);
            }
            times.sort(null);
            double median = times.get(times.size() / 2);
            cpus.sort(null);
            double cpuMedian = cpus.get(cpus.size() / 2);
            System.out.printf("RESULT %s median %.3f s cpu %.3f rows %d bytes %d rows/s %.0f MB/s %.1f%n", master, median,
                    cpuMedian, rows, bytes, rows / median, bytes / median / 1e6);
            spark.stop();
        }
    }

    /** CPU nanoseconds of this JVM, all threads. */
    private static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
