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

    /** Wraps an IP datagram in an Ethernet frame with an 802.1Q tag (TPID 0x8100, priority 0). */
    public static byte[] ethernetVlan(int vlanId, byte[] ipDatagram) {
        ByteBuffer b = ByteBuffer.allocate(18 + ipDatagram.length);
        b.put(new byte[] {2, 0, 0, 0, 0, 2}).put(new byte[] {2, 0, 0, 0, 0, 1}).putShort((short) 0x8100)
                .putShort((short) (vlanId & 0x0fff)).putShort((short) 0x0800);
        b.put(ipDatagram);
        return b.array();
    }

    /**
     * Wraps an IP datagram in a Linux cooked-mode header (SLL, 16 bytes): packet
     * type 0 (to us), ARPHRD_ETHER, a 6-byte address, protocol 0x0800.
     */
    public static byte[] linuxSll(byte[] ipDatagram) {
        ByteBuffer b = ByteBuffer.allocate(16 + ipDatagram.length);
        b.putShort((short) 0).putShort((short) 1).putShort((short) 6)
                .put(new byte[] {2, 0, 0, 0, 0, 1, 0, 0}).putShort((short) 0x0800);
        b.put(ipDatagram);
        return b.array();
    }

    /**
     * One fragment of an IP datagram whose payload (transport header included)
     * is {@code payload}: bytes {@code [from, to)} of it, at fragment offset
     * {@code from} (a multiple of 8), with MF set when {@code moreFragments}.
     */
    public static byte[] ipFragment(String src, String dst, int protocol, int id, byte[] payload, int from, int to,
                                    boolean moreFragments) {
        if (from % 8 != 0) throw new IllegalArgumentException("fragment offset " + from + " is not a multiple of 8");
        return ipv4(src, dst, protocol, id, from / 8, moreFragments, slice(payload, from, to));
    }

    public static byte[] slice(byte[] a, int from, int to) {
        return java.util.Arrays.copyOfRange(a, from, to);
    }

    public static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) o.writeBytes(p);
        return o.toByteArray();
    }

    public static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /**
     * A copy of {@code data} whose bytes {@code [from, to)} differ but whose
     * Internet checksum does not: in each 4-byte group the two 16-bit words
     * swap places ("ABCD" becomes "CDAB"). {@code from} must be even (relative
     * to the checksummed data) and {@code to - from} a multiple of 4; use it
     * for conflicting copies of data that still pass checksum verification.
     */
    public static byte[] swapWords(byte[] data, int from, int to) {
        if ((to - from) % 4 != 0) throw new IllegalArgumentException("range length not a multiple of 4");
        byte[] c = data.clone();
        for (int i = from; i < to; i += 4) {
            c[i] = data[i + 2];
            c[i + 1] = data[i + 3];
            c[i + 2] = data[i];
            c[i + 3] = data[i + 1];
        }
        return c;
    }

    /** {@code n} printable bytes, a deterministic function of {@code seed}. */
    public static byte[] text(int n, int seed) {
        byte[] b = new byte[n];
        long x = seed * 2654435761L + 12345;
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        for (int i = 0; i < n; i++) {
            x = (x * 6364136223846793005L + 1442695040888963407L);
            b[i] = (byte) alphabet.charAt((int) ((x >>> 33) % alphabet.length()));
        }
        return b;
    }

    /** An Ethernet frame padded with zeros to the 60-byte minimum, as NICs send short datagrams. */
    public static byte[] ethernetPadded(byte[] ipDatagram) {
        byte[] f = ethernet(ipDatagram);
        return f.length >= 60 ? f : java.util.Arrays.copyOf(f, 60);
    }

    /**
     * Splits an IP payload (a UDP or TCP segment) into IPv4 fragments of at most
     * {@code chunk} payload bytes (a multiple of 8), in order.
     */
    public static java.util.List<byte[]> fragments(String src, String dst, int protocol, int id, byte[] payload,
                                                   int chunk) {
        if (chunk % 8 != 0) throw new IllegalArgumentException("chunk must be a multiple of 8");
        java.util.List<byte[]> out = new java.util.ArrayList<>();
        for (int off = 0; off < payload.length; off += chunk) {
            int n = Math.min(chunk, payload.length - off);
            out.add(ipv4(src, dst, protocol, id, off / 8, off + n < payload.length,
                    java.util.Arrays.copyOfRange(payload, off, off + n)));
        }
        return out;
    }

    /** A copy of a TCP or UDP segment with its checksum made wrong. */
    public static byte[] corruptChecksum(byte[] segment, int protocol) {
        byte[] c = segment.clone();
        int at = protocol == 6 ? 16 : 6;
        c[at] ^= 0x5a;
        return c;
    }

    /** An IPv4 datagram; {@code fragOffset} in 8-byte units, {@code moreFragments} sets MF. */
    public static byte[] ipv4(String src, String dst, int protocol, int id, int fragOffset, boolean moreFragments,
                              byte[] payload) {
        return ipv4(src, dst, protocol, id, fragOffset, moreFragments, new byte[0], payload);
    }

    /** As above, with IP options (padded with EOL to a multiple of 4 bytes) in the header. */
    public static byte[] ipv4(String src, String dst, int protocol, int id, int fragOffset, boolean moreFragments,
                              byte[] options, byte[] payload) {
        int hl = 20 + ((options.length + 3) & ~3);
        if (hl > 60) throw new IllegalArgumentException("IP options longer than 40 bytes");
        ByteBuffer b = ByteBuffer.allocate(hl + payload.length);
        b.put((byte) (0x40 | hl / 4)).put((byte) 0).putShort((short) (hl + payload.length)).putShort((short) id)
                .putShort((short) ((moreFragments ? 0x2000 : 0) | (fragOffset & 0x1fff)))
                .put((byte) 64).put((byte) protocol).putShort((short) 0).put(ip(src)).put(ip(dst)).put(options);
        b.putShort(10, (short) checksum(b.array(), 0, hl, 0));
        b.position(hl);
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
        return tcp(src, sport, dst, dport, seq, ack, flags, urgentPointer, 65535, new byte[0], data);
    }

    /**
     * A TCP segment with a window and options (padded with EOL to a multiple
     * of 4 bytes) and a valid checksum.
     */
    public static byte[] tcp(String src, int sport, String dst, int dport, long seq, long ack, int flags,
                             int urgentPointer, int window, byte[] options, byte[] data) {
        int optlen = (options.length + 3) & ~3;
        if (optlen > 40) throw new IllegalArgumentException("TCP options longer than 40 bytes");
        ByteBuffer b = ByteBuffer.allocate(20 + optlen + data.length);
        b.putShort((short) sport).putShort((short) dport).putInt((int) seq).putInt((int) ack)
                .put((byte) ((5 + optlen / 4) << 4)).put((byte) flags).putShort((short) window).putShort((short) 0)
                .putShort((short) urgentPointer).put(options);
        b.position(20 + optlen);
        b.put(data);
        byte[] seg = b.array();
        int sum = pseudoHeaderSum(src, dst, 6, seg.length);
        ByteBuffer.wrap(seg).putShort(16, (short) checksum(seg, 0, seg.length, sum));
        return seg;
    }

    /** TCP timestamps option, preceded by two NOPs (12 bytes). */
    public static byte[] tsOption(long tsval, long tsecr) {
        return ByteBuffer.allocate(12).put((byte) 1).put((byte) 1).put((byte) 8).put((byte) 10)
                .putInt((int) tsval).putInt((int) tsecr).array();
    }

    /** TCP window scale option, preceded by a NOP (4 bytes). */
    public static byte[] wscaleOption(int shift) {
        return new byte[] {1, 3, 3, (byte) shift};
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

    /** A UDP datagram with the checksum field set as given (0: none; anything else may be wrong on purpose). */
    public static byte[] udpWithChecksum(String src, int sport, String dst, int dport, byte[] data, int checksum) {
        byte[] seg = udp(src, sport, dst, dport, data);
        ByteBuffer.wrap(seg).putShort(6, (short) checksum);
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
