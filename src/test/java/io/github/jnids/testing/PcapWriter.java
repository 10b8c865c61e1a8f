package io.github.jnids.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes classic libpcap files (microsecond timestamps, little-endian). */
public final class PcapWriter {
    public static final int LINKTYPE_NULL = 0, LINKTYPE_ETHERNET = 1, LINKTYPE_RAW = 101,
            LINKTYPE_LINUX_SLL = 113;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final int snaplen;

    public PcapWriter(int linktype) {
        this(linktype, 262144);
    }

    public PcapWriter(int linktype, int snaplen) {
        this.snaplen = snaplen;
        ByteBuffer h = le(24);
        h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                .putInt(snaplen).putInt(linktype);
        out.writeBytes(h.array());
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Adds a packet captured whole at the given time (microseconds since the epoch). */
    public PcapWriter packet(long micros, byte[] frame) {
        return packet(micros, frame, frame.length, Math.min(frame.length, snaplen));
    }

    /** Adds a packet record with explicit lengths (for malformed files). */
    public PcapWriter packet(long micros, byte[] frame, int origLen, int capLen) {
        ByteBuffer h = le(16);
        h.putInt((int) (micros / 1_000_000)).putInt((int) (micros % 1_000_000)).putInt(capLen).putInt(origLen);
        out.writeBytes(h.array());
        out.write(frame, 0, Math.min(capLen, frame.length));
        return this;
    }

    public byte[] bytes() {
        return out.toByteArray();
    }

    public Path write(Path file) throws IOException {
        Files.write(file, bytes());
        return file;
    }
}
