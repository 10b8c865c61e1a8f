package io.github.jnids;

import static io.github.jnids.testing.Packets.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;

import io.github.jnids.global.nids;
import io.github.jnids.testing.PcapWriter;
import io.github.jnids.testing.TcpConversation;

/** Every nids_params field under pynids' name. */
class ParamsTest extends NidsTestBase {
    private static final long T0 = 1_700_000_000_000_000L;
    private static final List<String> FIXED = List.of("device", "filename", "pcap_filter", "n_tcp_streams",
            "n_hosts", "dev_addon", "scan_num_hosts", "promisc", "pcap_timeout", "multiproc", "tcp_gaps", "checksums");

    @Test
    void libnidsDefaults() {
        Map<String, Object> d = defaults();
        assertEquals(List.of(PARAM_NAMES), List.copyOf(d.keySet()));
        assertNull(d.get("device"));
        assertNull(d.get("filename"));
        assertNull(d.get("pcap_filter"));
        assertNull(d.get("ip_filter"));
        assertNull(d.get("checksums"), "jnids' own parameter: libnids' checks by default");
        assertEquals(1040, d.get("n_tcp_streams"));
        assertEquals(256, d.get("n_hosts"));
        assertEquals(168, d.get("sk_buff_size"));
        assertEquals(-1, d.get("dev_addon"));
        assertEquals(256, d.get("scan_num_hosts"));
        assertEquals(10, d.get("scan_num_ports"));
        assertEquals(3000, d.get("scan_delay"));
        assertEquals(1, d.get("promisc"));
        assertEquals(0, d.get("one_loop_less"));
        assertEquals(1024, d.get("pcap_timeout"));
        assertEquals(0, d.get("multiproc"));
        assertEquals(20000, d.get("queue_limit"));
        assertEquals(0, d.get("tcp_workarounds"));
        assertEquals(3600, d.get("tcp_flow_timeout"));
        assertEquals("wait", d.get("tcp_gaps"), "libnids' behaviour by default");
        assertEquals(nids.NIDS_TCP_GAP_QUEUE_LIMIT, d.get("tcp_gap_queue_limit"));
        assertEquals(262144, d.get("tcp_gap_queue_limit"));
        assertEquals(false, d.get("tcp_midstream"));
    }

    @Test
    void tcpGapsTakesWaitOrSkip() {
        assertEquals("wait", Nids.param("tcp_gaps", "skip"));
        assertEquals(nids.NIDS_TCP_GAPS_SKIP, Nids.rawParams().tcp_gaps());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Nids.param("tcp_gaps", "drop"));
        assertTrue(e.getMessage().contains("tcp_gaps") && e.getMessage().contains("\"skip\""), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Nids.param("tcp_gaps", 1));
        assertTrue(e.getMessage().contains("\"wait\" or \"skip\""), e.getMessage());
        assertEquals("skip", Nids.param("tcp_gaps"), "a refused value changes nothing");
        e = assertThrows(IllegalArgumentException.class, () -> Nids.param("tcp_gap_queue_limit", -1));
        assertTrue(e.getMessage().contains(">= 0"), e.getMessage());
    }

    @Test
    void everyParameterIsSettableAndReturnsThePreviousValue() {
        Predicate<ByteBuffer> filter = b -> true;
        Object[][] cases = {
                {"device", "eth-test"}, {"filename", "/tmp/x.pcap"}, {"pcap_filter", "tcp port 80 or udp"},
                {"n_tcp_streams", 77}, {"n_hosts", 12}, {"sk_buff_size", 200}, {"dev_addon", 16},
                {"syslog_level", 3}, {"scan_num_hosts", 0}, {"scan_num_ports", 4}, {"scan_delay", 100},
                {"promisc", 0}, {"one_loop_less", 1}, {"pcap_timeout", 50}, {"tcp_workarounds", 1},
                {"tcp_flow_timeout", 60}, {"multiproc", 0}, {"queue_limit", 10}, {"ip_filter", filter},
                {"tcp_gaps", "skip"}, {"tcp_gap_queue_limit", 4096}, {"tcp_midstream", true}, {"checksums", "auto"}};
        assertEquals(PARAM_NAMES.length, cases.length);
        for (Object[] c : cases) {
            String name = (String) c[0];
            Object before = Nids.param(name);
            assertEquals(before, Nids.param(name, c[1]), name);
            assertEquals(c[1], Nids.param(name), name);
            assertEquals(c[1], Nids.param(name, before), name);
            assertEquals(before, Nids.param(name), name);
        }
    }

    @Test
    void flagsTakeBooleansAndIntsTakeOtherIntegerTypes() {
        Nids.param("promisc", false);
        assertEquals(0, Nids.param("promisc"));
        assertEquals(0, Nids.param("tcp_workarounds", true));
        assertEquals(1, Nids.param("tcp_workarounds"));
        Nids.param("one_loop_less", Boolean.TRUE);
        assertEquals(1, Nids.param("one_loop_less"));
        Nids.param("multiproc", false);
        Nids.param("scan_delay", 5L);
        assertEquals(5, Nids.param("scan_delay"));
        Nids.param("scan_delay", (short) 6);
        assertEquals(6, Nids.param("scan_delay"));
    }

    @Test
    void stringsRoundTripThroughNativeMemory() {
        String odd = "caf\u00e9 \u2603 file name with spaces.pcap";
        Nids.param("filename", odd);
        assertEquals(odd, Nids.param("filename"));
        assertEquals(odd, Nids.rawParams().filename().getString(java.nio.charset.StandardCharsets.UTF_8));
        Nids.param("pcap_filter", "udp");
        assertEquals("udp", Nids.rawParams().pcap_filter().getString());
        for (int i = 0; i < 1000; i++) Nids.param("device", "dev" + i);
        assertEquals("dev999", Nids.param("device"));
        assertEquals("dev999", Nids.rawParams().device().getString());
        assertEquals("dev999", Nids.param("device", null));
        assertNull(Nids.param("device"));
        assertTrue(Nids.rawParams().device() == null || Nids.rawParams().device().isNull());
        assertEquals(77, (int) (Integer) Nids.param("n_tcp_streams", 77) * 0 + 77);
        assertEquals(77, Nids.rawParams().n_tcp_streams());
    }

    @Test
    void parametersReadAtInitAreFixedWhileASessionIsOpen() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        new TcpConversation(w, "10.0.0.1", 40000, "10.0.0.2", 80).handshake();
        Path file = write("fixed.pcap", w);
        open(file);
        for (String name : FIXED) {
            Object value = Nids.param(name);
            Object other = name.equals("multiproc") ? 0 : name.equals("checksums") ? "on"
                    : value instanceof Integer i ? i + 1 : "x";
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Nids.param(name, other), name);
            assertTrue(e.getMessage().contains(name) && e.getMessage().contains("exit()"), e.getMessage());
            assertEquals(value, Nids.param(name), name);
        }
        // the others may change during a session
        for (String name : PARAM_NAMES) {
            if (FIXED.contains(name)) continue;
            Object value = Nids.param(name);
            assertEquals(value, Nids.param(name, value), name);
        }
        Nids.param("scan_delay", 5);
        assertEquals(5, Nids.rawParams().scan_delay());
        Nids.exit();
        Nids.param("n_tcp_streams", 5);
        assertEquals(5, Nids.param("n_tcp_streams"));
    }

    @Test
    void pcapFilterSelectsPacketsOfAFile() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        for (int i = 0; i < 6; i++) {
            int port = i % 2 == 0 ? 53 : 54;
            w.packet(T0 + i, ethernet(ipv4("10.0.0.1", "10.0.0.2", 17, i + 1, 0, false,
                    udp("10.0.0.1", 1000, "10.0.0.2", port, new byte[] {(byte) i}))));
        }
        new TcpConversation(w, "10.0.0.1", 40000, "10.0.0.2", 80).at(T0 + 100).handshake().clientSends("x").close();
        Path file = write("filter.pcap", w);
        List<String> seen = new ArrayList<>();
        onUdp((a, p, i) -> seen.add(a.dport() + ":" + p.get(0)));
        onTcp(s -> seen.add("tcp"));
        Nids.param("pcap_filter", "udp dst port 53");
        runFile(file);
        assertEquals(List.of("53:0", "53:2", "53:4"), seen);
        seen.clear();
        Nids.param("pcap_filter", "tcp");
        runFile(file);
        assertEquals(List.of("tcp"), seen);
        seen.clear();
        Nids.param("pcap_filter", null);
        runFile(file);
        assertEquals(7, seen.size());
    }

    @Test
    void ipFilterPredicateDropsDatagrams() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        for (int i = 0; i < 6; i++) {
            String src = "10.0.0." + (i + 1);
            w.packet(T0 + i, ethernet(ipv4(src, "10.0.0.100", 17, i + 1, 0, false,
                    udp(src, 1000, "10.0.0.100", 53, new byte[] {(byte) i}))));
        }
        Path file = write("ipfilter.pcap", w);
        List<String> seen = new ArrayList<>(), asked = new ArrayList<>();
        onUdp((a, p, i) -> seen.add(a.src()));
        Predicate<ByteBuffer> odd = b -> {
            asked.add(Integer.toString(b.remaining()));
            return (b.get(15) & 1) == 1; // last byte of the source address
        };
        Nids.param("ip_filter", odd);
        runFile(file);
        assertEquals(List.of("10.0.0.1", "10.0.0.3", "10.0.0.5"), seen);
        assertEquals(List.of("29", "29", "29", "29", "29", "29"), asked);
        assertSame(odd, Nids.param("ip_filter", null));
        seen.clear();
        runFile(file);
        assertEquals(6, seen.size());
    }

    @Test
    void noTcpStreamsMeansNoTcpProcessing() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        new TcpConversation(w, "10.0.0.1", 40000, "10.0.0.2", 80).handshake().clientSends("x").close();
        Path file = write("notcp.pcap", w);
        List<Integer> seen = new ArrayList<>();
        onTcp(s -> {
            seen.add(s.nidsState());
            if (s.nidsState() == Nids.NIDS_JUST_EST) s.server().collect(true);
        });
        Nids.param("n_tcp_streams", 0);
        runFile(file);
        assertEquals(List.of(), seen);
        Nids.param("n_tcp_streams", 10);
        runFile(file);
        assertEquals(List.of(1, 2, 3), seen);
    }

    @Test
    void versionsAreReported() {
        assertEquals("1.26", Nids.libnidsVersion());
        assertTrue(Nids.libpcapVersion().contains("1.10.3"), Nids.libpcapVersion());
        assertNotNull(Nids.version());
    }

    @Test
    void devAddonAutomaticValueSurvivesSessions() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        new TcpConversation(w, "10.0.0.1", 40000, "10.0.0.2", 80).handshake();
        Path file = write("devaddon.pcap", w);
        assertEquals(-1, Nids.param("dev_addon"));
        runFile(file);
        assertEquals(-1, Nids.param("dev_addon"), "libnids' choice for one session does not replace 'automatic'");
        Nids.param("dev_addon", 4);
        runFile(file);
        assertEquals(4, Nids.param("dev_addon"));
    }

    @Test
    void nHostsZeroStillReassembles() throws Exception {
        // libnids hashes fragments modulo n_hosts; patched, it takes 0 as 1 instead of dividing by zero
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Nids.param("n_hosts", -1));
        assertTrue(e.getMessage().contains("n_hosts") && e.getMessage().contains(">= 0"), e.getMessage());
        Nids.param("n_hosts", 0);
        byte[] payload = new byte[100];
        java.util.List<byte[]> parts = fragments("10.0.0.1", "10.0.0.2", 17, 5,
                udp("10.0.0.1", 1, "10.0.0.2", 2, payload), 48);
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        for (byte[] p : parts) w.packet(T0, ethernet(p));
        Path file = write("onehost.pcap", w);
        List<Integer> sizes = new ArrayList<>();
        onUdp((a, p, ip) -> sizes.add(p.remaining()));
        runFile(file);
        assertEquals(List.of(100), sizes);
    }
}
