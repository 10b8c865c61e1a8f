package io.github.jnids.cli;

import java.nio.ByteBuffer;

/**
 * With {@code --gaps skip}: a hole libnids gave up is written to the dump as
 * zero bytes, so that every byte of a direction's file is at its stream
 * offset, as tcpflow writes it. A hole at the very end of a direction (bytes
 * acknowledged but never seen, nothing after them) is not written: the file
 * ends with the last byte captured.
 */
final class GapFill {
    /** Zeros shared by every hole: written from, never changed. */
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1 << 16).asReadOnlyBuffer();

    private GapFill() { }

    /** Writes {@code missing} zero bytes to the sink: the hole right before the bytes about to be written. */
    static void before(Dumper dumper, Dumper.Sink sink, long missing) {
        while (missing > 0) {
            int n = (int) Math.min(missing, ZEROS.capacity());
            dumper.write(sink, ZEROS.duplicate().limit(n), n);
            missing -= n;
        }
    }
}
