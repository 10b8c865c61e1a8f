package io.github.jnids;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Live capture on the loopback interface with real sockets. Needs CAP_NET_RAW
 * (root): without it the tests skip, saying why.
 */
class LiveCaptureTest extends NidsTestBase {
    private static final InetAddress LOCAL = InetAddress.getLoopbackAddress();

    private Thread runner;
    private final AtomicReference<Throwable> runFailure = new AtomicReference<>();

    /** Opens a live session on lo for one TCP port, or skips when capturing is not allowed here. */
    private static void openLoopback(int port) {
        Nids.param("device", "lo");
        Nids.param("pcap_filter", "tcp port " + port);
        Nids.param("pcap_timeout", 100);
        Nids.param("scan_num_hosts", 0);
        // loopback segments carry partial checksums (the kernel never fills them in)
        Nids.chksumCtl(List.of(Map.entry("0.0.0.0/0", false)));
        try {
            Nids.init();
        } catch (NidsException e) {
            String m = e.getMessage();
            Assumptions.assumeFalse(m.contains("permission") || m.contains("CAP_NET_RAW")
                    || m.contains("Operation not permitted"), "live capture on lo not allowed here: " + m);
            Assumptions.assumeFalse(m.contains("not found") || m.contains("No such device"),
                    "no loopback interface here: " + m);
            throw e;
        }
    }

    @org.junit.jupiter.api.AfterEach
    void stopRunner() throws InterruptedException {
        if (runner != null && runner.isAlive()) {
            Nids.stop();
            runner.join(20_000);
        }
    }

    private void startRun() {
        runner = new Thread(() -> {
            try {
                Nids.run();
            } catch (Throwable t) {
                runFailure.set(t);
            }
        }, "live-run");
        runner.start();
    }

    private void joinRun() throws InterruptedException {
        runner.join(20_000);
        assertFalse(runner.isAlive(), "run() ended");
        assertNull(runFailure.get(), () -> "run() failed: " + runFailure.get());
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] readFully(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        assertEquals(n, b.length);
        return b;
    }

    @Test
    void loopbackConversationIsReassembledBothWays() throws Exception {
        byte[] request = random(200_000, 1), response = random(120_000, 2);
        try (ServerSocket server = new ServerSocket(0, 5, LOCAL)) {
            int port = server.getLocalPort();
            openLoopback(port);
            assertTrue(Nids.getfd() >= 0, "a live capture has a selectable descriptor");
            ByteArrayOutputStream cts = new ByteArrayOutputStream(), stc = new ByteArrayOutputStream();
            List<Integer> states = Collections.synchronizedList(new ArrayList<>());
            AtomicReference<PcapStats> stats = new AtomicReference<>();
            AtomicReference<Tuple4> addr = new AtomicReference<>();
            onTcp(s -> {
                states.add(s.nidsState());
                switch (s.nidsState()) {
                    case Nids.NIDS_JUST_EST -> {
                        addr.set(s.addr());
                        s.client().collect(true);
                        s.server().collect(true);
                    }
                    case Nids.NIDS_DATA -> {
                        if (s.server().countNew() > 0) cts.writeBytes(s.server().data());
                        if (s.client().countNew() > 0) stc.writeBytes(s.client().data());
                    }
                    default -> {
                        stats.set(Nids.getPcapStats());
                        assertTrue(Math.abs(Nids.getPktTs() - System.currentTimeMillis() / 1000.0) < 60);
                        Nids.stop(); // live: from inside a handler
                    }
                }
            });
            List<NidsWarning> warnings = Collections.synchronizedList(new ArrayList<>());
            onWarning(warnings::add);
            startRun();
            int clientPort;
            try (Socket client = new Socket(LOCAL, port); Socket accepted = server.accept()) {
                clientPort = client.getLocalPort();
                client.setSoTimeout(10_000);
                accepted.setSoTimeout(10_000);
                OutputStream out = client.getOutputStream();
                Thread writer = new Thread(() -> {
                    try {
                        out.write(request);
                        out.flush();
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                writer.start();
                assertArrayEquals(request, readFully(accepted.getInputStream(), request.length));
                writer.join();
                accepted.getOutputStream().write(response);
                assertArrayEquals(response, readFully(client.getInputStream(), response.length));
                client.shutdownOutput();
                assertEquals(-1, accepted.getInputStream().read());
                accepted.shutdownOutput();
                assertEquals(-1, client.getInputStream().read());
            }
            runner.join(10_000);
            assertFalse(runner.isAlive(), () -> "run() did not end; states " + states + ", " + cts.size() + "/"
                    + stc.size() + " bytes, warnings " + warnings);
            joinRun();
            assertTrue(Nids.isOpen(), "a stopped live run leaves the session open");
            assertEquals(new Tuple4("127.0.0.1", clientPort, "127.0.0.1", port), addr.get());
            assertEquals(Nids.NIDS_JUST_EST, states.get(0));
            assertEquals(Nids.NIDS_CLOSE, states.get(states.size() - 1));
            assertArrayEquals(request, cts.toByteArray(), "client to server bytes");
            assertArrayEquals(response, stc.toByteArray(), "server to client bytes");
            assertTrue(stats.get().recv() > 0, stats.get().toString());
            PcapStats after = Nids.getPcapStats();
            assertTrue(after.recv() >= stats.get().recv());
            Nids.exit();
            assertFalse(Nids.isOpen());
        }
    }

    @Test
    void stopFromAnotherThreadEndsAnIdleLiveRun() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, LOCAL)) {
            openLoopback(server.getLocalPort());
            startRun();
            Thread.sleep(300);
            assertTrue(runner.isAlive(), "a live run waits for packets");
            assertThrows(IllegalStateException.class, () -> Nids.param("scan_delay", 5));
            long t0 = System.nanoTime();
            Nids.stop();
            joinRun();
            assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "stop() is prompt");
            // on an idle interface libpcap's TPACKET_V3 reads block until a packet
            // arrives, whatever pcap_timeout says: only stop() ends them
            Nids.exit();
        }
    }

    @Test
    void killResetsBothEndsOfALiveConnection() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, LOCAL)) {
            int port = server.getLocalPort();
            openLoopback(port);
            List<String> log = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch killed = new CountDownLatch(1), reset = new CountDownLatch(1);
            onTcp(s -> {
                switch (s.nidsState()) {
                    case Nids.NIDS_JUST_EST -> {
                        s.client().collect(true);
                        s.server().collect(true);
                    }
                    case Nids.NIDS_DATA -> {
                        log.add("data:" + new String(s.server().data()));
                        s.kill();
                        killed.countDown();
                    }
                    default -> {
                        log.add("end:" + s.nidsState());
                        if (s.nidsState() == Nids.NIDS_RESET) reset.countDown();
                    }
                }
            });
            startRun();
            try (Socket client = new Socket(LOCAL, port); Socket accepted = server.accept()) {
                client.setSoTimeout(10_000);
                accepted.setSoTimeout(10_000);
                client.getOutputStream().write("hello".getBytes());
                assertArrayEquals("hello".getBytes(), readFully(accepted.getInputStream(), 5));
                assertTrue(killed.await(10, TimeUnit.SECONDS), "the handler saw the data");
                SocketException atClient = assertThrows(SocketException.class, () -> client.getInputStream().read());
                assertTrue(atClient.getMessage().contains("reset"), atClient.getMessage());
                SocketException atServer = assertThrows(SocketException.class, () -> accepted.getInputStream().read());
                assertTrue(atServer.getMessage().contains("reset"), atServer.getMessage());
                assertTrue(reset.await(10, TimeUnit.SECONDS), "libnids saw the reset too: " + log);
            } finally {
                Nids.stop();
                joinRun();
            }
            assertEquals("data:hello", log.get(0));
            assertEquals("end:" + Nids.NIDS_RESET, log.get(1));
        }
    }
}
