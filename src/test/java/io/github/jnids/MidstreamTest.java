package io.github.jnids;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import io.github.jnids.testing.MidstreamCaptures;
import io.github.jnids.testing.MidstreamCaptures.Capture;
import io.github.jnids.testing.NidsDumpC;
import io.github.jnids.testing.NidsDumpJava;
import io.github.jnids.testing.PcapCut;
import io.github.jnids.testing.SynthCaptures;
import io.github.jnids.testing.SynthCaptures.TcpTruth;

/**
 * Streams already running (the parameter {@code tcp_midstream}): what is
 * picked up matches the generator's record (roles, bytes each way, end, the
 * rule that gave the roles), C libnids and the Java API agree with the mode on
 * and off, and with it off nothing changes.
 */
class MidstreamTest {
    private static final Path BASE = Paths.get(System.getProperty("jnids.basedir", "."));
    private static final Path SHARED = BASE.resolve(Paths.get("..", "shared", "pcaps"));

    @TempDir
    Path tmp;

    private final List<NidsSession> sessions = new ArrayList<>();

    @AfterEach
    void closeSessions() {
        sessions.forEach(NidsSession::close);
    }

    /** A stream as a handler saw it. */
    static final class Seen {
        String tuple;
        int roles;
        boolean midstream;
        final ByteArrayOutputStream toServer = new ByteArrayOutputStream(), toClient = new ByteArrayOutputStream();
        String end = "(open)";
        int established;

        String describe() {
            return tuple + " roles=" + roles + " end=" + end + " cts=" + hex(toServer.toByteArray()) + " stc="
                    + hex(toClient.toByteArray());
        }
    }

    static String hex(byte[] b) {
        return b.length + ":" + HexFormat.of().formatHex(b);
    }

    static String describe(TcpTruth t, int roles) {
        return t.tuple() + " roles=" + roles + " end=" + t.end() + " cts=" + hex(t.toServer()) + " stc="
                + hex(t.toClient());
    }

    static String tuple(Tuple4 a) {
        return a.src() + ":" + a.sport() + " " + a.dst() + ":" + a.dport();
    }

    static void append(ByteArrayOutputStream to, HalfStream h) {
        int n = h.countNew();
        if (n <= 0) return;
        ByteBuffer all = h.dataBuffer();
        byte[] b = new byte[n];
        all.duplicate().position(all.limit() - n).get(b);
        to.writeBytes(b);
    }

    /** Every stream a handler that collects everything sees, in the order they are established. */
    static TcpHandler recorder(List<Seen> seen) {
        return tcp -> {
            Seen s = (Seen) tcp.user();
            switch (tcp.nidsState()) {
                case Nids.NIDS_JUST_EST -> {
                    s = new Seen();
                    s.tuple = tuple(tcp.addr());
                    s.roles = tcp.midstreamRoles();
                    s.midstream = tcp.midstream();
                    s.established++;
                    tcp.user(s);
                    seen.add(s);
                    tcp.client().collect(true);
                    tcp.server().collect(true);
                }
                case Nids.NIDS_DATA -> {
                    append(s.toServer, tcp.server());
                    append(s.toClient, tcp.client());
                }
                case Nids.NIDS_CLOSE -> s.end = "CLOSE";
                case Nids.NIDS_RESET -> s.end = "RESET";
                case Nids.NIDS_TIMED_OUT -> s.end = "TIMEOUT";
                case Nids.NIDS_EXITING -> s.end = "EXITING";
                default -> fail("state " + tcp.nidsState());
            }
        };
    }

    Path write(Capture c) throws IOException {
        return Files.write(tmp.resolve(c.name() + ".pcap"), c.bytes());
    }

    List<Seen> run(Path file, boolean midstream, int nTcpStreams) {
        NidsSession s = new NidsSession();
        sessions.add(s);
        List<Seen> seen = new ArrayList<>();
        s.param("filename", file.toString());
        s.param("tcp_midstream", midstream);
        if (nTcpStreams > 0) s.param("n_tcp_streams", nTcpStreams);
        s.registerTcp(recorder(seen));
        s.init();
        s.run();
        s.exit();
        return seen;
    }

    static void assertStreams(List<MidstreamCaptures.Stream> want, List<Seen> got, String what) {
        String w = want.stream().map(x -> describe(x.tcp(), x.roles())).collect(Collectors.joining("\n"));
        String g = got.stream().map(Seen::describe).collect(Collectors.joining("\n"));
        assertEquals(w, g, what);
        for (Seen s : got) {
            assertEquals(1, s.established, what + ": NIDS_JUST_EST once per stream");
            assertEquals(s.roles != 0, s.midstream, what + ": midstream() agrees with midstreamRoles()");
        }
    }

    // ---- synthesized captures against the generator's record ---------------------------

    @TestFactory
    Stream<DynamicTest> pickedUpStreamsMatchTheGeneratorsRecord() {
        return MidstreamCaptures.all().stream().map(c -> DynamicTest.dynamicTest(c.name() + ": " + c.summary(), () -> {
            Path f = write(c);
            assertStreams(c.streams(), run(f, true, c.nTcpStreams()), c.name() + " with tcp_midstream");
            assertStreams(c.defaults(), run(f, false, c.nTcpStreams()), c.name() + " with libnids' default");
        }));
    }

    /** nids_dump --midstream (C, the same libnids) and the Java API print the same lines, mode on and off. */
    @TestFactory
    Stream<DynamicTest> cAndJavaAgreeOnTheSynthesizedCaptures() {
        return MidstreamCaptures.all().stream().filter(c -> c.nTcpStreams() == 0).flatMap(c -> Stream.of(
                List.of("--midstream"), List.<String>of()).map(o -> DynamicTest.dynamicTest(c.name() + " " + o, () -> {
                    Path f = write(c);
                    assertSameDump(f, o);
                })));
    }

    static void assertSameDump(Path f, List<String> options) {
        NidsDumpJava.Result cDump = NidsDumpC.dump(f, options);
        NidsDumpJava.Result java = NidsDumpJava.dump(f, options);
        String diff = NidsDumpC.difference(cDump, java);
        assertNull(diff, f.getFileName() + " " + options + ": C nids_dump vs Java API: " + diff);
    }

    /** The EST lines say how the roles were found: nids_dump prints midstream=N, N the rule. */
    @Test
    void estLinesCarryTheRule() throws IOException {
        Capture c = MidstreamCaptures.all().stream().filter(x -> x.name().equals("mid-port-guesses")).findFirst()
                .orElseThrow();
        List<String> est = NidsDumpC.dump(write(c), List.of("--midstream")).lines().stream()
                .filter(l -> l.startsWith("TCP EST ")).toList();
        assertEquals(List.of("TCP EST 10.0.0.1:50022 10.0.0.2:22 midstream=3",
                "TCP EST 10.0.0.2:3306 10.0.0.1:2000 midstream=4",
                "TCP EST 10.0.0.1:33000 10.0.0.2:3306 midstream=3",
                "TCP EST 10.0.0.1:1022 10.0.0.2:514 midstream=4",
                "TCP EST 10.0.0.1:8080 10.0.0.2:80 midstream=3"), est);
    }

    // ---- whole handshakes: the mode changes nothing ---------------------------------------

    /**
     * On the synthesized captures of testdata/synth, every handshake is there:
     * with tcp_midstream the C dump is the default one, but for the streams the
     * mode adds, all marked midstream (segments of streams already gone).
     */
    @TestFactory
    Stream<DynamicTest> synthCapturesWithWholeHandshakesAreUnchanged() {
        Path dir = BASE.resolve("testdata/synth");
        return SynthCaptures.all().stream().filter(c -> c.error() == null && !c.tcp().isEmpty())
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
                    Path f = dir.resolve(c.file());
                    List<String> opts = new ArrayList<>(c.optionList());
                    List<String> plain = NidsDumpC.dump(f, opts).lines();
                    opts.add("--midstream");
                    List<String> mid = NidsDumpC.dump(f, opts).lines();
                    assertEquals(plain, withoutMidstreamStreams(mid), c.name());
                    assertSameDump(f, opts);
                }));
    }

    /** A dump without the lines of streams whose EST line says midstream. */
    static List<String> withoutMidstreamStreams(List<String> dump) {
        java.util.Set<String> picked = new java.util.HashSet<>();
        List<String> out = new ArrayList<>();
        for (String l : dump) {
            String[] f = l.split(" ");
            if (f.length >= 4 && f[0].equals("TCP")) {
                String t = f[2] + " " + f[3];
                if (f[1].equals("EST")) {
                    if (l.contains(" midstream=")) picked.add(t); else picked.remove(t);
                }
                if (picked.contains(t)) {
                    if (!f[1].equals("EST") && !f[1].equals("DATA") && !f[1].equals("URG")) picked.remove(t);
                    continue;
                }
            }
            out.add(l);
        }
        return out;
    }

    // ---- streams nobody listens to ---------------------------------------------------------

    /**
     * A handler that subscribes to nothing: the stream is kept, not freed and
     * picked up again at its next segment (one NIDS_JUST_EST per stream, for
     * picked-up streams and for whole ones alike).
     */
    @Test
    void aStreamNobodyWantsIsReportedOnce() throws IOException {
        Capture c = MidstreamCaptures.all().stream().filter(x -> x.name().equals("mid-same-ports")).findFirst()
                .orElseThrow();
        Path f = write(c);
        NidsSession s = new NidsSession();
        sessions.add(s);
        List<String> est = new ArrayList<>();
        s.param("filename", f.toString());
        s.param("tcp_midstream", true);
        s.registerTcp(tcp -> {
            if (tcp.nidsState() == Nids.NIDS_JUST_EST) est.add(tuple(tcp.addr()) + " " + tcp.midstreamRoles());
            else fail("no stream was subscribed to, yet state " + tcp.nidsState() + " came");
        });
        s.init();
        s.run();
        s.exit();
        assertEquals(List.of("10.0.0.1:40107 10.0.0.2:80 3", "10.0.0.1:40107 10.0.0.2:80 3",
                "10.0.0.1:40107 10.0.0.2:80 0", "10.0.0.1:40107 10.0.0.2:80 3"), est);
    }

    /** Several handlers on one session, and two sessions, one with the mode and one without, see their own. */
    @Test
    void severalHandlersAndSessions() throws IOException {
        Capture c = MidstreamCaptures.all().stream().filter(x -> x.name().equals("mid-port-guesses")).findFirst()
                .orElseThrow();
        Path f = write(c);
        NidsSession on = new NidsSession(), off = new NidsSession();
        sessions.add(on);
        sessions.add(off);
        List<Seen> a = new ArrayList<>(), d = new ArrayList<>();
        on.param("filename", f.toString());
        on.param("tcp_midstream", true);
        on.registerTcp(recorder(a));
        List<String> second = new ArrayList<>();
        on.registerTcp(tcp -> {
            if (tcp.nidsState() == Nids.NIDS_JUST_EST) second.add(tcp.midstream() + " " + tcp.midstreamRoles());
        });
        off.param("filename", f.toString());
        off.registerTcp(recorder(d));
        on.init();
        off.init();
        while ((on.next() | off.next()) != 0) { }
        on.exit();
        off.exit();
        assertStreams(c.streams(), a, "first handler");
        assertEquals(c.streams().stream().map(x -> "true " + x.roles()).toList(), second, "second handler");
        assertEquals(List.of(), d, "the session without tcp_midstream");
        assertEquals(Boolean.TRUE, on.param("tcp_midstream"));
        assertEquals(Boolean.FALSE, off.param("tcp_midstream"));
    }

    /** The raw bindings see the parameter and the stream's field. */
    @Test
    void rawBindingsExposeTheParameterAndTheField() {
        NidsSession s = new NidsSession();
        sessions.add(s);
        s.param("tcp_midstream", true);
        assertEquals(1, s.rawParams().tcp_midstream());
        s.rawParams().tcp_midstream(0);
        assertEquals(Boolean.FALSE, s.param("tcp_midstream"));
        assertEquals(0, new io.github.jnids.global.nids.tcp_stream().midstream());
    }

    @Test
    void theParameterTakesBooleansOnly() {
        NidsSession s = new NidsSession();
        sessions.add(s);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.param("tcp_midstream", 1));
        assertTrue(e.getMessage().contains("tcp_midstream") && e.getMessage().contains("Boolean"), e.getMessage());
    }

    // ---- real captures cut short ------------------------------------------------------------

    /**
     * Public captures (../shared/pcaps) with their first packets cut off, as a
     * capture started late: C and Java agree with the mode on, and every
     * stream of the whole capture that is picked up delivers, each way, a
     * suffix of what the whole capture delivers for it.
     */
    @TestFactory
    Stream<DynamicTest> sharedCapturesCutShort() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(SHARED),
                "skipped: the public captures folder " + SHARED.normalize() + " is absent");
        List<Path> files;
        try (Stream<Path> s = Files.list(SHARED)) {
            files = s.filter(p -> p.toString().matches(".*\\.(pcap|cap)$")).sorted().toList();
        }
        return cutShort("shared/", files);
    }

    /**
     * The same for captures of real traffic made here (testdata/captured,
     * whose whole dumps match the senders' record, see DifferentialTest):
     * cut, they deliver the tail of what the senders sent.
     */
    @TestFactory
    Stream<DynamicTest> capturedTrafficCutShort() {
        Path dir = BASE.resolve("testdata/captured");
        List<Path> files = Stream.of("http-small", "http-large", "concurrent", "half-close", "reset", "open-at-end")
                .map(n -> dir.resolve(n + ".pcap")).toList();
        return cutShort("captured/", files);
    }

    private Stream<DynamicTest> cutShort(String where, List<Path> files) {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path f : files) {
            tests.add(DynamicTest.dynamicTest(where + f.getFileName() + " --midstream",
                    () -> assertSameDump(f, List.of("--midstream"))));
            for (int cut : new int[] {5, 40}) {
                tests.add(DynamicTest.dynamicTest(where + f.getFileName() + " without its first " + cut + " packets",
                        () -> {
                            Path late = PcapCut.dropFirst(f, cut, tmp.resolve(cut + "-" + f.getFileName()));
                            assertSameDump(late, List.of("--midstream"));
                            assertSuffixes(run(f, false, 0), run(late, true, 0), f.getFileName() + " cut " + cut);
                        }));
            }
        }
        return tests.stream();
    }

    /** Each stream picked up from the cut capture delivers a suffix of what the whole capture's stream delivers. */
    static void assertSuffixes(List<Seen> whole, List<Seen> late, String what) {
        Map<String, Seen> byTuple = new TreeMap<>();
        for (Seen s : whole) byTuple.putIfAbsent(s.tuple, s);
        for (Seen s : late) {
            Seen w = byTuple.get(s.tuple);
            if (w == null || !s.midstream) continue;
            assertTrue(endsWith(w.toServer.toByteArray(), s.toServer.toByteArray()), what + " " + s.tuple + " to server");
            assertTrue(endsWith(w.toClient.toByteArray(), s.toClient.toByteArray()), what + " " + s.tuple + " to client");
        }
    }

    static boolean endsWith(byte[] whole, byte[] tail) {
        if (tail.length > whole.length) return false;
        return java.util.Arrays.equals(whole, whole.length - tail.length, whole.length, tail, 0, tail.length);
    }
}
