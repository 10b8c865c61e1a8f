package io.github.jnids.spark;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** The rows of each kind, with the meanings of the command's --json records. */
final class Schemas {
    private Schemas() { }

    static StructType of(ReadOptions o) {
        return switch (o.kind) {
            case TCP -> tcp(o.payload >= 0);
            case UDP -> udp(o.payload >= 0);
            case WARNINGS -> warnings();
        };
    }

    /** One row per TCP stream, in the order libnids ends them within a file. */
    static StructType tcp(boolean payload) {
        StructType t = new StructType()
                .add("capture", DataTypes.StringType, false)
                .add("src", DataTypes.StringType, false)
                .add("dst", DataTypes.StringType, false)
                .add("sport", DataTypes.IntegerType, false)
                .add("dport", DataTypes.IntegerType, false)
                .add("state", DataTypes.StringType, false)
                .add("bytes_cts", DataTypes.LongType, false)
                .add("bytes_stc", DataTypes.LongType, false)
                .add("first_ts", DataTypes.TimestampType, false)
                .add("last_ts", DataTypes.TimestampType, false);
        if (payload) {
            t = t.add("data_cts", DataTypes.BinaryType, false).add("data_stc", DataTypes.BinaryType, false);
        }
        return t;
    }

    /** One row per UDP datagram. */
    static StructType udp(boolean payload) {
        StructType t = new StructType()
                .add("capture", DataTypes.StringType, false)
                .add("src", DataTypes.StringType, false)
                .add("sport", DataTypes.IntegerType, false)
                .add("dst", DataTypes.StringType, false)
                .add("dport", DataTypes.IntegerType, false)
                .add("bytes", DataTypes.IntegerType, false)
                .add("ts", DataTypes.TimestampType, false);
        if (payload) t = t.add("data", DataTypes.BinaryType, false);
        return t;
    }

    /** One row per libnids warning or port scan; absent fields are null. */
    static StructType warnings() {
        StructType probe = new StructType()
                .add("host", DataTypes.StringType, true)
                .add("port", DataTypes.IntegerType, false)
                .add("flags", DataTypes.IntegerType, false);
        return new StructType()
                .add("capture", DataTypes.StringType, false)
                .add("type", DataTypes.StringType, false)
                .add("kind", DataTypes.StringType, false)
                .add("code", DataTypes.IntegerType, false)
                .add("message", DataTypes.StringType, true)
                .add("src", DataTypes.StringType, true)
                .add("sport", DataTypes.IntegerType, true)
                .add("dst", DataTypes.StringType, true)
                .add("dport", DataTypes.IntegerType, true)
                .add("probes", DataTypes.createArrayType(probe, false), true)
                .add("ts", DataTypes.TimestampType, false);
    }

    /** Whether the columns asked for include a field. */
    static boolean has(StructType t, String name) {
        for (StructField f : t.fields()) {
            if (f.name().equals(name)) return true;
        }
        return false;
    }
}
