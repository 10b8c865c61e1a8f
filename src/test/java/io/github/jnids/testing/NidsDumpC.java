package io.github.jnids.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The C reference dumper native/tools/nids_dump (built into
 * target/native-tools by the Maven build), run as a process, its output kept
 * per (capture, options) so that tests comparing many Java runs with it run
 * it once; and the comparison rules of DifferentialTest: ERROR lines are
 * compared by keyword only (the C tool prints libpcap's messages, the API
 * its own).
 */
public final class NidsDumpC {
    private static final Path BASE = Paths.get(System.getProperty("jnids.basedir", "."));
    public static final Path TOOL = BASE.resolve(Paths.get("target", "native-tools", "nids_dump"));

    private static final Map<String, NidsDumpJava.Result> CACHE = new ConcurrentHashMap<>();

    private NidsDumpC() { }

    /** nids_dump's lines and exit status (0 END, 1 ERROR) for a capture; an AssertionError if the tool fails otherwise. */
    public static NidsDumpJava.Result dump(Path capture, List<String> options) {
        return CACHE.computeIfAbsent(capture.toAbsolutePath() + " " + options, k -> run(capture, options));
    }

    private static NidsDumpJava.Result run(Path capture, List<String> options) {
        if (!Files.isExecutable(TOOL)) {
            throw new AssertionError(TOOL + " is missing: the Maven build makes it at process-test-classes "
                    + "(or: make -C native/tools OUT=target/native-tools after bash cppbuild.sh)");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(TOOL.toString());
        cmd.addAll(options);
        cmd.add(capture.toString());
        try {
            Path out = Files.createTempFile("nids_dump", ".txt");
            try {
                Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile())
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                if (!p.waitFor(5, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new AssertionError("nids_dump did not finish on " + capture);
                }
                int status = p.exitValue();
                if (status != 0 && status != 1) {
                    throw new AssertionError("nids_dump failed (status " + status + ") on " + capture + " " + options);
                }
                List<String> lines = Files.readString(out, StandardCharsets.UTF_8).lines().collect(Collectors.toList());
                return new NidsDumpJava.Result(List.copyOf(lines), status);
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running nids_dump", e);
        }
    }

    /** ERROR lines keep only their keyword. */
    public static List<String> normalized(List<String> lines) {
        return lines.stream().map(l -> l.startsWith("ERROR ") ? "ERROR" : l).collect(Collectors.toList());
    }

    /**
     * How a Java dump differs from the C one (status, then the first differing
     * line, after {@link #normalized}); null when they agree.
     */
    public static String difference(NidsDumpJava.Result c, NidsDumpJava.Result java) {
        if (c.status() != java.status()) {
            return "status " + java.status() + " where C has " + c.status() + " (last line: "
                    + (java.lines().isEmpty() ? "none" : java.lines().get(java.lines().size() - 1)) + ")";
        }
        List<String> a = normalized(c.lines()), b = normalized(java.lines());
        int n = Math.min(a.size(), b.size());
        for (int i = 0; i < n; i++) {
            if (!a.get(i).equals(b.get(i))) {
                return "first difference at line " + (i + 1) + "\n    C:    " + a.get(i) + "\n    Java: " + b.get(i);
            }
        }
        if (a.size() != b.size()) {
            return a.size() + " lines in C, " + b.size() + " in Java; the longer one goes on with: "
                    + (a.size() > n ? a.get(n) : b.get(n));
        }
        return null;
    }
}
