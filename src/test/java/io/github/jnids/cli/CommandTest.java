package io.github.jnids.cli;

import io.github.jnids.testing.Seed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.jnids.cli.Jnids.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drives the jnids command as a process, for each option and each error. */
class CommandTest {
    @TempDir
    Path dir;

    /** The ten lines the seed's nidstest.py prints for http_witp_jpegs.cap. */
    static final List<String> SEED_LINES = Seed.TEN_LINES;

    static final Pattern LINE = Pattern.compile(
            "\\[\\+] ([\\d.]+):(\\d+) - ([\\d.]+):(\\d+) \\(CTS: (\\d+)B \\| STC: (\\d+)B\\)( \\[(open|reset|timeout)])?"
                    + "( \\[gaps: (\\d+), missing (\\d+)B/(\\d+)B])?");

    static Path sharedCapture(String name) {
        Path p = Jnids.sharedPcaps().resolve(name);
        assumeTrue(Files.isRegularFile(p), "shared capture " + p + " is absent (../shared/pcaps)");
        return p;
    }

    static void assertSuccess(Result r) {
        assertEquals(0, r.exit(), r::toString);
        assertEquals("", r.err(), () -> "nothing on stderr (no progress when it is not a terminal)\n" + r);
    }

    /** Success, and on stderr only the one-line explanation of a capture that gave no stream. */
    static void assertSuccessExplained(Result r, String capture) {
        assertEquals(0, r.exit(), r::toString);
        assertEquals(1, r.errLines().size(), () -> "one line on stderr\n" + r);
        assertTrue(r.err().startsWith("jnids: " + capture + " has "), r::toString);
        assertTrue(r.err().contains(" but no stream"), r::toString);
    }

    /** Exit status and a single line on stderr starting with "jnids: ", nothing on stdout. */
    static String assertFails(int exit, Result r) {
        assertEquals(exit, r.exit(), r::toString);
        assertEquals(1, r.errLines().size(), () -> "one line on stderr\n" + r);
        assertTrue(r.err().startsWith("jnids: "), r::toString);
        assertFalse(r.err().contains("\tat "), () -> "no stack trace\n" + r);
        assertEquals("", r.out(), r::toString);
        return r.errLines().get(0);
    }

    // ---- the seed's output --------------------------------------------------

    @Test
    void printsTheSeedLinesForHttpWitpJpegs() {
        Path cap = sharedCapture("http_witp_jpegs.cap");
        // nidstest.py's libnids: holes wait (the capture lacks the first segment of some responses)
        Result r = Jnids.run("--gaps", "wait", cap.toString());
        assertSuccess(r);
        List<String> lines = r.lines();
        assertEquals(SEED_LINES, lines.subList(0, SEED_LINES.size()), r::toString);
        // The streams still open at the end follow, marked.
        assertTrue(lines.size() > SEED_LINES.size(), r::toString);
        for (String l : lines.subList(SEED_LINES.size(), lines.size())) {
            assertTrue(l.endsWith(" [open]"), l);
            assertTrue(LINE.matcher(l).matches(), l);
        }
    }

    @Test
    void readOptionIsTheSameAsAnOperand() {
        Path cap = sharedCapture("http_witp_jpegs.cap");
        assertEquals(Jnids.run(cap.toString()).out(), Jnids.run("-r", cap.toString()).out());
    }

    // ---- stream states ----------------------------------------------------

    @Test
    void marksResetAndOpenStreams() throws IOException {
        Path cap = Captures.threeStreams(dir.resolve("three.pcap"));
        Result r = Jnids.run(cap.toString());
        assertSuccess(r);
        assertEquals(List.of(Captures.CLOSED, Captures.RESET, Captures.OPEN), r.lines());
    }

    @Test
    void marksStreamsTimedOutWhenTheTableIsFull() throws IOException {
        // libnids keeps 3/4 of n_tcp_streams (1040) streams: beyond that the oldest times out.
        int n = 800;
        Path cap = Captures.manyOpen(dir.resolve("many.pcap"), n);
        Result r = Jnids.run(cap.toString());
        assertSuccess(r);
        List<String> lines = r.lines();
        assertEquals(n, lines.size());
        long timedOut = lines.stream().filter(l -> l.endsWith(" [timeout]")).count();
        long open = lines.stream().filter(l -> l.endsWith(" [open]")).count();
        assertTrue(timedOut > 0, r::toString);
        assertEquals(n, timedOut + open);
        assertEquals("[+] 10.1.0.1:20000 - 10.1.0.2:80 (CTS: 1B | STC: 0B) [timeout]", lines.get(0));
    }

    @Test
    void largerStreamTableKeepsEveryStreamOpen() throws IOException {
        int n = 800;
        Path cap = Captures.manyOpen(dir.resolve("many.pcap"), n);
        Result r = Jnids.run("--tcp-streams", "2000", cap.toString());
        assertSuccess(r);
        assertEquals(n, r.lines().stream().filter(l -> l.endsWith(" [open]")).count(), r::toString);
        assertEquals("[+] 10.1.0.1:20000 - 10.1.0.2:80 (CTS: 1B | STC: 0B) [open]", r.lines().get(0));
    }

    @Test
    void badStreamTableSizeIsAUsageError() {
        assertTrue(assertFails(2, Jnids.run("--tcp-streams", "0", "x.pcap")).contains("--tcp-streams"));
        assertTrue(assertFails(2, Jnids.run("--tcp-streams", "many", "x.pcap")).contains("--tcp-streams"));
    }

    // ---- several files -----------------------------------------------------

    @Test
    void readsSeveralFilesInCommandLineOrderEachInItsOwnSession() throws IOException {
        Path three = Captures.threeStreams(dir.resolve("three.pcap"));
        Path scan = Captures.portScan(dir.resolve("scan.pcap"));
        Path other = Captures.manyOpen(dir.resolve("two.pcap"), 2);
        Result r = Jnids.run(other.toString(), "-r", three.toString(), scan.toString(), "-r", other.toString());
        assertSuccessExplained(r, scan.toString());
        String a = "[+] 10.1.0.1:20000 - 10.1.0.2:80 (CTS: 1B | STC: 0B) [open]";
        String b = "[+] 10.1.0.1:20001 - 10.1.0.2:80 (CTS: 1B | STC: 0B) [open]";
        // Each file's open streams are reported when its session ends, before the next file.
        List<String> lines = r.lines();
        assertEquals(7, lines.size(), r::toString);
        assertEquals(Set.of(a, b), Set.copyOf(lines.subList(0, 2)));
        assertEquals(List.of(Captures.CLOSED, Captures.RESET, Captures.OPEN), lines.subList(2, 5));
        assertEquals(Set.of(a, b), Set.copyOf(lines.subList(5, 7)));
    }

    @Test
    void readsStandardInputForDash() throws IOException {
        Path cap = Captures.threeStreams(dir.resolve("three.pcap"));
        Result r = Jnids.run(Jnids.builder("-").redirectInput(cap.toFile()));
        assertSuccess(r);
        assertEquals(List.of(Captures.CLOSED, Captures.RESET, Captures.OPEN), r.lines());
        Result json = Jnids.run(Jnids.builder("--json", "-r", "-").redirectInput(cap.toFile()));
        assertSuccess(json);
        assertEquals("-", JsonParser.parseString(json.lines().get(0)).getAsJsonObject().get("capture").getAsString());
    }

    @Test
    void garbageOnStandardInput() throws IOException {
        Path f = Files.write(dir.resolve("garbage"), new byte[100]);
        String msg = assertFails(1, Jnids.run(Jnids.builder("-").redirectInput(f.toFile())));
        assertTrue(msg.startsWith("jnids: cannot read capture from standard input: "), msg);
    }

    // ---- options -------------------------------------------------------------

    @Test
    void filterSelectsPackets() throws IOException {
        Path cap = Captures.threeStreams(dir.resolve("three.pcap"));
        Result r = Jnids.run("-f", "tcp port 22", cap.toString());
        assertSuccess(r);
        assertEquals(List.of(Captures.OPEN), r.lines());
        Result all = Jnids.run("--filter", "tcp", cap.toString());
        assertEquals(3, all.lines().size(), all::toString);
    }

    @Test
    void badFilterIsARuntimeError() throws IOException {
        Path cap = Captures.threeStreams(dir.resolve("three.pcap"));
        String msg = assertFails(1, Jnids.run("-f", "tcp port", cap.toString()));
        assertTrue(msg.contains("tcp port"), msg);
    }

    @Test
    void checksumModesOnOffloadedChecksums() throws IOException {
        // Every TCP checksum wrong, no signature: the share rule exempts the two senders with
        // enough packets (10.0.0.1, 10.0.0.2); 10.0.0.3 sent 4, too few to judge, so its SYN is dropped.
        Path cap = Captures.breakTcpChecksums(Captures.threeStreams(dir.resolve("offloaded.pcap")));
        Result verified = Jnids.run("--checksum", "on", cap.toString());
        assertSuccessExplained(verified, cap.toString());
        assertEquals(List.of(), verified.lines(), "libnids drops segments with wrong checksums");
        Result auto = Jnids.run(cap.toString());
        assertSuccess(auto);
        assertEquals(List.of(Captures.CLOSED, Captures.RESET), auto.lines());
        for (String[] off : List.of(new String[] {"--no-checksum"}, new String[] {"--checksum", "off"},
                new String[] {"--no-checksum", "--checksum", "off"})) {
            List<String> args = new java.util.ArrayList<>(List.of(off));
            args.add(cap.toString());
            Result r = Jnids.run(args.toArray(String[]::new));
            assertSuccess(r);
            assertEquals(List.of(Captures.CLOSED, Captures.RESET, Captures.OPEN), r.lines());
        }
    }

    @Test
    void checksumModeIsChecked() {
        assertTrue(assertFails(2, Jnids.run("--checksum", "maybe", "x.pcap")).contains("--checksum"));
        assertTrue(assertFails(2, Jnids.run("--no-checksum", "--checksum", "on", "x.pcap")).contains("--no-checksum"));
    }

    /** The public captures taken on a sending host: by default, exactly what --no-checksum shows. */
    @Test
    void sharedCapturesTakenOnTheSendingHost() {
        for (String name : List.of("http-session.pcap", "connection-to-google.pcapng", "socks5-telnet.pcapng",
                "telnet.pcap")) {
            Path cap = sharedCapture(name);
            Result off = Jnids.run("--no-checksum", cap.toString());
            assertSuccess(off);
            assertFalse(off.lines().isEmpty(), off::toString);
            off.lines().forEach(l -> assertTrue(LINE.matcher(l).matches(), l));
            Result auto = Jnids.run(cap.toString());
            assertSuccess(auto);
            assertEquals(off.lines(), auto.lines(), name);
            Result on = Jnids.run("--checksum", "on", cap.toString());
            assertEquals(List.of(), on.lines(), name);
            assertSuccessExplained(on, cap.toString());
            assertTrue(on.err().contains("offloaded by ") && on.err().endsWith("use --checksum auto\n"), on::toString);
            // The JSON record says which mode the capture ended up in, and who offloaded.
            List<JsonObject> records = Jnids.run("--json", cap.toString()).lines().stream()
                    .map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
            JsonObject last = records.get(records.size() - 1);
            assertEquals("capture", last.get("type").getAsString());
            assertEquals("offload", last.get("checksums").getAsString(), last::toString);
            assertTrue(last.get("offloaded_packets").getAsLong() > 0, last::toString);
            assertTrue(last.getAsJsonArray("offload_senders").get(0).getAsJsonObject().get("share_rule").getAsBoolean(),
                    last::toString);
        }
        JsonObject session = Jnids.run("--json", sharedCapture("http-session.pcap").toString()).lines().stream()
                .map(l -> JsonParser.parseString(l).getAsJsonObject()).reduce((a, b) -> b).orElseThrow();
        assertEquals("10.0.2.15", session.getAsJsonArray("offload_senders").get(0).getAsJsonObject()
                .get("host").getAsString(), session::toString);
        assertEquals(263, session.get("offloaded_packets").getAsLong(), session::toString);
    }

    @Test
    void explainsACaptureWithoutStreamsEvenInAPipe() throws IOException {
        Path cap = Captures.breakTcpChecksums(Captures.threeStreams(dir.resolve("offloaded.pcap")));
        Result r = Jnids.run("--checksum", "on", "--json", cap.toString());
        assertSuccessExplained(r, cap.toString());
        assertTrue(r.err().contains("no stream: 21 of them have checksums offloaded by 10.0.0.1 and 1 more host")
                && r.err().endsWith("use --checksum auto\n"), r::toString);
        Result off = Jnids.run("--checksum", "off", Captures.portScan(dir.resolve("scan.pcap")).toString());
        assertSuccessExplained(off, dir.resolve("scan.pcap").toString());
        assertTrue(off.err().contains("whose handshake"), off::toString);
    }

    @Test
    void udpReportsEachDatagram() throws IOException {
        Path cap = Captures.withUdp(dir.resolve("udp.pcap"));
        Result without = Jnids.run(cap.toString());
        assertSuccess(without);
        assertEquals(3, without.lines().size(), without::toString);
        Result r = Jnids.run("--udp", cap.toString());
        assertSuccess(r);
        assertEquals(List.of(Captures.CLOSED, Captures.RESET, "[udp] 10.0.0.5:5353 - 10.0.0.53:53 (5B)",
                "[udp] 10.0.0.53:53 - 10.0.0.5:5353 (0B)", Captures.OPEN), r.lines());
        Result json = Jnids.run("--udp", "--json", cap.toString());
        assertSuccess(json);
        List<JsonObject> udp = json.lines().stream().map(l -> JsonParser.parseString(l).getAsJsonObject())
                .filter(o -> o.get("type").getAsString().equals("udp")).toList();
        assertEquals(2, udp.size());
        assertEquals("10.0.0.5", udp.get(0).get("src").getAsString());
        assertEquals(5353, udp.get(0).get("sport").getAsInt());
        assertEquals("10.0.0.53", udp.get(0).get("dst").getAsString());
        assertEquals(53, udp.get(0).get("dport").getAsInt());
        assertEquals(5, udp.get(0).get("bytes").getAsInt());
        assertEquals(1_700_000_003.0, udp.get(0).get("ts").getAsDouble(), 1e-6);
    }

    @Test
    void scanReportsPortScans() throws IOException {
        Path cap = Captures.portScan(dir.resolve("scan.pcap"));
        Result quiet = Jnids.run(cap.toString());
        assertSuccessExplained(quiet, cap.toString());
        assertTrue(quiet.err().contains("11 TCP packets but no stream whose handshake"), quiet::toString);
        assertEquals(List.of(), quiet.lines());
        Result r = Jnids.run("--scan", cap.toString());
        assertSuccessExplained(r, cap.toString());
        assertEquals(1, r.lines().size(), r::toString);
        String line = r.lines().get(0);
        assertTrue(line.startsWith("[!] port scan from 10.6.6.6: 11 probes (10.0.0.2:1000 10.0.0.2:1001"), line);
        Result json = Jnids.run("--scan", "--json", cap.toString());
        assertSuccessExplained(json, cap.toString());
        JsonObject o = JsonParser.parseString(json.lines().get(0)).getAsJsonObject();
        assertEquals("scan", o.get("type").getAsString());
        assertEquals("10.6.6.6", o.get("src").getAsString());
        assertEquals(11, o.getAsJsonArray("probes").size());
        assertEquals("10.0.0.2", o.getAsJsonArray("probes").get(0).getAsJsonObject().get("host").getAsString());
    }

    @Test
    void scanAlsoReportsLibnidsWarnings() throws IOException {
        // An IP datagram of protocol TCP too short to hold a TCP header.
        io.github.jnids.testing.PcapWriter w = new io.github.jnids.testing.PcapWriter(
                io.github.jnids.testing.PcapWriter.LINKTYPE_ETHERNET);
        w.packet(Captures.T0, io.github.jnids.testing.Packets.ethernet(
                io.github.jnids.testing.Packets.ipv4("10.7.7.7", "10.0.0.2", 6, new byte[8])));
        Path cap = w.write(dir.resolve("short.pcap"));
        Result quiet = Jnids.run(cap.toString());
        assertSuccessExplained(quiet, cap.toString());
        assertTrue(quiet.err().contains("libnids dropped 1 packet as invalid"), quiet::toString);
        assertEquals(List.of(), quiet.lines());
        Result r = Jnids.run("--scan", cap.toString());
        assertSuccessExplained(r, cap.toString());
        assertEquals(1, r.lines().size(), r::toString);
        assertTrue(r.lines().get(0).startsWith("[!] TCP: "), r::toString);
        assertTrue(r.lines().get(0).contains("10.7.7.7"), r::toString);
    }

    // ---- JSON -----------------------------------------------------------------

    @Test
    void jsonHasOneObjectPerStream() throws IOException {
        Path cap = Captures.threeStreams(dir.resolve("three.pcap"));
        Result r = Jnids.run("--json", cap.toString());
        assertSuccess(r);
        List<JsonObject> objects = r.lines().stream().map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
        assertEquals(4, objects.size());
        // The capture's own record comes last.
        JsonObject capture = objects.get(3);
        assertEquals("capture", capture.get("type").getAsString());
        assertEquals(cap.toString(), capture.get("capture").getAsString());
        assertEquals(3, capture.get("streams").getAsLong());
        assertEquals("auto", capture.get("checksum_mode").getAsString());
        assertEquals("verified", capture.get("checksums").getAsString());
        assertEquals(0, capture.get("offloaded_packets").getAsLong());
        assertEquals(0, capture.getAsJsonArray("offload_senders").size());
        JsonObject closed = objects.get(0);
        assertEquals("tcp", closed.get("type").getAsString());
        assertEquals("10.0.0.1", closed.get("src").getAsString());
        assertEquals(40000, closed.get("sport").getAsInt());
        assertEquals("10.0.0.2", closed.get("dst").getAsString());
        assertEquals(80, closed.get("dport").getAsInt());
        assertEquals("close", closed.get("state").getAsString());
        assertEquals(11, closed.get("bytes_cts").getAsLong());
        assertEquals(1000, closed.get("bytes_stc").getAsLong());
        assertEquals(cap.toString(), closed.get("capture").getAsString());
        // TcpConversation spaces packets 100 us apart from T0: the handshake's third packet
        // (libnids' NIDS_JUST_EST) is the third, the last ACK of the close the 12th.
        assertEquals(1_700_000_000.000300, closed.get("first_ts").getAsDouble(), 1e-7);
        assertEquals(1_700_000_000.001200, closed.get("last_ts").getAsDouble(), 1e-7);
        assertEquals("reset", objects.get(1).get("state").getAsString());
        assertEquals(3, objects.get(1).get("bytes_cts").getAsLong());
        assertEquals("open", objects.get(2).get("state").getAsString());
        assertEquals(4, objects.get(2).get("bytes_cts").getAsLong());
        assertEquals(5, objects.get(2).get("bytes_stc").getAsLong());
    }

    @Test
    void jsonAgreesWithTheTextOutputOnTheSeedCapture() {
        Path cap = sharedCapture("http_witp_jpegs.cap");
        List<String> text = Jnids.run(cap.toString()).lines();
        Result r = Jnids.run("--json", cap.toString());
        assertSuccess(r);
        List<String> rebuilt = new ArrayList<>();
        for (String l : r.lines()) {
            JsonObject o = JsonParser.parseString(l).getAsJsonObject();
            if (o.get("type").getAsString().equals("capture")) continue;
            String state = o.get("state").getAsString();
            assertTrue(Set.of("close", "reset", "timeout", "open").contains(state), l);
            double first = o.get("first_ts").getAsDouble();
            double last = o.get("last_ts").getAsDouble();
            assertTrue(first > 1e9 && first <= last, l);
            rebuilt.add("[+] " + o.get("src").getAsString() + ":" + o.get("sport").getAsInt() + " - "
                    + o.get("dst").getAsString() + ":" + o.get("dport").getAsInt()
                    + " (CTS: " + o.get("bytes_cts").getAsLong() + "B | STC: " + o.get("bytes_stc").getAsLong() + "B)"
                    + (state.equals("close") ? "" : " [" + state + "]")
                    + (o.has("gaps") ? " [gaps: " + o.get("gaps").getAsInt() + ", missing "
                            + o.get("missing_cts").getAsLong() + "B/" + o.get("missing_stc").getAsLong() + "B]" : ""));
        }
        assertEquals(text, rebuilt);
    }

    // ---- dump -----------------------------------------------------------------

    @Test
    void dumpWritesEachDirectionToItsOwnFile() throws IOException {
        Path cap = Captures.threeStreams(dir.resolve("three.pcap"));
        Path out = dir.resolve("flows");
        Result r = Jnids.run("--dump", out.toString(), cap.toString());
        assertSuccess(r);
        assertEquals(List.of(Captures.CLOSED, Captures.RESET, Captures.OPEN), r.lines());
        assertEquals("hello world", Files.readString(out.resolve("010.000.000.001.40000-010.000.000.002.00080")));
        assertArrayEquals(Captures.serverBytes(),
                Files.readAllBytes(out.resolve("010.000.000.002.00080-010.000.000.001.40000")));
        assertEquals("abc", Files.readString(out.resolve("010.000.000.001.40001-010.000.000.002.00080")));
        assertEquals("SSH-", Files.readString(out.resolve("010.000.000.003.40002-010.000.000.002.00022")));
        assertEquals("SSH-2", Files.readString(out.resolve("010.000.000.002.00022-010.000.000.003.40002")));
        // The reset stream's server sent nothing: no file.
        assertEquals(5, listing(out).size(), () -> listing(out).toString());

        // A second run never overwrites: it adds -1 files with the same contents.
        Result again = Jnids.run("--dump", out.toString(), cap.toString());
        assertSuccess(again);
        assertEquals(10, listing(out).size(), () -> listing(out).toString());
        assertEquals("hello world", Files.readString(out.resolve("010.000.000.001.40000-010.000.000.002.00080-1")));
        assertEquals("hello world", Files.readString(out.resolve("010.000.000.001.40000-010.000.000.002.00080")));
        Jnids.run("--dump", out.toString(), cap.toString());
        assertEquals("SSH-2", Files.readString(out.resolve("010.000.000.002.00022-010.000.000.003.40002-2")));
    }

    @Test
    void dumpFilesMatchTheByteCountsOnTheSeedCapture() throws IOException {
        Path cap = sharedCapture("http_witp_jpegs.cap");
        Path out = dir.resolve("flows");
        Result r = Jnids.run("--dump", out.toString(), cap.toString());
        assertSuccess(r);
        int files = 0;
        for (String l : r.lines()) {
            Matcher m = LINE.matcher(l);
            assertTrue(m.matches(), l);
            String cts = Dumper.flowName(m.group(1), Integer.parseInt(m.group(2)), m.group(3), Integer.parseInt(m.group(4)));
            String stc = Dumper.flowName(m.group(3), Integer.parseInt(m.group(4)), m.group(1), Integer.parseInt(m.group(2)));
            // a hole given up is written as zeros (those of this capture are all followed by data)
            long missingCts = m.group(9) == null ? 0 : Long.parseLong(m.group(11));
            long missingStc = m.group(9) == null ? 0 : Long.parseLong(m.group(12));
            files += checkDumpSize(out.resolve(cts), Long.parseLong(m.group(5)) + missingCts);
            files += checkDumpSize(out.resolve(stc), Long.parseLong(m.group(6)) + missingStc);
        }
        assertEquals(files, listing(out).size());
        // The first response starts as HTTP does.
        String first = Files.readString(out.resolve("010.001.001.001.00080-010.001.001.101.03177"), StandardCharsets.ISO_8859_1);
        assertTrue(first.startsWith("HTTP/1.1 "), first);
    }

    private static int checkDumpSize(Path file, long expected) throws IOException {
        if (expected == 0) {
            assertFalse(Files.exists(file), file::toString);
            return 0;
        }
        assertEquals(expected, Files.size(file), file::toString);
        return 1;
    }

    @Test
    void dumpJsonNamesTheFiles() throws IOException {
        Path cap = Captures.threeStreams(dir.resolve("three.pcap"));
        Path out = dir.resolve("flows");
        Result r = Jnids.run("--json", "--dump", out.toString(), cap.toString());
        assertSuccess(r);
        JsonObject o = JsonParser.parseString(r.lines().get(0)).getAsJsonObject();
        assertEquals(out.resolve("010.000.000.001.40000-010.000.000.002.00080").toString(), o.get("file_cts").getAsString());
        assertEquals(out.resolve("010.000.000.002.00080-010.000.000.001.40000").toString(), o.get("file_stc").getAsString());
        JsonObject reset = JsonParser.parseString(r.lines().get(1)).getAsJsonObject();
        assertFalse(reset.has("file_stc"));
    }

    @Test
    void dumpIntoAFileIsARuntimeError() throws IOException {
        Path cap = Captures.threeStreams(dir.resolve("three.pcap"));
        Path notDir = Files.writeString(dir.resolve("plain"), "x");
        String msg = assertFails(1, Jnids.run("--dump", notDir.toString(), cap.toString()));
        assertEquals("jnids: " + notDir + ": not a directory", msg);
    }

    @Test
    void dumpIntoAReadOnlyDirectoryIsARuntimeError() throws IOException {
        Path cap = Captures.threeStreams(dir.resolve("three.pcap"));
        Path readOnly = Files.createDirectory(dir.resolve("ro"));
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
        Result r = Jnids.run(without("-dac_override,-dac_read_search", "--dump", readOnly.toString(), cap.toString()));
        assumeTrue(r.exit() != 0, () -> "the directory stayed writable: " + r);
        assertEquals("jnids: " + readOnly + ": dump directory not writable", assertFails(1, r));
    }

    @Test
    void dumpNamesFollowTcpflow() {
        assertEquals("010.001.001.101.03177-010.001.001.001.00080", Dumper.flowName("10.1.1.101", 3177, "10.1.1.1", 80));
        assertEquals("255.000.000.001.65535-001.002.003.004.00000", Dumper.flowName("255.0.0.1", 65535, "1.2.3.4", 0));
    }

    private static List<String> listing(Path d) {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // ---- help and version -------------------------------------------------------

    @Test
    void helpExplainsOptions() {
        Result r = Jnids.run("--help");
        assertSuccess(r);
        assertTrue(r.out().startsWith("Usage: jnids "), r::toString);
        for (String option : List.of("-r", "-i", "-f", "--checksum", "--no-checksum", "--dump", "--json", "--udp", "--scan",
                "--version", "--help")) {
            assertTrue(r.out().contains(option), option);
        }
        assertTrue(r.out().contains("offloading"), "--help explains why --checksum exists");
        assertTrue(r.out().contains("pseudo header") && r.out().contains("75%"), "--help states the rule");
        assertEquals(r.out(), Jnids.run("-h").out());
    }

    @Test
    void versionNamesTheThreeComponents() {
        Result r = Jnids.run("--version");
        assertSuccess(r);
        List<String> lines = r.lines();
        assertEquals(3, lines.size(), r::toString);
        assertTrue(lines.get(0).matches("jnids \\S+"), lines.get(0));
        assertEquals("libnids 1.26", lines.get(1));
        assertTrue(lines.get(2).matches("libpcap \\d+\\.\\d+.*"), lines.get(2));
        assertEquals(r.out(), Jnids.run("-V").out());
    }

    // ---- usage errors: exit 2 -------------------------------------------------------

    @Test
    void unknownOptionIsAUsageError() {
        String msg = assertFails(2, Jnids.run("--bogus", "x.pcap"));
        assertTrue(msg.contains("--bogus"), msg);
    }

    @Test
    void missingOptionValueIsAUsageError() {
        assertFails(2, Jnids.run("-r"));
        assertFails(2, Jnids.run("x.pcap", "--dump"));
    }

    @Test
    void noCaptureIsAUsageError() {
        String msg = assertFails(2, Jnids.run());
        assertTrue(msg.contains("no capture"), msg);
    }

    @Test
    void interfaceAndFilesTogetherIsAUsageError() throws IOException {
        Path cap = Captures.threeStreams(dir.resolve("three.pcap"));
        assertFails(2, Jnids.run("-i", "lo", cap.toString()));
    }

    @Test
    void singleValueOptionGivenTwiceIsAUsageError() throws IOException {
        Path cap = Captures.threeStreams(dir.resolve("three.pcap"));
        assertTrue(assertFails(2, Jnids.run("--dump", "a", "--dump", "b", cap.toString())).contains("only once"));
        assertFails(2, Jnids.run("-i", "lo", "-i", "eth0"));
    }

    // ---- runtime errors: exit 1 -------------------------------------------------------

    @Test
    void missingFile() {
        Path missing = dir.resolve("missing.pcap");
        assertEquals("jnids: " + missing + ": no such file", assertFails(1, Jnids.run(missing.toString())));
    }

    @Test
    void missingFileIsFoundBeforeAnyIsRead() throws IOException {
        Path cap = Captures.threeStreams(dir.resolve("three.pcap"));
        Path missing = dir.resolve("missing.pcap");
        assertEquals("jnids: " + missing + ": no such file",
                assertFails(1, Jnids.run(cap.toString(), missing.toString())));
    }

    @Test
    void directory() {
        assertEquals("jnids: " + dir + ": is a directory", assertFails(1, Jnids.run(dir.toString())));
    }

    @Test
    void unreadableFile() throws IOException {
        Path cap = Captures.threeStreams(dir.resolve("secret.pcap"));
        Files.setPosixFilePermissions(cap, PosixFilePermissions.fromString("---------"));
        Result r = Jnids.run(without("-dac_override,-dac_read_search", cap.toString()));
        assumeTrue(r.exit() != 0, () -> "the file stayed readable: " + r);
        assertEquals("jnids: " + cap + ": permission denied", assertFails(1, r));
    }

    @Test
    void notACapture() throws IOException {
        byte[] garbage = new byte[200];
        new java.util.Random(5).nextBytes(garbage);
        Path f = Files.write(dir.resolve("garbage.pcap"), garbage);
        String msg = assertFails(1, Jnids.run(f.toString()));
        assertTrue(msg.contains(f.toString()), msg);
        assertTrue(msg.contains("unknown file format"), msg);
    }

    @Test
    void emptyFile() throws IOException {
        Path f = Files.write(dir.resolve("empty.pcap"), new byte[0]);
        String msg = assertFails(1, Jnids.run(f.toString()));
        assertTrue(msg.contains(f.toString()), msg);
    }

    @Test
    void unknownLinkType() throws IOException {
        Path f = Captures.headerOnly(dir.resolve("lt147.pcap"), 147);
        String msg = assertFails(1, Jnids.run(f.toString()));
        assertTrue(msg.contains(f.toString()), msg);
        assertTrue(msg.contains("link type 147"), msg);
    }

    @Test
    void interfaceNotFound() {
        String msg = assertFails(1, Jnids.run("-i", "nosuchif0"));
        assertTrue(msg.contains("nosuchif0"), msg);
    }

    /**
     * The command line run without the given capabilities: as root, through setpriv
     * (the test is skipped without it); an ordinary user lacks them anyway.
     */
    static ProcessBuilder without(String capabilities, String... args) {
        List<String> cmd = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            Path setpriv = Path.of("/usr/bin/setpriv");
            assumeTrue(Files.isExecutable(setpriv), "running as root and no setpriv to drop " + capabilities);
            cmd.addAll(List.of(setpriv.toString(), "--bounding-set", capabilities, "--inh-caps", capabilities));
        }
        cmd.addAll(Jnids.command(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("JNIDS_DEBUG");
        return pb;
    }

    @Test
    void noPermissionToCapture() {
        Result r = Jnids.run(without("-net_raw,-net_admin", "-i", "lo"));
        assumeTrue(r.exit() == 1 && r.err().startsWith("jnids: "),
                () -> "cannot run without capture permission here: " + r);
        String msg = assertFails(1, r);
        assertTrue(msg.contains("no permission to capture on 'lo'"), msg);
    }

    @Test
    void truncatedCaptureReportsWhatItReadThenFails() throws IOException {
        byte[] whole = Captures.threeStreams().bytes();
        Path f = Files.write(dir.resolve("truncated.pcap"), Arrays.copyOf(whole, whole.length - 30));
        Result r = Jnids.run(f.toString());
        assertEquals(1, r.exit(), r::toString);
        assertEquals(1, r.errLines().size(), r::toString);
        assertTrue(r.err().startsWith("jnids: "), r::toString);
        assertTrue(r.lines().contains(Captures.CLOSED), r::toString);
    }
}
