package io.github.jnids.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a whole capture file into memory: classic pcap (either byte order,
 * microsecond or nanosecond timestamps) or pcapng (section header, interface
 * description, enhanced/simple/obsolete packet blocks; other blocks skipped).
 * Every packet keeps its timestamp in nanoseconds, its captured bytes and its
 * original length, so that a test can rewrite a capture record by record.
 * A pcapng file whose interfaces have different link types is refused: the
 * tools this feeds read one link type per file.
 */
public final class CaptureReader {
    /** One record: timestamp in ns since the epoch, original (wire) length, the captured bytes. */
    public record Record(long nanos, int origLen, byte[] data) { }

    /** A capture: its link type, snap length, the file's byte order and resolution (pcap), its records. */
    public record Capture(int linktype, int snaplen, ByteOrder order, boolean nanos, List<Record> records) { }

    private CaptureReader() { }

    public static Capture read(Path file) throws IOException {
        return read(Files.readAllBytes(file), file.toString());
    }

    /** Parses a capture; an IllegalArgumentException names what is wrong and where. */
    public static Capture read(byte[] bytes, String name) {
        if (bytes.length < 24) throw new IllegalArgumentException(name + ": " + bytes.length + " bytes, not a capture");
        int le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        int be = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN).getInt(0);
        if (le == 0x0a0d0d0a) return pcapng(bytes, name);
        for (int magic : new int[] {le, be}) {
            if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) {
                ByteOrder order = magic == le ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
                return pcap(ByteBuffer.wrap(bytes).order(order), magic == 0xa1b23c4d, name);
            }
        }
        throw new IllegalArgumentException(name + ": neither pcap nor pcapng (magic " + String.format("%08x", be) + ")");
    }

    private static Capture pcap(ByteBuffer b, boolean nanos, String name) {
        int snaplen = b.getInt(16);
        int linktype = b.getInt(20) & 0x0fffffff;
        List<Record> records = new ArrayList<>();
        int at = 24;
        while (at < b.limit()) {
            if (at + 16 > b.limit()) throw new IllegalArgumentException(name + ": record header cut at byte " + at);
            long sec = b.getInt(at) & 0xffffffffL, frac = b.getInt(at + 4) & 0xffffffffL;
            int caplen = b.getInt(at + 8), origLen = b.getInt(at + 12);
            if (caplen < 0 || at + 16 + caplen > b.limit()) {
                throw new IllegalArgumentException(name + ": record at byte " + at + " cut (" + caplen + " bytes)");
            }
            byte[] data = Arrays.copyOfRange(b.array(), at + 16, at + 16 + caplen);
            records.add(new Record(sec * 1_000_000_000L + (nanos ? frac : frac * 1000), origLen, data));
            at += 16 + caplen;
        }
        return new Capture(linktype, snaplen, b.order(), nanos, records);
    }

    private static Capture pcapng(byte[] bytes, String name) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        List<Record> records = new ArrayList<>();
        List<long[]> interfaces = new ArrayList<>(); // {linktype, snaplen, units per second}
        int at = 0;
        while (at + 12 <= bytes.length) {
            int type = b.order(ByteOrder.LITTLE_ENDIAN).getInt(at);
            if (type == 0x0a0d0d0a) {
                int magic = b.order(ByteOrder.LITTLE_ENDIAN).getInt(at + 8);
                b.order(magic == 0x1a2b3c4d ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
                interfaces.clear();
            }
            type = b.getInt(at);
            int len = b.getInt(at + 4);
            if (len < 12 || at + len > bytes.length) {
                throw new IllegalArgumentException(name + ": pcapng block at byte " + at + " has length " + len);
            }
            int body = at + 8;
            switch (type) {
                case 1 -> interfaces.add(new long[] {b.getShort(body) & 0xffff, b.getInt(body + 4),
                        unitsPerSecond(b, body + 8, at + len - 4)});
                case 6, 2 -> {
                    int ifc = type == 6 ? b.getInt(body) : b.getShort(body) & 0xffff;
                    long[] i = iface(interfaces, ifc, name, at);
                    long ts = ((b.getInt(body + 4) & 0xffffffffL) << 32) | (b.getInt(body + 8) & 0xffffffffL);
                    int caplen = b.getInt(body + 12), origLen = b.getInt(body + 16);
                    byte[] data = Arrays.copyOfRange(bytes, body + 20, body + 20 + caplen);
                    records.add(new Record(toNanos(ts, i[2]), origLen, data));
                }
                case 3 -> {
                    long[] i = iface(interfaces, 0, name, at);
                    int origLen = b.getInt(body);
                    int caplen = (int) Math.min(origLen, i[1] > 0 ? i[1] : origLen);
                    records.add(new Record(0, origLen, Arrays.copyOfRange(bytes, body + 4, body + 4 + caplen)));
                }
                default -> { }
            }
            at += len;
        }
        if (interfaces.isEmpty()) throw new IllegalArgumentException(name + ": pcapng file without an interface");
        long linktype = interfaces.get(0)[0];
        for (long[] i : interfaces) {
            if (i[0] != linktype) {
                throw new IllegalArgumentException(name + ": pcapng interfaces of link types " + linktype + " and "
                        + i[0] + "; one link type per file is supported");
            }
        }
        return new Capture((int) linktype, (int) interfaces.get(0)[1], ByteOrder.LITTLE_ENDIAN, true, records);
    }

    private static long[] iface(List<long[]> interfaces, int id, String name, int at) {
        if (id >= interfaces.size()) {
            throw new IllegalArgumentException(name + ": packet block at byte " + at + " names interface " + id
                    + " of " + interfaces.size());
        }
        return interfaces.get(id);
    }

    /** if_tsresol (option 9): 10^-n or 2^-n seconds; 10^-6 when absent. */
    private static long unitsPerSecond(ByteBuffer b, int from, int to) {
        int at = from;
        while (at + 4 <= to) {
            int code = b.getShort(at) & 0xffff, len = b.getShort(at + 2) & 0xffff;
            if (code == 0) break;
            if (code == 9 && len >= 1) {
                int v = b.get(at + 4) & 0xff;
                return (v & 0x80) != 0 ? 1L << (v & 0x7f) : (long) Math.pow(10, v);
            }
            at += 4 + ((len + 3) & ~3);
        }
        return 1_000_000L;
    }

    private static long toNanos(long ts, long unitsPerSecond) {
        return ts / unitsPerSecond * 1_000_000_000L + (ts % unitsPerSecond) * 1_000_000_000L / unitsPerSecond;
    }
}
