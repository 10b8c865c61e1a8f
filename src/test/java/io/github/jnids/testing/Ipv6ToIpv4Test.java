package io.github.jnids.testing;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.github.jnids.testing.Ipv6Packets.Framing;

/** The IPv6-to-IPv4 translator of the IPv6 oracle: addresses, checksums, fragments, link layers, malformed input. */
class Ipv6ToIpv4Test {
    static final String A = "2001:db8::1", B = "2001:db8:0:1::2";

    /** Translates IPv6 datagrams framed as given, one record each; gives the translation. */
    static Ipv6ToIpv4.Translation translate(Framing f, List<byte[]> datagrams) {
        PcapWriter w = new PcapWriter(f.linktype);
        long t = 1_000_000;
        for (byte[] d : datagrams) w.packet(t += 10, Ipv6Packets.frame(f, d));
        return Ipv6ToIpv4.translate(w.bytes());
    }

    static List<byte[]> frames(Ipv6ToIpv4.Translation t) {
        List<byte[]> out = new ArrayList<>();
        for (CaptureReader.Record r : CaptureReader.read(t.capture(), "translation").records()) out.add(r.data());
        return out;
    }

    /** The IPv4 datagram of an Ethernet frame. */
    static byte[] ip4(byte[] frame) {
        assertEquals(0x0800, Ipv6ToIpv4.u16(frame, 12), "ethertype");
        return Arrays.copyOfRange(frame, 14, frame.length);
    }

    static boolean transportChecksumOk(byte[] ip) {
        int hl = (ip[0] & 0x0f) * 4, len = Ipv6ToIpv4.u16(ip, 2);
        int sum = 0;
        for (int i = 12; i < 20; i += 2) sum += Ipv6ToIpv4.u16(ip, i);
        sum += ip[9] & 0xff;
        sum += len - hl;
        return Packets.checksum(ip, hl, len - hl, sum) == 0;
    }

    static String addr(byte[] ip, int at) {
        return Ipv6ToIpv4.text(Arrays.copyOfRange(ip, at, at + 4));
    }

    @Test
    void rfc5952Text() {
        assertEquals("2001:db8::1", Ipv6ToIpv4.rfc5952(Ipv6ToIpv4.ipv6("2001:0DB8:0000:0000:0000:0000:0000:0001")));
        assertEquals("2001:db8:0:1:1:1:1:1", Ipv6ToIpv4.rfc5952(Ipv6ToIpv4.ipv6("2001:db8:0:1:1:1:1:1")));
        assertEquals("2001:0:0:1::1", Ipv6ToIpv4.rfc5952(Ipv6ToIpv4.ipv6("2001:0:0:1:0:0:0:1")));
        assertEquals("2001:db8::1:0:0:1", Ipv6ToIpv4.rfc5952(Ipv6ToIpv4.ipv6("2001:db8:0:0:1:0:0:1")));
        assertEquals("::", Ipv6ToIpv4.rfc5952(new byte[16]));
        assertEquals("::1", Ipv6ToIpv4.rfc5952(Ipv6ToIpv4.ipv6("::1")));
        assertEquals("fe80::", Ipv6ToIpv4.rfc5952(Ipv6ToIpv4.ipv6("fe80::")));
        assertEquals("::ffff:10.0.0.1", Ipv6ToIpv4.rfc5952(Ipv6ToIpv4.ipv6("::ffff:10.0.0.1")));
    }

    @Test
    void addressesMapOneToOneOntoUnusedIpv4AddressesAndBack() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        // the capture's own IPv4 packets use 198.18.0.1: the translator must skip it
        w.ipPacket(1, Packets.ipv4("198.18.0.1", "198.18.0.2", 17, Packets.udp("198.18.0.1", 1, "198.18.0.2", 2, new byte[4])));
        w.packet(2, Ipv6Packets.frame(Framing.ETHERNET, Ipv6Packets.datagram(A, B, 17, Ipv6Packets.udp(A, 1, B, 2, new byte[4]))));
        w.packet(3, Ipv6Packets.frame(Framing.ETHERNET, Ipv6Packets.datagram(B, "fe80::1", 17, Ipv6Packets.udp(B, 1, "fe80::1", 2, new byte[4]))));
        Ipv6ToIpv4.Translation t = Ipv6ToIpv4.translate(w.bytes());
        assertEquals(Map.of("198.18.0.3", A, "198.18.0.4", B, "198.18.0.5", "fe80::1"), t.toIpv6());
        List<byte[]> f = frames(t);
        assertEquals(3, f.size());
        assertEquals("198.18.0.1", addr(ip4(f.get(0)), 12));          // IPv4 copied unchanged
        assertEquals("198.18.0.3", addr(ip4(f.get(1)), 12));
        assertEquals("198.18.0.4", addr(ip4(f.get(2)), 12));
        List<String> back = Ipv6Oracle.mapBack(List.of("UDP 198.18.0.3:1 198.18.0.4:2 len=4", "WARN SCAN src=198.18.0.5 probes=1 198.18.0.1:9/2"), t.toIpv6());
        assertEquals(List.of("UDP [2001:db8::1]:1 [2001:db8:0:1::2]:2 len=4", "WARN SCAN src=[fe80::1] probes=1 198.18.0.1:9/2"), back);
    }

    @Test
    void segmentsKeptByteForByteWithChecksumsRightOrWrong() {
        byte[] data = Packets.text(333, 1);
        byte[] tcp = Ipv6Packets.tcp(A, 40000, B, 80, 7, 9, Packets.ACK | Packets.PSH, 0, data);
        byte[] udp = Ipv6Packets.udp(A, 53, B, 5353, data);
        byte[] badTcp = tcp.clone();
        badTcp[17] ^= 1;
        byte[] zeroUdp = udp.clone();
        zeroUdp[6] = 0;
        zeroUdp[7] = 0;
        List<byte[]> f = frames(translate(Framing.ETHERNET, List.of(Ipv6Packets.datagram(A, B, 6, tcp),
                Ipv6Packets.datagram(A, B, 17, udp), Ipv6Packets.datagram(A, B, 6, badTcp), Ipv6Packets.datagram(A, B, 17, zeroUdp))));
        byte[] t4 = ip4(f.get(0)), u4 = ip4(f.get(1)), b4 = ip4(f.get(2)), z4 = ip4(f.get(3));
        assertEquals(20 + tcp.length, Ipv6ToIpv4.u16(t4, 2));
        assertEquals(6, t4[9]);
        assertEquals(64, t4[8] & 0xff, "hop limit as TTL");
        assertEquals(0, Packets.checksum(t4, 0, 20, 0), "IPv4 header checksum");
        assertTrue(transportChecksumOk(t4));
        assertTrue(transportChecksumOk(u4));
        assertFalse(transportChecksumOk(b4), "a wrong checksum stays wrong");
        assertFalse(transportChecksumOk(z4), "a zero UDP checksum (invalid in IPv6) is wrong in IPv4");
        assertNotEquals(0, Ipv6ToIpv4.u16(z4, 26), "and not 0, IPv4's 'no checksum'");
        byte[] seg = Arrays.copyOfRange(t4, 20, t4.length);
        seg[16] = tcp[16];
        seg[17] = tcp[17];
        assertArrayEquals(tcp, seg, "the segment is the original but for its checksum");
        assertArrayEquals(Arrays.copyOfRange(udp, 8, udp.length), Arrays.copyOfRange(u4, 28, u4.length));
    }

    @Test
    void extensionHeadersAreDroppedAndASourceRouteBecomesLsrr() {
        byte[] udp = Ipv6Packets.udp(A, 1, B, 2, Packets.text(50, 2));
        String last = "2001:db8:ffff::7";
        byte[] routed = Ipv6Packets.udp(A, 1, last, 2, Packets.text(50, 3));
        List<byte[]> f = frames(translate(Framing.ETHERNET, List.of(
                Ipv6Packets.datagram(A, B, List.of(Ipv6Packets.hopByHop(1), Ipv6Packets.destinationOptions(0),
                        Ipv6Packets.routing(0, 0, "2001:db8::9"), Ipv6Packets.authentication(12, 5, 6)), 17, udp),
                Ipv6Packets.datagram(A, B, List.of(Ipv6Packets.routing(0, 1, last)), 17, routed))));
        byte[] a = ip4(f.get(0)), b = ip4(f.get(1));
        assertEquals(17, a[9]);
        assertEquals(20 + udp.length, Ipv6ToIpv4.u16(a, 2));
        assertTrue(transportChecksumOk(a));
        // a routing header with a segment left: an IPv4 header with a loose source route, which libnids drops
        assertEquals(0x47, b[0] & 0xff, "header length 7: 20 bytes and an 8-byte option");
        assertArrayEquals(new byte[] {(byte) 131, 7, 4}, Arrays.copyOfRange(b, 20, 23), "LSRR, length 7, pointer 4");
        assertEquals(0, b[27], "end of options");
        assertEquals(28 + routed.length, Ipv6ToIpv4.u16(b, 2));
        assertEquals(0, Packets.checksum(b, 0, 28, 0), "a right header checksum");
    }

    @Test
    void fragmentsKeepOffsetsFlagAndLowIdentification() {
        byte[] udp = Ipv6Packets.udp(A, 7, B, 9, Packets.text(1000, 4));
        List<byte[]> frags = Ipv6Packets.fragments(A, B, List.of(Ipv6Packets.hopByHop(0)),
                List.of(Ipv6Packets.destinationOptions(1)), 17, udp, 0xabcd1234L, 400);
        List<byte[]> f = frames(translate(Framing.ETHERNET, List.of(frags.get(2), frags.get(0), frags.get(1))));
        byte[] last = ip4(f.get(0)), first = ip4(f.get(1)), middle = ip4(f.get(2));
        for (byte[] ip : List.of(last, first, middle)) {
            assertEquals(0x1234, Ipv6ToIpv4.u16(ip, 4), "the low 16 bits of the identification");
            assertEquals(17, ip[9], "the upper layer of the first fragment");
        }
        // the 16 bytes of destination options after the fragment header leave the first fragment: offsets shift by 16
        assertEquals(0x2000, Ipv6ToIpv4.u16(first, 6));
        assertEquals(0x2000 | (400 - 16) / 8, Ipv6ToIpv4.u16(middle, 6));
        assertEquals((800 - 16) / 8, Ipv6ToIpv4.u16(last, 6));
        assertEquals(20 + 400 - 16, Ipv6ToIpv4.u16(first, 2));
        // reassembled, the datagram is the UDP one, with a right IPv4 checksum
        byte[] whole = Packets.concat(Arrays.copyOfRange(first, 20, first.length), Arrays.copyOfRange(middle, 20, middle.length),
                Arrays.copyOfRange(last, 20, last.length));
        assertEquals(udp.length, whole.length);
        assertArrayEquals(Arrays.copyOfRange(udp, 8, udp.length), Arrays.copyOfRange(whole, 8, whole.length));
        byte[] ip = Packets.ipv4(addr(first, 12), addr(first, 16), 17, whole);
        assertTrue(transportChecksumOk(ip));
    }

    @Test
    void atomicFragmentsAreWholeDatagramsAndOverlapsDropTheDatagram() {
        byte[] udp = Ipv6Packets.udp(A, 7, B, 9, Packets.text(48, 5));
        byte[] atomic = Ipv6Packets.fragmentOf(A, B, List.of(), 17, udp, 0, udp.length, false, 0x77);
        byte[] x = Ipv6Packets.fragmentOf(A, B, List.of(), 17, udp, 0, 32, true, 0x88);
        byte[] y = Ipv6Packets.fragmentOf(A, B, List.of(), 17, udp, 24, 56, false, 0x88);
        byte[] z = Ipv6Packets.fragmentOf(A, B, List.of(), 17, udp, 32, 56, false, 0x88);
        Ipv6ToIpv4.Translation t = translate(Framing.ETHERNET, List.of(atomic, x, y, z));
        List<byte[]> f = frames(t);
        byte[] a = ip4(f.get(0));
        assertEquals(0, Ipv6ToIpv4.u16(a, 6), "an atomic fragment is not a fragment");
        assertEquals(20 + udp.length, Ipv6ToIpv4.u16(a, 2));
        byte[] fx = ip4(f.get(1)), fy = ip4(f.get(2)), fz = ip4(f.get(3));
        assertArrayEquals(fx, fy, "the overlapping fragment is written as a copy of the one held");
        assertNotEquals(Ipv6ToIpv4.u16(fx, 4), Ipv6ToIpv4.u16(fz, 4), "a later fragment of the dropped datagram goes elsewhere");
        assertEquals(2, t.droppedFragments());
    }

    @Test
    void linkLayersAreRewrittenForIpv4() {
        byte[] d = Ipv6Packets.datagram(A, B, 17, Ipv6Packets.udp(A, 1, B, 2, new byte[10]));
        assertEquals(0x0800, Ipv6ToIpv4.u16(frames(translate(Framing.VLAN, List.of(d))).get(0), 16));
        assertEquals(0x0800, Ipv6ToIpv4.u16(frames(translate(Framing.SLL, List.of(d))).get(0), 14));
        assertEquals(2, ByteBuffer.wrap(frames(translate(Framing.NULL24, List.of(d))).get(0)).order(ByteOrder.LITTLE_ENDIAN).getInt());
        assertEquals(2, ByteBuffer.wrap(frames(translate(Framing.NULL28, List.of(d))).get(0)).order(ByteOrder.BIG_ENDIAN).getInt());
        assertEquals(2, ByteBuffer.wrap(frames(translate(Framing.NULL30, List.of(d))).get(0)).order(ByteOrder.LITTLE_ENDIAN).getInt());
        assertEquals(0x45, frames(translate(Framing.RAW, List.of(d))).get(0)[0]);
    }

    @Test
    void malformedHeadersBecomeInvalidIpv4Headers() {
        byte[] good = Ipv6Packets.datagram(A, B, 17, Ipv6Packets.udp(A, 1, B, 2, new byte[10]));
        byte[] badNext = Ipv6Packets.datagram(A, B, List.of(Ipv6Packets.destinationOptions(0), Ipv6Packets.hopByHop(0)), 17,
                Ipv6Packets.udp(A, 1, B, 2, new byte[10]));
        byte[] v4 = good.clone();
        v4[0] = 0x40;
        Ipv6ToIpv4.Translation t = translate(Framing.ETHERNET, List.of(badNext, v4, Arrays.copyOf(good, 30)));
        List<byte[]> f = frames(t);
        assertEquals(19, Ipv6ToIpv4.u16(ip4(f.get(0)), 2), "a total length shorter than the header");
        assertArrayEquals(v4, ip4(f.get(1)), "version 4 in an IPv6 frame: the IPv4 packet it is, link rewritten");
        assertEquals(15, ip4(f.get(2)).length, "a cut IPv6 header gives a cut IPv4 header");
        assertEquals(2, t.malformed());
    }

    @Test
    void pcapngInputIsRead() {
        PcapngWriter w = new PcapngWriter(PcapWriter.LINKTYPE_ETHERNET, 262144, "ipv6");
        byte[] d = Ipv6Packets.datagram(A, B, 17, Ipv6Packets.udp(A, 1, B, 2, new byte[10]));
        w.packet(5_000_001, Ipv6Packets.frame(Framing.ETHERNET, d));
        Ipv6ToIpv4.Translation t = Ipv6ToIpv4.translate(w.bytes());
        CaptureReader.Capture c = CaptureReader.read(t.capture(), "t");
        assertEquals(1, c.records().size());
        assertEquals(5_000_001_000L, c.records().get(0).nanos());
        assertTrue(transportChecksumOk(ip4(c.records().get(0).data())));
    }
}
