package io.github.jnids.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.jnids.HalfStream;
import io.github.jnids.Nids;
import io.github.jnids.NidsWarning;
import io.github.jnids.ScanProbe;
import io.github.jnids.StreamTallies;
import io.github.jnids.StreamTally;
import io.github.jnids.TcpHandler;
import io.github.jnids.TcpStream;
import io.github.jnids.Tuple4;
import io.github.jnids.UdpHandler;
import io.github.jnids.WarningHandler;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;

/**
 * The command's libnids handlers: collects both directions of every TCP
 * stream, counts (and with --dump writes) the bytes, and reports each stream
 * as it ends; reports UDP datagrams and warnings when asked.
 */
final class Reporter implements TcpHandler, UdpHandler, WarningHandler {
    /** Made on first use: Gson's setup loads about a hundred classes, which a run without --json never needs. */
    private static final class Json {
        static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();
    }

    private final Output out;
    private final boolean json;
    private final boolean udp;
    private final boolean warnings;
    private final Dumper dumper;
    private String source;
    private long streams;
    private long datagrams;
    private long warningCount;
    private long invalid;
    private boolean silent;
    /** Every stream's counts; those still open when the session ended are reported together by {@link #reportOpen()}. */
    private final StreamTallies<Flow> tallies = new StreamTallies<>(this::newFlow);

    /** What the command keeps per stream, in {@link TcpStream#user(Object)}: the counts, and --dump's files. */
    private static final class Flow extends StreamTally {
        Dumper.Sink ctsSink;
        Dumper.Sink stcSink;
        /** Picked up without its handshake (--midstream). */
        boolean midstream;

        Flow(Tuple4 addr, long seq, double ts) {
            super(addr, seq, ts);
        }
    }

    Reporter(Output out, boolean json, boolean udp, boolean warnings, Dumper dumper) {
        this.out = out;
        this.json = json;
        this.udp = udp;
        this.warnings = warnings;
        this.dumper = dumper;
    }

    /** The capture file or interface being read, for JSON records. */
    void source(String source) {
        this.source = source;
    }

    /** Stops all output: after a failure, open streams are not reported. */
    void silence() {
        silent = true;
        tallies.forgetOpen();
    }

    long streams() {
        return streams;
    }

    long datagrams() {
        return datagrams;
    }

    long warnings() {
        return warningCount;
    }

    @Override
    public void accept(TcpStream tcp) {
        if (silent) return;
        int state = tcp.nidsState();
        switch (state) {
            case Nids.NIDS_JUST_EST -> tallies.start(tcp, Nids.getPktTs());
            case Nids.NIDS_DATA -> {
                Flow flow = tallies.data(tcp, Nids.getPktTs());
                if (dumper != null) {
                    HalfStream server = tcp.server();
                    HalfStream client = tcp.client();
                    int toServer = server.countNew();
                    int toClient = client.countNew();
                    // The new bytes are the last ones of libnids' buffer, after any hole given up.
                    if (toServer > 0) {
                        GapFill.before(dumper, flow.ctsSink, server.gapBefore());
                        dumper.write(flow.ctsSink, server.dataBuffer(), toServer);
                    }
                    if (toClient > 0) {
                        GapFill.before(dumper, flow.stcSink, client.gapBefore());
                        dumper.write(flow.stcSink, client.dataBuffer(), toClient);
                    }
                }
                // No discard(): libnids then drops what was delivered, keeping only new bytes.
            }
            case Nids.NIDS_CLOSE, Nids.NIDS_RESET, Nids.NIDS_TIMED_OUT, Nids.NIDS_EXITING -> {
                Flow flow = tallies.end(tcp, state, Nids.getPktTs());
                if (dumper != null) {
                    dumper.close(flow.ctsSink);
                    dumper.close(flow.stcSink);
                }
                streams++;
                if (state != Nids.NIDS_EXITING) report(flow, state);
            }
            default -> { }
        }
    }

    private Flow newFlow(Tuple4 a, long seq, double ts) {
        Flow flow = new Flow(a, seq, ts);
        if (dumper != null) {
            flow.ctsSink = dumper.sink(a.src(), a.sport(), a.dst(), a.dport());
            flow.stcSink = dumper.sink(a.dst(), a.dport(), a.src(), a.sport());
        }
        return flow;
    }

    /**
     * Reports the streams still open when the session ended, in the order they were
     * established: libnids hands them over in the order of its hash table, which is
     * seeded at random.
     */
    void reportOpen() {
        for (Flow f : tallies.takeOpen()) {
            if (!silent) report(f, Nids.NIDS_EXITING);
        }
    }

    private void report(Flow flow, int state) {
        Tuple4 a = flow.addr();
        if (json) {
            JsonObject o = new JsonObject();
            o.addProperty("type", "tcp");
            o.addProperty("src", a.src());
            o.addProperty("sport", a.sport());
            o.addProperty("dst", a.dst());
            o.addProperty("dport", a.dport());
            o.addProperty("state", StreamTally.stateName(state));
            o.addProperty("bytes_cts", flow.bytesCts());
            o.addProperty("bytes_stc", flow.bytesStc());
            o.addProperty("first_ts", seconds(flow.firstTs()));
            o.addProperty("last_ts", seconds(flow.lastTs()));
            if (flow.ctsSink != null && flow.ctsSink.path != null) o.addProperty("file_cts", flow.ctsSink.path.toString());
            if (flow.stcSink != null && flow.stcSink.path != null) o.addProperty("file_stc", flow.stcSink.path.toString());
            if (flow.gaps() > 0) {
                o.addProperty("gaps", flow.gaps());
                o.addProperty("missing_cts", flow.missingCts());
                o.addProperty("missing_stc", flow.missingStc());
            }
            if (flow.midstream()) o.addProperty("midstream", true);
            if (source != null) o.addProperty("capture", source);
            out.line(Json.GSON.toJson(o));
        } else {
            String mark = (state == Nids.NIDS_CLOSE ? "" : " [" + StreamTally.stateName(state) + "]")
                    + (flow.midstream() ? " [midstream]" : "");
            if (flow.gaps() > 0) {
                mark += " [gaps: " + flow.gaps() + ", missing " + flow.missingCts() + "B/" + flow.missingStc() + "B]";
            }
            out.line("[+] " + HostPort.of(a.src(), a.sport()) + " - " + HostPort.of(a.dst(), a.dport())
                    + " (CTS: " + flow.bytesCts() + "B | STC: " + flow.bytesStc() + "B)" + mark);
        }
    }

    @Override
    public void accept(Tuple4 addr, ByteBuffer payload, ByteBuffer ipPacket) {
        if (!udp || silent) return;
        datagrams++;
        double ts = Nids.getPktTs();
        if (json) {
            JsonObject o = new JsonObject();
            o.addProperty("type", "udp");
            o.addProperty("src", addr.src());
            o.addProperty("sport", addr.sport());
            o.addProperty("dst", addr.dst());
            o.addProperty("dport", addr.dport());
            o.addProperty("bytes", payload.remaining());
            o.addProperty("ts", seconds(ts));
            if (source != null) o.addProperty("capture", source);
            out.line(Json.GSON.toJson(o));
        } else {
            out.line("[udp] " + HostPort.of(addr.src(), addr.sport()) + " - " + HostPort.of(addr.dst(), addr.dport())
                    + " (" + payload.remaining() + "B)");
        }
    }

    /** Packets libnids dropped for an invalid IP or TCP header (a wrong checksum among the reasons). */
    long invalid() {
        return invalid;
    }

    /** Ends a capture: its record (with --json); the count of invalid packets starts again. */
    void endCapture(io.github.jnids.ChecksumReport checksums, long streamsOfCapture) {
        if (json && !silent && checksums != null) {
            out.line(Json.GSON.toJson(ChecksumSummary.record(checksums, source, streamsOfCapture, invalid)));
        }
        invalid = 0;
    }

    @Override
    public void accept(NidsWarning w) {
        if (w.kind() == NidsWarning.Kind.TCP && w.code() == io.github.jnids.global.nids.NIDS_WARN_TCP_HDR
                || w.kind() == NidsWarning.Kind.IP && w.code() == io.github.jnids.global.nids.NIDS_WARN_IP_HDR) {
            invalid++;
        }
        if (!warnings || silent) return;
        warningCount++;
        if (json) {
            JsonObject o = new JsonObject();
            o.addProperty("type", w.kind() == NidsWarning.Kind.SCAN ? "scan" : "warning");
            o.addProperty("kind", w.kind().name().toLowerCase(java.util.Locale.ROOT));
            o.addProperty("code", w.code());
            o.addProperty("message", w.message());
            o.addProperty("src", w.src());
            if (w.sport() != 0) o.addProperty("sport", w.sport());
            if (w.dst() != null) o.addProperty("dst", w.dst());
            if (w.dport() != 0) o.addProperty("dport", w.dport());
            if (!w.probes().isEmpty()) {
                JsonArray probes = new JsonArray();
                for (ScanProbe p : w.probes()) {
                    JsonObject po = new JsonObject();
                    po.addProperty("host", p.host());
                    po.addProperty("port", p.port());
                    po.addProperty("flags", p.flags());
                    probes.add(po);
                }
                o.add("probes", probes);
            }
            o.addProperty("ts", seconds(Nids.getPktTs()));
            if (source != null) o.addProperty("capture", source);
            out.line(Json.GSON.toJson(o));
        } else if (w.kind() == NidsWarning.Kind.SCAN) {
            out.line("[!] port scan from " + HostPort.host(w.src()) + ": " + w.probes().size() + " probes"
                    + probeList(w));
        } else {
            out.line("[!] " + warningText(w));
        }
    }

    /** NidsWarning's text, with IPv6 addresses in brackets where a port follows (HostPort). */
    private static String warningText(NidsWarning w) {
        StringBuilder b = new StringBuilder(w.kind().name()).append(": ").append(w.message());
        if (w.src() != null) b.append(", from ").append(w.sport() != 0 ? HostPort.of(w.src(), w.sport()) : w.src());
        if (w.dst() != null) b.append(" to ").append(w.dport() != 0 ? HostPort.of(w.dst(), w.dport()) : w.dst());
        return b.toString();
    }

    private static String probeList(NidsWarning w) {
        java.util.List<ScanProbe> probes = w.probes();
        if (probes.isEmpty()) return "";
        java.util.StringJoiner j = new java.util.StringJoiner(" ", " (", ")");
        for (int i = 0; i < Math.min(16, probes.size()); i++) {
            j.add(HostPort.of(probes.get(i).host(), probes.get(i).port()));
        }
        if (probes.size() > 16) j.add("...");
        return j.toString();
    }

    /** A packet time in seconds with microseconds, written without an exponent. */
    static BigDecimal seconds(double ts) {
        return BigDecimal.valueOf(ts).setScale(6, RoundingMode.HALF_EVEN);
    }
}
