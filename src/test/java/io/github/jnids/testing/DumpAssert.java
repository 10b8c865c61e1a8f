package io.github.jnids.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Checks of dumps (FORMAT.md lines): two compared line by line, one against a capture's ground truth. */
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

    /**
     * Checks a dump against a capture's ground truth (testdata/captured/*.truth,
     * written by the programs that made the traffic; format in apps.py, the same
     * rules as check_truth.py): each TCP line gives a stream's last line, each UDP
     * and URG line one line of the dump.
     */
    public static void assertMatchesGroundTruth(List<String> dump, Path truth) throws IOException {
        Map<String, String> ends = new HashMap<>();
        List<String> others = new ArrayList<>();
        for (String l : dump) {
            String[] f = l.split(" ");
            if (f.length > 4 && f[0].equals("TCP") && List.of("CLOSE", "RESET", "TIMEOUT", "EXITING").contains(f[1])) {
                ends.put(f[2] + " " + f[3], f[1] + " " + String.join(" ", Arrays.asList(f).subList(4, f.length)));
            } else if (f[0].equals("UDP") && f.length > 4) {
                others.add(String.join(" ", Arrays.asList(f).subList(0, 5)));
            } else if (l.startsWith("TCP URG ")) {
                others.add(l.substring(4));
            }
        }
        int checked = 0;
        for (String l : Files.readAllLines(truth, StandardCharsets.UTF_8)) {
            String[] f = l.split(" ");
            if (l.isBlank()) continue;
            checked++;
            if (f[0].equals("TCP")) {
                String want = f[3].substring("end=".length()) + " " + String.join(" ", Arrays.asList(f).subList(4, f.length));
                assertEquals(want, ends.get(f[1] + " " + f[2]), truth.getFileName() + ": stream " + f[1] + " " + f[2]);
            } else {
                assertTrue(others.remove(l), truth.getFileName() + ": no line in the dump for " + l);
            }
        }
        assertTrue(checked > 0, truth + " is empty");
    }
}
