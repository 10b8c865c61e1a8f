package io.github.jnids;

/**
 * Text forms of the IP addresses jnids reports: IPv4 as a dotted quad, IPv6
 * as RFC 5952 says (lowercase hexadecimal groups without leading zeros, the
 * longest run of two or more zero groups written {@code ::}, the leftmost of
 * equal runs, IPv4-mapped addresses as {@code ::ffff:a.b.c.d}).
 *
 * <pre>{@code
 * byte[] a = java.net.InetAddress.getByName("2001:0db8:0:0:1:0:0:1").getAddress();
 * System.out.println(Addresses.text(a));          // 2001:db8::1:0:0:1
 * System.out.println(Addresses.isIpv6("fd00::1"));  // true
 * }</pre>
 */
public final class Addresses {
    private Addresses() {
    }

    /**
     * The text of a 4-byte IPv4 or 16-byte IPv6 address in network byte order.
     *
     * @throws IllegalArgumentException if the array is neither 4 nor 16 bytes long
     */
    public static String text(byte[] address) {
        if (address == null || (address.length != 4 && address.length != 16)) {
            throw new IllegalArgumentException("an IP address is 4 (IPv4) or 16 (IPv6) bytes, not "
                    + (address == null ? "null" : address.length + " bytes"));
        }
        if (address.length == 4) {
            return (address[0] & 0xff) + "." + (address[1] & 0xff) + "." + (address[2] & 0xff) + "." + (address[3] & 0xff);
        }
        long hi = 0, lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = hi << 8 | (address[i] & 0xff);
            lo = lo << 8 | (address[8 + i] & 0xff);
        }
        return ipv6(hi, lo);
    }

    /** Whether an address text, as in {@link Tuple4}, is an IPv6 address. */
    public static boolean isIpv6(String address) {
        return address != null && address.indexOf(':') >= 0;
    }

    /** An IPv6 address given as its bytes 0-7 and 8-15, each a big-endian long (jnids' box slots). */
    static String ipv6(long hi, long lo) {
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) (hi >>> (48 - 16 * i)) & 0xffff;
            g[4 + i] = (int) (lo >>> (48 - 16 * i)) & 0xffff;
        }
        if (hi == 0 && (lo >>> 32) == 0xffffL) {
            return "::ffff:" + (g[6] >>> 8) + "." + (g[6] & 0xff) + "." + (g[7] >>> 8) + "." + (g[7] & 0xff);
        }
        int best = -1, bestLen = 0;
        for (int i = 0; i < 8;) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLen) {
                best = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestLen < 2) best = -1;
        StringBuilder b = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == best) {
                b.append("::");
                i += bestLen - 1;
                continue;
            }
            if (i > 0 && i != best + bestLen) b.append(':');
            b.append(Integer.toHexString(g[i]));
        }
        return b.toString();
    }
}
