package io.github.jnids.spark;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

import io.github.jnids.HalfStream;
import io.github.jnids.Nids;
import io.github.jnids.StreamTallies;
import io.github.jnids.StreamTally;
import io.github.jnids.TcpHandler;
import io.github.jnids.TcpStream;
import io.github.jnids.Tuple4;

/**
 * The TCP collector: follows every stream both ways and counts it as the
 * command does (the same {@link StreamTally}), and makes its row when libnids
 * ends it; streams still open when the session ends come out in the order
 * they were established.
 */
final class FlowRows implements TcpHandler {
    private final Engine engine;
    private final Rows rows;
    private final RowShape shape;
    private final int payload;
    private final int iCapture, iSrc, iDst, iSport, iDport, iState, iCts, iStc, iFirst, iLast, iDataCts, iDataStc;
    private final StreamTallies<Flow> tallies = new StreamTallies<>(this::newFlow);
    private org.apache.spark.unsafe.types.UTF8String capture;

    /** What is kept per stream, in {@link TcpStream#user(Object)}: the counts, and the payload prefixes asked for. */
    private static final class Flow extends StreamTally {
        ByteArrayOutputStream dataCts;
        ByteArrayOutputStream dataStc;

        Flow(Tuple4 addr, long order, double ts) {
            super(addr, order, ts);
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
        Flow f = tallies.update(tcp, engine.getPktTs());
        if (f == null) return;
        if (!f.ended()) {
            // Established, or data: keep the start of what just arrived.
            // No discard(): libnids then drops what was delivered and keeps only new bytes.
            if (f.dataCts != null) keep(f.dataCts, tcp.server());
            if (f.dataStc != null) keep(f.dataStc, tcp.client());
        } else if (f.state() != Nids.NIDS_EXITING && rows != null) {
            // Streams open at the session's end have their rows at flushOpen(), in the order they were established.
            rows.add(row(f));
        }
    }

    private Flow newFlow(Tuple4 addr, long order, double ts) {
        Flow f = new Flow(addr, order, ts);
        if (payload > 0) {
            if (iDataCts >= 0) f.dataCts = new ByteArrayOutputStream(Math.min(payload, 4096));
            if (iDataStc >= 0) f.dataStc = new ByteArrayOutputStream(Math.min(payload, 4096));
        }
        return f;
    }

    /** The rows of the streams the session's end found open, in the order they were established. */
    void flushOpen() {
        for (Flow f : tallies.takeOpen()) {
            if (rows != null) rows.add(row(f));
        }
    }

    /** Forgets the streams of a session that is given up (a file skipped as corrupt). */
    void discardOpen() {
        tallies.forgetOpen();
    }

    /** Appends the start of the bytes that just arrived, up to the payload limit. */
    private void keep(ByteArrayOutputStream data, HalfStream half) {
        if (data.size() >= payload) return;
        int n = half.countNew();
        if (n <= 0) return;
        ByteBuffer b = half.dataBuffer();
        int from = Math.max(0, b.limit() - n);
        int take = Math.min(n, payload - data.size());
        byte[] chunk = new byte[take];
        b.get(from, chunk);
        data.write(chunk, 0, take);
    }

    private org.apache.spark.sql.catalyst.InternalRow row(Flow f) {
        Object[] v = new Object[shape.width()];
        Tuple4 a = f.addr();
        if (iCapture >= 0) v[iCapture] = capture;
        if (iSrc >= 0) v[iSrc] = Rows.str(a.src());
        if (iDst >= 0) v[iDst] = Rows.str(a.dst());
        if (iSport >= 0) v[iSport] = a.sport();
        if (iDport >= 0) v[iDport] = a.dport();
        if (iState >= 0) v[iState] = Rows.str(f.stateName());
        if (iCts >= 0) v[iCts] = f.bytesCts();
        if (iStc >= 0) v[iStc] = f.bytesStc();
        if (iFirst >= 0) v[iFirst] = Rows.micros(f.firstTs());
        if (iLast >= 0) v[iLast] = Rows.micros(f.lastTs());
        if (iDataCts >= 0) v[iDataCts] = f.dataCts == null ? new byte[0] : f.dataCts.toByteArray();
        if (iDataStc >= 0) v[iDataStc] = f.dataStc == null ? new byte[0] : f.dataStc.toByteArray();
        return RowShape.row(v);
    }
}
