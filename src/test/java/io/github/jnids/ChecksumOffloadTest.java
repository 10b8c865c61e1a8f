package io.github.jnids;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.jnids.testing.NidsDumpJava;
import io.github.jnids.testing.Offload;
import io.github.jnids.testing.Packets;
import io.github.jnids.testing.PcapWriter;
import io.github.jnids.testing.TcpConversation;

/**
 * Parameter {@code checksums}: with "auto", packets whose checksums were left
 * wrong by checksum offloading reach the handlers exactly as with checksums
 * off (the C oracle: nids_dump --no-checksum on the same capture), while packets
 * damaged at random are still dropped exactly as libnids drops them (nids_dump
 * with no option).
 */
class ChecksumOffloadTest extends NidsTestBase {
    private static final List<String> OPTIONS = List.of("--udp", "--warn");
    private static final long T0 = 1_700_000_000_000_000L;

    /**
     * Two TCP conversations in which 10.0.0.1 is client of one and server of the other,
     * with data both ways, and UDP datagrams both ways; {@code segments} data segments
     * each way per conversation.
     */
    private Path conversations(String name, int segments) throws IOException {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation a = new TcpConversation(w, "10.0.0.1", 40000, "10.0.0.2", 80).at(T0).handshake();
        TcpConversation b = new TcpConversation(w, "10.0.0.3", 40001, "10.0.0.1", 22).at(T0 + 500).handshake();
        for (int i = 0; i < segments; i++) {
            a.clientSends(Packets.text(100 + i, i)).serverSends(Packets.text(700 + i, i + 1));
            b.serverSends(Packets.text(300 + i, i + 2)).clientSends(Packets.text(50 + i, i + 3));
        }
        a.close();
        b.reset();
        for (int i = 0; i < 3; i++) {
            w.packet(T0 + 9_000_000 + i, Packets.ethernet(Packets.ipv4("10.0.0.1", "10.0.0.53", 17,
                    Packets.udp("10.0.0.1", 5353, "10.0.0.53", 53, Packets.text(20 + i, i)))));
            w.packet(T0 + 9_000_100 + i, Packets.ethernet(Packets.ipv4("10.0.0.53", "10.0.0.1", 17,
                    Packets.udp("10.0.0.53", 53, "10.0.0.1", 5353, Packets.text(60 + i, i)))));
        }
        return write(name, w);
    }

    private static List<String> c(Path capture, List<String> options) throws Exception {
        DifferentialTest.Output out = DifferentialTest.runTool(capture, options);
        assertEquals(0, out.status(), "nids_dump on " + capture);
        return out.lines();
    }

    private static List<String> java(Path capture, String checksums, String... more) {
        List<String> options = new ArrayList<>(OPTIONS);
        options.addAll(List.of(more));
        if (checksums != null) options.add("--checksums=" + checksums);
        NidsDumpJava.Result r = NidsDumpJava.dump(capture, options);
        assertEquals(0, r.status(), () -> String.join("\n", r.lines()));
        return r.lines();
    }

    private static List<String> with(String option) {
        List<String> o = new ArrayList<>(OPTIONS);
        o.add(0, option);
        return o;
    }

    @ParameterizedTest
    @EnumSource(Offload.Style.class)
    void offloadedSenderIsKeptAsWithChecksumsOff(Offload.Style style) throws Exception {
        Path cap = Offload.offload(conversations("offloaded.pcap", 6), "10.0.0.1", style);
        List<String> off = c(cap, with("--no-checksum"));
        List<String> verified = c(cap, OPTIONS);
        assertNotEquals(off, verified, "libnids drops the offloaded packets (else this test proves nothing)");
        DifferentialTest.assertSameLines(off, java(cap, "auto"), style + ": auto vs C nids_dump --no-checksum");
        DifferentialTest.assertSameLines(verified, java(cap, null), style + ": default vs C nids_dump");
        DifferentialTest.assertSameLines(verified, java(cap, "on"), style + ": on vs C nids_dump");
        DifferentialTest.assertSameLines(off, java(cap, "off"), style + ": off vs C nids_dump --no-checksum");
    }

    @ParameterizedTest
    @EnumSource(Offload.Style.class)
    void reportNamesTheOffloadingSender(Offload.Style style) throws IOException {
        Path cap = Offload.offload(conversations("offloaded.pcap", 6), "10.0.0.1", style);
        Nids.param("checksums", "auto");
        runFile(cap);
        ChecksumReport r = Nids.checksumReport();
        assertEquals("auto", r.mode());
        // 10.0.0.1: handshakes (SYN, ACK; SYN+ACK), 6 data and 6 ACKs in each conversation,
        // FIN and final ACK of the first, 3 datagrams
        long sent = 2 + 1 + 12 + 12 + 2 + 3;
        assertEquals(1, r.senders().size(), r::toString);
        ChecksumReport.Sender s = r.senders().get(0);
        assertEquals("10.0.0.1", s.address());
        assertEquals(sent, s.packets(), r::toString);
        assertEquals(sent, s.offloaded(), r::toString);
        assertEquals(sent, r.offloaded());
        assertEquals(style == Offload.Style.WRONG_VALUE ? 0 : sent, r.signature(), r::toString);
        assertTrue(s.exempt(), "all its packets were wrong: the share rule holds too");
        assertTrue(r.offloadFound());
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void randomDamageIsStillDropped(long seed) throws Exception {
        assertDamageIsDropped(Offload.damage(conversations("damaged.pcap", 20), seed, 4), "seed " + seed);
    }

    /** A capture with damaged segments: "auto" drops them as libnids does, and reports no offload. */
    private static void assertDamageIsDropped(Path cap, String what) throws Exception {
        List<String> verified = c(cap, OPTIONS);
        assertNotEquals(c(cap, with("--no-checksum")), verified, "the damage changes libnids' output");
        DifferentialTest.assertSameLines(verified, java(cap, "auto"), what + ": auto vs C nids_dump");
        Nids.param("checksums", "auto");
        runFile(cap);
        ChecksumReport r = Nids.checksumReport();
        assertEquals(0, r.offloaded(), r::toString);
        assertFalse(r.offloadFound(), r::toString);
    }

    @Test
    void offloadAndDamageTogether() throws Exception {
        // 10.0.0.1 offloads; the other hosts' segments are damaged at random: the first are
        // kept, the second dropped, as libnids does when told to skip 10.0.0.1 only.
        Path cap = Offload.damage(Offload.offload(conversations("both.pcap", 20), "10.0.0.1",
                Offload.Style.PSEUDO_SUM), 7, 3);
        List<String> auto = java(cap, "auto");
        List<String> exemptByHand = java(cap, null, "--unverified=10.0.0.1/32");
        DifferentialTest.assertSameLines(exemptByHand, auto, "auto vs chksumCtl(10.0.0.1/32 unverified)");
        assertNotEquals(java(cap, "off"), auto, "the damaged segments are dropped");
    }

    @Test
    void userRulesStillApplyInAuto() throws IOException {
        // Damage at random, and a rule that skips 10.0.0.3: its damaged segments are kept.
        Path cap = Offload.damage(conversations("damaged.pcap", 20), 11, 3);
        List<String> libnids = java(cap, null, "--unverified=10.0.0.3/32");
        List<String> auto = java(cap, "auto", "--unverified=10.0.0.3/32");
        assertNotEquals(java(cap, "auto"), auto, "the rule keeps damaged segments");
        DifferentialTest.assertSameLines(libnids, auto, "auto with a rule vs libnids with the rule");
    }

    @Test
    void firstPacketsOfAFileAreJudgedBeforeLibnidsSeesThem() throws Exception {
        // No signature: only the share rule can tell, and the SYN is the sender's first packet.
        Path cap = Offload.offload(conversations("wrong.pcap", 2), "10.0.0.1", Offload.Style.WRONG_VALUE);
        List<String> auto = java(cap, "auto");
        assertTrue(auto.stream().anyMatch(l -> l.startsWith("TCP CLOSE 10.0.0.1:40000")), () -> String.join("\n", auto));
        DifferentialTest.assertSameLines(c(cap, with("--no-checksum")), auto, "auto vs nids_dump --no-checksum");
    }

    /** A testdata capture copied into the test's directory (the rewrites change it in place). */
    private Path copyOf(String name) throws IOException {
        Path from = io.github.jnids.testing.DumpCases.BASE.resolve("testdata/captured").resolve(name);
        assertTrue(Files.isReadable(from), from + " is missing");
        return Files.copy(from, dir.resolve(from.getFileName()));
    }

    /**
     * IPv6, a real capture taken on the sending host (captured/ipv6/offload.pcap, make-ipv6-offload.sh:
     * the client's veth with checksum and segmentation offloads on): its segments carry the partial sum.
     */
    @Test
    void ipv6SendingHostCaptureIsKept() throws Exception {
        Path cap = copyOf("ipv6/offload.pcap");
        List<String> off = c(cap, with("--no-checksum"));
        List<String> verified = c(cap, OPTIONS);
        assertTrue(off.stream().filter(l -> l.startsWith("TCP CLOSE [fd00:77::1]")).count() == 2, () -> String.join("\n", off));
        assertNotEquals(verified, off, "libnids drops the offloaded segments");
        DifferentialTest.assertSameLines(off, java(cap, "auto"), "auto vs C nids_dump --no-checksum");
        DifferentialTest.assertSameLines(verified, java(cap, "on"), "on vs C nids_dump");
        Nids.param("checksums", "auto");
        runFile(cap);
        ChecksumReport r = Nids.checksumReport();
        assertEquals(1, r.senders().size(), r::toString);
        ChecksumReport.Sender s = r.senders().get(0);
        assertEquals("fd00:77::1", s.address());
        assertTrue(s.exempt(), r::toString);
        assertEquals(s.packets(), s.offloaded(), r::toString);
        assertEquals(r.offloaded(), r.signature(), "Linux leaves the pseudo-header sum: " + r);
    }

    /** IPv6: a real capture with right checksums (captured/ipv6/http-small.pcap), one sender's made offloaded. */
    @ParameterizedTest
    @EnumSource(value = Offload.Style.class, names = {"PSEUDO_SUM", "WRONG_VALUE"})
    void ipv6OffloadedSenderIsKeptAsWithChecksumsOff(Offload.Style style) throws Exception {
        Path cap = Offload.offload(copyOf("ipv6/http-small.pcap"), "fd00:77::2", style);
        List<String> off = c(cap, with("--no-checksum"));
        List<String> verified = c(cap, OPTIONS);
        assertNotEquals(off, verified, "libnids drops the offloaded packets (else this test proves nothing)");
        DifferentialTest.assertSameLines(off, java(cap, "auto"), style + ": auto vs C nids_dump --no-checksum");
        DifferentialTest.assertSameLines(verified, java(cap, "on"), style + ": on vs C nids_dump");
        Nids.param("checksums", "auto");
        runFile(cap);
        ChecksumReport r = Nids.checksumReport();
        assertEquals("fd00:77::2", r.senders().get(0).address(), r::toString);
        assertEquals(style == Offload.Style.WRONG_VALUE ? 0 : r.offloaded(), r.signature(), r::toString);
    }

    /** IPv6: segments damaged at random in a real transfer are still dropped as libnids drops them. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void ipv6RandomDamageIsStillDropped(long seed) throws Exception {
        assertDamageIsDropped(Offload.damage(copyOf("ipv6/concurrent.pcap"), seed, 4), "IPv6, seed " + seed);
    }

    @Test
    void sharedCapturesAsWithChecksumsOffWhereOffloaded() throws Exception {
        Path dir = sharedPcaps();
        List<String> offloaded = List.of("http-session.pcap", "connection-to-google.pcapng", "socks5-telnet.pcapng",
                "telnet.pcap");
        List<String> right = List.of("http_witp_jpegs.cap", "ssh.pcap", "sftp.pcap");
        for (String name : offloaded) {
            Path cap = dir.resolve(name);
            assumeTrue(Files.isReadable(cap), cap + " is absent");
            List<String> off = c(cap, with("--no-checksum"));
            assertNotEquals(c(cap, OPTIONS), off, name + " is offloaded");
            DifferentialTest.assertSameLines(off, java(cap, "auto"), name + ": auto vs C nids_dump --no-checksum");
        }
        for (String name : right) {
            Path cap = dir.resolve(name);
            assumeTrue(Files.isReadable(cap), cap + " is absent");
            DifferentialTest.assertSameLines(c(cap, OPTIONS), java(cap, "auto"), name + ": auto vs C nids_dump");
        }
    }

    @Test
    void sharedCaptureReport() {
        Path cap = sharedPcap("http-session.pcap");
        Nids.param("checksums", "on");
        runFile(cap);
        ChecksumReport r = Nids.checksumReport();
        assertEquals("on", r.mode());
        // 10.0.2.15 is the capturing host (a VirtualBox guest): 249 of its 259 TCP/UDP
        // packets carry the pseudo-header sum; the NAT engine's packets to it, a few.
        ChecksumReport.Sender host = r.senders().get(0);
        assertEquals("10.0.2.15", host.address());
        assertEquals(259, host.packets());
        assertEquals(249, host.offloaded());
        assertTrue(host.exempt());
        assertEquals(263, r.offloaded());
        assertEquals(263, r.signature());
    }

    @Test
    void defaultIsLibnidsAndReportsNothing() throws IOException {
        assertNull(Nids.param("checksums"));
        runFile(conversations("plain.pcap", 1));
        assertNull(Nids.checksumReport());
    }

    @Test
    void modesAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> Nids.param("checksums", "sometimes"));
        assertThrows(IllegalArgumentException.class, () -> Nids.param("checksums", 1));
        Nids.param("checksums", "AUTO");
        assertEquals("auto", Nids.param("checksums"));
        assertEquals("auto", Nids.param("checksums", null));
        assertNull(Nids.param("checksums"));
    }

    @Test
    void modeIsFixedWhileASessionIsOpen() throws IOException {
        open(conversations("plain.pcap", 1));
        assertThrows(IllegalStateException.class, () -> Nids.param("checksums", "auto"));
    }
}
