package io.github.jnids.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Derives damaged captures from a real IPv6 capture, as a late start or a
 * lossy sensor would have made them: records cut off the front, or TCP data
 * segments dropped by a deterministic rule. The file keeps its link type,
 * snap length, byte order and timestamps (microsecond pcap out).
 *
 * <p>A TCP data segment is a record whose IPv6 header is followed directly by
 * TCP (no extension headers) with a payload; its direction is "server" when
 * its source port is below its destination port (the captures' servers listen
 * on low ports, clients use ephemeral ones).
 */
public final class Ipv6CaptureDamage {
    /**
     * One TCP data segment of the capture: its record index, connection (client port-server port), direction, its
     * rank among that connection's segments of that direction and among all the capture's segments of that direction.
     */
    public record Segment(int record, String connection, boolean fromServer, int rankInStream, int rankInCapture) { }

    private Ipv6CaptureDamage() { }

    /** The capture without its first {@code n} records. */
    public static Path cut(Path from, int n, Path to) throws IOException {
        CaptureReader.Capture c = CaptureReader.read(from);
        return write(c, c.records().subList(Math.min(n, c.records().size()), c.records().size()), to);
    }

    /** The TCP data segments of a capture in record order, each ranked within its connection's direction. */
    public static List<Segment> dataSegments(CaptureReader.Capture c) {
        List<Segment> out = new ArrayList<>();
        Map<String, Integer> ranks = new HashMap<>();
        for (int i = 0; i < c.records().size(); i++) {
            byte[] f = c.records().get(i).data();
            Ipv6ToIpv4.Frame fr = Ipv6ToIpv4.frame(c.linktype(), f);
            int ip = fr.offset(), tcp = ip + 40;
            if (fr.version() != 6 || f.length < tcp + 20 || (f[ip + 6] & 0xff) != 6) continue;
            int payload = u16(f, ip + 4) - ((f[tcp + 12] & 0xf0) >> 2);
            if (payload <= 0) continue;
            int sport = u16(f, tcp), dport = u16(f, tcp + 2);
            boolean fromServer = sport < dport;
            String conn = fromServer ? dport + "-" + sport : sport + "-" + dport;
            String dir = conn + (fromServer ? "s" : "c");
            int rank = ranks.merge(dir, 1, Integer::sum) - 1;
            int overall = ranks.merge(fromServer ? "s" : "c", 1, Integer::sum) - 1;
            out.add(new Segment(i, conn, fromServer, rank, overall));
        }
        return out;
    }

    /** The capture without the data segments {@code drop} selects. */
    public static Path drop(Path from, Predicate<Segment> drop, Path to) throws IOException {
        CaptureReader.Capture c = CaptureReader.read(from);
        Set<Integer> gone = new HashSet<>();
        for (Segment s : dataSegments(c)) if (drop.test(s)) gone.add(s.record());
        List<CaptureReader.Record> kept = new ArrayList<>();
        for (int i = 0; i < c.records().size(); i++) if (!gone.contains(i)) kept.add(c.records().get(i));
        return write(c, kept, to);
    }

    private static Path write(CaptureReader.Capture c, List<CaptureReader.Record> records, Path to) throws IOException {
        PcapWriter w = new PcapWriter(c.linktype(), c.snaplen());
        for (CaptureReader.Record r : records) w.packet(r.nanos() / 1000, r.data(), r.origLen(), r.data().length);
        return w.write(to);
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }
}
