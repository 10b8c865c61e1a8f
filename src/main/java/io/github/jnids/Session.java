package io.github.jnids;

/**
 * The call state of one {@link NidsSession}: which thread is inside it,
 * whether a handler is running, a stop request, the exception a handler threw
 * (rethrown once libnids has returned, because a Java exception must never
 * unwind through libnids' C frames), and whether it is open or closed.
 *
 * <p>{@link #claim} is the one place where a facade call takes the session:
 * {@code try (Session s = session.claim("run()", false)) { ... }}. The claim
 * is reentrant for its thread, so handlers may call what is allowed in them.
 */
final class Session implements AutoCloseable {
    /** How the API is named in messages: "Nids." for the static facade, "" for a session. */
    private final String api;
    /** The NidsSession, kept reachable by every claim: its Cleaner must not run during a call. */
    private final Object keepAlive;
    private Thread owner;
    private int ownerDepth;
    private int handlerDepth;
    private Throwable pending;
    private volatile boolean stopping;
    volatile boolean open;
    private volatile boolean closed;

    Session(String api, Object keepAlive) {
        this.api = api;
        this.keepAlive = keepAlive;
    }

    /**
     * Claims the session for the calling thread for one facade call. Fails when
     * it is closed, when another thread holds it, or (unless allowed) when
     * called from a handler. Returns this, to be closed by try-with-resources.
     */
    synchronized Session claim(String what, boolean allowedInHandler) {
        if (closed) {
            throw new IllegalStateException(api + what + " called on a closed session; make a new NidsSession");
        }
        Thread me = Thread.currentThread();
        if (owner != null && owner != me) {
            throw new IllegalStateException(api + what + " was called on thread '" + me.getName()
                    + "' while the session is busy on thread '" + owner.getName()
                    + "'; only " + api + "stop() may be called from another thread");
        }
        if (!allowedInHandler && handlerDepth > 0) {
            throw new IllegalStateException(api + what + " cannot be called from inside a handler");
        }
        owner = me;
        ownerDepth++;
        return this;
    }

    /** Ends a claim. */
    @Override
    public synchronized void close() {
        if (--ownerDepth == 0) owner = null;
        java.lang.ref.Reference.reachabilityFence(keepAlive);
    }

    /** Marks the session closed: later claims fail. */
    void markClosed() {
        closed = true;
        open = false;
    }

    boolean isClosed() {
        return closed;
    }

    /** The thread inside the session now, or null. */
    synchronized Thread owner() {
        return owner;
    }

    String api() {
        return api;
    }

    void enterHandler() {
        handlerDepth++;
    }

    void leaveHandler() {
        handlerDepth--;
    }

    boolean inHandler() {
        return handlerDepth > 0;
    }

    boolean stopRequested() {
        return stopping;
    }

    void requestStop() {
        stopping = true;
    }

    void clearStop() {
        stopping = false;
    }

    /** Records a handler's exception and asks libnids' loop to stop; returns the callback's "stop" reply. */
    int handlerFailed(Throwable t) {
        if (pending == null) {
            pending = t;
        } else if (pending != t) {
            pending.addSuppressed(t);
        }
        stopping = true;
        return 1;
    }

    /** Rethrows what a handler threw during the last native call, if anything. */
    void rethrowPending() {
        Throwable t = pending;
        if (t == null) return;
        pending = null;
        if (t instanceof RuntimeException r) throw r;
        if (t instanceof Error e) throw e;
        throw new NidsException(NidsException.Reason.HANDLER_FAILED, "a handler failed: " + t, t);
    }
}
