package io.github.jnids;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.jnids.testing.Ipv6Oracle;
import io.github.jnids.testing.Ipv6SynthCaptures;

/**
 * testdata/synth/ipv6 is what Ipv6SynthCaptures writes, and the oracle reads
 * the same conversation alike in every link layer.
 */
class Ipv6SynthCapturesTest {
    private static final Path DIR = Paths.get(System.getProperty("jnids.basedir", "."), "testdata", "synth", "ipv6");

    @TempDir
    Path tmp;

    @Test
    void generatorRewritesEveryCommittedFileByteForByte() throws IOException {
        List<Ipv6SynthCaptures.Capture> all = Ipv6SynthCaptures.all();
        TreeSet<String> generated = new TreeSet<>();
        for (Ipv6SynthCaptures.Capture c : all) {
            Path pcap = DIR.resolve(c.name() + ".pcap");
            assertTrue(Files.exists(pcap), pcap + " is missing; run Ipv6SynthCaptures");
            assertArrayEquals(Files.readAllBytes(pcap), c.bytes(), pcap + " differs from what Ipv6SynthCaptures writes");
            assertEquals(c.options(), Files.readString(DIR.resolve(c.name() + ".options")).trim(), c.name() + ".options");
            assertTrue(Files.exists(DIR.resolve(c.name() + ".expected")), c.name() + ".expected is missing (Ipv6Oracle)");
            generated.add(c.name() + ".pcap");
            generated.add(c.name() + ".options");
            generated.add(c.name() + ".expected");
        }
        TreeSet<String> committed;
        try (Stream<Path> s = Files.list(DIR)) {
            committed = s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(generated, committed, "files in testdata/synth/ipv6 that the generator does not write");
        long total = 0;
        for (String n : committed) total += Files.size(DIR.resolve(n));
        assertTrue(total < 1_000_000, "testdata/synth/ipv6 holds " + total + " bytes");
    }

    @Test
    void generatorIsDeterministic() {
        List<Ipv6SynthCaptures.Capture> a = Ipv6SynthCaptures.all(), b = Ipv6SynthCaptures.all();
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i).bytes(), b.get(i).bytes(), a.get(i).name());
    }

    /** The oracle's lines (END's packet count aside) are the same for a capture in every framing. */
    @Test
    void everyLinkLayerGivesTheSameOracle() throws IOException {
        for (String family : List.of("link-", "malformed")) {
            List<Path> captures = new ArrayList<>();
            for (Path p : Ipv6Oracle.capturesIn(DIR)) {
                if (p.getFileName().toString().startsWith(family)) captures.add(p);
            }
            assertEquals(7, captures.size(), family + "* captures");
            List<String> first = null;
            for (Path p : captures) {
                List<String> lines = Ipv6Oracle.comparable(
                        Ipv6Oracle.run(p, List.of("--udp", "--warn"), tmp).mapped().lines());
                assertTrue(lines.stream().anyMatch(l -> l.startsWith("UDP [2001:db8::1]:")), p + ": " + lines);
                if (first == null) {
                    first = lines;
                    continue;
                }
                // "version 4" in an IPv6 frame is the IPv4 header it then is, as on a raw link: the same everywhere
                List<String> want = new ArrayList<>(first);
                assertEquals(want, lines, p.getFileName() + " against " + captures.get(0).getFileName());
            }
        }
    }
}
