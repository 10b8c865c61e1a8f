package io.github.jnids.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes classic libpcap files: little-endian with microsecond timestamps by
 * default; big-endian and nanosecond-resolution files on request.
 */
public final class PcapWriter implements CaptureWriter {
    public static final int LINKTYPE_NULL = 0, LINKTYPE_ETHERNET = 1, LINKTYPE_RAW = 101,
            LINKTYPE_LINUX_SLL = 113, LINKTYPE_USER0 = 147;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final int snaplen;
    private final int linktype;
    private final ByteOrder order;
    private final boolean nanos;
    private Link link;

    public PcapWriter(int linktype) {
        this(linktype, 262144);
    }

    public PcapWriter(int linktype, int snaplen) {
        this(linktype, snaplen, ByteOrder.LITTLE_ENDIAN, false);
    }

    /**
     * @param order the byte order of every header field (the writing host's, in a real capture)
     * @param nanos nanosecond timestamps (magic 0xa1b23c4d) instead of microseconds
     */
    public PcapWriter(int linktype, int snaplen, ByteOrder order, boolean nanos) {
        this.snaplen = snaplen;
        this.linktype = linktype;
        this.order = order;
        this.nanos = nanos;
        this.link = Link.of(linktype, order);
        ByteBuffer h = buf(24);
        h.putInt(nanos ? 0xa1b23c4d : 0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                .putInt(snaplen).putInt(linktype);
        out.writeBytes(h.array());
    }

    /** Frames IP datagrams with this framing from now on (e.g. {@link Link#vlan}). */
    public PcapWriter link(Link link) {
        this.link = link;
        return this;
    }

    private ByteBuffer buf(int n) {
        return ByteBuffer.allocate(n).order(order);
    }

    @Override
    public int linktype() {
        return linktype;
    }

    /** Adds a packet captured whole at the given time (microseconds since the epoch). */
    @Override
    public PcapWriter packet(long micros, byte[] frame) {
        return packet(micros, frame, frame.length, Math.min(frame.length, snaplen));
    }

    @Override
    public PcapWriter ipPacket(long micros, byte[] ipDatagram) {
        return packet(micros, link.frame(ipDatagram));
    }

    /** Adds a packet record with explicit lengths (for malformed files). */
    public PcapWriter packet(long micros, byte[] frame, int origLen, int capLen) {
        ByteBuffer h = buf(16);
        long frac = nanos ? (micros % 1_000_000) * 1000 : micros % 1_000_000;
        h.putInt((int) (micros / 1_000_000)).putInt((int) frac).putInt(capLen).putInt(origLen);
        out.writeBytes(h.array());
        out.write(frame, 0, Math.min(capLen, frame.length));
        return this;
    }

    @Override
    public byte[] bytes() {
        return out.toByteArray();
    }

    @Override
    public int size() {
        return out.size();
    }

    @Override
    public Path write(Path file) throws IOException {
        Files.write(file, bytes());
        return file;
    }
}
