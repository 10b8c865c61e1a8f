package io.github.jnids;

import static io.github.jnids.testing.Packets.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;

import io.github.jnids.testing.PcapWriter;
import io.github.jnids.testing.TcpConversation;

/** libnids' warnings and port-scan reports as typed events; checksum control. */
class WarningsTest extends NidsTestBase {
    private static final long T0 = 1_700_000_000_000_000L;

    /** {@code n} SYN probes from one source to the given hosts and ports, 1 ms apart. */
    private static void probes(PcapWriter w, String scanner, List<String> hosts, List<Integer> ports) {
        long t = T0;
        int sport = 50000;
        for (String h : hosts) {
            for (int p : ports) {
                w.packet(t += 1000, ethernet(ipv4(scanner, h, 6, tcp(scanner, sport++, h, p, 777, 0, SYN, new byte[0]))));
            }
        }
    }

    @Test
    void synScanOfManyPortsIsReportedWithItsProbes() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        List<Integer> ports = new ArrayList<>();
        for (int p = 20; p < 31; p++) ports.add(p);
        probes(w, "10.6.6.6", List.of("10.0.0.2"), ports);
        Path file = write("scan.pcap", w);
        List<NidsWarning> got = new ArrayList<>();
        onWarning(got::add);
        runFile(file);
        assertEquals(1, got.size(), got.toString());
        NidsWarning s = got.get(0);
        assertEquals(NidsWarning.Kind.SCAN, s.kind());
        assertEquals("10.6.6.6", s.src());
        assertEquals(11, s.probes().size(), "scan_num_ports (10) exceeded on the 11th probe");
        for (int i = 0; i < 11; i++) {
            assertEquals(new ScanProbe("10.0.0.2", 20 + i, SYN), s.probes().get(i));
        }
        assertTrue(s.message().contains("10.6.6.6") && s.message().contains("SYN"), s.message());
        assertTrue(s.toString().startsWith("SCAN: "), s.toString());
    }

    @Test
    void scanOfManyHostsAndTheScanParameters() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        List<String> hosts = new ArrayList<>();
        for (int h = 1; h <= 12; h++) hosts.add("192.168.7." + h);
        probes(w, "10.6.6.7", hosts, List.of(22));
        Path file = write("hosts.pcap", w);
        List<NidsWarning> got = new ArrayList<>();
        onWarning(got::add);
        runFile(file);
        assertEquals(1, got.size(), got.toString());
        assertEquals(11, got.get(0).probes().size());
        assertEquals(new ScanProbe("192.168.7.11", 22, SYN), got.get(0).probes().get(10));

        // a lower threshold: a report every 4 distinct probes
        got.clear();
        Nids.param("scan_num_ports", 3);
        runFile(file);
        assertEquals(3, got.size(), got.toString());
        for (NidsWarning n : got) assertEquals(4, n.probes().size());

        // detection off
        got.clear();
        Nids.param("scan_num_hosts", 0);
        runFile(file);
        assertEquals(List.of(), got);
    }

    @Test
    void malformedIpAndTcpAreReported() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        long t = T0;
        // IP header length 4 words (less than the minimum 5)
        byte[] shortHeader = ipv4("10.7.0.1", "10.7.0.2", 17, udp("10.7.0.1", 1, "10.7.0.2", 2, new byte[4]));
        shortHeader[0] = 0x44;
        w.packet(t += 10, ethernet(shortHeader));
        // overlapping fragments
        byte[] seg = udp("10.7.0.3", 1, "10.7.0.4", 2, new byte[40]);
        w.packet(t += 10, ethernet(ipv4("10.7.0.3", "10.7.0.4", 17, 99, 0, true, java.util.Arrays.copyOfRange(seg, 0, 32))));
        w.packet(t += 10, ethernet(ipv4("10.7.0.3", "10.7.0.4", 17, 99, 2, false, java.util.Arrays.copyOfRange(seg, 16, 48))));
        // TCP data offset beyond the datagram
        byte[] badOff = tcp("10.7.0.5", 1234, "10.7.0.6", 80, 1, 0, ACK, new byte[0]);
        badOff[12] = (byte) 0xf0;
        w.packet(t += 10, ethernet(ipv4("10.7.0.5", "10.7.0.6", 6, badOff)));
        // TCP with a wrong checksum
        byte[] badSum = corruptChecksum(tcp("10.7.0.7", 4321, "10.7.0.8", 443, 1, 1, ACK, new byte[] {1}), 6);
        w.packet(t += 10, ethernet(ipv4("10.7.0.7", "10.7.0.8", 6, badSum)));
        Path file = write("malformed.pcap", w);

        List<NidsWarning> got = new ArrayList<>();
        onWarning(got::add);
        runFile(file);
        List<String> summary = got.stream().map(n -> n.kind() + "/" + n.code() + "/" + n.src() + ":" + n.sport()
                + ">" + n.dst() + ":" + n.dport()).toList();
        assertEquals(List.of("IP/4/10.7.0.1:0>10.7.0.2:0", "IP/3/10.7.0.3:0>10.7.0.4:0",
                "TCP/7/10.7.0.5:0>10.7.0.6:0", "TCP/7/10.7.0.7:0>10.7.0.8:0"), summary,
                "as libnids' own syslog hook, no ports for NIDS_WARN_TCP_HDR");
        assertEquals("Invalid IP header", got.get(0).message());
        assertEquals("Overlapping IP fragments", got.get(1).message());
        assertEquals("Invalid TCP header", got.get(2).message());
        assertEquals(List.of(), got.get(3).probes());
        assertEquals("TCP: Invalid TCP header, from 10.7.0.7 to 10.7.0.8", got.get(3).toString());
    }

    @Test
    void withoutHandlersWarningsGoToTheSystemLogger() throws Exception {
        byte[] bad = ipv4("10.8.0.1", "10.8.0.2", 17, udp("10.8.0.1", 1, "10.8.0.2", 2, new byte[2]));
        bad[10] ^= 1;
        Path file = write("log.pcap", new PcapWriter(PcapWriter.LINKTYPE_ETHERNET).packet(T0, ethernet(bad)));
        List<LogRecord> records = new ArrayList<>();
        Logger logger = Logger.getLogger("io.github.jnids");
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() { }

            @Override
            public void close() { }
        };
        boolean parent = logger.getUseParentHandlers();
        java.util.logging.Level level = logger.getLevel();
        logger.addHandler(h);
        logger.setUseParentHandlers(false);
        logger.setLevel(java.util.logging.Level.ALL);
        try {
            runFile(file);
        } finally {
            logger.removeHandler(h);
            logger.setUseParentHandlers(parent);
            logger.setLevel(level);
        }
        assertEquals(1, records.size());
        // malformed traffic is routine: DEBUG (FINE), hidden by default
        assertEquals(java.util.logging.Level.FINE, records.get(0).getLevel());
        String text = new java.util.logging.SimpleFormatter().formatMessage(records.get(0));
        assertTrue(text.contains("Invalid IP header") && text.contains("10.8.0.1"), text);

        // with a handler registered, nothing reaches the logger
        records.clear();
        List<NidsWarning> got = new ArrayList<>();
        onWarning(got::add);
        logger.addHandler(h);
        logger.setLevel(java.util.logging.Level.ALL);
        try {
            runFile(file);
        } finally {
            logger.removeHandler(h);
            logger.setLevel(level);
        }
        assertEquals(1, got.size());
        assertEquals(List.of(), records);
    }

    private Path offloadedConversation() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        new TcpConversation(w, "192.168.1.10", 40000, "192.168.1.20", 80).badChecksums(true).handshake()
                .clientSends("GET /").serverSends("200 OK").close();
        return write("offload.pcap", w);
    }

    @Test
    void wrongTcpChecksumsAreIgnoredUnlessChecksumControlSaysOtherwise() throws Exception {
        Path file = offloadedConversation();
        StringBuilder got = new StringBuilder();
        onTcp(s -> {
            if (s.nidsState() == Nids.NIDS_JUST_EST) {
                s.client().collect(true);
                s.server().collect(true);
            } else if (s.nidsState() == Nids.NIDS_DATA) {
                HalfStream h = s.server().countNew() > 0 ? s.server() : s.client();
                got.append(new String(h.data())).append('|');
            } else {
                got.append("end").append(s.nidsState());
            }
        });
        List<NidsWarning> warnings = new ArrayList<>();
        onWarning(warnings::add);
        runFile(file);
        assertEquals("", got.toString());
        assertFalse(warnings.isEmpty());
        assertTrue(warnings.stream().allMatch(n -> n.code() == 7), warnings.toString());

        // a rule for another network changes nothing
        Nids.chksumCtl(List.of(Map.entry("10.0.0.0/8", false)));
        runFile(file);
        assertEquals("", got.toString());

        warnings.clear();
        Nids.chksumCtl(List.of(Map.entry("0.0.0.0/0", false)));
        runFile(file);
        assertEquals("GET /|200 OK|end3", got.toString());
        assertEquals(List.of(), warnings);

        // the first matching rule applies
        got.setLength(0);
        Nids.chksumCtl(List.of(Map.entry("192.168.1.0/24", true), Map.entry("0.0.0.0/0", false)));
        runFile(file);
        assertEquals("", got.toString());
        Nids.chksumCtl(List.of(Map.entry("192.168.1.0/24", false), Map.entry("0.0.0.0/0", true)));
        runFile(file);
        assertEquals("GET /|200 OK|end3", got.toString());

        // an empty list verifies everything again
        got.setLength(0);
        Nids.chksumCtl(List.of());
        runFile(file);
        assertEquals("", got.toString());
    }

    @Test
    void ipFilterSeesDatagramsOnTheirWayToWarnings() throws Exception {
        byte[] bad = ipv4("10.8.0.1", "10.8.0.2", 17, udp("10.8.0.1", 1, "10.8.0.2", 2, new byte[2]));
        bad[10] ^= 1;
        Path file = write("filtered.pcap", new PcapWriter(PcapWriter.LINKTYPE_ETHERNET).packet(T0, ethernet(bad)));
        List<NidsWarning> got = new ArrayList<>();
        onWarning(got::add);
        Nids.param("ip_filter", (java.util.function.Predicate<ByteBuffer>) b -> false);
        runFile(file);
        assertEquals(List.of(), got, "a datagram the filter drops is not examined");
    }

    @Test
    void aPacketTooShortForAnIpHeaderIsReportedWithoutAddresses() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        byte[] good = ethernet(ipv4("10.9.9.9", "10.9.9.8", 17, udp("10.9.9.9", 1, "10.9.9.8", 2, new byte[8])));
        byte[] stub = java.util.Arrays.copyOf(good, 14 + 6);
        for (int i = 0; i < 3; i++) {
            w.packet(T0 + 10 * i, good);
            w.packet(T0 + 10 * i + 5, stub);
        }
        Path file = write("stub.pcap", w);
        List<NidsWarning> got = new ArrayList<>();
        onWarning(got::add);
        runFile(file);
        assertEquals(3, got.size(), got.toString());
        for (NidsWarning n : got) {
            assertEquals(NidsWarning.Kind.IP, n.kind());
            assertEquals("Invalid IP header", n.message());
            assertEquals("0.0.0.0", n.src(), "bytes past the captured 6 are not read: " + n);
            assertEquals("0.0.0.0", n.dst(), "bytes past the captured 6 are not read: " + n);
        }
    }
}
