package io.github.jnids;

import static io.github.jnids.global.nids.*;

import java.lang.ref.Cleaner;
import java.lang.ref.WeakReference;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.jnids.global.nids;

/**
 * The native half of a {@link NidsSession}: its {@code jnids_session} (libnids
 * engine, boxes, coroutine, capture), its id for the up-calls, and the
 * {@link Cleaner} action that frees it when the session is garbage-collected
 * without {@code close()}. Holds nothing of the Java session, so that the
 * session can become unreachable.
 *
 * <p>{@link #stop()} may come from any thread at any time, also while
 * {@link #free()} runs on another: users counts the stoppers inside the native
 * call and free() waits for them (each is a few instructions, never blocking)
 * after it has refused new ones.
 */
final class NativeSession implements Runnable {
    private static final System.Logger LOG = System.getLogger("io.github.jnids");
    private static final Cleaner CLEANER = Cleaner.create();
    private static final int FREED = Integer.MIN_VALUE;
    private static final AtomicInteger LIVE = new AtomicInteger();

    final nids.jnids_session pointer;
    /** The same, as an address, for the per-event down-calls. */
    final long address;
    final int id;
    /** Where the session was made, or last opened: named by the Cleaner's warning. */
    volatile Throwable openedAt;
    private final AtomicInteger users = new AtomicInteger();
    private volatile boolean closedExplicitly;
    private Cleaner.Cleanable cleanable;

    private NativeSession(nids.jnids_session pointer, int id, Throwable openedAt) {
        this.pointer = pointer;
        this.address = pointer.address();
        this.id = id;
        this.openedAt = openedAt;
    }

    /** A new native session for owner, freed by {@link #free()} or when owner becomes unreachable. */
    static NativeSession create(NidsSession owner, Throwable openedAt) {
        Upcalls.install();
        int id = Registry.add(owner);
        nids.jnids_session p = jnids_session_new(id);
        if (p == null || p.isNull()) {
            Registry.remove(id);
            throw new NidsException(NidsException.Reason.OUT_OF_MEMORY, "no memory for a new libnids session");
        }
        jnids_set_zero_copy(p, PacketDispatcher.ZERO_COPY ? 1 : 0);
        LIVE.incrementAndGet();
        NativeSession s = new NativeSession(p, id, openedAt);
        s.cleanable = CLEANER.register(owner, s);
        return s;
    }

    /** Frees the native session now (idempotent); the Cleaner then has nothing to do. */
    void free() {
        closedExplicitly = true;
        cleanable.clean();
    }

    /** The Cleaner's action, or free()'s. */
    @Override
    public void run() {
        if (!closedExplicitly) {
            LOG.log(System.Logger.Level.WARNING, "a NidsSession was garbage-collected without close(); "
                    + "its capture and native memory are released now. It was made here:", openedAt);
        }
        // Refuse new stoppers, then wait for those inside (a few instructions each).
        while (true) {
            int u = users.get();
            if (u == FREED) return;
            if (u == 0 && users.compareAndSet(0, FREED)) break;
            Thread.onSpinWait();
        }
        jnids_session_free(pointer);
        Registry.remove(id);
        LIVE.decrementAndGet();
    }

    /** Native sessions not yet freed, for tests. */
    static int live() {
        return LIVE.get();
    }

    /** Keeps the native session from being freed until {@link #release()}; false when it is freed. */
    boolean acquire() {
        int u;
        do {
            u = users.get();
            if (u < 0) return false;
        } while (!users.compareAndSet(u, u + 1));
        return true;
    }

    void release() {
        users.decrementAndGet();
    }

    /** jnids_stop() unless the session is freed; never blocks. */
    void stop() {
        if (!acquire()) return;
        try {
            jnids_stop(pointer);
        } finally {
            release();
        }
    }

    boolean isFreed() {
        return users.get() == FREED;
    }

    /** Sessions by id, for the up-calls; weak, so that an unclosed session can be collected. */
    static final class Registry {
        @SuppressWarnings("unchecked")
        private static WeakReference<NidsSession>[] byId = new WeakReference[16];
        private static int[] free = new int[0];
        private static int freeCount;
        private static int next;

        static synchronized int add(NidsSession s) {
            int id;
            if (freeCount > 0) {
                id = free[--freeCount];
            } else {
                id = next++;
                if (id == byId.length) byId = Arrays.copyOf(byId, id * 2);
            }
            byId[id] = new WeakReference<>(s);
            return id;
        }

        static synchronized void remove(int id) {
            if (id < 0 || id >= byId.length || byId[id] == null) return;
            byId[id] = null;
            if (freeCount == free.length) free = Arrays.copyOf(free, Math.max(16, freeCount * 2));
            free[freeCount++] = id;
        }

        static synchronized NidsSession get(int id) {
            WeakReference<NidsSession> r = id >= 0 && id < byId.length ? byId[id] : null;
            return r == null ? null : r.get();
        }
    }

    /**
     * The JNI up-calls, one object of each kind for all sessions (JavaCPP
     * limits how many of a callback class may exist): each finds its session
     * by the id the native layer passes.
     */
    static final class Upcalls {
        private static boolean installed;
        private static Tcp tcp;
        private static Udp udp;
        private static Ip ip;
        private static Warning warning;
        private static Filter filter;

        static synchronized void install() {
            if (installed) return;
            tcp = new Tcp();
            udp = new Udp();
            ip = new Ip();
            warning = new Warning();
            filter = new Filter();
            jnids_set_upcalls(tcp, udp, ip, warning, filter);
            installed = true;
        }

        // A session is reachable while it is inside a call, so its id is
        // always found; were it not, the reply stops the run (an exception
        // must not escape into the native caller).

        static final class Tcp extends nids.jnids_tcp_upcall {
            @Override
            public int call(int session, int nidsState) {
                NidsSession s = Registry.get(session);
                return s == null ? 1 : s.tcpDispatcher.call(nidsState);
            }
        }

        static final class Udp extends nids.jnids_udp_upcall {
            @Override
            public int call(int session, int payloadLength) {
                NidsSession s = Registry.get(session);
                return s == null ? 1 : s.packets.udp(payloadLength, false);
            }
        }

        static final class Ip extends nids.jnids_ip_upcall {
            @Override
            public int call(int session, int kind, int length) {
                NidsSession s = Registry.get(session);
                return s == null ? 1 : s.packets.ip(kind, length, false);
            }
        }

        static final class Warning extends nids.jnids_warning_upcall {
            @Override
            public int call(int session, int type, int errnum) {
                NidsSession s = Registry.get(session);
                return s == null ? 1 : s.warnings.call(type, errnum);
            }
        }

        static final class Filter extends nids.jnids_filter_upcall {
            @Override
            public int call(int session, int length) {
                NidsSession s = Registry.get(session);
                return s == null ? -1 : s.packets.filter(length, false);
            }
        }
    }
}
