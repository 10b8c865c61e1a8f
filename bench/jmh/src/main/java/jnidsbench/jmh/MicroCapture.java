package jnidsbench.jmh;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The small captures the microbenchmarks replay, so that every packet makes
 * exactly one callback:
 * <ul>
 * <li>{@code micro-tcp.pcap}: one connection (handshake, FIN close) whose
 * client sends {@link #SEGMENTS} in-order segments of {@link #PAYLOAD} bytes;
 * the server acknowledges every 32nd. With both directions collected, each
 * segment is one NIDS_DATA callback.</li>
 * <li>{@code micro-udp.pcap}: {@link #DATAGRAMS} UDP datagrams of
 * {@link #PAYLOAD} bytes: one UDP and one IP callback each.</li>
 * </ul>
 * Checksums are valid; the content is deterministic.
 *
 * <pre>java -cp ... jnidsbench.jmh.MicroCapture DIR</pre>
 */
public final class MicroCapture {
    public static final int SEGMENTS = 20000;
    public static final int DATAGRAMS = 20000;
    public static final int PAYLOAD = 64;
    /** Packets of micro-tcp.pcap that are not data segments (handshake, ACKs, close). */
    public static final int TCP_OTHER = 3 + SEGMENTS / 32 + 3;

    private final OutputStream out;
    private long usec = 1_700_000_000_000_000L;
    private int ipId;

    private MicroCapture(OutputStream out) throws IOException {
        this.out = out;
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        out.write(h.array());
    }

    public static Path tcp(Path dir) {
        return dir.resolve("micro-tcp.pcap");
    }

    public static Path udp(Path dir) {
        return dir.resolve("micro-udp.pcap");
    }

    /** Writes both captures into dir unless they are there. */
    public static void ensure(Path dir) throws IOException {
        Files.createDirectories(dir);
        if (!Files.exists(tcp(dir))) writeTcp(tcp(dir));
        if (!Files.exists(udp(dir))) writeUdp(udp(dir));
    }

    static void writeTcp(Path path) throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + ".part");
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
            MicroCapture w = new MicroCapture(os);
            int c = 0x0a000001, s = 0x0a000002, cp = 40000, sp = 80;
            int cIsn = 1000, sIsn = 500000;
            byte[] payload = new byte[PAYLOAD];
            for (int i = 0; i < PAYLOAD; i++) payload[i] = (byte) (i * 7 + 1);
            w.tcp(c, s, cp, sp, cIsn, 0, 0x02, null);
            w.tcp(s, c, sp, cp, sIsn, cIsn + 1, 0x12, null);
            w.tcp(c, s, cp, sp, cIsn + 1, sIsn + 1, 0x10, null);
            int seq = cIsn + 1;
            for (int i = 0; i < SEGMENTS; i++) {
                w.tcp(c, s, cp, sp, seq, sIsn + 1, 0x18, payload);
                seq += PAYLOAD;
                if (i % 32 == 31) w.tcp(s, c, sp, cp, sIsn + 1, seq, 0x10, null);
            }
            w.tcp(c, s, cp, sp, seq, sIsn + 1, 0x11, null);
            w.tcp(s, c, sp, cp, sIsn + 1, seq + 1, 0x11, null);
            w.tcp(c, s, cp, sp, seq + 1, sIsn + 2, 0x10, null);
        }
        Files.move(tmp, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    static void writeUdp(Path path) throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + ".part");
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
            MicroCapture w = new MicroCapture(os);
            byte[] payload = new byte[PAYLOAD];
            for (int i = 0; i < PAYLOAD; i++) payload[i] = (byte) (i * 5 + 3);
            for (int i = 0; i < DATAGRAMS; i++) {
                w.udp(0x0a000001 + (i % 16), 0xac100001, 5000 + (i % 16), 53, payload);
            }
        }
        Files.move(tmp, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static int sum16(byte[] b, int off, int len, int acc) {
        int i = 0;
        for (; i + 1 < len; i += 2) acc += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
        if (i < len) acc += (b[off + i] & 0xff) << 8;
        return acc;
    }

    private static int fold(int acc) {
        long a = acc & 0xffffffffL;
        while ((a >> 16) != 0) a = (a & 0xffff) + (a >> 16);
        return (int) (~a & 0xffff);
    }

    private ByteBuffer ip(int src, int dst, int proto, int ipLen) {
        ByteBuffer f = ByteBuffer.allocate(14 + ipLen);
        f.put(new byte[] {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 8, 0});
        f.put((byte) 0x45).put((byte) 0).putShort((short) ipLen).putShort((short) ipId++).putShort((short) 0)
                .put((byte) 64).put((byte) proto).putShort((short) 0).putInt(src).putInt(dst);
        f.putShort(14 + 10, (short) fold(sum16(f.array(), 14, 20, 0)));
        return f;
    }

    private void tcp(int src, int dst, int sport, int dport, int seq, int ack, int flags, byte[] payload) throws IOException {
        int len = payload == null ? 0 : payload.length;
        ByteBuffer f = ip(src, dst, 6, 40 + len);
        f.putShort((short) sport).putShort((short) dport).putInt(seq).putInt(ack).put((byte) 0x50).put((byte) flags)
                .putShort((short) 65535).putShort((short) 0).putShort((short) 0);
        if (len > 0) f.put(payload);
        byte[] a = f.array();
        int acc = sum16(a, 26, 8, 0) + 6 + 20 + len;
        f.putShort(34 + 16, (short) fold(sum16(a, 34, 20 + len, acc)));
        record(a);
    }

    private void udp(int src, int dst, int sport, int dport, byte[] payload) throws IOException {
        int len = 8 + payload.length;
        ByteBuffer f = ip(src, dst, 17, 20 + len);
        f.putShort((short) sport).putShort((short) dport).putShort((short) len).putShort((short) 0).put(payload);
        byte[] a = f.array();
        int c = fold(sum16(a, 34, len, sum16(a, 26, 8, 0) + 17 + len));
        f.putShort(34 + 6, (short) (c == 0 ? 0xffff : c));
        record(a);
    }

    private void record(byte[] frame) throws IOException {
        usec += 10;
        ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        r.putInt((int) (usec / 1_000_000)).putInt((int) (usec % 1_000_000)).putInt(frame.length).putInt(frame.length);
        out.write(r.array());
        out.write(frame);
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "../out");
        Files.deleteIfExists(tcp(dir));
        Files.deleteIfExists(udp(dir));
        ensure(dir);
        System.out.println(tcp(dir) + " " + udp(dir));
    }
}
