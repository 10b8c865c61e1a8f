package io.github.jnids.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;

/** Comparison of two dumps (FORMAT.md lines) that names the first line where they part. */
public final class DumpAssert {
    private DumpAssert() { }

    /** Two dumps equal, reporting the first differing line. */
    public static void assertSameLines(List<String> expected, List<String> actual, String what) {
        int n = Math.min(expected.size(), actual.size());
        for (int i = 0; i < n; i++) {
            if (!expected.get(i).equals(actual.get(i))) {
                fail(what + ": first difference at line " + (i + 1) + "\n  expected: " + expected.get(i)
                        + "\n  actual:   " + actual.get(i));
            }
        }
        assertEquals(expected.size(), actual.size(), what + ": number of lines (the longer one goes on with: "
                + (expected.size() > n ? expected.get(n) : actual.size() > n ? actual.get(n) : "") + ")");
    }
}
