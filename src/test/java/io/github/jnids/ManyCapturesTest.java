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
 * much heap G1 keeps committed).
 */
class ManyCapturesTest extends NidsTestBase {
    private static final int FILES = 16, CYCLES = 3000, WARM_UP = 500;

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
        long start = System.nanoTime();
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            if (cycle == WARM_UP) {
                long[] m = ManySessionsTest.settledMemory();
                heapWarm = m[0];
                rssWarm = m[1];
            }
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
                + seconds + " s";
        System.out.println("ManyCapturesTest: " + report);
        assertTrue(heapEnd - heapWarm < 8L << 20, report);
        if (rssWarm > 0) assertTrue(rssEnd - rssWarm < 8 * 1024, report);
    }
}
