package io.github.jnids;

/**
 * Receives TCP stream events, like a pynids {@code tcpcallback(tcp)}.
 *
 * <pre>{@code
 * Nids.registerTcp(tcp -> {
 *     if (tcp.nidsState() == Nids.NIDS_JUST_EST) {
 *         tcp.client().collect(true);
 *         tcp.server().collect(true);
 *     }
 * });
 * }</pre>
 *
 * The {@link TcpStream} and its views are valid only until the method returns.
 * An exception stops the run and propagates out of {@link Nids#run()}.
 */
@FunctionalInterface
public interface TcpHandler {
    void accept(TcpStream tcp) throws Exception;
}
