package io.github.jnids.build;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The -all jar works alone: no system libpcap, no library path, no other jar. */
class SelfContainedJarIT {
    private static final Path ALL_JAR = Path.of(System.getProperty("jnids.allJar"));
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @TempDir
    Path dir;

    private static String run(List<String> command, Path cwd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true);
        pb.environment().remove("LD_LIBRARY_PATH");
        pb.environment().remove("CLASSPATH");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    @Test
    void aTwoLineProgramReadsLibnidsParametersThroughTheBindings() throws Exception {
        Path source = Files.writeString(dir.resolve("Two.java"),
                "public class Two { public static void main(String[] a) {\n"
                        + "System.out.println(io.github.jnids.global.nids.nids_params().n_tcp_streams()); } }\n");
        String out = run(List.of(JAVA, "--enable-native-access=ALL-UNNAMED", "-cp", ALL_JAR.toString(),
                source.toString()), dir);
        // libnids 1.26's default (nids_params in libnids.c)
        assertEquals("1040", out.strip());
    }

    @Test
    void theBundledLibraryLinksNoLibpcapLibnidsOrLibnet() throws Exception {
        Path so = dir.resolve("libjninids.so");
        try (JarFile jar = new JarFile(ALL_JAR.toFile());
             InputStream in = jar.getInputStream(jar.getEntry("io/github/jnids/linux-x86_64/libjninids.so"))) {
            Files.copy(in, so);
        }
        String ldd = run(List.of("ldd", so.toString()), dir);
        List<String> bad = new ArrayList<>();
        for (String lib : List.of("libpcap", "libnids", "libnet")) {
            if (ldd.contains(lib)) bad.add(lib);
        }
        assertTrue(bad.isEmpty(), "bundled library depends on " + bad + ":\n" + ldd);
    }

    @Test
    void theJarCarriesJavaCppAndAMainClass() throws Exception {
        try (JarFile jar = new JarFile(ALL_JAR.toFile())) {
            assertNotNull(jar.getEntry("org/bytedeco/javacpp/Loader.class"));
            assertEquals("io.github.jnids.cli.Main", jar.getManifest().getMainAttributes().getValue("Main-Class"));
        }
    }
}
