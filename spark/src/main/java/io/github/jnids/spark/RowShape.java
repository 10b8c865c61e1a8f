package io.github.jnids.spark;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The columns a query asked for (after pruning), by name: a collector fills
 * only those, and skips the work of the others (formatting addresses, copying
 * payload).
 */
final class RowShape implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final String[] names;

    RowShape(StructType required) {
        StructField[] f = required.fields();
        names = new String[f.length];
        for (int i = 0; i < f.length; i++) names[i] = f[i].name();
    }

    /** The position of a column in the rows, or -1 when it was pruned. */
    int index(String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) return i;
        }
        return -1;
    }

    int width() {
        return names.length;
    }

    /** A row of this shape from values laid out as {@link #width()} slots. */
    static InternalRow row(Object[] values) {
        return new GenericInternalRow(values);
    }
}
