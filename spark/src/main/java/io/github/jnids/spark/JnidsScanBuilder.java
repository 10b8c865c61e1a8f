package io.github.jnids.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.connector.read.SupportsPushDownFilters;
import org.apache.spark.sql.connector.read.SupportsPushDownRequiredColumns;
import org.apache.spark.sql.sources.Filter;
import org.apache.spark.sql.types.StructType;

/** Column pruning (only the asked-for columns are made) and the BPF pushdown of {@link Pushdown}. */
final class JnidsScanBuilder implements ScanBuilder, SupportsPushDownRequiredColumns, SupportsPushDownFilters {
    private final ReadOptions options;
    private final Configuration conf;
    private final Pushdown pushdown;
    private StructType required;

    JnidsScanBuilder(ReadOptions options, StructType schema, Configuration conf) {
        this.options = options;
        this.conf = conf;
        this.required = schema;
        this.pushdown = new Pushdown(options.kind);
    }

    @Override
    public void pruneColumns(StructType requiredSchema) {
        this.required = requiredSchema;
    }

    @Override
    public Filter[] pushFilters(Filter[] filters) {
        pushdown.offer(filters);
        // The BPF keeps a superset of the rows' packets: Spark evaluates every filter itself.
        return filters;
    }

    @Override
    public Filter[] pushedFilters() {
        return pushdown.pushed();
    }

    @Override
    public Scan build() {
        return new JnidsScan(options, required, pushdown.pushed(), pushdown.bpf(options.filter), conf);
    }
}
