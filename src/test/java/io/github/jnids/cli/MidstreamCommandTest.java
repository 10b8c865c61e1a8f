package io.github.jnids.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import io.github.jnids.cli.Jnids.Result;
import io.github.jnids.testing.MidstreamCaptures;
import io.github.jnids.testing.PcapCut;

/** {@code --midstream}: streams whose handshake was not captured are reported, and marked, in text and JSON. */
class MidstreamCommandTest {
    @TempDir
    Path tmp;

    Path capture(String name) throws IOException {
        MidstreamCaptures.Capture c = MidstreamCaptures.all().stream().filter(x -> x.name().equals(name))
                .findFirst().orElseThrow();
        return Files.write(tmp.resolve(name + ".pcap"), c.bytes());
    }

    @Test
    void marksStreamsAlreadyRunningAndOmitsThemWithout() throws IOException {
        Path f = capture("mid-same-ports");
        Result on = Jnids.run("--midstream", f.toString());
        assertEquals(0, on.exit(), on.toString());
        assertEquals(List.of(
                "[+] 10.0.0.1:40107 - 10.0.0.2:80 (CTS: 0B | STC: 5B) [midstream]",
                "[+] 10.0.0.1:40107 - 10.0.0.2:80 (CTS: 14B | STC: 6B) [reset] [midstream]",
                "[+] 10.0.0.1:40107 - 10.0.0.2:80 (CTS: 13B | STC: 5B)",
                "[+] 10.0.0.1:40107 - 10.0.0.2:80 (CTS: 14B | STC: 6B) [open] [midstream]"), on.lines());
        Result off = Jnids.run(f.toString());
        assertEquals(List.of("[+] 10.0.0.1:40107 - 10.0.0.2:80 (CTS: 13B | STC: 5B)"), off.lines(), off.toString());
    }

    @Test
    void jsonSaysMidstreamOnlyForThoseStreams() throws IOException {
        Path f = capture("mid-same-ports");
        List<String> tcp = Jnids.run("--midstream", "--json", f.toString()).lines().stream()
                .filter(l -> l.contains("\"type\":\"tcp\"")).toList();
        assertEquals(4, tcp.size(), String.join("\n", tcp));
        assertTrue(tcp.get(0).contains("\"midstream\":true"), tcp.get(0));
        assertTrue(tcp.get(1).contains("\"midstream\":true") && tcp.get(1).contains("\"state\":\"reset\""), tcp.get(1));
        assertFalse(tcp.get(2).contains("midstream"), tcp.get(2));
        assertTrue(tcp.get(3).contains("\"midstream\":true"), tcp.get(3));
    }

    @Test
    void dumpsTheBytesOfAStreamPickedUpWithTheRolesGuessed() throws IOException {
        Path f = capture("mid-server-first");
        Path dir = tmp.resolve("flows");
        Result r = Jnids.run("--midstream", "--dump", dir.toString(), f.toString());
        assertEquals(0, r.exit(), r.toString());
        assertEquals(List.of("[+] 10.0.0.1:45000 - 10.0.0.2:8080 (CTS: 6B | STC: 5004B) [midstream]"), r.lines());
        try (var files = Files.list(dir)) {
            List<Path> l = files.sorted().toList();
            assertEquals(2, l.size(), l.toString());
            long[] sizes = l.stream().mapToLong(p -> p.toFile().length()).sorted().toArray();
            assertArrayEquals(new long[] {6, 5004}, sizes, l.toString());
        }
    }

    /**
     * tcpflow writes a stream without its handshake from its first byte seen,
     * as --midstream does: the files are the same, on the real capture of
     * streams already running, on a real transfer cut short and on the
     * synthesized cases (but for the one reusing a 4-tuple, which the two
     * name differently: see DumpTcpflowTest).
     */
    @TestFactory
    Stream<DynamicTest> dumpEqualsTcpflowsFiles() {
        Path tcpflow = DumpTcpflowTest.tcpflow();
        assumeTrue(tcpflow != null, "tcpflow is not installed (apt-get install tcpflow): nothing to compare with");
        Path root = TestdataTest.testdataRoot();
        Stream<DynamicTest> real = Stream.of(
                DynamicTest.dynamicTest("captured/midstream.pcap",
                        () -> compareWithTcpflow(tcpflow, root.resolve("captured/midstream.pcap"))),
                DynamicTest.dynamicTest("captured/http-large.pcap without its first 40 packets",
                        () -> compareWithTcpflow(tcpflow, PcapCut.dropFirst(root.resolve("captured/http-large.pcap"), 40,
                                tmp.resolve("http-large-late.pcap")))));
        Stream<DynamicTest> synth = Stream.of("lost-syn", "lost-synack", "lost-handshake", "mid-client-first",
                "mid-server-first", "mid-then-close", "mid-then-reset", "mid-port-guesses", "mid-scaled-window")
                .map(n -> DynamicTest.dynamicTest(n, () -> compareWithTcpflow(tcpflow, capture(n))));
        return Stream.concat(real, synth);
    }

    private void compareWithTcpflow(Path tcpflow, Path capture) throws IOException, InterruptedException {
        DumpTcpflowTest.assertSameFiles(tcpflow, capture, Files.createTempDirectory(tmp, capture.getFileName().toString()),
                "--midstream");
    }
}
