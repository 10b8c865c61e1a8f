package io.github.jnids;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import io.github.jnids.testing.CaptureReader;
import io.github.jnids.testing.DumpAssert;
import io.github.jnids.testing.Ipv6Oracle;
import io.github.jnids.testing.Ipv6ToIpv4;
import io.github.jnids.testing.NidsDumpC;
import io.github.jnids.testing.NidsDumpJava;

/**
 * IPv6 against IPv4 libnids: each IPv6 capture is translated packet by packet
 * into IPv4 (testing/Ipv6ToIpv4), the C reference dumper runs on the
 * translation, its addresses are mapped back (testing/Ipv6Oracle), and the
 * Java API's dump of the IPv6 capture itself must be that, line for line.
 * <p>
 * Captures: testdata/captured/ipv6/ (real traffic, with ground truth),
 * testdata/synth/ipv6/ (Ipv6SynthCaptures), and those of ../shared/pcaps with
 * IPv6 packets, when present. Per capture, four checks:
 * <ol>
 * <li>{@code oracle = expected}: the oracle's dump is the committed
 * {@code NAME.expected} (so a change to the translator or to IPv4 libnids
 * shows);</li>
 * <li>{@code oracle = truth}: it matches the senders' ground truth
 * ({@code NAME.truth}) where there is one: the oracle itself is right;</li>
 * <li>{@code java(translation) = C(translation)}: the Java API on the IPv4
 * translation is nids_dump's output, unmasked (the pipeline works);</li>
 * <li>{@code java(ipv6) = oracle}: the Java API on the IPv6 capture (the
 * bundled libnids reading IPv6) gives the oracle's lines;</li>
 * <li>{@code C(ipv6) = expected}: nids_dump, the patched C library itself, on
 * the IPv6 capture gives the committed {@code .expected} in its masked
 * form.</li>
 * </ol>
 */
class Ipv6DifferentialTest {
    private static final Path BASE = Paths.get(System.getProperty("jnids.basedir", "."));
    private static final Path SHARED = BASE.resolve(Paths.get("..", "shared", "pcaps"));
    private static final List<String> ALL_OPTIONS = List.of("--no-checksum", "--udp", "--ip", "--frag", "--warn");

    @TempDir
    static Path tmp;

    @TestFactory
    Stream<DynamicNode> testdataIpv6Captures() throws IOException {
        List<DynamicNode> nodes = new ArrayList<>();
        for (String d : List.of("captured/ipv6", "synth/ipv6")) {
            for (Path capture : Ipv6Oracle.capturesIn(BASE.resolve("testdata").resolve(d))) {
                nodes.add(checks(d + "/" + capture.getFileName(), capture, optionsOf(capture), true));
            }
        }
        assertFalse(nodes.isEmpty(), "no IPv6 captures under " + BASE.resolve("testdata"));
        return nodes.stream();
    }

    @TestFactory
    Stream<DynamicNode> sharedCapturesWithIpv6() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(SHARED),
                "skipped: the public captures folder " + SHARED.normalize() + " is absent");
        List<DynamicNode> nodes = new ArrayList<>();
        for (Path capture : Ipv6Oracle.capturesIn(SHARED)) {
            if (!hasIpv6(capture)) continue;
            for (List<String> options : List.of(List.<String>of(), ALL_OPTIONS)) {
                nodes.add(checks("shared/" + capture.getFileName() + " " + options, capture, options, false));
            }
        }
        return nodes.stream();
    }

    private DynamicContainer checks(String name, Path capture, List<String> options, boolean needsExpected) {
        Oracles oracles = new Oracles(capture, options);
        Path expected = sibling(capture, ".expected"), truth = sibling(capture, ".truth");
        List<DynamicTest> t = new ArrayList<>();
        if (needsExpected) {
            t.add(DynamicTest.dynamicTest("oracle = expected", () -> {
                assertTrue(Files.exists(expected), expected + " is missing; make it with Ipv6Oracle (testdata/README.md)");
                DumpAssert.assertSameLines(Files.readAllLines(expected, StandardCharsets.UTF_8),
                        Ipv6Oracle.comparable(oracles.get().mapped().lines()), name + ": oracle vs " + expected.getFileName());
            }));
        }
        if (Files.exists(truth)) {
            t.add(DynamicTest.dynamicTest("oracle = truth", () -> DumpAssert.assertMatchesGroundTruth(oracles.get().mapped().lines(), truth)));
        }
        t.add(DynamicTest.dynamicTest("java(translation) = C(translation)", () -> {
            Ipv6Oracle.Oracle o = oracles.get();
            NidsDumpJava.Result java = NidsDumpJava.dump(o.translated(), Ipv6Oracle.ipv4Only(options));
            String diff = NidsDumpC.difference(o.ipv4(), java);
            assertNull(diff, name + " translated: " + diff);
        }));
        t.add(DynamicTest.dynamicTest("java(ipv6) = oracle", () -> {
            NidsDumpJava.Result java = NidsDumpJava.dump(capture, options);
            Ipv6Oracle.Oracle o = oracles.get();
            assertEquals(o.mapped().status(), java.status(), name + ": END/ERROR status of the oracle and Java");
            DumpAssert.assertSameLines(Ipv6Oracle.comparable(o.mapped().lines()), Ipv6Oracle.comparable(java.lines()),
                    name + ": oracle (C libnids on the IPv4 translation) vs Java API on IPv6");
            if (Files.exists(truth)) DumpAssert.assertMatchesGroundTruth(java.lines(), truth);
        }));
        if (needsExpected) {
            t.add(DynamicTest.dynamicTest("C(ipv6) = expected", () -> {
                NidsDumpJava.Result c = NidsDumpC.dump(capture, options);
                DumpAssert.assertSameLines(Files.readAllLines(expected, StandardCharsets.UTF_8), Ipv6Oracle.comparable(c.lines()),
                        name + ": " + expected.getFileName() + " vs nids_dump (the patched C library) on IPv6");
            }));
        }
        return DynamicContainer.dynamicContainer(name + " " + options, t);
    }

    /** The oracle of one capture, made once for its checks. */
    private static final class Oracles {
        private final Path capture;
        private final List<String> options;
        private Ipv6Oracle.Oracle oracle;

        Oracles(Path capture, List<String> options) {
            this.capture = capture;
            this.options = options;
        }

        synchronized Ipv6Oracle.Oracle get() throws IOException {
            if (oracle == null) {
                Path dir = Files.createTempDirectory(tmp, "oracle");
                oracle = Ipv6Oracle.run(capture, options, dir);
            }
            return oracle;
        }
    }

    private static boolean hasIpv6(Path capture) {
        try {
            CaptureReader.Capture c = CaptureReader.read(capture);
            return c.records().stream().anyMatch(r -> Ipv6ToIpv4.isIpv6Frame(c.linktype(), r.data()));
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    private static Path sibling(Path capture, String suffix) {
        String n = capture.getFileName().toString();
        return capture.resolveSibling(n.substring(0, n.lastIndexOf('.')) + suffix);
    }

    private static List<String> optionsOf(Path capture) throws IOException {
        Path f = sibling(capture, ".options");
        if (!Files.exists(f)) return List.of();
        String s = Files.readString(f, StandardCharsets.UTF_8).trim();
        return s.isEmpty() ? List.of() : List.of(s.split("\\s+"));
    }
}
