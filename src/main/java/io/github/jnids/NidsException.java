package io.github.jnids;

/**
 * An error reported by libnids, libpcap or jnids: a capture that cannot be
 * opened or read, a session that cannot start, a handler that failed with a
 * checked exception (the cause). pynids calls it {@code nids.error}.
 *
 * <pre>{@code
 * try {
 *     Nids.param("filename", "missing.pcap");
 *     Nids.init();
 * } catch (NidsException e) {
 *     System.err.println("[-] Error: " + e.getMessage());
 * }
 * }</pre>
 */
public class NidsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NidsException(String message) {
        super(message);
    }

    public NidsException(String message, Throwable cause) {
        super(message, cause);
    }
}
