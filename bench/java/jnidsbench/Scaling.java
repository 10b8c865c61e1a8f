package jnidsbench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.github.jnids.Nids;
import io.github.jnids.NidsSession;
import io.github.jnids.TcpStream;

/**
 * The benchmark's scaling case (s): the same capture read K times ("copies"),
 * each read by its own session doing case (a)'s work, first with one thread
 * (K sessions one after the other), then with two threads (K/2 sessions
 * each, at the same time). The speed-up is the one-thread wall time over the
 * two-thread one: on two cores, two independent sessions should approach 2.
 * For comparison, C: one bench_c process making K passes, then two processes
 * making K/2 passes each, at once. Every session's and every process' counts
 * must be the C program's, or the case fails.
 */
final class Scaling {
    private static final long FNV_BASIS = 0xcbf29ce484222325L;

    /** One session's counters: case (a), and warnings, as bench_c counts them. */
    static final class Counters {
        long est, data, close, reset, timedOut, exiting, bytes, warnings;

        void tcp(TcpStream tcp) {
            int state = tcp.nidsState();
            if (state == Nids.NIDS_JUST_EST) {
                tcp.client().collect(true);
                tcp.server().collect(true);
                est++;
            } else if (state == Nids.NIDS_DATA) {
                data++;
                bytes += tcp.client().countNew() + tcp.server().countNew();
            } else if (state == Nids.NIDS_CLOSE) {
                close++;
            } else if (state == Nids.NIDS_RESET) {
                reset++;
            } else if (state == Nids.NIDS_TIMED_OUT) {
                timedOut++;
            } else if (state == Nids.NIDS_EXITING) {
                exiting++;
            }
        }

        /** bench_c's result line, with what case (a) does not count at zero. */
        String result() {
            return String.format(Locale.ROOT,
                    "case=a est=%d data=%d close=%d reset=%d timed_out=%d exiting=%d bytes=%d copied=0 hash=%016x"
                            + " udp_n=0 udp_bytes=0 ip_n=0 ip_bytes=0 warnings=%d",
                    est, data, close, reset, timedOut, exiting, bytes, FNV_BASIS, warnings);
        }
    }

    private final String capture, cBin;
    private final int copies, streams;
    private final ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "scaling");
        t.setDaemon(true);
        return t;
    });

    Scaling(String capture, String cBin, int copies, int streams) {
        this.capture = capture;
        this.cBin = cBin;
        this.copies = copies;
        this.streams = streams;
    }

    /** One session reading the capture to its end. */
    private String read() {
        Counters c = new Counters();
        try (NidsSession s = new NidsSession()) {
            s.param("n_tcp_streams", streams);
            s.param("tcp_gaps", JnidsBench.gapsMode());
            s.param("filename", capture);
            s.registerWarning(w -> c.warnings++);
            s.registerTcp(c::tcp);
            s.init();
            s.run();
        }
        return c.result();
    }

    record Timed(double ms, List<String> results) { }

    /** K sessions on `threads` threads (K/threads each, one after the other on each thread). */
    Timed java(int threads) throws Exception {
        System.gc();
        List<Callable<List<String>>> tasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int mine = copies / threads + (t < copies % threads ? 1 : 0);
            tasks.add(() -> {
                List<String> out = new ArrayList<>();
                for (int i = 0; i < mine; i++) out.add(read());
                return out;
            });
        }
        long t0 = System.nanoTime();
        List<Future<List<String>>> fs = pool.invokeAll(tasks);
        long t1 = System.nanoTime();
        List<String> results = new ArrayList<>();
        for (Future<List<String>> f : fs) results.addAll(f.get());
        return new Timed((t1 - t0) / 1e6, results);
    }

    /** K passes in `processes` bench_c processes at once (BENCH_REPEAT passes each). */
    Timed c(int processes) throws IOException, InterruptedException {
        List<Process> ps = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int p = 0; p < processes; p++) {
            int mine = copies / processes + (p < copies % processes ? 1 : 0);
            ProcessBuilder pb = new ProcessBuilder(cBin, "a", capture, String.valueOf(streams));
            pb.environment().remove("BENCH_C_OPEN");
            pb.environment().put("BENCH_REPEAT", String.valueOf(mine));
            pb.redirectError(ProcessBuilder.Redirect.INHERIT);
            ps.add(pb.start());
        }
        List<String> lines = new ArrayList<>();
        for (Process p : ps) {
            String line;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                line = r.readLine();
                while (r.readLine() != null) { }
            }
            int rc = p.waitFor();
            if (rc != 0 || line == null) throw new IOException(cBin + " failed with status " + rc);
            lines.add(line);
        }
        long t1 = System.nanoTime();
        List<String> results = new ArrayList<>();
        for (String l : lines) {
            Map<String, String> kv = JnidsBench.parse(l);
            kv.remove("maxrss_kb");
            kv.remove("wall_ms");
            kv.remove("pass_cpu_ms");
            kv.remove("cpu_ms");
            results.add(JnidsBench.join(kv));
        }
        return new Timed((t1 - t0) / 1e6, results);
    }

    /** Prints the case's markdown row; returns whether every result was the C program's. */
    boolean run(int runs, int warmup) throws Exception {
        for (int i = 0; i < warmup; i++) {
            Timed w1 = java(1), w2 = java(2);
            System.err.printf(Locale.ROOT, "[s] warm-up   java 1 thread %8.1f ms, 2 threads %8.1f ms%n", w1.ms, w2.ms);
        }
        String expected = null;
        boolean ok = true;
        double[] c1 = new double[runs], c2 = new double[runs], j1 = new double[runs], j2 = new double[runs];
        for (int i = 0; i < runs; i++) {
            Timed a = c(1), b = c(2), x = java(1), y = java(2);
            if (expected == null) expected = a.results.get(0);
            List<String> all = new ArrayList<>();
            all.addAll(a.results);
            all.addAll(b.results);
            all.addAll(x.results);
            all.addAll(y.results);
            String want = expected;
            boolean same = x.results.size() == copies && y.results.size() == copies
                    && all.stream().allMatch(want::equals);
            c1[i] = a.ms;
            c2[i] = b.ms;
            j1[i] = x.ms;
            j2[i] = y.ms;
            System.err.printf(Locale.ROOT, "[s] run %d/%d  c 1 process %8.1f ms, 2 processes %8.1f ms (x%.2f)  "
                    + "java 1 thread %8.1f ms, 2 threads %8.1f ms (x%.2f)  %s%n", i + 1, runs, a.ms, b.ms,
                    a.ms / b.ms, x.ms, y.ms, x.ms / y.ms, same ? "same results" : "MISMATCH");
            if (!same) {
                ok = false;
                System.err.println("  expected (c, 1 process): " + expected);
                all.stream().filter(r -> !r.equals(want)).distinct().forEach(r -> System.err.println("  got: " + r));
            }
        }
        double cUp = JnidsBench.medianRatio(c1, c2), jUp = JnidsBench.medianRatio(j1, j2);
        System.out.printf(Locale.ROOT, "| (s) %d reads, case a's work | %.0f | %.0f | **%.2f** | %.0f | %.0f | **%.2f** | %.2f | %s |%n",
                copies, JnidsBench.median(c1), JnidsBench.median(c2), cUp, JnidsBench.median(j1), JnidsBench.median(j2),
                jUp, JnidsBench.medianRatio(j1, c1), ok ? "same" : "**MISMATCH**");
        System.out.flush();
        pool.shutdownNow();
        return ok;
    }
}
