package io.github.jnids;

import static io.github.jnids.global.nids.*;

import java.io.IOException;
import java.io.InputStream;
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
 * This class is pynids' module-level API over one default {@link NidsSession},
 * {@link #session()}; programs that need several independent engines (several
 * captures at once, on several threads) make their own {@code NidsSession}s,
 * whose methods are these with the same names. {@link #init()} opens it (on {@code filename} when set, else
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
    /** {@link TcpStream#midstreamRoles()}: its SYN was seen, not its SYN/ACK; the roles are exact. */
    public static final int NIDS_MIDSTREAM_SYN = nids.NIDS_MIDSTREAM_SYN;
    /** {@link TcpStream#midstreamRoles()}: its SYN/ACK was seen, not its SYN; the roles are exact. */
    public static final int NIDS_MIDSTREAM_SYNACK = nids.NIDS_MIDSTREAM_SYNACK;
    /** {@link TcpStream#midstreamRoles()}: guessed from the ports. */
    public static final int NIDS_MIDSTREAM_PORT = nids.NIDS_MIDSTREAM_PORT;
    /** {@link TcpStream#midstreamRoles()}: guessed: the sender of the first data seen is the client. */
    public static final int NIDS_MIDSTREAM_FIRST = nids.NIDS_MIDSTREAM_FIRST;

    private static final NidsSession DEFAULT = new NidsSession("Nids.");

    /** The session the static methods act on; never closed. */
    public static NidsSession session() {
        return DEFAULT;
    }

    /** For tests: how many TCP callbacks took the compact-stream path. */
    static long compactCallbacks() {
        return DEFAULT.compactCallbacks();
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
        return DEFAULT.param(name);
    }

    /**
     * Sets a libnids parameter and returns its previous value. Names: {@code device,
     * filename, pcap_filter} (String or null); {@code n_tcp_streams, n_hosts,
     * sk_buff_size, dev_addon, syslog_level, scan_num_hosts, scan_num_ports,
     * scan_delay, pcap_timeout, tcp_flow_timeout, queue_limit} (Integer);
     * {@code promisc, one_loop_less, tcp_workarounds, multiproc} (Integer or
     * Boolean); {@code ipv6} (Boolean or Integer, default true: IPv6 streams,
     * datagrams and warnings are delivered as IPv4's, their addresses RFC 5952
     * text; false ignores IPv6 as libnids 1.26 does); {@code ip_filter} (a {@code Predicate<ByteBuffer>} over each IP
     * datagram, or null).
     * {@code tcp_midstream} (Boolean, default false: also
     * report streams whose handshake was not captured, see
     * {@link TcpStream#midstream()}). Port-scan detection is on while {@code scan_num_hosts > 0}.
     * jnids' own {@code checksums}: null (the default: libnids verifies every
     * checksum, nothing is examined), {@code "auto"} (packets whose wrong checksums
     * show checksum offloading are kept; see {@link ChecksumReport}), {@code "on"}
     * (verify all, but detect and report offloading), {@code "off"} (verify
     * nothing); {@link #checksumReport()} tells what was found.
     * {@code tcp_gaps}: {@code "wait"} (the default, libnids' behaviour: a
     * direction stops at a segment that was never captured) or {@code "skip"}
     * (a hole that can no longer fill is given up and what follows is
     * delivered; see {@link HalfStream#gapBefore()}); {@code tcp_gap_queue_limit}
     * (Integer, default 262144): with {@code "skip"}, the bytes held behind a
     * hole before it is given up.
     *
     * <pre>{@code
     * Nids.param("filename", "capture.pcap");
     * Nids.param("checksums", "auto");          // keep packets with offloaded checksums
     * Nids.param("scan_num_hosts", 0);          // no port-scan detection
     * Nids.param("pcap_filter", "tcp port 80");
     * Nids.param("tcp_gaps", "skip");           // deliver what follows a lost segment
     * }</pre>
     *
     * @throws IllegalArgumentException for an unknown name or a value of the wrong type or range
     * @throws IllegalStateException    for a parameter libnids reads when a session starts
     *                                  ({@code filename}, {@code n_tcp_streams}, ...), while one is open
     */
    public static Object param(String name, Object value) {
        return DEFAULT.param(name, value);
    }

    /**
     * Tells libnids not to verify checksums of packets from some networks, as
     * pynids' {@code chksum_ctl}. The first matching rule applies; captures taken
     * on the sending host usually need {@code Map.entry("0.0.0.0/0", false)} (and
     * {@code Map.entry("::/0", false)} for IPv6), as checksum offloading leaves
     * their checksums wrong. IPv4 networks apply to IPv4 sources only, IPv6
     * prefixes to IPv6 sources only.
     *
     * <pre>{@code
     * Nids.chksumCtl(List.of(Map.entry("10.0.0.0/8", false), Map.entry("2001:db8::/32", false),
     *         Map.entry("0.0.0.0/0", true)));
     * }</pre>
     *
     * @param rules (network "a.b.c.d/len" or IPv6 prefix "addr/len", verify?) pairs; an empty
     *              list verifies everything
     */
    public static void chksumCtl(List<Map.Entry<String, Boolean>> rules) {
        DEFAULT.chksumCtl(rules);
    }

    // ---- handlers --------------------------------------------------------

    /** Adds a TCP handler (see {@link TcpHandler}). Registering one twice has no effect. */
    public static void registerTcp(TcpHandler h) {
        DEFAULT.registerTcp(h);
    }

    /** Removes a TCP handler; it is not called again, even for streams it was listening to. */
    public static void unregisterTcp(TcpHandler h) {
        DEFAULT.unregisterTcp(h);
    }

    /** Adds a UDP handler (see {@link UdpHandler}). */
    public static void registerUdp(UdpHandler h) {
        DEFAULT.registerUdp(h);
    }

    public static void unregisterUdp(UdpHandler h) {
        DEFAULT.unregisterUdp(h);
    }

    /** Adds a handler for IP datagrams after defragmentation, exactly {@code ip_len} bytes each. */
    public static void registerIp(IpHandler h) {
        DEFAULT.registerIp(h);
    }

    public static void unregisterIp(IpHandler h) {
        DEFAULT.unregisterIp(h);
    }

    /** Adds a handler for every captured IP packet, fragments included, as captured. */
    public static void registerIpFrag(IpHandler h) {
        DEFAULT.registerIpFrag(h);
    }

    public static void unregisterIpFrag(IpHandler h) {
        DEFAULT.unregisterIpFrag(h);
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
        DEFAULT.registerWarning(h);
    }

    public static void unregisterWarning(WarningHandler h) {
        DEFAULT.unregisterWarning(h);
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
        DEFAULT.init();
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
        DEFAULT.run();
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
        return DEFAULT.next();
    }

    /**
     * Processes up to {@code count} packets ({@code -1}: all that are available
     * now; on a file, all of it), as pynids' {@code dispatch()}.
     *
     * @return packets processed; 0 at the end of the file
     */
    public static int dispatch(int count) {
        return DEFAULT.dispatch(count);
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
        DEFAULT.stop();
    }

    /**
     * Ends the session: open streams get {@link #NIDS_EXITING}, everything libnids
     * holds is released, and {@link #init()} may follow. Does nothing without a session.
     */
    public static void exit() {
        DEFAULT.exit();
    }




    // ---- information -----------------------------------------------------

    /**
     * The capture's selectable file descriptor, as pynids' {@code getfd()}: for
     * a file, the descriptor of the open file. On Linux a live capture's
     * descriptor may stay unreadable for up to {@code pcap_timeout} ms after
     * packets arrive; libpcap delivers them in blocks.
     */
    public static int getfd() {
        return DEFAULT.getfd();
    }

    /** The timestamp of the last packet processed, in seconds since the epoch. */
    public static double getPktTs() {
        return DEFAULT.getPktTs();
    }

    /**
     * libpcap's counters for the live capture, as pynids' {@code get_pcap_stats()}.
     *
     * @throws NidsException for capture files, which have no such counters
     */
    public static PcapStats getPcapStats() {
        return DEFAULT.getPcapStats();
    }

    /**
     * What checksum-offload detection (parameter {@code checksums}) found in the
     * current capture of the default session, or in the last one after it ended; null when that session
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
        return DEFAULT.checksumReport();
    }

    /** Whether a session is open (between {@link #init()} and its end). */
    public static boolean isOpen() {
        return DEFAULT.isOpen();
    }

    /** Packets read in this session so far. */
    public static long packetCount() {
        return DEFAULT.packetCount();
    }

    /** How far into the capture file the session has read, in bytes; -1 for live captures. */
    public static long bytesRead() {
        return DEFAULT.bytesRead();
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
        return DEFAULT.rawParams();
    }
}
