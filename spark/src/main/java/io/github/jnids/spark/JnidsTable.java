package io.github.jnids.spark;

import java.util.Map;
import java.util.Set;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/** The captures under the given paths, as a table of the rows of the chosen kind. */
final class JnidsTable implements SupportsRead {
    private final StructType schema;
    private final Map<String, String> properties;

    JnidsTable(StructType schema, Map<String, String> properties) {
        this.schema = schema;
        this.properties = properties;
    }

    @Override
    public String name() {
        return "jnids " + properties.getOrDefault("path", properties.getOrDefault("paths", ""));
    }

    @Override
    @SuppressWarnings("deprecation")
    public StructType schema() {
        return schema;
    }

    @Override
    public Set<TableCapability> capabilities() {
        return Set.of(TableCapability.BATCH_READ);
    }

    @Override
    public ScanBuilder newScanBuilder(CaseInsensitiveStringMap options) {
        SparkSession spark = SparkSession.active();
        ReadOptions o = JnidsSource.options(options);
        // The session's Hadoop settings (spark.hadoop.*), and the read's other options, as Spark's file sources take them.
        Configuration conf = spark.sessionState().newHadoopConf();
        for (Map.Entry<String, String> e : options.asCaseSensitiveMap().entrySet()) {
            if (!ReadOptions.NAMES.contains(e.getKey().toLowerCase(java.util.Locale.ROOT))) conf.set(e.getKey(), e.getValue());
        }
        return new JnidsScanBuilder(o, schema, conf);
    }
}
