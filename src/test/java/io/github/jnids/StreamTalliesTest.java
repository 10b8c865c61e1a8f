package io.github.jnids;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * StreamTallies counts every stream as C libnids delivers it: the byte counts
 * and end states of the C program's *.expected files, the ended streams in its
 * order, and those open at the end in the order they were established.
 */
class StreamTalliesTest {
    private static final Path CAPTURED = Paths.get(System.getProperty("jnids.basedir", ".")).resolve("testdata")
            .resolve("captured");

    private static String key(Tuple4 a) {
        return "TCP %s " + a.src() + ":" + a.sport() + " " + a.dst() + ":" + a.dport();
    }

    @ParameterizedTest
    @ValueSource(strings = {"concurrent", "open-at-end", "reset", "half-close", "http-small"})
    void talliesEqualCLibnids(String name) throws IOException {
        List<String> established = new ArrayList<>();
        List<String> ended = new ArrayList<>();
        List<String> open = new ArrayList<>();
        List<String> lines = Files.readAllLines(CAPTURED.resolve(name + ".expected"));
        for (String l : lines) {
            String[] f = l.split(" ");
            if (!f[0].equals("TCP")) continue;
            String line = "TCP " + f[1] + " " + f[2] + " " + f[3] + (f.length > 4 && f[4].startsWith("cts=")
                    ? " " + f[4] + " " + f[6] : "");
            switch (f[1]) {
                case "EST" -> established.add(f[2] + " " + f[3]);
                case "CLOSE", "RESET", "TIMEOUT" -> ended.add(line);
                case "EXITING" -> open.add(line);
                default -> { }
            }
        }
        assertFalse(ended.isEmpty() && open.isEmpty(), name + ".expected has no streams");

        List<String> gotEnded = new ArrayList<>();
        List<StreamTally> gotOpen;
        StreamTallies<StreamTally> tallies = new StreamTallies<>(StreamTally::new);
        try (NidsSession s = new NidsSession()) {
            s.param("filename", CAPTURED.resolve(name + ".pcap").toString());
            s.param("scan_num_hosts", 0);
            s.chksumCtl(List.of(Map.entry("0.0.0.0/0", false)));
            s.registerTcp(tcp -> {
                StreamTally t = tallies.update(tcp, s.getPktTs());
                if (t != null && t.ended() && t.state() != Nids.NIDS_EXITING) {
                    gotEnded.add(line(t));
                    assertTrue(t.lastTs() >= t.firstTs());
                    assertNull(tcp.user(), "detached when ended");
                }
            });
            s.init();
            s.run();
        }
        gotOpen = tallies.takeOpen();
        assertEquals(ended, gotEnded);
        assertEquals(new HashSet<>(open), new HashSet<>(gotOpen.stream().map(StreamTalliesTest::line).toList()));
        assertEquals(open.size(), gotOpen.size());
        // Open streams in the order they were established, numbered from 0 as they were.
        List<String> order = gotOpen.stream().map(t -> t.addr().src() + ":" + t.addr().sport() + " "
                + t.addr().dst() + ":" + t.addr().dport()).toList();
        assertEquals(established.stream().filter(order::contains).toList(), order);
        for (StreamTally t : gotOpen) {
            assertEquals("open", t.stateName());
            assertEquals(established.indexOf(order.get(gotOpen.indexOf(t))), t.order());
        }
        assertTrue(tallies.takeOpen().isEmpty(), "taken once");
    }

    private static String line(StreamTally t) {
        String state = switch (t.state()) {
            case Nids.NIDS_CLOSE -> "CLOSE";
            case Nids.NIDS_RESET -> "RESET";
            case Nids.NIDS_TIMED_OUT -> "TIMEOUT";
            case Nids.NIDS_EXITING -> "EXITING";
            default -> "?" + t.state();
        };
        return String.format(key(t.addr()), state) + " cts=" + t.bytesCts() + " stc=" + t.bytesStc();
    }
}
