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
import java.nio.file.Files;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    /**
     * Spark's own jars: the test class path less everything of jnids and its JavaCPP,
     * which the jar must bring (a JavaCPP on the class path as well would be loaded
     * by the parent class loader, apart from the native library the jar's loads).
     */
    private static String sparkJars() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> e.contains("/.m2/") && !e.contains("/io/github/jnids/") && !e.contains("/org/bytedeco/"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static List<String> java() {
        List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(List.of(System.getProperty("jnids.spark.jvmOptions", "").trim().split("\\s+")));
        cmd.removeIf(String::isEmpty);
        return cmd;
    }

    private static String run(List<String> cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the job did not finish");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void aSparkJobWithOnlyTheJarReadsACapture() throws Exception {
        // Spark's jars, this module's test classes, the jar.
        Path testClasses = Paths.get(System.getProperty("jnids.basedir", ".."), "spark", "target", "test-classes");
        List<String> cmd = java();
        cmd.addAll(List.of("-cp", sparkJars() + File.pathSeparator + testClasses + File.pathSeparator + JAR,
                AllJarMain.class.getName(), SparkTests.testdata("captured").resolve("reset.pcap").toString()));
        String out = run(cmd);
        assertTrue(out.contains("streams 4"), out);
    }

    /**
     * The README's spark-submit line, less the shell launcher (no Spark distribution
     * here): SparkSubmit on Spark's jars alone, the job in a jar of its own, jnids
     * from --jars.
     */
    @Test
    void sparkSubmitWithTheJarInJarsRunsAJob(@TempDir Path dir) throws Exception {
        Path job = dir.resolve("job.jar");
        String entry = AllJarMain.class.getName().replace('.', '/') + ".class";
        Path testClasses = Paths.get(System.getProperty("jnids.basedir", ".."), "spark", "target", "test-classes");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(job))) {
            out.putNextEntry(new JarEntry(entry));
            out.write(Files.readAllBytes(testClasses.resolve(entry)));
            out.closeEntry();
        }
        List<String> cmd = java();
        cmd.addAll(List.of("-cp", sparkJars(), "org.apache.spark.deploy.SparkSubmit", "--master", "local[1]",
                "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.ui.enabled=false",
                "--jars", JAR.toString(), "--class", AllJarMain.class.getName(), job.toString(),
                SparkTests.testdata("captured").resolve("reset.pcap").toString()));
        String out = run(cmd);
        assertTrue(out.contains("streams 4"), out);
    }
}
