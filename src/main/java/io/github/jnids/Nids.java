package io.github.jnids;

import static io.github.jnids.global.nids.*;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.github.jnids.global.nids;

/**
 * libnids from Java, the way pynids' {@code nids} module offers it: set
 * parameters, {@link #init()}, register handlers, {@link #run()}.
 *
 * <pre>{@code
 * import io.github.jnids.*;
 *
 * public class Count {
 *     public static void main(String[] args) {
 *         Nids.param("filename", args[0]);
 *         Nids.init();
 *         Nids.registerTcp(tcp -> {
 *             if (tcp.nidsState() == Nids.NIDS_JUST_EST) {
 *                 tcp.client().collect(true);
 *                 tcp.server().collect(true);
 *             } else if (tcp.nidsState() != Nids.NIDS_DATA) {
 *                 System.out.printf("%s CTS %dB STC %dB%n", tcp.addr(), tcp.server().count(), tcp.client().count());
 *             }
 *         });
 *         Nids.run();
 *     }
 * }
 * }</pre>
 *
 * <h2>Sessions and threads</h2>
 * libnids is one global engine, so this class is static and there is one
 * session per JVM. {@link #init()} opens it (on {@code filename} when set, else
 * on the live {@code device}); {@link #run()} on a file processes it to its end
 * and closes the session, after which {@code init()} may start another;
 * {@link #exit()} closes it at any time. Handlers and parameters survive
 * {@code init()} and {@code exit()}: register them before or after {@code init()}.
 * <p>
 * The thread inside {@code run()}, {@code next()} or {@code dispatch()} owns
 * libnids; other threads calling in get an {@link IllegalStateException},
 * except {@link #stop()}, which any thread or handler may call.
 *
 * <h2>Handlers and exceptions</h2>
 * Handlers of a kind run in registration order. An exception thrown by a
 * handler stops the loop at once (no further handler runs) and propagates
 * from {@code run()}, {@code next()} or {@code dispatch()}: unchecked ones as
 * they are, checked ones wrapped in a {@link NidsException}. The session stays
 * open and consistent: {@code run()} resumes with the next packet, or
 * {@code exit()} ends it.
 */
public final class Nids {
    public static final int NIDS_JUST_EST = 1;
    public static final int NIDS_DATA = 2;
    public static final int NIDS_CLOSE = 3;
    public static final int NIDS_RESET = 4;
    public static final int NIDS_TIMED_OUT = 5;
    /** pynids' name for {@link #NIDS_TIMED_OUT}. */
    public static final int NIDS_TIMEOUT = 5;
    public static final int NIDS_EXITING = 6;

    private static final NativeBox TCP_BOX = new NativeBox(jnids_tcp_box(), JNIDS_TCP_BOX_SLOTS);
    private static final HandlerList<TcpHandler> TCP = new HandlerList<>(on -> jnids_listen(0, on));
    private static final TcpDispatcher TCP_DISPATCHER = new TcpDispatcher(TCP_BOX, TCP);
    private static final PacketDispatcher PACKETS = new PacketDispatcher();
    private static final WarningDispatcher WARNINGS = new WarningDispatcher();
    private static final OffloadDetector OFFLOAD = new OffloadDetector();
    private static final Params PARAMS = new Params(PACKETS, OFFLOAD);
    private static final ChecksumRules CHECKSUMS = new ChecksumRules(OFFLOAD);
    private static final NativeLoop LOOP = new NativeLoop(TCP_DISPATCHER, PACKETS, WARNINGS);

    /** For tests: how many TCP callbacks took the compact-stream path. */
    static long compactCallbacks() {
        return TCP_DISPATCHER.compactCallbacks;
    }

    static {
        jnids_set_zero_copy(PacketDispatcher.ZERO_COPY ? 1 : 0);
        jnids_set_upcalls(TCP_DISPATCHER, PACKETS.udpUpcall, PACKETS.ipUpcall, WARNINGS, PACKETS.filterUpcall);
    }

    private Nids() { }

    // ---- parameters ------------------------------------------------------

    /**
     * The current value of a libnids parameter, under pynids' name.
     *
     * <pre>{@code
     * int streams = (Integer) Nids.param("n_tcp_streams");
     * }</pre>
     *
     * @throws IllegalArgumentException for a name that does not exist (the message lists the valid ones)
     */
    public static Object param(String name) {
        Params.Param p = Params.lookup(name);
        Session.begin("param(\"" + name + "\")", true);
        try {
            return PARAMS.get(p);
        } finally {
            Session.end();
        }
    }

    /**
     * Sets a libnids parameter and returns its previous value. Names: {@code device,
     * filename, pcap_filter} (String or null); {@code n_tcp_streams, n_hosts,
     * sk_buff_size, dev_addon, syslog_level, scan_num_hosts, scan_num_ports,
     * scan_delay, pcap_timeout, tcp_flow_timeout, queue_limit} (Integer);
     * {@code promisc, one_loop_less, tcp_workarounds, multiproc} (Integer or
     * Boolean); {@code ip_filter} (a {@code Predicate<ByteBuffer>} over each IP
     * datagram, or null). Port-scan detection is on while {@code scan_num_hosts > 0}.
     * jnids' own {@code checksums}: null (the default: libnids verifies every
     * checksum, nothing is examined), {@code "auto"} (packets whose wrong checksums
     * show checksum offloading are kept; see {@link ChecksumReport}), {@code "on"}
     * (verify all, but detect and report offloading), {@code "off"} (verify
     * nothing); {@link #checksumReport()} tells what was found.
     *
     * <pre>{@code
     * Nids.param("filename", "capture.pcap");
     * Nids.param("checksums", "auto");          // keep packets with offloaded checksums
     * Nids.param("scan_num_hosts", 0);          // no port-scan detection
     * Nids.param("pcap_filter", "tcp port 80");
     * }</pre>
     *
     * @throws IllegalArgumentException for an unknown name or a value of the wrong type or range
     * @throws IllegalStateException    for a parameter libnids reads when a session starts
     *                                  ({@code filename}, {@code n_tcp_streams}, ...), while one is open
     */
    public static Object param(String name, Object value) {
        Params.Param p = Params.lookup(name);
        Session.begin("param(\"" + name + "\", ...)", !p.fixedWhileOpen);
        try {
            if (p.fixedWhileOpen && Session.open) {
                throw new IllegalStateException("parameter '" + name
                        + "' is read when a session starts; set it before init() or after exit()");
            }
            Object previous = PARAMS.get(p);
            PARAMS.set(p, value);
            return previous;
        } finally {
            Session.end();
        }
    }

    /**
     * Tells libnids not to verify checksums of packets from some networks, as
     * pynids' {@code chksum_ctl}. The first matching rule applies; captures taken
     * on the sending host usually need {@code Map.entry("0.0.0.0/0", false)}, as
     * checksum offloading leaves their checksums wrong.
     *
     * <pre>{@code
     * Nids.chksumCtl(List.of(Map.entry("10.0.0.0/8", false), Map.entry("0.0.0.0/0", true)));
     * }</pre>
     *
     * @param rules (network "a.b.c.d/len", verify?) pairs; an empty list verifies everything
     */
    public static void chksumCtl(List<Map.Entry<String, Boolean>> rules) {
        Session.begin("chksumCtl()", false);
        try {
            CHECKSUMS.apply(rules);
        } finally {
            Session.end();
        }
    }

    // ---- handlers --------------------------------------------------------

    /** Adds a TCP handler (see {@link TcpHandler}). Registering one twice has no effect. */
    public static void registerTcp(TcpHandler h) {
        register(() -> TCP.add(h));
    }

    /** Removes a TCP handler; it is not called again, even for streams it was listening to. */
    public static void unregisterTcp(TcpHandler h) {
        register(() -> TCP.remove(h));
    }

    /** Adds a UDP handler (see {@link UdpHandler}). */
    public static void registerUdp(UdpHandler h) {
        register(() -> PACKETS.udp.add(h));
    }

    public static void unregisterUdp(UdpHandler h) {
        register(() -> PACKETS.udp.remove(h));
    }

    /** Adds a handler for IP datagrams after defragmentation, exactly {@code ip_len} bytes each. */
    public static void registerIp(IpHandler h) {
        register(() -> PACKETS.ip.add(h));
    }

    public static void unregisterIp(IpHandler h) {
        register(() -> PACKETS.ip.remove(h));
    }

    /** Adds a handler for every captured IP packet, fragments included, as captured. */
    public static void registerIpFrag(IpHandler h) {
        register(() -> PACKETS.ipFrag.add(h));
    }

    public static void unregisterIpFrag(IpHandler h) {
        register(() -> PACKETS.ipFrag.remove(h));
    }

    /**
     * Adds a handler for libnids' warnings and port-scan reports. With none
     * registered they go to {@link System.Logger} {@code io.github.jnids}:
     * port scans at WARNING, malformed traffic at DEBUG.
     *
     * <pre>{@code
     * Nids.registerWarning(w -> System.err.println(w));
     * }</pre>
     */
    public static void registerWarning(WarningHandler h) {
        register(() -> WARNINGS.handlers.add(h));
    }

    public static void unregisterWarning(WarningHandler h) {
        register(() -> WARNINGS.handlers.remove(h));
    }

    private static void register(Runnable change) {
        Session.begin("registering a handler", true);
        try {
            change.run();
        } finally {
            Session.end();
        }
    }

    // ---- the session -----------------------------------------------------

    /**
     * Opens the capture ({@code filename}, else the live {@code device}) and
     * starts libnids on it.
     *
     * @throws NidsException         with a specific message: missing or unreadable file, not a
     *                               capture, unsupported link type, bad filter, no such device, no permission
     * @throws IllegalStateException when a session is already open
     */
    public static void init() {
        Session.begin("init()", false);
        try {
            if (Session.open) {
                throw new IllegalStateException("init() called while a session is open; call exit() first");
            }
            NativeLoop.configure();
            Object filename = PARAMS.get(Params.Param.FILENAME);
            if (filename != null) checkReadable((String) filename);
            synchronized (Session.LIFECYCLE) {
                TCP_DISPATCHER.reset();
                OFFLOAD.prepare();
                if (jnids_open() == 0) {
                    throw new NidsException(jnids_error().getString());
                }
                Session.open = true;
            }
        } finally {
            Session.end();
        }
    }

    private static void checkReadable(String filename) {
        Path p = Path.of(filename);
        if (!Files.exists(p)) {
            throw new NidsException("capture file '" + filename + "' does not exist");
        }
        if (Files.isDirectory(p)) {
            throw new NidsException("capture file '" + filename + "' is a directory, not a capture file");
        }
        if (!Files.isReadable(p)) {
            throw new NidsException("capture file '" + filename + "' is not readable (permission denied)");
        }
    }

    /**
     * Processes packets. On a capture file: to its end, then ends the session as
     * libnids' {@code nids_run} does (open streams get {@link #NIDS_EXITING}).
     * Live: until {@link #stop()}; the session stays open for {@link #exit()}.
     * After {@code stop()} on a file, {@code run()} resumes where it stopped.
     *
     * <pre>{@code
     * Nids.param("filename", "capture.pcap");
     * Nids.init();
     * Nids.registerUdp((addr, payload, ip) -> System.out.println(addr));
     * Nids.run();
     * }</pre>
     *
     * @throws NidsException when the capture cannot be read further (e.g. truncated): the
     *                       packets before the damage have been processed and the session ended
     */
    public static void run() {
        Session.begin("run()", false);
        try {
            requireOpen("run()");
            Session.clearStop();
            while (true) {
                int r = LOOP.run(JNIDS_OP_DISPATCH, -1);
                Session.rethrowPending();
                if (r == JNIDS_END) {
                    close();
                    return;
                }
                if (r == JNIDS_STOPPED || jnids_stopped() != 0) return;
                if (r < 0) {
                    failed(r, true);
                }
            }
        } finally {
            Session.end();
        }
    }

    /**
     * Processes one packet, as pynids' {@code next()}. On a live capture with no
     * traffic it can block, whatever {@code pcap_timeout} says (libpcap's
     * TPACKET_V3 reads on Linux wait for a packet); {@link #stop()} from another
     * thread ends the wait.
     *
     * @return 1 when a packet was processed, 0 on a live timeout, after a stop, or at the end of the file
     */
    public static int next() {
        return step("next()", true, 1);
    }

    /**
     * Processes up to {@code count} packets ({@code -1}: all that are available
     * now; on a file, all of it), as pynids' {@code dispatch()}.
     *
     * @return packets processed; 0 at the end of the file
     */
    public static int dispatch(int count) {
        return step("dispatch()", false, count);
    }

    /** One native loop call: one packet (next) or up to count (dispatch); 0 at the end. */
    private static int step(String what, boolean one, int count) {
        Session.begin(what, false);
        try {
            requireOpen(what);
            Session.clearStop();
            int r = one ? LOOP.run(JNIDS_OP_NEXT, 0) : LOOP.run(JNIDS_OP_DISPATCH, count);
            Session.rethrowPending();
            if (r == JNIDS_END || r == JNIDS_STOPPED) return 0;
            if (r < 0) failed(r, false);
            return r;
        } finally {
            Session.end();
        }
    }

    /**
     * Stops {@link #run()} (or {@code dispatch()}) after the current packet. Safe
     * from any thread and from inside a handler; no handler runs after it.
     *
     * <pre>{@code
     * Runtime.getRuntime().addShutdownHook(new Thread(Nids::stop));
     * }</pre>
     */
    public static void stop() {
        Session.requestStop();
        synchronized (Session.LIFECYCLE) {
            if (Session.open) jnids_stop();
        }
    }

    /**
     * Ends the session: open streams get {@link #NIDS_EXITING}, everything libnids
     * holds is released, and {@link #init()} may follow. Does nothing without a session.
     */
    public static void exit() {
        Session.begin("exit()", false);
        try {
            if (Session.open) close();
        } finally {
            Session.end();
        }
    }

    private static void close() {
        synchronized (Session.LIFECYCLE) {
            Session.clearStop();
            try {
                LOOP.run(JNIDS_OP_CLOSE, 0);
            } finally {
                Session.open = false;
                TCP_DISPATCHER.reset();
            }
        }
        Session.rethrowPending();
    }

    private static void failed(int code, boolean closeSession) {
        String message = jnids_error().getString();
        Object filename = PARAMS.get(Params.Param.FILENAME);
        String where = filename != null ? "capture '" + filename + "'" : "live capture";
        if (code == JNIDS_NO_MEMORY) {
            Session.open = false;
            TCP_DISPATCHER.reset();
            throw new NidsException(message + "; the session was abandoned and libnids cannot restart in this JVM");
        }
        long packets = jnids_packets();
        if (closeSession) close();
        throw new NidsException("error reading " + where + " after packet " + packets + ": " + message
                + (closeSession ? " (the packets before it were processed and the session ended)" : ""));
    }

    private static void requireOpen(String what) {
        if (!Session.open) {
            throw new IllegalStateException(what + " called without a session; call Nids.init() first");
        }
    }

    // ---- information -----------------------------------------------------

    /**
     * The capture's selectable file descriptor, as pynids' {@code getfd()}: for
     * a file, the descriptor of the open file. On Linux a live capture's
     * descriptor may stay unreadable for up to {@code pcap_timeout} ms after
     * packets arrive; libpcap delivers them in blocks.
     */
    public static int getfd() {
        Session.begin("getfd()", true);
        try {
            requireOpen("getfd()");
            return jnids_getfd();
        } finally {
            Session.end();
        }
    }

    /** The timestamp of the last packet processed, in seconds since the epoch. */
    public static double getPktTs() {
        return jnids_last_ts();
    }

    /**
     * libpcap's counters for the live capture, as pynids' {@code get_pcap_stats()}.
     *
     * @throws NidsException for capture files, which have no such counters
     */
    public static PcapStats getPcapStats() {
        Session.begin("getPcapStats()", true);
        try {
            requireOpen("getPcapStats()");
            long[] out = new long[3];
            org.bytedeco.javacpp.LongPointer p = new org.bytedeco.javacpp.LongPointer(3);
            try {
                if (jnids_stats(p) != 0) {
                    throw new NidsException("getPcapStats(): " + jnids_error().getString());
                }
                p.get(out);
            } finally {
                p.close();
            }
            return new PcapStats(out[0], out[1], out[2]);
        } finally {
            Session.end();
        }
    }

    /**
     * What checksum-offload detection (parameter {@code checksums}) found in the
     * current session, or in the last one after it ended; null when that session
     * did not have the parameter set. See {@link ChecksumReport} for the rule.
     *
     * <pre>{@code
     * Nids.param("checksums", "auto");
     * Nids.param("filename", "capture.pcap");
     * Nids.init();
     * Nids.run();
     * for (ChecksumReport.Sender s : Nids.checksumReport().senders()) {
     *     System.out.println(s.address() + ": " + s.offloaded() + " of " + s.packets() + " offloaded");
     * }
     * }</pre>
     */
    public static ChecksumReport checksumReport() {
        Session.begin("checksumReport()", true);
        try {
            return OFFLOAD.report();
        } finally {
            Session.end();
        }
    }

    /** Whether a session is open (between {@link #init()} and its end). */
    public static boolean isOpen() {
        return Session.open;
    }

    /** Packets read in this session so far. */
    public static long packetCount() {
        return jnids_packets();
    }

    /** How far into the capture file the session has read, in bytes; -1 for live captures. */
    public static long bytesRead() {
        return jnids_file_offset();
    }

    /** jnids' version. */
    public static String version() {
        try (InputStream in = Nids.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            if (in != null) p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The bundled libnids' version, e.g. "1.26". */
    public static String libnidsVersion() {
        return NIDS_MAJOR() + "." + NIDS_MINOR();
    }

    /** The bundled libpcap's version string. */
    public static String libpcapVersion() {
        return jnids_pcap_version().getString();
    }

    /** The raw JavaCPP bindings' entry point, for what this facade does not cover. */
    public static nids.nids_prm rawParams() {
        return nids_params();
    }
}
