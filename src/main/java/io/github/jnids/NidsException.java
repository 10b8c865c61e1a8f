package io.github.jnids;

import java.util.Objects;

import io.github.jnids.global.nids;

/**
 * An error reported by libnids, libpcap or jnids: a capture that cannot be
 * opened or read, a session that cannot start, a handler that failed with a
 * checked exception (the cause). pynids calls it {@code nids.error}.
 * {@link #reason()} says what went wrong, for programs that act on it; the
 * message says it for people.
 *
 * <pre>{@code
 * try {
 *     Nids.param("filename", "missing.pcap");
 *     Nids.init();
 * } catch (NidsException e) {
 *     if (e.reason() == NidsException.Reason.MISSING_FILE) System.err.println("no such file");
 *     else System.err.println("[-] Error: " + e.getMessage());
 * }
 * }</pre>
 */
public class NidsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Reason {
        /** The capture file does not exist. */
        MISSING_FILE,
        /** The capture file exists but cannot be read: permission, or a directory. */
        FILE_ACCESS,
        /** The file is neither pcap nor pcapng. */
        NOT_A_CAPTURE,
        /** The capture's link type is one libnids does not decode. */
        UNSUPPORTED_LINK_TYPE,
        /** The capture file cannot be read further (truncated or corrupt); what came before was processed. */
        DAMAGED_CAPTURE,
        /** The {@code pcap_filter} does not compile or cannot be applied. */
        BAD_FILTER,
        /** No such capture device, or none at all. */
        NO_SUCH_DEVICE,
        /** Not allowed to capture (needs root or CAP_NET_RAW). */
        NO_PERMISSION,
        /** libnids ran out of memory; the session was abandoned. */
        OUT_OF_MEMORY,
        /** A handler threw a checked exception (the cause). */
        HANDLER_FAILED,
        /** A connection reset could not be sent. */
        SEND_FAILED,
        /** Any other failure of libpcap or libnids. */
        CAPTURE_FAILED
    }

    private final Reason reason;

    /** An error of reason {@link Reason#CAPTURE_FAILED}. */
    public NidsException(String message) {
        this(Reason.CAPTURE_FAILED, message);
    }

    /** An error of reason {@link Reason#HANDLER_FAILED}, caused by a handler. */
    public NidsException(String message, Throwable cause) {
        this(Reason.HANDLER_FAILED, message, cause);
    }

    public NidsException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public NidsException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** What went wrong. */
    public Reason reason() {
        return reason;
    }

    /** The reason for a native error code ({@code JNIDS_ERR_*} of jnids.h). */
    static Reason ofNative(int code) {
        return switch (code) {
            case nids.JNIDS_ERR_MISSING_FILE -> Reason.MISSING_FILE;
            case nids.JNIDS_ERR_FILE_ACCESS -> Reason.FILE_ACCESS;
            case nids.JNIDS_ERR_NOT_A_CAPTURE -> Reason.NOT_A_CAPTURE;
            case nids.JNIDS_ERR_LINK_TYPE -> Reason.UNSUPPORTED_LINK_TYPE;
            case nids.JNIDS_ERR_DAMAGED -> Reason.DAMAGED_CAPTURE;
            case nids.JNIDS_ERR_FILTER -> Reason.BAD_FILTER;
            case nids.JNIDS_ERR_NO_DEVICE -> Reason.NO_SUCH_DEVICE;
            case nids.JNIDS_ERR_PERMISSION -> Reason.NO_PERMISSION;
            case nids.JNIDS_ERR_NO_MEMORY -> Reason.OUT_OF_MEMORY;
            case nids.JNIDS_ERR_SEND -> Reason.SEND_FAILED;
            default -> Reason.CAPTURE_FAILED;
        };
    }
}
