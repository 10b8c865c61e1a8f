package io.github.jnids;

import io.github.jnids.testing.Seed;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The facade on real captures from ../shared/pcaps/ (skipped, saying why, when absent). */
class SharedCapturesTest extends NidsTestBase {

    /** The seed post's nidstest.py, line for line, and its published output. */
    @Test
    void seedProgramOnHttpWitpJpegs() {
        Path file = sharedPcap("http_witp_jpegs.cap");
        List<String> lines = new ArrayList<>();
        List<Integer> endStates = List.of(Nids.NIDS_CLOSE, Nids.NIDS_TIMEOUT, Nids.NIDS_RESET);
        Nids.param("filename", file.toString());
        Nids.init();
        onTcp(tcp -> {
            if (tcp.nidsState() == Nids.NIDS_JUST_EST) {
                tcp.client().collect(true);
                tcp.server().collect(true);
            } else if (tcp.nidsState() == Nids.NIDS_DATA) {
                tcp.discard(0);
            } else if (endStates.contains(tcp.nidsState())) {
                Tuple4 a = tcp.addr();
                lines.add(String.format("[+] %s:%s - %s:%s (CTS: %dB | STC: %dB)", a.src(), a.sport(), a.dst(),
                        a.dport(), tcp.server().data().length, tcp.client().data().length));
            }
        });
        Nids.run();
        assertEquals(Seed.TEN_LINES, lines);
    }

    static Stream<String> captures() throws Exception {
        Path dir = Path.of(System.getProperty("jnids.basedir", "."), "..", "shared", "pcaps").normalize();
        if (!Files.isDirectory(dir)) return Stream.of("(absent)");
        try (Stream<Path> s = Files.list(dir)) {
            List<String> names = s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".pcap") || n.endsWith(".cap") || n.endsWith(".pcapng")).sorted().toList();
            return names.isEmpty() ? Stream.of("(absent)") : names.stream();
        }
    }

    /**
     * Two handlers on every stream: one keeps everything with discard(0), the other
     * appends the countNew() newest bytes of each callback; both must end with the
     * same bytes, which must also be what the stream counted. raw() agrees with the facade.
     */
    @ParameterizedTest
    @MethodSource("captures")
    void growingAndIncrementalViewsAgree(String name) {
        Path file = sharedPcap(name);
        Map<Tuple4, String> whole = new HashMap<>(), pieces = new HashMap<>();
        List<String> problems = new ArrayList<>();
        int[] counts = new int[3];
        onTcp(tcp -> {
            if (tcp.nidsState() == Nids.NIDS_JUST_EST) {
                tcp.client().collect(true);
                tcp.server().collect(true);
                return;
            }
            if (tcp.nidsState() == Nids.NIDS_DATA) {
                tcp.discard(0);
                return;
            }
            whole.put(tcp.addr(), tcp.server().count() + "/" + tcp.client().count() + ":"
                    + digest(tcp.server().data()) + "/" + digest(tcp.client().data()));
            if (tcp.server().offset() != 0 || tcp.client().offset() != 0) problems.add("offset after discard(0)");
        });
        onTcp(tcp -> {
            if (tcp.nidsState() == Nids.NIDS_JUST_EST) {
                tcp.client().collect(true);
                tcp.server().collect(true);
                tcp.user(new ByteArrayOutputStream[] {new ByteArrayOutputStream(), new ByteArrayOutputStream()});
                counts[0]++;
                nids_raw_check(tcp, problems);
                return;
            }
            ByteArrayOutputStream[] b = (ByteArrayOutputStream[]) tcp.user();
            if (tcp.nidsState() == Nids.NIDS_DATA) {
                counts[1]++;
                newest(tcp.server(), b[0]);
                newest(tcp.client(), b[1]);
                nids_raw_check(tcp, problems);
                return;
            }
            pieces.put(tcp.addr(), tcp.server().count() + "/" + tcp.client().count() + ":"
                    + digest(b[0].toByteArray()) + "/" + digest(b[1].toByteArray()));
        });
        onUdp((a, p, ip) -> {
            counts[2]++;
            if ((ip.get(0) & 0xf0) == 0x60) {
                // IPv6: 40 + payload length; the payload ends it, after any extension headers
                if (ip.remaining() != 40 + (ip.getShort(4) & 0xffff)) problems.add("UDP datagram length");
                if (p.remaining() > ip.remaining() - 40 - 8) problems.add("UDP payload length");
                return;
            }
            if (ip.remaining() != (ip.getShort(2) & 0xffff)) problems.add("UDP datagram length");
            if (p.remaining() != ip.remaining() - 4 * (ip.get(0) & 15) - 8) problems.add("UDP payload length");
        });
        // captures taken on a sending host carry offloaded (wrong) checksums
        Nids.chksumCtl(List.of(Map.entry("0.0.0.0/0", false)));
        runFile(file);
        assertFalse(Nids.isOpen());
        assertTrue(Nids.packetCount() > 0);
        assertEquals(List.of(), problems.stream().distinct().toList());
        assertEquals(whole, pieces);
        assertTrue(counts[0] + counts[2] > 0, name + ": no stream and no datagram seen");
        System.out.printf("SharedCapturesTest: %s: %d streams, %d data callbacks, %d UDP datagrams%n", name,
                counts[0], counts[1], counts[2]);
    }

    private static void newest(HalfStream h, ByteArrayOutputStream into) {
        int n = h.countNew();
        if (n <= 0) return;
        java.nio.ByteBuffer b = h.dataBuffer();
        byte[] tail = new byte[n];
        b.get(b.limit() - n, tail);
        into.writeBytes(tail);
    }

    private static void nids_raw_check(TcpStream tcp, List<String> problems) {
        io.github.jnids.global.nids.tcp_stream raw = tcp.raw();
        Tuple4 a = tcp.addr();
        if ((raw.addr().source() & 0xffff) != a.sport() || (raw.addr().dest() & 0xffff) != a.dport()) {
            problems.add("raw ports");
        }
        if (!Tuple4.ipv4(raw.addr().saddr()).equals(a.src()) || !Tuple4.ipv4(raw.addr().daddr()).equals(a.dst())) {
            problems.add("raw addresses");
        }
        if (raw.nids_state() != tcp.nidsState()) problems.add("raw state");
        if (raw.client().count() != tcp.client().count() || raw.server().count() != tcp.server().count()) {
            problems.add("raw counts");
        }
        if (raw.server().offset() != tcp.server().offset()) problems.add("raw offset");
    }

    private static String digest(byte[] b) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b))
                    .substring(0, 16) + "#" + b.length;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
