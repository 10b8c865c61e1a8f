/**
 * libnids (TCP stream reassembly, IP defragmentation, port-scan detection) for
 * Java, in pynids' shape: {@link io.github.jnids.Nids} is the module-level API
 * over one default session, {@link io.github.jnids.NidsSession} an independent
 * engine of its own.
 *
 * <p><b>Concurrency:</b> sessions are independent and may run in parallel on
 * different threads; one session is used by one thread at a time (any thread),
 * except {@code stop()}, which any thread may call at any time without blocking.
 * <br><b>Lifetime:</b> handler arguments ({@code TcpStream}, buffers) are valid
 * only during the callback; a session lives until {@code close()} (or, unclosed,
 * until it is garbage-collected, which frees it with a warning).
 */
package io.github.jnids;
