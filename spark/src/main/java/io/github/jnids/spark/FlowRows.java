package io.github.jnids.spark;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.github.jnids.HalfStream;
import io.github.jnids.Nids;
import io.github.jnids.TcpHandler;
import io.github.jnids.TcpStream;
import io.github.jnids.Tuple4;

/**
 * The TCP collector: follows every stream both ways, as the command does, and
 * makes its row when libnids ends it; streams still open when the session
 * ends come out in the order they were established (libnids hands them over
 * in its hash table's random order).
 */
final class FlowRows implements TcpHandler {
    private final Engine engine;
    private final Rows rows;
    private final RowShape shape;
    private final int payload;
    private final int iCapture, iSrc, iDst, iSport, iDport, iState, iCts, iStc, iFirst, iLast, iDataCts, iDataStc;
    private final List<Flow> open = new ArrayList<>();
    private org.apache.spark.unsafe.types.UTF8String capture;
    private long established;

    /** What is kept per stream, in {@link TcpStream#user(Object)}. */
    private static final class Flow {
        final Tuple4 addr;
        final long seq;
        final double firstTs;
        double lastTs;
        long cts;
        long stc;
        ByteArrayOutputStream dataCts;
        ByteArrayOutputStream dataStc;

        Flow(Tuple4 addr, long seq, double ts) {
            this.addr = addr;
            this.seq = seq;
            this.firstTs = ts;
            this.lastTs = ts;
        }
    }

    /**
     * @param rows where the rows go; null to follow the streams without rows (kind warnings:
     *             libnids warns about some TCP conditions only for streams that are followed)
     */
    FlowRows(Engine engine, Rows rows, RowShape shape, int payload) {
        this.engine = engine;
        this.rows = rows;
        this.shape = shape;
        iCapture = shape.index("capture");
        iSrc = shape.index("src");
        iDst = shape.index("dst");
        iSport = shape.index("sport");
        iDport = shape.index("dport");
        iState = shape.index("state");
        iCts = shape.index("bytes_cts");
        iStc = shape.index("bytes_stc");
        iFirst = shape.index("first_ts");
        iLast = shape.index("last_ts");
        iDataCts = shape.index("data_cts");
        iDataStc = shape.index("data_stc");
        // A pruned payload column costs nothing: its bytes are never copied.
        this.payload = iDataCts >= 0 || iDataStc >= 0 ? payload : -1;
    }

    /** The value of the capture column for the rows of the file being read. */
    void capture(String path) {
        this.capture = Rows.str(path);
    }

    @Override
    public void accept(TcpStream tcp) {
        int state = tcp.nidsState();
        switch (state) {
            case Nids.NIDS_JUST_EST -> {
                Flow f = new Flow(tcp.addr(), established++, engine.getPktTs());
                if (payload > 0) {
                    if (iDataCts >= 0) f.dataCts = new ByteArrayOutputStream(Math.min(payload, 4096));
                    if (iDataStc >= 0) f.dataStc = new ByteArrayOutputStream(Math.min(payload, 4096));
                }
                tcp.user(f);
                tcp.client().collect(true);
                tcp.server().collect(true);
            }
            case Nids.NIDS_DATA -> {
                Flow f = flow(tcp);
                f.lastTs = engine.getPktTs();
                HalfStream server = tcp.server();
                HalfStream client = tcp.client();
                int toServer = server.countNew();
                int toClient = client.countNew();
                f.cts += toServer;
                f.stc += toClient;
                if (toServer > 0) keep(f.dataCts, server, toServer);
                if (toClient > 0) keep(f.dataStc, client, toClient);
                // No discard(): libnids then drops what was delivered and keeps only new bytes.
            }
            case Nids.NIDS_CLOSE, Nids.NIDS_RESET, Nids.NIDS_TIMED_OUT, Nids.NIDS_EXITING -> {
                Flow f = flow(tcp);
                tcp.user(null);
                if (state == Nids.NIDS_EXITING) {
                    open.add(f);
                } else {
                    f.lastTs = engine.getPktTs();
                    if (rows != null) rows.add(row(f, state));
                }
            }
            default -> { }
        }
    }

    /** The rows of the streams the session's end found open, in the order they were established. */
    void flushOpen() {
        open.sort(Comparator.comparingLong(f -> f.seq));
        if (rows != null) {
            for (Flow f : open) rows.add(row(f, Nids.NIDS_EXITING));
        }
        open.clear();
    }

    /** Forgets the streams of a session that is given up (a file skipped as corrupt). */
    void discardOpen() {
        open.clear();
    }

    private Flow flow(TcpStream tcp) {
        if (tcp.user() instanceof Flow f) return f;
        Flow f = new Flow(tcp.addr(), established++, engine.getPktTs());
        tcp.user(f);
        return f;
    }

    /** Appends the start of the bytes that just arrived, up to the payload limit. */
    private void keep(ByteArrayOutputStream data, HalfStream half, int n) {
        if (data == null || data.size() >= payload) return;
        ByteBuffer b = half.dataBuffer();
        int from = Math.max(0, b.limit() - n);
        int take = Math.min(n, payload - data.size());
        byte[] chunk = new byte[take];
        b.get(from, chunk);
        data.write(chunk, 0, take);
    }

    private org.apache.spark.sql.catalyst.InternalRow row(Flow f, int state) {
        Object[] v = new Object[shape.width()];
        Tuple4 a = f.addr;
        if (iCapture >= 0) v[iCapture] = capture;
        if (iSrc >= 0) v[iSrc] = Rows.str(a.src());
        if (iDst >= 0) v[iDst] = Rows.str(a.dst());
        if (iSport >= 0) v[iSport] = a.sport();
        if (iDport >= 0) v[iDport] = a.dport();
        if (iState >= 0) v[iState] = Rows.str(stateName(state));
        if (iCts >= 0) v[iCts] = f.cts;
        if (iStc >= 0) v[iStc] = f.stc;
        if (iFirst >= 0) v[iFirst] = Rows.micros(f.firstTs);
        if (iLast >= 0) v[iLast] = Rows.micros(f.lastTs);
        if (iDataCts >= 0) v[iDataCts] = f.dataCts == null ? new byte[0] : f.dataCts.toByteArray();
        if (iDataStc >= 0) v[iDataStc] = f.dataStc == null ? new byte[0] : f.dataStc.toByteArray();
        return RowShape.row(v);
    }

    /** The command's names for how a stream ended. */
    static String stateName(int state) {
        return switch (state) {
            case Nids.NIDS_CLOSE -> "close";
            case Nids.NIDS_RESET -> "reset";
            case Nids.NIDS_TIMED_OUT -> "timeout";
            case Nids.NIDS_EXITING -> "open";
            default -> "state" + state;
        };
    }
}
