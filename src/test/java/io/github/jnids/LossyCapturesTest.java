package io.github.jnids;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * tcp_gaps skip on real traffic with packets missing (testdata/lossy: real
 * captures from testdata/captured with data segments dropped, made by
 * make-lossy.py), against the senders' own record of what they sent (the
 * {@code .sent} files, the original captures' ground truth): per stream and
 * direction, bytes delivered plus bytes reported missing equal the bytes sent,
 * every delivered byte equals the byte sent at that offset (the original
 * capture, reassembled, gives them; its CRC-32 must equal the senders'), and
 * the stream ends as it did.
 */
class LossyCapturesTest {
    private static final Path TESTDATA = Paths.get(System.getProperty("jnids.basedir", ".")).resolve("testdata");

    /** One direction as a handler saw it: bytes at their stream offsets, which were delivered, what was reported missing. */
    static final class Seen {
        byte[] image = new byte[0];
        final BitSet delivered = new BitSet();
        long missing;
        int gaps;

        void add(HalfStream h) {
            int n = h.countNew();
            long offset = (long) h.count() - n + h.missingBytes();
            byte[] all = h.data();
            if (image.length < offset + n) image = Arrays.copyOf(image, (int) Math.max(offset + n, image.length * 2L));
            System.arraycopy(all, all.length - n, image, (int) offset, n);
            delivered.set((int) offset, (int) offset + n);
        }

        byte[] bytes() {
            return Arrays.copyOf(image, delivered.length());
        }
    }

    record Stream2(Seen cts, Seen stc, String[] end) { }

    /** Every stream of a capture by its tuple, as {@code C:cp S:sp}. */
    private static Map<String, Stream2> read(Path capture, String gaps) {
        Map<String, Stream2> streams = new HashMap<>();
        try (NidsSession s = new NidsSession()) {
            s.param("filename", capture.toString());
            s.param("tcp_gaps", gaps);
            s.registerTcp(tcp -> {
                Tuple4 a = tcp.addr();
                String key = a.src() + ":" + a.sport() + " " + a.dst() + ":" + a.dport();
                switch (tcp.nidsState()) {
                    case Nids.NIDS_JUST_EST -> {
                        tcp.client().collect(true);
                        tcp.server().collect(true);
                        streams.put(key, new Stream2(new Seen(), new Seen(), new String[1]));
                    }
                    case Nids.NIDS_DATA -> {
                        Stream2 st = streams.get(key);
                        if (tcp.server().countNew() > 0) st.cts().add(tcp.server());
                        if (tcp.client().countNew() > 0) st.stc().add(tcp.client());
                    }
                    default -> {
                        Stream2 st = streams.get(key);
                        st.end()[0] = switch (tcp.nidsState()) {
                            case Nids.NIDS_CLOSE -> "CLOSE";
                            case Nids.NIDS_RESET -> "RESET";
                            case Nids.NIDS_EXITING -> "EXITING";
                            default -> "TIMEOUT";
                        };
                        st.cts().missing = tcp.server().missingBytes();
                        st.cts().gaps = tcp.server().gaps();
                        st.stc().missing = tcp.client().missingBytes();
                        st.stc().gaps = tcp.client().gaps();
                    }
                }
            });
            s.init();
            s.run();
        }
        return streams;
    }

    /** The senders' record: per stream, its end and, each way, the byte count and CRC-32. */
    private static Map<String, String[]> sent(Path file) throws IOException {
        Map<String, String[]> m = new HashMap<>();
        for (String l : Files.readAllLines(file)) {
            String[] f = l.split(" ");
            if (!f[0].equals("TCP")) continue;
            Map<String, String> kv = new HashMap<>();
            for (int i = 3; i < f.length; i++) {
                String[] p = f[i].split("=", 2);
                kv.put(p[0], p[1]);
            }
            m.put(f[1] + " " + f[2], new String[] {kv.get("end"), kv.get("cts"), kv.get("cts_crc32"), kv.get("stc"), kv.get("stc_crc32")});
        }
        return m;
    }

    private static String crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return String.format("%08x", c.getValue());
    }

    @TestFactory
    Stream<DynamicTest> deliveredPlusMissingIsWhatWasSent() throws IOException {
        Path dir = TESTDATA.resolve("lossy");
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path sentFile : s.filter(p -> p.toString().endsWith(".sent")).sorted().toList()) {
                String name = sentFile.getFileName().toString().replace(".sent", "");
                tests.add(DynamicTest.dynamicTest(name, () -> check(dir.resolve(name + ".pcap"),
                        TESTDATA.resolve("captured").resolve(name.replace("-lossy", "") + ".pcap"), sentFile)));
            }
        }
        assertFalse(tests.isEmpty(), "no .sent files in " + dir);
        return tests.stream();
    }

    private static void check(Path lossy, Path original, Path sentFile) throws IOException {
        Map<String, String[]> sent = sent(sentFile);
        Map<String, Stream2> whole = read(original, "wait");
        Map<String, Stream2> skip = read(lossy, "skip");
        Map<String, Stream2> wait = read(lossy, "wait");
        assertEquals(sent.keySet(), skip.keySet(), "the streams");
        long missingAll = 0, deliveredBeyondWait = 0;
        for (Map.Entry<String, String[]> e : sent.entrySet()) {
            String k = e.getKey();
            String[] t = e.getValue();
            Stream2 w = whole.get(k), g = skip.get(k);
            assertEquals(t[0], g.end()[0], k + ": how it ended");
            Seen[][] pairs = {{w.cts(), g.cts(), wait.get(k).cts()}, {w.stc(), g.stc(), wait.get(k).stc()}};
            for (int d = 0; d < 2; d++) {
                String what = k + (d == 0 ? " client to server" : " server to client");
                long count = Long.parseLong(t[1 + 2 * d]);
                byte[] all = pairs[d][0].bytes();
                assertEquals(count, all.length, what + ": the original capture has every byte");
                assertEquals(t[2 + 2 * d], crc(all), what + ": the original capture's bytes are the senders'");
                Seen got = pairs[d][1];
                assertEquals(count, got.delivered.cardinality() + got.missing, what + ": delivered + missing = sent");
                assertTrue(got.delivered.length() <= count, what);
                for (int i = got.delivered.nextSetBit(0); i >= 0; i = got.delivered.nextSetBit(i + 1)) {
                    if (got.image[i] != all[i]) fail(what + ": byte " + i + " is not the one sent");
                }
                assertEquals(got.missing > 0, got.gaps > 0, what);
                missingAll += got.missing;
                deliveredBeyondWait += got.delivered.cardinality() - pairs[d][2].delivered.cardinality();
            }
        }
        assertTrue(missingAll > 0, "the capture lost something");
        assertTrue(deliveredBeyondWait > 0, "skip delivers bytes that wait holds back");
    }
}
