package io.github.jnids;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

import org.bytedeco.javacpp.BytePointer;

import io.github.jnids.global.nids;

/**
 * A session's libnids checksum control lists: which networks' packets are not
 * checksum verified. IPv4 networks go to {@code nids_register_chksum_ctl},
 * IPv6 prefixes to {@code nids_register_chksum_ctl6}; each list keeps its
 * rules' order, and a rule of one family never applies to the other's
 * packets, so splitting the user's list keeps its first-match meaning. The
 * native session keeps its own copies of the tables, which libnids points
 * to, until the next call replaces them.
 */
final class ChecksumRules {
    private final nids.jnids_session session;

    ChecksumRules(nids.jnids_session session) {
        this.session = session;
    }

    void apply(List<Map.Entry<String, Boolean>> rules) {
        if (rules == null) throw new IllegalArgumentException("chksumCtl: the rule list is null; pass List.of() for none");
        int total = rules.size();
        int[] table = new int[3 * total];
        byte[] table6 = new byte[33 * total];
        int n = 0, n6 = 0;
        for (int i = 0; i < total; i++) {
            Map.Entry<String, Boolean> rule = rules.get(i);
            if (rule == null || rule.getKey() == null || rule.getValue() == null) {
                throw new IllegalArgumentException("chksumCtl: rule " + i + " is " + rule
                        + "; each rule is Map.entry(\"10.0.0.0/8\", false) or Map.entry(\"2001:db8::/32\", false)");
            }
            int action = rule.getValue() ? nids.NIDS_DO_CHKSUM : nids.NIDS_DONT_CHKSUM;
            if (Addresses.isIpv6(rule.getKey())) {
                byte[] net = parse6(rule.getKey());
                System.arraycopy(net, 0, table6, 33 * n6, 32);
                table6[33 * n6 + 32] = (byte) action;
                n6++;
            } else {
                int[] net = parse(rule.getKey());
                table[3 * n] = net[0] & net[1];
                table[3 * n + 1] = net[1];
                table[3 * n + 2] = action;
                n++;
            }
        }
        boolean failed;
        try (BytePointer rules6 = new BytePointer(Math.max(1, 33 * n6))) {
            rules6.put(table6, 0, 33 * n6);
            failed = nids.jnids_set_chksum_ctl(session, table, n) != 0
                    || nids.jnids_set_chksum_ctl6(session, rules6, n6) != 0;
        }
        if (failed) {
            throw new NidsException(NidsException.Reason.OUT_OF_MEMORY, "chksumCtl: no memory for " + total + " rules");
        }
    }

    /**
     * Parses an IPv6 prefix "addr/len" (or a bare address, /128) into its 16
     * address bytes followed by 16 mask bytes. Only address literals are
     * accepted (no host names, no zone index), so nothing is ever looked up.
     */
    static byte[] parse6(String cidr) {
        String s = cidr.trim();
        int slash = s.indexOf('/');
        String host = slash >= 0 ? s.substring(0, slash) : s;
        int bits = 128;
        byte[] address = null;
        try {
            if (slash >= 0) bits = Integer.parseInt(s.substring(slash + 1));
            if (host.matches("[0-9A-Fa-f:.]+") && bits >= 0 && bits <= 128) {
                java.net.InetAddress a = java.net.InetAddress.getByName("[" + host + "]");
                address = a.getAddress();
                if (address.length == 4) {
                    // Java folds ::ffff:a.b.c.d into IPv4; the IPv6 prefix is the mapped address
                    byte[] mapped = new byte[16];
                    mapped[10] = mapped[11] = (byte) 0xff;
                    System.arraycopy(address, 0, mapped, 12, 4);
                    address = mapped;
                }
            }
        } catch (NumberFormatException | java.net.UnknownHostException e) {
            address = null;
        }
        if (address == null) {
            throw new IllegalArgumentException("chksumCtl: '" + cidr
                    + "' is not an IPv6 prefix; write it as address/len, e.g. 2001:db8::/32 or ::/0");
        }
        byte[] out = new byte[32];
        for (int i = 0; i < 16; i++) {
            int m = bits >= 8 * (i + 1) ? 0xff : bits <= 8 * i ? 0 : (0xff << (8 - (bits - 8 * i))) & 0xff;
            out[i] = (byte) (address[i] & m);
            out[16 + i] = (byte) m;
        }
        return out;
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
