package io.github.jnids.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A capture file being written in memory: classic pcap ({@link PcapWriter}) or
 * pcapng ({@link PcapngWriter}). {@link #ipPacket} wraps an IPv4 datagram in the
 * file's link-layer header ({@link Link}).
 */
public interface CaptureWriter {
    /** Adds a frame (link-layer header included) captured whole at {@code micros} since the epoch. */
    CaptureWriter packet(long micros, byte[] frame);

    /** Adds an IPv4 datagram framed for this file's link type. */
    CaptureWriter ipPacket(long micros, byte[] ipDatagram);

    /** The file's link type (LINKTYPE_* number as written in the file). */
    int linktype();

    /** The file's bytes so far. */
    byte[] bytes();

    /** Number of bytes written so far (the offset the next record starts at). */
    default int size() {
        return bytes().length;
    }

    default Path write(Path file) throws IOException {
        Files.write(file, bytes());
        return file;
    }
}
