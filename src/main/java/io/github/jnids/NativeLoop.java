package io.github.jnids;

import static io.github.jnids.global.nids.*;

/**
 * Runs one native operation (a dispatch, one packet, the end of a session) and
 * hands each libnids callback it yields to its dispatcher.
 *
 * <p>libnids runs on a native coroutine: a callback suspends it and returns an
 * event from the down-call that resumed it, and the dispatcher's answer goes
 * back with the next down-call. This replaces a JNI up-call per callback, the
 * largest part of a callback's cost, with a much cheaper down-call. Where the
 * coroutine is not used (see {@code jnids_coroutine_used}) the native layer
 * calls the same dispatchers by up-calls and the operation finishes at once.
 * The system property {@code jnids.callbacks=jni} asks for up-calls.
 */
final class NativeLoop {
    static final String PROPERTY = "jnids.callbacks";

    private final TcpDispatcher tcp;
    private final PacketDispatcher packets;
    private final WarningDispatcher warnings;

    NativeLoop(TcpDispatcher tcp, PacketDispatcher packets, WarningDispatcher warnings) {
        this.tcp = tcp;
        this.packets = packets;
        this.warnings = warnings;
    }

    /** Applies {@value #PROPERTY} ({@code coroutine}, the default, or {@code jni}). */
    static void configure() {
        String v = System.getProperty(PROPERTY);
        if (v == null || v.equals("coroutine")) {
            jnids_set_coroutine(1);
        } else if (v.equals("jni")) {
            jnids_set_coroutine(0);
        } else {
            throw new IllegalArgumentException("system property " + PROPERTY + "='" + v
                    + "' is not valid: use 'coroutine' (the default) or 'jni'");
        }
    }

    /** Runs op to its end and returns its outcome, as the plain native call would. */
    int run(int op, int arg) {
        long event = jnids_call(op, arg);
        try {
            while ((event & 0xff) != JNIDS_EV_FINISHED) {
                event = jnids_reply(deliver(event));
            }
        } catch (Throwable t) {
            // deliver() catches everything: only the down-call itself gets
            // here (say, a StackOverflowError on entering it). libnids must
            // not stay suspended, or no later call could run it: stop it.
            Session.handlerFailed(t);
            while ((event & 0xff) != JNIDS_EV_FINISHED) {
                event = jnids_reply(stop((int) event & 0x7f));
            }
        }
        return (int) (event >> 32);
    }

    private int deliver(long event) {
        int kind = (int) event & 0xff;
        try {
            if ((kind & JNIDS_EV_IP_FIRST) != 0) {
                kind &= ~JNIDS_EV_IP_FIRST;
                // The packet's IP callback, held back to travel with this event.
                if (packets.ipUpcall.call(JNIDS_KIND_IP, packets.ipLength()) != 0) return stop(kind);
            }
            int arg = (int) (event >> 32);
            switch (kind) {
                case JNIDS_EV_TCP:
                    return tcp.call(arg);
                case JNIDS_EV_UDP:
                    return packets.udpUpcall.call(arg);
                case JNIDS_EV_IP:
                    return packets.ipUpcall.call(((int) event >>> 8) & 0xffffff, arg);
                case JNIDS_EV_WARNING:
                    return warnings.call(((int) event >>> 8) & 0xffffff, arg);
                case JNIDS_EV_FILTER:
                    return packets.filterUpcall.call(arg);
                default:
                    throw new IllegalStateException("unknown native event " + Long.toHexString(event));
            }
        } catch (Throwable t) {
            // The dispatchers catch their handlers' exceptions; this is a
            // failure of jnids itself. libnids is still suspended: stop it,
            // rethrow once it has returned.
            Session.handlerFailed(t);
            return stop(kind);
        }
    }

    /** The reply that stops the run: a filter's is negative, the others' non-zero. */
    private static int stop(int kind) {
        return kind == JNIDS_EV_FILTER ? -1 : 1;
    }
}
