package io.github.jnids.testing;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

import io.github.jnids.HalfStream;
import io.github.jnids.IpHandler;
import io.github.jnids.Nids;
import io.github.jnids.NidsException;
import io.github.jnids.NidsSession;
import io.github.jnids.NidsWarning;
import io.github.jnids.ScanProbe;
import io.github.jnids.TcpHandler;
import io.github.jnids.TcpStream;
import io.github.jnids.Tuple4;
import io.github.jnids.UdpHandler;
import io.github.jnids.WarningHandler;

/**
 * The reference dumper native/tools/nids_dump written with jnids' public API:
 * the same options, the same lines (native/tools/FORMAT.md). DifferentialTest
 * requires the two to print the same for every capture. An IPv6 address is
 * written in brackets wherever it appears ({@code [2001:db8::1]:443},
 * {@code src=[2001:db8::1]}), its text as the API gives it (RFC 5952).
 *
 * <pre>
 *   java -cp ... io.github.jnids.testing.NidsDumpJava [--no-checksum] [--no-ipv6] [--udp] [--ip] [--frag] [--warn] [--hex] [--midstream] CAPTURE
 * </pre>
 *
 * It runs on any {@link NidsSession} (the default one, {@code Nids.session()},
 * unless told), by {@code run()} or packet by packet. Every parameter and
 * handler it sets is restored or removed afterwards, so that it can run many
 * times on one session, in one JVM, next to other tests.
 */
public final class NidsDumpJava {

    /** What a dump printed, and whether it ended with END (0) or ERROR (1). */
    public record Result(List<String> lines, int status) {
        public String text() {
            StringBuilder b = new StringBuilder();
            for (String l : lines) b.append(l).append('\n');
            return b.toString();
        }
    }

    private final boolean noChecksum, noIpv6, udp, ip, frag, warn, hex, gaps, midstream;
    private final String checksums, unverified;
    private final Path capture;
    private final List<String> out = new ArrayList<>();
    /** Lines of streams that libnids ends at exit: sorted, as nids_dump does (FORMAT.md, Order). */
    private final List<String> exiting = new ArrayList<>();

    private NidsDumpJava(List<String> options, Path capture) {
        boolean n = false, v = false, u = false, i = false, f = false, w = false, h = false, g = false, m = false;
        String c = null, net = null;
        for (String o : options) {
            switch (o) {
                case "--no-checksum" -> n = true;
                case "--no-ipv6" -> v = true;
                case "--udp" -> u = true;
                case "--ip" -> i = true;
                case "--frag" -> f = true;
                case "--warn" -> w = true;
                case "--hex" -> h = true;
                case "--gaps" -> g = true;
                case "--midstream" -> m = true;
                // Java only (nids_dump has no such option): the parameter checksums
                case "--checksums=on", "--checksums=auto", "--checksums=off" -> c = o.substring("--checksums=".length());
                default -> {
                    // Java only: chksumCtl(List.of(Map.entry(NET, false)))
                    if (!o.startsWith("--unverified=")) {
                        throw new IllegalArgumentException("unknown nids_dump option '" + o + "'");
                    }
                    net = o.substring("--unverified=".length());
                }
            }
        }
        noChecksum = n;
        noIpv6 = v;
        udp = u;
        ip = i;
        frag = f;
        warn = w;
        hex = h;
        gaps = g;
        midstream = m;
        checksums = c;
        unverified = net;
        this.capture = capture;
    }

    /** Dumps a capture with nids_dump's options, on the default session ({@link Nids#session()}, what the static {@code Nids} methods use). */
    public static Result dump(Path capture, List<String> options) {
        return dump(Nids.session(), capture, options);
    }

    public static void main(String[] args) {
        List<String> options = new ArrayList<>(List.of(args));
        if (options.isEmpty() || options.get(options.size() - 1).startsWith("--")) {
            System.err.println("usage: NidsDumpJava [--no-checksum] [--no-ipv6] [--udp] [--ip] [--frag] [--warn] [--hex] [--gaps] [--midstream] CAPTURE");
            System.exit(2);
        }
        Path file = Path.of(options.remove(options.size() - 1));
        Result r = dump(file, options);
        System.out.print(r.text());
        System.exit(r.status());
    }

    // ---- formatting ------------------------------------------------------

    private static String crcHex(ByteBuffer b) {
        CRC32 c = new CRC32();
        c.update(b.duplicate());
        return String.format("%08x", c.getValue());
    }

    private static String hexOf(ByteBuffer b) {
        if (!b.hasRemaining()) return "-";
        StringBuilder s = new StringBuilder(b.remaining() * 2);
        for (int i = b.position(); i < b.limit(); i++) s.append(String.format("%02x", b.get(i) & 0xff));
        return s.toString();
    }

    private String bytes(String crcName, String hexName, ByteBuffer b) {
        return hex ? " " + hexName + "=" + hexOf(b) : " " + crcName + "=" + crcHex(b);
    }

    private static String tuple(Tuple4 t) {
        return " " + endpoint(t.src(), t.sport()) + " " + endpoint(t.dst(), t.dport());
    }

    /** {@code a:port}, an IPv6 address (RFC 5952 text, as the API gives it) in brackets: {@code [2001:db8::1]:443}. */
    static String endpoint(String address, int port) {
        return host(address) + ":" + port;
    }

    /** An address as the dump writes it: IPv6 in brackets, wherever it appears (also without a port). */
    static String host(String address) {
        return address.indexOf(':') >= 0 ? "[" + address + "]" : address;
    }

    // ---- handlers --------------------------------------------------------

    /** Per stream: the CRC-32 of everything delivered each way so far. */
    private static final class StreamCrc {
        final CRC32 cts = new CRC32();
        final CRC32 stc = new CRC32();
    }

    private final TcpHandler tcpHandler = this::onTcp;

    private void onTcp(TcpStream tcp) {
        String t = tuple(tcp.addr());
        switch (tcp.nidsState()) {
            case Nids.NIDS_JUST_EST -> {
                tcp.client().collect(true);
                tcp.server().collect(true);
                tcp.client().collectUrg(true);
                tcp.server().collectUrg(true);
                tcp.user(new StreamCrc());
                out.add("TCP EST" + t + (tcp.midstream() ? " midstream=" + tcp.midstreamRoles() : ""));
            }
            case Nids.NIDS_DATA -> {
                StreamCrc st = (StreamCrc) tcp.user();
                HalfStream[] halves = { tcp.server(), tcp.client() };
                String[] to = { "server", "client" };
                for (int i = 0; i < 2; i++) {
                    HalfStream h = halves[i];
                    if (h.countNewUrg() != 0) {
                        out.add("TCP URG" + t + " to=" + to[i] + String.format(" byte=%02x", h.urgdata() & 0xff));
                    }
                    int n = h.countNew();
                    if (n > 0) {
                        ByteBuffer all = h.dataBuffer();
                        ByteBuffer fresh = all.duplicate();
                        fresh.position(all.limit() - n);
                        out.add("TCP DATA" + t + " to=" + to[i] + " len=" + n
                                + (h.gapBefore() > 0 ? " gap=" + h.gapBefore() : "") + bytes("crc32", "data", fresh));
                        if (st != null) (i == 0 ? st.cts : st.stc).update(fresh.duplicate());
                    }
                }
            }
            case Nids.NIDS_CLOSE, Nids.NIDS_RESET, Nids.NIDS_TIMED_OUT, Nids.NIDS_EXITING -> {
                int state = tcp.nidsState();
                String what = state == Nids.NIDS_CLOSE ? "CLOSE"
                        : state == Nids.NIDS_RESET ? "RESET"
                        : state == Nids.NIDS_EXITING ? "EXITING" : "TIMEOUT";
                StreamCrc st = (StreamCrc) tcp.user();
                String line = "TCP " + what + t
                        + " cts=" + tcp.server().count() + String.format(" cts_crc32=%08x", st != null ? st.cts.getValue() : 0)
                        + " stc=" + tcp.client().count() + String.format(" stc_crc32=%08x", st != null ? st.stc.getValue() : 0);
                if (tcp.server().gaps() + tcp.client().gaps() > 0) {
                    line += " gaps=" + tcp.server().gaps() + "/" + tcp.client().gaps()
                            + " missing=" + tcp.server().missingBytes() + "/" + tcp.client().missingBytes();
                }
                tcp.user(null);
                (state == Nids.NIDS_EXITING ? exiting : out).add(line);
            }
            default -> out.add("TCP STATE" + tcp.nidsState() + t);
        }
    }

    private final UdpHandler udpHandler = (addr, payload, ipPacket) -> out.add("UDP" + tuple(addr)
            + " len=" + payload.remaining() + bytes("crc32", "data", payload)
            + " iplen=" + ipPacket.remaining() + bytes("ipcrc32", "ipdata", ipPacket));

    private final IpHandler ipHandler = packet ->
            out.add("IP len=" + packet.remaining() + bytes("crc32", "data", packet));

    private final IpHandler fragHandler = packet ->
            out.add("FRAG len=" + packet.remaining() + bytes("crc32", "data", packet));

    private final WarningHandler warningHandler = this::onWarning;

    private void onWarning(NidsWarning w) {
        if (!warn) return;
        if (w.kind() == NidsWarning.Kind.SCAN) {
            StringBuilder b = new StringBuilder("WARN SCAN src=").append(host(w.src())).append(" probes=")
                    .append(w.probes().size());
            char sep = ' ';
            for (ScanProbe p : w.probes()) {
                b.append(sep).append(endpoint(p.host(), p.port())).append('/').append(p.flags());
                sep = ',';
            }
            out.add(b.toString());
            return;
        }
        out.add("WARN " + w.kind() + " code=" + w.code() + " " + endpoint(orZero(w.src()), w.sport()) + " "
                + endpoint(orZero(w.dst()), w.dport()) + " " + w.message());
    }

    private static String orZero(String address) {
        return address == null ? "0.0.0.0" : address;
    }

    // ---- the run ---------------------------------------------------------

    /** Set while the dump is set up on its session: what to restore and whether init() failed. */
    private NidsSession session;
    private Object oldFilename, oldScanHosts, oldChecksums, oldGaps, oldMidstream, oldIpv6;
    private String error;
    private boolean finished;

    /**
     * Sets up a dump on a session and opens the capture, but reads no packet:
     * {@link #next()}, {@link #dispatch(int)} or {@link #runToEnd()} read it,
     * {@link #finish()} ends the session and gives the lines. A capture that
     * cannot be opened is not an exception: its dump ends with ERROR.
     */
    public static NidsDumpJava open(NidsSession session, Path capture, List<String> options) {
        NidsDumpJava d = new NidsDumpJava(options, capture);
        d.start(session);
        return d;
    }

    /** Dumps a capture on a session, which stays usable (not closed) afterwards. */
    public static Result dump(NidsSession session, Path capture, List<String> options) {
        NidsDumpJava d = open(session, capture, options);
        d.runToEnd();
        return d.finish();
    }

    private void start(NidsSession s) {
        session = s;
        oldFilename = s.param("filename", capture.toString());
        oldScanHosts = s.param("scan_num_hosts", 0);
        if (warn) s.param("scan_num_hosts", oldScanHosts);
        s.chksumCtl(noChecksum ? List.of(Map.entry("0.0.0.0/0", false), Map.entry("::/0", false))
                : unverified != null ? List.of(Map.entry(unverified, false)) : List.of());
        oldChecksums = s.param("checksums", checksums);
        oldGaps = s.param("tcp_gaps", gaps ? "skip" : "wait");
        oldMidstream = s.param("tcp_midstream", midstream);
        oldIpv6 = s.param("ipv6", !noIpv6);
        s.registerTcp(tcpHandler);
        if (udp) s.registerUdp(udpHandler);
        if (ip) s.registerIp(ipHandler);
        if (frag) s.registerIpFrag(fragHandler);
        s.registerWarning(warningHandler); // also keeps warnings away from System.Logger without --warn
        try {
            s.init();
        } catch (NidsException e) {
            error = e.getMessage();
        }
    }

    /** Whether the capture is still being read (open, not yet at its end, no error). */
    public boolean reading() {
        return error == null && !finished && session.isOpen();
    }

    /**
     * One packet, by {@code next()}.
     *
     * @return whether a packet was read (false at the end of the capture or after an error)
     */
    public boolean next() {
        if (!reading()) return false;
        try {
            if (session.next() == 1) return true;
        } catch (NidsException e) {
            error = e.getMessage();
        }
        finished = true;
        return false;
    }

    /**
     * Up to n packets, by {@code dispatch(n)}.
     *
     * @return packets read; 0 at the end or after an error
     */
    public int dispatch(int n) {
        if (!reading()) return 0;
        try {
            int r = session.dispatch(n);
            if (r > 0) return r;
        } catch (NidsException e) {
            error = e.getMessage();
        }
        finished = true;
        return 0;
    }

    /** The rest of the capture, by {@code run()} (which ends the session at the end of the file). */
    public void runToEnd() {
        if (!reading()) return;
        try {
            session.run();
        } catch (NidsException e) {
            error = e.getMessage();
        }
        finished = true;
    }

    /** Ends the session (exit()), removes the dump's handlers, restores what it set, and gives the lines. */
    public Result finish() {
        NidsSession s = session;
        try {
            s.exit();
        } finally {
            s.unregisterTcp(tcpHandler);
            s.unregisterUdp(udpHandler);
            s.unregisterIp(ipHandler);
            s.unregisterIpFrag(fragHandler);
            s.unregisterWarning(warningHandler);
            s.chksumCtl(List.of());
            s.param("checksums", oldChecksums);
            s.param("tcp_gaps", oldGaps);
            s.param("tcp_midstream", oldMidstream);
            s.param("ipv6", oldIpv6);
            s.param("scan_num_hosts", oldScanHosts);
            s.param("filename", oldFilename);
        }
        Collections.sort(exiting);
        out.addAll(exiting);
        exiting.clear();
        if (error != null) {
            out.add("ERROR " + error);
            return new Result(out, 1);
        }
        out.add("END packets=" + s.packetCount());
        return new Result(out, 0);
    }
}
