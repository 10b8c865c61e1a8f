package io.github.jnids.spark;

import java.nio.ByteBuffer;

import org.apache.spark.unsafe.types.UTF8String;

import io.github.jnids.Tuple4;
import io.github.jnids.UdpHandler;

/** The UDP collector: one row per datagram libnids delivers (after defragmentation). */
final class DatagramRows implements UdpHandler {
    private final Engine engine;
    private final Rows rows;
    private final RowShape shape;
    private final int payload;
    private final int iCapture, iSrc, iSport, iDst, iDport, iBytes, iTs, iData;
    private UTF8String capture;

    DatagramRows(Engine engine, Rows rows, RowShape shape, int payload) {
        this.engine = engine;
        this.rows = rows;
        this.shape = shape;
        this.payload = payload;
        iCapture = shape.index("capture");
        iSrc = shape.index("src");
        iSport = shape.index("sport");
        iDst = shape.index("dst");
        iDport = shape.index("dport");
        iBytes = shape.index("bytes");
        iTs = shape.index("ts");
        iData = shape.index("data");
    }

    void capture(String path) {
        this.capture = Rows.str(path);
    }

    @Override
    public void accept(Tuple4 addr, ByteBuffer data, ByteBuffer ip) {
        Object[] v = new Object[shape.width()];
        if (iCapture >= 0) v[iCapture] = capture;
        if (iSrc >= 0) v[iSrc] = Rows.str(addr.src());
        if (iSport >= 0) v[iSport] = addr.sport();
        if (iDst >= 0) v[iDst] = Rows.str(addr.dst());
        if (iDport >= 0) v[iDport] = addr.dport();
        if (iBytes >= 0) v[iBytes] = data.remaining();
        if (iTs >= 0) v[iTs] = Rows.micros(engine.getPktTs());
        if (iData >= 0) {
            byte[] b = new byte[Math.min(payload, data.remaining())];
            data.get(data.position(), b);
            v[iData] = b;
        }
        rows.add(RowShape.row(v));
    }
}
