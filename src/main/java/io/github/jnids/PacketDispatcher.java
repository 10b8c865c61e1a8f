package io.github.jnids;

import static io.github.jnids.global.nids.*;

import java.nio.ByteBuffer;
import java.util.function.Predicate;

import io.github.jnids.global.nids;

/**
 * The up-calls for UDP datagrams, IP datagrams, IP fragments and the IP
 * filter. The native layer copies each packet into fixed staging buffers; the
 * views handed to handlers are made once and only repositioned per call.
 */
final class PacketDispatcher {
    private final NativeBox udpBox = new NativeBox(jnids_udp_box(), JNIDS_PKT_BOX_SLOTS);
    private final ByteBuffer udpPayload = stage(0);
    private final ByteBuffer udpDatagram = stage(1);
    private final ByteBuffer ipDatagram = stage(2);
    private final ByteBuffer filtered = stage(3);
    private final Tuple4Cache tuples = new Tuple4Cache();

    final HandlerList<UdpHandler> udp = new HandlerList<>(on -> jnids_listen(1, on));
    final HandlerList<IpHandler> ip = new HandlerList<>(on -> jnids_listen(2, on));
    final HandlerList<IpHandler> ipFrag = new HandlerList<>(on -> jnids_listen(3, on));
    volatile Predicate<ByteBuffer> ipFilter;

    final nids.jnids_udp_upcall udpUpcall = new nids.jnids_udp_upcall() {
        @Override
        public int call(int payloadLength) {
            try {
                deliverUdp(payloadLength);
                return Session.stopRequested() ? 1 : 0;
            } catch (Throwable t) {
                return Session.handlerFailed(t);
            }
        }
    };

    final nids.jnids_ip_upcall ipUpcall = new nids.jnids_ip_upcall() {
        @Override
        public int call(int kind, int length) {
            try {
                deliverIp(kind == JNIDS_KIND_IP ? ip : ipFrag, length);
                return Session.stopRequested() ? 1 : 0;
            } catch (Throwable t) {
                return Session.handlerFailed(t);
            }
        }
    };

    final nids.jnids_filter_upcall filterUpcall = new nids.jnids_filter_upcall() {
        @Override
        public int call(int length) {
            Predicate<ByteBuffer> f = ipFilter;
            if (f == null) return 1;
            Session.enterHandler();
            try {
                filtered.clear().limit(length);
                return f.test(filtered) ? 1 : 0;
            } catch (Throwable t) {
                Session.handlerFailed(t);
                return -1;
            } finally {
                Session.leaveHandler();
                filtered.limit(0);
            }
        }
    };

    private static ByteBuffer stage(int which) {
        return RawMemory.view(jnids_stage(which), JNIDS_STAGE_BYTES).asReadOnlyBuffer();
    }

    private static long slot(NativeBox b, int index) {
        return b.get(index);
    }

    private void deliverUdp(int payloadLength) throws Exception {
        int ipLength = (int) slot(udpBox, JNIDS_PKT_IP_LEN);
        Tuple4 addr = tuples.get((int) slot(udpBox, JNIDS_PKT_SADDR), (int) slot(udpBox, JNIDS_PKT_SPORT),
                (int) slot(udpBox, JNIDS_PKT_DADDR), (int) slot(udpBox, JNIDS_PKT_DPORT));
        Session.enterHandler();
        try {
            for (HandlerList.Entry<UdpHandler> e : udp.snapshot()) {
                udpPayload.clear().limit(payloadLength);
                udpDatagram.clear().limit(ipLength);
                e.handler.accept(addr, udpPayload, udpDatagram);
                if (Session.stopRequested()) break;
            }
        } finally {
            Session.leaveHandler();
            udpPayload.limit(0);
            udpDatagram.limit(0);
        }
    }

    private void deliverIp(HandlerList<IpHandler> list, int length) throws Exception {
        Session.enterHandler();
        try {
            for (HandlerList.Entry<IpHandler> e : list.snapshot()) {
                ipDatagram.clear().limit(length);
                e.handler.accept(ipDatagram);
                if (Session.stopRequested()) break;
            }
        } finally {
            Session.leaveHandler();
            ipDatagram.limit(0);
        }
    }

    /** Recent UDP address tuples, so that a busy flow does not make a new record per datagram. */
    static final class Tuple4Cache {
        private static final int SIZE = 1024;
        private final long[] keysA = new long[SIZE];
        private final long[] keysB = new long[SIZE];
        private final Tuple4[] values = new Tuple4[SIZE];

        Tuple4 get(int saddr, int sport, int daddr, int dport) {
            long a = ((long) saddr << 32) | (daddr & 0xffffffffL);
            long b = ((long) sport << 16) | dport;
            int h = (int) ((a * 0x9E3779B97F4A7C15L + b) >>> 54) & (SIZE - 1);
            Tuple4 t = values[h];
            if (t != null && keysA[h] == a && keysB[h] == b) return t;
            t = new Tuple4(Tuple4.ipv4(saddr), sport, Tuple4.ipv4(daddr), dport);
            keysA[h] = a;
            keysB[h] = b;
            values[h] = t;
            return t;
        }
    }
}
