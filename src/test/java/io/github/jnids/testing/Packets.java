package io.github.jnids.testing;

import java.nio.ByteBuffer;

/** Builds Ethernet, IPv4, TCP and UDP frames with correct checksums. */
public final class Packets {
    public static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20;

    private Packets() { }

    public static byte[] ip(String dotted) {
        String[] p = dotted.split("\\.");
        return new byte[] {(byte) Integer.parseInt(p[0]), (byte) Integer.parseInt(p[1]),
                (byte) Integer.parseInt(p[2]), (byte) Integer.parseInt(p[3])};
    }

    /** Wraps an IP datagram in an Ethernet II frame (type 0x0800). */
    public static byte[] ethernet(byte[] ipDatagram) {
        ByteBuffer b = ByteBuffer.allocate(14 + ipDatagram.length);
        b.put(new byte[] {2, 0, 0, 0, 0, 2}).put(new byte[] {2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
        b.put(ipDatagram);
        return b.array();
    }

    /** An IPv4 datagram; {@code fragOffset} in 8-byte units, {@code moreFragments} sets MF. */
    public static byte[] ipv4(String src, String dst, int protocol, int id, int fragOffset, boolean moreFragments,
                              byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + payload.length)).putShort((short) id)
                .putShort((short) ((moreFragments ? 0x2000 : 0) | (fragOffset & 0x1fff)))
                .put((byte) 64).put((byte) protocol).putShort((short) 0).put(ip(src)).put(ip(dst));
        b.putShort(10, (short) checksum(b.array(), 0, 20, 0));
        b.position(20);
        b.put(payload);
        return b.array();
    }

    public static byte[] ipv4(String src, String dst, int protocol, byte[] payload) {
        return ipv4(src, dst, protocol, 1, 0, false, payload);
    }

    public static byte[] tcp(String src, int sport, String dst, int dport, long seq, long ack, int flags,
                             byte[] data) {
        return tcp(src, sport, dst, dport, seq, ack, flags, 0, data);
    }

    /** A TCP segment (header without options, window 65535) with a valid checksum. */
    public static byte[] tcp(String src, int sport, String dst, int dport, long seq, long ack, int flags,
                             int urgentPointer, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(20 + data.length);
        b.putShort((short) sport).putShort((short) dport).putInt((int) seq).putInt((int) ack)
                .put((byte) 0x50).put((byte) flags).putShort((short) 65535).putShort((short) 0)
                .putShort((short) urgentPointer).put(data);
        byte[] seg = b.array();
        int sum = pseudoHeaderSum(src, dst, 6, seg.length);
        ByteBuffer.wrap(seg).putShort(16, (short) checksum(seg, 0, seg.length, sum));
        return seg;
    }

    public static byte[] udp(String src, int sport, String dst, int dport, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + data.length);
        b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + data.length)).putShort((short) 0)
                .put(data);
        byte[] seg = b.array();
        int c = checksum(seg, 0, seg.length, pseudoHeaderSum(src, dst, 17, seg.length));
        ByteBuffer.wrap(seg).putShort(6, (short) (c == 0 ? 0xffff : c));
        return seg;
    }

    private static int pseudoHeaderSum(String src, String dst, int protocol, int length) {
        byte[] s = ip(src), d = ip(dst);
        int sum = 0;
        for (int i = 0; i < 4; i += 2) {
            sum += ((s[i] & 0xff) << 8) | (s[i + 1] & 0xff);
            sum += ((d[i] & 0xff) << 8) | (d[i + 1] & 0xff);
        }
        return sum + protocol + length;
    }

    /** The Internet checksum of a range, starting from a partial sum. */
    public static int checksum(byte[] data, int off, int len, int initial) {
        long sum = initial & 0xffffffffL;
        for (int i = 0; i + 1 < len; i += 2) {
            sum += ((data[off + i] & 0xff) << 8) | (data[off + i + 1] & 0xff);
        }
        if ((len & 1) != 0) sum += (data[off + len - 1] & 0xff) << 8;
        while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (int) (~sum & 0xffff);
    }
}
