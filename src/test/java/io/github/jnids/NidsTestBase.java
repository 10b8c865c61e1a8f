package io.github.jnids;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import io.github.jnids.testing.PcapWriter;

/**
 * Shared set-up for facade tests: libnids is one global engine, so every test
 * starts from a closed session, default parameters and no handlers, and
 * leaves it that way.
 */
abstract class NidsTestBase {
    static final String[] PARAM_NAMES = {"device", "filename", "pcap_filter", "n_tcp_streams", "n_hosts",
            "sk_buff_size", "dev_addon", "syslog_level", "scan_num_hosts", "scan_num_ports", "scan_delay",
            "promisc", "one_loop_less", "pcap_timeout", "tcp_workarounds", "tcp_flow_timeout", "multiproc",
            "queue_limit", "ip_filter", "tcp_gaps", "tcp_gap_queue_limit", "tcp_midstream", "checksums"};

    private static Map<String, Object> defaults;

    @TempDir
    Path dir;

    private final List<Runnable> undo = new ArrayList<>();

    @BeforeEach
    void startClean() {
        Nids.exit();
        if (defaults == null) {
            Map<String, Object> d = new LinkedHashMap<>();
            for (String n : PARAM_NAMES) d.put(n, Nids.param(n));
            defaults = d;
        } else {
            restoreDefaults();
        }
        // Tests build captures without scans unless they mean to; warnings still flow.
        Nids.chksumCtl(List.of());
    }

    @AfterEach
    void endClean() {
        try {
            Nids.exit();
        } catch (RuntimeException e) {
            // an exception pending from a handler in EXITING: the session is closed anyway
        }
        for (int i = undo.size() - 1; i >= 0; i--) undo.get(i).run();
        undo.clear();
        restoreDefaults();
        Nids.chksumCtl(List.of());
    }

    static Map<String, Object> defaults() {
        return defaults;
    }

    private static void restoreDefaults() {
        for (Map.Entry<String, Object> e : defaults.entrySet()) Nids.param(e.getKey(), e.getValue());
    }

    TcpHandler onTcp(TcpHandler h) {
        Nids.registerTcp(h);
        undo.add(() -> Nids.unregisterTcp(h));
        return h;
    }

    UdpHandler onUdp(UdpHandler h) {
        Nids.registerUdp(h);
        undo.add(() -> Nids.unregisterUdp(h));
        return h;
    }

    IpHandler onIp(IpHandler h) {
        Nids.registerIp(h);
        undo.add(() -> Nids.unregisterIp(h));
        return h;
    }

    IpHandler onIpFrag(IpHandler h) {
        Nids.registerIpFrag(h);
        undo.add(() -> Nids.unregisterIpFrag(h));
        return h;
    }

    WarningHandler onWarning(WarningHandler h) {
        Nids.registerWarning(h);
        undo.add(() -> Nids.unregisterWarning(h));
        return h;
    }

    /** Writes a capture into the test's directory. */
    Path write(String name, PcapWriter w) throws IOException {
        return w.write(dir.resolve(name));
    }

    /** Opens a session on a file. */
    static void open(Path file) {
        Nids.param("filename", file.toString());
        Nids.init();
    }

    /** Opens a session on a file and runs it to its end. */
    static void runFile(Path file) {
        open(file);
        Nids.run();
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(b.position(), out);
        return out;
    }

    /** ../shared/pcaps/ next to the project, or a skip saying it is absent. */
    static Path sharedPcaps() {
        Path p = Paths.get(System.getProperty("jnids.basedir", "."), "..", "shared", "pcaps").normalize();
        Assumptions.assumeTrue(Files.isDirectory(p), "no shared captures at " + p + " (../shared/pcaps/ absent)");
        return p;
    }

    static Path sharedPcap(String name) {
        Path p = sharedPcaps().resolve(name);
        Assumptions.assumeTrue(Files.isReadable(p), "shared capture " + p + " is absent");
        return p;
    }
}
