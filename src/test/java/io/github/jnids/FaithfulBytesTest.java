package io.github.jnids;

import static io.github.jnids.testing.Packets.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.github.jnids.testing.PcapWriter;
import io.github.jnids.testing.TcpConversation;

/** Handlers see exactly the bytes libnids delivers, through read-only views valid only during the call. */
class FaithfulBytesTest extends NidsTestBase {
    private static final long T0 = 1_700_000_000_000_000L;

    @Test
    void udpHandlerGetsPayloadAndDatagramAndIpHandlerGetsIpLenBytesOfAPaddedFrame() throws Exception {
        byte[] payload = "hi".getBytes(StandardCharsets.US_ASCII);
        byte[] datagram = ipv4("10.1.0.1", "10.1.0.2", 17, udp("10.1.0.1", 5353, "10.1.0.2", 53, payload));
        byte[] frame = ethernetPadded(datagram);
        assertEquals(60, frame.length);
        assertEquals(30, datagram.length);
        Path file = write("udp.pcap", new PcapWriter(PcapWriter.LINKTYPE_ETHERNET).packet(T0, frame));

        List<byte[]> payloads = new ArrayList<>(), udpIps = new ArrayList<>(), ips = new ArrayList<>(),
                frags = new ArrayList<>();
        List<Tuple4> addrs = new ArrayList<>();
        onUdp((addr, data, ipPacket) -> {
            addrs.add(addr);
            payloads.add(bytes(data));
            udpIps.add(bytes(ipPacket));
        });
        onIp(p -> ips.add(bytes(p)));
        onIpFrag(p -> frags.add(bytes(p)));
        runFile(file);

        assertEquals(List.of(new Tuple4("10.1.0.1", 5353, "10.1.0.2", 53)), addrs);
        assertArrayEquals(payload, payloads.get(0));
        assertArrayEquals(datagram, udpIps.get(0));
        assertEquals(1, ips.size());
        assertArrayEquals(datagram, ips.get(0), "IP handler gets exactly ntohs(ip_len) bytes, no padding");
        assertEquals(1, frags.size());
        assertArrayEquals(java.util.Arrays.copyOfRange(frame, 14, 60), frags.get(0),
                "IP-frag handler gets the bytes captured for the packet");
    }

    @Test
    void ipFragHandlerNeverGetsMoreThanWasCaptured() throws Exception {
        byte[] payload = new byte[200];
        new Random(1).nextBytes(payload);
        byte[] datagram = ipv4("10.1.0.1", "10.1.0.2", 17, udp("10.1.0.1", 1, "10.1.0.2", 2, payload));
        byte[] frame = ethernet(datagram);
        // snaplen 100: the record holds 100 bytes of a 242-byte frame
        Path file = write("snap.pcap", new PcapWriter(PcapWriter.LINKTYPE_ETHERNET, 100).packet(T0, frame));
        List<byte[]> frags = new ArrayList<>();
        List<byte[]> ips = new ArrayList<>();
        onIpFrag(p -> frags.add(bytes(p)));
        onIp(p -> ips.add(bytes(p)));
        runFile(file);
        assertEquals(1, frags.size());
        assertArrayEquals(java.util.Arrays.copyOfRange(frame, 14, 100), frags.get(0));
        assertEquals(List.of(), ips, "a truncated datagram is not reassembled");
    }

    @Test
    void fragmentedUdpIsReassembledInAnyOrder() throws Exception {
        byte[] payload = new byte[3000];
        new Random(7).nextBytes(payload);
        byte[] segment = udp("10.2.0.1", 4000, "10.2.0.2", 5000, payload);
        List<byte[]> parts = fragments("10.2.0.1", "10.2.0.2", 17, 4242, segment, 1480);
        assertEquals(3, parts.size());
        int[][] orders = {{0, 1, 2}, {2, 1, 0}, {1, 2, 0}, {2, 0, 1}, {0, 2, 1}};
        for (int[] order : orders) {
            PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
            long t = T0;
            for (int i : order) w.packet(t += 10, ethernet(parts.get(i)));
            Path file = write("frag" + order[0] + order[1] + order[2] + ".pcap", w);

            List<byte[]> got = new ArrayList<>(), ips = new ArrayList<>(), frags = new ArrayList<>();
            UdpHandler u = onUdp((addr, data, ipPacket) -> {
                got.add(bytes(data));
                assertEquals(20 + 8 + payload.length, ipPacket.remaining());
                assertEquals(0, ipPacket.getShort(6) & 0x3fff, "the datagram handed over is whole");
            });
            IpHandler h = onIp(p -> ips.add(bytes(p)));
            IpHandler f = onIpFrag(p -> frags.add(bytes(p)));
            runFile(file);
            Nids.unregisterUdp(u);
            Nids.unregisterIp(h);
            Nids.unregisterIpFrag(f);

            String what = "order " + java.util.Arrays.toString(order);
            assertEquals(1, got.size(), what);
            assertArrayEquals(payload, got.get(0), what);
            assertEquals(1, ips.size(), what);
            assertEquals(20 + segment.length, ips.get(0).length, what);
            assertArrayEquals(segment, java.util.Arrays.copyOfRange(ips.get(0), 20, ips.get(0).length), what);
            assertEquals(3, frags.size(), what);
            for (int k = 0; k < 3; k++) assertArrayEquals(parts.get(order[k]), frags.get(k), what);
        }
    }

    @Test
    void fragmentedTcpSegmentIsReassembled() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation c = new TcpConversation(w, "10.3.0.1", 40001, "10.3.0.2", 80).handshake();
        byte[] data = new byte[2000];
        new Random(3).nextBytes(data);
        byte[] seg = tcp("10.3.0.1", 40001, "10.3.0.2", 80, c.clientSeq(), c.serverSeq(), PSH | ACK, data);
        List<byte[]> parts = new ArrayList<>(fragments("10.3.0.1", "10.3.0.2", 6, 77, seg, 512));
        Collections.reverse(parts);
        long t = c.micros();
        for (byte[] p : parts) w.packet(t += 10, ethernet(p));
        Path file = write("tcpfrag.pcap", w);

        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        onTcp(s -> {
            if (s.nidsState() == Nids.NIDS_JUST_EST) s.server().collect(true);
            else if (s.nidsState() == Nids.NIDS_DATA) got.writeBytes(s.server().data());
        });
        runFile(file);
        assertArrayEquals(data, got.toByteArray());
    }

    @Test
    void buffersAreReadOnlyAndEmptyAfterTheCallback() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        w.packet(T0, ethernet(ipv4("10.4.0.1", "10.4.0.2", 17, udp("10.4.0.1", 1, "10.4.0.2", 2, new byte[] {1, 2, 3}))));
        new TcpConversation(w, "10.4.0.1", 40000, "10.4.0.2", 80).at(T0 + 1000).handshake()
                .clientSends("request").serverSends("response").close();
        Path file = write("ro.pcap", w);

        List<ByteBuffer> kept = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        onUdp((addr, data, ipPacket) -> {
            check(data, failures);
            check(ipPacket, failures);
            kept.add(data);
            kept.add(ipPacket);
        });
        onIp(p -> {
            check(p, failures);
            kept.add(p);
        });
        onIpFrag(p -> {
            check(p, failures);
            kept.add(p);
        });
        Nids.param("ip_filter", (java.util.function.Predicate<ByteBuffer>) p -> {
            check(p, failures);
            kept.add(p);
            return true;
        });
        onTcp(s -> {
            if (s.nidsState() == Nids.NIDS_JUST_EST) {
                s.server().collect(true);
                s.client().collect(true);
            } else if (s.nidsState() == Nids.NIDS_DATA) {
                ByteBuffer b = s.server().countNew() > 0 ? s.server().dataBuffer() : s.client().dataBuffer();
                check(b, failures);
                kept.add(b);
            }
        });
        runFile(file);
        assertEquals(List.of(), failures);
        assertTrue(kept.size() > 10);
        for (ByteBuffer b : kept) {
            assertTrue(b.isReadOnly());
            assertEquals(0, b.limit(), "a view kept past its callback has limit 0");
            assertEquals(0, b.remaining());
            if (PacketDispatcher.ZERO_COPY) {
                assertEquals(0, b.capacity(), "a view kept past its callback can never show its packet again");
                assertThrows(IllegalArgumentException.class, () -> b.limit(1));
            }
            assertThrows(IndexOutOfBoundsException.class, () -> b.get(0));
            assertThrows(java.nio.BufferUnderflowException.class, b::get);
        }
    }

    /**
     * A run that starts without packet handlers takes the down-calls that
     * point no views (NativeLoop): handlers a TCP handler registers during
     * that run get their packets all the same, exactly, and views that can
     * never show them again once their callback is over.
     */
    @Test
    void packetHandlersRegisteredDuringARunGetExactBytesAndRevokedViews() throws Exception {
        byte[] payload = new byte[300];
        new Random(7).nextBytes(payload);
        byte[] datagram = ipv4("10.6.0.1", "10.6.0.2", 17, udp("10.6.0.1", 5000, "10.6.0.2", 53, payload));
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        new TcpConversation(w, "10.6.0.1", 40000, "10.6.0.2", 80).at(T0).handshake()
                .clientSends("request").serverSends("response").close();
        w.packet(T0 + 10_000, ethernetPadded(datagram));
        Path file = write("late.pcap", w);

        List<byte[]> payloads = new ArrayList<>(), udpIps = new ArrayList<>(), ips = new ArrayList<>(),
                frags = new ArrayList<>();
        List<ByteBuffer> kept = new ArrayList<>();
        UdpHandler udpHandler = (addr, data, ipPacket) -> {
            payloads.add(bytes(data));
            udpIps.add(bytes(ipPacket));
            kept.add(data);
            kept.add(ipPacket);
        };
        IpHandler ipHandler = p -> {
            ips.add(bytes(p));
            kept.add(p);
        };
        IpHandler fragHandler = p -> {
            frags.add(bytes(p));
            kept.add(p);
        };
        onTcp(s -> {
            if (s.nidsState() == Nids.NIDS_JUST_EST) {
                onUdp(udpHandler);
                onIp(ipHandler);
                onIpFrag(fragHandler);
            }
        });
        runFile(file);

        assertEquals(1, payloads.size());
        assertArrayEquals(payload, payloads.get(0));
        assertArrayEquals(datagram, udpIps.get(0));
        // The packets after the handshake's last one: the two data segments,
        // the FINs and ACKs, then the datagram, each whole.
        assertTrue(ips.size() > 3, "IP callbacks: " + ips.size());
        assertArrayEquals(datagram, ips.get(ips.size() - 1));
        assertEquals(ips.size(), frags.size());
        for (ByteBuffer b : kept) {
            assertEquals(0, b.limit(), "a view kept past its callback has limit 0");
            if (PacketDispatcher.ZERO_COPY) assertEquals(0, b.capacity(), "nor any capacity");
        }
    }

    private static void check(ByteBuffer b, List<String> failures) {
        if (!b.isReadOnly()) failures.add("writable buffer");
        if (b.remaining() == 0) failures.add("empty buffer");
        try {
            b.put(0, (byte) 0);
            failures.add("put succeeded");
        } catch (ReadOnlyBufferException expected) {
            // read-only
        }
    }

    @Test
    void dataAndDataBufferAgreeAndHoldCountMinusOffsetBytes() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        new TcpConversation(w, "10.5.0.1", 40000, "10.5.0.2", 80).handshake()
                .clientSends("abc").clientSends("defg").close();
        Path file = write("db.pcap", w);
        List<String> seen = new ArrayList<>();
        onTcp(s -> {
            if (s.nidsState() == Nids.NIDS_JUST_EST) s.server().collect(true);
            else if (s.nidsState() == Nids.NIDS_DATA) {
                HalfStream h = s.server();
                byte[] copy = h.data();
                assertArrayEquals(copy, bytes(h.dataBuffer()));
                assertEquals(h.count() - h.offset(), copy.length);
                seen.add(new String(copy, StandardCharsets.US_ASCII) + "/" + h.count() + "/" + h.offset() + "/"
                        + h.countNew());
            }
        });
        runFile(file);
        assertEquals(List.of("abc/3/0/3", "defg/7/3/4"), seen);
    }

    @Test
    void aKeptTcpViewCannotBeWidenedOntoFreedMemory() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation c = new TcpConversation(w, "10.6.0.1", 40000, "10.6.0.2", 80).handshake();
        for (int i = 0; i < 200; i++) c.clientSends(new byte[1400]);
        c.close();
        Path file = write("big.pcap", w);
        List<ByteBuffer> kept = new ArrayList<>();
        onTcp(s -> {
            if (s.nidsState() == Nids.NIDS_JUST_EST) {
                s.server().collect(true);
            } else if (s.nidsState() == Nids.NIDS_DATA) {
                s.discard(0); // libnids' buffer grows and moves
                ByteBuffer b = s.server().dataBuffer();
                assertEquals(s.server().count(), b.capacity());
                assertEquals(b, s.server().dataBuffer(), "each call: the same bytes");
                kept.add(b);
            }
        });
        runFile(file);
        assertEquals(200, kept.size());
        for (ByteBuffer b : kept) {
            assertEquals(0, b.capacity(), "the stream's memory is gone: so is the view's capacity");
            assertThrows(IllegalArgumentException.class, () -> b.limit(1));
            assertThrows(IndexOutOfBoundsException.class, () -> b.get(0));
            assertEquals(0, b.duplicate().capacity());
            assertEquals(0, b.slice().remaining());
        }
    }
}
