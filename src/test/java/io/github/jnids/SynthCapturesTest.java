package io.github.jnids;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import io.github.jnids.testing.SynthCaptures;
import io.github.jnids.testing.SynthCaptures.Capture;
import io.github.jnids.testing.SynthCaptures.TcpTruth;
import io.github.jnids.testing.SynthCaptures.UdpTruth;

/**
 * The synthesized captures of {@code testdata/synth}: the generator rewrites
 * them byte for byte, the Java API delivers what the generator's model says
 * (and the model agrees with the reference dumper's {@code .expected} output),
 * and the files that are not readable captures fail with specific messages.
 */
class SynthCapturesTest {
    static final Path DIR = Path.of(System.getProperty("jnids.basedir", ".")).resolve("testdata/synth");

    @TempDir
    Path tmp;

    private final List<TcpHandler> tcpHandlers = new ArrayList<>();
    private final List<UdpHandler> udpHandlers = new ArrayList<>();
    private final List<WarningHandler> warningHandlers = new ArrayList<>();
    private final Map<String, Object> savedParams = new LinkedHashMap<>();
    private boolean checksumRules;

    @AfterEach
    void cleanUp() {
        Nids.exit();
        tcpHandlers.forEach(Nids::unregisterTcp);
        udpHandlers.forEach(Nids::unregisterUdp);
        warningHandlers.forEach(Nids::unregisterWarning);
        savedParams.forEach(Nids::param);
        if (checksumRules) Nids.chksumCtl(List.of());
    }

    private void param(String name, Object value) {
        Object previous = Nids.param(name, value);
        savedParams.putIfAbsent(name, previous);
    }

    static Capture capture(String name) {
        return SynthCaptures.all().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    static Path file(Capture c) {
        return DIR.resolve(c.file());
    }

    static String expected(Capture c) throws IOException {
        return Files.readString(DIR.resolve(c.name() + ".expected"));
    }

    static String crc32(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return String.format("%08x", c.getValue());
    }

    // ---- (a) the generator reproduces the committed files -------------------------

    @Test
    void generatorRewritesEveryCommittedFileByteForByte() throws IOException {
        List<Capture> written = SynthCaptures.writeAll(tmp);
        TreeSet<String> generated = new TreeSet<>();
        try (Stream<Path> s = Files.list(tmp)) {
            s.forEach(p -> generated.add(p.getFileName().toString()));
        }
        for (String name : generated) {
            Path committed = DIR.resolve(name);
            assertTrue(Files.exists(committed), "testdata/synth/" + name + " is missing; run SynthCaptures");
            assertArrayEquals(Files.readAllBytes(committed), Files.readAllBytes(tmp.resolve(name)),
                    "testdata/synth/" + name + " differs from what SynthCaptures writes");
        }
        // and nothing else: every committed capture or options file comes from the generator
        TreeSet<String> committed;
        try (Stream<Path> s = Files.list(DIR)) {
            // files only: synth/ipv6/ has its own generator (Ipv6SynthCaptures) and test
            committed = s.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .filter(n -> !n.endsWith(".expected") && !n.equals("README.md") && !n.endsWith(".sh"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(generated, committed, "files in testdata/synth that the generator does not write");
        for (Capture c : written) {
            assertTrue(Files.exists(DIR.resolve(c.name() + ".expected")), c.name() + ".expected is missing");
        }
    }

    @Test
    void generatorIsDeterministic() {
        List<Capture> a = SynthCaptures.all(), b = SynthCaptures.all();
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i).bytes(), b.get(i).bytes(), a.get(i).name());
    }

    @Test
    void totalSizeStaysSmall() throws IOException {
        long total;
        try (Stream<Path> s = Files.list(DIR)) {
            total = s.mapToLong(p -> p.toFile().length()).sum();
        }
        assertTrue(total < 1_000_000, "testdata/synth holds " + total + " bytes");
    }

    // ---- (c) ground truth: the Java API against the generator's model --------------

    /** What the Java API reported for one stream. */
    static final class Seen {
        boolean established;
        String tuple;
        final ByteArrayOutputStream toServer = new ByteArrayOutputStream(), toClient = new ByteArrayOutputStream();
        final ByteArrayOutputStream urgentToServer = new ByteArrayOutputStream(),
                urgentToClient = new ByteArrayOutputStream();
        String end;
        int endCts = -1, endStc = -1;
    }

    record SeenUdp(String tuple, byte[] payload) { }

    static String tuple(Tuple4 t) {
        return t.src() + ":" + t.sport() + " " + t.dst() + ":" + t.dport();
    }

    static String endName(int state) {
        return switch (state) {
            case Nids.NIDS_CLOSE -> "CLOSE";
            case Nids.NIDS_RESET -> "RESET";
            case Nids.NIDS_TIMED_OUT -> "TIMEOUT";
            case Nids.NIDS_EXITING -> "EXITING";
            default -> "STATE" + state;
        };
    }

    /** Last {@code n} bytes of what a half holds (the new ones, as nids_dump takes them). */
    static byte[] newBytes(HalfStream h, int n) {
        byte[] all = h.data();
        return java.util.Arrays.copyOfRange(all, all.length - n, all.length);
    }

    /** Registers collecting handlers, configured as nids_dump is with the capture's options. */
    private List<Seen> prepare(Capture c, List<SeenUdp> udp) {
        return prepare(c, udp, new ArrayList<>());
    }

    /** As nids_dump prints a non-scan warning. */
    static String warnLine(NidsWarning w) {
        return "WARN " + w.kind() + " code=" + w.code() + " " + w.src() + ":" + w.sport() + " " + w.dst() + ":"
                + w.dport() + " " + w.message();
    }

    /** @return every stream established, in order (a stream's addresses may be reused after it ends) */
    private List<Seen> prepare(Capture c, List<SeenUdp> udp, List<String> warnings) {
        WarningHandler wh = w -> warnings.add(w.kind() == NidsWarning.Kind.SCAN ? "WARN SCAN" : warnLine(w));
        warningHandlers.add(wh);
        Nids.registerWarning(wh);
        List<Seen> established = new ArrayList<>();
        Map<String, Seen> streams = new LinkedHashMap<>();   // the open stream of each tuple
        TcpHandler tcp = s -> {
            String key = tuple(s.addr());
            switch (s.nidsState()) {
                case Nids.NIDS_JUST_EST -> {
                    Seen seen = new Seen();
                    seen.established = true;
                    seen.tuple = key;
                    Seen before = streams.put(key, seen);
                    assertTrue(before == null || before.end != null, "a second EST for open stream " + key);
                    established.add(seen);
                    s.client().collect(true);
                    s.server().collect(true);
                    s.client().collectUrg(true);
                    s.server().collectUrg(true);
                }
                case Nids.NIDS_DATA -> {
                    Seen seen = streams.get(key);
                    if (s.server().countNewUrg() > 0) seen.urgentToServer.write(s.server().urgdata());
                    if (s.client().countNewUrg() > 0) seen.urgentToClient.write(s.client().urgdata());
                    if (s.server().countNew() > 0) seen.toServer.writeBytes(newBytes(s.server(), s.server().countNew()));
                    if (s.client().countNew() > 0) seen.toClient.writeBytes(newBytes(s.client(), s.client().countNew()));
                }
                default -> {
                    Seen seen = streams.get(key);
                    assertNull(seen.end, "a second end for " + key);
                    seen.end = endName(s.nidsState());
                    seen.endCts = s.server().count();
                    seen.endStc = s.client().count();
                }
            }
        };
        tcpHandlers.add(tcp);
        Nids.registerTcp(tcp);
        if (c.has("--udp")) {
            UdpHandler u = (addr, payload, ip) -> {
                byte[] b = new byte[payload.remaining()];
                payload.duplicate().get(b);
                udp.add(new SeenUdp(tuple(addr), b));
            };
            udpHandlers.add(u);
            Nids.registerUdp(u);
        }
        if (!c.has("--warn")) param("scan_num_hosts", 0);
        if (c.has("--no-checksum")) {
            checksumRules = true;
            Nids.chksumCtl(List.of(Map.entry("0.0.0.0/0", false)));
        }
        param("filename", file(c).toString());
        return established;
    }

    private void checkAgainstModel(Capture c, List<Seen> streams, List<SeenUdp> udp) throws IOException {
        String expected = expected(c);
        assertEquals(c.tcp().stream().map(TcpTruth::tuple).collect(Collectors.toList()),
                streams.stream().map(x -> x.tuple).collect(Collectors.toList()),
                c.name() + ": the streams established, in order");
        for (int i = 0; i < c.tcp().size(); i++) {
            TcpTruth t = c.tcp().get(i);
            Seen seen = streams.get(i);
            String what = c.name() + " " + t.tuple();
            assertArrayEquals(t.toServer(), seen.toServer.toByteArray(), what + ": bytes to the server");
            assertArrayEquals(t.toClient(), seen.toClient.toByteArray(), what + ": bytes to the client");
            assertArrayEquals(t.urgentToServer(), seen.urgentToServer.toByteArray(), what + ": urgent bytes to the server");
            assertArrayEquals(t.urgentToClient(), seen.urgentToClient.toByteArray(), what + ": urgent bytes to the client");
            assertEquals(t.end(), seen.end, what + ": how the stream ended");
            assertEquals(t.toServer().length, seen.endCts, what + ": server.count() at the end");
            assertEquals(t.toClient().length, seen.endStc, what + ": client.count() at the end");
            // the model agrees with the reference run
            String line = "TCP " + t.end() + " " + t.tuple() + " cts=" + t.toServer().length + " cts_crc32="
                    + crc32(t.toServer()) + " stc=" + t.toClient().length + " stc_crc32=" + crc32(t.toClient());
            assertTrue(expected.contains(line + "\n"), what + ": " + c.name() + ".expected lacks " + line);
        }
        assertEquals(c.tcp().size(), expected.lines().filter(l -> l.startsWith("TCP EST ")).count(),
                c.name() + ".expected: streams established");
        if (!c.has("--udp")) assertTrue(c.udp().isEmpty(), c.name() + ": UDP truth without --udp");
        if (c.has("--udp")) {
            List<String> want = c.udp().stream().map(u -> u.tuple() + " " + HexFormat.of().formatHex(u.payload()))
                    .collect(Collectors.toList());
            List<String> got = udp.stream().map(u -> u.tuple() + " " + HexFormat.of().formatHex(u.payload()))
                    .collect(Collectors.toList());
            assertEquals(want, got, c.name() + ": UDP datagrams");
            List<String> reference = expected.lines().filter(l -> l.startsWith("UDP "))
                    .map(l -> l.substring(4, l.indexOf(" iplen="))).collect(Collectors.toList());
            List<String> model = c.udp().stream()
                    .map(u -> u.tuple() + " len=" + u.payload().length + " crc32=" + crc32(u.payload()))
                    .collect(Collectors.toList());
            assertEquals(model, reference, c.name() + ".expected: UDP lines");
        }
    }

    @TestFactory
    Stream<DynamicTest> javaApiDeliversWhatTheModelSays() {
        return SynthCaptures.all().stream().filter(c -> c.error() == null)
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
                    try {
                        List<SeenUdp> udp = new ArrayList<>();
                        List<String> warnings = new ArrayList<>();
                        List<Seen> streams = prepare(c, udp, warnings);
                        Nids.init();
                        Nids.run();
                        assertFalse(Nids.isOpen());
                        assertTrue(expected(c).endsWith("END packets=" + Nids.packetCount() + "\n"),
                                c.name() + ": packets read: " + Nids.packetCount());
                        checkAgainstModel(c, streams, udp);
                        if (c.has("--warn")) {
                            // the same warnings as the reference run, in the same order
                            List<String> reference = expected(c).lines().filter(l -> l.startsWith("WARN "))
                                    .map(l -> l.startsWith("WARN SCAN") ? "WARN SCAN" : l)
                                    .collect(Collectors.toList());
                            assertEquals(reference, warnings, c.name() + ": warnings");
                        }
                    } finally {
                        cleanUp();
                        tcpHandlers.clear();
                        udpHandlers.clear();
                        warningHandlers.clear();
                        savedParams.clear();
                        checksumRules = false;
                    }
                }));
    }

    @Test
    void everyLinkTypeAndFileFormatGivesTheSameEvents() throws IOException {
        String ethernet = expected(capture("tcp-in-order"));
        for (String name : List.of("link-vlan", "link-sll", "link-raw", "link-null", "pcapng",
                "pcap-big-endian-nsec")) {
            assertEquals(ethernet, expected(capture(name)), name + ".expected differs from tcp-in-order.expected");
        }
    }

    // ---- (b) files that are not readable captures ----------------------------------

    /** The part of the dumper's ERROR line that comes from libpcap. */
    static String pcapMessage(Capture c) throws IOException {
        String last = expected(c).lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(last.startsWith("ERROR "), c.name() + ".expected should end with an ERROR line: " + last);
        return last.replaceFirst("^ERROR (cannot read capture: )?", "");
    }

    private NidsException initFails(Capture c) {
        param("filename", file(c).toString());
        NidsException e = assertThrows(NidsException.class, Nids::init, c.name());
        assertFalse(Nids.isOpen());
        return e;
    }

    @Test
    void textFileIsNotACapture() throws IOException {
        Capture c = capture("not-a-capture");
        assertEquals("ERROR cannot read capture: unknown file format\n", expected(c));
        NidsException e = initFails(c);
        assertEquals("cannot read capture '" + file(c) + "': unknown file format", e.getMessage());
    }

    @Test
    void zeroLengthFileIsNotACapture() throws IOException {
        Capture c = capture("zero-length");
        assertEquals("ERROR cannot read capture: truncated dump file; tried to read 4 file header bytes, "
                + "only got 0\n", expected(c));
        NidsException e = initFails(c);
        assertEquals("cannot read capture '" + file(c) + "': " + pcapMessage(c), e.getMessage());
    }

    @Test
    void truncatedFileHeaderIsNotACapture() throws IOException {
        Capture c = capture("truncated-file-header");
        NidsException e = initFails(c);
        assertEquals("cannot read capture '" + file(c) + "': truncated dump file; tried to read 24 file header "
                + "bytes, only got 8", e.getMessage());
        assertEquals(e.getMessage(), "cannot read capture '" + file(c) + "': " + pcapMessage(c));
    }

    @Test
    void unsupportedLinkTypeIsRefusedByName() throws IOException {
        Capture c = capture("unsupported-linktype");
        // libnids' own message, which nids_dump prints; jnids checks the link type before libnids does
        assertEquals("ERROR libnids could not start: link type unknown\n", expected(c));
        NidsException e = initFails(c);
        // libpcap 1.10.3 has no name for DLT 147 (USER0)
        assertEquals("link type 147 (unknown) is not supported by libnids; supported: EN10MB, LINUX_SLL, RAW, NULL, "
                + "PPP, PPP_SERIAL, SLIP, IEEE802, FDDI, IEEE802_11, IEEE802_11_RADIO, PRISM_HEADER, IPV6", e.getMessage());
    }

    private void truncatedRun(String name, String libpcapMessage) throws IOException {
        Capture c = capture(name);
        assertEquals(libpcapMessage, pcapMessage(c));
        List<Seen> streams = prepare(c, new ArrayList<>());
        Nids.init();
        NidsException e = assertThrows(NidsException.class, Nids::run);
        assertEquals("error reading capture '" + file(c) + "' after packet 5: " + libpcapMessage
                + " (the packets before it were processed and the session ended)", e.getMessage());
        assertFalse(Nids.isOpen());
        // the packets before the damage were processed, and the open stream ended with EXITING
        TcpTruth t = c.tcp().get(0);
        assertEquals(1, streams.size());
        Seen seen = streams.get(0);
        assertArrayEquals(t.toServer(), seen.toServer.toByteArray());
        assertEquals(0, seen.toClient.size());
        assertEquals("EXITING", seen.end);
        assertTrue(expected(c).contains("TCP EXITING " + t.tuple() + " cts=" + t.toServer().length + " cts_crc32="
                + crc32(t.toServer()) + " stc=0 stc_crc32=00000000\n"));
    }

    @Test
    void fileTruncatedInsideAPacket() throws IOException {
        truncatedRun("truncated-packet", "truncated dump file; tried to read 654 captured bytes, only got 300");
    }

    @Test
    void pcapngWithASecondLinkTypeFailsWhereItStarts() throws IOException {
        truncatedRun("pcapng-mixed-linktypes",
                "an interface has a type 101 different from the type of the first interface");
    }

    @Test
    void fileTruncatedInsideAPacketReadWithNext() throws IOException {
        Capture c = capture("truncated-packet");
        List<Seen> streams = prepare(c, new ArrayList<>());
        Nids.init();
        for (int i = 1; i <= 5; i++) assertEquals(1, Nids.next(), "packet " + i);
        NidsException e = assertThrows(NidsException.class, Nids::next);
        // next() leaves the session open: the streams end when the caller ends it
        assertEquals("error reading capture '" + file(c) + "' after packet 5: " + pcapMessage(c), e.getMessage());
        assertTrue(Nids.isOpen());
        assertNull(streams.get(0).end);
        Nids.exit();
        assertEquals("EXITING", streams.get(0).end);
        assertArrayEquals(c.tcp().get(0).toServer(), streams.get(0).toServer.toByteArray());
    }

    @Test
    void fileTruncatedInsideARecordHeader() throws IOException {
        truncatedRun("truncated-record-header", "truncated dump file; tried to read 16 header bytes, only got 10");
    }
}
