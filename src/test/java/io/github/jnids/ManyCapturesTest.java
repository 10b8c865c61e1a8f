package io.github.jnids;

import static io.github.jnids.testing.Packets.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.github.jnids.testing.PcapWriter;
import io.github.jnids.testing.TcpConversation;

/**
 * Thousands of sessions in one JVM, each file's result checked, memory flat:
 * heap in use and RSS outside the committed heap, measured once G1 has
 * settled after full GCs (see ManySessionsTest: RSS itself swings with how
 * much heap G1 keeps committed). RSS outside the heap rises in steps for
 * the first thousand-odd cycles (the JIT's code cache, malloc's arenas) and
 * is flat after that, hence the long warm-up. Two settled readings in a row
 * can still differ by a few MiB, so the bound on RSS is ManySessionsTest's,
 * 24 MiB over the 2500 measured cycles: it catches a leak of 9.8 KiB per
 * cycle (libnids' stream table alone is 237 KiB).
 */
class ManyCapturesTest extends NidsTestBase {
    private static final int FILES = 16, CYCLES = 4000, WARM_UP = 1500;

    @Test
    void thousandsOfSessionsWithFlatMemory() throws Exception {
        Path[] files = new Path[FILES];
        String[] expected = new String[FILES];
        Random rnd = new Random(42);
        for (int f = 0; f < FILES; f++) {
            PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
            StringBuilder exp = new StringBuilder();
            int streams = 1 + f % 3;
            long t = 1_700_000_000_000_000L;
            for (int s = 0; s < streams; s++) {
                TcpConversation c = new TcpConversation(w, "10.0." + f + ".1", 30000 + s, "10.0." + f + ".2", 80)
                        .at(t).handshake();
                String req = "req" + f + "-" + s + "-" + rnd.nextInt(1000), resp = "resp" + rnd.nextInt(100000);
                c.clientSends(req).serverSends(resp);
                if (s % 2 == 0) c.close(); else c.reset();
                t = c.micros() + 10;
                exp.append(req).append('>').append(resp).append(s % 2 == 0 ? "#3;" : "#4;");
            }
            byte[] dgram = ("udp" + f).getBytes();
            w.packet(t + 5, ethernet(ipv4("10.1.0.1", "10.1.0.2", 17, udp("10.1.0.1", 9, "10.1.0.2", 9, dgram))));
            exp.append("udp").append(f).append(';');
            files[f] = write("many" + f + ".pcap", w);
            expected[f] = exp.toString();
        }

        StringBuilder out = new StringBuilder();
        onTcp(s -> {
            switch (s.nidsState()) {
                case Nids.NIDS_JUST_EST -> {
                    s.client().collect(true);
                    s.server().collect(true);
                    s.user(new ByteArrayOutputStream[] {new ByteArrayOutputStream(), new ByteArrayOutputStream()});
                }
                case Nids.NIDS_DATA -> {
                    ByteArrayOutputStream[] b = (ByteArrayOutputStream[]) s.user();
                    if (s.server().countNew() > 0) b[0].writeBytes(s.server().data());
                    if (s.client().countNew() > 0) b[1].writeBytes(s.client().data());
                }
                default -> {
                    ByteArrayOutputStream[] b = (ByteArrayOutputStream[]) s.user();
                    out.append(b[0]).append('>').append(b[1]).append('#').append(s.nidsState()).append(';');
                }
            }
        });
        onUdp((a, p, i) -> out.append(new String(bytes(p))).append(';'));

        long rssWarm = 0, heapWarm = 0;
        StringBuilder samples = new StringBuilder();
        long start = System.nanoTime();
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            if (cycle == WARM_UP) {
                long[] m = ManySessionsTest.settledMemory();
                heapWarm = m[0];
                rssWarm = m[1];
            }
            if (cycle % 500 == 0) samples.append(' ').append(cycle).append(':').append(ManySessionsTest.settledMemory()[1]);
            int f = cycle % FILES;
            out.setLength(0);
            runFile(files[f]);
            assertFalse(Nids.isOpen());
            assertEquals(expected[f], out.toString(), "cycle " + cycle + ", file " + f);
            if (cycle % 7 == 0) {
                // sometimes through init()/next()/exit() instead
                out.setLength(0);
                open(files[f]);
                while (Nids.next() == 1) { }
                Nids.exit();
                assertEquals(expected[f], out.toString(), "cycle " + cycle + " by next(), file " + f);
            }
        }
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        long[] end = ManySessionsTest.settledMemory();
        long heapEnd = end[0], rssEnd = end[1];
        String report = "after warm-up: heap " + heapWarm / 1024 + " KiB, RSS outside the heap " + rssWarm
                + " KiB; at the end: heap " + heapEnd / 1024 + " KiB, RSS outside the heap " + rssEnd + " KiB; "
                + seconds + " s; RSS outside the heap (KiB) by cycle:" + samples;
        System.out.println("ManyCapturesTest: " + report);
        assertTrue(heapEnd - heapWarm < 8L << 20, report);
        if (rssWarm > 0) assertTrue(rssEnd - rssWarm < 24 * 1024, report);
    }
}
