package io.github.jnids.spark;

import org.apache.spark.sql.SparkSession;

/** Run by {@link SelfContainedJarIT} with Spark's jars and jnids-spark-all.jar alone: counts the streams of a capture. */
public final class AllJarMain {
    private AllJarMain() { }

    public static void main(String[] args) {
        SparkSession spark = SparkSession.builder().master("local[1]").appName("jnids-spark all-jar check")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false").getOrCreate();
        spark.sparkContext().setLogLevel("ERROR");
        long n = spark.read().format("jnids").load(args[0]).filter("state = 'reset'").count();
        System.out.println("streams " + n);
        spark.stop();
    }
}
