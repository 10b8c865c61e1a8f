package io.github.jnids;

import java.nio.ByteBuffer;

/**
 * Receives IP datagrams: defragmented ones through {@link Nids#registerIp},
 * every captured IP packet (fragments included) through {@link Nids#registerIpFrag}.
 *
 * <pre>{@code
 * Nids.registerIp(ip -> System.out.println("IP datagram of " + ip.remaining() + " bytes"));
 * }</pre>
 */
@FunctionalInterface
public interface IpHandler {
    /** @param ipPacket the datagram, read-only, valid during the call only */
    void accept(ByteBuffer ipPacket) throws Exception;
}
