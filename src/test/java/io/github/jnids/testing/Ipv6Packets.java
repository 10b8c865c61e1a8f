package io.github.jnids.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds IPv6 datagrams for synthesized captures: the IPv6 header, extension
 * headers (hop-by-hop, routing, destination options, AH, fragment) chained by
 * their next-header fields, TCP and UDP segments with checksums over the IPv6
 * pseudo-header, fragments, and the link-layer framings libnids reads.
 *
 * <pre>
 *   byte[] seg = Ipv6Packets.udp("2001:db8::1", 5353, "2001:db8::2", 53, data);
 *   byte[] ip = Ipv6Packets.datagram("2001:db8::1", "2001:db8::2", List.of(Ipv6Packets.hopByHop(0)), 17, seg);
 *   byte[] frame = Ipv6Packets.frame(Ipv6Packets.Framing.ETHERNET, ip);
 * </pre>
 */
public final class Ipv6Packets {
    public static final int HOP = 0, TCP = 6, UDP = 17, ROUTING = 43, FRAGMENT = 44, AH = 51, ICMPV6 = 58, NONE = 59,
            DSTOPTS = 60;

    private Ipv6Packets() { }

    /** An extension header: its type and its bytes, whose first byte (next header) the chain fills in. */
    public record Ext(int type, byte[] bytes) { }

    /** A hop-by-hop header of 8 * (1 + extra8) bytes, padded with a PadN option. */
    public static Ext hopByHop(int extra8) {
        return new Ext(HOP, options(extra8));
    }

    /** A destination-options header of 8 * (1 + extra8) bytes, padded with a PadN option. */
    public static Ext destinationOptions(int extra8) {
        return new Ext(DSTOPTS, options(extra8));
    }

    private static byte[] options(int extra8) {
        byte[] b = new byte[8 * (1 + extra8)];
        b[1] = (byte) extra8;
        b[2] = 1;                       // PadN
        b[3] = (byte) (b.length - 4);
        return b;
    }

    /** A routing header of a type with segments left and addresses (type 0 and 2 layout: 4 reserved bytes, then addresses). */
    public static Ext routing(int type, int segmentsLeft, String... addresses) {
        ByteBuffer b = ByteBuffer.allocate(8 + 16 * addresses.length);
        b.put((byte) 0).put((byte) (2 * addresses.length)).put((byte) type).put((byte) segmentsLeft).putInt(0);
        for (String a : addresses) b.put(Ipv6ToIpv4.ipv6(a));
        return new Ext(ROUTING, b.array());
    }

    /** An authentication header with an ICV of icvBytes (a multiple of 8 minus 4... any multiple of 4 making 8n bytes). */
    public static Ext authentication(int icvBytes, int spi, int seq) {
        int len = 12 + icvBytes;
        ByteBuffer b = ByteBuffer.allocate(len);
        b.put((byte) 0).put((byte) (len / 4 - 2)).putShort((short) 0).putInt(spi).putInt(seq);
        for (int i = 0; i < icvBytes; i++) b.put((byte) (0xa0 + i));
        return new Ext(AH, b.array());
    }

    /** A fragment header: offset in bytes (a multiple of 8), the M flag, the 32-bit identification. */
    public static Ext fragment(int offset, boolean more, long id) {
        ByteBuffer b = ByteBuffer.allocate(8);
        b.put((byte) 0).put((byte) 0).putShort((short) (offset | (more ? 1 : 0))).putInt((int) id);
        return new Ext(FRAGMENT, b.array());
    }

    /** An IPv6 datagram: header (hop limit 64), the extension headers chained in order, then the upper layer. */
    public static byte[] datagram(String src, String dst, List<Ext> exts, int upper, byte[] payload) {
        ByteArrayBuilder o = new ByteArrayBuilder();
        for (int i = 0; i < exts.size(); i++) {
            byte[] e = exts.get(i).bytes().clone();
            e[0] = (byte) (i + 1 < exts.size() ? exts.get(i + 1).type() : upper);
            o.put(e);
        }
        o.put(payload);
        byte[] body = o.bytes();
        ByteBuffer b = ByteBuffer.allocate(40 + body.length);
        b.putInt(0x60000000).putShort((short) body.length).put((byte) (exts.isEmpty() ? upper : exts.get(0).type()))
                .put((byte) 64).put(Ipv6ToIpv4.ipv6(src)).put(Ipv6ToIpv4.ipv6(dst)).put(body);
        return b.array();
    }

    public static byte[] datagram(String src, String dst, int upper, byte[] payload) {
        return datagram(src, dst, List.of(), upper, payload);
    }

    /**
     * The fragments of a datagram whose fragmentable part (upper layer, and any
     * extension headers of {@code after} before it) is split in pieces of
     * {@code chunk} bytes (a multiple of 8): {@code before} the unfragmentable
     * extension headers, in order.
     */
    public static List<byte[]> fragments(String src, String dst, List<Ext> before, List<Ext> after, int upper,
                                         byte[] payload, long id, int chunk) {
        byte[] part = fragmentable(after, upper, payload);
        int next = after.isEmpty() ? upper : after.get(0).type();
        List<byte[]> out = new ArrayList<>();
        for (int off = 0; off < part.length; off += chunk) {
            int end = Math.min(part.length, off + chunk);
            out.add(fragmentOf(src, dst, before, next, part, off, end, end < part.length, id));
        }
        return out;
    }

    /** The fragmentable part: extension headers after the fragment header, chained, then the upper layer. */
    public static byte[] fragmentable(List<Ext> after, int upper, byte[] payload) {
        ByteArrayBuilder o = new ByteArrayBuilder();
        for (int i = 0; i < after.size(); i++) {
            byte[] e = after.get(i).bytes().clone();
            e[0] = (byte) (i + 1 < after.size() ? after.get(i + 1).type() : upper);
            o.put(e);
        }
        o.put(payload);
        return o.bytes();
    }

    /** One fragment: bytes [from, to) of the fragmentable part {@code part}, whose first header is {@code next}. */
    public static byte[] fragmentOf(String src, String dst, List<Ext> before, int next, byte[] part, int from, int to,
                                    boolean more, long id) {
        List<Ext> chain = new ArrayList<>(before);
        chain.add(fragment(from, more, id));
        return datagram(src, dst, chain, next, java.util.Arrays.copyOfRange(part, from, to));
    }

    /** A TCP segment (no options, window 65535) with its checksum over the IPv6 pseudo-header. */
    public static byte[] tcp(String src, int sport, String dst, int dport, long seq, long ack, int flags, int urp,
                             byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(20 + data.length);
        b.putShort((short) sport).putShort((short) dport).putInt((int) seq).putInt((int) ack).put((byte) 0x50)
                .put((byte) flags).putShort((short) 65535).putShort((short) 0).putShort((short) urp).put(data);
        byte[] seg = b.array();
        ByteBuffer.wrap(seg).putShort(16, (short) Packets.checksum(seg, 0, seg.length, pseudo(src, dst, TCP, seg.length)));
        return seg;
    }

    /** A UDP datagram with its checksum over the IPv6 pseudo-header (0 written as 0xffff). */
    public static byte[] udp(String src, int sport, String dst, int dport, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + data.length);
        b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + data.length)).putShort((short) 0).put(data);
        byte[] seg = b.array();
        int c = Packets.checksum(seg, 0, seg.length, pseudo(src, dst, UDP, seg.length));
        ByteBuffer.wrap(seg).putShort(6, (short) (c == 0 ? 0xffff : c));
        return seg;
    }

    /** An ICMPv6 message (RFC 4443): type, code, the 4 bytes after the checksum, the body; its checksum right. */
    public static byte[] icmpv6(String src, String dst, int type, int code, int word, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(8 + body.length);
        b.put((byte) type).put((byte) code).putShort((short) 0).putInt(word).put(body);
        byte[] m = b.array();
        ByteBuffer.wrap(m).putShort(2, (short) Packets.checksum(m, 0, m.length, pseudo(src, dst, ICMPV6, m.length)));
        return m;
    }

    /** The partial sum of the IPv6 pseudo-header (RFC 8200 8.1). */
    public static int pseudo(String src, String dst, int nextHeader, int length) {
        byte[] s = Ipv6ToIpv4.ipv6(src), d = Ipv6ToIpv4.ipv6(dst);
        long sum = 0;
        for (int i = 0; i < 16; i += 2) sum += Ipv6ToIpv4.u16(s, i) + Ipv6ToIpv4.u16(d, i);
        sum += (length >>> 16) + (length & 0xffff) + nextHeader;
        while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (int) sum;
    }

    /** The link-layer framings of IPv6 that libnids' link types have. */
    public enum Framing {
        ETHERNET(PcapWriter.LINKTYPE_ETHERNET, 14), VLAN(PcapWriter.LINKTYPE_ETHERNET, 18),
        SLL(PcapWriter.LINKTYPE_LINUX_SLL, 16),
        /** BSD loopback, AF_INET6 24 (NetBSD, OpenBSD), little-endian. */
        NULL24(PcapWriter.LINKTYPE_NULL, 4),
        /** AF_INET6 28 (FreeBSD), big-endian. */
        NULL28(PcapWriter.LINKTYPE_NULL, 4),
        /** AF_INET6 30 (macOS), little-endian. */
        NULL30(PcapWriter.LINKTYPE_NULL, 4),
        RAW(PcapWriter.LINKTYPE_RAW, 0);

        public final int linktype;
        /** Bytes of link header before the IPv6 header. */
        public final int header;

        Framing(int linktype, int header) {
            this.linktype = linktype;
            this.header = header;
        }
    }

    /** Frames an IPv6 datagram. */
    public static byte[] frame(Framing f, byte[] ip6) {
        ByteBuffer b;
        switch (f) {
            case ETHERNET -> {
                b = ByteBuffer.allocate(14 + ip6.length);
                b.put(new byte[] {2, 0, 0, 0, 0, 2}).put(new byte[] {2, 0, 0, 0, 0, 1}).putShort((short) 0x86dd);
            }
            case VLAN -> {
                b = ByteBuffer.allocate(18 + ip6.length);
                b.put(new byte[] {2, 0, 0, 0, 0, 2}).put(new byte[] {2, 0, 0, 0, 0, 1}).putShort((short) 0x8100)
                        .putShort((short) 600).putShort((short) 0x86dd);
            }
            case SLL -> {
                b = ByteBuffer.allocate(16 + ip6.length);
                b.putShort((short) 0).putShort((short) 1).putShort((short) 6)
                        .put(new byte[] {2, 0, 0, 0, 0, 1, 0, 0}).putShort((short) 0x86dd);
            }
            case NULL24, NULL28, NULL30 -> {
                b = ByteBuffer.allocate(4 + ip6.length);
                int family = f == Framing.NULL24 ? 24 : f == Framing.NULL28 ? 28 : 30;
                b.order(f == Framing.NULL28 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN).putInt(family);
                b.order(ByteOrder.BIG_ENDIAN);
            }
            default -> b = ByteBuffer.allocate(ip6.length);
        }
        b.put(ip6);
        return b.array();
    }

    /** A growing byte array. */
    static final class ByteArrayBuilder {
        private final java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();

        ByteArrayBuilder put(byte[] b) {
            o.writeBytes(b);
            return this;
        }

        byte[] bytes() {
            return o.toByteArray();
        }
    }
}
