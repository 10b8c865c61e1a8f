package io.github.jnids.spark;

import java.util.List;
import java.util.Map;

import io.github.jnids.TcpHandler;
import io.github.jnids.UdpHandler;
import io.github.jnids.WarningHandler;

/**
 * The libnids engine one partition reader drives: the calls of jnids' session
 * API that the reader needs, so that it does not depend on how engines are
 * shared in the JVM.
 */
interface Engine extends AutoCloseable {
    Object param(String name, Object value);

    void chksumCtl(List<Map.Entry<String, Boolean>> rules);

    void registerTcp(TcpHandler h);

    void registerUdp(UdpHandler h);

    void registerWarning(WarningHandler h);

    void init();

    int dispatch(int count);

    void exit();

    double getPktTs();

    long packetCount();

    boolean isOpen();

    /** Ends the session if open and releases the engine; idempotent. */
    @Override
    void close();
}
