package io.github.jnids;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

import io.github.jnids.global.nids;

/**
 * A session's libnids checksum control list: which networks' packets are not
 * checksum verified. The native session keeps its own copy of the table,
 * which libnids points to, until the next call replaces it.
 */
final class ChecksumRules {
    private final nids.jnids_session session;

    ChecksumRules(nids.jnids_session session) {
        this.session = session;
    }

    void apply(List<Map.Entry<String, Boolean>> rules) {
        if (rules == null) throw new IllegalArgumentException("chksumCtl: the rule list is null; pass List.of() for none");
        int n = rules.size();
        int[] table = new int[3 * n];
        for (int i = 0; i < n; i++) {
            Map.Entry<String, Boolean> rule = rules.get(i);
            if (rule == null || rule.getKey() == null || rule.getValue() == null) {
                throw new IllegalArgumentException("chksumCtl: rule " + i + " is " + rule
                        + "; each rule is Map.entry(\"10.0.0.0/8\", false)");
            }
            int[] net = parse(rule.getKey());
            table[3 * i] = net[0] & net[1];
            table[3 * i + 1] = net[1];
            table[3 * i + 2] = rule.getValue() ? nids.NIDS_DO_CHKSUM : nids.NIDS_DONT_CHKSUM;
        }
        if (nids.jnids_set_chksum_ctl(session, table, n) != 0) {
            throw new NidsException(NidsException.Reason.OUT_OF_MEMORY, "chksumCtl: no memory for " + n + " rules");
        }
    }

    /** Parses "a.b.c.d/len" (or a bare address, /32) into network-order address and mask. */
    static int[] parse(String cidr) {
        String s = cidr.trim();
        int slash = s.indexOf('/');
        int bits = 32;
        String host = s;
        try {
            if (slash >= 0) {
                host = s.substring(0, slash);
                bits = Integer.parseInt(s.substring(slash + 1));
            }
            String[] parts = host.split("\\.", -1);
            if (parts.length != 4 || bits < 0 || bits > 32) throw new NumberFormatException();
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            for (String part : parts) {
                int octet = Integer.parseInt(part);
                if (octet < 0 || octet > 255 || part.isEmpty() || part.length() > 3) throw new NumberFormatException();
                b.put((byte) octet);
            }
            long mask = bits == 0 ? 0 : (0xffffffffL << (32 - bits)) & 0xffffffffL;
            b.put((byte) (mask >>> 24)).put((byte) (mask >>> 16)).put((byte) (mask >>> 8)).put((byte) mask);
            return new int[] {b.getInt(0), b.getInt(4)};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("chksumCtl: '" + cidr
                    + "' is not an IPv4 network; write it as a.b.c.d/len, e.g. 10.0.0.0/8");
        }
    }
}
