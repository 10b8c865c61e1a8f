package io.github.jnids;

import static io.github.jnids.global.nids.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.bytedeco.javacpp.LongPointer;

import io.github.jnids.global.nids;

/**
 * One independent libnids engine: its own parameters, checksum rules,
 * handlers, streams, fragments, port-scan state, warnings, errors, statistics
 * and stop requests. Its methods are the static {@link Nids} methods, with the
 * same names and meaning, so a pynids-style program becomes a multi-session
 * one by replacing {@code Nids.} with {@code session.}.
 *
 * <pre>{@code
 * import io.github.jnids.*;
 * import java.nio.file.*;
 * import java.util.*;
 * import java.util.concurrent.*;
 *
 * public class CountStreams {
 *     public static void main(String[] args) throws Exception {
 *         ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
 *         Map<Path, Future<Integer>> results = new TreeMap<>();
 *         try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of(args[0]), "*.pcap")) {
 *             for (Path capture : dir) {
 *                 results.put(capture, pool.submit(() -> {
 *                     try (NidsSession s = new NidsSession()) {
 *                         int[] streams = {0};
 *                         s.param("filename", capture.toString());
 *                         s.param("scan_num_hosts", 0);
 *                         s.chksumCtl(List.of(Map.entry("0.0.0.0/0", false)));
 *                         s.registerTcp(tcp -> {
 *                             if (tcp.nidsState() == Nids.NIDS_JUST_EST) streams[0]++;
 *                         });
 *                         s.init();
 *                         s.run();
 *                         return streams[0];
 *                     }
 *                 }));
 *             }
 *         }
 *         for (Map.Entry<Path, Future<Integer>> e : results.entrySet()) {
 *             System.out.println(e.getKey() + ": " + e.getValue().get() + " TCP streams");
 *         }
 *         pool.shutdown();
 *     }
 * }
 * }</pre>
 *
 * <h2>Lifetime</h2>
 * {@link #init()} opens the capture ({@code filename}, else the live
 * {@code device}); {@link #run()} on a file processes it to its end and ends
 * the capture, after which {@code init()} may open another; {@link #exit()}
 * ends it at any time. Handlers and parameters survive {@code init()} and
 * {@code exit()}. {@link #close()} ends the session for good and frees its
 * native memory; it is idempotent, and every other call on a closed session
 * throws {@link IllegalStateException} (except {@link #stop()}, which does
 * nothing, and {@link #toString()}). A session that is garbage-collected
 * without {@code close()} is freed by a {@link java.lang.ref.Cleaner}: its
 * capture is closed without running any handler, and one warning naming where
 * it was opened goes to {@link System.Logger} {@code io.github.jnids}.
 *
 * <h2>Threads</h2>
 * Different sessions run truly in parallel on different threads. One session
 * is used by one thread at a time, any thread (a session made on one thread
 * may be run on another later, e.g. by an executor): a call from a second
 * thread while another is inside throws {@link IllegalStateException} naming
 * both. {@link #stop()} is the exception: any thread or handler may call it at
 * any time, and it never blocks. One thread may advance several sessions
 * alternately ({@code a.next(); b.next(); ...}); each sees only its own capture.
 * Handlers run on the thread that called {@code run()}, {@code next()} or
 * {@code dispatch()}.
 *
 * <h2>Memory</h2>
 * A session holds, besides what libnids keeps for its streams (sized by
 * {@code n_tcp_streams}, {@code n_hosts}, and the data of open streams):
 * about 2 KB for itself and libnids' engine, 64 KB of read buffer while a file
 * is open, 38 KB of libnids' stream tables at the default {@code n_tcp_streams},
 * and a few KB of coroutine stack that it touches. It reserves, without
 * committing them, 1 MB of address space for the coroutine stack and 354 KB for
 * the staging buffers (touched only where the JDK does not allow zero-copy
 * views). Measured: about {@value #MEASURED_OPEN_KB} KB of resident memory per
 * open session on a small capture file.
 *
 * <h2>Handlers and exceptions</h2>
 * Handlers of a kind run in registration order. An exception thrown by a
 * handler stops the loop at once (no further handler runs) and propagates
 * from {@code run()}, {@code next()} or {@code dispatch()}: unchecked ones as
 * they are, checked ones wrapped in a {@link NidsException}. The session stays
 * open and consistent: {@code run()} resumes with the next packet, or
 * {@code exit()} ends it.
 */
public final class NidsSession implements AutoCloseable {
    /** Resident memory of one open session on a small file, in KB (see the class comment). */
    static final int MEASURED_OPEN_KB = 150;

    final Session calls;
    private final NativeSession handle;
    private final nids.jnids_session ptr;
    private final HandlerList<TcpHandler> tcp;
    final TcpDispatcher tcpDispatcher;
    final PacketDispatcher packets;
    final WarningDispatcher warnings;
    private final Params params;
    private final ChecksumRules checksums;
    private final NativeLoop loop;

    /**
     * A new session, with libnids' default parameters and no handlers.
     *
     * @throws NidsException (OUT_OF_MEMORY) when the native session cannot be allocated
     */
    public NidsSession() {
        this("");
    }

    /** @param api how messages name the API: "Nids." for the static facade's session */
    NidsSession(String api) {
        calls = new Session(api, this);
        handle = NativeSession.create(this, new Throwable("session created"));
        ptr = handle.pointer;
        NativeBox tcpBox = new NativeBox(jnids_tcp_box(ptr), JNIDS_TCP_BOX_SLOTS);
        tcp = new HandlerList<>(on -> jnids_listen(ptr, 0, on));
        tcpDispatcher = new TcpDispatcher(calls, tcpBox, tcp, ptr);
        packets = new PacketDispatcher(calls, ptr);
        warnings = new WarningDispatcher(calls, ptr);
        params = new Params(ptr, packets);
        checksums = new ChecksumRules(ptr);
        loop = new NativeLoop(calls, handle.address, tcpDispatcher, packets, warnings);
    }

    /** For tests: how many TCP callbacks took the compact-stream path. */
    long compactCallbacks() {
        return tcpDispatcher.compactCallbacks;
    }

    // ---- parameters ------------------------------------------------------

    /**
     * The current value of a libnids parameter, under pynids' name; see
     * {@link Nids#param(String)}.
     *
     * @throws IllegalArgumentException for a name that does not exist (the message lists the valid ones)
     */
    public Object param(String name) {
        Params.Param p = Params.lookup(name);
        try (Session c = calls.claim("param(\"" + name + "\")", true)) {
            return params.get(p);
        }
    }

    /**
     * Sets a libnids parameter and returns its previous value; names and types
     * as {@link Nids#param(String, Object)}.
     *
     * <pre>{@code
     * session.param("filename", "capture.pcap");
     * session.param("scan_num_hosts", 0);          // no port-scan detection
     * }</pre>
     *
     * @throws IllegalArgumentException for an unknown name or a value of the wrong type or range
     * @throws IllegalStateException    for a parameter libnids reads when a capture opens
     *                                  ({@code filename}, {@code n_tcp_streams}, ...), while one is open
     */
    public Object param(String name, Object value) {
        Params.Param p = Params.lookup(name);
        try (Session c = calls.claim("param(\"" + name + "\", ...)", !p.fixedWhileOpen)) {
            if (p.fixedWhileOpen && calls.open) {
                throw new IllegalStateException("parameter '" + name
                        + "' is read when a session starts; set it before init() or after exit()");
            }
            Object previous = params.get(p);
            params.set(p, value);
            return previous;
        }
    }

    /**
     * Tells libnids not to verify checksums of packets from some networks; see
     * {@link Nids#chksumCtl(List)}.
     *
     * @param rules (network "a.b.c.d/len", verify?) pairs; an empty list verifies everything
     */
    public void chksumCtl(List<Map.Entry<String, Boolean>> rules) {
        try (Session c = calls.claim("chksumCtl()", false)) {
            checksums.apply(rules);
        }
    }

    // ---- handlers --------------------------------------------------------

    /** Adds a TCP handler (see {@link TcpHandler}). Registering one twice has no effect. */
    public void registerTcp(TcpHandler h) {
        try (Session c = calls.claim("registerTcp()", true)) {
            tcp.add(h);
        }
    }

    /** Removes a TCP handler; it is not called again, even for streams it was listening to. */
    public void unregisterTcp(TcpHandler h) {
        try (Session c = calls.claim("unregisterTcp()", true)) {
            tcp.remove(h);
        }
    }

    /** Adds a UDP handler (see {@link UdpHandler}). */
    public void registerUdp(UdpHandler h) {
        try (Session c = calls.claim("registerUdp()", true)) {
            packets.udp.add(h);
        }
    }

    public void unregisterUdp(UdpHandler h) {
        try (Session c = calls.claim("unregisterUdp()", true)) {
            packets.udp.remove(h);
        }
    }

    /** Adds a handler for IP datagrams after defragmentation, exactly {@code ip_len} bytes each. */
    public void registerIp(IpHandler h) {
        try (Session c = calls.claim("registerIp()", true)) {
            packets.ip.add(h);
        }
    }

    public void unregisterIp(IpHandler h) {
        try (Session c = calls.claim("unregisterIp()", true)) {
            packets.ip.remove(h);
        }
    }

    /** Adds a handler for every captured IP packet, fragments included, as captured. */
    public void registerIpFrag(IpHandler h) {
        try (Session c = calls.claim("registerIpFrag()", true)) {
            packets.ipFrag.add(h);
        }
    }

    public void unregisterIpFrag(IpHandler h) {
        try (Session c = calls.claim("unregisterIpFrag()", true)) {
            packets.ipFrag.remove(h);
        }
    }

    /**
     * Adds a handler for libnids' warnings and port-scan reports. With none
     * registered they go to {@link System.Logger} {@code io.github.jnids}:
     * port scans at WARNING, malformed traffic at DEBUG.
     */
    public void registerWarning(WarningHandler h) {
        try (Session c = calls.claim("registerWarning()", true)) {
            warnings.handlers.add(h);
        }
    }

    public void unregisterWarning(WarningHandler h) {
        try (Session c = calls.claim("unregisterWarning()", true)) {
            warnings.handlers.remove(h);
        }
    }

    // ---- the capture -----------------------------------------------------

    /**
     * Opens the capture ({@code filename}, else the live {@code device}) and
     * starts libnids on it.
     *
     * @throws NidsException         with a specific message and {@link NidsException#reason()}: missing or
     *                               unreadable file, not a capture, unsupported link type, bad filter, no
     *                               such device, no permission
     * @throws IllegalStateException when a capture is already open
     */
    public void init() {
        try (Session c = calls.claim("init()", false)) {
            if (calls.open) {
                throw new IllegalStateException("init() called while a session is open; call exit() first");
            }
            NativeLoop.configure(ptr);
            Object filename = params.get(Params.Param.FILENAME);
            if (filename != null) checkReadable((String) filename);
            tcpDispatcher.reset();
            handle.openedAt = new Throwable("session opened");
            if (jnids_open(ptr) == 0) {
                throw new NidsException(NidsException.ofNative(jnids_error_code(ptr)), jnids_error(ptr).getString());
            }
            calls.open = true;
        }
    }

    private static void checkReadable(String filename) {
        Path p = Path.of(filename);
        if (!Files.exists(p)) {
            throw new NidsException(NidsException.Reason.MISSING_FILE, "capture file '" + filename + "' does not exist");
        }
        if (Files.isDirectory(p)) {
            throw new NidsException(NidsException.Reason.FILE_ACCESS,
                    "capture file '" + filename + "' is a directory, not a capture file");
        }
        if (!Files.isReadable(p)) {
            throw new NidsException(NidsException.Reason.FILE_ACCESS,
                    "capture file '" + filename + "' is not readable (permission denied)");
        }
    }

    /**
     * Processes packets. On a capture file: to its end, then ends the capture as
     * libnids' {@code nids_run} does (open streams get {@link Nids#NIDS_EXITING}).
     * Live: until {@link #stop()}; the capture stays open for {@link #exit()}.
     * After {@code stop()} on a file, {@code run()} resumes where it stopped.
     *
     * @throws NidsException when the capture cannot be read further (e.g. truncated): the
     *                       packets before the damage have been processed and the capture ended
     */
    public void run() {
        try (Session c = calls.claim("run()", false)) {
            requireOpen("run()");
            calls.clearStop();
            while (true) {
                int r = loop.run(JNIDS_OP_DISPATCH, -1);
                calls.rethrowPending();
                if (r == JNIDS_END) {
                    closeCapture();
                    return;
                }
                if (r == JNIDS_STOPPED || jnids_stopped(ptr) != 0) return;
                if (r < 0) {
                    failed(r, true);
                }
            }
        }
    }

    /**
     * Processes one packet, as pynids' {@code next()}; see {@link Nids#next()}.
     *
     * @return 1 when a packet was processed, 0 on a live timeout, after a stop, or at the end of the file
     */
    public int next() {
        return step("next()", true, 1);
    }

    /**
     * Processes up to {@code count} packets ({@code -1}: all that are available
     * now; on a file, all of it), as pynids' {@code dispatch()}.
     *
     * @return packets processed; 0 at the end of the file
     */
    public int dispatch(int count) {
        return step("dispatch()", false, count);
    }

    /** One native loop call: one packet (next) or up to count (dispatch); 0 at the end. */
    private int step(String what, boolean one, int count) {
        try (Session c = calls.claim(what, false)) {
            requireOpen(what);
            calls.clearStop();
            int r = one ? loop.run(JNIDS_OP_NEXT, 0) : loop.run(JNIDS_OP_DISPATCH, count);
            calls.rethrowPending();
            if (r == JNIDS_END || r == JNIDS_STOPPED) return 0;
            if (r < 0) failed(r, false);
            return r;
        }
    }

    /**
     * Stops {@link #run()} (or {@code dispatch()}) after the current packet. Safe
     * from any thread and from inside a handler, at any time (on a closed session
     * it does nothing); never blocks; no handler runs after it.
     */
    public void stop() {
        calls.requestStop();
        handle.stop();
    }

    /**
     * Ends the capture: open streams get {@link Nids#NIDS_EXITING}, everything
     * libnids holds is released, and {@link #init()} may follow. Does nothing
     * without an open capture.
     */
    public void exit() {
        try (Session c = calls.claim("exit()", false)) {
            if (calls.open) closeCapture();
        }
    }

    /**
     * Ends the session for good: as {@link #exit()} (open streams get
     * {@link Nids#NIDS_EXITING}), then frees its native memory. Idempotent;
     * afterwards every call but {@code close()}, {@code stop()} and
     * {@code toString()} throws {@link IllegalStateException}.
     *
     * <p>{@link Nids#session()} is never closed: its {@code close()} is {@code exit()}.
     *
     * @throws IllegalStateException from inside one of its handlers (libnids is in the middle
     *                               of a call then), or while another thread is inside the session
     */
    @Override
    public void close() {
        if (calls.isClosed()) return;
        if (this == Nids.session()) {
            // The static facade's session lives as long as the class: closing it only ends its capture.
            exit();
            return;
        }
        try (Session c = calls.claim("close()", false)) {
            try {
                if (calls.open) closeCapture();
            } finally {
                calls.markClosed();
                handle.free();
            }
        }
    }

    private void closeCapture() {
        calls.clearStop();
        try {
            loop.run(JNIDS_OP_CLOSE, 0);
        } finally {
            calls.open = false;
            tcpDispatcher.reset();
        }
        calls.rethrowPending();
    }

    private void failed(int code, boolean closeAfter) {
        String message = jnids_error(ptr).getString();
        NidsException.Reason reason = NidsException.ofNative(jnids_error_code(ptr));
        Object filename = params.get(Params.Param.FILENAME);
        String where = filename != null ? "capture '" + filename + "'" : "live capture";
        if (code == JNIDS_NO_MEMORY) {
            calls.open = false;
            tcpDispatcher.reset();
            throw new NidsException(NidsException.Reason.OUT_OF_MEMORY,
                    message + "; the session was abandoned: close it and use a new one");
        }
        long packets = jnids_packets(ptr);
        if (closeAfter) closeCapture();
        throw new NidsException(reason, "error reading " + where + " after packet " + packets + ": " + message
                + (closeAfter ? " (the packets before it were processed and the session ended)" : ""));
    }

    private void requireOpen(String what) {
        if (!calls.open) {
            throw new IllegalStateException(what + " called without a session; call " + calls.api() + "init() first");
        }
    }

    // ---- information -----------------------------------------------------

    /** The capture's selectable file descriptor; see {@link Nids#getfd()}. */
    public int getfd() {
        try (Session c = calls.claim("getfd()", true)) {
            requireOpen("getfd()");
            return jnids_getfd(ptr);
        }
    }

    /** The timestamp of the last packet processed, in seconds since the epoch. */
    public double getPktTs() {
        acquire("getPktTs()");
        try {
            return jnids_last_ts(ptr);
        } finally {
            handle.release();
        }
    }

    /**
     * libpcap's counters for the live capture, as pynids' {@code get_pcap_stats()}.
     *
     * @throws NidsException for capture files, which have no such counters
     */
    public PcapStats getPcapStats() {
        try (Session c = calls.claim("getPcapStats()", true)) {
            requireOpen("getPcapStats()");
            long[] out = new long[3];
            try (LongPointer p = new LongPointer(3)) {
                if (jnids_stats(ptr, p) != 0) {
                    throw new NidsException(NidsException.ofNative(jnids_error_code(ptr)),
                            "getPcapStats(): " + jnids_error(ptr).getString());
                }
                p.get(out);
            }
            return new PcapStats(out[0], out[1], out[2]);
        }
    }

    /** Whether a capture is open (between {@link #init()} and its end). */
    public boolean isOpen() {
        return calls.open;
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return calls.isClosed();
    }

    /** Packets read from the current (or last) capture so far. */
    public long packetCount() {
        acquire("packetCount()");
        try {
            return jnids_packets(ptr);
        } finally {
            handle.release();
        }
    }

    /** How far into the capture file the session has read, in bytes; -1 for live captures. */
    public long bytesRead() {
        acquire("bytesRead()");
        try {
            return jnids_file_offset(ptr);
        } finally {
            handle.release();
        }
    }

    /** Readers that any thread may call: they only keep the native session from being freed meanwhile. */
    private void acquire(String what) {
        if (!handle.acquire()) {
            throw new IllegalStateException(calls.api() + what + " called on a closed session; make a new NidsSession");
        }
    }

    /** This session's libnids parameters, for what the facade does not cover (raw bindings). */
    public nids.nids_prm rawParams() {
        try (Session c = calls.claim("rawParams()", true)) {
            return params.raw();
        }
    }

    /** This session's native {@code jnids_session}, for the raw bindings ({@code jnids_raw_register_tcp}, ...). */
    public nids.jnids_session rawSession() {
        try (Session c = calls.claim("rawSession()", true)) {
            return ptr;
        }
    }

    /** What the session reads and its state, e.g. {@code NidsSession[file 'a.pcap', open, 120 packets]}. */
    @Override
    public String toString() {
        Object file = params.peek(Params.Param.FILENAME);
        Object device = params.peek(Params.Param.DEVICE);
        String source = file != null ? "file '" + file + "'"
                : device != null ? "device '" + device + "'" : "no capture set";
        StringBuilder b = new StringBuilder("NidsSession[").append(source).append(", ");
        if (calls.isClosed()) return b.append("closed]").toString();
        b.append(calls.open ? "open" : "not open");
        if (handle.acquire()) {
            try {
                long n = jnids_packets(ptr);
                if (calls.open || n > 0) b.append(", ").append(n).append(n == 1 ? " packet" : " packets");
            } finally {
                handle.release();
            }
        }
        Thread owner = calls.owner();
        if (owner != null) b.append(", running on '").append(owner.getName()).append('\'');
        return b.append(']').toString();
    }
}
