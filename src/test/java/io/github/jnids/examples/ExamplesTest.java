package io.github.jnids.examples;

import io.github.jnids.testing.Seed;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The example programs in examples/, run as their users run them: the Java
 * ones with the JDK's single-file launcher ({@code java -cp ... examples/NidsTest.java
 * CAPTURE}), the jshell scripts with {@code jshell -R-Dpcap=CAPTURE --class-path ...}.
 * Their output is compared with
 * <ul>
 * <li>the seed post's ten lines for http_witp_jpegs.cap (../shared/pcaps);</li>
 * <li>examples/expected/, written by the C reference native/tools/nidstest_c
 *     from runs over testdata/ (one file per capture and program);</li>
 * <li>the C reference run now, for the public captures in ../shared/pcaps,
 *     which are not the project's and have no committed outputs.</li>
 * </ul>
 * The programs run on target/classes and the JavaCPP jar (the test phase comes
 * before the -all jar exists). Captures are passed by their path relative to
 * the directory the program runs in, as the expected outputs were made, since
 * error lines name the capture.
 */
class ExamplesTest {
    private static final Path BASE = Paths.get(System.getProperty("jnids.basedir", System.getProperty("user.dir")))
            .toAbsolutePath().normalize();
    private static final Path EXAMPLES = BASE.resolve("examples");
    private static final Path EXPECTED = EXAMPLES.resolve("expected");
    private static final Path TESTDATA = BASE.resolve("testdata");
    private static final Path SHARED = Paths.get(System.getProperty("jnids.basedir", System.getProperty("user.dir")),
            "..", "shared", "pcaps").toAbsolutePath().normalize();
    private static final Path JAVA_HOME = Paths.get(System.getProperty("java.home"));
    private static final String SEED_CAPTURE = "http_witp_jpegs.cap";

    /** The seed post's output of {@code python nidstest.py http_witp_jpegs.cap}. */
    static final String SEED_TEN_LINES = String.join("\n", Seed.TEN_LINES) + "\n";

    /** The three programs: the name used in examples/expected and by the C reference, the Java file, the jshell script. */
    enum Program {
        NIDSTEST("nidstest", "NidsTest.java", "nidstest.jsh"),
        NIDSSTREAM("nidsstream", "NidsStream.java", "nidsstream.jsh"),
        EXAMPLE("example", "Example.java", null);

        final String id;
        final String javaFile;
        final String jshFile;

        Program(String id, String javaFile, String jshFile) {
            this.id = id;
            this.javaFile = javaFile;
            this.jshFile = jshFile;
        }

        String className() {
            return javaFile.substring(0, javaFile.length() - ".java".length());
        }
    }

    /** What a program printed and how it ended. */
    record Run(byte[] stdout, int status, String stderr) {
        String text() {
            return new String(stdout, ISO_8859_1);
        }
    }

    // ---- the seed ----------------------------------------------------------

    @Test
    void seedTenLinesFromNidsTestJava() {
        Path dir = sharedCaptures();
        assumeTrue(Files.isRegularFile(dir.resolve(SEED_CAPTURE)), () -> "no " + dir.resolve(SEED_CAPTURE));
        Run run = launcher(Program.NIDSTEST, dir, SEED_CAPTURE);
        assertEquals(0, run.status(), run::stderr);
        assertEquals(SEED_TEN_LINES, run.text());
    }

    @Test
    void seedTenLinesFromNidstestJsh() {
        Path dir = sharedCaptures();
        assumeTrue(Files.isRegularFile(dir.resolve(SEED_CAPTURE)), () -> "no " + dir.resolve(SEED_CAPTURE));
        Run run = jshell(Program.NIDSTEST, dir, SEED_CAPTURE);
        assertEquals(0, run.status(), run::stderr);
        assertEquals(SEED_TEN_LINES, run.text());
    }

    /** The ten lines above are the seed post's, when the post is at hand. */
    @Test
    void seedTenLinesAreTheSeedPosts() throws IOException {
        Path seeds = BASE.resolve("..").resolve("shared").resolve("seed").normalize();
        assumeTrue(Files.isDirectory(seeds), () -> "no " + seeds);
        String lines = null;
        try (Stream<Path> files = Files.list(seeds)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".txt")).sorted().collect(Collectors.toList())) {
                String text = Files.readString(p, ISO_8859_1);
                int at = text.indexOf("$ python nidstest.py");
                if (at < 0) continue;
                String after = text.substring(text.indexOf('\n', at) + 1);
                lines = after.lines().takeWhile(l -> l.startsWith("[+] "))
                        .map(l -> l + "\n").collect(Collectors.joining());
            }
        }
        assumeTrue(lines != null, "no seed post shows nidstest.py's output");
        assertEquals(SEED_TEN_LINES, lines);
    }

    /** nidsstream.jsh prints what NidsStream.java prints, on the seed's capture. */
    @Test
    void nidsstreamJshMatchesTheReferenceOnTheSeedCapture() {
        Path dir = sharedCaptures();
        assumeTrue(Files.isRegularFile(dir.resolve(SEED_CAPTURE)), () -> "no " + dir.resolve(SEED_CAPTURE));
        Path reference = reference();
        Run expected = cReference(reference, Program.NIDSSTREAM, dir, SEED_CAPTURE);
        Run run = jshell(Program.NIDSSTREAM, dir, SEED_CAPTURE);
        assertSame(expected, run, "nidsstream.jsh " + SEED_CAPTURE);
    }

    // ---- testdata/ and examples/expected/ ------------------------------------

    /**
     * Every Java program on every capture with expected outputs. The captures
     * of real traffic (testdata/captured) go through the single-file launcher;
     * the many small synthesized ones run the same source files compiled once,
     * which spares a compilation per run (about a second of CPU each). With
     * -Djnids.examples.launcher=all every run uses the launcher.
     */
    @TestFactory
    List<DynamicTest> javaProgramsOnTestdata() {
        Map<String, Path> captures = expectedCaptures();
        assumeTrue(!captures.isEmpty(), "no expected outputs in " + EXPECTED);
        boolean allLauncher = "all".equals(System.getProperty("jnids.examples.launcher"));
        List<DynamicTest> tests = new ArrayList<>();
        for (String capture : captures.keySet()) {
            boolean viaLauncher = allLauncher || capture.startsWith("captured/");
            for (Program program : Program.values()) {
                String name = (viaLauncher ? "java " + program.javaFile : "java " + program.className()) + " " + capture;
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    Run expected = expected(capture, program);
                    Run run = viaLauncher ? launcher(program, TESTDATA, capture) : compiled(program, TESTDATA, capture);
                    assertSame(expected, normalize(program, run), name);
                }));
            }
        }
        return tests;
    }

    /**
     * The jshell scripts on a few testdata captures (jshell takes seconds to
     * start): the one with the most streams, and one whose reading fails.
     */
    @TestFactory
    List<DynamicTest> jshellOnTestdata() {
        Map<String, Path> captures = expectedCaptures();
        assumeTrue(!captures.isEmpty(), "no expected outputs in " + EXPECTED);
        List<DynamicTest> tests = new ArrayList<>();
        String busiest = captures.keySet().stream()
                .max(Comparator.comparingLong(c -> expected(c, Program.NIDSTEST).text().lines().count()))
                .orElseThrow();
        tests.add(DynamicTest.dynamicTest("nidstest.jsh " + busiest, () ->
                assertSame(expected(busiest, Program.NIDSTEST), jshell(Program.NIDSTEST, TESTDATA, busiest),
                        "nidstest.jsh " + busiest)));
        captures.keySet().stream()
                .filter(c -> expected(c, Program.NIDSSTREAM).text().contains("[-] Error: "))
                .findFirst()
                .ifPresent(failing -> tests.add(DynamicTest.dynamicTest("nidsstream.jsh " + failing, () ->
                        assertSame(expected(failing, Program.NIDSSTREAM), jshell(Program.NIDSSTREAM, TESTDATA, failing),
                                "nidsstream.jsh " + failing))));
        return tests;
    }

    /** Every capture in testdata/ has expected outputs for every program, and no expected output is orphaned. */
    @Test
    void everyTestdataCaptureHasExpectedOutputs() throws IOException {
        assumeTrue(Files.isDirectory(TESTDATA), () -> "no " + TESTDATA);
        List<String> missing = new ArrayList<>();
        List<String> captures = testdataCaptures();
        for (String capture : captures) {
            for (Program program : Program.values()) {
                if (!Files.isRegularFile(EXPECTED.resolve(capture + "." + program.id + ".txt"))) {
                    missing.add(capture + "." + program.id + ".txt");
                }
            }
        }
        assertEquals(List.of(), missing,
                "captures without expected outputs; run: make -C native/tools/nidstest_c expected");
        List<String> orphans = new ArrayList<>(expectedCaptures().keySet());
        orphans.removeAll(captures);
        assertEquals(List.of(), orphans, "expected outputs for captures that are not in testdata/");
    }

    /** The committed expected outputs are what the C reference prints today. */
    @TestFactory
    List<DynamicTest> expectedOutputsAreTheReferences() {
        Map<String, Path> captures = expectedCaptures();
        assumeTrue(!captures.isEmpty(), "no expected outputs in " + EXPECTED);
        Path reference = reference();
        List<DynamicTest> tests = new ArrayList<>();
        for (String capture : captures.keySet()) {
            tests.add(DynamicTest.dynamicTest(capture, () -> {
                for (Program program : Program.values()) {
                    assertSame(expected(capture, program), cReference(reference, program, TESTDATA, capture),
                            "nidstest -m " + program.id + " " + capture);
                }
            }));
        }
        return tests;
    }

    // ---- ../shared/pcaps -----------------------------------------------------

    /** Every program through the launcher on the public captures, against the C reference run now. */
    @TestFactory
    List<DynamicTest> launcherOnSharedCaptures() throws IOException {
        Path dir = sharedCaptures();
        Path reference = reference();
        List<String> names;
        try (Stream<Path> files = Files.list(dir)) {
            names = files.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .filter(n -> !n.endsWith(".md")).sorted().collect(Collectors.toList());
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (String capture : names) {
            for (Program program : Program.values()) {
                tests.add(DynamicTest.dynamicTest(program.javaFile + " " + capture, () -> {
                    Run expected = cReference(reference, program, dir, capture);
                    Run run = launcher(program, dir, capture);
                    assertSame(expected, normalize(program, run), program.javaFile + " " + capture);
                }));
            }
        }
        return tests;
    }

    // ---- ThreadPool.java: many sessions at once -------------------------------

    /**
     * examples/ThreadPool.java over a directory, on two and on four pool
     * threads: for each capture, in name order, "== NAME" and then exactly what
     * the C reference prints for nidstest.py on that capture alone.
     */
    @TestFactory
    List<DynamicTest> threadPoolOverDirectories() {
        List<Path> dirs = new ArrayList<>(List.of(TESTDATA.resolve("captured")));
        if (Files.isDirectory(SHARED)) {
            dirs.add(SHARED);
        } else {
            System.out.println("ExamplesTest: ThreadPool.java without ../shared/pcaps: " + SHARED + " is absent");
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (Path dir : dirs) {
            for (String threads : List.of("2", "4")) {
                String name = "ThreadPool.java " + dir.getFileName() + " " + threads;
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    Path reference = reference();
                    StringBuilder expected = new StringBuilder();
                    List<String> captures;
                    try (Stream<Path> files = Files.list(dir)) {
                        captures = files.map(p -> p.getFileName().toString())
                                .filter(n -> n.matches(".*\\.(pcap|pcapng|cap)$")).sorted().collect(Collectors.toList());
                    }
                    assertTrue(captures.size() > 1, "captures in " + dir);
                    for (String capture : captures) {
                        Run c = cReference(reference, Program.NIDSTEST, dir, dir.resolve(capture).toString());
                        assertEquals(0, c.status(), () -> "nidstest_c on " + capture + ": " + c.stderr());
                        expected.append("== ").append(capture).append('\n').append(c.text());
                    }
                    List<String> command = new ArrayList<>();
                    command.add(JAVA_HOME.resolve("bin").resolve("java").toString());
                    command.addAll(QUICK_JVM);
                    command.addAll(List.of("-cp", classPath(), EXAMPLES.resolve("ThreadPool.java").toString(),
                            dir.toString(), threads));
                    Run run = exec(dir, command);
                    assertSame(new Run(expected.toString().getBytes(ISO_8859_1), 0, ""), run, name);
                }));
            }
        }
        return tests;
    }

    // ---- helpers -------------------------------------------------------------

    private static Path sharedCaptures() {
        assumeTrue(Files.isDirectory(SHARED), () -> "the public captures are not here: no " + SHARED);
        return SHARED;
    }

    /** Same output and the same exit status (0, or not 0). */
    private static void assertSame(Run expected, Run actual, String what) {
        assertEquals(expected.status() == 0, actual.status() == 0,
                () -> what + ": exit status " + actual.status() + ", expected " + expected.status()
                        + "\nstderr:\n" + tail(actual.stderr()));
        String want = expected.text();
        String got = actual.text();
        if (!want.equals(got)) {
            fail(what + ": output differs from the expected output " + firstDifference(want, got)
                    + "\nstderr:\n" + tail(actual.stderr()));
        }
    }

    private static String firstDifference(String want, String got) {
        List<String> a = want.lines().collect(Collectors.toList());
        List<String> b = got.lines().collect(Collectors.toList());
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
            String x = i < a.size() ? a.get(i) : "<end>";
            String y = i < b.size() ? b.get(i) : "<end>";
            if (!x.equals(y)) {
                return "at line " + (i + 1) + " (" + a.size() + " lines expected, " + b.size() + " printed):\n  expected: "
                        + clip(x) + "\n  printed:  " + clip(y);
            }
        }
        return "in line endings or the final newline (" + want.length() + " bytes expected, " + got.length() + " printed)";
    }

    private static String clip(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    private static String tail(String s) {
        return s.length() > 2000 ? "..." + s.substring(s.length() - 2000) : s;
    }

    /**
     * Example's output made comparable, as the C reference's -s does: the pid
     * line reads "pid N", and each run of NIDS_EXITING lines (libnids reports
     * the streams open at the end in the order of a randomly keyed hash table)
     * is sorted.
     */
    static Run normalize(Program program, Run run) {
        if (program != Program.EXAMPLE) return run;
        List<String> lines = new ArrayList<>(List.of(run.text().split("\n", -1)));
        Pattern pid = Pattern.compile("pid \\d+");
        Pattern exiting = Pattern.compile("tcps - .*  state: 6");
        for (int i = 0; i < lines.size(); i++) {
            if (pid.matcher(lines.get(i)).matches()) lines.set(i, "pid N");
        }
        for (int i = 0; i < lines.size(); ) {
            int j = i;
            while (j < lines.size() && exiting.matcher(lines.get(j)).matches()) j++;
            if (j > i) {
                Collections.sort(lines.subList(i, j));
                i = j;
            } else {
                i++;
            }
        }
        return new Run(String.join("\n", lines).getBytes(ISO_8859_1), run.status(), run.stderr());
    }

    /** Captures with expected outputs, by their path under testdata/ (e.g. synth/tcp-in-order.pcap). */
    private static Map<String, Path> expectedCaptures() {
        Map<String, Path> captures = new TreeMap<>();
        if (!Files.isDirectory(EXPECTED)) return captures;
        String suffix = "." + Program.NIDSTEST.id + ".txt";
        try (Stream<Path> files = Files.walk(EXPECTED)) {
            files.filter(Files::isRegularFile).forEach(p -> {
                String rel = EXPECTED.relativize(p).toString().replace(File.separatorChar, '/');
                if (rel.endsWith(suffix)) {
                    String capture = rel.substring(0, rel.length() - suffix.length());
                    captures.put(capture, TESTDATA.resolve(capture));
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return captures;
    }

    /** The captures in testdata/: every file but the sidecars (the same rule as expected.sh). */
    private static List<String> testdataCaptures() throws IOException {
        Pattern sidecar = Pattern.compile(
                "(.*/)?README.*|.*\\.(expected|options|truth|sent|py|sh|md|json|gitignore|keep)");
        try (Stream<Path> files = Files.walk(TESTDATA)) {
            return files.filter(Files::isRegularFile)
                    .map(p -> TESTDATA.relativize(p).toString().replace(File.separatorChar, '/'))
                    .filter(rel -> !sidecar.matcher(rel).matches())
                    .sorted()
                    .collect(Collectors.toList());
        }
    }

    private static Run expected(String capture, Program program) {
        try {
            byte[] out = Files.readAllBytes(EXPECTED.resolve(capture + "." + program.id + ".txt"));
            Path statusFile = EXPECTED.resolve(capture + "." + program.id + ".status");
            int status = Files.isRegularFile(statusFile) ? Integer.parseInt(Files.readString(statusFile).trim()) : 0;
            return new Run(out, status, "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** target/classes and the JavaCPP jar: what the examples need, wherever the test runs from. */
    private static String classPath() {
        try {
            Path jnids = Paths.get(io.github.jnids.Nids.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path javacpp = Paths.get(org.bytedeco.javacpp.Loader.class.getProtectionDomain().getCodeSource()
                    .getLocation().toURI());
            return jnids + File.pathSeparator + javacpp;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * JVM options that make these short runs cheaper, and the native access
     * README asks of users on JDK 24+; they change nothing the programs see.
     */
    private static final List<String> QUICK_JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
            "--enable-native-access=ALL-UNNAMED");

    /** java -cp ... examples/X.java CAPTURE: the JDK's single-file launcher. */
    private static Run launcher(Program program, Path dir, String capture) {
        List<String> command = new ArrayList<>();
        command.add(JAVA_HOME.resolve("bin").resolve("java").toString());
        command.addAll(QUICK_JVM);
        command.addAll(List.of("-cp", classPath(), EXAMPLES.resolve(program.javaFile).toString(), capture));
        return exec(dir, command);
    }

    /** java -cp target/examples-classes:... X CAPTURE, the same source compiled once. */
    private static Run compiled(Program program, Path dir, String capture) {
        List<String> command = new ArrayList<>();
        command.add(JAVA_HOME.resolve("bin").resolve("java").toString());
        command.addAll(QUICK_JVM);
        command.addAll(List.of("-cp", compiledExamples() + File.pathSeparator + classPath(), program.className(), capture));
        return exec(dir, command);
    }

    private static Path compiledExamples;

    /** Compiles examples/*.java once, as the launcher would, into target/examples-classes. */
    private static synchronized Path compiledExamples() {
        if (compiledExamples != null) return compiledExamples;
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assumeTrue(javac != null, "no Java compiler in " + JAVA_HOME);
        Path out = BASE.resolve("target").resolve("examples-classes");
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> args = new ArrayList<>(List.of("-d", out.toString(), "-cp", classPath(), "-proc:none"));
        for (Program program : Program.values()) {
            args.add(EXAMPLES.resolve(program.javaFile).toString());
        }
        java.io.ByteArrayOutputStream messages = new java.io.ByteArrayOutputStream();
        int status = javac.run(null, messages, messages, args.toArray(new String[0]));
        assertEquals(0, status, () -> "examples/*.java do not compile:\n" + messages);
        compiledExamples = out;
        return out;
    }

    private static Run jshell(Program program, Path dir, String capture) {
        Path jshell = JAVA_HOME.resolve("bin").resolve("jshell");
        assumeTrue(Files.isExecutable(jshell), () -> "no jshell in " + JAVA_HOME);
        return exec(dir, List.of(jshell.toString(), "-R-Dpcap=" + capture, "-R--enable-native-access=ALL-UNNAMED",
                "--class-path", classPath(),
                EXAMPLES.resolve(program.jshFile).toString()));
    }

    /** The C reference, built on first use; the test is skipped where it cannot be built. */
    private static synchronized Path reference() {
        Path binary = BASE.resolve("target").resolve("nidstest_c").resolve("nidstest");
        if (referenceBuilt) return binary;
        Run make = exec(BASE.resolve("native").resolve("tools").resolve("nidstest_c"),
                List.of("make", "-s", "OUT=" + binary.getParent()));
        assumeTrue(make.status() == 0 && Files.isExecutable(binary),
                () -> "the C reference native/tools/nidstest_c could not be built:\n" + make.stderr() + make.text());
        referenceBuilt = true;
        return binary;
    }

    private static boolean referenceBuilt;

    private static Run cReference(Path reference, Program program, Path dir, String capture) {
        List<String> command = new ArrayList<>(List.of(reference.toString(), "-m", program.id));
        if (program == Program.EXAMPLE) command.add("-s");
        command.add(capture);
        return exec(dir, command);
    }

    private static Run exec(Path dir, List<String> command) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("jnids-example", ".out");
            err = Files.createTempFile("jnids-example", ".err");
            Process p;
            try {
                p = new ProcessBuilder(command).directory(dir.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            } catch (IOException e) {
                assumeTrue(false, "cannot run " + command.get(0) + ": " + e.getMessage());
                throw e;
            }
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("timed out after 180 s: " + String.join(" ", command));
            }
            return new Run(Files.readAllBytes(out), p.exitValue(), Files.readString(err, ISO_8859_1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            try {
                if (out != null) Files.deleteIfExists(out);
                if (err != null) Files.deleteIfExists(err);
            } catch (IOException ignored) {
                // temporary files; nothing to do
            }
        }
    }

    @Test
    void normalizeSortsExitingLinesAndHidesThePid() {
        String printed = "pid 4242\ntcps - ((a, 1), (b, 2))  state: 2\ntcps - ((c, 3), (b, 2))  state: 6\n"
                + "tcps - ((a, 1), (b, 2))  state: 6\nnids/pcap error: x\n";
        Run run = normalize(Program.EXAMPLE, new Run(printed.getBytes(ISO_8859_1), 0, ""));
        assertEquals("pid N\ntcps - ((a, 1), (b, 2))  state: 2\ntcps - ((a, 1), (b, 2))  state: 6\n"
                + "tcps - ((c, 3), (b, 2))  state: 6\nnids/pcap error: x\n", run.text());
        assertTrue(normalize(Program.NIDSTEST, run) == run);
    }
}
