package io.github.jnids.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes a minimal pcapng file (little-endian): one Section Header Block, one
 * Interface Description Block (microsecond timestamps, the default
 * {@code if_tsresol}) and one Enhanced Packet Block per packet.
 */
public final class PcapngWriter implements CaptureWriter {
    static final int SHB = 0x0A0D0D0A, IDB = 0x00000001, EPB = 0x00000006;
    static final short OPT_ENDOFOPT = 0, OPT_COMMENT = 1;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final int linktype;
    private final int snaplen;
    private Link link;

    public PcapngWriter(int linktype) {
        this(linktype, 262144, null);
    }

    /** @param comment an {@code opt_comment} for the section header, or null for none */
    public PcapngWriter(int linktype, int snaplen, String comment) {
        this.linktype = linktype;
        this.snaplen = snaplen;
        this.link = Link.of(linktype, ByteOrder.LITTLE_ENDIAN);
        ByteBuffer body = le(16);
        body.putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1L); // length unspecified
        block(SHB, body.array(), comment);
        ByteBuffer idb = le(8);
        idb.putShort((short) linktype).putShort((short) 0).putInt(snaplen);
        block(IDB, idb.array(), null);
    }

    public PcapngWriter link(Link link) {
        this.link = link;
        return this;
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static int pad4(int n) {
        return (n + 3) & ~3;
    }

    /** Writes a block: type, total length, body (padded), options, total length. */
    private void block(int type, byte[] body, String comment) {
        byte[] options = new byte[0];
        if (comment != null) {
            byte[] c = comment.getBytes(StandardCharsets.UTF_8);
            ByteBuffer o = le(4 + pad4(c.length) + 4);
            o.putShort(OPT_COMMENT).putShort((short) c.length).put(c);
            o.position(4 + pad4(c.length));
            o.putShort(OPT_ENDOFOPT).putShort((short) 0);
            options = o.array();
        }
        int total = 12 + pad4(body.length) + options.length;
        ByteBuffer b = le(total);
        b.putInt(type).putInt(total).put(body);
        b.position(8 + pad4(body.length));
        b.put(options).putInt(total);
        out.writeBytes(b.array());
    }

    @Override
    public int linktype() {
        return linktype;
    }

    /**
     * Adds another Interface Description Block (e.g. of another link type, which
     * libpcap refuses when it reaches it); its index is the number of IDBs before it.
     */
    public PcapngWriter addInterface(int linktype, int snaplen) {
        ByteBuffer idb = le(8);
        idb.putShort((short) linktype).putShort((short) 0).putInt(snaplen);
        block(IDB, idb.array(), null);
        return this;
    }

    @Override
    public PcapngWriter packet(long micros, byte[] frame) {
        return packet(0, micros, frame);
    }

    /** An Enhanced Packet Block on interface {@code iface}. */
    public PcapngWriter packet(int iface, long micros, byte[] frame) {
        int cap = Math.min(frame.length, snaplen);
        ByteBuffer b = le(20 + cap);
        b.putInt(iface).putInt((int) (micros >>> 32)).putInt((int) micros).putInt(cap).putInt(frame.length)
                .put(frame, 0, cap);
        block(EPB, b.array(), null);
        return this;
    }

    @Override
    public PcapngWriter ipPacket(long micros, byte[] ipDatagram) {
        return packet(micros, link.frame(ipDatagram));
    }

    @Override
    public byte[] bytes() {
        return out.toByteArray();
    }

    @Override
    public int size() {
        return out.size();
    }
}
