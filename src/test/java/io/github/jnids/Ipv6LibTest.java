package io.github.jnids;

import static io.github.jnids.testing.Ipv6Frames.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.CRC32;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import io.github.jnids.testing.Ipv6Frames;
import io.github.jnids.testing.NidsDumpC;
import io.github.jnids.testing.Packets;
import io.github.jnids.testing.PcapWriter;

/**
 * IPv6 in the bundled libnids and the Java API, on synthesized captures: every
 * link type carrying IPv6, extension headers, checksums with the IPv6
 * pseudo-header and IPv6 checksum rules, UDP, port scans, warnings, and the
 * parameter {@code ipv6=false}. Each capture's TCP, UDP and warning events as
 * the Java API reports them are compared with the C reference dumper's
 * (nids_dump, on the same libnids), and with what the capture holds.
 */
class Ipv6LibTest {
    static final String C = "2001:db8::1", S = "2001:db8:0:1::2";
    static final byte[] REQUEST = Packets.ascii("GET /index.html HTTP/1.0\r\n\r\n");
    static final byte[] REPLY = Packets.text(3000, 7);

    @TempDir
    Path tmp;

    // ---- a dump of TCP, UDP and warning events in nids_dump's line format ----

    private static String crc(ByteBuffer b) {
        CRC32 c = new CRC32();
        c.update(b.duplicate());
        return String.format("%08x", c.getValue());
    }

    private static String endpoint(String address, int port) {
        return (Addresses.isIpv6(address) ? "[" + address + "]" : address) + ":" + port;
    }

    private static String tuple(Tuple4 t) {
        return " " + endpoint(t.src(), t.sport()) + " " + endpoint(t.dst(), t.dport());
    }

    /** The TCP EST/CLOSE/RESET/TIMEOUT, UDP and WARN lines of a capture, from the Java API. */
    static List<String> javaDump(Path capture, Map<String, Object> params, List<Map.Entry<String, Boolean>> rules,
                                 boolean warn) {
        List<String> out = new ArrayList<>();
        try (NidsSession s = new NidsSession()) {
            s.param("filename", capture.toString());
            if (!warn) s.param("scan_num_hosts", 0);
            params.forEach(s::param);
            if (rules != null) s.chksumCtl(rules);
            s.registerTcp(tcp -> {
                String t = tuple(tcp.addr());
                switch (tcp.nidsState()) {
                    case Nids.NIDS_JUST_EST -> {
                        tcp.client().collect(true);
                        tcp.server().collect(true);
                        tcp.user(new CRC32[] {new CRC32(), new CRC32()});
                        out.add("TCP EST" + t);
                    }
                    case Nids.NIDS_DATA -> {
                        CRC32[] st = (CRC32[]) tcp.user();
                        HalfStream[] halves = {tcp.server(), tcp.client()};
                        for (int i = 0; i < 2; i++) {
                            int n = halves[i].countNew();
                            if (n > 0) {
                                ByteBuffer all = halves[i].dataBuffer();
                                ByteBuffer fresh = all.duplicate();
                                fresh.position(all.limit() - n);
                                st[i].update(fresh);
                            }
                        }
                    }
                    default -> {
                        CRC32[] st = (CRC32[]) tcp.user();
                        String what = tcp.nidsState() == Nids.NIDS_CLOSE ? "CLOSE"
                                : tcp.nidsState() == Nids.NIDS_RESET ? "RESET"
                                : tcp.nidsState() == Nids.NIDS_EXITING ? "EXITING" : "TIMEOUT";
                        out.add("TCP " + what + t + " cts=" + tcp.server().count()
                                + String.format(" cts_crc32=%08x", st[0].getValue()) + " stc=" + tcp.client().count()
                                + String.format(" stc_crc32=%08x", st[1].getValue()));
                    }
                }
            });
            s.registerUdp((addr, payload, ip) -> out.add("UDP" + tuple(addr) + " len=" + payload.remaining()
                    + " crc32=" + crc(payload) + " iplen=" + ip.remaining() + " ipcrc32=" + crc(ip)));
            if (warn) {
                s.registerWarning(w -> {
                    if (w.kind() == NidsWarning.Kind.SCAN) {
                        StringBuilder b = new StringBuilder("WARN SCAN src=")
                                .append(Addresses.isIpv6(w.src()) ? "[" + w.src() + "]" : w.src())
                                .append(" probes=").append(w.probes().size());
                        char sep = ' ';
                        for (ScanProbe p : w.probes()) {
                            b.append(sep).append(endpoint(p.host(), p.port())).append('/').append(p.flags());
                            sep = ',';
                        }
                        out.add(b.toString());
                    } else {
                        out.add("WARN " + w.kind() + " code=" + w.code() + " "
                                + endpoint(w.src() == null ? "0.0.0.0" : w.src(), w.sport()) + " "
                                + endpoint(w.dst() == null ? "0.0.0.0" : w.dst(), w.dport()) + " " + w.message());
                    }
                });
            }
            s.init();
            s.run();
        } catch (NidsException e) {
            out.add("ERROR");
        }
        return out;
    }

    /** nids_dump's lines of the same kinds. */
    static List<String> cDump(Path capture, List<String> options) {
        return NidsDumpC.normalized(NidsDumpC.dump(capture, options).lines()).stream()
                .filter(l -> l.startsWith("TCP EST") || l.startsWith("TCP CLOSE") || l.startsWith("TCP RESET")
                        || l.startsWith("TCP TIMEOUT") || l.startsWith("TCP EXITING") || l.startsWith("UDP")
                        || l.startsWith("WARN") || l.equals("ERROR"))
                .collect(Collectors.toList());
    }

    private Path write(String name, int linktype, List<byte[]> frames) throws Exception {
        PcapWriter w = new PcapWriter(linktype);
        long t = 1_700_000_000_000_000L;
        for (byte[] f : frames) w.packet(t += 100, f);
        return w.write(tmp.resolve(name + ".pcap"));
    }

    private static String crcOf(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return String.format("%08x", c.getValue());
    }

    static final String CLOSE_LINE = "TCP CLOSE [2001:db8::1]:40000 [2001:db8:0:1::2]:80 cts=" + REQUEST.length
            + " cts_crc32=" + crcOf(REQUEST) + " stc=" + REPLY.length + " stc_crc32=" + crcOf(REPLY);

    /** An IPv6 conversation, an IPv6 UDP datagram and an IPv4 conversation, as IP datagrams. */
    static List<byte[]> mixedTraffic(List<Ext> exts) {
        List<byte[]> ips = new ArrayList<>(conversation(C, 40000, S, 80, REQUEST, REPLY, exts));
        ips.add(ipv6("fd00::53", "fd00::1", UDP, exts, udp("fd00::53", 53, "fd00::1", 5353, Packets.ascii("answer"))));
        ips.add(Packets.ipv4("10.0.0.1", "10.0.0.2", 6, 1, 0, false,
                Packets.tcp("10.0.0.1", 1234, "10.0.0.2", 80, 1, 0, Packets.SYN, new byte[0])));
        ips.add(Packets.ipv4("10.0.0.2", "10.0.0.1", 6, 1, 0, false,
                Packets.tcp("10.0.0.2", 80, "10.0.0.1", 1234, 9, 2, Packets.SYN | Packets.ACK, new byte[0])));
        ips.add(Packets.ipv4("10.0.0.1", "10.0.0.2", 6, 1, 0, false,
                Packets.tcp("10.0.0.1", 1234, "10.0.0.2", 80, 2, 10, Packets.ACK, new byte[0])));
        ips.add(Packets.ipv4("10.0.0.1", "10.0.0.2", 6, 1, 0, false,
                Packets.tcp("10.0.0.1", 1234, "10.0.0.2", 80, 2, 10, Packets.RST | Packets.ACK, new byte[0])));
        return ips;
    }

    private static final List<String> EXPECTED = List.of(
            "TCP EST [2001:db8::1]:40000 [2001:db8:0:1::2]:80",
            CLOSE_LINE,
            "UDP [fd00::53]:53 [fd00::1]:5353 len=6 crc32=" + crcOf(Packets.ascii("answer")) + " iplen=54",
            "TCP EST 10.0.0.1:1234 10.0.0.2:80",
            "TCP RESET 10.0.0.1:1234 10.0.0.2:80 cts=0 cts_crc32=00000000 stc=0 stc_crc32=00000000");

    private static List<String> withoutIpCrc(List<String> lines) {
        return lines.stream().map(l -> l.replaceAll(" ipcrc32=[0-9a-f]+", "")).collect(Collectors.toList());
    }

    private record LinkCase(String name, int linktype, int vlan, int family) { }

    /** IPv6 on every link type libnids reads, next to IPv4 where the link type carries both. */
    @TestFactory
    List<DynamicTest> everyLinkTypeCarriesIpv6() {
        List<LinkCase> cases = List.of(new LinkCase("ethernet", PcapWriter.LINKTYPE_ETHERNET, -1, 0),
                new LinkCase("vlan", PcapWriter.LINKTYPE_ETHERNET, 42, 0),
                new LinkCase("sll", PcapWriter.LINKTYPE_LINUX_SLL, -1, 0),
                new LinkCase("raw", PcapWriter.LINKTYPE_RAW, -1, 0),
                new LinkCase("null-af24", PcapWriter.LINKTYPE_NULL, -1, 24),
                new LinkCase("null-af28", PcapWriter.LINKTYPE_NULL, -1, 28),
                new LinkCase("null-af30", PcapWriter.LINKTYPE_NULL, -1, 30),
                new LinkCase("ieee802_11", LINKTYPE_IEEE802_11, -1, 0),
                new LinkCase("linktype-ipv6", LINKTYPE_IPV6, -1, 0));
        List<DynamicTest> tests = new ArrayList<>();
        for (LinkCase lc : cases) {
            tests.add(DynamicTest.dynamicTest(lc.name, () -> {
                boolean v6only = lc.linktype == LINKTYPE_IPV6;
                List<byte[]> frames = new ArrayList<>();
                for (byte[] ip : mixedTraffic(List.of())) {
                    if (v6only && (ip[0] >> 4) != 6) continue;
                    int family = (ip[0] >> 4) == 6 ? lc.family : 2;
                    frames.add(frame(lc.linktype, lc.vlan, family, ip));
                }
                Path cap = write(lc.name, lc.linktype, frames);
                List<String> java = javaDump(cap, Map.of(), null, false);
                List<String> c = cDump(cap, List.of("--udp"));
                assertEquals(c, java, "Java and nids_dump differ on " + lc.name);
                List<String> expected = v6only ? EXPECTED.subList(0, 3) : EXPECTED;
                assertEquals(expected, withoutIpCrc(java), lc.name);
            }));
        }
        return tests;
    }

    @Test
    void ipv6OffIgnoresIpv6AsLibnids126() throws Exception {
        List<byte[]> frames = new ArrayList<>();
        for (byte[] ip : mixedTraffic(List.of())) frames.add(frame(PcapWriter.LINKTYPE_ETHERNET, -1, 0, ip));
        Path cap = write("off", PcapWriter.LINKTYPE_ETHERNET, frames);
        List<String> java = javaDump(cap, Map.of("ipv6", false), null, true);
        assertEquals(cDump(cap, List.of("--udp", "--warn", "--no-ipv6")), java);
        assertEquals(EXPECTED.subList(3, 5), java, "with ipv6 off only the IPv4 stream is seen, without warnings");

        // Linux cooked: libnids 1.26 hands every packet to the IP layer, which
        // calls an IPv6 header invalid (and reads its bytes 12-19 as addresses).
        frames.clear();
        for (byte[] ip : mixedTraffic(List.of())) frames.add(frame(PcapWriter.LINKTYPE_LINUX_SLL, -1, 0, ip));
        Path sll = write("off-sll", PcapWriter.LINKTYPE_LINUX_SLL, frames);
        List<String> javaSll = javaDump(sll, Map.of("ipv6", false), null, true);
        assertEquals(cDump(sll, List.of("--udp", "--warn", "--no-ipv6")), javaSll);
        assertEquals(9, javaSll.stream().filter(l -> l.startsWith("WARN IP code=4 ")).count(), String.join("\n", javaSll));
        assertFalse(javaSll.stream().anyMatch(l -> l.contains("[")), String.join("\n", javaSll));

        // Raw IPv6 is a link type only when IPv6 is decoded.
        Path raw6 = write("off-raw6", LINKTYPE_IPV6, List.of(ipv6(C, S, NONE, new byte[0])));
        assertEquals(List.of("ERROR"), javaDump(raw6, Map.of("ipv6", false), null, false));
        assertEquals(List.of("ERROR"), cDump(raw6, List.of("--no-ipv6")));
        assertEquals(List.of(), javaDump(raw6, Map.of(), null, false));
    }

    @Test
    void ipv6ParameterDefaultsToOn() {
        try (NidsSession s = new NidsSession()) {
            assertEquals(1, s.param("ipv6"));
            s.param("ipv6", false);
            assertEquals(0, s.param("ipv6"));
        }
    }

    /** Every extension header libnids walks over, before TCP and UDP. */
    @Test
    void extensionHeadersAreWalked() throws Exception {
        List<Ext> exts = List.of(options(HOPOPTS), options(DSTOPTS), routing(0), ah(), options(DSTOPTS));
        List<byte[]> frames = new ArrayList<>();
        for (byte[] ip : mixedTraffic(exts)) frames.add(frame(PcapWriter.LINKTYPE_ETHERNET, -1, 0, ip));
        Path cap = write("exts", PcapWriter.LINKTYPE_ETHERNET, frames);
        List<String> java = javaDump(cap, Map.of(), null, true);
        assertEquals(cDump(cap, List.of("--udp", "--warn")), java);
        List<String> expected = new ArrayList<>(EXPECTED);
        expected.set(2, EXPECTED.get(2).replace("iplen=54", "iplen=" + (54 + 8 + 8 + 24 + 24 + 8)));
        assertEquals(expected, withoutIpCrc(java));
    }

    /** Malformed, truncated and source-routed IPv6 datagrams: warned about and dropped, as IPv4's. */
    @Test
    void badIpv6HeadersAreWarnedAndDropped() throws Exception {
        byte[] syn = tcp(C, 40000, S, 80, 1000, 0, Packets.SYN, new byte[0]);
        byte[] routed = ipv6(C, S, TCP, List.of(routing(1)), syn);
        byte[] hopLate = ipv6(C, S, TCP, List.of(options(DSTOPTS), options(HOPOPTS)), syn);
        byte[] good = ipv6(C, S, TCP, List.of(options(DSTOPTS)), syn);
        byte[] chainPastEnd = Packets.slice(good, 0, 40 + 4);
        ByteBuffer.wrap(chainPastEnd).putShort(4, (short) 4);
        byte[] truncated = Packets.slice(good, 0, good.length - 10);  // payload length says more
        byte[] tooShort = Packets.slice(good, 0, 30);
        byte[] jumbo = ipv6(C, S, UDP, udp(C, 1, S, 2, Packets.ascii("jumbo")));  // payload length 0: a jumbogram's
        ByteBuffer.wrap(jumbo).putShort(4, (short) 0);
        List<byte[]> frames = new ArrayList<>();
        for (byte[] ip : List.of(routed, hopLate, chainPastEnd, truncated, jumbo, tooShort)) {
            frames.add(frame(PcapWriter.LINKTYPE_RAW, -1, 0, ip));
        }
        Path cap = write("bad", PcapWriter.LINKTYPE_RAW, frames);
        List<String> java = javaDump(cap, Map.of(), null, true);
        assertEquals(cDump(cap, List.of("--udp", "--warn")), java);
        String ab = " [2001:db8::1]:0 [2001:db8:0:1::2]:0 ";
        assertEquals(List.of("WARN IP code=5" + ab + "Source routed IP frame",
                "WARN IP code=4" + ab + "Invalid IP header",
                "WARN IP code=4" + ab + "Invalid IP header",
                "WARN IP code=4" + ab + "Invalid IP header",
                "WARN IP code=4" + ab + "Invalid IP header",
                "WARN IP code=4 0.0.0.0:0 0.0.0.0:0 Invalid IP header"), java);
    }

    /** TCP and UDP checksums over the IPv6 pseudo-header, and IPv6 checksum rules. */
    @Test
    void checksumsAndIpv6ChecksumRules() throws Exception {
        List<byte[]> frames = new ArrayList<>();
        for (byte[] ip : conversation(C, 40000, S, 80, REQUEST, REPLY, List.of())) {
            byte[] bad = ip.clone();
            bad[40 + 16] ^= 0x5a;  // every segment's checksum wrong
            frames.add(frame(PcapWriter.LINKTYPE_RAW, -1, 0, bad));
        }
        byte[] zero = ipv6("fd00::53", "fd00::1", UDP, withoutChecksum(udp("fd00::53", 53, "fd00::1", 5353, Packets.ascii("x"))));
        frames.add(frame(PcapWriter.LINKTYPE_RAW, -1, 0, zero));
        Path cap = write("sums", PcapWriter.LINKTYPE_RAW, frames);

        assertEquals(List.of(), javaDump(cap, Map.of(), null, false), "wrong checksums and UDP checksum 0 are dropped");
        assertEquals(List.of(), cDump(cap, List.of("--udp")));
        assertEquals(List.of(), javaDump(cap, Map.of(), List.of(Map.entry("0.0.0.0/0", false)), false),
                "IPv4 rules do not apply to IPv6 sources");
        assertEquals(List.of(), javaDump(cap, Map.of(), List.of(Map.entry("2001:db8:1::/48", false)), false));

        List<String> all = javaDump(cap, Map.of(), List.of(Map.entry("::/0", false)), false);
        assertEquals(cDump(cap, List.of("--udp", "--no-checksum")), all);
        assertEquals(3, all.size(), String.join("\n", all));
        assertEquals(CLOSE_LINE, all.get(1));

        List<String> some = javaDump(cap, Map.of(), List.of(Map.entry("2001:db8::/32", false),
                Map.entry("10.0.0.0/8", false)), false);
        assertEquals(all.subList(0, 2), some, "only the 2001:db8::/32 sources are exempted");
        assertEquals(List.of(all.get(2)), javaDump(cap, Map.of(), List.of(Map.entry("2001:db8::/32", true),
                Map.entry("::/0", false)), false), "the first matching rule applies");
        assertEquals(List.of(all.get(2)), javaDump(cap, Map.of(), List.of(Map.entry("fd00::53", false)), false),
                "a bare address is a /128 prefix");
    }

    @Test
    void badIpv6PrefixesAreRefusedWithTheirText() {
        try (NidsSession s = new NidsSession()) {
            for (String bad : List.of("2001:db8::/129", "2001:db8::g/32", "fe80::1%eth0/64", "2001:db8::/x", "::1::2")) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> s.chksumCtl(List.of(Map.entry(bad, false))), bad);
                assertTrue(e.getMessage().contains("'" + bad + "'") && e.getMessage().contains("IPv6 prefix"),
                        e.getMessage());
            }
        }
    }

    /** Port-scan detection for an IPv6 source, through the warning handler. */
    @Test
    void portScanFromAnIpv6Source() throws Exception {
        List<byte[]> frames = new ArrayList<>();
        for (int port = 1; port <= 11; port++) {
            frames.add(frame(PcapWriter.LINKTYPE_RAW, -1, 0, ipv6("2001:db8::bad", "2001:db8::" + port, TCP,
                    tcp("2001:db8::bad", 50000, "2001:db8::" + port, port, 77, 0, Packets.SYN, new byte[0]))));
        }
        Path cap = write("scan", PcapWriter.LINKTYPE_RAW, frames);
        List<String> java = javaDump(cap, Map.of(), null, true);
        assertEquals(cDump(cap, List.of("--warn")), java);
        StringBuilder expected = new StringBuilder("WARN SCAN src=[2001:db8::bad] probes=11");
        for (int port = 1; port <= 11; port++) {
            expected.append(port == 1 ? ' ' : ',').append("[2001:db8::").append(port).append("]:").append(port).append("/2");
        }
        assertEquals(List.of(expected.toString()), java);
    }

    /** The fragments of an upper-layer packet, {@code chunk} bytes each (a multiple of 8), in the given order. */
    static List<byte[]> fragmented(String src, String dst, int proto, int id, byte[] upper, int chunk, int... order) {
        List<byte[]> all = new ArrayList<>();
        for (int off = 0; off < upper.length; off += chunk) {
            int end = Math.min(upper.length, off + chunk);
            all.add(ipv6(src, dst, proto, List.of(options(DSTOPTS), fragment(off / 8, end < upper.length, id)),
                    Packets.slice(upper, off, end)));
        }
        List<byte[]> out = new ArrayList<>();
        for (int i : order) out.add(all.get(i));
        return out;
    }

    /** Fragmented UDP and TCP over IPv6 through reassembly, the IP callback and the protocol handlers. */
    @Test
    void fragmentsAreReassembledAndDelivered() throws Exception {
        byte[] big = Packets.text(3000, 3);
        byte[] datagram = udp("fd00::53", 53, "fd00::1", 5353, big);
        List<byte[]> frames = new ArrayList<>();
        for (byte[] f : fragmented("fd00::53", "fd00::1", UDP, 0x77, datagram, 1232, 2, 0, 1)) {
            frames.add(frame(PcapWriter.LINKTYPE_ETHERNET, -1, 0, f));
        }
        // an atomic fragment (offset 0, M = 0): delivered at once
        frames.add(frame(PcapWriter.LINKTYPE_ETHERNET, -1, 0, ipv6("fd00::53", "fd00::1", UDP,
                List.of(fragment(0, false, 0x78)), udp("fd00::53", 53, "fd00::1", 5353, Packets.ascii("atomic")))));
        // the server's reply split into two fragments, the second first
        List<byte[]> conv = conversation(C, 40000, S, 80, REQUEST, REPLY, List.of());
        for (int i = 0; i < conv.size(); i++) {
            byte[] ip = conv.get(i);
            if (i == 4) {
                for (byte[] f : fragmented(S, C, TCP, 9, Packets.slice(ip, 40, ip.length), 1448, 1, 0, 2)) {
                    frames.add(frame(PcapWriter.LINKTYPE_ETHERNET, -1, 0, f));
                }
            } else {
                frames.add(frame(PcapWriter.LINKTYPE_ETHERNET, -1, 0, ip));
            }
        }
        Path cap = write("frags", PcapWriter.LINKTYPE_ETHERNET, frames);
        List<String> java = javaDump(cap, Map.of(), null, true);
        assertEquals(cDump(cap, List.of("--udp", "--warn")), java);
        assertEquals(List.of("UDP [fd00::53]:53 [fd00::1]:5353 len=3000 crc32=" + crcOf(big) + " iplen=" + (40 + 8 + 8 + 3000),
                "UDP [fd00::53]:53 [fd00::1]:5353 len=6 crc32=" + crcOf(Packets.ascii("atomic")) + " iplen=54",
                "TCP EST [2001:db8::1]:40000 [2001:db8:0:1::2]:80", CLOSE_LINE), withoutIpCrc(java));

        // the IP callback gets the reassembled datagram: the destination options kept, no fragment header
        List<Integer> ipLengths = new ArrayList<>();
        try (NidsSession s = new NidsSession()) {
            s.param("filename", cap.toString());
            s.registerIp(ip -> {
                assertEquals(6, (ip.get(ip.position()) & 0xff) >> 4);
                ipLengths.add(ip.remaining());
            });
            s.init();
            s.run();
        }
        assertEquals(40 + 8 + 8 + 3000, ipLengths.get(0));
        assertEquals(40 + 8 + 6, ipLengths.get(1));

        assertEquals(List.of(), javaDump(cap, Map.of("ipv6", false), null, true), "IPv6 off: nothing");
    }

    /** Overlapping IPv6 fragments (RFC 5722): the datagram is dropped and the warning names its IPv6 addresses. */
    @Test
    void overlappingFragmentsAreWarnedAbout() throws Exception {
        byte[] datagram = udp("fd00::53", 53, "fd00::1", 5353, Packets.text(2000, 4));
        List<byte[]> frames = new ArrayList<>();
        frames.add(frame(PcapWriter.LINKTYPE_RAW, -1, 0, ipv6("fd00::53", "fd00::1", UDP,
                List.of(fragment(0, true, 5)), Packets.slice(datagram, 0, 1024))));
        frames.add(frame(PcapWriter.LINKTYPE_RAW, -1, 0, ipv6("fd00::53", "fd00::1", UDP,
                List.of(fragment(1000 / 8, false, 5)), Packets.slice(datagram, 1000, datagram.length))));
        Path cap = write("overlap", PcapWriter.LINKTYPE_RAW, frames);
        List<String> java = javaDump(cap, Map.of(), null, true);
        assertEquals(cDump(cap, List.of("--udp", "--warn")), java);
        assertEquals(List.of("WARN IP code=3 [fd00::53]:0 [fd00::1]:0 Overlapping IP fragments"), java);
    }

    /** RFC 5952 text. */
    @Test
    void addressesAreRfc5952Text() {
        Map<String, String> cases = Map.ofEntries(
                Map.entry("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
                Map.entry("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
                Map.entry("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
                Map.entry("2001:DB8:0:0:0:0:2:1", "2001:db8::2:1"),
                Map.entry("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),
                Map.entry("0:0:0:0:0:0:0:0", "::"),
                Map.entry("0:0:0:0:0:0:0:1", "::1"),
                Map.entry("1:0:0:0:0:0:0:0", "1::"),
                Map.entry("fe80:0:0:0:0abc:0:0:1", "fe80::abc:0:0:1"),
                Map.entry("0:0:0:0:0:ffff:c000:0201", "::ffff:192.0.2.1"),
                Map.entry("0:0:0:0:0:0:c000:0201", "::c000:201"),
                Map.entry("1:2:3:4:5:6:7:0", "1:2:3:4:5:6:7:0"),
                Map.entry("0:1:0:0:1:0:0:0", "0:1:0:0:1::"),
                Map.entry("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
        cases.forEach((in, out) -> assertEquals(out, Addresses.text(Ipv6Frames.addr(in)), in));
        assertEquals("192.0.2.1", Addresses.text(new byte[] {(byte) 192, 0, 2, 1}));
        assertThrows(IllegalArgumentException.class, () -> Addresses.text(new byte[5]));
        assertTrue(new Tuple4("2001:db8::1", 1, "2001:db8::2", 2).isIpv6());
        assertFalse(new Tuple4("10.0.0.1", 1, "10.0.0.2", 2).isIpv6());
    }

    /** The C dumper formats addresses as the Java API does, for the same awkward cases. */
    @Test
    void nidsDumpFormatsAddressesAsJava() throws Exception {
        List<String> addrs = List.of("2001:0:0:1:0:0:0:1", "::ffff:192.0.2.1", "::c000:201", "1::", "0:1:0:0:1::");
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < addrs.size(); i++) {
            String a = addrs.get(i);
            frames.add(frame(PcapWriter.LINKTYPE_RAW, -1, 0,
                    ipv6(a, "::", UDP, udp(a, 1000 + i, "::", 9, Packets.ascii("u" + i)))));
        }
        Path cap = write("text", PcapWriter.LINKTYPE_RAW, frames);
        List<String> java = javaDump(cap, Map.of(), null, false);
        assertEquals(cDump(cap, List.of("--udp")), java);
        assertEquals(5, java.size());
        assertTrue(java.get(0).startsWith("UDP [2001:0:0:1::1]:1000 [::]:9 "), java.get(0));
        assertTrue(java.get(1).startsWith("UDP [::ffff:192.0.2.1]:1001 "), java.get(1));
        assertTrue(java.get(2).startsWith("UDP [::c000:201]:1002 "), java.get(2));
    }
}
