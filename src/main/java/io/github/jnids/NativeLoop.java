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

    private final Session session;
    /** The native session's address. */
    private final long s;
    private final TcpDispatcher tcp;
    private final PacketDispatcher packets;
    private final WarningDispatcher warnings;
    /** The packet views the down-calls point and revoke (null: not re-pointed). */
    private final java.nio.ByteBuffer udpPayload, udpDatagram, ipDatagram, filtered;

    NativeLoop(Session session, long nativeSession, TcpDispatcher tcp, PacketDispatcher packets,
            WarningDispatcher warnings) {
        this.session = session;
        this.s = nativeSession;
        this.tcp = tcp;
        this.packets = packets;
        this.warnings = warnings;
        this.udpPayload = packets.udpPayloadView();
        this.udpDatagram = packets.udpDatagramView();
        this.ipDatagram = packets.ipDatagramView();
        this.filtered = packets.filteredView();
    }

    /** Applies {@value #PROPERTY} ({@code coroutine}, the default, or {@code jni}) to a session. */
    static void configure(io.github.jnids.global.nids.jnids_session s) {
        String v = System.getProperty(PROPERTY);
        if (v == null || v.equals("coroutine")) {
            jnids_set_coroutine(s, 1);
        } else if (v.equals("jni")) {
            jnids_set_coroutine(s, 0);
        } else {
            throw new IllegalArgumentException("system property " + PROPERTY + "='" + v
                    + "' is not valid: use 'coroutine' (the default) or 'jni'");
        }
    }

    /**
     * Runs op to its end and returns its outcome, as the plain native call
     * would. With packet handlers, through the down-calls that point and
     * revoke the packet views; without, the plain ones: no view arguments to
     * pass, no event kind to look at in C (104 instructions less per TCP
     * callback, bench/results/instructions-2026-12-03.md). An event for a
     * handler registered during the run is then delivered unpointed, its
     * views pointed and revoked from Java as for an up-call.
     */
    int run(int op, int arg) {
        boolean views = packets.listened();
        long event = views ? jnids_event_call(udpPayload, udpDatagram, ipDatagram, filtered, s, op, arg)
                : jnids_call(s, op, arg);
        try {
            while ((event & JNIDS_EV_KIND_MASK) != JNIDS_EV_FINISHED) {
                event = reply(deliver(event, views), event, views);
            }
        } catch (Throwable t) {
            // deliver() catches everything: only the down-call itself gets
            // here (say, a StackOverflowError on entering it). libnids must
            // not stay suspended, or no later call could run it: stop it.
            session.handlerFailed(t);
            while ((event & JNIDS_EV_KIND_MASK) != JNIDS_EV_FINISHED) {
                event = reply(stop(kindOf(event) & ~JNIDS_EV_IP_FIRST), event, views);
            }
        }
        return argumentOf(event);
    }

    /** Answers event; returns the next one. {@code views}: as run() chose. */
    private long reply(int answer, long event, boolean views) {
        return views ? jnids_event_reply(udpPayload, udpDatagram, ipDatagram, filtered, s, answer, event)
                : jnids_reply(s, answer);
    }

    private static int kindOf(long event) {
        return (int) event & JNIDS_EV_KIND_MASK;
    }

    private static int detailOf(long event) {
        return ((int) event >>> JNIDS_EV_DETAIL_SHIFT) & JNIDS_EV_DETAIL_MASK;
    }

    private static int argumentOf(long event) {
        return (int) (event >> JNIDS_EV_ARG_SHIFT);
    }

    /** {@code pointed}: the down-call that returned event pointed its views (run()'s choice). */
    private int deliver(long event, boolean pointed) {
        int kind = kindOf(event);
        try {
            if ((kind & JNIDS_EV_IP_FIRST) != 0) {
                kind &= ~JNIDS_EV_IP_FIRST;
                // The packet's IP callback, held back to travel with this event.
                if (packets.ip(JNIDS_KIND_IP, packets.ipLength(), pointed) != 0) return stop(kind);
            }
            int arg = argumentOf(event);
            switch (kind) {
                case JNIDS_EV_TCP:
                    return tcp.call(arg);
                case JNIDS_EV_UDP:
                    return packets.udp(arg, pointed);
                case JNIDS_EV_IP:
                    return packets.ip(detailOf(event), arg, pointed);
                case JNIDS_EV_WARNING:
                    return warnings.call(detailOf(event), arg);
                case JNIDS_EV_FILTER:
                    return packets.filter(arg, pointed);
                default:
                    throw new IllegalStateException("unknown native event " + Long.toHexString(event));
            }
        } catch (Throwable t) {
            // The dispatchers catch their handlers' exceptions; this is a
            // failure of jnids itself. libnids is still suspended: stop it,
            // rethrow once it has returned.
            session.handlerFailed(t);
            return stop(kind);
        }
    }

    /** The reply that stops the run: a filter's is negative, the others' non-zero. */
    private static int stop(int kind) {
        return kind == JNIDS_EV_FILTER ? -1 : 1;
    }
}
