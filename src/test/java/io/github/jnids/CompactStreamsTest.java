package io.github.jnids;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * A stream with one listener is kept in compact form (TcpDispatcher): no
 * StreamState, its bookkeeping packed into libnids' param. It must behave
 * exactly as the general form, which DifferentialTest checks against C
 * libnids (its dump keeps user data, which forces the general form). Here one
 * handler runs over every capture twice, once forcing the general form
 * (tcp.user at NIDS_JUST_EST) and once not, and records everything it sees;
 * the records must be equal. The handler changes its collect flags and
 * discards as it goes, so that the masks and counters are exercised.
 */
class CompactStreamsTest extends NidsTestBase {
    private static final Path BASE = Paths.get(System.getProperty("jnids.basedir", "."));
    private static final Path SHARED = BASE.resolve(Paths.get("..", "shared", "pcaps"));

    private static List<Path> captures() throws IOException {
        List<Path> all = new ArrayList<>();
        for (Path dir : List.of(BASE.resolve("testdata/captured"), BASE.resolve("testdata/synth"),
                BASE.resolve("testdata/hostile"), SHARED)) {
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.toString().matches(".*\\.(pcap|pcapng|cap)$")).sorted().forEach(all::add);
            }
        }
        return all;
    }

    private static String crc(ByteBuffer b) {
        CRC32 c = new CRC32();
        c.update(b);
        return Long.toHexString(c.getValue());
    }

    private static String half(HalfStream h) {
        return h.state() + "/" + h.count() + "/" + h.countNew() + "/" + h.offset() + "/" + h.countNewUrg()
                + "/" + (h.collect() ? "c" : "-") + (h.collectUrg() ? "u" : "-") + "/" + crc(h.dataBuffer());
    }

    /** Everything one handler sees of a capture. */
    private List<String> record(Path capture, boolean forceGeneral) {
        List<String> seen = new ArrayList<>();
        TcpHandler h = onTcp(tcp -> {
            int state = tcp.nidsState();
            seen.add(state + " " + half(tcp.client()) + " " + half(tcp.server()) + " " + tcp.user());
            if (state == Nids.NIDS_JUST_EST) {
                if (forceGeneral) tcp.user("general");
                tcp.client().collect(true);
                tcp.server().collect(true);
                tcp.server().collectUrg(true);
            } else if (state == Nids.NIDS_DATA) {
                HalfStream c = tcp.client();
                if (c.count() > 3000 && c.collect()) c.collect(false);
                if (tcp.server().countNew() > 0 && tcp.server().countNew() < 8) tcp.discard(0);
                if (c.count() > 20000) {
                    tcp.server().collect(false);
                    tcp.server().collectUrg(false);
                }
            } else if (forceGeneral) {
                assertEquals("general", tcp.user());
            }
        });
        try {
            runFile(capture);
        } catch (NidsException e) {
            seen.add("ERROR");
        } finally {
            Nids.exit();
            Nids.unregisterTcp(h);
        }
        return seen;
    }

    /**
     * libnids reports NIDS_EXITING in the order of its hash table, whose key is
     * random per session: those records (at the end) are compared sorted.
     */
    private static List<String> exitingSorted(List<String> records) {
        if (!records.isEmpty() && records.get(records.size() - 1).equals("ERROR")) {
            List<String> out = exitingSorted(records.subList(0, records.size() - 1));
            out.add("ERROR");
            return out;
        }
        int first = records.size();
        while (first > 0 && records.get(first - 1).startsWith(Nids.NIDS_EXITING + " ")) first--;
        List<String> out = new ArrayList<>(records.subList(0, first));
        records.subList(first, records.size()).stream().sorted().forEach(out::add);
        return out;
    }

    @TestFactory
    Stream<DynamicTest> compactAndGeneralStreamsSeeTheSame() throws IOException {
        List<Path> all = captures();
        assertFalse(all.isEmpty(), "no captures under " + BASE.resolve("testdata"));
        return all.stream().map(capture -> DynamicTest.dynamicTest(BASE.relativize(capture).toString(), () -> {
            long before = Nids.compactCallbacks();
            List<String> general = record(capture, true);
            assertEquals(before, Nids.compactCallbacks(), "forcing the general form took the compact path");
            List<String> compact = record(capture, false);
            general = exitingSorted(general);
            compact = exitingSorted(compact);
            assertEquals(general.size(), compact.size(), "number of callbacks");
            for (int i = 0; i < general.size(); i++) {
                assertEquals(general.get(i).replace(" general", " null"), compact.get(i), "callback " + (i + 1));
            }
        }));
    }

    @Test
    void theCompactPathIsTakenAndHandsOverToTheGeneralOneOnDemand() throws IOException {
        Path capture = BASE.resolve("testdata/captured/http-small.pcap");
        long before = Nids.compactCallbacks();
        List<String> plain = record(capture, false);
        assertTrue(Nids.compactCallbacks() - before > plain.size() / 2,
                "most callbacks of single-listener streams are compact: " + (Nids.compactCallbacks() - before)
                        + " of " + plain.size());

        // addr() and user(...) in the middle of a stream give it a state: the
        // same object on every later call, and the user data survives.
        List<String> lines = new ArrayList<>();
        TcpHandler h = onTcp(tcp -> {
            if (tcp.nidsState() == Nids.NIDS_JUST_EST) {
                tcp.client().collect(true);
                tcp.server().collect(true);
            } else if (tcp.nidsState() == Nids.NIDS_DATA) {
                Object u = tcp.user();
                if (u == null && tcp.server().count() > 0) tcp.user(tcp.addr());
                else if (u != null) assertSame(u, tcp.addr());
            } else {
                lines.add(tcp.addr() + " " + (tcp.user() != null));
            }
        });
        runFile(capture);
        Nids.unregisterTcp(h);
        assertFalse(lines.isEmpty());
        assertTrue(lines.stream().allMatch(l -> l.endsWith(" true")), String.join("\n", lines));
        List<String> distinct = lines.stream().distinct().collect(Collectors.toList());
        assertEquals(lines, distinct, "one end per stream");
    }
}
