package io.github.jnids;

/**
 * The state shared by the facade and the callbacks: which thread is inside
 * libnids, whether a handler is running, a stop request, and the exception a
 * handler threw (to be rethrown once libnids has returned, because a Java
 * exception must never unwind through libnids' C frames).
 */
final class Session {
    /** Held while a session opens or closes, so that stop() never meets a closing capture. */
    static final Object LIFECYCLE = new Object();

    private static Thread owner;
    private static int ownerDepth;
    private static int handlerDepth;
    private static Throwable pending;
    private static volatile boolean stopping;
    static volatile boolean open;

    private Session() { }

    /**
     * Claims libnids for the calling thread for one facade call. Fails when
     * another thread holds it, or (unless allowed) when called from a handler.
     */
    static synchronized void begin(String what, boolean allowedInHandler) {
        Thread me = Thread.currentThread();
        if (owner != null && owner != me) {
            throw new IllegalStateException(what + " was called on thread '" + me.getName()
                    + "' while libnids is busy on thread '" + owner.getName()
                    + "'; only Nids.stop() may be called from another thread");
        }
        if (!allowedInHandler && handlerDepth > 0) {
            throw new IllegalStateException(what + " cannot be called from inside a handler");
        }
        owner = me;
        ownerDepth++;
    }

    static synchronized void end() {
        if (--ownerDepth == 0) owner = null;
    }

    static void enterHandler() {
        handlerDepth++;
    }

    static void leaveHandler() {
        handlerDepth--;
    }

    static boolean stopRequested() {
        return stopping;
    }

    static void requestStop() {
        stopping = true;
    }

    static void clearStop() {
        stopping = false;
    }

    /** Records a handler's exception and asks libnids' loop to stop; returns the callback's "stop" reply. */
    static int handlerFailed(Throwable t) {
        if (pending == null) {
            pending = t;
        } else if (pending != t) {
            pending.addSuppressed(t);
        }
        stopping = true;
        return 1;
    }

    /** Rethrows what a handler threw during the last native call, if anything. */
    static void rethrowPending() {
        Throwable t = pending;
        if (t == null) return;
        pending = null;
        if (t instanceof RuntimeException r) throw r;
        if (t instanceof Error e) throw e;
        throw new NidsException("a handler failed: " + t, t);
    }
}
