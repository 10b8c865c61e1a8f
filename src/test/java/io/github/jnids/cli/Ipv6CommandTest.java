package io.github.jnids.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.jnids.testing.Ipv6Oracle;

/**
 * The command on IPv6: bracketed addresses in the text lines, plain ones in
 * JSON, tcpflow's names for IPv6 flows in {@code --dump}, BPF {@code ip6}
 * filters.
 */
class Ipv6CommandTest {
    private static final Path BASE = Paths.get(System.getProperty("jnids.basedir", "."));
    private static final Path HTTP6 = BASE.resolve("testdata/captured/ipv6/http-small.pcap");
    private static final Path HTTP4 = BASE.resolve("testdata/captured/http-small.pcap");
    private static final Path UDP6 = BASE.resolve("testdata/captured/ipv6/udp-dns.pcap");
    private static final Path SCAN6 = BASE.resolve("testdata/captured/ipv6/portscan.pcap");

    @TempDir
    Path dir;

    @Test
    void textLinesPutIpv6AddressesInBrackets() {
        assertEquals("[2001:db8::1]:443", HostPort.of("2001:db8::1", 443));
        assertEquals("[::ffff:10.0.0.1]:80", HostPort.of("::ffff:10.0.0.1", 80));
        assertEquals("10.0.0.1:80", HostPort.of("10.0.0.1", 80));
        assertEquals("[fe80::1]", HostPort.host("fe80::1"));
        assertEquals("10.77.0.1", HostPort.host("10.77.0.1"));
    }

    /** tcpflow 1.6 names an IPv6 flow by the address's text (inet_ntop's, which is RFC 5952's) and a 5-digit port. */
    @Test
    void dumpNamesIpv6FlowsAsTcpflow() {
        assertEquals("fd00:77::1.42001-fd00:77::2.08000", Dumper.flowName("fd00:77::1", 42001, "fd00:77::2", 8000));
        assertEquals("2001:db8:0:1::2.00080-2001:db8::1.40000", Dumper.flowName("2001:db8:0:1::2", 80, "2001:db8::1", 40000));
    }

    /** tcpflow's own file names for an IPv6 capture are those Dumper gives the oracle's streams. */
    @Test
    void tcpflowNamesTheOraclesStreamsAsDumperDoes() throws Exception {
        Path tcpflow = Stream.of("/usr/bin/tcpflow", "/usr/local/bin/tcpflow").map(Paths::get).filter(Files::isExecutable)
                .findFirst().orElse(null);
        Assumptions.assumeTrue(tcpflow != null, "skipped: tcpflow is not installed (apt-get install tcpflow)");
        Path out = Files.createDirectories(dir.resolve("tcpflow"));
        Process p = new ProcessBuilder(tcpflow.toString(), "-r", HTTP6.toAbsolutePath().toString(), "-o", out.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "tcpflow did not finish");
        Set<String> theirs;
        try (Stream<Path> s = Files.list(out)) {
            theirs = s.map(f -> f.getFileName().toString()).filter(n -> !n.endsWith(".xml")).collect(Collectors.toCollection(TreeSet::new));
        }
        Set<String> ours = new TreeSet<>();
        for (String l : Ipv6Oracle.run(HTTP6, List.of(), Files.createDirectories(dir.resolve("oracle"))).mapped().lines()) {
            String[] f = l.split(" ");
            if (!l.startsWith("TCP CLOSE ")) continue;
            String[] c = split(f[2]), s = split(f[3]);
            ours.add(Dumper.flowName(c[0], Integer.parseInt(c[1]), s[0], Integer.parseInt(s[1])));
            ours.add(Dumper.flowName(s[0], Integer.parseInt(s[1]), c[0], Integer.parseInt(c[1])));
        }
        assertFalse(ours.isEmpty());
        assertEquals(theirs, ours);
    }

    /** "[a]:p" to {a, p}. */
    private static String[] split(String endpoint) {
        int colon = endpoint.lastIndexOf(':');
        return new String[] {endpoint.substring(1, colon - 1), endpoint.substring(colon + 1)};
    }

    /** libpcap compiles and applies {@code ip6}: an IPv4 capture filtered by it shows nothing, by {@code ip or ip6} all. */
    @Test
    void bpfIp6FiltersAreApplied() {
        Jnids.Result all = Jnids.run(HTTP4.toString());
        assertEquals(0, all.exit(), all::toString);
        assertEquals(6, all.lines().size(), all::toString);
        Jnids.Result none = Jnids.run("-f", "ip6", HTTP4.toString());
        assertEquals(0, none.exit(), none::toString);
        assertEquals(List.of(), none.lines(), none::toString);
        Jnids.Result either = Jnids.run("-f", "ip or ip6", HTTP4.toString());
        assertEquals(all.lines(), either.lines(), either::toString);
    }

    /** The default lines, JSON, -f ip6, --udp and --scan on IPv6 captures. */
    @Test
    void ipv6StreamsInEveryOutput() {
        Jnids.Result r = Jnids.run(HTTP6.toString());
        assertEquals(0, r.exit(), r::toString);
        assertEquals(6, r.lines().size(), r::toString);
        assertTrue(r.lines().contains("[+] [fd00:77::1]:42001 - [fd00:77::2]:8000 (CTS: 90B | STC: 209B)"), r::toString);
        Jnids.Result filtered = Jnids.run("-f", "ip6 and tcp port 8000", HTTP6.toString());
        assertEquals(r.lines(), filtered.lines(), filtered::toString);
        Jnids.Result json = Jnids.run("--json", HTTP6.toString());
        assertTrue(json.out().contains("\"src\":\"fd00:77::1\",\"sport\":42001,\"dst\":\"fd00:77::2\",\"dport\":8000"),
                json::toString);
        Jnids.Result udp = Jnids.run("--udp", UDP6.toString());
        assertEquals(10, udp.lines().stream().filter(l -> l.startsWith("[udp] [fd00:77::")).count(), udp::toString);
        Jnids.Result scan = Jnids.run("--scan", SCAN6.toString());
        assertTrue(scan.lines().stream().anyMatch(l -> l.startsWith("[!] port scan from [fd00:77::1]: 11 probes ([fd00:77::2]:")),
                scan::toString);
    }

    /** {@code --dump} writes tcpflow's files for an IPv6 capture, byte for byte. */
    @Test
    void dumpOfAnIpv6CaptureIsTcpflows() throws Exception {
        Path tcpflow = Paths.get("/usr/bin/tcpflow");
        Assumptions.assumeTrue(Files.isExecutable(tcpflow), "skipped: tcpflow is not installed");
        Path theirs = Files.createDirectories(dir.resolve("tcpflow")), ours = dir.resolve("jnids");
        Process p = new ProcessBuilder(tcpflow.toString(), "-r", HTTP6.toAbsolutePath().toString(), "-o", theirs.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        Jnids.Result r = Jnids.run("--dump", ours.toString(), HTTP6.toString());
        assertEquals(0, r.exit(), r::toString);
        List<Path> files;
        try (Stream<Path> s = Files.list(theirs)) {
            files = s.filter(f -> !f.toString().endsWith(".xml")).sorted().toList();
        }
        assertEquals(12, files.size());
        for (Path f : files) {
            assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(ours.resolve(f.getFileName().toString())),
                    f.getFileName().toString());
        }
    }
}
