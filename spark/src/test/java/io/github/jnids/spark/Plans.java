package io.github.jnids.spark;

import java.util.ArrayList;
import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.datasources.v2.BatchScanExec;

import scala.jdk.javaapi.CollectionConverters;

/** The jnids scans of an executed query, for their read schema, description and metrics. */
final class Plans {
    private Plans() { }

    static List<BatchScanExec> scans(Dataset<Row> df) {
        List<BatchScanExec> out = new ArrayList<>();
        collect(df.queryExecution().executedPlan(), out);
        return out;
    }

    private static void collect(SparkPlan p, List<BatchScanExec> out) {
        if (p instanceof BatchScanExec b) out.add(b);
        for (SparkPlan c : CollectionConverters.asJava(p.children())) collect(c, out);
    }

    static BatchScanExec scan(Dataset<Row> df) {
        List<BatchScanExec> s = scans(df);
        if (s.size() != 1) throw new AssertionError("expected one scan in " + df.queryExecution().executedPlan());
        return s.get(0);
    }

    /** A metric of the scan, after the query ran. */
    static long metric(Dataset<Row> df, String name) {
        return ((org.apache.spark.sql.execution.metric.SQLMetric) scan(df).metrics().apply(name)).value();
    }
}
