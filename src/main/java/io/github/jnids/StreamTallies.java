package io.github.jnids;

import java.util.ArrayList;
import java.util.List;

/**
 * Keeps a {@link StreamTally} for every TCP stream of a session, in
 * {@link TcpStream#user(Object)}: made when the stream is established (which
 * also turns on collecting both ways), counted at each data callback, ended
 * when libnids ends it. Streams that the session's end finds open are kept
 * aside and handed back in the order they were established
 * ({@link #takeOpen()}), since libnids ends them in its hash table's order,
 * which is seeded at random. For use by one session's handler (one thread).
 *
 * <pre>{@code
 * StreamTallies<StreamTally> tallies = new StreamTallies<>(StreamTally::new);
 * Nids.registerTcp(tcp -> {
 *     StreamTally t = tallies.update(tcp, Nids.getPktTs());
 *     if (t != null && t.ended() && t.state() != Nids.NIDS_EXITING) System.out.println(t.addr() + " " + t.stateName());
 * });
 * }</pre>
 *
 * @param <T> what is kept per stream
 */
public final class StreamTallies<T extends StreamTally> {
    /** Makes the tally of a new stream. */
    @FunctionalInterface
    public interface Factory<T extends StreamTally> {
        T create(Tuple4 addr, long order, double ts);
    }

    private final Factory<T> factory;
    private final List<T> open = new ArrayList<>();
    private long established;

    public StreamTallies(Factory<T> factory) {
        this.factory = factory;
    }

    /**
     * The whole bookkeeping of one callback: {@link #start}, {@link #data} or
     * {@link #end} as the stream's state says; null for other states.
     */
    public T update(TcpStream tcp, double ts) {
        int state = tcp.nidsState();
        return switch (state) {
            case Nids.NIDS_JUST_EST -> start(tcp, ts);
            case Nids.NIDS_DATA -> data(tcp, ts);
            case Nids.NIDS_CLOSE, Nids.NIDS_RESET, Nids.NIDS_TIMED_OUT, Nids.NIDS_EXITING -> end(tcp, state, ts);
            default -> null;
        };
    }

    /** At {@link Nids#NIDS_JUST_EST}: the stream's new tally; collects both directions. */
    public T start(TcpStream tcp, double ts) {
        T t = factory.create(tcp.addr(), established++, ts);
        t.midstreamOf(tcp);
        tcp.user(t);
        tcp.client().collect(true);
        tcp.server().collect(true);
        return t;
    }

    /** At {@link Nids#NIDS_DATA}: the stream's tally, with the bytes just delivered counted. */
    public T data(TcpStream tcp, double ts) {
        T t = of(tcp, ts);
        t.data(tcp, ts);
        return t;
    }

    /**
     * When libnids ends the stream: its tally, ended and detached from the stream;
     * with {@link Nids#NIDS_EXITING} also kept for {@link #takeOpen()}.
     */
    public T end(TcpStream tcp, int state, double ts) {
        T t = of(tcp, ts);
        tcp.user(null);
        t.end(state, ts);
        t.gapsOf(tcp);
        if (state == Nids.NIDS_EXITING) open.add(t);
        return t;
    }

    /** The streams the session's end found open, in the order they were established; forgets them. */
    public List<T> takeOpen() {
        List<T> out = new ArrayList<>(open);
        open.clear();
        out.sort(StreamTally.BY_ORDER);
        return out;
    }

    /** Forgets the streams kept by {@link #end} (a session given up). */
    public void forgetOpen() {
        open.clear();
    }

    @SuppressWarnings("unchecked")
    private T of(TcpStream tcp, double ts) {
        Object user = tcp.user();
        if (user instanceof StreamTally) return (T) user;
        // Not seen established by this handler (libnids' callbacks start with NIDS_JUST_EST): start now.
        T t = factory.create(tcp.addr(), established++, ts);
        t.midstreamOf(tcp);
        tcp.user(t);
        return t;
    }
}
