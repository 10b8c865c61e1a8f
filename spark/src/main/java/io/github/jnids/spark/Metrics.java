package io.github.jnids.spark;

import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.metric.CustomSumMetric;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;

/**
 * The scan's own metrics, shown with the scan in Spark's SQL tab: what the
 * sessions read. {@code packets} makes a pushed-down filter visible: libpcap
 * hands libnids only the packets that pass it.
 */
final class Metrics {
    static final String PACKETS = "packets";
    static final String CAPTURE_BYTES = "captureBytes";
    static final String FILES = "captureFiles";
    static final String SKIPPED = "skippedFiles";
    static final String DAMAGED = "damagedFiles";

    private Metrics() { }

    static CustomMetric[] supported() {
        return new CustomMetric[] {
            new Sum(PACKETS, "packets read by libnids"),
            new Sum(CAPTURE_BYTES, "capture bytes read"),
            new Sum(FILES, "capture files read"),
            new Sum(SKIPPED, "files skipped as not captures (ignoreCorruptFiles)"),
            new Sum(DAMAGED, "damaged captures (rows up to the damage)"),
        };
    }

    /** Public with a no-argument constructor: Spark makes these by reflection on the driver. */
    public static class Sum extends CustomSumMetric {
        private final String name;
        private final String description;

        public Sum() {
            this("unknown", "unknown");
        }

        Sum(String name, String description) {
            this.name = name;
            this.description = description;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String description() {
            return description;
        }
    }

    static CustomTaskMetric task(String name, long value) {
        return new CustomTaskMetric() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public long value() {
                return value;
            }
        };
    }
}
