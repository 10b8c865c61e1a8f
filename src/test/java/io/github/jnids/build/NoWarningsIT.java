package io.github.jnids.build;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On JDK 25 (the current LTS, which warns about JNI and sun.misc.Unsafe),
 * the command prints nothing but its output, and a library user who grants
 * native access gets no warning either.
 *
 * <p>The JDK used: {@code -Djnids.jdk25=DIR} or {@code JNIDS_JDK25}, else the
 * JDK the tests run on when it is 25 or later, else the newest JDK 25+ under
 * /usr/lib/jvm. Without one the tests are skipped, saying so.
 */
class NoWarningsIT {
    private static final Path BASE = Path.of(System.getProperty("jnids.basedir", "."));
    private static final Path ALL_JAR = Path.of(System.getProperty("jnids.allJar"));
    private static final Path CAPTURE = BASE.resolve("testdata/captured/http-small.pcap");
    private static final Path UDP_CAPTURE = BASE.resolve("testdata/captured/udp-frag.pcap");

    private static Path jdk;

    @TempDir
    Path dir;

    @BeforeAll
    static void findJdk() {
        Optional<Path> found = findJdk25();
        assumeTrue(found.isPresent(), "no JDK 25 or later: set -Djnids.jdk25=DIR or JNIDS_JDK25, or install one"
                + " under /usr/lib/jvm (tests run on " + Runtime.version() + ")");
        jdk = found.get();
    }

    static Optional<Path> findJdk25() {
        for (String given : new String[] {System.getProperty("jnids.jdk25"), System.getenv("JNIDS_JDK25")}) {
            if (given != null && !given.isEmpty()) {
                Path home = Path.of(given);
                if (featureOf(home) < 25) {
                    throw new IllegalStateException(given + " (from -Djnids.jdk25 or JNIDS_JDK25) is not a JDK 25+: "
                            + "its release file says feature version " + featureOf(home));
                }
                return Optional.of(home);
            }
        }
        Path self = Path.of(System.getProperty("java.home"));
        if (Runtime.version().feature() >= 25 && Files.isExecutable(self.resolve("bin/java"))) return Optional.of(self);
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) return Optional.empty();
        try (Stream<Path> homes = Files.list(jvms)) {
            return homes.filter(h -> featureOf(h) >= 25 && Files.isExecutable(h.resolve("bin/java")))
                    .max(Comparator.comparingInt(NoWarningsIT::featureOf).thenComparing(Path::toString));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The feature version in a JDK's release file (JAVA_VERSION="25.0.1"), or 0. */
    static int featureOf(Path home) {
        try {
            Matcher m = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)").matcher(Files.readString(home.resolve("release")));
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    record Run(int exit, String out, String err) { }

    private Run run(List<String> command, String javaHome) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("JAVA_OPTS");
        pb.environment().remove("JAVA");
        pb.environment().remove("CLASSPATH");
        if (javaHome != null) pb.environment().put("JAVA_HOME", javaHome);
        Process p = pb.start();
        p.getOutputStream().close();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread drain = new Thread(() -> copy(p.getErrorStream(), err));
        drain.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        drain.join();
        return new Run(exit, out, err.toString(StandardCharsets.UTF_8));
    }

    private static void copy(InputStream in, ByteArrayOutputStream to) {
        try {
            in.transferTo(to);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String java() {
        return jdk.resolve("bin/java").toString();
    }

    private static void assertQuiet(Run r) {
        assertEquals(0, r.exit(), () -> "exit status; stderr:\n" + r.err());
        assertEquals("", r.err(), "standard error");
        assertFalse(r.out().isEmpty(), "the output");
    }

    @Test
    void javaDashJarPrintsOnlyItsOutput() throws Exception {
        Run r = run(List.of(java(), "-jar", ALL_JAR.toString(), CAPTURE.toString()), null);
        assertQuiet(r);
        assertTrue(r.out().contains("10.77.0.2:8000"), r.out());
    }

    @Test
    void theLauncherScriptPrintsOnlyItsOutput() throws Exception {
        Path script = BASE.resolve("bin/jnids");
        assertTrue(Files.isExecutable(script), script + " is not executable");
        Run r = run(List.of(script.toString(), CAPTURE.toString()), jdk.toString());
        assertQuiet(r);
    }

    /** A library user's program: TCP data as views, IP datagrams and the IP filter, on the class path. */
    private Path userProgram() throws IOException {
        return Files.writeString(dir.resolve("User.java"), String.join("\n",
                "import io.github.jnids.*;",
                "import java.nio.ByteBuffer;",
                "public class User {",
                "    static long tcpBytes, ipBytes, filtered, udpBytes;",
                "    public static void main(String[] args) {",
                "        Nids.param(\"filename\", args[0]);",
                "        Nids.param(\"scan_num_hosts\", 0);",
                "        Nids.param(\"ip_filter\", (java.util.function.Predicate<ByteBuffer>) ip -> { filtered++; return true; });",
                "        Nids.init();",
                "        Nids.registerTcp(tcp -> {",
                "            if (tcp.nidsState() == Nids.NIDS_JUST_EST) { tcp.client().collect(true); tcp.server().collect(true); }",
                "            else if (tcp.nidsState() == Nids.NIDS_DATA) {",
                "                HalfStream h = tcp.client().countNew() > 0 ? tcp.client() : tcp.server();",
                "                tcpBytes += h.dataBuffer().remaining();",
                "            }",
                "        });",
                "        Nids.registerIp(ip -> ipBytes += ip.remaining());",
                "        Nids.registerUdp((addr, payload, ip) -> udpBytes += payload.remaining());",
                "        Nids.run();",
                "        System.out.println(tcpBytes + \" \" + ipBytes + \" \" + filtered + \" \" + udpBytes);",
                "    }",
                "}", ""));
    }

    @Test
    void aLibraryUserWhoGrantsNativeAccessSeesNoWarning() throws Exception {
        Path program = userProgram();
        for (Path capture : List.of(CAPTURE, UDP_CAPTURE)) {
            Run r = run(List.of(java(), "--enable-native-access=ALL-UNNAMED", "-cp", ALL_JAR.toString(),
                    program.toString(), capture.toString()), null);
            assertQuiet(r);
            String[] counts = r.out().strip().split(" ");
            assertTrue(Long.parseLong(counts[1]) > 0 && Long.parseLong(counts[2]) > 0, capture + ": " + r.out());
            if (capture == CAPTURE) assertTrue(Long.parseLong(counts[0]) > 0, r.out());
            else assertTrue(Long.parseLong(counts[3]) > 0, r.out());
        }
    }

    /** What the README tells such a user: without the option, only JNI's warning, and how to avoid it. */
    @Test
    void withoutTheOptionTheOnlyWarningIsJnisAndNamesTheOption() throws Exception {
        Run r = run(List.of(java(), "-cp", ALL_JAR.toString(), userProgram().toString(), CAPTURE.toString()), null);
        assertEquals(0, r.exit(), r.err());
        List<String> warnings = new ArrayList<>(r.err().lines().toList());
        assertFalse(warnings.isEmpty(), "JDK " + jdk + " printed no warning about System.loadLibrary");
        assertTrue(r.err().contains("--enable-native-access=ALL-UNNAMED"), r.err());
        assertTrue(r.err().contains("org.bytedeco.javacpp.Loader"), r.err());
        assertFalse(r.err().contains("Unsafe"), r.err());
        for (String line : warnings) {
            assertTrue(line.isEmpty() || line.startsWith("WARNING: "), "not a JDK warning: " + line);
        }
    }
}
