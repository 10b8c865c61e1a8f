package io.github.jnids;

import static io.github.jnids.global.nids.*;

import java.nio.ByteBuffer;
import java.util.function.Predicate;

import io.github.jnids.global.nids;

/**
 * The callbacks (events or up-calls, see NativeLoop) for UDP datagrams, IP
 * datagrams, IP fragments and the IP filter. The views handed to handlers are made once: pointed at the packet
 * where libnids holds it for the duration of the call (zero copy), or, where
 * the JDK does not allow re-pointing a buffer, shown over fixed staging
 * buffers into which the native layer copies each packet.
 *
 * <p>For an event, the down-call that returns it has pointed the views
 * already and the one that answers it revokes them ({@code jnids_event_call},
 * {@code jnids_event_reply}): no JNI call of their own, which was most of an
 * IP callback's cost. An up-call points and revokes them here, and so does
 * an event of a run that began without packet handlers (NativeLoop.run then
 * takes the down-calls that pass no views).
 */
final class PacketDispatcher {
    static final boolean ZERO_COPY = RawMemory.REPOINTABLE;

    private final Session session;
    private final NativeBox udpBox;
    private final NativeBox ipBox;
    private final NativeBox filterBox;
    private final PacketView udpPayload;
    private final PacketView udpDatagram;
    private final PacketView ipDatagram;
    private final PacketView filtered;
    /** Made with the first UDP datagram: 20 KB that sessions without UDP handlers do without. */
    private Tuple4Cache tuples;

    final HandlerList<UdpHandler> udp;
    final HandlerList<IpHandler> ip;
    final HandlerList<IpHandler> ipFrag;
    volatile Predicate<ByteBuffer> ipFilter;

    PacketDispatcher(Session session, nids.jnids_session s) {
        this.session = session;
        udpBox = new NativeBox(jnids_udp_box(s), JNIDS_PKT_BOX_SLOTS);
        ipBox = new NativeBox(jnids_ip_box(s), JNIDS_PKT_BOX_SLOTS);
        filterBox = new NativeBox(jnids_filter_box(s), JNIDS_PKT_BOX_SLOTS);
        udpPayload = new PacketView(udpBox, JNIDS_PKT_PAYLOAD_ADDR, s, 0);
        udpDatagram = new PacketView(udpBox, JNIDS_PKT_IP_ADDR, s, 1);
        ipDatagram = new PacketView(ipBox, JNIDS_PKT_IP_ADDR, s, 2);
        filtered = new PacketView(filterBox, JNIDS_PKT_IP_ADDR, s, 3);
        udp = new HandlerList<>(on -> jnids_listen(s, 1, on));
        ip = new HandlerList<>(on -> jnids_listen(s, 2, on));
        ipFrag = new HandlerList<>(on -> jnids_listen(s, 3, on));
    }

    /**
     * A UDP callback: 0 to go on, 1 to stop. {@code pointed}: an event, whose
     * down-call pointed the views; an up-call's are pointed here.
     */
    int udp(int payloadLength, boolean pointed) {
        try {
            deliverUdp(payloadLength, pointed);
            return session.stopRequested() ? 1 : 0;
        } catch (Throwable t) {
            return session.handlerFailed(t);
        }
    }

    /** An IP or IP fragment callback: 0 to go on, 1 to stop; {@code pointed} as for {@link #udp}. */
    int ip(int kind, int length, boolean pointed) {
        try {
            deliverIp(kind == JNIDS_KIND_IP ? ip : ipFrag, length, pointed);
            return session.stopRequested() ? 1 : 0;
        } catch (Throwable t) {
            return session.handlerFailed(t);
        }
    }

    /** The IP filter: 1 to keep the datagram, 0 to drop it, -1 to stop; {@code pointed} as for {@link #udp}. */
    int filter(int length, boolean pointed) {
        Predicate<ByteBuffer> f = ipFilter;
        if (f == null) return 1;
        session.enterHandler();
        try {
            return f.test(filtered.show(length, pointed)) ? 1 : 0;
        } catch (Throwable t) {
            session.handlerFailed(t);
            return -1;
        } finally {
            session.leaveHandler();
            filtered.hide(pointed);
        }
    }

    /** Whether any packet handler or the IP filter is registered. */
    boolean listened() {
        return !ip.isEmpty() || !udp.isEmpty() || !ipFrag.isEmpty() || ipFilter != null;
    }

    /** The views the event down-calls point: null where they are not re-pointed. */
    ByteBuffer udpPayloadView() {
        return udpPayload.repointable();
    }

    ByteBuffer udpDatagramView() {
        return udpDatagram.repointable();
    }

    ByteBuffer ipDatagramView() {
        return ipDatagram.repointable();
    }

    ByteBuffer filteredView() {
        return filtered.repointable();
    }

    /** A read-only view of one packet buffer of a box, valid during its callback. */
    static final class PacketView {
        private final NativeBox box;
        private final int addressSlot;
        private final ByteBuffer view;

        PacketView(NativeBox box, int addressSlot, nids.jnids_session s, int stage) {
            this.box = box;
            this.addressSlot = addressSlot;
            this.view = ZERO_COPY ? RawMemory.repointableView()
                    : RawMemory.view(jnids_stage(s, stage), JNIDS_STAGE_BYTES).asReadOnlyBuffer();
        }

        /** The view, if the event down-calls are to point it (zero copy), else null. */
        ByteBuffer repointable() {
            return ZERO_COPY ? view : null;
        }

        /** The packet's bytes; {@code pointed}: the down-call has pointed the view at them. */
        ByteBuffer show(int length, boolean pointed) {
            if (!ZERO_COPY) {
                view.clear().limit(length);
                return view;
            }
            if (pointed) {
                view.clear();
                return view;
            }
            return RawMemory.repoint(view, box.get(addressSlot), length);
        }

        /**
         * After the call: the bytes are gone (zero copy) or will be
         * overwritten. A pointed view's capacity is taken away by the
         * down-call that answers the event; its limit goes to 0 here.
         */
        void hide(boolean pointed) {
            if (ZERO_COPY && !pointed) {
                RawMemory.revoke(view);
            } else {
                view.position(0).limit(0);
            }
        }
    }

    /** Length of the IP datagram in the IP box. */
    int ipLength() {
        return (int) ipBox.get(JNIDS_PKT_IP_LEN);
    }

    private static long slot(NativeBox b, int index) {
        return b.get(index);
    }

    private void deliverUdp(int payloadLength, boolean pointed) throws Exception {
        int ipLength = (int) slot(udpBox, JNIDS_PKT_IP_LEN);
        Tuple4 addr;
        if (slot(udpBox, JNIDS_PKT_IPV6) != 0) {
            addr = new Tuple4(Addresses.ipv6(slot(udpBox, JNIDS_PKT_SADDR6), slot(udpBox, JNIDS_PKT_SADDR6 + 1)),
                    (int) slot(udpBox, JNIDS_PKT_SPORT),
                    Addresses.ipv6(slot(udpBox, JNIDS_PKT_DADDR6), slot(udpBox, JNIDS_PKT_DADDR6 + 1)),
                    (int) slot(udpBox, JNIDS_PKT_DPORT));
        } else {
            if (tuples == null) tuples = new Tuple4Cache();
            addr = tuples.get((int) slot(udpBox, JNIDS_PKT_SADDR), (int) slot(udpBox, JNIDS_PKT_SPORT),
                    (int) slot(udpBox, JNIDS_PKT_DADDR), (int) slot(udpBox, JNIDS_PKT_DPORT));
        }
        session.enterHandler();
        try {
            for (HandlerList.Entry<UdpHandler> e : udp.snapshot()) {
                e.handler.accept(addr, udpPayload.show(payloadLength, pointed), udpDatagram.show(ipLength, pointed));
                if (session.stopRequested()) break;
            }
        } finally {
            session.leaveHandler();
            udpPayload.hide(pointed);
            udpDatagram.hide(pointed);
        }
    }

    private void deliverIp(HandlerList<IpHandler> list, int length, boolean pointed) throws Exception {
        session.enterHandler();
        try {
            for (HandlerList.Entry<IpHandler> e : list.snapshot()) {
                e.handler.accept(ipDatagram.show(length, pointed));
                if (session.stopRequested()) break;
            }
        } finally {
            session.leaveHandler();
            ipDatagram.hide(pointed);
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
