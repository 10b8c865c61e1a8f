package io.github.jnids.testing;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * IPv6 datagrams (RFC 8200) with extension headers, TCP and UDP over IPv6
 * with checksums over the IPv6 pseudo-header, and their framing on every link
 * type libnids reads; with {@link #conversation} a whole TCP connection.
 */
public final class Ipv6Frames {
    public static final int HOPOPTS = 0, TCP = 6, UDP = 17, ROUTING = 43, FRAGMENT = 44, AH = 51, NONE = 59,
            DSTOPTS = 60;
    /** Link types beyond PcapWriter's: 802.11 and raw IPv6 (LINKTYPE_IPV6). */
    public static final int LINKTYPE_IEEE802_11 = 105, LINKTYPE_IPV6 = 229;

    private Ipv6Frames() { }

    /** The 16 bytes of an IPv6 address literal. */
    public static byte[] addr(String literal) {
        try {
            byte[] a = InetAddress.getByName("[" + literal + "]").getAddress();
            if (a.length == 16) return a;
            byte[] mapped = new byte[16];
            mapped[10] = mapped[11] = (byte) 0xff;
            System.arraycopy(a, 0, mapped, 12, 4);
            return mapped;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IPv6 literal: " + literal, e);
        }
    }

    /** An extension header: its type (next-header value naming it) and its bytes after the next-header byte. */
    public record Ext(int type, byte[] body) { }

    /** Hop-by-hop or destination options of 8 bytes: PadN filling it. */
    public static Ext options(int type) {
        return new Ext(type, new byte[] {0, 1, 4, 0, 0, 0, 0});
    }

    /** A routing header (type 4, one address) with this many segments left. */
    public static Ext routing(int segmentsLeft) {
        ByteBuffer b = ByteBuffer.allocate(23);
        b.put((byte) 2).put((byte) 4).put((byte) segmentsLeft).put((byte) 0).put((byte) 0).put((byte) 0)
                .put((byte) 0).put(addr("2001:db8::99"));
        return new Ext(ROUTING, b.array());
    }

    /** An authentication header with a 12-byte ICV (24 bytes in all). */
    public static Ext ah() {
        ByteBuffer b = ByteBuffer.allocate(23);
        b.put((byte) 4).putShort((short) 0).putInt(0x1234).putInt(7).put(new byte[12]);
        return new Ext(AH, b.array());
    }

    /** A fragment header. */
    public static Ext fragment(int offset8, boolean more, int id) {
        ByteBuffer b = ByteBuffer.allocate(7);
        b.put((byte) 0).putShort((short) (offset8 << 3 | (more ? 1 : 0))).putInt(id);
        return new Ext(FRAGMENT, b.array());
    }

    /** An IPv6 datagram: header, extension headers in order, then the upper-layer payload of type {@code proto}. */
    public static byte[] ipv6(String src, String dst, int proto, List<Ext> exts, byte[] payload) {
        int extLen = exts.stream().mapToInt(e -> 1 + e.body.length).sum();
        ByteBuffer b = ByteBuffer.allocate(40 + extLen + payload.length);
        int first = exts.isEmpty() ? proto : exts.get(0).type;
        b.putInt(0x60000000).putShort((short) (extLen + payload.length)).put((byte) first).put((byte) 64)
                .put(addr(src)).put(addr(dst));
        for (int i = 0; i < exts.size(); i++) {
            b.put((byte) (i + 1 < exts.size() ? exts.get(i + 1).type : proto)).put(exts.get(i).body);
        }
        b.put(payload);
        return b.array();
    }

    public static byte[] ipv6(String src, String dst, int proto, byte[] payload) {
        return ipv6(src, dst, proto, List.of(), payload);
    }

    private static int pseudoSum(String src, String dst, int proto, int length) {
        byte[] p = ByteBuffer.allocate(40).put(addr(src)).put(addr(dst)).putInt(length).putInt(proto).array();
        return Packets.checksum(p, 0, 40, 0) ^ 0xffff;
    }

    /** A TCP segment (no options, window 65535) with its checksum over the IPv6 pseudo-header. */
    public static byte[] tcp(String src, int sport, String dst, int dport, long seq, long ack, int flags,
                             byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(20 + data.length);
        b.putShort((short) sport).putShort((short) dport).putInt((int) seq).putInt((int) ack)
                .put((byte) 0x50).put((byte) flags).putShort((short) 65535).putShort((short) 0)
                .putShort((short) 0).put(data);
        byte[] seg = b.array();
        ByteBuffer.wrap(seg).putShort(16, (short) Packets.checksum(seg, 0, seg.length, pseudoSum(src, dst, TCP, seg.length)));
        return seg;
    }

    /** A UDP datagram with its checksum over the IPv6 pseudo-header (0 computed is sent as 0xffff). */
    public static byte[] udp(String src, int sport, String dst, int dport, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + data.length);
        b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + data.length)).putShort((short) 0)
                .put(data);
        byte[] d = b.array();
        int sum = Packets.checksum(d, 0, d.length, pseudoSum(src, dst, UDP, d.length));
        ByteBuffer.wrap(d).putShort(6, (short) (sum == 0 ? 0xffff : sum));
        return d;
    }

    /** A copy of a UDP datagram with checksum field 0 ("none", an error over IPv6). */
    public static byte[] withoutChecksum(byte[] udp) {
        byte[] c = udp.clone();
        c[6] = c[7] = 0;
        return c;
    }

    /**
     * Frames an IP datagram (IPv4 or IPv6) for a link type: Ethernet (type
     * 0x86dd or 0x0800 by the version nibble; {@code vlan >= 0} adds an 802.1Q
     * tag), Linux cooked, NULL with the given address family value, 802.11 data
     * with LLC/SNAP, or as is (raw, LINKTYPE_IPV6).
     */
    public static byte[] frame(int linktype, int vlan, int nullFamily, byte[] ip) {
        int type = (ip[0] >> 4 & 0xf) == 6 ? 0x86dd : 0x0800;
        switch (linktype) {
            case PcapWriter.LINKTYPE_ETHERNET: {
                ByteBuffer b = ByteBuffer.allocate(18 + ip.length);
                b.put(new byte[] {2, 0, 0, 0, 0, 2}).put(new byte[] {2, 0, 0, 0, 0, 1});
                if (vlan >= 0) b.putShort((short) 0x8100).putShort((short) vlan);
                b.putShort((short) type).put(ip);
                return Packets.slice(b.array(), 0, b.position());
            }
            case PcapWriter.LINKTYPE_LINUX_SLL: {
                ByteBuffer b = ByteBuffer.allocate(16 + ip.length);
                b.putShort((short) 0).putShort((short) 1).putShort((short) 6)
                        .put(new byte[] {2, 0, 0, 0, 0, 1, 0, 0}).putShort((short) type).put(ip);
                return b.array();
            }
            case PcapWriter.LINKTYPE_NULL: {
                ByteBuffer b = ByteBuffer.allocate(4 + ip.length);
                b.order(ByteOrder.nativeOrder()).putInt(nullFamily).put(ip);
                return b.array();
            }
            case LINKTYPE_IEEE802_11: {
                ByteBuffer b = ByteBuffer.allocate(24 + 8 + ip.length);
                // data frame (type 2, subtype 0), FromDS; duration; three addresses; sequence
                b.put((byte) 0x08).put((byte) 0x02).putShort((short) 0).put(new byte[] {2, 0, 0, 0, 0, 1})
                        .put(new byte[] {2, 0, 0, 0, 0, 2}).put(new byte[] {2, 0, 0, 0, 0, 3}).putShort((short) 0);
                b.put(new byte[] {(byte) 0xaa, (byte) 0xaa, 3, 0, 0, 0}).putShort((short) type).put(ip);
                return b.array();
            }
            default:
                return ip.clone();
        }
    }

    /**
     * A TCP connection over IPv6 as datagrams: handshake, the client's
     * request, the server's reply, FIN each way with their ACKs; sequence
     * numbers from 1000 (client) and 5000 (server).
     */
    public static List<byte[]> conversation(String client, int cport, String server, int sport, byte[] request,
                                            byte[] reply, List<Ext> exts) {
        List<byte[]> out = new ArrayList<>();
        long c = 1000, s = 5000;
        int SYN = Packets.SYN, ACK = Packets.ACK, FIN = Packets.FIN, PSH = Packets.PSH;
        out.add(ipv6(client, server, TCP, exts, tcp(client, cport, server, sport, c, 0, SYN, new byte[0])));
        out.add(ipv6(server, client, TCP, exts, tcp(server, sport, client, cport, s, c + 1, SYN | ACK, new byte[0])));
        c++;
        s++;
        out.add(ipv6(client, server, TCP, exts, tcp(client, cport, server, sport, c, s, ACK, new byte[0])));
        out.add(ipv6(client, server, TCP, exts, tcp(client, cport, server, sport, c, s, PSH | ACK, request)));
        c += request.length;
        out.add(ipv6(server, client, TCP, exts, tcp(server, sport, client, cport, s, c, PSH | ACK, reply)));
        s += reply.length;
        out.add(ipv6(client, server, TCP, exts, tcp(client, cport, server, sport, c, s, FIN | ACK, new byte[0])));
        c++;
        out.add(ipv6(server, client, TCP, exts, tcp(server, sport, client, cport, s, c, FIN | ACK, new byte[0])));
        s++;
        out.add(ipv6(client, server, TCP, exts, tcp(client, cport, server, sport, c, s, ACK, new byte[0])));
        return out;
    }
}
