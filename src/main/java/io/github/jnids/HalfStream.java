package io.github.jnids;

import static io.github.jnids.global.nids.*;

import java.nio.ByteBuffer;

/**
 * One direction of a TCP stream: libnids' {@code struct half_stream}, as
 * pynids' {@code tcp.client} and {@code tcp.server}. {@code client} holds what
 * the client receives (server to client bytes), {@code server} what the server
 * receives.
 *
 * <pre>{@code
 * Nids.registerTcp(tcp -> {
 *     switch (tcp.nidsState()) {
 *         case Nids.NIDS_JUST_EST -> tcp.server().collect(true);
 *         case Nids.NIDS_DATA -> System.out.print(new String(tcp.server().data(), StandardCharsets.ISO_8859_1));
 *         default -> { }
 *     }
 * });
 * }</pre>
 *
 * Valid only during the callback that received its {@link TcpStream}; any use
 * afterwards throws {@link IllegalStateException}.
 */
public final class HalfStream {
    private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(0).asReadOnlyBuffer();

    private final TcpStream stream;
    private final NativeBox box;
    private final int base;
    private final boolean isClient;
    private int collectDelta;
    private int collectUrgDelta;
    /** Views handed out during the current call, revoked when it ends. */
    private final java.util.ArrayList<ByteBuffer> handedOut = new java.util.ArrayList<>(2);
    /** The view dataBuffer() hands out, re-pointed at libnids' buffer on each call. */
    private final ByteBuffer reusable = RawMemory.REPOINTABLE ? RawMemory.repointableView() : null;

    HalfStream(TcpStream stream, NativeBox box, int firstSlot, boolean isClient) {
        this.stream = stream;
        this.box = box;
        this.base = firstSlot;
        this.isClient = isClient;
    }

    private int slot(int field) {
        return (int) box.get(base + field);
    }

    /** libnids' TCP state of this side ({@code TCP_ESTABLISHED}, {@code TCP_CLOSE}, ...). */
    public int state() {
        stream.check();
        return slot(JNIDS_HALF_STATE);
    }

    /** Whether some handler asked for this direction's data. */
    public boolean collect() {
        stream.check();
        return slot(JNIDS_HALF_COLLECT) > 0;
    }

    /**
     * Asks for (or stops asking for) this direction's data. As libnids' idiom
     * {@code collect++} / {@code collect--}: it counts once per handler call,
     * so handlers sharing a stream do not undo each other.
     */
    public void collect(boolean on) {
        stream.check();
        collectDelta = adjust(JNIDS_HALF_COLLECT, collectDelta, on);
    }

    /** Whether some handler asked for this direction's urgent data. */
    public boolean collectUrg() {
        stream.check();
        return slot(JNIDS_HALF_COLLECT_URG) > 0;
    }

    /** Asks for (or stops asking for) urgent data, counted like {@link #collect(boolean)}. */
    public void collectUrg(boolean on) {
        stream.check();
        collectUrgDelta = adjust(JNIDS_HALF_COLLECT_URG, collectUrgDelta, on);
    }

    /** Applies collect(on) to a counter; returns this handler call's net change to it. */
    private int adjust(int field, int delta, boolean on) {
        int current = slot(field);
        int change;
        if (on) {
            change = delta == 1 ? 0 : 1 - delta;
        } else {
            change = delta == 1 ? -1 : (delta == 0 && current > 0 ? -1 : 0);
        }
        if (change == 0) return delta;
        // Java counts its handlers' collect requests itself (TcpDispatcher), so
        // any number of handlers may collect; libnids' char counter sees 0 or 1.
        int next = Math.max(0, current + change);
        box.put(base + field, next);
        return delta + (next - current);
    }

    /**
     * Bytes of this direction delivered so far. Without gaps this is the
     * stream offset of the end of {@link #data()}; with {@code tcp_gaps}
     * {@code "skip"} the bytes given up are not counted, and that offset is
     * {@code count() + missingBytes()}.
     */
    public int count() {
        stream.check();
        return slot(JNIDS_HALF_COUNT);
    }

    /**
     * Delivered bytes discarded so far: {@link #data()} starts after this many
     * of them (at this stream offset when nothing was given up).
     */
    public int offset() {
        stream.check();
        return slot(JNIDS_HALF_OFFSET);
    }

    /** Bytes that arrived since the previous callback; they end {@link #data()}. */
    public int countNew() {
        stream.check();
        return slot(JNIDS_HALF_COUNT_NEW);
    }

    /** 1 when an urgent byte arrived ({@link #urgdata()}), else 0. */
    public int countNewUrg() {
        stream.check();
        return slot(JNIDS_HALF_COUNT_NEW_URG);
    }

    /**
     * With {@code tcp_gaps} {@code "skip"}: how many bytes (sequence numbers)
     * were given up right before this callback's new bytes (the last
     * {@link #countNew()} bytes of {@link #data()}, or the urgent byte), because
     * they were never captured; 0 when the new bytes follow the previous ones.
     * Bytes kept with {@code discard(0)} stay in {@link #data()} before the
     * gap. Always 0 with {@code "wait"}, libnids' behaviour.
     *
     * <pre>{@code
     * Nids.param("tcp_gaps", "skip");
     * Nids.registerTcp(tcp -> {
     *     HalfStream h = tcp.server();
     *     if (tcp.nidsState() == Nids.NIDS_JUST_EST) h.collect(true);
     *     else if (tcp.nidsState() == Nids.NIDS_DATA && h.gapBefore() > 0)
     *         System.out.println(h.gapBefore() + " bytes missing before the next " + h.countNew());
     * });
     * }</pre>
     */
    public long gapBefore() {
        stream.check();
        return box.get(base + JNIDS_HALF_GAP_BEFORE);
    }

    /** With {@code tcp_gaps} {@code "skip"}: the holes given up in this direction so far. */
    public int gaps() {
        stream.check();
        return slot(JNIDS_HALF_GAPS);
    }

    /**
     * With {@code tcp_gaps} {@code "skip"}: the bytes (sequence numbers) given
     * up in this direction so far, in all its {@link #gaps()}; the stream offset
     * of the end of {@link #data()} is {@code count() + missingBytes()}. A lost
     * urgent byte counts as missing too.
     */
    public long missingBytes() {
        stream.check();
        return box.get(base + JNIDS_HALF_MISSING);
    }

    /** The last urgent byte. */
    public byte urgdata() {
        stream.check();
        return (byte) slot(JNIDS_HALF_URGDATA);
    }

    /** A copy of the bytes libnids holds for this direction: {@code count() - offset()} of them. */
    public byte[] data() {
        ByteBuffer b = dataBuffer();
        byte[] copy = new byte[b.remaining()];
        b.get(b.position(), copy);
        return copy;
    }

    /**
     * The same bytes as {@link #data()}, as a read-only view of libnids' buffer:
     * no copy. Valid during this callback only; afterwards its limit and
     * capacity are 0, as libnids may move or free the buffer.
     */
    public ByteBuffer dataBuffer() {
        stream.check();
        long address = box.get(base + JNIDS_HALF_DATA);
        int held = slot(JNIDS_HALF_COUNT) - slot(JNIDS_HALF_OFFSET);
        if (address == 0 || held <= 0) return EMPTY;
        ByteBuffer view;
        if (RawMemory.REPOINTABLE) {
            view = RawMemory.repoint(reusable, address, held);
            if (handedOut.isEmpty() || handedOut.get(0) != view) handedOut.add(view);
        } else {
            view = RawMemory.view(address, held).asReadOnlyBuffer();
            handedOut.add(view);
        }
        return view;
    }

    /** Called as a handler call begins. */
    void enter() {
        collectDelta = 0;
        collectUrgDelta = 0;
    }

    /** Called as a handler call ends: views handed out stop showing native memory. */
    void leave() {
        if (handedOut.isEmpty()) return;
        for (int i = 0; i < handedOut.size(); i++) RawMemory.revoke(handedOut.get(i));
        handedOut.clear();
    }

    @Override
    public String toString() {
        if (!stream.isValid()) return "HalfStream[invalid: used after its callback]";
        return "HalfStream[state=" + state() + ", collect=" + collect() + ", count=" + count()
                + ", offset=" + offset() + ", countNew=" + countNew()
                + (gaps() > 0 ? ", gaps=" + gaps() + ", missing=" + missingBytes() : "") + "]";
    }
}
