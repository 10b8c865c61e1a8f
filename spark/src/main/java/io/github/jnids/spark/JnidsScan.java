package io.github.jnids.spark;

import java.util.Arrays;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.read.Batch;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.sources.Filter;
import org.apache.spark.sql.types.StructType;

import scala.reflect.ClassTag$;

/** The planned read: the files listed, one partition each (or per rotation set). */
final class JnidsScan implements Scan, Batch {
    private final ReadOptions options;
    private final StructType readSchema;
    private final Filter[] pushed;
    private final String bpf;
    private final Configuration conf;
    private List<CapturePartition> partitions;

    JnidsScan(ReadOptions options, StructType readSchema, Filter[] pushed, String bpf, Configuration conf) {
        this.options = options;
        this.readSchema = readSchema;
        this.pushed = pushed;
        this.bpf = bpf;
        this.conf = conf;
    }

    @Override
    public StructType readSchema() {
        return readSchema;
    }

    @Override
    public String description() {
        return "jnids kind=" + options.kind.name().toLowerCase() + " " + options.paths
                + (bpf != null ? " bpf=[" + bpf + "]" : "")
                + (pushed.length > 0 ? " pushed=" + Arrays.toString(pushed) : "")
                + (options.rotation ? " rotation" : "");
    }

    @Override
    public Batch toBatch() {
        return this;
    }

    @Override
    public InputPartition[] planInputPartitions() {
        if (partitions == null) partitions = CaptureFiles.partitions(options, conf);
        return partitions.toArray(new InputPartition[0]);
    }

    @Override
    public PartitionReaderFactory createReaderFactory() {
        Broadcast<HadoopConf> b = SparkSession.active().sparkContext()
                .broadcast(new HadoopConf(conf), ClassTag$.MODULE$.apply(HadoopConf.class));
        return new ReaderFactory(options, new RowShape(readSchema), bpf, b);
    }

    @Override
    public CustomMetric[] supportedCustomMetrics() {
        return Metrics.supported();
    }
}
