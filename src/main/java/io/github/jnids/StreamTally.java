package io.github.jnids;

import java.util.Comparator;

/**
 * What is counted of one TCP stream followed both ways: its addresses, when it
 * was established (its place among the session's streams), the times of its
 * first and last packets, the bytes each way, and how it ended. The command's
 * {@code --json} records and jnids-spark's rows are made from these, so both
 * give a stream the same values; {@link StreamTallies} keeps them up to date
 * from a {@link TcpHandler}.
 *
 * <p>Subclass it to keep more per stream (an output file, a payload prefix):
 *
 * <pre>{@code
 * StreamTallies<StreamTally> tallies = new StreamTallies<>(StreamTally::new);
 * Nids.registerTcp(tcp -> {
 *     StreamTally t = tallies.update(tcp, Nids.getPktTs());
 *     if (t != null && t.ended()) {
 *         System.out.println(t.addr() + " " + t.stateName() + " cts=" + t.bytesCts() + " stc=" + t.bytesStc());
 *     }
 * });
 * Nids.run();
 * tallies.takeOpen().forEach(t -> System.out.println(t.addr() + " open"));
 * }</pre>
 */
public class StreamTally {
    /** Streams in the order they were established. */
    public static final Comparator<StreamTally> BY_ORDER = Comparator.comparingLong(StreamTally::order);

    private final Tuple4 addr;
    private final long order;
    private final double firstTs;
    private double lastTs;
    private long bytesCts;
    private long bytesStc;
    private int state = -1;
    private int gaps;
    private long missingCts;
    private long missingStc;
    private boolean midstream;

    /**
     * @param addr  the stream's addresses (src is the client)
     * @param order its place among the session's streams, counted from 0 as they are established
     * @param ts    the time of the packet that established it (seconds)
     */
    public StreamTally(Tuple4 addr, long order, double ts) {
        this.addr = addr;
        this.order = order;
        this.firstTs = ts;
        this.lastTs = ts;
    }

    /** Counts the bytes a {@link Nids#NIDS_DATA} callback delivers each way, at packet time {@code ts}. */
    public void data(TcpStream tcp, double ts) {
        lastTs = ts;
        bytesCts += tcp.server().countNew();
        bytesStc += tcp.client().countNew();
    }

    /**
     * Records how the stream ended ({@link Nids#NIDS_CLOSE}, {@code NIDS_RESET},
     * {@code NIDS_TIMED_OUT}, or {@code NIDS_EXITING}: still open when the session
     * ended, whose last packet time stays that of its last data).
     */
    public void end(int state, double ts) {
        if (state != Nids.NIDS_EXITING) lastTs = ts;
        this.state = state;
    }

    /** Takes the holes given up in both directions so far (tcp_gaps skip; none with wait). */
    void gapsOf(TcpStream tcp) {
        gaps = tcp.server().gaps() + tcp.client().gaps();
        missingCts = tcp.server().missingBytes();
        missingStc = tcp.client().missingBytes();
    }

    /** Whether the stream was picked up without its handshake (tcp_midstream). */
    public boolean midstream() {
        return midstream;
    }

    void midstreamOf(TcpStream tcp) {
        midstream = tcp.midstream();
    }

    /** Holes given up in both directions, as of the stream's end (tcp_gaps skip; 0 with wait). */
    public int gaps() {
        return gaps;
    }

    /** Bytes the client sent that were not captured and were skipped (tcp_gaps skip). */
    public long missingCts() {
        return missingCts;
    }

    /** Bytes the server sent that were not captured and were skipped (tcp_gaps skip). */
    public long missingStc() {
        return missingStc;
    }

    public Tuple4 addr() {
        return addr;
    }

    /** The stream's place among the session's streams, in the order they were established. */
    public long order() {
        return order;
    }

    /** The time of the packet that established the stream, in seconds. */
    public double firstTs() {
        return firstTs;
    }

    /** The time of the stream's last data or of the packet that ended it, in seconds. */
    public double lastTs() {
        return lastTs;
    }

    /** The bytes the client sent (that the server received), reassembled. */
    public long bytesCts() {
        return bytesCts;
    }

    /** The bytes the server sent. */
    public long bytesStc() {
        return bytesStc;
    }

    /** Whether {@link #end} was called. */
    public boolean ended() {
        return state >= 0;
    }

    /** How the stream ended, as libnids' state constant; -1 while it has not. */
    public int state() {
        return state;
    }

    /** How the stream ended, as the command writes it: {@code close}, {@code reset}, {@code timeout}, {@code open}. */
    public String stateName() {
        return stateName(state);
    }

    /** The command's name for how a stream ended: {@code close}, {@code reset}, {@code timeout}, {@code open}. */
    public static String stateName(int state) {
        return switch (state) {
            case Nids.NIDS_CLOSE -> "close";
            case Nids.NIDS_RESET -> "reset";
            case Nids.NIDS_TIMED_OUT -> "timeout";
            case Nids.NIDS_EXITING -> "open";
            default -> "state" + state;
        };
    }
}
