package io.github.jnids;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.jnids.testing.DumpCases;
import io.github.jnids.testing.NidsDumpC;
import io.github.jnids.testing.NidsDumpJava;

/**
 * Nothing one session does is visible to another: parameters, checksum
 * rules, handlers, stop requests, warnings, errors and statistics, with the
 * sessions running at the same time on two threads or alternately on one.
 */
class SessionIndependenceTest {
    private static final long WAIT_S = 60;

    @TempDir
    Path dir;

    private static Path testdata(String name) {
        Path p = DumpCases.BASE.resolve("testdata/captured").resolve(name);
        assertTrue(Files.isReadable(p), p + " is missing");
        return p;
    }

    /** Runs the tasks on threads of their own, started together, and returns their results. */
    @SafeVarargs
    private static <T> List<T> together(int rounds, Callable<T>... tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.length);
        try {
            List<T> results = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                CyclicBarrier start = new CyclicBarrier(tasks.length);
                List<Future<T>> fs = new ArrayList<>();
                for (Callable<T> t : tasks) {
                    fs.add(pool.submit(() -> {
                        start.await(WAIT_S, TimeUnit.SECONDS);
                        return t.call();
                    }));
                }
                for (Future<T> f : fs) results.add(f.get(WAIT_S, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(WAIT_S, TimeUnit.SECONDS));
        }
    }

    private static Callable<String> dumpTask(Path capture, List<String> options) {
        NidsDumpJava.Result c = NidsDumpC.dump(capture, options);
        return () -> {
            try (NidsSession s = new NidsSession()) {
                String d = NidsDumpC.difference(c, NidsDumpJava.dump(s, capture, options));
                return d == null ? "same" : capture.getFileName() + " " + options + ": " + d;
            }
        };
    }

    /**
     * http-lo.pcap was taken on lo, where checksums are left to the (absent)
     * hardware: session A with checksums off sees its streams, B with
     * libnids' default checks drops their packets. Both at once, five times.
     */
    @Test
    void checksumRulesArePerSession() throws Exception {
        Path lo = testdata("http-lo.pcap");
        List<String> off = List.of("--no-checksum");
        assertNotEquals(NidsDumpC.dump(lo, off).lines(), NidsDumpC.dump(lo, List.of()).lines(),
                "the capture must need the rule for this test to mean anything");
        List<String> results = together(5, dumpTask(lo, off), dumpTask(lo, List.of()));
        assertEquals(List.of("same"), results.stream().distinct().toList());
    }

    /**
     * Warnings and port-scan reports reach only the session whose traffic
     * caused them: A reads the port scan with detection on, B an HTTP
     * capture with detection on too, at the same time.
     */
    @Test
    void warningsArePerSession() throws Exception {
        Path scan = testdata("portscan.pcap"), http = testdata("http-small.pcap");
        List<String> warn = List.of("--warn");
        assertTrue(NidsDumpC.dump(scan, warn).lines().stream().anyMatch(l -> l.startsWith("WARN SCAN")));
        assertTrue(NidsDumpC.dump(http, warn).lines().stream().noneMatch(l -> l.startsWith("WARN")));
        List<String> results = together(5, dumpTask(scan, warn), dumpTask(http, warn));
        assertEquals(List.of("same"), results.stream().distinct().toList());
    }

    /** A capture that fails (truncated) in one session while another reads a whole one. */
    @Test
    void errorsArePerSession() throws Exception {
        Path http = testdata("http-small.pcap");
        byte[] whole = Files.readAllBytes(http);
        Path cut = Files.write(dir.resolve("cut.pcap"), Arrays.copyOf(whole, whole.length / 2 + 7));
        Path missing = dir.resolve("missing.pcap");
        assertEquals(1, NidsDumpC.dump(cut, List.of()).status());
        List<String> results = together(3, dumpTask(cut, List.of()), dumpTask(http, List.of()),
                dumpTask(missing, List.of()));
        assertEquals(List.of("same"), results.stream().distinct().toList());
    }

    /**
     * Every parameter set on A to a value other than the default leaves B's,
     * a fresh session's and the default session's ({@code Nids}) as they were.
     */
    @Test
    void parametersArePerSession() {
        Predicate<java.nio.ByteBuffer> filter = ip -> true;
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("device", "no-such-device");
        values.put("filename", "/no/such/file.pcap");
        values.put("pcap_filter", "udp");
        values.put("n_tcp_streams", 7);
        values.put("n_hosts", 9);
        values.put("sk_buff_size", 200);
        values.put("dev_addon", 4);
        values.put("syslog_level", 2);
        values.put("scan_num_hosts", 11);
        values.put("scan_num_ports", 13);
        values.put("scan_delay", 17);
        values.put("promisc", 0);
        values.put("one_loop_less", 1);
        values.put("pcap_timeout", 19);
        values.put("tcp_workarounds", 1);
        values.put("tcp_flow_timeout", 23);
        values.put("queue_limit", 29);
        values.put("ip_filter", filter);
        try (NidsSession a = new NidsSession(); NidsSession b = new NidsSession()) {
            Map<String, Object> defaultsB = new LinkedHashMap<>(), defaultsNids = new LinkedHashMap<>();
            for (String n : values.keySet()) {
                defaultsB.put(n, b.param(n));
                defaultsNids.put(n, Nids.param(n));
            }
            for (Map.Entry<String, Object> e : values.entrySet()) {
                assertNotEquals(e.getValue(), a.param(e.getKey()), e.getKey() + ": choose a value other than the default");
                a.param(e.getKey(), e.getValue());
            }
            try (NidsSession fresh = new NidsSession()) {
                for (Map.Entry<String, Object> e : values.entrySet()) {
                    String n = e.getKey();
                    Object got = a.param(n);
                    if (e.getValue() instanceof Integer i && got instanceof Boolean bool) got = bool ? 1 : 0;
                    assertEquals(e.getValue(), got, n + " in A");
                    assertEquals(defaultsB.get(n), b.param(n), n + " in B");
                    assertEquals(defaultsB.get(n), fresh.param(n), n + " in a fresh session");
                    assertEquals(defaultsNids.get(n), Nids.param(n), n + " in the default session");
                }
            }
        }
    }

    /**
     * Handlers and stop requests: A's handler stops A at its first data
     * callback, while B, with handlers of its own, reads the same capture on
     * another thread; B's result is C's, whole, and A's handler never hears
     * B's streams. Then the same on one thread, A and B alternating next().
     */
    @Test
    void handlersAndStopRequestsArePerSession() throws Exception {
        Path http = testdata("http-small.pcap");
        NidsDumpJava.Result c = NidsDumpC.dump(http, List.of());
        for (boolean oneThread : new boolean[] {false, true}) {
            try (NidsSession a = new NidsSession(); NidsSession b = new NidsSession()) {
                List<Integer> aStates = new ArrayList<>();
                a.param("filename", http.toString());
                a.param("scan_num_hosts", 0);
                a.registerTcp(t -> {
                    aStates.add(t.nidsState());
                    if (t.nidsState() == Nids.NIDS_JUST_EST) {
                        t.client().collect(true);
                        t.server().collect(true);
                    } else if (t.nidsState() == Nids.NIDS_DATA) {
                        a.stop();
                    }
                });
                a.init();
                NidsDumpJava dumpB = NidsDumpJava.open(b, http, List.of());
                if (oneThread) {
                    int steps = 0;
                    while (dumpB.next()) {
                        if (a.isOpen()) a.next();
                        steps++;
                    }
                    assertTrue(steps > 10);
                } else {
                    together(1, () -> {
                        a.run();
                        return null;
                    }, () -> {
                        dumpB.runToEnd();
                        return null;
                    });
                    assertTrue(a.isOpen(), "A stopped by its own stop() is still open");
                    assertEquals(List.of(Nids.NIDS_JUST_EST, Nids.NIDS_DATA), aStates,
                            "A's run() ended at its first data callback");
                }
                assertNull(NidsDumpC.difference(c, dumpB.finish()), "B's dump (one thread: " + oneThread + ")");
                long aEst = aStates.stream().filter(x -> x == Nids.NIDS_JUST_EST).count();
                long cEst = c.lines().stream().filter(l -> l.startsWith("TCP EST")).count();
                assertTrue(aEst <= cEst, "A heard more streams (" + aEst + ") than its capture has (" + cEst + ")");
            }
        }
    }

    /**
     * Statistics: packetCount(), bytesRead(), getPktTs() per session, read
     * while two sessions advance alternately on two different captures.
     */
    @Test
    void statisticsArePerSession() throws Exception {
        Path small = testdata("udp-dns.pcap"), large = testdata("http-small.pcap");
        try (NidsSession a = new NidsSession(); NidsSession b = new NidsSession()) {
            NidsDumpJava da = NidsDumpJava.open(a, small, List.of("--udp"));
            NidsDumpJava db = NidsDumpJava.open(b, large, List.of());
            long na = 0, nb = 0;
            double lastTa = 0, lastTb = 0;
            boolean moreA = true, moreB = true;
            while (moreA || moreB) {
                if (moreA && (moreA = da.next())) {
                    na++;
                    assertEquals(na, a.packetCount());
                    assertTrue(a.bytesRead() > 0 && a.bytesRead() <= Files.size(small));
                    assertTrue(a.getPktTs() >= lastTa);
                    lastTa = a.getPktTs();
                }
                if (moreB && (moreB = db.next())) {
                    nb++;
                    assertEquals(nb, b.packetCount());
                    assertTrue(b.bytesRead() > 0 && b.bytesRead() <= Files.size(large));
                    assertTrue(b.getPktTs() >= lastTb);
                    lastTb = b.getPktTs();
                }
                if (moreA && moreB) assertNotEquals(a.getPktTs(), b.getPktTs(), "the captures' clocks differ");
            }
            assertEquals(Files.size(small), a.bytesRead(), "A read its whole file");
            assertEquals(Files.size(large), b.bytesRead(), "B read its whole file");
            String endA = "END packets=" + na, endB = "END packets=" + nb;
            List<String> la = da.finish().lines(), lb = db.finish().lines();
            assertEquals(endA, la.get(la.size() - 1));
            assertEquals(endB, lb.get(lb.size() - 1));
            assertEquals(NidsDumpC.dump(small, List.of("--udp")).lines(), la);
            assertEquals(NidsDumpC.dump(large, List.of()).lines(), lb);
            assertNotEquals(na, nb);
        }
    }
}
