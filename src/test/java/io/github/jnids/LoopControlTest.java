package io.github.jnids;

import static io.github.jnids.testing.Packets.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import io.github.jnids.testing.PcapWriter;
import io.github.jnids.testing.TcpConversation;

/** next(), dispatch(), stop() and the loop's information on capture files. */
class LoopControlTest extends NidsTestBase {
    private static final long T0 = 1_700_000_000_000_000L;

    /** {@code n} UDP datagrams, payload i, timestamp T0 + i * 1.5 ms. */
    private Path datagrams(int n) throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        for (int i = 1; i <= n; i++) {
            w.packet(T0 + i * 1500L, ethernet(ipv4("10.0.0.1", "10.0.0.2", 17, i, 0, false,
                    udp("10.0.0.1", 1000, "10.0.0.2", 2000, new byte[] {(byte) i}))));
        }
        return write("udp" + n + ".pcap", w);
    }

    private static double ts(int i) {
        return (T0 + i * 1500L) / 1e6;
    }

    @Test
    void nextProcessesOnePacketAtATime() throws Exception {
        Path file = datagrams(3);
        List<String> seen = new ArrayList<>();
        onUdp((a, p, i) -> seen.add(p.get(0) + "@" + Nids.getPktTs()));
        open(file);
        assertEquals(0.0, Nids.getPktTs());
        for (int i = 1; i <= 3; i++) {
            assertEquals(1, Nids.next());
            assertEquals(i, seen.size());
            assertEquals(ts(i), Nids.getPktTs(), 1e-6);
            assertEquals(i, Nids.packetCount());
        }
        assertEquals(0, Nids.next(), "0 at the end of the file");
        assertEquals(0, Nids.next());
        assertTrue(Nids.isOpen(), "next() leaves the session open");
        assertEquals(List.of("1@" + ts(1), "2@" + ts(2), "3@" + ts(3)), seen);
        assertEquals(Files.size(file), Nids.bytesRead());
        Nids.exit();
        assertFalse(Nids.isOpen());
    }

    @Test
    void dispatchProcessesUpToCountPackets() throws Exception {
        Path file = datagrams(7);
        List<Integer> seen = new ArrayList<>();
        onUdp((a, p, i) -> seen.add((int) p.get(0)));
        open(file);
        assertEquals(2, Nids.dispatch(2));
        assertEquals(List.of(1, 2), seen);
        assertEquals(1, Nids.dispatch(1));
        assertEquals(4, Nids.dispatch(-1));
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7), seen);
        assertEquals(0, Nids.dispatch(-1));
        assertEquals(0, Nids.dispatch(5));
        assertEquals(ts(7), Nids.getPktTs(), 1e-6);
        assertTrue(Nids.isOpen());
        // run() at the end of the file ends the session
        Nids.run();
        assertFalse(Nids.isOpen());
    }

    @Test
    void runOnAFileEndsTheSessionAndOpenStreamsGetExiting() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        new TcpConversation(w, "10.0.0.1", 40000, "10.0.0.2", 80).handshake().clientSends("left open");
        Path file = write("open.pcap", w);
        List<String> seen = new ArrayList<>();
        onTcp(s -> {
            seen.add(s.nidsState() + (s.nidsState() == Nids.NIDS_EXITING ? ":" + s.server().count() : ""));
            if (s.nidsState() == Nids.NIDS_JUST_EST) s.server().collect(true);
        });
        runFile(file);
        assertEquals(List.of("1", "2", "6:9"), seen);
        assertFalse(Nids.isOpen());

        // exit() does the same for a session stopped early
        seen.clear();
        open(file);
        assertEquals(5, Nids.dispatch(5));
        assertEquals(List.of("1", "2"), seen);
        Nids.exit();
        assertEquals(List.of("1", "2", "6:9"), seen);
    }

    @Test
    void stopFromInsideAHandlerEndsRunAfterThatPacketAndRunResumes() throws Exception {
        Path file = datagrams(5);
        List<String> seen = new ArrayList<>();
        onUdp((a, p, i) -> {
            seen.add("A" + p.get(0));
            if (p.get(0) == 2 || p.get(0) == 4) Nids.stop();
        });
        onUdp((a, p, i) -> seen.add("B" + p.get(0)));
        open(file);
        Nids.run();
        assertTrue(Nids.isOpen(), "a stopped run() leaves the session open");
        assertEquals(List.of("A1", "B1", "A2"), seen, "no handler runs after stop()");
        Nids.run();
        assertEquals(List.of("A1", "B1", "A2", "A3", "B3", "A4"), seen);
        assertEquals(0, Nids.dispatch(0) * 0 + 0);
        Nids.run();
        assertEquals(List.of("A1", "B1", "A2", "A3", "B3", "A4", "A5", "B5"), seen);
        assertFalse(Nids.isOpen());
    }

    @Test
    void stopInsideNextAndDispatch() throws Exception {
        Path file = datagrams(5);
        List<Integer> seen = new ArrayList<>();
        onUdp((a, p, i) -> {
            seen.add((int) p.get(0));
            if (p.get(0) == 1 || p.get(0) == 3) Nids.stop();
        });
        open(file);
        assertEquals(1, Nids.next());
        assertEquals(List.of(1), seen);
        int n = Nids.dispatch(-1);
        assertEquals(List.of(1, 2, 3), seen, "dispatch() stopped after packet 3");
        assertEquals(2, n);
        assertEquals(1, Nids.next(), "a stop does not outlive its call");
        assertEquals(1, Nids.dispatch(-1));
        assertEquals(List.of(1, 2, 3, 4, 5), seen);
    }

    @Test
    void stopWithoutARunIsHarmless() throws Exception {
        Nids.stop();
        Path file = datagrams(3);
        List<Integer> seen = new ArrayList<>();
        onUdp((a, p, i) -> seen.add((int) p.get(0)));
        open(file);
        Nids.stop();
        Nids.run();
        assertEquals(List.of(1, 2, 3), seen, "a stop before run() does not stop it");
    }

    @Test
    void stopFromAnotherThreadDuringAFileRun() throws Exception {
        Path file = datagrams(50);
        CountDownLatch tenth = new CountDownLatch(1), stopped = new CountDownLatch(1);
        List<Integer> seen = new ArrayList<>();
        onUdp((a, p, i) -> {
            seen.add((int) p.get(0));
            if (p.get(0) == 10) {
                tenth.countDown();
                assertTrue(stopped.await(20, TimeUnit.SECONDS));
            }
        });
        open(file);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread runner = new Thread(() -> {
            try {
                Nids.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        runner.start();
        assertTrue(tenth.await(20, TimeUnit.SECONDS));
        Nids.stop();
        stopped.countDown();
        runner.join(20_000);
        assertFalse(runner.isAlive());
        assertNull(failure.get());
        assertEquals(10, seen.size());
        assertTrue(Nids.isOpen());
        Nids.run();
        assertEquals(50, seen.size());
    }

    @Test
    void informationCallsOnFiles() throws Exception {
        Path file = datagrams(2);
        List<String> inside = new ArrayList<>();
        onUdp((a, p, i) -> {
            inside.add("fd" + (Nids.getfd() >= -1));
            inside.add("ts" + Nids.getPktTs());
            NidsException e = assertThrows(NidsException.class, Nids::getPcapStats);
            inside.add(e.getMessage().isEmpty() ? "empty" : "stats-refused");
        });
        open(file);
        int fd = Nids.getfd();
        assertTrue(fd >= 0, "getfd() on a file: the open file's descriptor, " + fd);
        NidsException e = assertThrows(NidsException.class, Nids::getPcapStats);
        assertTrue(e.getMessage().contains("getPcapStats"), e.getMessage());
        Nids.run();
        assertEquals(List.of("fdtrue", "ts" + ts(1), "stats-refused", "fdtrue", "ts" + ts(2), "stats-refused"), inside);
        assertEquals(ts(2), Nids.getPktTs(), 1e-6, "the last timestamp outlives the session");
    }

    @Test
    void streamsWaitingForLostSegmentsTimeOutOnCaptureTime() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation c = new TcpConversation(w, "10.0.0.1", 40000, "10.0.0.2", 80).handshake();
        // the client's two data bytes are lost; its FIN after them waits in the queue
        c.raw(true, c.clientSeq() + 2, c.serverSeq(), FIN | ACK, new byte[0]);
        c.raw(false, c.serverSeq(), c.clientSeq(), FIN | ACK, new byte[0]);
        long later = c.micros() + 11_000_000L;
        w.packet(later, ethernet(ipv4("10.0.0.9", "10.0.0.8", 17, udp("10.0.0.9", 1, "10.0.0.8", 2, new byte[1]))));
        Path file = write("timeout.pcap", w);
        List<String> seen = new ArrayList<>();
        onTcp(s -> {
            seen.add(s.nidsState() + "@" + Math.round(Nids.getPktTs() - (T0 / 1e6)));
            if (s.nidsState() == Nids.NIDS_JUST_EST) s.server().collect(true);
        });
        Nids.param("tcp_workarounds", true); // libnids' closing timeout is one of its workarounds
        runFile(file);
        long at = Math.round(later / 1e6 - T0 / 1e6);
        assertEquals(List.of("1@0", Nids.NIDS_TIMED_OUT + "@" + at), seen);
        assertEquals(Nids.NIDS_TIMEOUT, Nids.NIDS_TIMED_OUT);
    }
}
