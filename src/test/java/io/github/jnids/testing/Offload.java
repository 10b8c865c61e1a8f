package io.github.jnids.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * Rewrites the checksums of a classic little-endian pcap file of Ethernet
 * frames (as {@link PcapWriter} and tcpdump on Linux write them), IPv4, or IPv6
 * whose TCP or UDP header follows the IPv6 header, the way capture points leave
 * them: offloaded on one sender's packets, or damaged at random.
 */
public final class Offload {
    private Offload() { }

    /** What an offloading sender's captured packets carry. */
    public enum Style {
        /** Linux (and NDIS): the TCP/UDP checksum field holds the folded pseudo-header sum. */
        PSEUDO_SUM,
        /** Windows with IP checksum offload too: the pseudo-header sum, and 0 as IP header checksum (IPv4 only). */
        PSEUDO_SUM_IP_ZERO,
        /** A card or driver that leaves another wrong value: no per-packet signature. */
        WRONG_VALUE
    }

    /** Offloads the checksums of every TCP and UDP packet {@code sender} sent. */
    public static Path offload(Path file, String sender, Style style) throws IOException {
        boolean v6 = sender.indexOf(':') >= 0;
        byte[] src = v6 ? Ipv6ToIpv4.ipv6(sender) : Packets.ip(sender);
        return rewrite(file, (ip, l4, proto, len) -> {
            int at = ip.position() + (v6 ? 8 : 12);
            if (isV6(ip) != v6 || !Arrays.equals(Arrays.copyOfRange(ip.array(), at, at + src.length), src)) return;
            int field = l4 + (proto == 6 ? 16 : 6);
            int value = switch (style) {
                case PSEUDO_SUM, PSEUDO_SUM_IP_ZERO -> pseudoSum(ip, proto, len);
                // wrong whatever the segment: the right value with its bits turned
                case WRONG_VALUE -> ~(ip.getShort(field) & 0xffff) & 0xffff;
            };
            if (proto == 17 && value == 0) value = 0xffff;
            ip.putShort(field, (short) value);
            if (style == Style.PSEUDO_SUM_IP_ZERO && !v6) ip.putShort(ip.position() + 10, (short) 0);
        });
    }

    /**
     * Damages about one TCP segment with data in {@code oneIn} (chosen with the seed): one
     * payload bit flipped, as a bad link would; IP headers and checksum fields stay.
     */
    public static Path damage(Path file, long seed, int oneIn) throws IOException {
        Random random = new Random(seed);
        return rewrite(file, (ip, l4, proto, len) -> {
            if (proto != 6) return;
            int hdr = ((ip.get(l4 + 12) & 0xff) >>> 4) * 4;
            int payload = len - hdr;
            if (payload <= 0 || random.nextInt(oneIn) != 0) return;
            int at = l4 + hdr + random.nextInt(payload);
            ip.put(at, (byte) (ip.get(at) ^ (1 << random.nextInt(8))));
        });
    }

    static boolean isV6(ByteBuffer ip) {
        return (ip.get(ip.position()) & 0xf0) == 0x60;
    }

    /** The folded pseudo-header sum (what an offloading stack leaves in the field), IPv4's or IPv6's. */
    static int pseudoSum(ByteBuffer ip, int proto, int len) {
        int p = ip.position();
        long sum = 0;
        int from = isV6(ip) ? 8 : 12, to = isV6(ip) ? 40 : 20;
        for (int i = from; i < to; i += 2) sum += ip.getShort(p + i) & 0xffff;
        sum += proto + len;
        while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (int) sum;
    }

    private interface Edit {
        /** {@code ip} is positioned at the IP header; l4 is the absolute index of the TCP/UDP header. */
        void apply(ByteBuffer ip, int l4, int proto, int len);
    }

    private static Path rewrite(Path file, Edit edit) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int pos = 24;
        while (pos + 16 <= b.limit()) {
            int caplen = b.getInt(pos + 8);
            int frame = pos + 16;
            int ipAt = frame + 14;
            if (caplen >= 14 + 40 && (b.get(frame + 12) & 0xff) == 0x86 && (b.get(frame + 13) & 0xff) == 0xdd) {
                ByteBuffer ip = b.duplicate().order(ByteOrder.BIG_ENDIAN).position(ipAt);
                int total = 40 + (ip.getShort(ipAt + 4) & 0xffff);
                int proto = ip.get(ipAt + 6) & 0xff;
                if ((proto == 6 || proto == 17) && total <= caplen - 14 && total >= 40 + (proto == 6 ? 20 : 8)) {
                    int len = proto == 17 ? ip.getShort(ipAt + 40 + 4) & 0xffff : total - 40;
                    edit.apply(ip, ipAt + 40, proto, len);
                }
            } else if (caplen >= 14 + 20 && (b.get(frame + 12) & 0xff) == 8 && b.get(frame + 13) == 0) {
                ByteBuffer ip = b.duplicate().order(ByteOrder.BIG_ENDIAN).position(ipAt);
                int ihl = (ip.get(ipAt) & 0x0f) * 4;
                int total = ip.getShort(ipAt + 2) & 0xffff;
                int proto = ip.get(ipAt + 9) & 0xff;
                boolean fragment = (ip.getShort(ipAt + 6) & 0x3fff) != 0;
                if ((proto == 6 || proto == 17) && !fragment && total <= caplen - 14) {
                    int len = proto == 17 ? ip.getShort(ipAt + ihl + 4) & 0xffff : total - ihl;
                    edit.apply(ip, ipAt + ihl, proto, len);
                }
            }
            pos = frame + caplen;
        }
        Files.write(file, b.array());
        return file;
    }
}
