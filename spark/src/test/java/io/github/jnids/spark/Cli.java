package io.github.jnids.spark;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/** The jnids command, run as its own process on the test class path: the reference the rows must equal. */
final class Cli {
    private Cli() { }

    record Result(int exit, List<JsonObject> records, String err) { }

    static Result run(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.github.jnids.cli.Main");
        cmd.add("--no-progress");
        cmd.addAll(args);
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().remove("JNIDS_DEBUG");
            Process p = pb.start();
            p.getOutputStream().close();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread t = new Thread(() -> {
                try {
                    p.getErrorStream().transferTo(err);
                } catch (IOException ignored) {
                    // gone
                }
            });
            t.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("jnids did not finish: " + cmd);
            }
            t.join();
            List<JsonObject> records = new ArrayList<>();
            for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) records.add(JsonParser.parseString(line).getAsJsonObject());
            }
            return new Result(p.exitValue(), records, err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * The --json records of each file, by file, for the types given. The command stops at
     * the first file it cannot read at all; it is run again on the files after that one.
     */
    static Map<Path, List<JsonObject>> perFile(List<String> options, List<Path> files, String... types) {
        Map<Path, List<JsonObject>> all = CACHE.computeIfAbsent(options + " " + files, k -> perFile(options, files));
        Map<Path, List<JsonObject>> out = new LinkedHashMap<>();
        all.forEach((f, records) -> out.put(f, records.stream()
                .filter(o -> List.of(types).contains(o.get("type").getAsString())).toList()));
        return out;
    }

    /** Runs of the command are shared by the tests that compare with the same options and files. */
    private static final Map<String, Map<Path, List<JsonObject>>> CACHE = new java.util.concurrent.ConcurrentHashMap<>();

    private static Map<Path, List<JsonObject>> perFile(List<String> options, List<Path> files) {
        Map<Path, List<JsonObject>> out = new LinkedHashMap<>();
        for (Path f : files) out.put(f, new ArrayList<>());
        List<Path> left = new ArrayList<>(files);
        while (!left.isEmpty()) {
            List<String> args = new ArrayList<>(options);
            args.add("--json");
            for (Path f : left) args.add(f.toString());
            Result r = run(args);
            for (JsonObject o : r.records()) out.get(Paths.get(o.get("capture").getAsString())).add(o);
            if (r.exit() == 0) break;
            // The file it failed on is the one its message names; go on after it.
            int failed = -1;
            for (int i = 0; i < left.size(); i++) {
                if (r.err().contains(left.get(i).toString() + ":") || r.err().contains("'" + left.get(i) + "'")) {
                    failed = i;
                    break;
                }
            }
            if (failed < 0) throw new AssertionError("jnids failed without naming a file: " + r.err());
            left = new ArrayList<>(left.subList(failed + 1, left.size()));
        }
        return out;
    }

    /** A --json time (seconds with microseconds) in microseconds. */
    static long micros(JsonObject o, String field) {
        return new BigDecimal(o.get(field).getAsString()).movePointRight(6).longValueExact();
    }
}
