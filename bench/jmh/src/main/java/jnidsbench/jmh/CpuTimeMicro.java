package jnidsbench.jmh;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

import io.github.jnids.Nids;
import io.github.jnids.global.nids;

/**
 * The microbenchmarks of {@link TcpCallbackBench} and {@link UdpCallbackBench}
 * timed by the thread's CPU time instead of wall time: on a loaded machine a
 * descheduled thread inflates wall time, not CPU time. One variant per JVM.
 *
 * <pre>java -cp ... jnidsbench.jmh.CpuTimeMicro tcp|udp HANDLER [WARMUP_PASSES] [PASSES]</pre>
 *
 * Prints the median CPU nanoseconds per segment (tcp) or datagram (udp).
 */
public final class CpuTimeMicro {
    public static void main(String[] args) throws Exception {
        String kind = args[0], handler = args[1];
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 400;
        int passes = args.length > 3 ? Integer.parseInt(args[3]) : 301;
        Path dir = Path.of(System.getProperty("jnids.bench.dir", "../out"));
        MicroCapture.ensure(dir);
        String capture;
        int ops;
        nids.jnids_tcp_callback raw = null;
        if (kind.equals("tcp")) {
            TcpCallbackBench b = new TcpCallbackBench();
            b.handler = handler;
            b.setup();
            capture = MicroCapture.tcp(dir).toString();
            ops = MicroCapture.SEGMENTS;
            if (handler.equals("rawJavaCpp")) raw = new TcpCallbackBench.RawCallback();
        } else {
            UdpCallbackBench b = new UdpCallbackBench();
            b.handler = handler;
            b.setup();
            capture = MicroCapture.udp(dir).toString();
            ops = MicroCapture.DATAGRAMS;
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] ns = new double[passes];
        for (int i = 0; i < warmup + passes; i++) {
            long c0 = threads.getCurrentThreadCpuTime();
            Nids.param("filename", capture);
            Nids.init();
            if (raw != null) nids.jnids_raw_register_tcp(io.github.jnids.Nids.session().rawSession(), raw);
            Nids.run();
            long c1 = threads.getCurrentThreadCpuTime();
            if (i >= warmup) ns[i - warmup] = (double) (c1 - c0) / ops;
        }
        Arrays.sort(ns);
        System.out.printf(Locale.ROOT, "%s %s cpu_ns_per_op median=%.1f p25=%.1f min=%.1f%n", kind, handler,
                ns[passes / 2], ns[passes / 4], ns[0]);
    }
}
