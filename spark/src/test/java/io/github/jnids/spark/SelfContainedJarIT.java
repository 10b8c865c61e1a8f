package io.github.jnids.spark;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/** jnids-spark-<version>-all.jar holds everything but Spark: a Spark job with it alone reads captures. */
class SelfContainedJarIT {
    private static final Path JAR = Paths.get(System.getProperty("jnids.spark.allJar", "target/none.jar"));

    @Test
    void theJarHoldsJnidsJavacppAndTheNativeLibraryButNoSpark() throws IOException {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            List<String> names = jar.stream().map(e -> e.getName()).toList();
            assertTrue(names.contains("io/github/jnids/spark/JnidsSource.class"), "the data source");
            assertTrue(names.contains("io/github/jnids/NidsSession.class"), "jnids");
            assertTrue(names.contains("org/bytedeco/javacpp/Loader.class"), "JavaCPP");
            assertTrue(names.contains("io/github/jnids/linux-x86_64/libjninids.so"), "the native library");
            assertTrue(names.contains("META-INF/services/org.apache.spark.sql.sources.DataSourceRegister"));
            assertTrue(names.stream().noneMatch(n -> n.startsWith("org/apache/spark/") || n.startsWith("scala/")
                    || n.startsWith("org/apache/hadoop/")), "no Spark, Scala or Hadoop inside");
            assertTrue(names.stream().noneMatch(n -> n.startsWith("io/github/jnids/cli/")), "no command-line tool");
        }
    }

    @Test
    void aSparkJobWithOnlyTheJarReadsACapture() throws Exception {
        // Spark's own jars (the test class path less everything of jnids), this module's test classes, the jar.
        String sparkJars = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> e.contains("/.m2/") && !e.contains("/io/github/jnids/"))
                .collect(Collectors.joining(File.pathSeparator));
        Path testClasses = Paths.get(System.getProperty("jnids.basedir", ".."), "spark", "target", "test-classes");
        List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(List.of(System.getProperty("jnids.spark.jvmOptions", "").trim().split("\\s+")));
        cmd.removeIf(String::isEmpty);
        cmd.addAll(List.of("-cp", sparkJars + File.pathSeparator + testClasses + File.pathSeparator + JAR,
                AllJarMain.class.getName(), SparkTests.testdata("captured").resolve("reset.pcap").toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the job did not finish");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("streams 4"), out);
    }
}
