package io.github.jnids;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import io.github.jnids.testing.CaptureReader;
import io.github.jnids.testing.DumpAssert;
import io.github.jnids.testing.Ipv6CaptureDamage;
import io.github.jnids.testing.Ipv6Oracle;
import io.github.jnids.testing.NidsDumpJava;

/**
 * Lossy and late-started IPv6 captures in the two opt-in TCP modes, gaps
 * ({@code tcp_gaps} skip, {@code --gaps}) and mid-stream pick-up
 * ({@code tcp_midstream}, {@code --midstream}), against IPv4 libnids.
 * <p>
 * From the real IPv6 captures testdata/captured/ipv6/http-large.pcap and
 * concurrent.pcap it derives, in a temporary folder: the capture without its
 * first 3, 5 or 40 packets (a capture started late); the capture with every
 * 17th server-to-client data segment and one client-to-server data segment
 * dropped (a lossy sensor); and both (cut 5, then dropped). For each, with the
 * default options and with the modes, the Java API's dump of the IPv6 capture
 * (testing/NidsDumpJava) must be the oracle's, line for line: C nids_dump with
 * the same options on the capture translated to IPv4, addresses mapped back
 * (testing/Ipv6Oracle, as Ipv6DifferentialTest uses it). For the dropped
 * captures with {@code --gaps} an independent truth holds too: per stream and
 * direction, the bytes delivered plus the bytes reported missing are the bytes
 * the senders sent (NAME.truth); and on every capture each stream reported,
 * picked up mid-stream or not, has the senders' roles (client first, as in
 * NAME.truth), which the oracle alone would not show (IPv4 libnids guesses
 * them the same way).
 * <pre>
 *   mvn -o verify -pl pom-core.xml -Dtest=Ipv6ModesTest -Dit.test=none
 * </pre>
 */
class Ipv6ModesTest {
    private static final Path IPV6 = Paths.get(System.getProperty("jnids.basedir", "."))
            .resolve(Paths.get("testdata", "captured", "ipv6"));
    private static final List<String> CAPTURES = List.of("http-large", "concurrent");
    private static final int[] CUTS = {3, 5, 40};
    private static final int SERVER_EVERY = 17;

    @TempDir
    static Path tmp;

    @TestFactory
    Stream<DynamicNode> damagedIpv6Captures() throws IOException {
        List<DynamicNode> nodes = new ArrayList<>();
        for (String name : CAPTURES) {
            Path original = IPV6.resolve(name + ".pcap"), truth = IPV6.resolve(name + ".truth");
            assertTrue(Files.exists(original), original + " is missing");
            for (int n : CUTS) {
                Path cut = Ipv6CaptureDamage.cut(original, n, tmp.resolve(name + "-cut" + n + ".pcap"));
                nodes.add(derived(name + " without its first " + n + " packets", cut, true, truth, false,
                        List.of(List.of(), List.of("--midstream"))));
            }
            Path dropped = Ipv6CaptureDamage.drop(original, lossRule(original), tmp.resolve(name + "-dropped.pcap"));
            nodes.add(derived(name + " with data segments dropped", dropped, false, truth, true,
                    List.of(List.of(), List.of("--gaps"), List.of("--gaps", "--midstream"))));
            Path cut = Ipv6CaptureDamage.cut(original, 5, tmp.resolve(name + "-cut5-src.pcap"));
            Path both = Ipv6CaptureDamage.drop(cut, lossRule(cut), tmp.resolve(name + "-cut5-dropped.pcap"));
            nodes.add(derived(name + " without its first 5 packets and with data segments dropped", both, true, truth, false,
                    List.of(List.of(), List.of("--gaps"), List.of("--midstream"), List.of("--gaps", "--midstream"))));
        }
        return nodes.stream();
    }

    /**
     * Every 17th server-to-client data segment of the capture, and one client-to-server one: the second in the
     * capture (the first when there is only one; none when
     * there is none, as in http-large once its request is cut off).
     */
    private static Predicate<Ipv6CaptureDamage.Segment> lossRule(Path capture) throws IOException {
        long clientSegments = Ipv6CaptureDamage.dataSegments(CaptureReader.read(capture)).stream()
                .filter(s -> !s.fromServer()).count();
        int client = clientSegments > 1 ? 1 : 0;
        return s -> s.fromServer() ? s.rankInCapture() % SERVER_EVERY == SERVER_EVERY - 1 : s.rankInCapture() == client;
    }

    /**
     * The checks of one derived capture: {@code cut} whether its first packets are gone (then {@code --midstream}
     * must pick a stream up, else none), {@code truth} the original's truth file: every stream reported has the
     * senders' roles (client first), and when {@code whole} (every stream whole apart from dropped segments) its
     * bytes add up with {@code --gaps}.
     */
    private DynamicContainer derived(String name, Path capture, boolean cut, Path truth, boolean whole,
                                     List<List<String>> optionSets) {
        List<DynamicTest> t = new ArrayList<>();
        for (List<String> options : optionSets) {
            String what = name + " " + options;
            t.add(DynamicTest.dynamicTest("java(ipv6) = oracle " + options, () -> {
                List<String> java = compared(capture, options, what);
                if (options.contains("--midstream")) {
                    assertEquals(cut, java.stream().anyMatch(l -> l.startsWith("TCP EST ") && l.contains(" midstream=")),
                            what + ": " + (cut ? "no stream was picked up mid-stream" : "a stream with its handshake "
                                    + "captured was reported as picked up mid-stream"));
                }
                assertRolesAsSent(java, truth, what);
                if (options.contains("--gaps") && (whole || options.contains("--midstream"))) {
                    assertTrue(java.stream().anyMatch(l -> l.startsWith("TCP DATA ") && l.contains(" gap=")),
                            what + ": no hole was skipped");
                }
                if (whole && options.contains("--gaps")) assertAccountsForEveryByte(java, truth, what);
            }));
        }
        return DynamicContainer.dynamicContainer(name, t);
    }

    /** The Java API's dump of the IPv6 capture, after checking it is the oracle's. */
    private static List<String> compared(Path capture, List<String> options, String what) throws IOException {
        Ipv6Oracle.Oracle o = Ipv6Oracle.run(capture, options, Files.createTempDirectory(tmp, "oracle"));
        NidsDumpJava.Result java = NidsDumpJava.dump(capture, options);
        assertEquals(o.mapped().status(), java.status(), what + ": END/ERROR status of the oracle and Java");
        DumpAssert.assertSameLines(Ipv6Oracle.comparable(o.mapped().lines()), Ipv6Oracle.comparable(java.lines()),
                what + ": oracle (C libnids on the IPv4 translation) vs Java API on IPv6");
        return java.lines();
    }

    /**
     * Every {@code TCP EST} line names a connection of the truth file with its client first: mid-stream pick-up
     * guessed the roles the senders had.
     */
    private static void assertRolesAsSent(List<String> dump, Path truth, String what) throws IOException {
        List<String> sent = new ArrayList<>();
        for (String l : Files.readAllLines(truth, StandardCharsets.UTF_8)) {
            String[] f = l.split(" ");
            if (f[0].equals("TCP")) sent.add(f[1] + " " + f[2]);
        }
        for (String l : dump) {
            String[] f = l.split(" ");
            if (l.startsWith("TCP EST ")) {
                assertTrue(sent.contains(f[2] + " " + f[3]), what + ": " + l + " is not a connection of "
                        + truth.getFileName() + " with its client first");
            }
        }
    }

    /**
     * Per stream of the truth file: cts + missing client-to-server and stc + missing server-to-client are the bytes
     * sent; some bytes were reported missing.
     */
    private static void assertAccountsForEveryByte(List<String> dump, Path truth, String what) throws IOException {
        Map<String, Map<String, String>> ends = new HashMap<>();
        for (String l : dump) {
            String[] f = l.split(" ");
            if (f.length > 4 && f[0].equals("TCP") && List.of("CLOSE", "RESET", "TIMEOUT", "EXITING").contains(f[1])) {
                ends.put(f[2] + " " + f[3], fields(f, 4));
            }
        }
        long missing = 0;
        int streams = 0;
        for (String l : Files.readAllLines(truth, StandardCharsets.UTF_8)) {
            String[] f = l.split(" ");
            if (!f[0].equals("TCP")) continue;
            streams++;
            Map<String, String> sent = fields(f, 3), end = ends.get(f[1] + " " + f[2]);
            assertNotNull(end, what + ": no end line for " + f[1] + " " + f[2]);
            String[] gone = end.getOrDefault("missing", "0/0").split("/");
            assertEquals(Long.parseLong(sent.get("cts")), Long.parseLong(end.get("cts")) + Long.parseLong(gone[0]),
                    what + ": " + f[1] + " " + f[2] + " client to server, delivered + missing");
            assertEquals(Long.parseLong(sent.get("stc")), Long.parseLong(end.get("stc")) + Long.parseLong(gone[1]),
                    what + ": " + f[1] + " " + f[2] + " server to client, delivered + missing");
            missing += Long.parseLong(gone[0]) + Long.parseLong(gone[1]);
        }
        assertTrue(streams > 0, truth + " has no TCP stream");
        assertTrue(missing > 0, what + ": no byte reported missing, yet segments were dropped");
    }

    private static Map<String, String> fields(String[] f, int from) {
        Map<String, String> m = new HashMap<>();
        for (int i = from; i < f.length; i++) {
            int eq = f[i].indexOf('=');
            if (eq > 0) m.put(f[i].substring(0, eq), f[i].substring(eq + 1));
        }
        return m;
    }
}
