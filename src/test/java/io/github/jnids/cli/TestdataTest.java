package io.github.jnids.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.jnids.cli.Jnids.Result;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the jnids command with {@code --json --dump} on every capture under
 * {@code testdata/} that has a {@code .expected} file (written by the C tool
 * nids_dump on the same libnids; format in native/tools/FORMAT.md), with the
 * capture's {@code .options} translated, and checks each stream's end state and
 * byte counts, the dumped bytes against the expected CRC-32s, the UDP
 * datagrams, the port scans and warnings, and the exit status.
 * {@code -Djnids.testdata=DIR} points it at another folder.
 */
class TestdataTest {
    @TempDir
    Path tmp;

    /** An address as the patterns match it, once IPv6 brackets are gone ({@link #unbracketed}). */
    static final String ADDR = "([0-9a-f.:]+)";
    static final Pattern TCP_END = Pattern.compile(
            "TCP (CLOSE|RESET|TIMEOUT|EXITING) " + ADDR + ":(\\d+) " + ADDR + ":(\\d+) cts=(\\d+) cts_crc32=([0-9a-f]{8}) "
                    + "stc=(\\d+) stc_crc32=([0-9a-f]{8})");
    static final Pattern UDP = Pattern.compile("UDP " + ADDR + ":(\\d+) " + ADDR + ":(\\d+) len=(\\d+) .*");
    static final Pattern SCAN = Pattern.compile("WARN SCAN src=" + ADDR + " probes=(\\d+)(?: (.*))?");
    static final Pattern WARN = Pattern.compile("WARN (IP|TCP|UDP) code=(\\d+) " + ADDR + ":(\\d+) " + ADDR + ":(\\d+) .*");
    private static final Pattern BRACKETED = Pattern.compile("\\[([0-9a-f.:]+)\\]");

    /** A dump line with IPv6 addresses out of their brackets (FORMAT.md), as the command's JSON writes them. */
    static String unbracketed(String line) {
        return BRACKETED.matcher(line).replaceAll("$1");
    }

    static final Set<String> NOT_CAPTURES = Set.of("expected", "options", "truth", "sent", "md", "sh", "py", "txt~");

    static Path testdataRoot() {
        String override = System.getProperty("jnids.testdata");
        if (override != null && !override.isBlank()) return Paths.get(override);
        return Paths.get(System.getProperty("jnids.basedir", "."), "testdata");
    }

    @TestFactory
    Stream<DynamicTest> everyCaptureWithExpectedOutput() throws IOException {
        Path root = testdataRoot();
        assumeTrue(Files.isDirectory(root), "no " + root + " folder with captures and expected outputs");
        List<Path> expected;
        try (Stream<Path> s = Files.walk(root)) {
            expected = s.filter(p -> p.getFileName().toString().endsWith(".expected")).sorted().toList();
        }
        assumeTrue(!expected.isEmpty(), "no .expected files under " + root);
        List<DynamicTest> tests = new ArrayList<>();
        for (Path e : expected) {
            Path capture = captureFor(e);
            if (capture == null) continue;
            tests.add(DynamicTest.dynamicTest(root.relativize(capture).toString(), () -> check(capture, e)));
        }
        return tests.stream();
    }

    /**
     * Every capture under testdata/, expected output or not (e.g. testdata/hostile/), with
     * every report option on: the command ends with status 0 and a quiet standard error,
     * or status 1 and one line; never a crash or a stack trace.
     */
    @TestFactory
    Stream<DynamicTest> everyCaptureEndsCleanly() throws IOException {
        Path root = testdataRoot();
        assumeTrue(Files.isDirectory(root), "no " + root + " folder with captures");
        List<Path> captures;
        try (Stream<Path> s = Files.walk(root)) {
            captures = s.filter(Files::isRegularFile).filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".pcap") || n.endsWith(".pcapng") || n.endsWith(".cap");
            }).sorted().toList();
        }
        assumeTrue(!captures.isEmpty(), "no captures under " + root);
        return captures.stream().map(c -> DynamicTest.dynamicTest(root.relativize(c).toString(), () -> {
            Path dumps = Files.createTempDirectory(tmp, "dump");
            Result r = Jnids.run("--udp", "--scan", "--no-checksum", "--dump", dumps.toString(), c.toString());
            assertTrue(r.exit() == 0 || r.exit() == 1, r::toString);
            assertFalse(r.err().contains("\tat "), () -> "no stack trace\n" + r);
            if (r.exit() == 0) {
                assertQuietOrExplained(r, c);
            } else {
                assertEquals(1, r.errLines().size(), r::toString);
                assertTrue(r.err().startsWith("jnids: "), r::toString);
            }
        }));
    }

    /** Captures under testdata/ that hold packets with offloaded checksums (fuzzed from a public capture). */
    static final Set<String> HOLD_OFFLOADED_PACKETS = Set.of("tcp-timeout-twice.pcap");

    /** Whether the command's capture record says offloaded checksums were kept. */
    static boolean offloadFound(Result r) {
        return r.lines().stream().filter(l -> l.startsWith("{\"type\":\"capture\""))
                .map(l -> JsonParser.parseString(l).getAsJsonObject())
                .anyMatch(o -> o.get("checksums").getAsString().equals("offload"));
    }

    /**
     * Nothing on stderr, except for a capture that gave no stream although it had TCP
     * packets: then that one line explaining why (shown whether stderr is a terminal or not).
     */
    static void assertQuietOrExplained(Result r, Path capture) {
        boolean streams = r.lines().stream().anyMatch(l -> l.startsWith("[+] ") || l.contains("\"type\":\"tcp\""));
        if (r.err().isEmpty()) return;
        assertFalse(streams, () -> "stderr is empty when streams came out\n" + r);
        assertEquals(1, r.errLines().size(), r::toString);
        assertTrue(r.err().startsWith("jnids: " + capture + " has ") && r.err().contains(" but no stream"), r::toString);
    }

    private static Path captureFor(Path expected) {
        String name = expected.getFileName().toString();
        String base = name.substring(0, name.length() - ".expected".length());
        try (Stream<Path> s = Files.list(expected.getParent())) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                if (!n.startsWith(base + ".") || Files.isDirectory(p)) return false;
                String ext = n.substring(base.length() + 1);
                return !ext.contains(".") && !NOT_CAPTURES.contains(ext);
            }).findFirst().orElse(null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A stream's end as both tools report it. */
    record End(String src, int sport, String dst, int dport, String state, long cts, long stc) { }

    private void check(Path capture, Path expectedFile) throws IOException {
        List<String> expected = Files.readAllLines(expectedFile).stream().map(TestdataTest::unbracketed).toList();
        Path optionsFile = expectedFile.resolveSibling(
                expectedFile.getFileName().toString().replace(".expected", ".options"));
        List<String> dumpOptions = Files.exists(optionsFile)
                ? Arrays.asList(Files.readString(optionsFile).trim().split("\\s+")) : List.of();
        boolean udp = dumpOptions.contains("--udp");
        boolean warn = dumpOptions.contains("--warn");
        Path dumps = Files.createTempDirectory(tmp, "dump");

        // nids_dump is libnids' exact behaviour: holes wait
        List<String> args = new ArrayList<>(List.of("--gaps", "wait", "--json", "--dump", dumps.toString()));
        if (dumpOptions.contains("--no-checksum")) args.add("--no-checksum");
        if (udp) args.add("--udp");
        if (warn) args.add("--scan");
        if (dumpOptions.contains("--midstream")) args.add("--midstream");
        args.add(capture.toString());
        Result auto = Jnids.run(args.toArray(String[]::new));
        // A capture that ends in an error has no capture record: those listed are known to hold
        // offloaded packets.
        boolean known = HOLD_OFFLOADED_PACKETS.contains(capture.getFileName().toString());
        boolean offloaded = !dumpOptions.contains("--no-checksum") && (known || offloadFound(auto));
        if (offloaded) {
            // nids_dump verifies every checksum: compare with --checksum on. Only captures made
            // from ones taken on a sending host may show offloading.
            assertTrue(known, () -> "offloading found in " + capture + "\n" + auto);
            args.add(0, "--checksum");
            args.add(1, "on");
        }
        Result r = offloaded ? Jnids.run(args.toArray(String[]::new)) : auto;

        boolean error = expected.stream().anyMatch(l -> l.startsWith("ERROR"));
        if (error) {
            assertEquals(1, r.exit(), r::toString);
            assertEquals(1, r.errLines().size(), r::toString);
            assertTrue(r.err().startsWith("jnids: "), r::toString);
        } else {
            assertEquals(0, r.exit(), r::toString);
            assertQuietOrExplained(r, capture);
        }

        List<JsonObject> records = r.lines().stream().map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();

        // TCP: streams that ended during the capture in libnids' order; those still open
        // at the end (any order: nids_dump sorts them, jnids lists them as established).
        List<End> expectedEnded = new ArrayList<>();
        List<End> expectedOpen = new ArrayList<>();
        List<String[]> crcs = new ArrayList<>();
        for (String l : expected) {
            Matcher m = TCP_END.matcher(l);
            if (!m.matches()) continue;
            String state = switch (m.group(1)) {
                case "CLOSE" -> "close";
                case "RESET" -> "reset";
                case "TIMEOUT" -> "timeout";
                default -> "open";
            };
            End end = new End(m.group(2), Integer.parseInt(m.group(3)), m.group(4), Integer.parseInt(m.group(5)),
                    state, Long.parseLong(m.group(6)), Long.parseLong(m.group(8)));
            (state.equals("open") ? expectedOpen : expectedEnded).add(end);
        }
        List<End> ended = new ArrayList<>();
        List<End> open = new ArrayList<>();
        for (JsonObject o : records) {
            if (!o.get("type").getAsString().equals("tcp")) continue;
            End end = new End(o.get("src").getAsString(), o.get("sport").getAsInt(), o.get("dst").getAsString(),
                    o.get("dport").getAsInt(), o.get("state").getAsString(), o.get("bytes_cts").getAsLong(),
                    o.get("bytes_stc").getAsLong());
            (end.state().equals("open") ? open : ended).add(end);
            checkDump(o, "file_cts", end.cts(), expected, end, true);
            checkDump(o, "file_stc", end.stc(), expected, end, false);
        }
        assertEquals(expectedEnded, ended, "streams ended during the capture");
        assertEquals(sorted(expectedOpen), sorted(open), "streams open at the end");

        if (udp) {
            List<String> want = new ArrayList<>();
            for (String l : expected) {
                Matcher m = UDP.matcher(l);
                if (m.matches()) want.add(m.group(1) + ":" + m.group(2) + " " + m.group(3) + ":" + m.group(4) + " " + m.group(5));
            }
            List<String> got = new ArrayList<>();
            for (JsonObject o : records) {
                if (!o.get("type").getAsString().equals("udp")) continue;
                got.add(o.get("src").getAsString() + ":" + o.get("sport").getAsInt() + " " + o.get("dst").getAsString()
                        + ":" + o.get("dport").getAsInt() + " " + o.get("bytes").getAsInt());
            }
            assertEquals(want, got, "UDP datagrams");
        }

        if (warn) {
            List<String> want = new ArrayList<>();
            for (String l : expected) {
                Matcher m = SCAN.matcher(l);
                if (m.matches()) {
                    want.add("scan " + m.group(1) + " " + m.group(2) + " " + (m.group(3) == null ? "" : m.group(3)));
                    continue;
                }
                m = WARN.matcher(l);
                if (m.matches()) {
                    want.add(m.group(1).toLowerCase(Locale.ROOT) + " " + m.group(2) + " " + m.group(3) + ":" + m.group(4)
                            + " " + m.group(5) + ":" + m.group(6));
                }
            }
            List<String> got = new ArrayList<>();
            for (JsonObject o : records) {
                String type = o.get("type").getAsString();
                if (type.equals("scan")) {
                    JsonArray probes = o.getAsJsonArray("probes");
                    List<String> p = new ArrayList<>();
                    if (probes != null) {
                        for (JsonElement e : probes) {
                            JsonObject po = e.getAsJsonObject();
                            p.add(po.get("host").getAsString() + ":" + po.get("port").getAsInt() + "/" + po.get("flags").getAsInt());
                        }
                    }
                    got.add("scan " + o.get("src").getAsString() + " " + p.size() + " " + String.join(",", p));
                } else if (type.equals("warning")) {
                    got.add(o.get("kind").getAsString() + " " + o.get("code").getAsInt() + " " + o.get("src").getAsString()
                            + ":" + intOr0(o, "sport") + " " + (o.has("dst") ? o.get("dst").getAsString() : "0.0.0.0")
                            + ":" + intOr0(o, "dport"));
                }
            }
            assertEquals(want, got, "port scans and warnings");
        }
    }

    private static int intOr0(JsonObject o, String key) {
        return o.has(key) ? o.get(key).getAsInt() : 0;
    }

    private static List<End> sorted(List<End> ends) {
        List<End> s = new ArrayList<>(ends);
        s.sort((a, b) -> a.toString().compareTo(b.toString()));
        return s;
    }

    /** The dumped direction has the expected size and the CRC-32 nids_dump printed for the stream's end. */
    private static void checkDump(JsonObject o, String key, long count, List<String> expected, End end, boolean cts)
            throws IOException {
        if (count == 0) {
            assertFalse(o.has(key), () -> "no file for an empty direction: " + o);
            return;
        }
        assertTrue(o.has(key), () -> "a dump file: " + o);
        Path file = Paths.get(o.get(key).getAsString());
        byte[] bytes = Files.readAllBytes(file);
        assertEquals(count, bytes.length, file::toString);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        String hex = String.format("%08x", crc.getValue());
        String prefix = "TCP " + switch (end.state()) {
            case "close" -> "CLOSE";
            case "reset" -> "RESET";
            case "timeout" -> "TIMEOUT";
            default -> "EXITING";
        } + " " + end.src() + ":" + end.sport() + " " + end.dst() + ":" + end.dport() + " ";
        String field = (cts ? "cts=" + count + " cts_crc32=" : "stc=" + count + " stc_crc32=") + hex;
        assertTrue(expected.stream().anyMatch(l -> l.startsWith(prefix) && l.contains(field)),
                () -> file + ": CRC-32 " + hex + " matches no " + prefix + "line with " + (cts ? "cts" : "stc") + "=" + count);
    }
}
