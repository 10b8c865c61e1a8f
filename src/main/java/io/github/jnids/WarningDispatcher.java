package io.github.jnids;

import static io.github.jnids.global.nids.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import io.github.jnids.global.nids;

/**
 * Turns libnids' syslog hook into {@link NidsWarning} events: to the registered
 * handlers, or to {@link System.Logger} {@code io.github.jnids} when there are
 * none (scans at WARNING, malformed traffic at DEBUG).
 */
final class WarningDispatcher {
    private static final System.Logger LOG = System.getLogger("io.github.jnids");
    private static final String[] MESSAGES = messages();

    final HandlerList<WarningHandler> handlers = new HandlerList<>(on -> { });
    private final Session session;
    private final NativeBox box;
    private final ByteBuffer probes;

    WarningDispatcher(Session session, nids.jnids_session nativeSession) {
        this.session = session;
        this.box = new NativeBox(jnids_warning_box(nativeSession), JNIDS_PKT_BOX_SLOTS);
        this.probes = RawMemory.view(jnids_stage(nativeSession, 4), 8L * JNIDS_SCAN_SLOTS * JNIDS_SCAN_MAX);
    }

    private static String[] messages() {
        List<String> m = new ArrayList<>();
        for (int i = 0; i <= 9; i++) {
            m.add(nids_warnings(i).getString());
        }
        return m.toArray(new String[0]);
    }

    /** A warning callback (event or up-call): 0 to go on, 1 to stop. */
    int call(int type, int errnum) {
        try {
            NidsWarning w = read(type, errnum);
            HandlerList.Entry<WarningHandler>[] list = handlers.snapshot();
            if (list.length == 0) {
                // A port scan is news; malformed packets are routine on real
                // links (libnids' own default sends both to syslog, unseen).
                LOG.log(w.kind() == NidsWarning.Kind.SCAN ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
                        "libnids: {0}", w);
                return 0;
            }
            session.enterHandler();
            try {
                for (HandlerList.Entry<WarningHandler> e : list) {
                    e.handler.accept(w);
                    if (session.stopRequested()) break;
                }
            } finally {
                session.leaveHandler();
            }
            return session.stopRequested() ? 1 : 0;
        } catch (Throwable t) {
            return session.handlerFailed(t);
        }
    }

    private int slot(int index) {
        return (int) box.get(index);
    }

    private NidsWarning read(int type, int errnum) {
        NidsWarning.Kind kind = switch (type) {
            case NIDS_WARN_IP -> NidsWarning.Kind.IP;
            case NIDS_WARN_TCP -> NidsWarning.Kind.TCP;
            case NIDS_WARN_UDP -> NidsWarning.Kind.UDP;
            case NIDS_WARN_SCAN -> NidsWarning.Kind.SCAN;
            default -> NidsWarning.Kind.IP;
        };
        boolean ipv6 = box.get(JNIDS_PKT_IPV6) != 0;
        String src = ipv6 ? Addresses.ipv6(box.get(JNIDS_PKT_SADDR6), box.get(JNIDS_PKT_SADDR6 + 1))
                : Tuple4.ipv4(slot(JNIDS_PKT_SADDR));
        if (kind == NidsWarning.Kind.SCAN) {
            int n = slot(JNIDS_PKT_SCAN_COUNT);
            List<ScanProbe> list = new ArrayList<>(n);
            int flagsAnd = 0xff, flagsOr = 0;
            for (int i = 0; i < n; i++) {
                int at = JNIDS_SCAN_SLOTS * i * 8;
                int flags = (int) probes.getLong(at + 2 * 8);
                String host = ipv6 ? Addresses.ipv6(probes.getLong(at + 3 * 8), probes.getLong(at + 4 * 8))
                        : Tuple4.ipv4((int) probes.getLong(at));
                list.add(new ScanProbe(host, (int) probes.getLong(at + 8), flags));
                flagsAnd &= flags;
                flagsOr |= flags;
            }
            return new NidsWarning(kind, 0, "Scan from " + src + ", " + scanType(n, flagsAnd, flagsOr),
                    src, 0, null, 0, list);
        }
        String message = errnum >= 0 && errnum < MESSAGES.length ? MESSAGES[errnum] : "Unknown warning number " + errnum;
        return new NidsWarning(kind, errnum, message, src, slot(JNIDS_PKT_SPORT),
                ipv6 ? Addresses.ipv6(box.get(JNIDS_PKT_DADDR6), box.get(JNIDS_PKT_DADDR6 + 1))
                        : Tuple4.ipv4(slot(JNIDS_PKT_DADDR)), slot(JNIDS_PKT_DPORT), List.of());
    }

    /** libnids' own naming of a scan from the probes' TCP flags. */
    private static String scanType(int n, int flagsAnd, int flagsOr) {
        if (n == 0 || flagsAnd != flagsOr) return "various flags";
        return switch (flagsAnd) {
            case 2 -> "scan type: SYN";
            case 0 -> "scan type: NULL";
            case 1 -> "scan type: FIN";
            default -> "flags=0x" + Integer.toHexString(flagsAnd);
        };
    }
}
