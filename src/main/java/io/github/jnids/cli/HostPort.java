package io.github.jnids.cli;

/**
 * How the command's text lines write an address and port: {@code 10.0.0.1:80},
 * and an IPv6 address (RFC 5952 text, as {@code Tuple4} gives it) in brackets,
 * as in URLs: {@code [2001:db8::1]:443}. JSON records keep the plain address.
 */
final class HostPort {
    private HostPort() { }

    /** {@code host:port}, IPv6 in brackets. */
    static String of(String address, int port) {
        return host(address) + ":" + port;
    }

    /** The address alone, IPv6 in brackets (so that a following ':' cannot be read as part of it). */
    static String host(String address) {
        return address != null && address.indexOf(':') >= 0 ? "[" + address + "]" : String.valueOf(address);
    }
}
