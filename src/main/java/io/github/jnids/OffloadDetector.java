package io.github.jnids;

import static io.github.jnids.global.nids.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.bytedeco.javacpp.LongPointer;

import io.github.jnids.global.nids;

/**
 * The native checksum-offload detector (native/jnids_offload.h) of a session's
 * parameter {@code checksums}: made each time the session opens a capture with
 * the parameter set, kept after the capture ends so that its report stays
 * readable. The native session owns it (and the checksum-control list it
 * applies) and frees it when the next capture opens or the session is freed.
 */
final class OffloadDetector {
    static final List<String> MODES = List.of("on", "auto", "off");

    private final nids.jnids_session session;
    private String mode;
    private nids.jnids_offload detector;

    OffloadDetector(nids.jnids_session session) {
        this.session = session;
    }

    String mode() {
        return mode;
    }

    void mode(String value) {
        String m = value == null ? null : value.toLowerCase(Locale.ROOT);
        if (m != null && !MODES.contains(m)) {
            throw new IllegalArgumentException("parameter 'checksums' takes \"on\", \"auto\", \"off\" or null "
                    + "(libnids' own checks, nothing reported), not \"" + value + "\"");
        }
        mode = m;
    }

    /** Before a capture opens: a fresh detector for it, or none. */
    void prepare() {
        detector = null;
        if (mode == null) {
            jnids_set_offload(session, null);
            return;
        }
        int code = switch (mode) {
            case "on" -> JNIDS_CHECKSUMS_ON;
            case "off" -> JNIDS_CHECKSUMS_OFF;
            default -> JNIDS_CHECKSUMS_AUTO;
        };
        nids.jnids_offload made = jnids_offload_new(code);
        if (made == null || made.isNull()) {
            jnids_set_offload(session, null);
            throw new NidsException(NidsException.Reason.OUT_OF_MEMORY,
                    "cannot allocate the checksum-offload detector: out of memory");
        }
        jnids_set_offload(session, made);
        detector = made;
    }

    /** The report of the current or last capture, or null when it had no detector. */
    ChecksumReport report() {
        if (detector == null) return null;
        long[] s = new long[JNIDS_OFFLOAD_SUMMARY_SLOTS];
        try (LongPointer p = new LongPointer(s.length)) {
            jnids_offload_summary(detector, p);
            p.get(s);
        }
        int n = (int) s[JNIDS_OFFLOAD_SENDERS];
        List<ChecksumReport.Sender> senders = new ArrayList<>(n);
        if (n > 0) {
            long[] rows = new long[n * JNIDS_SENDER_SLOTS];
            try (LongPointer p = new LongPointer(rows.length)) {
                n = jnids_offload_senders(detector, p, n);
                p.get(rows);
            }
            for (int i = 0; i < n; i++) {
                int r = i * JNIDS_SENDER_SLOTS;
                String address = rows[r + JNIDS_SENDER_IPV6] != 0
                        ? Addresses.ipv6(rows[r + JNIDS_SENDER_ADDR6_HI], rows[r + JNIDS_SENDER_ADDR6_LO])
                        : Tuple4.ipv4((int) rows[r + JNIDS_SENDER_ADDR]);
                senders.add(new ChecksumReport.Sender(address,
                        rows[r + JNIDS_SENDER_PACKETS], rows[r + JNIDS_SENDER_OFFLOADED],
                        (int) rows[r + JNIDS_SENDER_EXAMINED], (int) rows[r + JNIDS_SENDER_BAD],
                        rows[r + JNIDS_SENDER_EXEMPT] != 0));
            }
        }
        String m = switch ((int) s[JNIDS_OFFLOAD_MODE]) {
            case JNIDS_CHECKSUMS_ON -> "on";
            case JNIDS_CHECKSUMS_OFF -> "off";
            default -> "auto";
        };
        return new ChecksumReport(m, s[JNIDS_OFFLOAD_PACKETS], s[JNIDS_OFFLOAD_TCP_PACKETS],
                s[JNIDS_OFFLOAD_OFFLOADED], s[JNIDS_OFFLOAD_SIGNATURE], List.copyOf(senders));
    }
}
