package io.github.jnids;

import static io.github.jnids.global.nids.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;

import io.github.jnids.global.nids;

/**
 * The one entry (an event or an up-call, see NativeLoop) through which
 * libnids' TCP callbacks reach Java. libnids sees a single listener; this
 * class keeps, per stream, the list of Java handlers listening to it and
 * applies libnids' own rules to them: every handler sees {@code NIDS_JUST_EST}, keeps receiving a direction's data only while it asks
 * to collect it, and sees the end of every stream it listens to.
 */
final class TcpDispatcher {
    // libnids' COLLECT_* bits (tcp.c).
    private static final int CC = 1, SC = 2, CCU = 4, SCU = 8;
    private static final int C = JNIDS_TCP_CLIENT, S = JNIDS_TCP_SERVER;
    /** Whether single-listener streams go compact; {@code -Djnids.compactStreams=false} turns it off for A/B runs. */
    static final boolean COMPACT = !"false".equals(System.getProperty("jnids.compactStreams"));

    private final Session session;
    private final NativeBox box;
    private final HandlerList<TcpHandler> handlers;
    private final TcpStream view;
    private final ArrayList<StreamState> states = new ArrayList<>();
    private int[] freeIds = new int[16];
    private int freeCount;

    TcpDispatcher(Session session, NativeBox box, HandlerList<TcpHandler> handlers, nids.jnids_session nativeSession) {
        this.session = session;
        this.box = box;
        this.handlers = handlers;
        this.view = new TcpStream(box, nativeSession);
        states.add(null); // id 0 means "no state"
    }

    /** A TCP callback (event or up-call): 0 to go on, 1 to stop. */
    int call(int nidsState) {
        try {
            dispatch(nidsState);
            return session.stopRequested() ? 1 : 0;
        } catch (Throwable t) {
            return session.handlerFailed(t);
        }
    }

    private int slot(int index) {
        return (int) box.get(index);
    }

    /** Reads the four collect counters from the box into boxCounts. */
    private void readCounters() {
        boxCounts[0] = slot(C + JNIDS_HALF_COLLECT);
        boxCounts[1] = slot(S + JNIDS_HALF_COLLECT);
        boxCounts[2] = slot(C + JNIDS_HALF_COLLECT_URG);
        boxCounts[3] = slot(S + JNIDS_HALF_COLLECT_URG);
    }

    private final int[] handlerBefore = new int[4];
    private final int[] base = new int[4];
    /**
     * The four collect counters as the box holds them: read before the
     * handlers and after each one, written through {@link #putCounter}. Only
     * handlers change them in between, so a counter the box already holds is
     * neither read again nor written: a TCP callback reads 4 slots fewer per
     * handler and, in the common case, writes none of the 8 it did, about 160
     * instructions less (bench/results/instructions-2026-12-03.md).
     */
    private final int[] boxCounts = new int[4];

    /** libnids' ride_lurkers rule: a counter that rose sets its bit, one that fell clears it. */
    private static int updateMask(int whatto, int[] b, int[] a) {
        if (b[0] < a[0]) whatto |= CC;
        if (b[2] < a[2]) whatto |= CCU;
        if (b[1] < a[1]) whatto |= SC;
        if (b[3] < a[3]) whatto |= SCU;
        if (b[0] > a[0]) whatto &= ~CC;
        if (b[2] > a[2]) whatto &= ~CCU;
        if (b[1] > a[1]) whatto &= ~SC;
        if (b[3] > a[3]) whatto &= ~SCU;
        return whatto;
    }

    /** Which listeners libnids' notify() would call for this data event. */
    private int dataMask() {
        if (slot(C + JNIDS_HALF_COUNT_NEW_URG) > 0) return CCU;
        if (slot(S + JNIDS_HALF_COUNT_NEW_URG) > 0) return SCU;
        if (slot(C + JNIDS_HALF_COUNT_NEW) > 0) return CC;
        if (slot(S + JNIDS_HALF_COUNT_NEW) > 0) return SC;
        return CC | SC | CCU | SCU;
    }

    private static final int[] BITS = {CC, SC, CCU, SCU};
    private static final int[] SLOTS = {C + JNIDS_HALF_COLLECT, S + JNIDS_HALF_COLLECT,
            C + JNIDS_HALF_COLLECT_URG, S + JNIDS_HALF_COLLECT_URG};

    /**
     * Before the handlers run. libnids sees jnids as one listener adding 0 or
     * 1 to each collect counter (the trampoline's mask); handlers see (and
     * change) the counter as it would be with each of them a libnids listener:
     * the others' part plus their counts.
     */
    private void showHandlerCounts(int trampolineMask, int[] counts) {
        readCounters();
        for (int k = 0; k < 4; k++) {
            int mine = (trampolineMask & BITS[k]) != 0 ? 1 : 0;
            base[k] = boxCounts[k] - mine;
            putCounter(k, base[k] + counts[k]);
        }
    }

    private void putCounter(int k, int value) {
        if (boxCounts[k] != value) {
            box.put(SLOTS[k], value);
            boxCounts[k] = value;
        }
    }

    /**
     * After the handlers: their part of each counter goes into counts, and
     * libnids' view back to 0 or 1 per counter, since libnids keeps jnids'
     * trampoline on the stream while some handler collects; libnids' own rule
     * (a counter that rose sets the listener's bit, one that fell clears it)
     * then gives the trampoline the mask returned.
     */
    private int settleHandlerCounts(int[] counts) {
        int whatto = 0;
        for (int k = 0; k < 4; k++) {
            int sum = Math.max(0, boxCounts[k] - base[k]);
            counts[k] = sum;
            if (sum > 0) whatto |= BITS[k];
            putCounter(k, base[k] + (sum > 0 ? 1 : 0));
        }
        return whatto;
    }

    // ---- compact streams ----------------------------------------------------
    //
    // Most streams have one listener. For them the whole per-stream state
    // (which handler, its COLLECT_* mask, the trampoline's mask, the handler's
    // part of each collect counter) fits in the 64-bit param libnids keeps
    // for jnids' trampoline, read from the box: a callback then touches no
    // per-stream Java object, which on a capture with thousands of open
    // streams would each be a cache miss. A negative param is that packed
    // form; a positive one the id of a StreamState.
    //
    //   bits  0..15  index of the handler's entry in compactEntries
    //   bits 16..19  the listener's mask       bits 20..23  the trampoline's mask
    //   bits 24..39  the handler's part of the four collect counters, 4 bits each
    //   bit  63      set

    @SuppressWarnings("unchecked")
    private HandlerList.Entry<TcpHandler>[] compactEntries = new HandlerList.Entry[4];
    private int compactEntryCount;
    /** The state made for the compact stream being dispatched, if its handler needed one (user, addr). */
    private StreamState materialized;
    private long compactParam;
    /** The listener's mask of the compact stream being dispatched, as its handler changes it. */
    private int compactMask;
    /** The handler's part of each collect counter, for the compact stream being dispatched. */
    private final int[] compactCounts = new int[4];
    /** Callbacks dispatched in compact form: tests check the path is taken. */
    long compactCallbacks;

    private static long pack(int entrySlot, int listenerMask, int trampolineMask, long counts) {
        return Long.MIN_VALUE | entrySlot | (long) listenerMask << 16 | (long) trampolineMask << 20 | counts << 24;
    }

    /** The four counts, 4 bits each, or -1 when one does not fit. */
    private static long packCounts(int[] counts) {
        long packed = 0;
        for (int k = 0; k < 4; k++) {
            if (counts[k] > 15) return -1;
            packed |= (long) counts[k] << (4 * k);
        }
        return packed;
    }

    private static void unpackCounts(long p, int[] into) {
        for (int k = 0; k < 4; k++) into[k] = (int) (p >>> (24 + 4 * k)) & 0xf;
    }

    private static int entrySlot(long p) {
        return (int) p & 0xffff;
    }

    private static int listenerMask(long p) {
        return (int) (p >>> 16) & 0xf;
    }

    private static int trampolineMask(long p) {
        return (int) (p >>> 20) & 0xf;
    }

    /** The packed form of a state whose trampoline has that mask, or 0 when it has none. */
    private long compactForm(StreamState st, int trampolineWhatto) {
        if (!COMPACT || st.listenerCount != 1) return 0;
        StreamState.Listener l = st.listeners[0];
        if (l.user != null || l.whatto == 0 || !l.entry.active) return 0;
        long counts = packCounts(st.javaCollect);
        if (counts < 0) return 0;
        int slot = 0;
        while (slot < compactEntryCount && compactEntries[slot] != l.entry) slot++;
        if (slot == compactEntryCount) {
            if (slot == 0xffff) return 0;
            if (slot == compactEntries.length) compactEntries = Arrays.copyOf(compactEntries, slot * 2);
            compactEntries[compactEntryCount++] = l.entry;
        }
        return pack(slot, l.whatto, trampolineWhatto, counts);
    }

    /**
     * Gives the compact stream being dispatched a StreamState, as the general
     * path would have it before this call: its handler asked for something
     * only a state keeps (user data, the cached addresses).
     */
    StreamState materialize() {
        if (materialized == null) {
            long p = compactParam;
            StreamState st = allocate();
            StreamState.Listener l = st.addListener(compactEntries[entrySlot(p)]);
            l.whatto = listenerMask(p);
            st.trampolineWhatto = trampolineMask(p);
            unpackCounts(p, st.javaCollect);
            materialized = st;
        }
        return materialized;
    }

    /** The general path's rules, specialised to one listener and no StreamState. */
    private void dispatchCompact(int nidsState, long p) throws Exception {
        compactCallbacks++;
        HandlerList.Entry<TcpHandler> e = compactEntries[entrySlot(p)];
        int whattoOfListener = listenerMask(p);
        unpackCounts(p, compactCounts);
        showHandlerCounts(trampolineMask(p), compactCounts);
        boolean ending = nidsState != Nids.NIDS_DATA;
        compactParam = p;
        materialized = null;
        compactMask = whattoOfListener;
        try {
            if (e.active && (ending || (whattoOfListener & dataMask()) != 0)) {
                callCompact(e, !ending);
            }
        } finally {
            int whatto = settleHandlerCounts(compactCounts);
            long counts = packCounts(compactCounts);
            StreamState st = materialized;
            materialized = null;
            if (ending || whatto == 0) {
                if (st != null) release(st);
                box.put(JNIDS_TCP_PARAM, 0);
            } else if (st == null && counts >= 0 && compactMask != 0) {
                box.put(JNIDS_TCP_PARAM, pack(entrySlot(p), compactMask, whatto, counts));
            } else {
                if (st == null) st = materialize();
                materialized = null;
                st.listeners[0].whatto = compactMask;
                st.pruneListeners();
                System.arraycopy(compactCounts, 0, st.javaCollect, 0, 4);
                st.trampolineWhatto = whatto;
                box.put(JNIDS_TCP_PARAM, st.id);
            }
        }
    }

    private void callCompact(HandlerList.Entry<TcpHandler> e, boolean track) throws Exception {
        if (track) System.arraycopy(boxCounts, 0, handlerBefore, 0, 4);
        view.enterCompact(this);
        session.enterHandler();
        try {
            e.handler.accept(view);
        } finally {
            session.leaveHandler();
            view.leave();
            readCounters();
            if (track) compactMask = updateMask(compactMask, handlerBefore, boxCounts);
        }
    }

    // ---- general streams -----------------------------------------------------

    private void dispatch(int nidsState) throws Exception {
        long param = box.get(JNIDS_TCP_PARAM);
        if (param < 0 && nidsState != Nids.NIDS_JUST_EST) {
            dispatchCompact(nidsState, param);
            return;
        }
        StreamState st;
        if (nidsState == Nids.NIDS_JUST_EST) {
            st = allocate();
        } else {
            st = param > 0 && param < states.size() ? states.get((int) param) : null;
            if (st == null) return;
        }
        boolean ending = nidsState != Nids.NIDS_JUST_EST && nidsState != Nids.NIDS_DATA;
        showHandlerCounts(st.trampolineWhatto, st.javaCollect);
        try {
            if (nidsState == Nids.NIDS_JUST_EST) {
                for (HandlerList.Entry<TcpHandler> e : handlers.snapshot()) {
                    StreamState.Listener l = st.addListener(e);
                    call(st, l, true);
                    if (session.stopRequested()) break;
                }
                st.pruneListeners();
            } else if (nidsState == Nids.NIDS_DATA) {
                int mask = dataMask();
                for (int i = 0; i < st.listenerCount; i++) {
                    StreamState.Listener l = st.listeners[i];
                    if ((l.whatto & mask) == 0 || !l.entry.active) continue;
                    call(st, l, true);
                    if (session.stopRequested()) break;
                }
                st.pruneListeners();
            } else {
                for (int i = 0; i < st.listenerCount; i++) {
                    StreamState.Listener l = st.listeners[i];
                    if (!l.entry.active) continue;
                    call(st, l, false);
                    if (session.stopRequested()) break;
                }
            }
        } finally {
            int whatto = settleHandlerCounts(st.javaCollect);
            long compact;
            if (ending || whatto == 0) {
                release(st);
                box.put(JNIDS_TCP_PARAM, 0);
            } else if (nidsState == Nids.NIDS_JUST_EST && (compact = compactForm(st, whatto)) != 0) {
                release(st);
                box.put(JNIDS_TCP_PARAM, compact);
            } else {
                st.trampolineWhatto = whatto;
                box.put(JNIDS_TCP_PARAM, st.id);
            }
        }
    }

    private void call(StreamState st, StreamState.Listener l, boolean track) throws Exception {
        if (track) System.arraycopy(boxCounts, 0, handlerBefore, 0, 4);
        view.enter(st, l);
        session.enterHandler();
        try {
            l.entry.handler.accept(view);
        } finally {
            session.leaveHandler();
            view.leave();
            readCounters();
            if (track) l.whatto = updateMask(l.whatto, handlerBefore, boxCounts);
        }
    }

    private StreamState allocate() {
        if (freeCount > 0) {
            return states.get(freeIds[--freeCount]);
        }
        StreamState st = new StreamState(states.size());
        states.add(st);
        return st;
    }

    private void release(StreamState st) {
        st.clear();
        if (freeCount == freeIds.length) freeIds = Arrays.copyOf(freeIds, freeCount * 2);
        freeIds[freeCount++] = st.id;
    }

    /** Forgets every stream: libnids' streams are gone once its session ends. */
    void reset() {
        for (int i = 1; i < states.size(); i++) {
            states.get(i).clear();
        }
        states.subList(1, states.size()).clear();
        freeCount = 0;
        Arrays.fill(compactEntries, null);
        compactEntryCount = 0;
        materialized = null;
    }
}
