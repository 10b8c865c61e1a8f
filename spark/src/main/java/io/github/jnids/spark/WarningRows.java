package io.github.jnids.spark;

import java.util.List;
import java.util.Locale;

import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.unsafe.types.UTF8String;

import io.github.jnids.NidsWarning;
import io.github.jnids.ScanProbe;
import io.github.jnids.WarningHandler;

/** The warnings collector: libnids' warnings about malformed packets and its port-scan reports. */
final class WarningRows implements WarningHandler {
    private final Engine engine;
    private final Rows rows;
    private final RowShape shape;
    private final int iCapture, iType, iKind, iCode, iMessage, iSrc, iSport, iDst, iDport, iProbes, iTs;
    private UTF8String capture;

    WarningRows(Engine engine, Rows rows, RowShape shape) {
        this.engine = engine;
        this.rows = rows;
        this.shape = shape;
        iCapture = shape.index("capture");
        iType = shape.index("type");
        iKind = shape.index("kind");
        iCode = shape.index("code");
        iMessage = shape.index("message");
        iSrc = shape.index("src");
        iSport = shape.index("sport");
        iDst = shape.index("dst");
        iDport = shape.index("dport");
        iProbes = shape.index("probes");
        iTs = shape.index("ts");
    }

    void capture(String path) {
        this.capture = Rows.str(path);
    }

    @Override
    public void accept(NidsWarning w) {
        Object[] v = new Object[shape.width()];
        if (iCapture >= 0) v[iCapture] = capture;
        if (iType >= 0) v[iType] = Rows.str(w.kind() == NidsWarning.Kind.SCAN ? "scan" : "warning");
        if (iKind >= 0) v[iKind] = Rows.str(w.kind().name().toLowerCase(Locale.ROOT));
        if (iCode >= 0) v[iCode] = w.code();
        if (iMessage >= 0) v[iMessage] = Rows.str(w.message());
        if (iSrc >= 0) v[iSrc] = Rows.str(w.src());
        // Absent in the command's records, null here.
        if (iSport >= 0) v[iSport] = w.sport() != 0 ? Integer.valueOf(w.sport()) : null;
        if (iDst >= 0) v[iDst] = Rows.str(w.dst());
        if (iDport >= 0) v[iDport] = w.dport() != 0 ? Integer.valueOf(w.dport()) : null;
        if (iProbes >= 0) v[iProbes] = probes(w.probes());
        if (iTs >= 0) v[iTs] = Rows.micros(engine.getPktTs());
        rows.add(RowShape.row(v));
    }

    private static GenericArrayData probes(List<ScanProbe> probes) {
        if (probes.isEmpty()) return null;
        Object[] out = new Object[probes.size()];
        for (int i = 0; i < out.length; i++) {
            ScanProbe p = probes.get(i);
            out[i] = RowShape.row(new Object[] {Rows.str(p.host()), p.port(), p.flags()});
        }
        return new GenericArrayData(out);
    }
}
