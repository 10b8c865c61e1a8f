package io.github.jnids.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Cuts records off the front of a classic pcap file, as a capture that was
 * started later would be: the same header, the records after the first
 * {@code n}. Either byte order, micro- or nanosecond timestamps.
 */
public final class PcapCut {
    private PcapCut() { }

    public static Path dropFirst(Path from, int n, Path to) throws IOException {
        byte[] b = Files.readAllBytes(from);
        ByteBuffer in = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int magic = in.getInt(0);
        if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
            in.order(ByteOrder.BIG_ENDIAN);
            magic = in.getInt(0);
            if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
                throw new IllegalArgumentException(from + " is not a classic pcap file (magic " + Integer.toHexString(magic) + ")");
            }
        }
        int pos = 24;
        for (int i = 0; i < n && pos + 16 <= b.length; i++) pos += 16 + in.getInt(pos + 8);
        pos = Math.min(pos, b.length);
        byte[] out = new byte[24 + b.length - pos];
        System.arraycopy(b, 0, out, 0, 24);
        System.arraycopy(b, pos, out, 24, b.length - pos);
        return Files.write(to, out);
    }
}
