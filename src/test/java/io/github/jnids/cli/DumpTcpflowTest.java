package io.github.jnids.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.jnids.cli.Jnids.Result;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jnids --dump} against tcpflow (a real, independent reassembler) on the
 * testdata captures both reassemble alike: the same flow files, byte for byte.
 * Skipped, saying so, where tcpflow is not installed.
 *
 * <p>Left out, because the two differ by design (bench/compare-flows.py
 * reports such differences): urgent data (tcpflow keeps the urgent byte in
 * the stream, libnids hands it over apart: urgent.pcap, tcp-urgent.pcap), a
 * retransmission carrying other bytes (libnids keeps the first copy, tcpflow
 * the last: tcp-retransmit-conflict.pcap), segments libnids rejects (beyond
 * the window, bad checksums, a SYN retried with a new ISN) and a 4-tuple
 * reused (tcpflow names the repeat {@code ...c1}, jnids {@code ...-1}), and
 * tcp-queue-overflow.pcap, whose 270 segments queued behind a hole carry other
 * bytes than the retransmission that fills it: with {@code --gaps skip} (the
 * command's default) nothing is pruned and jnids keeps the first copies, as
 * for any conflicting retransmission; libnids' wait mode matches tcpflow there
 * only because its 64 KB prune throws the first copies away.
 */
class DumpTcpflowTest {
    /** Real transfers (testdata/captured) and synthetic edge cases (testdata/synth). */
    static final List<String> CAPTURES = List.of(
            "captured/concurrent.pcap", "captured/half-close.pcap", "captured/http-large.pcap",
            "captured/http-lo.pcap", "captured/http-small.pcap", "captured/open-at-end.pcap",
            "captured/reset.pcap", "synth/tcp-in-order.pcap", "synth/tcp-out-of-order.pcap",
            "synth/tcp-retransmit-overlap.pcap", "synth/tcp-seq-wrap.pcap", "synth/tcp-rst.pcap",
            "synth/tcp-never-closes.pcap", "synth/tcp-syn-retry.pcap",
            "synth/tcp-timestamps-paws.pcap");

    @TempDir
    Path tmp;

    static Path tcpflow() {
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String d : path.split(File.pathSeparator)) {
            Path p = Paths.get(d.isEmpty() ? "." : d, "tcpflow");
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    @TestFactory
    Stream<DynamicTest> dumpEqualsTcpflowsFiles() {
        Path tcpflow = tcpflow();
        assumeTrue(tcpflow != null, "tcpflow is not installed (apt-get install tcpflow): nothing to compare with");
        Path root = TestdataTest.testdataRoot();
        assumeTrue(Files.isDirectory(root), "no " + root + " folder with captures");
        return CAPTURES.stream().map(name -> DynamicTest.dynamicTest(name, () -> compare(tcpflow, root.resolve(name))));
    }

    private void compare(Path tcpflow, Path capture) throws IOException, InterruptedException {
        assumeTrue(Files.isReadable(capture), () -> "no " + capture);
        // Loopback captures (http-lo) carry checksums the kernel never filled in; tcpflow ignores checksums.
        assertSameFiles(tcpflow, capture, Files.createTempDirectory(tmp, capture.getFileName().toString()), "--no-checksum");
    }

    /**
     * Runs {@code jnids OPTIONS --dump} and {@code tcpflow -r} on the capture, each into its own folder under
     * {@code base}, and asserts they wrote the same flow files with the same bytes (tcpflow's report.xml aside).
     */
    static void assertSameFiles(Path tcpflow, Path capture, Path base, String... options)
            throws IOException, InterruptedException {
        Path ours = base.resolve("jnids");
        Path theirs = Files.createDirectory(base.resolve("tcpflow"));
        List<String> args = new java.util.ArrayList<>(List.of(options));
        args.addAll(List.of("--dump", ours.toString(), capture.toString()));
        Result r = Jnids.run(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r::toString);
        Files.createDirectories(ours);

        Process p = new ProcessBuilder(tcpflow.toString(), "-r", capture.toString(), "-o", theirs.toString())
                .redirectErrorStream(true).redirectOutput(base.resolve("tcpflow.log").toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "tcpflow did not finish");
        assertEquals(0, p.exitValue(), () -> read(base.resolve("tcpflow.log")));

        List<String> ourFiles = listing(ours);
        List<String> theirFiles = listing(theirs).stream().filter(n -> !n.equals("report.xml")).toList();
        assertFalse(ourFiles.isEmpty(), () -> "jnids wrote no flow file: " + r);
        assertEquals(theirFiles, ourFiles, "the flow files tcpflow and jnids wrote");
        for (String f : ourFiles) {
            assertArrayEquals(Files.readAllBytes(theirs.resolve(f)), Files.readAllBytes(ours.resolve(f)), f);
        }
    }

    private static List<String> listing(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
