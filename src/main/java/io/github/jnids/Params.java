package io.github.jnids;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.bytedeco.javacpp.BytePointer;

import io.github.jnids.global.nids;

/**
 * A session's libnids {@code nids_params} under pynids' names. Strings are
 * copied into native memory the native session owns (freed when replaced or
 * with the session).
 */
final class Params {
    enum Type { INT, FLAG, BOOLEAN, STRING, FILTER, GAPS }

    /** Every parameter; {@code fixedWhileOpen} ones are read by libnids when a session starts. */
    enum Param {
        DEVICE(Type.STRING, true), FILENAME(Type.STRING, true), PCAP_FILTER(Type.STRING, true),
        N_TCP_STREAMS(Type.INT, true), N_HOSTS(Type.INT, true), SK_BUFF_SIZE(Type.INT, false),
        // libnids replaces dev_addon -1 ("automatic") by its choice for the link type at init
        DEV_ADDON(Type.INT, true), SYSLOG_LEVEL(Type.INT, false), SCAN_NUM_HOSTS(Type.INT, true),
        SCAN_NUM_PORTS(Type.INT, false), SCAN_DELAY(Type.INT, false), PROMISC(Type.FLAG, true),
        ONE_LOOP_LESS(Type.FLAG, false), PCAP_TIMEOUT(Type.INT, true), TCP_WORKAROUNDS(Type.FLAG, false),
        TCP_FLOW_TIMEOUT(Type.INT, false), MULTIPROC(Type.FLAG, true), QUEUE_LIMIT(Type.INT, false),
        IP_FILTER(Type.FILTER, false),
        // the bundled libnids' own: IPv6 decoded (1, the default) or ignored as by libnids 1.26 (0)
        IPV6(Type.FLAG, true),
        // libnids patch 0050: "wait" (libnids' behaviour) or "skip" holes that cannot fill
        TCP_GAPS(Type.GAPS, true), TCP_GAP_QUEUE_LIMIT(Type.INT, false),
        // libnids patch 0060: also report streams whose handshake was not captured
        TCP_MIDSTREAM(Type.BOOLEAN, false),
        // jnids' own: checksum-offload detection (OffloadDetector), not a libnids field
        CHECKSUMS(Type.STRING, true);

        final Type type;
        final boolean fixedWhileOpen;

        Param(Type type, boolean fixedWhileOpen) {
            this.type = type;
            this.fixedWhileOpen = fixedWhileOpen;
        }

        String pynidsName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static final String NAMES = Arrays.stream(Param.values()).map(Param::pynidsName)
            .collect(Collectors.joining(", "));

    private final nids.jnids_session session;
    private final nids.nids_prm prm;
    private final Map<Param, String> strings = new EnumMap<>(Param.class);
    private final PacketDispatcher packets;
    private final OffloadDetector offload;

    Params(nids.jnids_session session, PacketDispatcher packets, OffloadDetector offload) {
        this.session = session;
        this.prm = nids.jnids_params(session);
        this.packets = packets;
        this.offload = offload;
    }

    /** The session's nids_params structure itself. */
    nids.nids_prm raw() {
        return prm;
    }

    static Param lookup(String name) {
        if (name == null) throw new IllegalArgumentException("parameter name is null; valid names: " + NAMES);
        for (Param p : Param.values()) {
            if (p.pynidsName().equals(name)) return p;
        }
        throw new IllegalArgumentException("unknown parameter '" + name + "'; valid names: " + NAMES);
    }

    /** A string parameter's value, for toString() from any thread. */
    Object peek(Param p) {
        return strings.get(p);
    }

    Object get(Param p) {
        return switch (p) {
            case DEVICE, FILENAME, PCAP_FILTER -> strings.get(p);
            case IP_FILTER -> packets.ipFilter;
            case CHECKSUMS -> offload.mode();
            case N_TCP_STREAMS -> prm.n_tcp_streams();
            case N_HOSTS -> prm.n_hosts();
            case SK_BUFF_SIZE -> prm.sk_buff_size();
            case DEV_ADDON -> prm.dev_addon();
            case SYSLOG_LEVEL -> prm.syslog_level();
            case SCAN_NUM_HOSTS -> prm.scan_num_hosts();
            case SCAN_NUM_PORTS -> prm.scan_num_ports();
            case SCAN_DELAY -> prm.scan_delay();
            case PROMISC -> prm.promisc();
            case ONE_LOOP_LESS -> prm.one_loop_less();
            case PCAP_TIMEOUT -> prm.pcap_timeout();
            case TCP_WORKAROUNDS -> prm.tcp_workarounds();
            case TCP_FLOW_TIMEOUT -> prm.tcp_flow_timeout();
            case MULTIPROC -> prm.multiproc();
            case QUEUE_LIMIT -> prm.queue_limit();
            case IPV6 -> prm.ipv6();
            case TCP_GAPS -> prm.tcp_gaps() == nids.NIDS_TCP_GAPS_SKIP ? "skip" : "wait";
            case TCP_GAP_QUEUE_LIMIT -> prm.tcp_gap_queue_limit();
            case TCP_MIDSTREAM -> prm.tcp_midstream() != 0;
        };
    }

    @SuppressWarnings("unchecked")
    void set(Param p, Object value) {
        switch (p.type) {
            case STRING -> {
                if (p == Param.CHECKSUMS) offload.mode(asString(p, value)); else setString(p, asString(p, value));
            }
            case FILTER -> {
                if (value != null && !(value instanceof Predicate)) throw wrongType(p, value, "a Predicate<ByteBuffer> (or null)");
                packets.ipFilter = (Predicate<ByteBuffer>) value;
                nids.jnids_listen(session, 4, value == null ? 0 : 1);
            }
            case INT, FLAG -> setInt(p, asInt(p, value));
            case GAPS -> prm.tcp_gaps(gapsMode(p, value));
            case BOOLEAN -> {
                if (!(value instanceof Boolean b)) throw wrongType(p, value, "a Boolean");
                prm.tcp_midstream(b ? 1 : 0);
            }
        }
    }

    private void setInt(Param p, int v) {
        switch (p) {
            case N_TCP_STREAMS -> prm.n_tcp_streams(nonNegative(p, v));
            // 0 is taken as 1 (libnids patch 0011: it hashes IP fragments modulo n_hosts)
            case N_HOSTS -> prm.n_hosts(nonNegative(p, v));
            case SK_BUFF_SIZE -> prm.sk_buff_size(nonNegative(p, v));
            case DEV_ADDON -> prm.dev_addon(atLeast(p, v, -1));
            case SYSLOG_LEVEL -> prm.syslog_level(v);
            case SCAN_NUM_HOSTS -> prm.scan_num_hosts(nonNegative(p, v));
            // a scan report holds up to scan_num_ports + 1 probes, staged in JNIDS_SCAN_MAX slots
            case SCAN_NUM_PORTS -> prm.scan_num_ports(atMost(p, nonNegative(p, v), nids.JNIDS_SCAN_MAX - 1));
            case SCAN_DELAY -> prm.scan_delay(nonNegative(p, v));
            case PROMISC -> prm.promisc(v);
            case ONE_LOOP_LESS -> prm.one_loop_less(v);
            case PCAP_TIMEOUT -> prm.pcap_timeout(nonNegative(p, v));
            case TCP_WORKAROUNDS -> prm.tcp_workarounds(v);
            case TCP_FLOW_TIMEOUT -> prm.tcp_flow_timeout(nonNegative(p, v));
            case IPV6 -> prm.ipv6(v != 0 ? 1 : 0);
            case MULTIPROC -> {
                if (v != 0) {
                    throw new IllegalArgumentException("multiproc cannot be enabled: jnids' libnids is built "
                            + "without glib threads; run handlers on your own executor instead");
                }
                prm.multiproc(0);
            }
            case QUEUE_LIMIT -> prm.queue_limit(nonNegative(p, v));
            case TCP_GAP_QUEUE_LIMIT -> prm.tcp_gap_queue_limit(nonNegative(p, v));
            default -> throw new IllegalStateException(p.name());
        }
    }

    private void setString(Param p, String value) {
        int which = switch (p) {
            case DEVICE -> 0;
            case FILENAME -> 1;
            case PCAP_FILTER -> 2;
            default -> throw new IllegalStateException(p.name());
        };
        BytePointer utf8 = value == null ? null : new BytePointer(value);
        try {
            if (nids.jnids_set_string_param(session, which, utf8) != 0) {
                throw new NidsException(NidsException.Reason.OUT_OF_MEMORY, "no memory for parameter '" + p.pynidsName() + "'");
            }
        } finally {
            if (utf8 != null) utf8.close();
        }
        if (value == null) strings.remove(p); else strings.put(p, value);
    }

    /** tcp_gaps' value: "wait" or "skip" (the names of NIDS_TCP_GAPS_WAIT and _SKIP). */
    private static int gapsMode(Param p, Object value) {
        if ("wait".equals(value)) return nids.NIDS_TCP_GAPS_WAIT;
        if ("skip".equals(value)) return nids.NIDS_TCP_GAPS_SKIP;
        if (value instanceof String s) {
            throw new IllegalArgumentException("parameter '" + p.pynidsName() + "' is \"wait\" or \"skip\", not \"" + s + "\"");
        }
        throw wrongType(p, value, "\"wait\" or \"skip\"");
    }

    private static String asString(Param p, Object value) {
        if (value == null || value instanceof String) {
            String s = (String) value;
            if (s != null && s.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("parameter '" + p.pynidsName() + "' must not contain a NUL character");
            }
            return s;
        }
        throw wrongType(p, value, "a String (or null)");
    }

    private static int asInt(Param p, Object value) {
        if (value instanceof Boolean b && p.type == Type.FLAG) return b ? 1 : 0;
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).intValue();
        }
        if (value instanceof Long l) {
            if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("parameter '" + p.pynidsName() + "' = " + l + " does not fit in an int");
            }
            return l.intValue();
        }
        throw wrongType(p, value, p.type == Type.FLAG ? "an Integer or a Boolean" : "an Integer");
    }

    private static IllegalArgumentException wrongType(Param p, Object value, String expected) {
        return new IllegalArgumentException("parameter '" + p.pynidsName() + "' takes " + expected + ", not "
                + (value == null ? "null" : value.getClass().getName() + " " + value));
    }

    private static int atMost(Param p, int v, int max) {
        if (v > max) {
            throw new IllegalArgumentException("parameter '" + p.pynidsName() + "' must be <= " + max + ", not " + v
                    + " (jnids stages up to " + (max + 1) + " probes of a scan report)");
        }
        return v;
    }

    private static int nonNegative(Param p, int v) {
        return atLeast(p, v, 0);
    }

    private static int atLeast(Param p, int v, int min) {
        if (v < min) throw new IllegalArgumentException("parameter '" + p.pynidsName() + "' must be >= " + min + ", not " + v);
        return v;
    }
}
