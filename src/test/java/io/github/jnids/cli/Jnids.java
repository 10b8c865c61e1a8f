package io.github.jnids.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the jnids command as a separate process, as a user would, and captures what it prints. */
final class Jnids {
    private Jnids() { }

    /** What one run printed and returned. */
    record Result(int exit, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }

        List<String> errLines() {
            return err.lines().toList();
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    static Path sharedPcaps() {
        String base = System.getProperty("jnids.basedir", ".");
        return Paths.get(base, "..", "shared", "pcaps").normalize();
    }

    /** The command line that starts jnids with this JVM and the test class path. */
    static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        // Short runs: the quick compiler and the simple collector start fastest.
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-XX:+UseSerialGC");
        // What README asks of users on JDK 24+ who run jnids from the class path.
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.github.jnids.cli.Main");
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    static ProcessBuilder builder(String... args) {
        ProcessBuilder pb = new ProcessBuilder(command(args));
        pb.environment().remove("JNIDS_DEBUG");
        return pb;
    }

    static Result run(String... args) {
        return run(builder(args));
    }

    static Result run(ProcessBuilder pb) {
        try {
            Process p = pb.start();
            if (pb.redirectInput() == ProcessBuilder.Redirect.PIPE) p.getOutputStream().close();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread errReader = drain(p.getErrorStream(), err);
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("jnids did not finish: " + pb.command());
            }
            errReader.join();
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static Thread drain(InputStream in, ByteArrayOutputStream sink) {
        Thread t = new Thread(() -> {
            try {
                in.transferTo(sink);
            } catch (IOException ignored) {
                // process gone
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }
}
