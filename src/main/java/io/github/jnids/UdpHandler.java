package io.github.jnids;

import java.nio.ByteBuffer;

/**
 * Receives UDP datagrams that passed libnids' checks (and defragmentation).
 *
 * <pre>{@code
 * Nids.registerUdp((addr, payload, ip) ->
 *     System.out.println(addr + " " + payload.remaining() + " bytes"));
 * }</pre>
 *
 * @see Nids#registerUdp(UdpHandler)
 */
@FunctionalInterface
public interface UdpHandler {
    /**
     * @param addr     the datagram's addresses and ports
     * @param payload  the UDP payload, read-only, valid during the call only
     * @param ipPacket the whole IP datagram, read-only, valid during the call only
     */
    void accept(Tuple4 addr, ByteBuffer payload, ByteBuffer ipPacket) throws Exception;
}
