package io.github.jnids;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import io.github.jnids.testing.DumpAssert;
import io.github.jnids.testing.DumpCases;
import io.github.jnids.testing.NidsDumpJava;

/**
 * The Java API against libnids itself: for every capture, the C reference
 * dumper native/tools/nids_dump (linked to the same libnids.a and libpcap.a,
 * built into target/native-tools by the Maven build) and the same dump written
 * with the public API (NidsDumpJava) must print the same lines
 * (native/tools/FORMAT.md), and both must match the committed
 * {@code <name>.expected} where there is one.
 * <p>
 * Captures: testdata/{captured,synth,hostile}/, each with the options in
 * {@code <name>.options} (the Java dump of a capture with a {@code <name>.truth}
 * is also checked against that ground truth); and ../shared/pcaps/ (public captures, never copied
 * into the repository) with no options and with every option, when present.
 * <p>
 * ERROR lines are compared up to their text: the C tool prints libpcap's and
 * libnids' messages, the API its own, more specific ones.
 */
class DifferentialTest {
    private static final Path BASE = Paths.get(System.getProperty("jnids.basedir", "."));
    private static final Path TOOL = BASE.resolve(Paths.get("target", "native-tools", "nids_dump"));
    private static final Path SHARED = DumpCases.SHARED;

    record Output(String text, int status) {
        List<String> lines() {
            return text.lines().collect(Collectors.toList());
        }
    }

    static Output runTool(Path capture, List<String> options) throws IOException, InterruptedException {
        assertTrue(Files.isExecutable(TOOL), TOOL + " is missing: the Maven build makes it at process-test-classes "
                + "(or: make -C native/tools OUT=target/native-tools after bash cppbuild.sh)");
        List<String> cmd = new ArrayList<>();
        cmd.add(TOOL.toString());
        cmd.addAll(options);
        cmd.add(capture.toString());
        Path out = Files.createTempFile("nids_dump", ".txt");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            assertTrue(p.waitFor(5, TimeUnit.MINUTES), "nids_dump did not finish on " + capture);
            return new Output(Files.readString(out, StandardCharsets.UTF_8), p.exitValue());
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** ERROR lines keep only their keyword (see the class comment). */
    static List<String> normalized(List<String> lines) {
        return lines.stream().map(l -> l.startsWith("ERROR ") ? "ERROR" : l).collect(Collectors.toList());
    }

    /** Asserts two dumps equal, reporting the first differing line rather than two huge strings. */
    static void assertSameLines(List<String> expected, List<String> actual, String what) {
        io.github.jnids.testing.DumpAssert.assertSameLines(expected, actual, what);
    }

    private static void compare(Path capture, List<String> options, Path expectedFile) throws Exception {
        Output c = runTool(capture, options);
        assertTrue(c.status() == 0 || c.status() == 1, "nids_dump failed (status " + c.status() + ") on " + capture);
        NidsDumpJava.Result java = NidsDumpJava.dump(capture, options);
        String what = capture.getFileName() + " " + options;
        assertEquals(c.status(), java.status(), what + ": END/ERROR status of C and Java");
        assertSameLines(normalized(c.lines()), normalized(java.lines()), what + ": C nids_dump vs Java API");
        if (expectedFile != null && Files.exists(expectedFile)) {
            List<String> expected = Files.readAllLines(expectedFile, StandardCharsets.UTF_8);
            assertSameLines(expected, c.lines(), what + ": committed " + expectedFile.getFileName() + " vs C nids_dump");
            assertSameLines(normalized(expected), normalized(java.lines()),
                    what + ": committed " + expectedFile.getFileName() + " vs Java API");
        }
    }


    /**
     * captured/ and synth/ captures must have an expected output; hostile/ ones
     * (inputs that made unpatched libnids misbehave, see hostile/README.md)
     * without one run with no options and with every option, C against Java.
     */
    @TestFactory
    Stream<DynamicTest> testdataCapturesMatchTheCReferenceAndTheirExpectedOutput() {
        return DumpCases.testdata().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            if (!c.checked()) {
                compare(c.capture(), c.options(), null);
                return;
            }
            assertTrue(Files.exists(c.expected()), c.expected() + " is missing; make it with "
                    + "testdata/captured/regen-expected.sh or testdata/synth/make-expected.sh");
            compare(c.capture(), c.options(), c.expected());
            if (Files.exists(c.truth())) {
                DumpAssert.assertMatchesGroundTruth(NidsDumpJava.dump(c.capture(), c.options()).lines(), c.truth());
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> sharedCapturesMatchTheCReference() {
        Assumptions.assumeTrue(DumpCases.sharedAbsent() == null, () -> "skipped: " + DumpCases.sharedAbsent());
        return DumpCases.shared().stream()
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> compare(c.capture(), c.options(), null)));
    }

    /**
     * Files that are not whole captures end with ERROR in both: a capture cut in
     * the middle of a packet (after the events of the packets before it and the
     * EXITING lines of the streams still open), a file that is not a capture, an
     * unsupported link type, a missing file.
     */
    @TestFactory
    Stream<DynamicTest> damagedFilesEndWithAnErrorInBoth(@TempDir Path dir) throws IOException {
        byte[] whole = Files.readAllBytes(BASE.resolve("testdata/captured/http-small.pcap"));
        Path truncated = dir.resolve("truncated.pcap");
        Files.write(truncated, Arrays.copyOf(whole, whole.length / 2 + 7));
        Path text = dir.resolve("not-a-capture.pcap");
        Files.writeString(text, "this is not a capture file\n");
        Path usb = dir.resolve("usb-linktype.pcap");
        java.nio.ByteBuffer h = java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(189);
        Path linktype = Files.write(usb, h.array());
        Path missing = dir.resolve("missing.pcap");
        return Stream.of(truncated, text, linktype, missing).map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            Output c = runTool(f, List.of());
            assertEquals(1, c.status(), "nids_dump's status on " + f.getFileName());
            List<String> lines = c.lines();
            assertTrue(lines.get(lines.size() - 1).startsWith("ERROR "), "nids_dump's last line: " + lines.get(lines.size() - 1));
            if (f == truncated) assertTrue(lines.size() > 1, "the packets before the damage are processed");
            compare(f, List.of(), null);
        }));
    }

    /** The capture of the seed's nidstest.py run: the Java dump is the C one, and its ten finished streams are the seed's. */
    @Test
    void seedCaptureMatchesTheCReferenceAndTheSeed() throws Exception {
        Path capture = SHARED.resolve("http_witp_jpegs.cap");
        Assumptions.assumeTrue(Files.isRegularFile(capture), "skipped: " + capture.normalize() + " is absent");
        compare(capture, List.of(), null);

        // The seed's ten lines: "[+] 10.1.1.101:PORT - 10.1.1.1:80 (CTS: nB | STC: mB)".
        String[] seed = {
            "3177 476 435", "3188 574 4601", "3189 597 8566", "3190 600 9330", "3195 601 692",
            "3196 614 1540", "3197 622 2509", "3198 632 9248", "3199 632 10990", "3200 637 191777" };
        List<String> closed = new ArrayList<>();
        for (String l : NidsDumpJava.dump(capture, List.of()).lines()) {
            String[] f = l.split(" ");
            if (l.startsWith("TCP CLOSE ")) {
                closed.add(f[2].split(":")[1] + " " + f[4].substring(4) + " " + f[6].substring(4));
            }
        }
        assertEquals(List.of(seed), closed);
    }
}
