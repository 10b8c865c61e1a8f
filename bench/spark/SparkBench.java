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
 * bytes. A run computes an aggregate over every column of every row (sum of
 * the byte counts, count of streams, min/max times), so nothing is pruned
 * away. Run by bench/spark-bench.sh.
 *
 *   java -cp SPARK_CLASSPATH:jnids-spark-all.jar SparkBench.java DIR RUNS local[1] local[2]
 */
public class SparkBench {
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
            long rows = 0;
            for (int i = 0; i <= runs; i++) {
                long t0 = System.nanoTime();
                Row r = spark.read().format("jnids").option("checksums", "off").load(dir.toString())
                        .selectExpr("count(*)", "sum(bytes_cts + bytes_stc)", "min(first_ts)", "max(last_ts)",
                                "count(DISTINCT capture)", "max(length(src) + length(dst) + sport + dport + length(state))")
                        .first();
                double s = (System.nanoTime() - t0) / 1e9;
                rows = r.getLong(0);
                if (i > 0) times.add(s); // the first run warms up the JIT and Spark's code generation
                System.out.printf("run %s %d %.3f s %d rows%n", master, i, s, rows);
            }
            times.sort(null);
            double median = times.get(times.size() / 2);
            System.out.printf("RESULT %s median %.3f s rows %d bytes %d rows/s %.0f MB/s %.1f%n", master, median, rows,
                    bytes, rows / median, bytes / median / 1e6);
            spark.stop();
        }
    }
}
