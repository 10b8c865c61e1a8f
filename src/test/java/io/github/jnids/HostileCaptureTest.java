package io.github.jnids;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile captures through the public API, all in one JVM: every capture under
 * {@code testdata/} (the {@code hostile/} ones made each unpatched libnids bug
 * show) and thousands of mutations of them: bit flips, truncations, oversized
 * and inconsistent caplen and len fields, bogus link types and snap lengths,
 * damaged pcapng block lengths. Every run has every kind of handler registered
 * and reading everything it is handed, under checksums on and off. Each must
 * end normally or with a {@link NidsException}, within a bounded time; a crash
 * of the native code would end the JVM and so the build.
 *
 * The same captures also go through libnids built with AddressSanitizer
 * ({@code native/fuzz/regress.sh}) where the C compiler supports it.
 *
 * {@code -Djnids.hostile.mutants=N} changes the number of mutated captures
 * (default 3000), {@code -Djnids.hostile.seed=S} their seed.
 */
class HostileCaptureTest extends NidsTestBase {
    /** A run longer than this is a hang: the watchdog stops it and the test fails. */
    static final long LIMIT_MS = 10_000;
    /** Mutations start from at most this many bytes of each capture. */
    static final int MAX_BASE = 24 * 1024;

    static final int[] LINKTYPES = {0, 1, 6, 8, 9, 10, 12, 14, 50, 101, 104, 105, 113, 119, 127, 147, 192, 228, 276,
            0xffff, 0x7fffffff, -1};

    static ScheduledExecutorService watchdog;

    final AtomicBoolean timedOut = new AtomicBoolean();
    long sink;
    int runs, normal, refused;

    @BeforeAll
    static void startWatchdog() {
        watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hostile-watchdog");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterAll
    static void stopWatchdog() {
        watchdog.shutdownNow();
    }

    static Path testdata() {
        return Paths.get(System.getProperty("jnids.basedir", ".")).resolve("testdata");
    }

    static List<Path> captures() throws IOException {
        try (Stream<Path> s = Files.walk(testdata())) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> {
                        String n = p.getFileName().toString();
                        return n.endsWith(".pcap") || n.endsWith(".pcapng") || n.endsWith(".cap");
                    })
                    .sorted()
                    .collect(Collectors.toList());
        }
    }

    void registerReaders() {
        onTcp(tcp -> {
            sink += tcp.addr().sport() + tcp.nidsState();
            if (tcp.nidsState() == Nids.NIDS_JUST_EST) {
                tcp.client().collect(true);
                tcp.server().collect(true);
                tcp.client().collectUrg(true);
                tcp.server().collectUrg(true);
                return;
            }
            for (HalfStream h : new HalfStream[] {tcp.client(), tcp.server()}) {
                if (h.countNewUrg() > 0) sink += h.urgdata();
                byte[] d = h.data();
                for (byte b : d) sink += b;
                ByteBuffer bb = h.dataBuffer();
                while (bb.hasRemaining()) sink += bb.get();
            }
        });
        onUdp((addr, payload, ip) -> {
            sink += addr.dport();
            while (payload.hasRemaining()) sink += payload.get();
            while (ip.hasRemaining()) sink += ip.get();
        });
        onIp(ip -> {
            while (ip.hasRemaining()) sink += ip.get();
        });
        onIpFrag(ip -> {
            while (ip.hasRemaining()) sink += ip.get();
        });
        onWarning(w -> {
            sink += w.code() + w.probes().size();
            if (w.message() != null) sink += w.message().length();
        });
    }

    /** Runs one capture to its end: normal, or a NidsException; never longer than LIMIT_MS. */
    void runOne(Path file, boolean checksums, String what) {
        Nids.chksumCtl(checksums ? List.of() : List.of(Map.entry("0.0.0.0/0", false)));
        Nids.param("filename", file.toString());
        timedOut.set(false);
        runs++;
        long start = System.nanoTime();
        ScheduledFuture<?> dog = watchdog.schedule(() -> {
            timedOut.set(true);
            Nids.stop();
        }, LIMIT_MS, TimeUnit.MILLISECONDS);
        try {
            Nids.init();
            Nids.run();
            normal++;
        } catch (NidsException e) {
            refused++;
            assertTrue(e.getMessage() != null && !e.getMessage().isEmpty(), what + ": empty message");
        } finally {
            dog.cancel(false);
            try {
                Nids.exit();
            } catch (NidsException e) {
                // an error reported by the handlers' last call, the session is closed anyway
            }
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertFalse(timedOut.get(), what + ": still running after " + LIMIT_MS + " ms");
        assertFalse(Nids.isOpen(), what + ": session left open");
        assertTrue(ms < LIMIT_MS, what + ": took " + ms + " ms");
    }

    @Test
    void everyTestdataCapture() throws IOException {
        List<Path> all = captures();
        assertFalse(all.isEmpty(), "no captures under " + testdata());
        registerReaders();
        for (Path p : all) {
            runOne(p, true, p.toString());
            runOne(p, false, p.toString() + " (no checksums)");
        }
        assertEquals(2 * all.size(), normal + refused);
        assertTrue(normal > 0, "no capture ran normally");
    }

    /**
     * The native regression: libnids (patched, from cppbuild's source tree)
     * with AddressSanitizer and UBSan, every hostile capture under eight
     * configurations plus the parameter scenarios and the memory-growth check
     * (native/fuzz/regress.sh). Skipped where the C compiler has no ASan.
     */
    @Test
    void nativeRegressionUnderAsan() throws Exception {
        Path top = Paths.get(System.getProperty("jnids.basedir", "."));
        Path script = top.resolve("native/fuzz/regress.sh");
        Path tree = top.resolve("cppbuild/linux-x86_64/src/libnids-1.26/src/config.h");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(tree),
                "no configured libnids tree from cppbuild.sh at " + tree);
        ProcessBuilder probeBuilder = new ProcessBuilder("sh", "-c",
                "echo 'int main(void){return 0;}' | ${CC:-cc} -fsanitize=address,undefined -x c -o /dev/null -")
                .redirectErrorStream(true);
        plainEnvironment(probeBuilder);
        Process probe = probeBuilder.start();
        probe.getInputStream().readAllBytes();
        org.junit.jupiter.api.Assumptions.assumeTrue(probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0,
                "the C compiler cannot build with -fsanitize=address,undefined");
        ProcessBuilder builder = new ProcessBuilder("bash", script.toString()).directory(top.toFile())
                .redirectErrorStream(true);
        plainEnvironment(builder);
        Process p = builder.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "regress.sh did not finish");
        String text = new String(out, java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "regress.sh failed:\n" + text);
        assertTrue(text.contains("ok scenarios"), text);
    }

    /** The compilers and regress set up their own sanitizers (-Psanitize preloads ASan into this JVM). */
    private static void plainEnvironment(ProcessBuilder b) {
        b.environment().remove("LD_PRELOAD");
        b.environment().remove("ASAN_OPTIONS");
        b.environment().remove("UBSAN_OPTIONS");
    }

    /** Patch 0010: scan_num_ports may change while a session is open; libnids sized its records at init. */
    @Test
    void scanPortsRaisedWhileOpen() {
        Path syns = testdata().resolve("hostile/syn-only.pcap");
        Nids.param("scan_num_ports", 2);
        Nids.param("filename", syns.toString());
        List<NidsWarning> scans = new ArrayList<>();
        onWarning(w -> {
            if (w.kind() == NidsWarning.Kind.SCAN) scans.add(w);
        });
        Nids.init();
        Nids.param("scan_num_ports", 50);
        Nids.run();
        assertFalse(Nids.isOpen());
        assertEquals(2, scans.size(), "8 probes with the 2 ports fixed at init: a report every 3");
    }

    /** Patch 0014: tcp_workarounds turned off by a handler while a closing timeout is armed. */
    @Test
    void workaroundsTurnedOffInHandler() {
        Nids.chksumCtl(List.of(Map.entry("0.0.0.0/0", false)));
        Nids.param("tcp_workarounds", true);
        Nids.param("filename", testdata().resolve("hostile/tcp-workarounds-toggled.pcap").toString());
        List<Integer> states = new ArrayList<>();
        onTcp(tcp -> {
            states.add(tcp.nidsState());
            if (tcp.nidsState() == Nids.NIDS_JUST_EST) {
                tcp.client().collect(true);
                tcp.server().collect(true);
            } else if (tcp.nidsState() == Nids.NIDS_DATA) {
                Nids.param("tcp_workarounds", false);
            }
        });
        Nids.init();
        Nids.run();
        assertFalse(Nids.isOpen());
        assertEquals(Nids.NIDS_JUST_EST, states.get(0));
        assertEquals(Nids.NIDS_RESET, states.get(states.size() - 1), "states " + states);
    }

    @Test
    void mutatedCaptures() throws IOException {
        int count = Integer.getInteger("jnids.hostile.mutants", 3000);
        long seed = Long.getLong("jnids.hostile.seed", 0x6a6e696473L);
        List<byte[]> bases = new ArrayList<>();
        for (Path p : captures()) {
            byte[] b = Files.readAllBytes(p);
            bases.add(Arrays.copyOf(b, Math.min(b.length, MAX_BASE)));
        }
        assertFalse(bases.isEmpty());
        registerReaders();
        Random rnd = new Random(seed);
        Path file = dir.resolve("mutant.pcap");
        for (int i = 0; i < count; i++) {
            byte[] base = bases.get(i % bases.size());
            int kind = rnd.nextInt(8);
            byte[] m = mutate(base, kind, rnd);
            Files.write(file, m);
            String what = "mutant " + i + " (kind " + kind + ", seed " + seed + ", base " + (i % bases.size()) + ")";
            try {
                runOne(file, rnd.nextBoolean(), what);
            } catch (AssertionError e) {
                Path keep = Paths.get("target", "hostile-failure-" + i + ".pcap");
                Files.createDirectories(keep.getParent());
                Files.write(keep, m);
                fail(what + " kept as " + keep + ": " + e.getMessage(), e);
            }
        }
        assertEquals(count, runs);
        assertEquals(count, normal + refused);
        System.out.printf("HostileCaptureTest: %d mutants, %d ran to the end, %d refused with NidsException%n",
                count, normal, refused);
    }

    /** Offsets of the pcap record headers (empty for pcapng or a damaged header). */
    static List<Integer> records(byte[] b) {
        List<Integer> out = new ArrayList<>();
        if (b.length < 24) return out;
        ByteOrder order;
        int magic = ByteBuffer.wrap(b, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) order = ByteOrder.LITTLE_ENDIAN;
        else if (Integer.reverseBytes(magic) == 0xa1b2c3d4 || Integer.reverseBytes(magic) == 0xa1b23c4d)
            order = ByteOrder.BIG_ENDIAN;
        else return out;
        ByteBuffer bb = ByteBuffer.wrap(b).order(order);
        int pos = 24;
        while (pos + 16 <= b.length) {
            out.add(pos);
            long incl = bb.getInt(pos + 8) & 0xffffffffL;
            if (incl > b.length) break;
            pos += 16 + (int) incl;
        }
        return out;
    }

    static ByteOrder order(byte[] b) {
        if (b.length < 4) return ByteOrder.LITTLE_ENDIAN;
        int magic = ByteBuffer.wrap(b, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        return magic == 0xa1b2c3d4 || magic == 0xa1b23c4d || magic == 0x0a0d0d0a && b.length > 11 && b[8] == 0x4d
                ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
    }

    static byte[] mutate(byte[] base, int kind, Random rnd) {
        byte[] m = base.clone();
        if (m.length < 4) return m;
        ByteBuffer bb = ByteBuffer.wrap(m).order(order(m));
        List<Integer> recs = records(m);
        switch (kind) {
            case 0: { // bit flips anywhere
                int n = 1 + rnd.nextInt(16);
                for (int i = 0; i < n; i++) {
                    int at = rnd.nextInt(m.length);
                    m[at] ^= (byte) (1 << rnd.nextInt(8));
                }
                return m;
            }
            case 1: // truncation
                return Arrays.copyOf(m, rnd.nextInt(m.length + 1));
            case 2: { // an oversized or inconsistent caplen
                if (recs.isEmpty()) return mutate(base, 0, rnd);
                int r = recs.get(rnd.nextInt(recs.size()));
                int[] values = {-1, 0x7fffffff, 0x40000, 0x10000, 65535 + 1, 0, 1, 13, 14, 19, 20, 33};
                bb.putInt(r + 8, values[rnd.nextInt(values.length)]);
                return m;
            }
            case 3: { // len smaller or far larger than caplen
                if (recs.isEmpty()) return mutate(base, 0, rnd);
                int r = recs.get(rnd.nextInt(recs.size()));
                int[] values = {0, 1, -1, 0x7fffffff, 65536, bb.getInt(r + 8) - 1};
                bb.putInt(r + 12, values[rnd.nextInt(values.length)]);
                return m;
            }
            case 4: { // a bogus or wireless link type, and shrink every record to a few bytes
                if (m.length >= 24 && !recs.isEmpty()) {
                    bb.putInt(20, LINKTYPES[rnd.nextInt(LINKTYPES.length)]);
                    if (rnd.nextBoolean()) {
                        for (int r : recs) {
                            long incl = bb.getInt(r + 8) & 0xffffffffL;
                            if (incl > 0 && rnd.nextInt(3) == 0) bb.putInt(r + 8, rnd.nextInt((int) Math.min(incl, 64)));
                        }
                        return records(m).isEmpty() ? m : Arrays.copyOf(m, m.length);
                    }
                    return m;
                }
                return mutate(base, 0, rnd);
            }
            case 5: { // snap length 0, tiny, huge
                if (m.length < 24 || recs.isEmpty()) return mutate(base, 1, rnd);
                int[] values = {0, 1, 14, 0x7fffffff, -1, 262145};
                bb.putInt(16, values[rnd.nextInt(values.length)]);
                return m;
            }
            case 6: { // bytes inside packets set to extremes (IP/TCP header fields)
                int n = 1 + rnd.nextInt(8);
                for (int i = 0; i < n; i++) {
                    int at;
                    if (!recs.isEmpty()) {
                        int r = recs.get(rnd.nextInt(recs.size()));
                        at = Math.min(m.length - 1, r + 16 + rnd.nextInt(64));
                    } else {
                        at = rnd.nextInt(m.length);
                    }
                    byte[] values = {0, (byte) 0xff, 0x7f, (byte) 0x80, 0x45, 0x4f, 0x20, 0x3f};
                    m[at] = values[rnd.nextInt(values.length)];
                }
                return m;
            }
            default: { // a 32-bit field anywhere set to an extreme (pcapng block lengths too)
                int n = 1 + rnd.nextInt(3);
                for (int i = 0; i < n && m.length >= 4; i++) {
                    int at = rnd.nextInt(m.length - 3) & ~3;
                    int[] values = {0, -1, 0x7fffffff, 0x80000000, 12, 28, 0x10000};
                    bb.putInt(at, values[rnd.nextInt(values.length)]);
                }
                return m;
            }
        }
    }
}
