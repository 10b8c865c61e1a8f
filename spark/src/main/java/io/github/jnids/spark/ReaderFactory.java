package io.github.jnids.spark;

import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;

/** Sent to the executors: makes the reader of each partition. */
final class ReaderFactory implements PartitionReaderFactory {
    private static final long serialVersionUID = 1L;

    private final ReadOptions options;
    private final RowShape shape;
    private final String bpf;
    private final Broadcast<HadoopConf> conf;

    ReaderFactory(ReadOptions options, RowShape shape, String bpf, Broadcast<HadoopConf> conf) {
        this.options = options;
        this.shape = shape;
        this.bpf = bpf;
        this.conf = conf;
    }

    @Override
    public PartitionReader<InternalRow> createReader(InputPartition partition) {
        return new CaptureReader((CapturePartition) partition, options, shape, bpf, conf.value().get());
    }
}
