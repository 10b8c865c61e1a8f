package io.github.jnids;

import static io.github.jnids.testing.LossyTransfer.data;
import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.jnids.global.nids;
import io.github.jnids.testing.LossyTransfer;
import io.github.jnids.testing.PcapWriter;

/**
 * tcp_gaps (libnids patch 0050) against the generator's ground truth: for
 * every kind of hole, which bytes are delivered at which stream offset, which
 * are reported missing, and when; with "wait", libnids' behaviour.
 */
class GapsTest {
    @TempDir
    Path dir;

    /** What one half stream showed a handler. */
    static final class Half {
        final ByteArrayOutputStream image = new ByteArrayOutputStream();
        final BitSet delivered = new BitSet();
        final List<Long> gapsBefore = new ArrayList<>();
        final List<Double> gapTimes = new ArrayList<>();
        final ByteArrayOutputStream urgent = new ByteArrayOutputStream();
        long end; // stream offset after the last delivered byte
        int gaps;
        long missing;

        /** Records the callback's new bytes at their stream offset; checks gapBefore against the offsets. */
        void data(HalfStream h, double ts) {
            long offset = (long) h.count() - h.countNew() + h.missingBytes();
            byte[] all = h.data();
            byte[] fresh = Arrays.copyOfRange(all, all.length - h.countNew(), all.length);
            assertEquals(end + h.gapBefore(), offset, "gapBefore() is the distance from the previous bytes");
            if (h.gapBefore() > 0) {
                gapsBefore.add(h.gapBefore());
                gapTimes.add(ts);
            }
            byte[] img = image.toByteArray();
            image.reset();
            image.writeBytes(Arrays.copyOf(img, (int) offset));
            image.writeBytes(fresh);
            delivered.set((int) offset, (int) offset + fresh.length);
            end = offset + fresh.length;
        }

        void last(HalfStream h) {
            gaps = h.gaps();
            missing = h.missingBytes();
            assertTrue(h.gapBefore() <= missing);
        }
    }

    static final class Recorder implements TcpHandler {
        final Half toServer = new Half(), toClient = new Half();
        int endState;
        int streams;
        final NidsSession session;

        Recorder(NidsSession session) {
            this.session = session;
        }

        @Override
        public void accept(TcpStream tcp) {
            switch (tcp.nidsState()) {
                case Nids.NIDS_JUST_EST -> {
                    streams++;
                    tcp.client().collect(true);
                    tcp.server().collect(true);
                    tcp.client().collectUrg(true);
                    tcp.server().collectUrg(true);
                }
                case Nids.NIDS_DATA -> {
                    HalfStream s = tcp.server(), c = tcp.client();
                    if (s.countNewUrg() > 0) toServer.urgent.write(s.urgdata());
                    else if (c.countNewUrg() > 0) toClient.urgent.write(c.urgdata());
                    else if (s.countNew() > 0) toServer.data(s, session.getPktTs());
                    else toClient.data(c, session.getPktTs());
                    toServer.last(s);
                    toClient.last(c);
                }
                default -> {
                    endState = tcp.nidsState();
                    toServer.last(tcp.server());
                    toClient.last(tcp.client());
                }
            }
        }

        Half half(boolean fromClient) {
            return fromClient ? toServer : toClient;
        }
    }

    private final java.util.Map<LossyTransfer, PcapWriter> writers = new java.util.HashMap<>();

    private LossyTransfer transfer(int port) {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        LossyTransfer t = new LossyTransfer(w, port);
        writers.put(t, w);
        return t;
    }

    private Path pcap(String name, LossyTransfer t) throws Exception {
        return writers.get(t).write(dir.resolve(name + ".pcap"));
    }

    private static Recorder run(Path file, String gaps, Object... params) {
        try (NidsSession s = new NidsSession()) {
            s.param("filename", file.toString());
            s.param("tcp_gaps", gaps);
            for (int i = 0; i < params.length; i += 2) s.param((String) params[i], params[i + 1]);
            Recorder r = new Recorder(s);
            s.registerTcp(r);
            s.init();
            s.run();
            return r;
        }
    }

    /** Every byte captured is delivered at its offset, every byte lost is reported missing, in as many gaps. */
    private static void assertMatchesTruth(LossyTransfer t, Recorder r, boolean fromClient) {
        LossyTransfer.Direction truth = t.truth(fromClient);
        Half h = r.half(fromClient);
        String dir = fromClient ? "client to server" : "server to client";
        BitSet expected = new BitSet();
        expected.set(0, truth.sent().length);
        expected.andNot(truth.lost());
        assertEquals(expected, h.delivered, dir + ": the bytes delivered");
        assertArrayEquals(truth.image(), h.image.toByteArray(), dir + ": the bytes at their offsets");
        assertEquals(truth.missing(), h.missing, dir + ": missingBytes()");
        assertEquals(truth.holes(), h.gaps, dir + ": gaps()");
        assertEquals(truth.sent().length, h.delivered.cardinality() + h.missing, dir + ": delivered + missing = sent");
    }

    private static void assertWaitStopsAtFirstHole(LossyTransfer t, Recorder r, boolean fromClient) {
        LossyTransfer.Direction truth = t.truth(fromClient);
        Half h = r.half(fromClient);
        int firstLost = truth.lost().nextSetBit(0);
        int prefix = firstLost < 0 ? truth.sent().length : firstLost;
        assertArrayEquals(Arrays.copyOf(truth.sent(), prefix), h.image.toByteArray(), "wait: the bytes before the first hole only");
        assertEquals(0, h.gaps);
        assertEquals(0, h.missing);
        assertTrue(h.gapsBefore.isEmpty());
    }

    @Test
    void lostSegmentTheReceiverAcknowledges() throws Exception {
        LossyTransfer t = transfer(40001);
        for (int i = 0; i < 10; i++) {
            if (i == 3) t.lose(true, data(100, i)); else t.send(true, data(100, i));
            t.ack(true);
        }
        t.send(false, data(50, 20)).ack(false).close();
        Path f = pcap("acked", t);

        Recorder skip = run(f, "skip");
        assertMatchesTruth(t, skip, true);
        assertMatchesTruth(t, skip, false);
        assertEquals(List.of(100L), skip.toServer.gapsBefore);
        assertEquals(Nids.NIDS_CLOSE, skip.endState, "the FIN after the hole is delivered, the stream closes");

        Recorder wait = run(f, "wait");
        assertWaitStopsAtFirstHole(t, wait, true);
        assertMatchesTruth(t, wait, false);
        assertEquals(Nids.NIDS_EXITING, wait.endState, "libnids: the client's FIN waits behind the hole");
    }

    @Test
    void lostSegmentNeverAcknowledgedWaitsForTheEnd() throws Exception {
        LossyTransfer t = transfer(40002);
        for (int i = 0; i < 8; i++) {
            if (i == 2) t.lose(true, data(100, i)); else t.send(true, data(100, i));
        }
        Path f = pcap("unacked", t);
        Recorder skip = run(f, "skip");
        assertMatchesTruth(t, skip, true);
        assertEquals(Nids.NIDS_EXITING, skip.endState);
        // released by the end of the capture: after its last packet
        double lastTs = t.conversation().micros() / 1e6;
        assertEquals(1, skip.toServer.gapTimes.size());
        assertEquals(lastTs, skip.toServer.gapTimes.get(0), 1e-6);

        Recorder wait = run(f, "wait");
        assertWaitStopsAtFirstHole(t, wait, true);
    }

    @Test
    void theQueueLimitGivesAHoleUpEarly() throws Exception {
        LossyTransfer t = transfer(40003);
        List<Double> sentAt = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            if (i == 1) t.lose(true, data(100, i)); else t.send(true, data(100, i));
            sentAt.add(t.conversation().micros() / 1e6);
        }
        t.conversation().reset();
        Path f = pcap("bound", t);
        // 350 bytes: the fourth segment held behind the hole (400 bytes) releases it
        Recorder skip = run(f, "skip", "tcp_gap_queue_limit", 350);
        assertMatchesTruth(t, skip, true);
        assertEquals(List.of(100L), skip.toServer.gapsBefore);
        assertEquals(sentAt.get(5), skip.toServer.gapTimes.get(0), 1e-6, "released by the segment that passed the bound");
        assertEquals(Nids.NIDS_RESET, skip.endState);

        Recorder big = run(f, "skip");
        assertMatchesTruth(t, big, true);
        assertTrue(big.toServer.gapTimes.get(0) > sentAt.get(11), "the default bound holds it all; the reset releases it");
        assertEquals(Nids.NIDS_RESET, big.endState);
    }

    @Test
    void severalHolesAdjacentLossesCountAsOne() throws Exception {
        LossyTransfer t = transfer(40004);
        boolean[] lost = {false, false, true, true, false, false, true, false, true, false, false};
        for (int i = 0; i < lost.length; i++) {
            if (lost[i]) t.lose(true, data(60 + i, i)); else t.send(true, data(60 + i, i));
            if (i % 2 == 1) t.ack(true);
        }
        t.ack(true).close();
        Path f = pcap("several", t);
        Recorder skip = run(f, "skip");
        assertMatchesTruth(t, skip, true);
        assertEquals(3, skip.toServer.gaps);
        assertEquals(List.of(62L + 63L, 66L, 68L), skip.toServer.gapsBefore);
        assertEquals(Nids.NIDS_CLOSE, skip.endState);
    }

    @Test
    void aHoleInEachDirection() throws Exception {
        LossyTransfer t = transfer(40005);
        t.send(true, data(200, 1)).lose(true, data(300, 2)).send(true, data(100, 3)).ack(true);
        t.send(false, data(500, 4)).send(false, data(500, 5)).lose(false, data(700, 6))
                .lose(false, data(10, 7)).send(false, data(90, 8)).ack(false);
        t.send(true, data(40, 9)).ack(true).close();
        Path f = pcap("both", t);
        Recorder skip = run(f, "skip");
        assertMatchesTruth(t, skip, true);
        assertMatchesTruth(t, skip, false);
        assertEquals(List.of(300L), skip.toServer.gapsBefore);
        assertEquals(List.of(710L), skip.toClient.gapsBefore);
        assertEquals(Nids.NIDS_CLOSE, skip.endState);

        Recorder wait = run(f, "wait");
        assertWaitStopsAtFirstHole(t, wait, true);
        assertWaitStopsAtFirstHole(t, wait, false);
    }

    @Test
    void aRetransmissionBeforeTheAcknowledgementFillsTheHole() throws Exception {
        LossyTransfer t = transfer(40006);
        t.send(true, data(100, 1)).lose(true, data(100, 2)).send(true, data(100, 3)).send(true, data(100, 4));
        t.retransmit(true, 1).ack(true).close();
        Path f = pcap("refilled", t);
        for (String mode : List.of("skip", "wait")) {
            Recorder r = run(f, mode);
            assertMatchesTruth(t, r, true);
            assertEquals(0, r.toServer.gaps, mode);
            assertEquals(Nids.NIDS_CLOSE, r.endState, mode);
        }
    }

    @Test
    void aRetransmissionAfterTheHoleWasGivenUpIsIgnored() throws Exception {
        LossyTransfer t = transfer(40007);
        t.send(true, data(100, 1)).lose(true, data(100, 2)).send(true, data(100, 3)).ack(true);
        // the receiver acknowledged it; a copy seen later (a spurious retransmission) is old data
        t.retransmit(true, 1);
        t.send(true, data(100, 4)).ack(true).close();
        Path f = pcap("late", t);
        Recorder skip = run(f, "skip");
        LossyTransfer.Direction truth = t.truth(true);
        assertEquals(100, skip.toServer.missing, "the gap stays reported");
        assertEquals(1, skip.toServer.gaps);
        BitSet expected = new BitSet();
        expected.set(0, 400);
        expected.clear(100, 200);
        assertEquals(expected, skip.toServer.delivered);
        byte[] img = truth.sent();
        Arrays.fill(img, 100, 200, (byte) 0);
        assertArrayEquals(img, skip.toServer.image.toByteArray());
        assertEquals(Nids.NIDS_CLOSE, skip.endState);
    }

    @Test
    void anUrgentByteInsideAHoleIsLostWithIt() throws Exception {
        LossyTransfer t = transfer(40008);
        // the urgent byte (offset 150) is in a lost segment, its URG never seen
        t.send(true, data(100, 1)).urgent(true, data(100, 2), 51, false).send(true, data(100, 3)).ack(true);
        // an urgent pointer announced before a hole, pointing into it (offset 450)
        t.urgent(true, data(100, 4), 151, true).lose(true, data(100, 5)).send(true, data(100, 6)).ack(true);
        // an urgent byte after a hole (offset 709) is delivered as urgent
        t.lose(true, data(100, 7)).urgent(true, data(100, 8), 10, true).ack(true).close();
        Path f = pcap("urgent", t);
        Recorder skip = run(f, "skip");
        Half h = skip.toServer;
        assertArrayEquals(new byte[] {data(100, 8)[9]}, h.urgent.toByteArray(), "only the urgent byte captured");
        assertEquals(3, h.gaps);
        assertEquals(300, h.missing, "the lost urgent bytes count as missing");
        assertEquals(List.of(100L, 100L, 100L), h.gapsBefore);
        // the normal stream: what was sent, lost bytes zeroed, without the delivered urgent byte (as libnids)
        byte[] img = t.truth(true).image();
        byte[] normal = new byte[img.length - 1];
        System.arraycopy(img, 0, normal, 0, 709);
        System.arraycopy(img, 710, normal, 709, img.length - 710);
        assertArrayEquals(normal, h.image.toByteArray());
        assertEquals(normal.length, h.delivered.cardinality() + h.missing);
        assertEquals(Nids.NIDS_CLOSE, skip.endState);
    }

    @Test
    void aLostFinalSegmentAndFinCountOnlyTheData() throws Exception {
        LossyTransfer t = transfer(40009);
        t.send(true, data(100, 1)).lose(true, data(100, 2)).ack(true);
        // the client's FIN was not captured either; the server acknowledges data and FIN
        var c = t.conversation();
        c.clientAdvance(1).serverAck();
        Path f = pcap("tail", t);
        Recorder skip = run(f, "skip");
        assertEquals(1, skip.toServer.gaps);
        assertEquals(100, skip.toServer.missing, "the last acknowledged sequence number may be a FIN");
        assertEquals(Nids.NIDS_EXITING, skip.endState);
    }

    @Test
    void severalHandlersAndSessionsSeeTheSameGaps() throws Exception {
        LossyTransfer t = transfer(40010);
        for (int i = 0; i < 6; i++) {
            if (i % 3 == 1) t.lose(true, data(80, i)); else t.send(true, data(80, i));
            t.ack(true);
        }
        t.close();
        Path f = pcap("handlers", t);
        try (NidsSession skip = new NidsSession(); NidsSession wait = new NidsSession()) {
            skip.param("filename", f.toString());
            skip.param("tcp_gaps", "skip");
            wait.param("filename", f.toString());
            Recorder a = new Recorder(skip), b = new Recorder(skip), w = new Recorder(wait);
            skip.registerTcp(a);
            skip.registerTcp(b);
            wait.registerTcp(w);
            skip.init();
            wait.init();
            // interleaved packet by packet: each session keeps its own mode
            boolean more = true;
            while (more) {
                more = skip.next() > 0 | wait.next() > 0;
            }
            skip.exit();
            wait.exit();
            for (Recorder r : List.of(a, b)) {
                assertMatchesTruth(t, r, true);
                assertEquals(Nids.NIDS_CLOSE, r.endState);
            }
            assertWaitStopsAtFirstHole(t, w, true);
        }
    }

    @Test
    void theRawBindingsShowTheGapFields() throws Exception {
        LossyTransfer t = transfer(40011);
        t.send(true, data(100, 1)).lose(true, data(300, 2)).send(true, data(100, 3)).ack(true).close();
        Path f = pcap("raw", t);
        List<Long> gapBefore = new ArrayList<>();
        long[] end = new long[2];
        try (NidsSession s = new NidsSession()) {
            s.param("filename", f.toString());
            s.param("tcp_gaps", "skip");
            assertEquals(nids.NIDS_TCP_GAPS_SKIP, s.rawParams().tcp_gaps());
            assertEquals(nids.NIDS_TCP_GAP_QUEUE_LIMIT, s.rawParams().tcp_gap_queue_limit());
            nids.jnids_tcp_callback raw = new nids.jnids_tcp_callback() {
                @Override
                public void call(nids.tcp_stream a, org.bytedeco.javacpp.PointerPointer param) {
                    nids.half_stream server = a.server();
                    if (a.nids_state() == Nids.NIDS_JUST_EST) {
                        server.collect((byte) (server.collect() + 1));
                    } else if (a.nids_state() == Nids.NIDS_DATA) {
                        gapBefore.add(server.gap_before());
                    } else {
                        end[0] = server.gaps();
                        end[1] = server.missing();
                    }
                }
            };
            s.init();
            nids.jnids_raw_register_tcp(s.rawSession(), raw);
            s.run();
            raw.close();
        }
        assertEquals(List.of(0L, 300L), gapBefore);
        assertArrayEquals(new long[] {1, 300}, end);
    }
}
