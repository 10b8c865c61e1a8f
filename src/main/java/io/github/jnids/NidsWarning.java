package io.github.jnids;

import java.util.List;

/**
 * A warning from libnids: a malformed IP or TCP packet, or a detected port scan.
 * libnids hands these to {@code nids_params.syslog}; jnids delivers them here,
 * or to {@link System.Logger} {@code io.github.jnids} when no handler is registered.
 *
 * <pre>{@code
 * Nids.registerWarning(w -> {
 *     if (w.kind() == NidsWarning.Kind.SCAN)
 *         System.out.println("scan from " + w.src() + ": " + w.probes().size() + " probes");
 * });
 * }</pre>
 *
 * @param kind    what libnids was looking at
 * @param code    libnids' warning number ({@code NIDS_WARN_IP_OVERLAP} and friends; 0 for scans)
 * @param message libnids' text for it, from {@code nids_warnings[]}
 * @param src     source address of the offending packet (the scanner, for scans)
 * @param sport   source port (TCP warnings with a valid header), else 0
 * @param dst     destination address, or null for scans
 * @param dport   destination port, else 0
 * @param probes  for scans, the hosts and ports probed; empty otherwise
 */
public record NidsWarning(Kind kind, int code, String message, String src, int sport, String dst,
                          int dport, List<ScanProbe> probes) {

    /** libnids' warning types ({@code NIDS_WARN_IP} ... {@code NIDS_WARN_SCAN}). */
    public enum Kind { IP, TCP, UDP, SCAN }

    public NidsWarning {
        probes = List.copyOf(probes);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(kind.name()).append(": ").append(message);
        if (src != null) {
            b.append(", from ").append(src);
            if (sport != 0) b.append(':').append(sport);
        }
        if (dst != null) {
            b.append(" to ").append(dst);
            if (dport != 0) b.append(':').append(dport);
        }
        if (!probes.isEmpty()) {
            b.append(", probes:");
            for (ScanProbe p : probes) b.append(' ').append(p.host()).append(':').append(p.port());
        }
        return b.toString();
    }
}
