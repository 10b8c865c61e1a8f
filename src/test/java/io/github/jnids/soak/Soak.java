package io.github.jnids.soak;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.github.jnids.Nids;
import io.github.jnids.NidsException;
import io.github.jnids.TcpHandler;

/**
 * Replays captures through the public API, session after session, for a given
 * time, and reports memory as it goes: a leak in libnids, libpcap or jnids
 * shows as a rising RSS or heap. Run by {@code bin/jnids-soak}.
 *
 * <pre>
 * bin/jnids-soak --minutes 10 testdata ../shared/pcaps
 * </pre>
 */
public final class Soak {
    private static long bytes;
    private static long sink;

    public static void main(String[] args) throws Exception {
        double minutes = 1;
        List<Path> captures = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--minutes") && i + 1 < args.length) {
                minutes = Double.parseDouble(args[++i]);
            } else {
                collect(Path.of(args[i]), captures);
            }
        }
        if (captures.isEmpty()) {
            System.err.println("usage: jnids-soak [--minutes N] CAPTURE-OR-DIR...");
            System.exit(2);
        }
        TcpHandler tcp = t -> {
            if (t.nidsState() == Nids.NIDS_JUST_EST) {
                t.client().collect(true);
                t.server().collect(true);
                t.user(new long[1]);
            } else if (t.nidsState() == Nids.NIDS_DATA) {
                ByteBuffer b = t.client().countNew() > 0 ? t.client().dataBuffer() : t.server().dataBuffer();
                for (int i = b.position(); i < b.limit(); i += 64) sink += b.get(i);
                bytes += b.remaining();
            }
        };
        Nids.registerTcp(tcp);
        Nids.registerUdp((addr, payload, ip) -> bytes += payload.remaining());
        Nids.registerIpFrag(ip -> sink += ip.remaining());
        Nids.registerWarning(w -> sink++);
        Nids.chksumCtl(List.of(java.util.Map.entry("0.0.0.0/0", false)));

        long end = System.nanoTime() + (long) (minutes * 60e9);
        long start = System.nanoTime(), nextReport = start;
        long sessions = 0, errors = 0;
        List<long[]> samples = new ArrayList<>();
        System.out.printf("%8s %10s %10s %12s %10s %10s%n", "seconds", "sessions", "errors", "MB replayed", "heap MB", "RSS MB");
        while (System.nanoTime() < end) {
            for (Path p : captures) {
                try {
                    Nids.param("filename", p.toString());
                    Nids.init();
                    Nids.run();
                } catch (NidsException e) {
                    errors++;
                    Nids.exit();
                }
                sessions++;
            }
            long now = System.nanoTime();
            if (now >= nextReport) {
                System.gc();
                Runtime rt = Runtime.getRuntime();
                long heap = rt.totalMemory() - rt.freeMemory();
                long rss = rssKb() * 1024;
                samples.add(new long[] {heap, rss});
                System.out.printf("%8.0f %10d %10d %12.1f %10.1f %10.1f%n", (now - start) / 1e9, sessions, errors,
                        bytes / 1e6, heap / 1e6, rss / 1e6);
                nextReport = now + 10_000_000_000L;
            }
        }
        int n = samples.size();
        if (n >= 4) {
            double early = avg(samples.subList(n / 4, n / 2)), late = avg(samples.subList(3 * n / 4, n));
            double growth = (late - early) / early;
            System.out.printf("RSS %.1f MB -> %.1f MB (%+.1f%%) between the second and the last quarter: %s%n",
                    early / 1e6, late / 1e6, growth * 100, growth < 0.05 ? "flat" : "GROWING");
            if (growth >= 0.05) System.exit(1);
        }
    }

    private static double avg(List<long[]> s) {
        return s.stream().mapToLong(x -> x[1]).average().orElse(0);
    }

    private static void collect(Path p, List<Path> into) throws IOException {
        if (Files.isDirectory(p)) {
            try (Stream<Path> s = Files.walk(p)) {
                s.filter(f -> f.toString().matches(".*\\.(pcap|pcapng|cap)$")).sorted().forEach(into::add);
            }
        } else {
            into.add(p);
        }
    }

    private static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D+", ""));
        }
        return -1;
    }
}
