package io.github.jnids.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.jnids.ChecksumReport;
import java.util.List;

/**
 * How a capture's checksums were treated (the library's {@link ChecksumReport}),
 * in the words of the command: the JSON record of a capture, the note of the
 * progress summary, and the explanation of a capture that yielded no stream.
 */
final class ChecksumSummary {
    private ChecksumSummary() { }

    /**
     * What became of the capture's checksums: {@code verified} (all of them: mode on, or
     * auto with no sign of offloading), {@code offload} (auto: packets with offloaded
     * checksums kept unverified), {@code unverified} (mode off).
     */
    static String outcome(ChecksumReport r) {
        return switch (r.mode()) {
            case "off" -> "unverified";
            case "auto" -> r.offloadFound() ? "offload" : "verified";
            default -> "verified";
        };
    }

    /** The JSON record that ends each capture. */
    static JsonObject record(ChecksumReport r, String capture, long streams, long invalid) {
        JsonObject o = new JsonObject();
        o.addProperty("type", "capture");
        if (capture != null) o.addProperty("capture", capture);
        o.addProperty("streams", streams);
        o.addProperty("checksum_mode", r.mode());
        o.addProperty("checksums", outcome(r));
        o.addProperty("tcp_packets", r.tcpPackets());
        o.addProperty("invalid_packets", invalid);
        o.addProperty("offloaded_packets", r.offloaded());
        JsonArray senders = new JsonArray();
        for (ChecksumReport.Sender s : r.senders()) {
            JsonObject so = new JsonObject();
            so.addProperty("host", s.address());
            so.addProperty("packets", s.packets());
            so.addProperty("offloaded", s.offloaded());
            so.addProperty("share_rule", s.exempt());
            senders.add(so);
        }
        o.add("offload_senders", senders);
        return o;
    }

    /** For the summary line: e.g. "checksums offloaded by 10.0.2.15 and 2 more: 263 packets kept unverified". */
    static String note(ChecksumReport r) {
        return switch (outcome(r)) {
            case "offload" -> "checksums offloaded by " + hosts(r.senders()) + ": " + r.offloaded()
                    + (r.offloaded() == 1 ? " packet" : " packets") + " kept unverified";
            case "unverified" -> "checksums not verified";
            default -> r.offloaded() > 0
                    ? "checksums verified; " + r.offloaded() + " offloaded by " + hosts(r.senders()) + " dropped"
                    : "checksums verified";
        };
    }

    /**
     * Why a capture with TCP packets gave no stream, as one line, or null when it gave
     * streams or had no TCP packet.
     */
    static String explanation(String label, ChecksumReport r, long streams, long invalid) {
        if (r == null || streams > 0 || r.tcpPackets() == 0) return null;
        StringBuilder b = new StringBuilder("jnids: ").append(label).append(" has ").append(r.tcpPackets())
                .append(r.tcpPackets() == 1 ? " TCP packet" : " TCP packets").append(" but no stream");
        if (r.mode().equals("on") && r.offloaded() > 0) {
            return b.append(": ").append(r.offloaded()).append(" of them have checksums offloaded by ")
                    .append(hosts(r.senders())).append(" (captured on the sending host), which libnids drops; "
                    + "use --checksum auto").toString();
        }
        if (invalid > 0) {
            b.append(": libnids dropped ").append(invalid).append(invalid == 1 ? " packet" : " packets")
                    .append(" as invalid (wrong checksum or header)");
            if (!r.mode().equals("off")) b.append("; --checksum off keeps those with wrong checksums");
            return b.toString();
        }
        return b.append(" whose handshake (SYN, SYN+ACK, ACK) is in the capture; libnids reports only those")
                .toString();
    }

    private static String hosts(List<ChecksumReport.Sender> senders) {
        if (senders.isEmpty()) return "their senders";
        String first = senders.get(0).address();
        int more = senders.size() - 1;
        return more == 0 ? first : first + " and " + more + (more == 1 ? " more host" : " more hosts");
    }
}
