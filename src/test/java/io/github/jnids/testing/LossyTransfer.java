package io.github.jnids.testing;

import static io.github.jnids.testing.Packets.*;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * A TCP conversation in which some segments were sent but not captured, with
 * the generator's own record of what each direction sent and which of its
 * bytes the capture lacks: the ground truth for libnids' {@code tcp_gaps}.
 * Each segment is either written or {@linkplain #lose lost}; the receiver's
 * acknowledgements are written or not as the test says, and a lost segment
 * may be {@linkplain #retransmit retransmitted} later.
 *
 * <pre>{@code
 * LossyTransfer t = new LossyTransfer(new PcapWriter(PcapWriter.LINKTYPE_ETHERNET), 40000);
 * t.send(true, data(100, 1)).lose(true, data(100, 2)).send(true, data(100, 3)).ack(true);
 * t.close();
 * t.truth(true).missing();   // 100
 * }</pre>
 */
public final class LossyTransfer {
    /** One direction's truth: every byte sent, and which were never captured. */
    public static final class Direction {
        private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
        private final BitSet lost = new BitSet();
        private final BitSet refilled = new BitSet();
        /** Stream offsets of the segments sent, for retransmissions. */
        private final List<int[]> segments = new ArrayList<>();

        /** Every byte this direction sent, in order. */
        public byte[] sent() {
            return sent.toByteArray();
        }

        /** Bytes the capture never shows (a lost segment retransmitted later is not lost). */
        public BitSet lost() {
            BitSet b = (BitSet) lost.clone();
            b.andNot(refilled);
            return b;
        }

        /** How many bytes the capture lacks. */
        public long missing() {
            return lost().cardinality();
        }

        /** How many runs of missing bytes. */
        public int holes() {
            BitSet b = lost();
            int n = 0;
            for (int i = b.nextSetBit(0); i >= 0; i = b.nextSetBit(b.nextClearBit(i))) n++;
            return n;
        }

        /** The sent bytes with the missing ones zeroed: what a dump writes at each stream offset. */
        public byte[] image() {
            byte[] img = sent();
            BitSet b = lost();
            for (int i = b.nextSetBit(0); i >= 0; i = b.nextSetBit(i + 1)) img[i] = 0;
            return img;
        }
    }

    private final TcpConversation c;
    private final Direction toServer = new Direction(), toClient = new Direction();

    public LossyTransfer(CaptureWriter out, int clientPort) {
        c = new TcpConversation(out, "10.0.0.1", clientPort, "10.0.0.2", 80).at(1_700_000_000_000_000L);
        c.handshake();
    }

    /** The conversation, for anything else a test writes. */
    public TcpConversation conversation() {
        return c;
    }

    /** The truth of the client's ({@code fromClient}) or the server's data. */
    public Direction truth(boolean fromClient) {
        return fromClient ? toServer : toClient;
    }

    /** A segment, captured, with no acknowledgement. */
    public LossyTransfer send(boolean fromClient, byte[] data) {
        return segment(fromClient, data, ACK | PSH, 0, true);
    }

    /** A segment that was sent but not captured. */
    public LossyTransfer lose(boolean fromClient, byte[] data) {
        return segment(fromClient, data, ACK | PSH, 0, false);
    }

    /** A segment with URG and urgent pointer {@code urp} (byte {@code urp - 1} urgent, as libnids reads it). */
    public LossyTransfer urgent(boolean fromClient, byte[] data, int urp, boolean captured) {
        return segment(fromClient, data, ACK | PSH | URG, urp, captured);
    }

    /** The receiver of {@code fromClient}'s data acknowledges all of it sent so far. */
    public LossyTransfer ack(boolean fromClient) {
        if (fromClient) c.serverAck(); else c.clientAck();
        return this;
    }

    /** The {@code index}-th segment of a direction (0 first) sent again, captured this time. */
    public LossyTransfer retransmit(boolean fromClient, int index) {
        Direction d = truth(fromClient);
        int[] s = d.segments.get(index);
        byte[] all = d.sent();
        long isn = fromClient ? c.clientSeq() - all.length : c.serverSeq() - all.length;
        long other = fromClient ? c.serverSeq() : c.clientSeq();
        c.raw(fromClient, (isn + s[0]) & 0xffffffffL, other, ACK | PSH, slice(all, s[0], s[1]));
        d.refilled.set(s[0], s[1]);
        return this;
    }

    /** Orderly close: client FIN, server FIN, last ACK, all captured. */
    public LossyTransfer close() {
        c.close();
        return this;
    }

    private LossyTransfer segment(boolean fromClient, byte[] data, int flags, int urp, boolean captured) {
        Direction d = truth(fromClient);
        int from = d.sent.size();
        long seq = fromClient ? c.clientSeq() : c.serverSeq();
        long ack = fromClient ? c.serverSeq() : c.clientSeq();
        if (captured) {
            c.raw(fromClient, seq, ack, flags, urp, data);
        } else {
            d.lost.set(from, from + data.length);
            c.after(100);
        }
        d.sent.writeBytes(data);
        d.segments.add(new int[] {from, from + data.length});
        if (fromClient) c.clientAdvance(data.length); else c.serverAdvance(data.length);
        return this;
    }

    /** {@code n} bytes of a pattern that differs with {@code seed} and never holds a zero byte. */
    public static byte[] data(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) ('A' + (i * 7 + seed * 13) % 26);
        return b;
    }
}
