package io.github.jnids;

import static io.github.jnids.testing.Packets.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;

import io.github.jnids.testing.PcapWriter;
import io.github.jnids.testing.TcpConversation;

/** A handler's exception stops the loop at once, propagates, and leaves a usable session. */
class ExceptionsTest extends NidsTestBase {
    private static final long T0 = 1_700_000_000_000_000L;

    /** Five UDP datagrams with payloads 1..5. */
    private Path datagrams() throws IOException {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        for (int i = 1; i <= 5; i++) {
            w.packet(T0 + i, ethernet(ipv4("10.0.0.1", "10.0.0.2", 17, i, 0, false,
                    udp("10.0.0.1", 1000, "10.0.0.2", 2000, new byte[] {(byte) i}))));
        }
        return write("udp5.pcap", w);
    }

    static final class Boom extends RuntimeException {
        Boom(String m) {
            super(m);
        }
    }

    @Test
    void runtimeExceptionPropagatesAsIsAndRunResumes() throws Exception {
        Path file = datagrams();
        List<String> log = new ArrayList<>();
        Boom boom = new Boom("datagram 2");
        onUdp((a, p, i) -> {
            log.add("A" + p.get(0));
            if (p.get(0) == 2) throw boom;
        });
        onUdp((a, p, i) -> log.add("B" + p.get(0)));
        open(file);
        Boom thrown = assertThrows(Boom.class, Nids::run);
        assertSame(boom, thrown);
        assertEquals(List.of("A1", "B1", "A2"), log, "no handler runs after the exception");
        assertTrue(Nids.isOpen(), "the session stays open");
        Nids.run();
        assertEquals(List.of("A1", "B1", "A2", "A3", "B3", "A4", "B4", "A5", "B5"), log, "run() resumes");
        assertFalse(Nids.isOpen());
    }

    @Test
    void checkedExceptionIsWrappedInNidsExceptionWithTheCause() throws Exception {
        Path file = datagrams();
        IOException io = new IOException("disk full");
        onUdp((a, p, i) -> {
            if (p.get(0) == 3) throw io;
        });
        open(file);
        NidsException e = assertThrows(NidsException.class, Nids::run);
        assertSame(io, e.getCause());
        assertTrue(e.getMessage().contains("disk full"), e.getMessage());
        Nids.exit();
        assertFalse(Nids.isOpen());
        // a new session starts normally
        open(file);
        assertThrows(NidsException.class, Nids::run);
        Nids.exit();
    }

    @Test
    void errorsPropagateAsIs() throws Exception {
        Path file = datagrams();
        onUdp((a, p, i) -> {
            throw new AssertionError("from a handler");
        });
        open(file);
        AssertionError e = assertThrows(AssertionError.class, Nids::run);
        assertEquals("from a handler", e.getMessage());
        assertTrue(Nids.isOpen());
    }

    @Test
    void exceptionsFromNextAndDispatch() throws Exception {
        Path file = datagrams();
        List<Integer> seen = new ArrayList<>();
        onUdp((a, p, i) -> {
            seen.add((int) p.get(0));
            if (p.get(0) == 1 || p.get(0) == 3) throw new Boom("d" + p.get(0));
        });
        open(file);
        assertEquals("d1", assertThrows(Boom.class, Nids::next).getMessage());
        assertEquals(1, Nids.next());
        assertEquals("d3", assertThrows(Boom.class, () -> Nids.dispatch(-1)).getMessage());
        assertEquals(List.of(1, 2, 3), seen);
        assertEquals(2, Nids.dispatch(-1));
        assertEquals(List.of(1, 2, 3, 4, 5), seen);
        assertEquals(0, Nids.next());
    }

    @Test
    void tcpHandlerExceptionStopsAtOnceAndRunResumes() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        new TcpConversation(w, "10.0.0.1", 40000, "10.0.0.2", 80).handshake()
                .clientSends("one").clientSends("two").clientSends("three").close();
        Path file = write("tcp.pcap", w);
        List<String> log = new ArrayList<>();
        onTcp(s -> {
            if (s.nidsState() == Nids.NIDS_JUST_EST) {
                s.server().collect(true);
            } else if (s.nidsState() == Nids.NIDS_DATA) {
                String d = new String(s.server().data());
                log.add("A:" + d);
                if (d.equals("two")) throw new Exception("checked " + d);
            } else {
                log.add("A:end" + s.nidsState());
            }
        });
        onTcp(s -> {
            if (s.nidsState() == Nids.NIDS_JUST_EST) s.server().collect(true);
            else if (s.nidsState() == Nids.NIDS_DATA) log.add("B:" + new String(s.server().data()));
            else log.add("B:end" + s.nidsState());
        });
        open(file);
        NidsException e = assertThrows(NidsException.class, Nids::run);
        assertEquals("checked two", e.getCause().getMessage());
        assertEquals(List.of("A:one", "B:one", "A:two"), log);
        assertTrue(Nids.isOpen());
        Nids.run();
        assertEquals(List.of("A:one", "B:one", "A:two", "A:three", "B:three", "A:end3", "B:end3"), log);
    }

    @Test
    void exceptionWhileExitingPropagatesFromExitAndTheSessionIsClosed() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        new TcpConversation(w, "10.0.0.1", 40000, "10.0.0.2", 80).handshake().clientSends("open");
        Path file = write("open.pcap", w);
        onTcp(s -> {
            if (s.nidsState() == Nids.NIDS_JUST_EST) s.server().collect(true);
            else if (s.nidsState() == Nids.NIDS_EXITING) throw new Boom("exiting");
        });
        open(file);
        assertEquals(5, Nids.dispatch(-1) + Nids.dispatch(-1));
        assertThrows(Boom.class, Nids::exit);
        assertFalse(Nids.isOpen());
        // and from run(), which ends the session at the end of a file
        open(file);
        assertThrows(Boom.class, Nids::run);
        assertFalse(Nids.isOpen());
    }

    @Test
    void exceptionsFromIpIpFragWarningAndFilterHandlers() throws Exception {
        Path file = datagrams();
        // IP handler
        IpHandler ip = onIp(p -> {
            throw new Boom("ip");
        });
        open(file);
        assertEquals("ip", assertThrows(Boom.class, Nids::run).getMessage());
        assertEquals(1, Nids.packetCount());
        Nids.exit();
        Nids.unregisterIp(ip);

        // IP fragment handler
        IpHandler frag = onIpFrag(p -> {
            throw new IOException("frag");
        });
        open(file);
        assertEquals("frag", assertThrows(NidsException.class, Nids::run).getCause().getMessage());
        Nids.exit();
        Nids.unregisterIpFrag(frag);

        // ip_filter predicate: the packet is dropped, the exception propagates
        List<Integer> udpSeen = new ArrayList<>();
        onUdp((a, p, i) -> udpSeen.add((int) p.get(0)));
        Nids.param("ip_filter", (Predicate<ByteBuffer>) p -> {
            if (p.get(p.limit() - 1) == 2) throw new Boom("filter");
            return true;
        });
        open(file);
        assertEquals("filter", assertThrows(Boom.class, Nids::run).getMessage());
        assertEquals(List.of(1), udpSeen);
        assertTrue(Nids.isOpen());
        Nids.run();
        assertEquals(List.of(1, 3, 4, 5), udpSeen);
        Nids.param("ip_filter", null);

        // warning handler, on a datagram with a bad IP header checksum
        byte[] bad = ipv4("10.0.0.1", "10.0.0.2", 17, udp("10.0.0.1", 1, "10.0.0.2", 2, new byte[] {7}));
        bad[10] ^= 0x11;
        Path badFile = write("bad.pcap", new PcapWriter(PcapWriter.LINKTYPE_ETHERNET).packet(T0, ethernet(bad))
                .packet(T0 + 1, ethernet(ipv4("10.0.0.1", "10.0.0.2", 17,
                        udp("10.0.0.1", 1, "10.0.0.2", 2, new byte[] {8})))));
        onWarning(wn -> {
            throw new Boom("warning " + wn.kind());
        });
        udpSeen.clear();
        open(badFile);
        assertEquals("warning IP", assertThrows(Boom.class, Nids::run).getMessage());
        assertEquals(List.of(), udpSeen);
        Nids.run();
        assertEquals(List.of(8), udpSeen);
    }

    @Test
    void anExceptionAtTheEndOfTheFileComesFromTheNextRun() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        new TcpConversation(w, "10.0.0.1", 40000, "10.0.0.2", 80).handshake().clientSends("x");
        Path file = write("two.pcap", w);
        onTcp(s -> {
            if (s.nidsState() == Nids.NIDS_JUST_EST) s.server().collect(true);
            else throw new Boom("state " + s.nidsState());
        });
        open(file);
        Boom first = assertThrows(Boom.class, Nids::run);
        assertEquals("state 2", first.getMessage());
        // the end of the file: the stream gets NIDS_EXITING, which throws too
        Boom second = assertThrows(Boom.class, Nids::run);
        assertEquals("state 6", second.getMessage());
        assertFalse(Nids.isOpen());
    }
}
