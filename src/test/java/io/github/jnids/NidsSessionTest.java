package io.github.jnids;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.github.jnids.testing.PcapWriter;
import io.github.jnids.testing.TcpConversation;

/**
 * NidsSession's own rules: independence of sessions, lifetime (close, the
 * Cleaner), threads, and the limits it must not have.
 */
class NidsSessionTest {
    private static final Path TESTDATA = Paths.get(System.getProperty("jnids.basedir", ".")).resolve("testdata");

    @TempDir
    Path dir;

    private static Path capture(String name) {
        Path p = TESTDATA.resolve("captured").resolve(name);
        assertTrue(Files.isReadable(p), p + " is missing");
        return p;
    }

    /** What a session reports of a capture: every TCP event with its counts, in order. */
    private static List<String> recorder(NidsSession s, Path file) {
        List<String> out = new ArrayList<>();
        s.param("filename", file.toString());
        s.param("scan_num_hosts", 0);
        s.chksumCtl(List.of(Map.entry("0.0.0.0/0", false)));
        s.registerTcp(tcp -> {
            if (tcp.nidsState() == Nids.NIDS_JUST_EST) {
                tcp.client().collect(true);
                tcp.server().collect(true);
            }
            out.add(tcp.addr() + " " + tcp.nidsState() + " " + tcp.client().count() + " " + tcp.server().count());
        });
        return out;
    }

    private static List<String> alone(Path file) {
        try (NidsSession s = new NidsSession()) {
            List<String> out = recorder(s, file);
            s.init();
            s.run();
            return out;
        }
    }

    @Test
    void twoSessionsInterleavedOnOneThreadEachSeeTheirOwnCapture() {
        Path a = capture("http-small.pcap"), b = capture("concurrent.pcap");
        List<String> aloneA = alone(a), aloneB = alone(b);
        assertFalse(aloneA.isEmpty());
        assertFalse(aloneB.isEmpty());
        try (NidsSession sa = new NidsSession(); NidsSession sb = new NidsSession()) {
            List<String> ea = recorder(sa, a), eb = recorder(sb, b);
            sa.init();
            sb.init();
            boolean moreA = true, moreB = true;
            while (moreA || moreB) {
                if (moreA) moreA = sa.next() == 1;
                if (moreB) moreB = sb.next() == 1;
            }
            sa.exit();
            sb.exit();
            assertEquals(aloneA, ea);
            assertEquals(aloneB, eb);
        }
    }

    @Test
    void parametersAndHandlersBelongToTheirSession() {
        try (NidsSession a = new NidsSession(); NidsSession b = new NidsSession()) {
            a.param("n_tcp_streams", 77);
            assertEquals(77, a.param("n_tcp_streams"));
            assertEquals(Nids.session().param("n_tcp_streams"), b.param("n_tcp_streams"));
            assertNotEquals(77, b.param("n_tcp_streams"));
            a.param("filename", "a.pcap");
            assertNull(b.param("filename"));
            assertEquals(77, a.rawParams().n_tcp_streams());
        }
    }

    @Test
    void closeIsIdempotentAndAClosedSessionRefusesCalls() {
        NidsSession s = new NidsSession();
        recorder(s, capture("open-at-end.pcap"));
        s.init();
        s.next();
        assertTrue(s.toString().contains("open-at-end.pcap") && s.toString().contains("open"), s.toString());
        s.close();
        s.close();
        assertTrue(s.isClosed());
        assertFalse(s.isOpen());
        assertTrue(s.toString().contains("closed"), s.toString());
        for (Runnable call : List.<Runnable>of(s::init, s::run, s::next, () -> s.dispatch(1), s::exit,
                () -> s.param("filename"), () -> s.param("n_hosts", 3), () -> s.registerTcp(t -> { }),
                s::getfd, s::getPktTs, s::packetCount, s::bytesRead, s::getPcapStats,
                () -> s.chksumCtl(List.of()))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, call::run);
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
        }
        s.stop(); // any time, and never throws
    }

    @Test
    void exitingHandlersSeeTheStreamsOpenAtClose() {
        List<String> exiting = new ArrayList<>();
        try (NidsSession s = new NidsSession()) {
            s.param("filename", capture("open-at-end.pcap").toString());
            s.registerTcp(tcp -> {
                if (tcp.nidsState() == Nids.NIDS_JUST_EST) tcp.server().collect(true);
                if (tcp.nidsState() == Nids.NIDS_EXITING) exiting.add(tcp.addr().toString());
            });
            s.init();
            while (s.next() == 1) { }
        }
        assertFalse(exiting.isEmpty(), "close() gives open streams NIDS_EXITING");
    }

    @Test
    void aSecondThreadIsRefusedWithBothThreadsNamed() throws Exception {
        try (NidsSession s = new NidsSession()) {
            CountDownLatch inside = new CountDownLatch(1), release = new CountDownLatch(1);
            s.param("filename", capture("http-small.pcap").toString());
            s.registerTcp(tcp -> {
                inside.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            s.init();
            Thread runner = new Thread(s::run, "session-runner");
            runner.start();
            assertTrue(inside.await(10, TimeUnit.SECONDS));
            IllegalStateException e = assertThrows(IllegalStateException.class, s::next);
            assertTrue(e.getMessage().contains("session-runner") && e.getMessage().contains(Thread.currentThread().getName()),
                    e.getMessage());
            assertTrue(s.toString().contains("session-runner"), s.toString());
            release.countDown();
            runner.join(10_000);
            assertFalse(runner.isAlive());
        }
    }

    /** A handler that waits for another thread's stop() while the session closes must not deadlock. */
    @Test
    @Timeout(30)
    void stopFromAnotherThreadDuringClosingHandlersNeverBlocks() throws Exception {
        try (NidsSession s = new NidsSession()) {
            s.param("filename", capture("open-at-end.pcap").toString());
            AtomicReference<Throwable> failure = new AtomicReference<>();
            boolean[] stopped = {false};
            s.registerTcp(tcp -> {
                if (tcp.nidsState() == Nids.NIDS_JUST_EST) tcp.server().collect(true);
                if (tcp.nidsState() != Nids.NIDS_EXITING) return;
                Thread stopper = new Thread(s::stop, "stopper");
                stopped[0] = true;
                stopper.start();
                try {
                    stopper.join(10_000);
                    if (stopper.isAlive()) failure.set(new AssertionError("stop() blocked during NIDS_EXITING"));
                } catch (InterruptedException e) {
                    failure.set(e);
                }
            });
            s.init();
            while (s.next() == 1) { }
            s.exit();
            assertNull(failure.get());
            assertTrue(stopped[0], "a handler ran in NIDS_EXITING");
        }
    }

    @Test
    void aSessionMadeOnOneThreadRunsOnAnother() throws Exception {
        NidsSession s = new NidsSession();
        List<String> events = recorder(s, capture("http-small.pcap"));
        Thread t = new Thread(() -> {
            s.init();
            s.run();
        });
        t.start();
        t.join();
        assertEquals(alone(capture("http-small.pcap")), events);
        s.close();
    }

    @Test
    void anUnclosedSessionIsFreedByTheCleanerWithoutRunningHandlers() throws Exception {
        int before = NativeSession.live();
        boolean[] called = {false};
        openAndDrop(capture("open-at-end.pcap"), called);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (NativeSession.live() > before && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(before, NativeSession.live(), "the Cleaner freed the session");
        assertFalse(called[0], "no handler ran when the session was freed");
    }

    private static void openAndDrop(Path file, boolean[] called) {
        NidsSession s = new NidsSession();
        s.param("filename", file.toString());
        s.registerTcp(tcp -> {
            if (tcp.nidsState() == Nids.NIDS_JUST_EST) tcp.server().collect(true);
            if (tcp.nidsState() == Nids.NIDS_EXITING) called[0] = true;
        });
        s.init();
        s.next();
        s.next();
    }

    @Test
    void twoHundredHandlersAllSeeAStreamToItsEnd() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation c = new TcpConversation(w, "10.0.0.1", 40000, "10.0.0.2", 80).handshake();
        for (int i = 0; i < 5; i++) c.clientSends("request " + i + "\n").serverSends("response " + i + "\n");
        c.close();
        Path file = w.write(dir.resolve("conv.pcap"));
        int n = 200;
        int[] bytes = new int[n], ends = new int[n];
        try (NidsSession s = new NidsSession()) {
            s.param("filename", file.toString());
            for (int i = 0; i < n; i++) {
                int k = i;
                s.registerTcp(tcp -> {
                    if (tcp.nidsState() == Nids.NIDS_JUST_EST) {
                        tcp.client().collect(true);
                        tcp.server().collect(true);
                    } else if (tcp.nidsState() == Nids.NIDS_DATA) {
                        bytes[k] += tcp.client().countNew() + tcp.server().countNew();
                    } else {
                        ends[k]++;
                    }
                });
            }
            s.init();
            s.run();
        }
        for (int i = 0; i < n; i++) {
            assertEquals(bytes[0], bytes[i], "handler " + i + " saw all the data");
            assertEquals(1, ends[i], "handler " + i + " saw the end");
        }
        assertTrue(bytes[0] > 0);
    }

    @Test
    void errorsCarryAReason() throws Exception {
        try (NidsSession s = new NidsSession()) {
            s.param("filename", dir.resolve("missing.pcap").toString());
            assertEquals(NidsException.Reason.MISSING_FILE, assertThrows(NidsException.class, s::init).reason());
            s.param("filename", dir.toString());
            assertEquals(NidsException.Reason.FILE_ACCESS, assertThrows(NidsException.class, s::init).reason());
            Path text = Files.writeString(dir.resolve("notes.txt"), "these are not packets, just some words\n");
            s.param("filename", text.toString());
            assertEquals(NidsException.Reason.NOT_A_CAPTURE, assertThrows(NidsException.class, s::init).reason());
            s.param("filename", capture("http-small.pcap").toString());
            s.param("pcap_filter", "tcp port banana");
            assertEquals(NidsException.Reason.BAD_FILTER, assertThrows(NidsException.class, s::init).reason());
            s.param("pcap_filter", null);
            Path cut = dir.resolve("cut.pcap");
            byte[] whole = Files.readAllBytes(capture("http-small.pcap"));
            Files.write(cut, java.util.Arrays.copyOf(whole, whole.length - 7));
            s.param("filename", cut.toString());
            s.init();
            assertEquals(NidsException.Reason.DAMAGED_CAPTURE, assertThrows(NidsException.class, s::run).reason());
            s.param("filename", null);
            s.param("device", "no-such-interface0");
            assertEquals(NidsException.Reason.NO_SUCH_DEVICE, assertThrows(NidsException.class, s::init).reason());
        }
    }

    @Test
    void scanPortsBeyondTheStagingAreaAreRefused() {
        try (NidsSession s = new NidsSession()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> s.param("scan_num_ports", 1_000_000));
            assertTrue(e.getMessage().contains("scan_num_ports") && e.getMessage().contains("<="), e.getMessage());
            s.param("scan_num_ports", 4095);
        }
    }
}
