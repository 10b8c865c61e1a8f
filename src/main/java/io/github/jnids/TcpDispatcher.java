package io.github.jnids;

import static io.github.jnids.global.nids.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;

import io.github.jnids.global.nids;

/**
 * The one up-call through which libnids' TCP callbacks reach Java. libnids sees
 * a single listener; this class keeps, per stream, the list of Java handlers
 * listening to it and applies libnids' own rules to them: every handler sees
 * {@code NIDS_JUST_EST}, keeps receiving a direction's data only while it asks
 * to collect it, and sees the end of every stream it listens to.
 */
final class TcpDispatcher extends nids.jnids_tcp_upcall {
    // libnids' COLLECT_* bits (tcp.c).
    private static final int CC = 1, SC = 2, CCU = 4, SCU = 8;
    private static final int C = JNIDS_TCP_CLIENT, S = JNIDS_TCP_SERVER;

    private final ByteBuffer box;
    private final HandlerList<TcpHandler> handlers;
    private final TcpStream view;
    private final ArrayList<StreamState> states = new ArrayList<>();
    private int[] freeIds = new int[16];
    private int freeCount;

    TcpDispatcher(ByteBuffer box, HandlerList<TcpHandler> handlers) {
        this.box = box;
        this.handlers = handlers;
        this.view = new TcpStream(box);
        states.add(null); // id 0 means "no state"
    }

    @Override
    public int call(int nidsState) {
        try {
            dispatch(nidsState);
            return Session.stopRequested() ? 1 : 0;
        } catch (Throwable t) {
            return Session.handlerFailed(t);
        }
    }

    private int slot(int index) {
        return (int) box.getLong(index * 8);
    }

    private int[] counters(int[] into) {
        into[0] = slot(C + JNIDS_HALF_COLLECT);
        into[1] = slot(S + JNIDS_HALF_COLLECT);
        into[2] = slot(C + JNIDS_HALF_COLLECT_URG);
        into[3] = slot(S + JNIDS_HALF_COLLECT_URG);
        return into;
    }

    private final int[] before = new int[4];
    private final int[] handlerBefore = new int[4];
    private final int[] after = new int[4];
    private final int[] base = new int[4];

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

    private void dispatch(int nidsState) throws Exception {
        counters(before);
        StreamState st;
        if (nidsState == Nids.NIDS_JUST_EST) {
            st = allocate();
        } else {
            long id = box.getLong(JNIDS_TCP_PARAM * 8);
            st = id > 0 && id < states.size() ? states.get((int) id) : null;
            if (st == null) return;
        }
        boolean ending = nidsState != Nids.NIDS_JUST_EST && nidsState != Nids.NIDS_DATA;
        // libnids sees jnids as one listener adding 0 or 1 to each collect
        // counter; handlers see (and change) the counter as it would be with
        // each of them a libnids listener: the others' part plus their sum.
        for (int k = 0; k < 4; k++) {
            int mine = (st.trampolineWhatto & BITS[k]) != 0 ? 1 : 0;
            base[k] = before[k] - mine;
            box.putLong(SLOTS[k] * 8, base[k] + st.javaCollect[k]);
        }
        try {
            if (nidsState == Nids.NIDS_JUST_EST) {
                for (HandlerList.Entry<TcpHandler> e : handlers.snapshot()) {
                    StreamState.Listener l = st.addListener(e);
                    call(st, l, true);
                    if (Session.stopRequested()) break;
                }
                st.pruneListeners();
            } else if (nidsState == Nids.NIDS_DATA) {
                int mask = dataMask();
                for (int i = 0; i < st.listenerCount; i++) {
                    StreamState.Listener l = st.listeners[i];
                    if ((l.whatto & mask) == 0 || !l.entry.active) continue;
                    call(st, l, true);
                    if (Session.stopRequested()) break;
                }
                st.pruneListeners();
            } else {
                for (int i = 0; i < st.listenerCount; i++) {
                    StreamState.Listener l = st.listeners[i];
                    if (!l.entry.active) continue;
                    call(st, l, false);
                    if (Session.stopRequested()) break;
                }
            }
        } finally {
            // libnids keeps jnids' trampoline on the stream while some handler
            // collects: its part of each counter goes back to 0 or 1, so that
            // libnids' own rule (a counter that rose sets the listener's bit,
            // one that fell clears it) gives the trampoline that mask.
            counters(after);
            int whatto = 0;
            for (int k = 0; k < 4; k++) {
                int sum = Math.max(0, after[k] - base[k]);
                st.javaCollect[k] = sum;
                if (sum > 0) whatto |= BITS[k];
                box.putLong(SLOTS[k] * 8, base[k] + (sum > 0 ? 1 : 0));
            }
            if (ending || whatto == 0) {
                release(st);
                box.putLong(JNIDS_TCP_PARAM * 8, 0);
            } else {
                st.trampolineWhatto = whatto;
                box.putLong(JNIDS_TCP_PARAM * 8, st.id);
            }
        }
    }

    private void call(StreamState st, StreamState.Listener l, boolean track) throws Exception {
        if (track) counters(handlerBefore);
        view.enter(st, l);
        Session.enterHandler();
        try {
            l.entry.handler.accept(view);
        } finally {
            Session.leaveHandler();
            view.leave();
            if (track) l.whatto = updateMask(l.whatto, handlerBefore, counters(after));
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
    }
}
