package io.github.jnids.cli;

import static io.github.jnids.testing.Packets.ethernet;
import static io.github.jnids.testing.Packets.ipv4;
import static io.github.jnids.testing.Packets.tcp;
import static io.github.jnids.testing.Packets.udp;

import io.github.jnids.testing.Packets;
import io.github.jnids.testing.PcapWriter;
import io.github.jnids.testing.TcpConversation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small captures the command's tests write for themselves, with known contents. */
final class Captures {
    private Captures() { }

    static final long T0 = 1_700_000_000_000_000L;

    /** What the server of the first conversation sends: 1000 bytes, all values. */
    static byte[] serverBytes() {
        byte[] b = new byte[1000];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (i * 7);
        return b;
    }

    /**
     * Three streams: one closed (CTS 11, STC 1000), one reset (CTS 3), one still open at
     * the end (CTS 4, STC 5), each written after the previous one.
     */
    static PcapWriter threeStreams() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        new TcpConversation(w, "10.0.0.1", 40000, "10.0.0.2", 80).at(T0).handshake()
                .clientSends("hello ").serverSends(serverBytes()).clientSends("world").close();
        new TcpConversation(w, "10.0.0.1", 40001, "10.0.0.2", 80).at(T0 + 1_000_000).handshake()
                .clientSends("abc").reset();
        new TcpConversation(w, "10.0.0.3", 40002, "10.0.0.2", 22).at(T0 + 2_000_000).handshake()
                .clientSends("SSH-").serverSends("SSH-2");
        return w;
    }

    static final String CLOSED = "[+] 10.0.0.1:40000 - 10.0.0.2:80 (CTS: 11B | STC: 1000B)";
    static final String RESET = "[+] 10.0.0.1:40001 - 10.0.0.2:80 (CTS: 3B | STC: 0B) [reset]";
    static final String OPEN = "[+] 10.0.0.3:40002 - 10.0.0.2:22 (CTS: 4B | STC: 5B) [open]";

    static Path threeStreams(Path file) throws IOException {
        return threeStreams().write(file);
    }

    /** The three streams plus two UDP datagrams (5 and 0 payload bytes). */
    static Path withUdp(Path file) throws IOException {
        PcapWriter w = threeStreams();
        w.packet(T0 + 3_000_000, ethernet(ipv4("10.0.0.5", "10.0.0.53", 17,
                udp("10.0.0.5", 5353, "10.0.0.53", 53, "query".getBytes(StandardCharsets.US_ASCII)))));
        w.packet(T0 + 3_000_100, ethernet(ipv4("10.0.0.53", "10.0.0.5", 17,
                udp("10.0.0.53", 53, "10.0.0.5", 5353, new byte[0]))));
        return w.write(file);
    }

    /** 10.6.6.6 sends a SYN to 11 ports of 10.0.0.2: one more than libnids' scan_num_ports. */
    static Path portScan(Path file) throws IOException {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        for (int i = 0; i < 11; i++) {
            int port = 1000 + i;
            w.packet(T0 + i * 1000L, ethernet(ipv4("10.6.6.6", "10.0.0.2", 6,
                    tcp("10.6.6.6", 50000, "10.0.0.2", port, 77, 0, Packets.SYN, new byte[0]))));
        }
        return w.write(file);
    }

    /** {@code n} handshakes never closed, one every millisecond, from distinct client ports. */
    static Path manyOpen(Path file, int n) throws IOException {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        for (int i = 0; i < n; i++) {
            new TcpConversation(w, "10.1.0.1", 20000 + i, "10.1.0.2", 80).at(T0 + i * 1000L).handshake()
                    .clientSends("x");
        }
        return w.write(file);
    }

    /** Rewrites every TCP checksum of an Ethernet/IPv4 capture into a wrong one, as offloading leaves them. */
    static Path breakTcpChecksums(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int pos = 24;
        while (pos + 16 <= b.limit()) {
            int caplen = b.getInt(pos + 8);
            int frame = pos + 16;
            if (caplen >= 14 + 20 + 20 && (b.get(frame + 14 + 9) & 0xff) == 6) {
                int ihl = (b.get(frame + 14) & 0x0f) * 4;
                int sum = frame + 14 + ihl + 16;
                b.put(sum, (byte) ~b.get(sum));
            }
            pos = frame + caplen;
        }
        Files.write(file, b.array());
        return file;
    }

    /** A classic pcap file header with the given link type and no packets. */
    static Path headerOnly(Path file, int linktype) throws IOException {
        return new PcapWriter(linktype).write(file);
    }
}
