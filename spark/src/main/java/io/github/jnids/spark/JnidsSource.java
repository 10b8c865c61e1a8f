package io.github.jnids.spark;

import java.util.Map;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * The {@code jnids} data source: capture files (pcap, pcapng, compressed as
 * Hadoop's codecs know, on any Hadoop file system) as rows of reassembled TCP
 * streams, UDP datagrams or libnids warnings.
 *
 * <pre>{@code
 * Dataset<Row> flows = spark.read().format("jnids").load("hdfs:///sensors/2026-12-01/");
 * flows.groupBy("dport").sum("bytes_stc").show();
 * }</pre>
 *
 * The schema follows from the options ({@code kind}, {@code payload}); a
 * schema given by the user is refused.
 */
public final class JnidsSource implements TableProvider, DataSourceRegister {
    @Override
    public String shortName() {
        return "jnids";
    }

    @Override
    public StructType inferSchema(CaseInsensitiveStringMap options) {
        return Schemas.of(options(options));
    }

    @Override
    public Table getTable(StructType schema, Transform[] partitioning, Map<String, String> properties) {
        return new JnidsTable(schema, properties);
    }

    static ReadOptions options(Map<String, String> options) {
        CaseInsensitiveStringMap ci = options instanceof CaseInsensitiveStringMap c ? c : new CaseInsensitiveStringMap(options);
        java.util.Map<String, String> lower = new java.util.HashMap<>();
        for (Map.Entry<String, String> e : ci.entrySet()) lower.put(e.getKey().toLowerCase(java.util.Locale.ROOT), e.getValue());
        boolean ignoreCorrupt = false;
        SparkSession spark = SparkSession.getActiveSession().isDefined() ? SparkSession.active() : null;
        if (spark != null) ignoreCorrupt = Boolean.parseBoolean(spark.conf().get("spark.sql.files.ignoreCorruptFiles", "false"));
        return new ReadOptions(lower, ignoreCorrupt);
    }
}
