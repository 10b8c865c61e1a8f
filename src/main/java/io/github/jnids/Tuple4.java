package io.github.jnids;

/**
 * The addresses of a TCP stream or UDP datagram: libnids' {@code struct tuple4},
 * or its {@code struct tuple6} for IPv6. For TCP, {@code src} is the client (the
 * side that sent the SYN). IPv4 addresses are dotted quads, IPv6 addresses RFC
 * 5952 text ({@code 2001:db8::1}; see {@link Addresses}).
 *
 * <pre>{@code
 * Nids.registerTcp(tcp -> {
 *     Tuple4 a = tcp.addr();
 *     System.out.println(a.src() + ":" + a.sport() + " -> " + a.dst() + ":" + a.dport());
 * });
 * }</pre>
 *
 * @param src   source address: dotted quad (IPv4) or RFC 5952 text (IPv6)
 * @param sport source port
 * @param dst   destination address, as {@code src}
 * @param dport destination port
 */
public record Tuple4(String src, int sport, String dst, int dport) {

    /** Formats like pynids' {@code tcp.addr}: {@code ((src, sport), (dst, dport))}. */
    @Override
    public String toString() {
        return "((" + src + ", " + sport + "), (" + dst + ", " + dport + "))";
    }

    /** Whether the addresses are IPv6 ones. */
    public boolean isIpv6() {
        return Addresses.isIpv6(src);
    }

    /** Formats an address libnids stores in network byte order, as read on this machine. */
    static String ipv4(int networkOrder) {
        int a = Integer.reverseBytes(networkOrder);
        if (java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.BIG_ENDIAN) {
            a = networkOrder;
        }
        return ((a >>> 24) & 0xff) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
    }
}
