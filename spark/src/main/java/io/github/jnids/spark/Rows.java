package io.github.jnids.spark;

import java.util.ArrayDeque;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.unsafe.types.UTF8String;

/** The rows the collectors made and the reader has not yet handed to Spark, in order. */
final class Rows {
    private final ArrayDeque<InternalRow> queue = new ArrayDeque<>();

    void add(InternalRow r) {
        queue.add(r);
    }

    InternalRow poll() {
        return queue.poll();
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    static UTF8String str(String s) {
        return s == null ? null : UTF8String.fromString(s);
    }

    /** A packet time (seconds, microsecond resolution, as libpcap gives it) as Spark's timestamp, microseconds. */
    static long micros(double seconds) {
        return Math.round(seconds * 1e6);
    }
}
