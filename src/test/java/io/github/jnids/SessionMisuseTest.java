package io.github.jnids;

import static io.github.jnids.testing.Packets.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import io.github.jnids.testing.DumpCases;
import io.github.jnids.testing.NidsDumpC;
import io.github.jnids.testing.NidsDumpJava;
import io.github.jnids.testing.PcapWriter;
import io.github.jnids.testing.TcpConversation;

/**
 * {@link NidsSession} used wrongly or from several threads: a clear
 * exception or a defined outcome, never a crash, a hang or a deadlock.
 * Waits are bounded joins and latches, so that a hang fails the test
 * (naming what hung) instead of stopping the build.
 */
class SessionMisuseTest {
    private static final long T0 = 1_700_000_000_000_000L;
    private static final long WAIT_S = 30;

    @TempDir
    Path dir;

    private Path datagrams(int n) throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        for (int i = 1; i <= n; i++) {
            w.packet(T0 + i * 1000L, ethernet(ipv4("10.0.0.1", "10.0.0.2", 17, i, 0, false,
                    udp("10.0.0.1", 1000, "10.0.0.2", 2000, new byte[] {(byte) i}))));
        }
        return w.write(dir.resolve("udp" + n + ".pcap"));
    }

    /** A stream with data each way that is still open at the end of the capture. */
    private Path openAtEnd() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        new TcpConversation(w, "10.0.0.1", 40000, "10.0.0.2", 80).handshake().clientSends("abc").serverSends("de");
        return w.write(dir.resolve("open-at-end.pcap"));
    }

    private static DumpCases.Case testdataCase(String name) {
        return DumpCases.testdata().stream().filter(c -> c.capture().getFileName().toString().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no testdata capture " + name));
    }

    private static void assertMessage(Class<? extends Throwable> type, Executable call, String... parts) {
        Throwable t = assertThrows(type, call);
        for (String p : parts) {
            assertTrue(t.getMessage() != null && t.getMessage().contains(p),
                    "message '" + t.getMessage() + "' should contain '" + p + "'");
        }
    }

    private static void joinOrFail(Thread t, String what) throws InterruptedException {
        t.join(TimeUnit.SECONDS.toMillis(WAIT_S));
        if (t.isAlive()) {
            StringBuilder stack = new StringBuilder();
            for (StackTraceElement e : t.getStackTrace()) stack.append("\n    at ").append(e);
            fail(what + ": thread " + t.getName() + " still running after " + WAIT_S + " s" + stack);
        }
    }

    /** A method of the public contract called on a session; {@code reads}: it only reads the session's state. */
    private record Call(String name, Executable call, boolean reads) { }

    /** Every method of the public contract but close(). */
    private static List<Call> everyCall(NidsSession s) {
        TcpHandler tcp = t -> { };
        UdpHandler udp = (a, p, i) -> { };
        IpHandler ip = p -> { };
        WarningHandler warn = w -> { };
        return List.of(new Call("param(name)", () -> s.param("scan_delay"), true),
                new Call("param(name, value)", () -> s.param("scan_delay", 1), false),
                new Call("chksumCtl", () -> s.chksumCtl(List.of()), false),
                new Call("registerTcp", () -> s.registerTcp(tcp), false),
                new Call("unregisterTcp", () -> s.unregisterTcp(tcp), false),
                new Call("registerUdp", () -> s.registerUdp(udp), false),
                new Call("unregisterUdp", () -> s.unregisterUdp(udp), false),
                new Call("registerIp", () -> s.registerIp(ip), false),
                new Call("unregisterIp", () -> s.unregisterIp(ip), false),
                new Call("registerIpFrag", () -> s.registerIpFrag(ip), false),
                new Call("unregisterIpFrag", () -> s.unregisterIpFrag(ip), false),
                new Call("registerWarning", () -> s.registerWarning(warn), false),
                new Call("unregisterWarning", () -> s.unregisterWarning(warn), false),
                new Call("init", s::init, false), new Call("run", s::run, false), new Call("next", s::next, false),
                new Call("dispatch", () -> s.dispatch(1), false), new Call("exit", s::exit, false),
                new Call("getfd", s::getfd, true), new Call("getPktTs", s::getPktTs, true),
                new Call("getPcapStats", s::getPcapStats, true), new Call("isOpen", s::isOpen, true),
                new Call("packetCount", s::packetCount, true), new Call("bytesRead", s::bytesRead, true),
                new Call("stop", s::stop, false));
    }

    // ---- a closed session ------------------------------------------------

    /**
     * A closed session refuses every call with IllegalStateException saying it
     * is closed, except those NidsSession documents as answering: close()
     * (idempotent), stop() (does nothing: it may race close() from another
     * thread), isOpen() (false), isClosed() and toString(). The default
     * session's close() only ends its capture: Nids keeps working.
     */
    @Test
    void aClosedSessionRefusesEveryCall() throws Exception {
        NidsSession never = new NidsSession();
        never.close();
        never.close(); // idempotent
        NidsSession opened = new NidsSession();
        opened.param("filename", datagrams(3).toString());
        opened.init();
        assertEquals(1, opened.next());
        opened.close();
        opened.close();
        for (NidsSession s : List.of(never, opened)) {
            for (Call c : everyCall(s)) {
                if (c.name().equals("stop") || c.name().equals("isOpen")) continue;
                Throwable t = assertThrows(IllegalStateException.class, c.call(), c.name() + " on a closed session");
                assertTrue(t.getMessage() != null && t.getMessage().contains("closed"),
                        c.name() + ": the message should say the session is closed: " + t.getMessage());
            }
            s.stop();
            assertFalse(s.isOpen());
            assertTrue(s.isClosed());
            assertTrue(s.toString().contains("closed"), "toString() of a closed session: " + s);
        }

        Object old = Nids.param("filename", datagrams(2).toString());
        try {
            Nids.init();
            Nids.session().close();
            assertFalse(Nids.isOpen());
            assertFalse(Nids.session().isClosed(), "the default session is never closed");
            Nids.init();
            assertEquals(1, Nids.next());
            Nids.exit();
        } finally {
            Nids.exit();
            Nids.param("filename", old);
        }
    }

    /**
     * A handler that closes its own session: close() from inside a handler is
     * refused with IllegalStateException (libnids is in the middle of a
     * call), like init() and run() there. Caught by the handler, the run goes
     * on to its end; not caught, it ends run() as any handler exception does,
     * the session stays open and consistent, and close() afterwards works.
     */
    @Test
    void aHandlerThatClosesItsOwnSession() throws Exception {
        Path file = datagrams(4);
        for (boolean catchIt : new boolean[] {true, false}) {
            NidsSession s = new NidsSession();
            List<String> seen = new ArrayList<>();
            s.param("filename", file.toString());
            s.registerUdp((a, p, i) -> {
                seen.add(String.valueOf(p.get(0)));
                if (p.get(0) != 2) return;
                if (!catchIt) s.close();
                try {
                    s.close();
                    seen.add("closed");
                } catch (IllegalStateException e) {
                    seen.add(e.getMessage().contains("inside a handler") ? "refused" : e.getMessage());
                }
            });
            s.init();
            if (catchIt) {
                s.run();
                assertEquals(List.of("1", "2", "refused", "3", "4"), seen);
                assertFalse(s.isOpen());
            } else {
                IllegalStateException e = assertThrows(IllegalStateException.class, s::run);
                assertTrue(e.getMessage().contains("close()") && e.getMessage().contains("inside a handler"),
                        e.getMessage());
                assertEquals(List.of("1", "2"), seen);
                assertTrue(s.isOpen(), "the session stays open after the handler's exception");
                assertFalse(s.isClosed());
                s.run(); // resumes with the next packet
                assertEquals(List.of("1", "2", "3", "4"), seen);
            }
            s.close();
            assertTrue(s.isClosed());
        }
    }

    /** close() on an open session ends it as exit() does: streams still open get NIDS_EXITING. */
    @Test
    void closeEndsAnOpenSessionAsExitDoes() throws Exception {
        Path file = openAtEnd();
        List<String> seen = new ArrayList<>();
        NidsSession s = new NidsSession();
        s.param("filename", file.toString());
        s.registerTcp(t -> {
            seen.add(t.nidsState() + ":" + t.server().count() + "/" + t.client().count());
            if (t.nidsState() == Nids.NIDS_JUST_EST) {
                t.client().collect(true);
                t.server().collect(true);
            }
        });
        s.init();
        while (s.next() == 1) { }
        assertTrue(s.isOpen());
        assertTrue(s.toString().contains(file.getFileName().toString()), "toString() names the capture: " + s);
        s.close();
        assertEquals(List.of("1:0/0", "2:3/0", "2:3/2", "6:3/2"), seen);
    }

    // ---- two threads -----------------------------------------------------

    /**
     * While one thread is inside run(), every call from another thread but
     * stop() is refused, naming both threads; close() too, and the session
     * stays whole. Once run() has returned, the other thread may use it.
     */
    @Test
    void aSecondThreadIsRefusedNamingBothThreads() throws Exception {
        Path file = datagrams(3);
        NidsSession s = new NidsSession();
        try {
            CountDownLatch entered = new CountDownLatch(1), release = new CountDownLatch(1);
            List<Integer> seen = new ArrayList<>();
            s.registerUdp((a, p, i) -> {
                seen.add((int) p.get(0));
                entered.countDown();
                try {
                    assertTrue(release.await(WAIT_S, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            s.param("filename", file.toString());
            s.init();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread runner = new Thread(() -> {
                try {
                    s.run();
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "session-runner-A");
            runner.start();
            String myName = Thread.currentThread().getName();
            Thread.currentThread().setName("session-caller-B");
            try {
                assertTrue(entered.await(WAIT_S, TimeUnit.SECONDS));
                String me = Thread.currentThread().getName();
                for (Call c : everyCall(s)) {
                    if (c.name().equals("stop")) continue;
                    Throwable t = null;
                    try {
                        c.call().execute();
                    } catch (Throwable e) {
                        t = e;
                    }
                    if (t == null) {
                        assertTrue(c.reads(), c.name() + " from a second thread was not refused");
                    } else {
                        assertInstanceOf(IllegalStateException.class, t, c.name() + " from a second thread");
                        assertTrue(t.getMessage().contains("session-runner-A") && t.getMessage().contains(me),
                                c.name() + ": the message should name both threads ('" + me
                                        + "' and 'session-runner-A'): " + t.getMessage());
                    }
                }
                assertMessage(IllegalStateException.class, s::close, "session-runner-A", me);
                assertMessage(IllegalStateException.class, s::run, "session-runner-A", me);
                assertMessage(IllegalStateException.class, s::init, "session-runner-A", me);
                assertMessage(IllegalStateException.class, () -> s.param("filename", "x"), "session-runner-A", me);
                s.stop();
            } finally {
                Thread.currentThread().setName(myName);
                release.countDown();
                joinOrFail(runner, "run() after stop()");
            }
            assertNull(failure.get());
            assertEquals(List.of(1), seen, "stop() from another thread ends run() after the current packet");
            assertTrue(s.isOpen());
            // this thread now may use the session
            assertEquals(1, s.next());
            assertEquals(List.of(1, 2), seen);
        } finally {
            s.close();
        }
    }

    /**
     * A session made, configured and opened on one thread, read on pool
     * threads (several sessions, two threads), ended on the first thread:
     * each equal to its C dump.
     */
    @Test
    void aSessionMadeOnOneThreadRunsOnAnother() throws Exception {
        List<DumpCases.Case> cases = DumpCases.testdata().stream()
                .filter(c -> c.capture().getParent().getFileName().toString().equals("captured")).toList();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<NidsSession> sessions = new ArrayList<>();
        try {
            List<NidsDumpJava> dumps = new ArrayList<>();
            List<CompletableFuture<Void>> runs = new ArrayList<>();
            for (DumpCases.Case c : cases) {
                NidsSession s = new NidsSession();
                sessions.add(s);
                NidsDumpJava d = NidsDumpJava.open(s, c.capture(), c.options());
                dumps.add(d);
                // one packet, then the rest as another task, perhaps on the other pool thread
                runs.add(CompletableFuture.runAsync(d::next, pool).thenRunAsync(d::runToEnd, pool));
            }
            for (CompletableFuture<Void> f : runs) f.get(WAIT_S, TimeUnit.SECONDS);
            List<String> failures = new ArrayList<>();
            for (int i = 0; i < cases.size(); i++) {
                DumpCases.Case c = cases.get(i);
                String diff = NidsDumpC.difference(NidsDumpC.dump(c.capture(), c.options()), dumps.get(i).finish());
                if (diff != null) failures.add(c + ": " + diff);
            }
            assertEquals(List.of(), failures);
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(WAIT_S, TimeUnit.SECONDS));
            sessions.forEach(NidsSession::close);
        }
    }

    // ---- stop() --------------------------------------------------------------

    /**
     * stop() from another thread racing close(), many times: the stopping
     * thread calls stop() without pause while this thread opens, reads part
     * of the capture and closes; sometimes it stops a run() in progress on a
     * third thread. No crash, no hang; stop() on the closed session may only
     * be refused with IllegalStateException.
     */
    @Test
    void stopRacingClose() throws Exception {
        Path file = DumpCases.BASE.resolve("testdata/captured/concurrent.pcap");
        assertTrue(Files.isReadable(file));
        int iterations = 400;
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        for (int i = 0; i < iterations && unexpected.get() == null; i++) {
            NidsSession s = new NidsSession();
            s.param("filename", file.toString());
            s.param("scan_num_hosts", 0);
            s.chksumCtl(List.of(Map.entry("0.0.0.0/0", false)));
            s.registerTcp(t -> {
                if (t.nidsState() == Nids.NIDS_JUST_EST) {
                    t.client().collect(true);
                    t.server().collect(true);
                }
            });
            s.init();
            AtomicBoolean done = new AtomicBoolean();
            Thread stopper = new Thread(() -> {
                while (!done.get()) {
                    try {
                        s.stop();
                    } catch (IllegalStateException closed) {
                        // refused once closed: allowed
                    } catch (Throwable t) {
                        unexpected.compareAndSet(null, t);
                        return;
                    }
                    Thread.onSpinWait();
                }
            }, "stopper-" + i);
            stopper.start();
            try {
                if (i % 3 == 2) {
                    Thread runner = new Thread(() -> {
                        try {
                            s.run(); // stopped soon, or to the end
                        } catch (Throwable t) {
                            unexpected.compareAndSet(null, t);
                        }
                    }, "runner-" + i);
                    runner.start();
                    joinOrFail(runner, "run() with stop() called without pause");
                } else {
                    for (int k = 0; k < i % 5; k++) s.dispatch(10);
                }
                s.close();
            } finally {
                done.set(true);
                joinOrFail(stopper, "stop() racing close()");
            }
            assertThrows(IllegalStateException.class, s::next);
        }
        assertNull(unexpected.get(), () -> "unexpected: " + unexpected.get());
    }

    /**
     * A handler that starts a thread calling stop() and waits for it: stop()
     * never blocks, so this cannot deadlock, whether the handler runs for a
     * packet, at the end of the capture (NIDS_EXITING while run() ends the
     * session) or in exit() and close().
     */
    @Test
    void aHandlerWaitingForAnotherThreadsStopDoesNotDeadlock() throws Exception {
        Path file = openAtEnd();
        for (String how : List.of("run", "exit", "close")) {
            NidsSession s = new NidsSession();
            List<String> states = new ArrayList<>();
            List<String> hung = new ArrayList<>();
            try {
                s.param("filename", file.toString());
                s.registerTcp(t -> {
                    states.add(String.valueOf(t.nidsState()));
                    if (t.nidsState() == Nids.NIDS_JUST_EST) {
                        t.client().collect(true);
                        t.server().collect(true);
                    }
                    if (t.nidsState() == Nids.NIDS_DATA || t.nidsState() == Nids.NIDS_EXITING) {
                        Thread stopper = new Thread(s::stop, "stopper-in-" + how);
                        stopper.start();
                        try {
                            stopper.join(TimeUnit.SECONDS.toMillis(WAIT_S));
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                        if (stopper.isAlive()) hung.add(how + " in state " + t.nidsState());
                    }
                });
                s.init();
                switch (how) {
                    case "run" -> {
                        while (s.isOpen()) s.run(); // each stop() ends run(); the end of the file closes
                    }
                    case "exit" -> {
                        for (int k = 0; k < 5; k++) s.next(); // the handshake and the first data
                        s.exit();
                    }
                    default -> {
                        for (int k = 0; k < 5; k++) s.next(); // then close() ends it
                    }
                }
            } finally {
                s.close();
            }
            assertEquals(List.of(), hung, "stop() blocked");
            assertTrue(states.contains("6"), how + ": the handler ran at NIDS_EXITING: " + states);
        }
    }

    /** The same with the static facade, whose stop() used to wait for the lifecycle lock that exit() holds. */
    @Test
    void aStaticHandlerWaitingForAnotherThreadsStopDoesNotDeadlock() throws Exception {
        Path file = openAtEnd();
        List<String> hung = new ArrayList<>();
        List<Integer> states = new ArrayList<>();
        TcpHandler h = t -> {
            states.add(t.nidsState());
            if (t.nidsState() == Nids.NIDS_JUST_EST) {
                t.client().collect(true);
                t.server().collect(true);
            } else {
                Thread stopper = new Thread(Nids::stop, "static-stopper");
                stopper.start();
                try {
                    stopper.join(TimeUnit.SECONDS.toMillis(WAIT_S));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                if (stopper.isAlive()) hung.add("state " + t.nidsState());
            }
        };
        Object oldFilename = Nids.param("filename", file.toString());
        Nids.registerTcp(h);
        try {
            Nids.init();
            for (int k = 0; k < 5; k++) Nids.next(); // the handshake and the first data
            Nids.exit();
        } finally {
            Nids.exit();
            Nids.unregisterTcp(h);
            Nids.param("filename", oldFilename);
        }
        assertEquals(List.of(), hung, "Nids.stop() blocked");
        assertTrue(states.contains(Nids.NIDS_EXITING), "states seen: " + states);
    }
}
