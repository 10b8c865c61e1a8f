package io.github.jnids;

/**
 * What jnids keeps for one TCP stream between callbacks: its listeners (the
 * handlers that asked for its data, as libnids' lurker list), their collect
 * counters and its addresses. Found again through the stream's libnids
 * {@code param}, which holds the state's id.
 */
final class StreamState {
    /** A handler listening to this stream, with libnids' COLLECT_* mask. */
    static final class Listener {
        HandlerList.Entry<TcpHandler> entry;
        int whatto;
        Object user;
    }

    final int id;
    Listener[] listeners = new Listener[4];
    int listenerCount;
    /** libnids' mask for jnids' own trampoline on this stream. */
    int trampolineWhatto;
    /** The collect counters as the handlers keep them (client, server, client urgent, server urgent). */
    final int[] javaCollect = new int[4];
    Tuple4 addr;

    StreamState(int id) {
        this.id = id;
        // Made with the state, most streams' only listener sits next to it in
        // memory: a callback on one of thousands of open streams then misses
        // the cache once or twice, not once per object.
        listeners[0] = new Listener();
    }

    Listener addListener(HandlerList.Entry<TcpHandler> entry) {
        if (listenerCount == listeners.length) {
            listeners = java.util.Arrays.copyOf(listeners, listenerCount * 2);
        }
        Listener l = listeners[listenerCount];
        if (l == null) listeners[listenerCount] = l = new Listener();
        listenerCount++;
        l.entry = entry;
        l.whatto = 0;
        l.user = null;
        return l;
    }

    /** Drops listeners whose mask fell to zero, as libnids' prune_listeners does. */
    void pruneListeners() {
        int kept = 0;
        for (int i = 0; i < listenerCount; i++) {
            Listener l = listeners[i];
            if (l.whatto != 0) {
                listeners[i] = listeners[kept];
                listeners[kept++] = l;
            } else {
                l.entry = null;
                l.user = null;
            }
        }
        listenerCount = kept;
    }

    void clear() {
        for (int i = 0; i < listenerCount; i++) {
            listeners[i].entry = null;
            listeners[i].user = null;
        }
        listenerCount = 0;
        trampolineWhatto = 0;
        java.util.Arrays.fill(javaCollect, 0);
        addr = null;
    }
}
