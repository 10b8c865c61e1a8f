package io.github.jnids.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * Rewrites the checksums of a classic little-endian pcap file of Ethernet/IPv4
 * frames (as {@link PcapWriter} writes them) the way capture points leave them:
 * offloaded on one sender's packets, or damaged at random.
 */
public final class Offload {
    private Offload() { }

    /** What an offloading sender's captured packets carry. */
    public enum Style {
        /** Linux (and NDIS): the TCP/UDP checksum field holds the folded pseudo-header sum. */
        PSEUDO_SUM,
        /** Windows with IP checksum offload too: the pseudo-header sum, and 0 as IP header checksum. */
        PSEUDO_SUM_IP_ZERO,
        /** A card or driver that leaves another wrong value: no per-packet signature. */
        WRONG_VALUE
    }

    /** Offloads the checksums of every TCP and UDP packet {@code sender} sent. */
    public static Path offload(Path file, String sender, Style style) throws IOException {
        byte[] src = Packets.ip(sender);
        return rewrite(file, (ip, l4, proto, len) -> {
            if (!Arrays.equals(Arrays.copyOfRange(ip.array(), ip.position() + 12, ip.position() + 16), src)) return;
            int field = l4 + (proto == 6 ? 16 : 6);
            int value = switch (style) {
                case PSEUDO_SUM, PSEUDO_SUM_IP_ZERO -> pseudoSum(ip, proto, len);
                // wrong whatever the segment: the right value with its bits turned
                case WRONG_VALUE -> ~(ip.getShort(field) & 0xffff) & 0xffff;
            };
            if (proto == 17 && value == 0) value = 0xffff;
            ip.putShort(field, (short) value);
            if (style == Style.PSEUDO_SUM_IP_ZERO) ip.putShort(ip.position() + 10, (short) 0);
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

    /** The folded pseudo-header sum (what an offloading stack leaves in the field). */
    static int pseudoSum(ByteBuffer ip, int proto, int len) {
        int p = ip.position();
        long sum = 0;
        for (int i = 12; i < 20; i += 2) sum += ip.getShort(p + i) & 0xffff;
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
            if (caplen >= 14 + 20 && (b.get(frame + 12) & 0xff) == 8 && b.get(frame + 13) == 0) {
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
