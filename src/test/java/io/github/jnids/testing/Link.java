package io.github.jnids.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Link-layer framing of an IPv4 datagram for the link types libnids reads:
 * Ethernet (optionally 802.1Q-tagged), Linux cooked (SLL), raw IP and BSD
 * loopback (NULL).
 */
public final class Link {
    private final int linktype;
    private final int vlan;
    private final ByteOrder nullOrder;

    private Link(int linktype, int vlan, ByteOrder nullOrder) {
        this.linktype = linktype;
        this.vlan = vlan;
        this.nullOrder = nullOrder;
    }

    /** Plain framing for a link type: Ethernet II, SLL, raw or NULL (family in {@code nullOrder}). */
    public static Link of(int linktype, ByteOrder nullOrder) {
        return new Link(linktype, -1, nullOrder);
    }

    /** Ethernet frames carrying an 802.1Q tag with this VLAN id (0..4095). */
    public static Link vlan(int vlanId) {
        if (vlanId < 0 || vlanId > 4095) throw new IllegalArgumentException("VLAN id " + vlanId);
        return new Link(PcapWriter.LINKTYPE_ETHERNET, vlanId, ByteOrder.LITTLE_ENDIAN);
    }

    public int linktype() {
        return linktype;
    }

    /** Frames an IPv4 datagram; for link types without a framing, the datagram is returned as is. */
    public byte[] frame(byte[] ip) {
        switch (linktype) {
            case PcapWriter.LINKTYPE_ETHERNET:
                return vlan < 0 ? Packets.ethernet(ip) : Packets.ethernetVlan(vlan, ip);
            case PcapWriter.LINKTYPE_LINUX_SLL:
                return Packets.linuxSll(ip);
            case PcapWriter.LINKTYPE_NULL: {
                ByteBuffer b = ByteBuffer.allocate(4 + ip.length);
                b.order(nullOrder).putInt(2 /* AF_INET */).put(ip);
                return b.array();
            }
            case PcapWriter.LINKTYPE_RAW:
            default:
                return ip.clone();
        }
    }
}
