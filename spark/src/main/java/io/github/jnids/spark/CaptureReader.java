package io.github.jnids.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.jnids.CaptureStream;
import io.github.jnids.NidsException;

/**
 * Reads one partition: one libnids session over its capture (or rotation
 * set), advanced packet batch by packet batch as Spark asks for rows, so that
 * only the rows of one batch wait in memory.
 * <p>
 * A local, uncompressed file is opened by libpcap itself; anything else
 * (another file system, a compressed file, a rotation set) comes through a
 * {@link CaptureStream}. A file that is not a capture fails the task naming
 * it, unless ignoreCorruptFiles is set (then it gives no rows); a capture
 * damaged part way gives the rows up to the damage, as the command does.
 */
final class CaptureReader implements PartitionReader<InternalRow> {
    private static final Logger LOG = LoggerFactory.getLogger(CaptureReader.class);
    /** Packets per native loop call: few enough that a batch's rows are few. */
    private static final int BATCH = 512;

    private final CapturePartition partition;
    private final ReadOptions options;
    private final Engine engine;
    private final Rows rows = new Rows();
    private final FlowRows flows;
    private final String name;
    private CaptureStream stream;
    private InternalRow current;
    private boolean ended;
    private long packets;
    private long skipped;
    private long damaged;

    CaptureReader(CapturePartition partition, ReadOptions options, RowShape shape, String bpf, Configuration conf) {
        this.partition = partition;
        this.options = options;
        this.name = partition.files().get(0);
        this.engine = Engines.create();
        try {
            flows = switch (options.kind) {
                case TCP -> new FlowRows(engine, rows, shape, options.payload);
                case WARNINGS -> new FlowRows(engine, null, shape, -1);
                case UDP -> null;
            };
            configure(shape, bpf);
            open(conf);
        } catch (RuntimeException | Error e) {
            closeQuietly();
            throw e;
        }
    }

    private void configure(RowShape shape, String bpf) {
        engine.param("device", null);
        engine.param("pcap_filter", bpf);
        // libnids' port-scan detection costs time and memory per source host: on for warnings only, as the command.
        engine.param("scan_num_hosts", options.kind == ReadOptions.Kind.WARNINGS ? 256 : 0);
        if (options.tcpStreams != null) engine.param("n_tcp_streams", options.tcpStreams);
        engine.param("ipv6", options.ipv6);
        engine.param("tcp_gaps", options.gaps);
        engine.param("tcp_midstream", options.midstream);
        Checksums.apply(engine, options.checksums);
        if (flows != null) {
            flows.capture(name);
            engine.registerTcp(flows);
        }
        switch (options.kind) {
            case UDP -> {
                DatagramRows d = new DatagramRows(engine, rows, shape, options.payload);
                d.capture(name);
                engine.registerUdp(d);
                engine.registerWarning(w -> { });
            }
            case WARNINGS -> {
                WarningRows w = new WarningRows(engine, rows, shape);
                w.capture(name);
                engine.registerWarning(w);
            }
            case TCP -> engine.registerWarning(w -> { }); // without a handler jnids would log them
        }
    }

    private void open(Configuration conf) {
        String filename;
        List<String> files = partition.files();
        try {
            Path first = new Path(files.get(0));
            FileSystem fs = first.getFileSystem(conf);
            CompressionCodecFactory codecs = new CompressionCodecFactory(conf);
            if (files.size() == 1 && fs instanceof LocalFileSystem && codecs.getCodec(first) == null) {
                filename = new java.io.File(first.toUri()).getPath();
            } else {
                InputStream in = RotationStream.of(files, f -> openDecompressed(new Path(f), conf, codecs));
                stream = CaptureStream.open(in, name);
                filename = stream.path();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("jnids: cannot open " + name + ": " + e.getMessage(), e);
        }
        engine.param("filename", filename);
        try {
            engine.init();
        } catch (NidsException e) {
            String why = stream != null ? stream.rename(e.getMessage()) : e.getMessage();
            if (stream != null && stream.failure() != null) {
                why = "reading it failed: " + stream.failure();
            }
            if (!options.ignoreCorruptFiles || !notACapture(e)) {
                throw new NidsException("jnids: cannot read " + name + " as a capture: " + why
                        + " (set option ignoreCorruptFiles, or spark.sql.files.ignoreCorruptFiles, to skip such files)", e);
            }
            LOG.warn("jnids: skipping {}, not a capture: {}", name, why);
            skipped = 1;
            ended = true;
            engine.close();
        }
    }

    private static InputStream openDecompressed(Path p, Configuration conf, CompressionCodecFactory codecs) throws IOException {
        InputStream in = p.getFileSystem(conf).open(p, 1 << 16);
        CompressionCodec codec = codecs.getCodec(p);
        return codec == null ? in : codec.createInputStream(in);
    }

    @Override
    public boolean next() throws IOException {
        while (rows.isEmpty() && !ended) step();
        current = rows.poll();
        return current != null;
    }

    private void step() throws IOException {
        try {
            if (engine.dispatch(BATCH) > 0) return;
        } catch (NidsException e) {
            if (engine.isOpen() || isReadError(e)) {
                // Damaged part way: the rows so far stand, and the streams open at the damage, as the command reports them.
                damaged = 1;
                LOG.warn("jnids: {} is damaged; its rows stop there: {}", name,
                        stream != null ? stream.rename(e.getMessage()) : e.getMessage());
            } else {
                throw e;
            }
        }
        finish();
    }

    private static boolean isReadError(NidsException e) {
        return e.reason() == NidsException.Reason.DAMAGED_CAPTURE;
    }

    /** What ignoreCorruptFiles skips: files that are no capture libnids can read (not a bad filter, say). */
    private static boolean notACapture(NidsException e) {
        return switch (e.reason()) {
            case NOT_A_CAPTURE, UNSUPPORTED_LINK_TYPE, DAMAGED_CAPTURE -> true;
            default -> false;
        };
    }

    /** Ends the session (streams still open come out as "open") and checks the stream read to its end. */
    private void finish() throws IOException {
        ended = true;
        packets = engine.packetCount();
        engine.exit();
        if (flows != null) flows.flushOpen();
        // The engine is done: give it back now, not when Spark closes the reader at the end of
        // the task (a task may read several partitions one after the other).
        engine.close();
        if (stream != null) {
            CaptureStream s = stream;
            stream = null;
            try {
                s.close();
            } catch (UncheckedIOException e) {
                if (!options.ignoreCorruptFiles) {
                    throw new IOException("jnids: reading " + name + " failed: " + e.getCause().getMessage(), e.getCause());
                }
                LOG.warn("jnids: reading {} failed part way; its rows stop there: {}", name, e.getMessage());
                damaged = 1;
            }
        }
    }

    @Override
    public InternalRow get() {
        return current;
    }

    @Override
    public CustomTaskMetric[] currentMetricsValues() {
        long p = ended ? packets : engine.packetCount();
        return new CustomTaskMetric[] {
            Metrics.task(Metrics.PACKETS, p),
            Metrics.task(Metrics.CAPTURE_BYTES, ended && skipped == 0 ? partition.bytes() : 0),
            Metrics.task(Metrics.FILES, skipped == 0 ? partition.files().size() : 0),
            Metrics.task(Metrics.SKIPPED, skipped),
            Metrics.task(Metrics.DAMAGED, damaged),
        };
    }

    @Override
    public void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            engine.close();
        } finally {
            if (stream != null) {
                try {
                    stream.close();
                } catch (RuntimeException e) {
                    // closing early: the stream's state no longer matters
                }
                stream = null;
            }
        }
    }

    /** For the description of errors: what this reader reads. */
    @Override
    public String toString() {
        return "jnids reader of " + partition.files() + " " + Map.of("kind", options.kind);
    }
}
