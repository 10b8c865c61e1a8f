package io.github.jnids;

import static io.github.jnids.global.nids.*;

import java.nio.ByteBuffer;

import io.github.jnids.global.nids;

/**
 * A TCP stream as a handler sees it: libnids' {@code struct tcp_stream}, as
 * pynids' {@code tcp} object.
 *
 * <pre>{@code
 * Nids.registerTcp(tcp -> {
 *     if (tcp.nidsState() == Nids.NIDS_JUST_EST) {
 *         tcp.client().collect(true);
 *         tcp.server().collect(true);
 *     } else if (tcp.nidsState() == Nids.NIDS_DATA) {
 *         tcp.discard(0);   // keep everything: data() grows with the stream
 *     } else {
 *         System.out.println(tcp.addr() + " CTS " + tcp.server().count() + " STC " + tcp.client().count());
 *     }
 * });
 * }</pre>
 *
 * <p>A handler gets the same {@code TcpStream} object on every call: it is a
 * view of the stream being reported, valid only until the handler returns.
 * Using it afterwards throws {@link IllegalStateException}; per-stream data
 * belongs in {@link #user(Object)}.
 */
public final class TcpStream {
    private final NativeBox box;
    private final nids.jnids_session nativeSession;
    private final HalfStream client;
    private final HalfStream server;
    private StreamState state;
    private StreamState.Listener listener;
    /** Set for a stream kept in compact form: asked for a state when one is needed. */
    private TcpDispatcher compact;
    private boolean valid;

    TcpStream(NativeBox box, nids.jnids_session nativeSession) {
        this.box = box;
        this.nativeSession = nativeSession;
        this.client = new HalfStream(this, box, JNIDS_TCP_CLIENT, true);
        this.server = new HalfStream(this, box, JNIDS_TCP_SERVER, false);
    }

    void enter(StreamState state, StreamState.Listener listener) {
        this.state = state;
        this.listener = listener;
        this.valid = true;
        client.enter();
        server.enter();
    }

    /** Enters a stream that has no StreamState (see TcpDispatcher's compact streams). */
    void enterCompact(TcpDispatcher dispatcher) {
        enter(null, null);
        this.compact = dispatcher;
    }

    private void ensureState() {
        if (state == null && compact != null) {
            state = compact.materialize();
            listener = state.listeners[0];
        }
    }

    void leave() {
        valid = false;
        compact = null;
        client.leave();
        server.leave();
        state = null;
        listener = null;
    }

    boolean isValid() {
        return valid;
    }

    void check() {
        if (!valid) {
            throw new IllegalStateException(
                    "TcpStream used after its callback returned; keep per-stream data with tcp.user(...) instead");
        }
    }

    /** The stream's addresses; {@code src} is the client. */
    public Tuple4 addr() {
        check();
        ensureState();
        Tuple4 a = state.addr;
        if (a == null && box.get(JNIDS_TCP_IPV6) != 0) {
            a = new Tuple4(Addresses.ipv6(box.get(JNIDS_TCP_SADDR6), box.get(JNIDS_TCP_SADDR6 + 1)),
                    (int) box.get(JNIDS_TCP_SPORT),
                    Addresses.ipv6(box.get(JNIDS_TCP_DADDR6), box.get(JNIDS_TCP_DADDR6 + 1)),
                    (int) box.get(JNIDS_TCP_DPORT));
            state.addr = a;
        } else if (a == null) {
            a = new Tuple4(Tuple4.ipv4((int) box.get(JNIDS_TCP_SADDR)),
                    (int) box.get(JNIDS_TCP_SPORT),
                    Tuple4.ipv4((int) box.get(JNIDS_TCP_DADDR)),
                    (int) box.get(JNIDS_TCP_DPORT));
            state.addr = a;
        }
        return a;
    }

    /** Why the handler is called: {@link Nids#NIDS_JUST_EST}, {@link Nids#NIDS_DATA}, ... */
    public int nidsState() {
        check();
        return (int) box.get(JNIDS_TCP_STATE);
    }

    /**
     * Whether the stream was picked up without its whole handshake: only with
     * the parameter {@code tcp_midstream} on. Such a stream is reported like
     * any other ({@code NIDS_JUST_EST}, data, an end), but what was sent before
     * the first segment seen in a direction is unknown, and its client and
     * server may be a guess ({@link #midstreamRoles()}).
     *
     * <pre>{@code
     * Nids.param("tcp_midstream", true);
     * Nids.registerTcp(tcp -> {
     *     if (tcp.nidsState() == Nids.NIDS_JUST_EST) {
     *         if (tcp.midstream()) System.out.println(tcp.addr() + " already running");
     *         tcp.server().collect(true);
     *     }
     * });
     * }</pre>
     */
    public boolean midstream() {
        check();
        return box.get(JNIDS_TCP_MIDSTREAM) != 0;
    }

    /**
     * How a stream picked up mid-stream got its client and server: 0 for a
     * stream whose handshake was seen, else {@link Nids#NIDS_MIDSTREAM_SYN} or
     * {@link Nids#NIDS_MIDSTREAM_SYNACK} (from the SYN or SYN/ACK seen: exact),
     * {@link Nids#NIDS_MIDSTREAM_PORT} (the well-known, below 1024, or else the
     * non-ephemeral, below 32768, port is the server's) or
     * {@link Nids#NIDS_MIDSTREAM_FIRST} (the sender of the first data seen is
     * the client).
     */
    public int midstreamRoles() {
        check();
        return (int) box.get(JNIDS_TCP_MIDSTREAM);
    }

    /** What the client receives: server to client data. */
    public HalfStream client() {
        check();
        return client;
    }

    /** What the server receives: client to server data. */
    public HalfStream server() {
        check();
        return server;
    }

    /**
     * Keeps all but the first {@code n} of the bytes delivered now, so that they
     * are delivered again, followed by new ones, at the next callback (libnids'
     * {@code nids_discard}). {@code discard(0)} keeps everything.
     */
    public void discard(int n) {
        check();
        if (n < 0) throw new IllegalArgumentException("discard(" + n + "): the byte count must be >= 0");
        long previous = box.get(JNIDS_TCP_DISCARD);
        if (previous < 0 || n < previous) box.put(JNIDS_TCP_DISCARD, n);
    }

    /**
     * Resets the connection: a forged RST to each end, sent on a raw socket
     * (needs root or CAP_NET_RAW). Meaningful on live captures.
     *
     * @throws NidsException when the segments cannot be sent
     */
    public void kill() {
        check();
        if (nids.jnids_kill_current(nativeSession) != 0) {
            throw new NidsException(NidsException.ofNative(nids.jnids_error_code(nativeSession)),
                    "kill() failed: " + nids.jnids_error(nativeSession).getString());
        }
    }

    /** This handler's object for this stream, or null: libnids' per-listener {@code param}. */
    public Object user() {
        check();
        return listener == null ? null : listener.user;
    }

    /** Keeps an object with this stream for this handler; dropped when the stream ends. */
    public void user(Object value) {
        check();
        if (value != null) ensureState();
        if (listener != null) listener.user = value;
    }

    /**
     * The raw libnids structure, for what the facade does not cover. Valid, like
     * this object, only during the callback.
     */
    public nids.tcp_stream raw() {
        check();
        long address = box.get(JNIDS_TCP_STREAM);
        return new nids.tcp_stream(new RawMemory(address, org.bytedeco.javacpp.Loader.sizeof(nids.tcp_stream.class)));
    }

    @Override
    public String toString() {
        if (!valid) return "TcpStream[invalid: used after its callback]";
        return "TcpStream[" + addr() + ", nidsState=" + nidsState() + "]";
    }
}
