package jnidsbench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.github.jnids.HalfStream;
import io.github.jnids.Nids;
import io.github.jnids.TcpStream;

/**
 * The Java side of jnids' benchmark: the work of native/bench/bench_c.c, case
 * for case, through jnids' public API only. One JVM runs one case: a warm-up
 * pass over the capture, then, alternately, the C baseline as its own process
 * (twice: opening the capture as jnids does, and letting libnids open it by
 * name) and one in-process Java pass, {@code --runs} times. Every pass must report
 * the C program's counts and checksums, or the run fails (exit status 1).
 * Case s (scaling, one session per read, on one and on two threads) is
 * {@link Scaling}'s.
 *
 * <pre>
 * java -cp jnids-all.jar:classes jnidsbench.JnidsBench --case a --capture x.pcap --c-bin bench_c [--runs 5]
 * </pre>
 *
 * Prints progress to stderr and, on stdout, one markdown table row.
 */
public final class JnidsBench {
    private static final long FNV_BASIS = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    // ---- the counters, as bench_c's -------------------------------------------

    static long est, data, close, reset, timedOut, exiting;
    static long bytes, copied, hash;
    static long udpN, udpBytes, ipN, ipBytes, warnings;

    static void clear() {
        est = data = close = reset = timedOut = exiting = 0;
        bytes = copied = 0;
        hash = FNV_BASIS;
        udpN = udpBytes = ipN = ipBytes = warnings = 0;
    }

    static void countState(int state) {
        switch (state) {
            case Nids.NIDS_CLOSE -> close++;
            case Nids.NIDS_RESET -> reset++;
            case Nids.NIDS_TIMED_OUT -> timedOut++;
            case Nids.NIDS_EXITING -> exiting++;
            default -> { }
        }
    }

    static String result(char which) {
        return String.format(Locale.ROOT,
                "case=%c est=%d data=%d close=%d reset=%d timed_out=%d exiting=%d bytes=%d copied=%d hash=%016x"
                        + " udp_n=%d udp_bytes=%d ip_n=%d ip_bytes=%d warnings=%d",
                which, est, data, close, reset, timedOut, exiting, bytes, copied, hash, udpN, udpBytes, ipN,
                ipBytes, warnings);
    }

    // ---- the cases --------------------------------------------------------------

    /** (a) collect every stream, count bytes with countNew(). */
    static void caseA(TcpStream tcp) {
        int state = tcp.nidsState();
        if (state == Nids.NIDS_JUST_EST) {
            tcp.client().collect(true);
            tcp.server().collect(true);
            est++;
        } else if (state == Nids.NIDS_DATA) {
            data++;
            bytes += tcp.client().countNew() + tcp.server().countNew();
        } else {
            countState(state);
        }
    }

    /** (b) a, and touch every new byte through dataBuffer(). */
    static void caseB(TcpStream tcp) {
        int state = tcp.nidsState();
        if (state == Nids.NIDS_JUST_EST) {
            tcp.client().collect(true);
            tcp.server().collect(true);
            est++;
        } else if (state == Nids.NIDS_DATA) {
            HalfStream h = tcp.client().countNew() > 0 ? tcp.client() : tcp.server();
            int n = h.countNew();
            ByteBuffer b = h.dataBuffer();
            int end = b.limit();
            long s = 0;
            for (int i = end - n; i < end; i++) {
                s += b.get(i) & 0xff;
            }
            data++;
            bytes += n;
            hash = (hash ^ s) * FNV_PRIME;
        } else {
            countState(state);
        }
    }

    /** (c) pynids style: discard(0) and a data() copy on every data callback. */
    static void caseC(TcpStream tcp) {
        int state = tcp.nidsState();
        if (state == Nids.NIDS_JUST_EST) {
            tcp.client().collect(true);
            tcp.server().collect(true);
            est++;
        } else if (state == Nids.NIDS_DATA) {
            HalfStream h = tcp.client().countNew() > 0 ? tcp.client() : tcp.server();
            tcp.discard(0);
            byte[] copy = h.data();
            int n = copy.length;
            data++;
            bytes += h.countNew();
            copied += n;
            if (n > 0) hash = (hash ^ (((copy[0] & 0xffL) << 8) | (copy[n - 1] & 0xffL))) * FNV_PRIME;
        } else {
            countState(state);
        }
    }

    static void register(char which) {
        Nids.registerWarning(w -> warnings++);
        switch (which) {
            case 'a' -> Nids.registerTcp(JnidsBench::caseA);
            case 'b' -> Nids.registerTcp(JnidsBench::caseB);
            case 'c' -> Nids.registerTcp(JnidsBench::caseC);
            case 'd' -> {
                Nids.registerTcp(JnidsBench::caseA);
                Nids.registerUdp((addr, payload, ip) -> {
                    udpN++;
                    udpBytes += payload.remaining();
                });
                Nids.registerIp(ip -> {
                    ipN++;
                    ipBytes += ip.remaining();
                });
            }
            default -> throw new IllegalArgumentException("case must be a, b, c or d");
        }
    }

    // ---- measurement ------------------------------------------------------------

    record Pass(double ms, double cpuMs, double threadCpuMs, String result, long gcCount, long gcMs, long allocated, long packets) { }

    static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static long[] gc() {
        long n = 0, t = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, b.getCollectionCount());
            t += Math.max(0, b.getCollectionTime());
        }
        return new long[] {n, t};
    }

    static Pass javaPass(char which, String capture) {
        System.gc();
        clear();
        long tid = Thread.currentThread().getId();
        long[] g0 = gc();
        long a0 = THREADS.getThreadAllocatedBytes(tid);
        long c0 = OS.getProcessCpuTime();
        long tc0 = THREADS.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        Nids.param("filename", capture);
        Nids.init();
        Nids.run();
        long t1 = System.nanoTime();
        long c1 = OS.getProcessCpuTime();
        long tc1 = THREADS.getCurrentThreadCpuTime();
        long a1 = THREADS.getThreadAllocatedBytes(tid);
        long[] g1 = gc();
        return new Pass((t1 - t0) / 1e6, (c1 - c0) / 1e6, (tc1 - tc0) / 1e6, result(which), g1[0] - g0[0], g1[1] - g0[1], a1 - a0,
                Nids.packetCount());
    }

    record CPass(double ms, double cpuMs, String result, long maxRssKb) { }

    static CPass cPass(String cBin, char which, String capture, int streams, boolean byName)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cBin, String.valueOf(which), capture, String.valueOf(streams));
        if (byName) pb.environment().put("BENCH_C_OPEN", "name");
        else pb.environment().remove("BENCH_C_OPEN");
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        long t0 = System.nanoTime();
        Process p = pb.start();
        String line;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            line = r.readLine();
            while (r.readLine() != null) { }
        }
        int rc = p.waitFor();
        long t1 = System.nanoTime();
        if (rc != 0 || line == null) throw new IOException(cBin + " failed with status " + rc);
        Map<String, String> kv = parse(line);
        long rss = Long.parseLong(kv.remove("maxrss_kb"));
        kv.remove("wall_ms");
        kv.remove("pass_cpu_ms");
        double cpu = Double.parseDouble(kv.remove("cpu_ms"));
        return new CPass((t1 - t0) / 1e6, cpu, join(kv), rss);
    }

    static Map<String, String> parse(String line) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String f : line.trim().split("\\s+")) {
            int eq = f.indexOf('=');
            kv.put(f.substring(0, eq), f.substring(eq + 1));
        }
        return kv;
    }

    static String join(Map<String, String> kv) {
        StringBuilder sb = new StringBuilder();
        kv.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : " ").append(k).append('=').append(v));
        return sb.toString();
    }

    /** Peak RSS of this process (VmHWM), in kB. */
    static long peakRssKb() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmHWM:")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    /** Resets VmHWM, so that the peak covers the measured passes only. */
    static void resetPeakRss() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            // not permitted: the peak then includes the warm-up
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /** The median of num[i] / den[i]. */
    static double medianRatio(double[] num, double[] den) {
        double[] r = new double[num.length];
        for (int i = 0; i < r.length; i++) r[i] = num[i] / den[i];
        return median(r);
    }

    public static void main(String[] args) throws Exception {
        char which = 0;
        String capture = null, cBin = null;
        int runs = 5, warmup = 1, streams = 16384, copies = 4;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--case" -> which = args[++i].charAt(0);
                case "--capture" -> capture = args[++i];
                case "--c-bin" -> cBin = args[++i];
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--n-tcp-streams" -> streams = Integer.parseInt(args[++i]);
                case "--copies" -> copies = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (which == 0 || capture == null || cBin == null) {
            System.err.println("usage: JnidsBench --case a|b|c|d|s --capture FILE --c-bin BENCH_C [--runs N] [--warmup N]"
                    + " [--n-tcp-streams N] [--copies K]");
            System.exit(2);
        }
        if (which == 's') {
            System.exit(new Scaling(capture, cBin, copies, streams).run(runs, warmup) ? 0 : 1);
        }
        Nids.param("n_tcp_streams", streams);
        Nids.param("tcp_gaps", gapsMode());
        register(which);

        boolean ok = true;
        String expected = null;
        for (int i = 0; i < warmup; i++) {
            Pass w = javaPass(which, capture);
            System.err.printf(Locale.ROOT, "[%c] warm-up   java %8.1f ms  %s%n", which, w.ms, w.result);
        }
        resetPeakRss();
        List<CPass> cs = new ArrayList<>();
        List<CPass> byName = new ArrayList<>();
        List<Pass> js = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            CPass c = cPass(cBin, which, capture, streams, false);
            cs.add(c);
            CPass n = cPass(cBin, which, capture, streams, true);
            byName.add(n);
            Pass j = javaPass(which, capture);
            js.add(j);
            if (expected == null) expected = c.result;
            boolean same = c.result.equals(expected) && n.result.equals(expected) && j.result.equals(expected);
            System.err.printf(Locale.ROOT, "[%c] run %d/%d  c %8.1f ms (cpu %8.1f)  c by name %8.1f ms  java %8.1f ms (cpu %8.1f, thread %8.1f)  gc %d (%d ms)  alloc %d B  %s%n",
                    which, i + 1, runs, c.ms, c.cpuMs, n.ms, j.ms, j.cpuMs, j.threadCpuMs, j.gcCount, j.gcMs, j.allocated, same ? "same results" : "MISMATCH");
            if (!same) {
                ok = false;
                System.err.println("  c:    " + c.result);
                System.err.println("  c by name: " + n.result);
                System.err.println("  java: " + j.result);
            }
        }
        long javaRss = peakRssKb();
        double[] cAll = cs.stream().mapToDouble(CPass::ms).toArray();
        double[] jAll = js.stream().mapToDouble(Pass::ms).toArray();
        double[] nAll = byName.stream().mapToDouble(CPass::ms).toArray();
        double[] cCpuAll = cs.stream().mapToDouble(CPass::cpuMs).toArray();
        double[] jCpuAll = js.stream().mapToDouble(Pass::cpuMs).toArray();
        double cMs = median(cAll), jMs = median(jAll), nMs = median(nAll);
        double cCpu = median(cCpuAll), jCpu = median(jCpuAll);
        // The ratios are medians of each run's own ratio: the C and Java
        // passes of a run follow each other, so a slow spell of a shared
        // machine slows both and cancels out of that run's ratio.
        double ratio = medianRatio(jAll, cAll);
        double cpuRatio = medianRatio(jCpuAll, cCpuAll);
        double nameRatio = medianRatio(jAll, nAll);
        double gcCount = median(js.stream().mapToDouble(Pass::gcCount).toArray());
        double gcMs = median(js.stream().mapToDouble(Pass::gcMs).toArray());
        double alloc = median(js.stream().mapToDouble(Pass::allocated).toArray());
        long cRss = cs.stream().mapToLong(CPass::maxRssKb).max().orElse(-1);
        long packets = js.get(0).packets;
        long fileBytes = Files.size(Path.of(capture));
        Map<String, String> kv = parse(expected);
        long callbacks = Long.parseLong(kv.get("est")) + Long.parseLong(kv.get("data"))
                + Long.parseLong(kv.get("close")) + Long.parseLong(kv.get("reset"))
                + Long.parseLong(kv.get("timed_out")) + Long.parseLong(kv.get("exiting"))
                + Long.parseLong(kv.get("udp_n")) + Long.parseLong(kv.get("ip_n"));
        String name = switch (which) {
            case 'a' -> "(a) collect, countNew";
            case 'b' -> "(b) touch every byte";
            case 'c' -> "(c) pynids: discard(0) + data()";
            default -> "(d) a + UDP + IP";
        };
        System.out.printf(Locale.ROOT,
                "| %s | %.0f | %.0f | **%.2f** | %.0f / %.0f (%.2f) | %.0f | %.2f | %.2f / %.2f | %.0f / %.0f | %.0f / %.0f | %.0f (%.0f ms) | %s | %s |%n",
                name, cMs, jMs, ratio, cCpu, jCpu, cpuRatio, nMs, nameRatio,
                packets / cMs / 1e3, packets / jMs / 1e3,
                fileBytes / cMs / 1e3, fileBytes / jMs / 1e3,
                cRss / 1024.0, javaRss / 1024.0,
                gcCount, gcMs,
                callbacks == 0 ? "no callback" : String.format(Locale.ROOT, "%.1f", alloc / callbacks), ok ? "same" : "**MISMATCH**");
        System.out.flush();
        System.exit(ok ? 0 : 1);
    }

    /** BENCH_GAPS=skip: tcp_gaps skip in every session (bench_c reads the same variable). */
    static String gapsMode() {
        return "skip".equals(System.getenv("BENCH_GAPS")) ? "skip" : "wait";
    }
}
