package io.github.jnids.cli;

import io.github.jnids.Nids;
import io.github.jnids.NidsException;
import io.github.jnids.PcapStats;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The {@code jnids} command: reassembles the TCP streams of capture files or of
 * a live interface with libnids and prints one line per stream as it ends.
 *
 * <pre>
 * java -jar jnids-all.jar capture.pcap
 * [+] 10.1.1.101:3177 - 10.1.1.1:80 (CTS: 476B | STC: 435B)
 * </pre>
 *
 * Exit status: 0 on success, 1 on a runtime error (one line on standard error,
 * {@code jnids: <message>}), 2 on a usage error.
 */
@Command(name = "jnids",
        sortOptions = false,
        usageHelpAutoWidth = true,
        versionProvider = Main.Versions.class,
        headerHeading = "",
        synopsisHeading = "Usage: ",
        descriptionHeading = "%n",
        parameterListHeading = "%n",
        optionListHeading = "%nOptions:%n",
        footerHeading = "%n",
        description = {
            "Reassembles the TCP streams of capture files (pcap, pcapng) or of a live interface "
                    + "with libnids and prints one line per stream, in the order the streams end:",
            "",
            "  [+] 10.1.1.101:3177 - 10.1.1.1:80 (CTS: 476B | STC: 435B)",
            "",
            "CTS counts the bytes the client (the side that sent the SYN) sent to the server, "
                    + "STC the bytes the server sent back. A stream that ended with a reset, timed out "
                    + "or was still open when the capture ended is marked [reset], [timeout] or [open]. "
                    + "libnids reports only streams whose handshake it saw (--midstream: also the others).",
        },
        footer = {
            "Each capture file is a session of its own; files are read in the order given.",
            "",
            "Examples:",
            "  jnids capture.pcap",
            "  jnids -f 'tcp port 80' --json a.pcap b.pcapng > streams.jsonl",
            "  jnids --dump flows/ capture.pcap",
            "  jnids --checksum on capture.pcap  (verify every checksum, as libnids does)",
            "  jnids -i eth0 --scan            (until Ctrl-C; needs capture permission)",
            "",
            "Exit status: 0 success (also a live capture ended with Ctrl-C), 1 runtime error "
                    + "(one line: jnids: <message>), 2 usage error, 130 reading files interrupted by Ctrl-C.",
        })
public final class Main implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** Capture files in command-line order, whether given with -r or as operands. */
    private final List<Path> files = new ArrayList<>();
    private int readsSeen;
    private int operandsSeen;

    // picocli passes a multi-value setter the values seen so far each time one is added:
    // both setters append the new ones to the same list, keeping command-line order.
    @Option(names = {"-r", "--read"}, paramLabel = "FILE", arity = "1", order = 1,
            description = "Read packets from FILE (pcap or pcapng; - for standard input). Repeatable; "
                    + "capture files may also be given as operands.")
    void reads(List<Path> reads) {
        for (int i = readsSeen; i < reads.size(); i++) files.add(reads.get(i));
        readsSeen = reads.size();
    }

    @Parameters(paramLabel = "CAPTURE", arity = "0..*", description = "Capture files to read, like -r.")
    void operands(List<Path> operands) {
        for (int i = operandsSeen; i < operands.size(); i++) files.add(operands.get(i));
        operandsSeen = operands.size();
    }

    @Option(names = {"-i", "--interface"}, order = 2, paramLabel = "IFACE",
            description = "Capture live on IFACE until Ctrl-C (or SIGTERM); streams still open are "
                    + "then reported and a summary line goes to standard error. Needs permission to "
                    + "capture (root or CAP_NET_RAW).")
    String iface;

    @Option(names = {"-f", "--filter"}, order = 3, paramLabel = "BPF",
            description = "Only read packets matching the BPF expression (tcpdump syntax), e.g. 'tcp port 80'.")
    String filter;

    @Option(names = "--checksum", order = 4, paramLabel = "on|off|auto",
            description = "How IP, TCP and UDP checksums are verified; libnids drops packets whose "
                    + "checksum is wrong. A capture taken on the sending host (and any capture on lo) "
                    + "holds its outgoing packets with wrong checksums: with checksum offloading the "
                    + "network card fills them in after the capture point. auto (the default) verifies "
                    + "them but keeps the packets that show offloading: a wrong TCP/UDP checksum whose "
                    + "field holds the sum of the pseudo header (what the stack leaves for the card; the "
                    + "IP header checksum right or 0), and every packet of a sender when at least 75%% of "
                    + "its first packets (8 or more, up to 64 examined; the first 2000 packets of a file "
                    + "are looked at before any is reassembled) had wrong checksums. Other damaged "
                    + "packets are still dropped. on verifies every checksum, as libnids does; off "
                    + "verifies none. The summary on a terminal and the --json capture record say what "
                    + "each capture ended up in and which hosts offloaded.")
    String checksum = "auto";

    @Option(names = "--no-checksum", order = 4, description = "The same as --checksum off.")
    boolean noChecksum;

    @Option(names = "--dump", order = 5, paramLabel = "DIR",
            description = "Write each direction of each stream to its own file in DIR (created if "
                    + "needed), named as tcpflow does: 010.001.001.101.03177-010.001.001.001.00080 "
                    + "holds what 10.1.1.101:3177 sent to 10.1.1.1:80. Existing files are never "
                    + "overwritten: a suffix -1, -2, ... is added. A direction that carried no "
                    + "bytes gets no file.")
    Path dumpDir;

    @Option(names = "--json", order = 6,
            description = "Print one JSON object per line instead: for each stream type=tcp, src, "
                    + "sport, dst, dport, state (close|reset|timeout|open), bytes_cts, bytes_stc, "
                    + "first_ts, last_ts (packet times, seconds since the epoch), capture; "
                    + "file_cts/file_stc with --dump. Each capture ends with a record type=capture: "
                    + "streams, checksum_mode, checksums (verified|offload|unverified), tcp_packets, "
                    + "invalid_packets, offloaded_packets, offload_senders.")
    boolean json;

    @Option(names = "--udp", order = 7, description = "Also report each UDP datagram, one line each: "
            + "[udp] src:sport - dst:dport (NB).")
    boolean udp;

    @Option(names = "--scan", order = 8, description = "Report port scans (libnids' scan detection: a host "
            + "probing more than 10 ports) and libnids' warnings about malformed IP, TCP and UDP "
            + "packets, as lines starting with [!].")
    boolean scan;

    @Option(names = "--midstream", order = 9, description = "Also report streams whose handshake was not "
            + "captured (a capture started late, a lost SYN or SYN/ACK), marked [midstream] (JSON: "
            + "\"midstream\": true). Their client is the sender of the SYN or SYN/ACK seen, else the side "
            + "on the well-known port (below 1024), else the one not on an ephemeral port (32768 and up), "
            + "else the sender of the first data; bytes sent before the first packet seen are not counted.")
    boolean midstream;

    @Option(names = "--tcp-streams", order = 9, paramLabel = "N",
            description = "Size of libnids' TCP stream table (libnids' n_tcp_streams, default 1040). "
                    + "At most 3/4 of it can be open at once: beyond that libnids drops the oldest "
                    + "stream, reported [timeout]. Raise it for captures of busy links.")
    Integer tcpStreams;

    @Option(names = "--gaps", order = 9, paramLabel = "skip|wait",
            description = "What a segment that was sent but not captured does to its direction. skip "
                    + "(the default) gives the hole up once it can no longer fill (the receiver "
                    + "acknowledged beyond it, more than 256 KB wait behind it, or the stream ends) and "
                    + "goes on with the bytes after it; such a stream is marked [gaps: N, missing "
                    + "CTS/STC B] (--json: gaps, missing_cts, missing_stc) and --dump writes each hole "
                    + "as zero bytes, so that every byte is at its stream offset. wait is libnids' "
                    + "behaviour: a direction ends at its first hole.")
    String gaps = "skip";

    @Option(names = "--no-progress", order = 10, description = "Never show the progress line (shown on standard "
            + "error, when it is a terminal, while reading files: bytes read, rate, streams).")
    boolean noProgress;

    @Option(names = {"-h", "--help"}, order = 11, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = {"-V", "--version"}, order = 12, versionHelp = true,
            description = "Show the versions of jnids, libnids and libpcap and exit.")
    boolean version;

    /** libnids' default number of hosts tracked by its port-scan detection. */
    static final int SCAN_NUM_HOSTS = 256;

    /** The largest --tcp-streams: libnids allocates the table (pointers) and 3/4 as many stream records. */
    static final int MAX_TCP_STREAMS = 1 << 24;

    /** Exit status after Ctrl-C (SIGINT) or SIGTERM stopped the reading of capture files. */
    static final int INTERRUPTED = 130;

    /** What libpcap opens for "-": it reads pcap and pcapng sequentially, so a pipe will do. */
    static final String STDIN = "/dev/stdin";

    /** libpcap's read timeout for live captures, in milliseconds. */
    static final int LIVE_TIMEOUT_MS = 100;

    public static void main(String[] args) {
        Preload.start(args);
        System.exit(run(args));
    }

    /** Runs the command and returns its exit status. */
    static int run(String... args) {
        CommandLine cmd = new CommandLine(new Main());
        cmd.setParameterExceptionHandler((ex, a) -> {
            System.err.println("jnids: " + oneLine(ex.getMessage()) + " (see jnids --help)");
            return 2;
        });
        cmd.setExecutionExceptionHandler((ex, c, parseResult) -> {
            fail(ex);
            return 1;
        });
        return cmd.execute(args);
    }

    @Override
    public Integer call() {
        if (iface != null && !files.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "-i cannot be combined with capture files");
        }
        if (iface == null && files.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "no capture given: name capture files or -i IFACE");
        }
        if (tcpStreams != null && (tcpStreams < 1 || tcpStreams > MAX_TCP_STREAMS)) {
            throw new ParameterException(spec.commandLine(),
                    "--tcp-streams must be between 1 and " + MAX_TCP_STREAMS + ", not " + tcpStreams);
        }
        if (!List.of("on", "off", "auto").contains(checksum)) {
            throw new ParameterException(spec.commandLine(),
                    "--checksum takes on, off or auto, not '" + checksum + "'");
        }
        if (noChecksum && !checksum.equals("auto") && !checksum.equals("off")) {
            throw new ParameterException(spec.commandLine(), "--no-checksum contradicts --checksum " + checksum);
        }
        if (noChecksum) checksum = "off";
        if (!List.of("skip", "wait").contains(gaps)) {
            throw new ParameterException(spec.commandLine(), "--gaps takes skip or wait, not '" + gaps + "'");
        }
        if (iface != null && iface.isBlank()) {
            throw new ParameterException(spec.commandLine(), "-i needs an interface name");
        }
        try {
            return iface != null ? live() : offline();
        } catch (CliFailure.OutputClosed e) {
            return 0;
        } catch (RuntimeException e) {
            CliFailure.OutputClosed closed = find(e, CliFailure.OutputClosed.class);
            if (closed != null) return 0;
            fail(e);
            return 1;
        }
    }

    private int offline() {
        for (Path f : files) {
            if (!isStdin(f)) checkReadable(f);
        }
        Dumper dumper = dumpDir != null ? Dumper.create(dumpDir, true) : null;
        boolean showProgress = !noProgress && Progress.stderrIsTerminal();
        Output out = new Output(Progress.stdoutIsTerminal());
        Reporter reporter = new Reporter(out, json, udp, scan, dumper);
        Progress progress = showProgress ? new Progress(System.err, reporter::streams) : null;
        if (progress != null) out.progress(progress);
        register(reporter, progress);
        Interrupt interrupt = Interrupt.install();
        boolean completed = false;
        try {
            for (Path f : files) {
                boolean stdin = isStdin(f);
                Gzipped gz = stdin ? null : Gzipped.openIf(f);
                reporter.source(f.toString());
                long streamsBefore = reporter.streams();
                if (progress != null) {
                    progress.start(stdin ? "standard input" : f.getFileName().toString(),
                            stdin || gz != null ? Progress.UNKNOWN : size(f));
                }
                Nids.param("device", null);
                Nids.param("filename", stdin ? STDIN : gz != null ? gz.filename() : f.toString());
                configure();
                try {
                    Nids.init();
                } catch (NidsException e) {
                    String message = stdin ? e.getMessage().replace("'" + STDIN + "'", "from standard input") : e.getMessage();
                    if (gz != null) {
                        gz.closeQuietly();
                        message = gz.rename(message);
                    }
                    throw new CliFailure(withName(stdin ? "standard input" : f.toString(), e.reason(), message), e);
                }
                try {
                    Nids.run();
                    if (interrupt.fired()) {
                        // Ctrl-C: the streams open so far are reported, the other files skipped.
                        if (progress != null) progress.clear();
                        Nids.exit();
                        reporter.reportOpen();
                        out.flush();
                        System.err.println("jnids: interrupted while reading " + f);
                        if (gz != null) gz.closeQuietly();
                        return INTERRUPTED;
                    }
                } catch (RuntimeException e) {
                    if (progress != null) progress.clear();
                    failed(reporter, e);
                    if (gz == null) throw e;
                    gz.closeQuietly();
                    throw e instanceof CliFailure ? e : gz.failure(e);
                }
                reporter.reportOpen();
                out.flush();
                // A damaged gzip file fails here, after what was read before the damage.
                if (gz != null) gz.close();
                endCapture(reporter, out, progress, stdin ? "standard input" : f.toString(),
                        reporter.streams() - streamsBefore);
            }
            completed = true;
        } finally {
            interrupt.done();
            finish(dumper, out, completed);
        }
        return 0;
    }

    /**
     * After a capture: its JSON record, the progress summary with how its checksums were
     * treated, and, terminal or not, why it gave no stream although it had TCP packets.
     */
    private static void endCapture(Reporter reporter, Output out, Progress progress, String label, long streams) {
        io.github.jnids.ChecksumReport checksums = Nids.checksumReport();
        long invalid = reporter.invalid();
        reporter.endCapture(checksums, streams);
        out.flush();
        if (progress != null) progress.finish(checksums == null ? null : ChecksumSummary.note(checksums));
        String why = ChecksumSummary.explanation(label, checksums, streams, invalid);
        if (why != null) {
            System.err.println(why);
            System.err.flush();
        }
    }

    /** Closes the dump files and flushes standard output; after a failure, quietly (the failure is reported). */
    private static void finish(Dumper dumper, Output out, boolean completed) {
        try {
            if (dumper != null) dumper.close();
            out.flush();
        } catch (RuntimeException e) {
            if (completed) throw e;
        }
    }

    private int live() {
        Dumper dumper = dumpDir != null ? Dumper.create(dumpDir) : null;
        Output out = new Output(true);
        Reporter reporter = new Reporter(out, json, udp, scan, dumper);
        register(reporter, null);
        reporter.source(iface);
        Nids.param("filename", null);
        Nids.param("device", iface);
        // libpcap hands packets over in blocks, at the latest after this many ms: keep the
        // report prompt and the wait at Ctrl-C short (libnids' default is 1024).
        Nids.param("pcap_timeout", LIVE_TIMEOUT_MS);
        configure();
        try {
            Nids.init();
        } catch (NidsException e) {
            throw new CliFailure(withName(iface, e.reason(), e.getMessage()), e);
        }
        System.err.println("jnids: listening on " + iface + ", Ctrl-C to stop");
        Interrupt interrupt = Interrupt.install();
        PcapStats stats = null;
        io.github.jnids.ChecksumReport checksums = null;
        try {
            try {
                Nids.run();
            } catch (RuntimeException e) {
                failed(reporter, e);
                throw e;
            }
            drain();
            try {
                stats = Nids.getPcapStats();
            } catch (RuntimeException e) {
                stats = null;
            }
            Nids.exit();
            reporter.reportOpen();
            checksums = Nids.checksumReport();
            reporter.endCapture(checksums, reporter.streams());
            finish(dumper, out, true);
        } finally {
            interrupt.done();
        }
        StringBuilder summary = new StringBuilder();
        if (stats != null) {
            summary.append(stats.recv()).append(" packets received, ").append(stats.drop())
                    .append(" dropped, ");
        } else {
            summary.append(Nids.packetCount()).append(" packets, ");
        }
        summary.append(reporter.streams()).append(reporter.streams() == 1 ? " stream" : " streams");
        if (udp) summary.append(", ").append(reporter.datagrams()).append(" UDP datagrams");
        if (scan) summary.append(", ").append(reporter.warnings()).append(" warnings");
        if (checksums != null) summary.append("; ").append(ChecksumSummary.note(checksums));
        System.err.println(summary);
        return 0;
    }

    /**
     * After a stop: processes the packets libpcap had captured but not yet handed over
     * (counted as received, they would be missing from the report). libpcap hands a
     * block over at the latest {@link #LIVE_TIMEOUT_MS} after its first packet, but waits
     * for ever when nothing arrives, so a timer ends the draining.
     */
    private static void drain() {
        java.util.concurrent.atomic.AtomicBoolean over = new java.util.concurrent.atomic.AtomicBoolean();
        Thread timer = new Thread(() -> {
            try {
                Thread.sleep(LIVE_TIMEOUT_MS * 5 / 2);
            } catch (InterruptedException e) {
                return;
            }
            over.set(true);
            Nids.stop();
        }, "jnids-drain");
        timer.setDaemon(true);
        timer.start();
        try {
            while (!over.get()) Nids.dispatch(-1);
        } finally {
            timer.interrupt();
            try {
                timer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Registers the handlers once; they survive init() and exit() for every session of this run. */
    private void register(Reporter reporter, Progress progress) {
        Nids.registerTcp(reporter);
        if (udp) Nids.registerUdp(reporter);
        // Always registered: without a handler, jnids would log libnids' warnings.
        Nids.registerWarning(reporter);
        if (progress != null) Nids.registerIp(progress);
    }

    /** The parameters every session of this run gets. */
    private void configure() {
        Nids.param("pcap_filter", filter);
        Nids.param("scan_num_hosts", scan ? SCAN_NUM_HOSTS : 0);
        if (tcpStreams != null) Nids.param("n_tcp_streams", tcpStreams);
        Nids.param("checksums", checksum);
        Nids.param("tcp_gaps", gaps);
        Nids.param("tcp_midstream", midstream);
    }

    /**
     * After a failure inside run(): when libnids could not read on (a damaged capture), reports
     * the streams open at that point, as libnids ended the session; after the command's own
     * failure (writing a dump file or standard output) reports nothing more. Ends the session.
     */
    private static void failed(Reporter reporter, RuntimeException e) {
        if (find(e, CliFailure.class) == null && find(e, CliFailure.OutputClosed.class) == null) {
            try {
                reporter.reportOpen();
            } catch (RuntimeException ignored) {
                // the first failure is the one reported
            }
        }
        reporter.silence();
        try {
            if (Nids.isOpen()) Nids.exit();
        } catch (RuntimeException ignored) {
            // the first failure is the one reported
        }
    }

    /** Fails with a precise message unless the file exists, is a regular file and can be read. */
    static void checkReadable(Path f) {
        if (!Files.exists(f)) throw new CliFailure(f + ": no such file");
        if (Files.isDirectory(f)) throw new CliFailure(f + ": is a directory");
        try {
            FileChannel.open(f, StandardOpenOption.READ).close();
        } catch (AccessDeniedException e) {
            throw new CliFailure(f + ": permission denied");
        } catch (NoSuchFileException e) {
            throw new CliFailure(f + ": no such file");
        } catch (IOException e) {
            throw new CliFailure(f + ": " + Dumper.reason(e));
        }
    }

    /** "-" names standard input, as for tcpdump -r. */
    static boolean isStdin(Path f) {
        return f.toString().equals("-");
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            return 0;
        }
    }

    /** Prefixes the file or interface name unless errors of that reason name it themselves. */
    static String withName(String name, NidsException.Reason reason, String message) {
        if (message == null || message.isBlank()) return name + ": cannot open";
        return namesItsSource(reason) ? oneLine(message) : name + ": " + oneLine(message);
    }

    /** Whether jnids' message for an error of this reason names the capture file or interface. */
    static boolean namesItsSource(NidsException.Reason reason) {
        return switch (reason) {
            case MISSING_FILE, FILE_ACCESS, NOT_A_CAPTURE, DAMAGED_CAPTURE, NO_SUCH_DEVICE, NO_PERMISSION -> true;
            default -> false;
        };
    }

    static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*[\\r\\n]+\\s*", "; ");
    }

    /** Prints a runtime error as one line; the stack trace only with JNIDS_DEBUG set. */
    static void fail(Throwable ex) {
        System.err.println("jnids: " + message(ex));
        if (System.getenv("JNIDS_DEBUG") != null) ex.printStackTrace();
    }

    static String message(Throwable ex) {
        CliFailure cli = find(ex, CliFailure.class);
        if (cli != null) return oneLine(cli.getMessage());
        if (ex instanceof NidsException && ex.getMessage() != null) return oneLine(ex.getMessage());
        LinkageError link = find(ex, LinkageError.class);
        if (link instanceof NoClassDefFoundError && Preload.failure() != null) {
            Throwable first = Preload.failure();
            if (first instanceof ExceptionInInitializerError && first.getCause() != null) first = first.getCause();
            return "cannot load the native library (" + oneLine(String.valueOf(first.getMessage())) + ")";
        }
        if (link != null) {
            return "cannot load the native library (" + oneLine(String.valueOf(link.getMessage())) + ")";
        }
        if (ex instanceof OutOfMemoryError) return "out of memory; try a larger -Xmx";
        String m = ex.getMessage();
        return m != null && !m.isBlank() ? oneLine(m) : ex.getClass().getSimpleName();
    }

    static <T extends Throwable> T find(Throwable ex, Class<T> type) {
        for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) return type.cast(t);
        }
        return null;
    }

    /** Prints jnids', libnids' and libpcap's versions. */
    static final class Versions implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String pcap = Nids.libpcapVersion();
            if (pcap.startsWith("libpcap version ")) pcap = pcap.substring("libpcap version ".length());
            return new String[] {
                "jnids " + Nids.version(),
                "libnids " + Nids.libnidsVersion(),
                "libpcap " + pcap,
            };
        }
    }
}
