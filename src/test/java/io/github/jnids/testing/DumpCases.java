package io.github.jnids.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The (capture, nids_dump options) pairs DifferentialTest checks, and other
 * tests run: every capture of testdata/{captured,synth}, and of
 * testdata/hostile/ with an expected output, with the options of its
 * {@code <name>.options} (checked against that expected output); the other
 * testdata/hostile/ captures and ../shared/pcaps/ captures with no option and
 * with every option.
 */
public final class DumpCases {
    public static final Path BASE = Paths.get(System.getProperty("jnids.basedir", "."));
    public static final Path SHARED = BASE.resolve(Paths.get("..", "shared", "pcaps")).normalize();
    public static final List<String> ALL_OPTIONS = List.of("--no-checksum", "--udp", "--ip", "--frag", "--warn");

    /**
     * One dump to make: a capture and nids_dump's options. {@code checked}: the
     * capture's {@code <name>.expected} (and {@code <name>.truth}, if any) must
     * hold for these options; otherwise the case compares C and Java only.
     */
    public record Case(Path capture, List<String> options, boolean checked) {
        public Case(Path capture, List<String> options) {
            this(capture, options, false);
        }

        public String name() {
            Path parent = capture.getParent();
            return (parent == null ? "" : parent.getFileName() + "/") + capture.getFileName() + " " + options;
        }

        /** The committed expected output beside the capture (which may be missing). */
        public Path expected() {
            return capture.resolveSibling(base(capture) + ".expected");
        }

        /** The ground truth beside the capture, written by the programs that made the traffic (may be missing). */
        public Path truth() {
            return capture.resolveSibling(base(capture) + ".truth");
        }

        @Override
        public String toString() {
            return name();
        }
    }

    private DumpCases() { }

    /** testdata/'s cases (never empty: the repository has them). */
    public static List<Case> testdata() {
        List<Case> cases = new ArrayList<>();
        for (String d : List.of("captured", "synth", "hostile", "lossy")) {
            for (Path capture : capturesIn(BASE.resolve("testdata").resolve(d))) {
                if (d.equals("hostile") && !Files.exists(capture.resolveSibling(base(capture) + ".expected"))) {
                    cases.add(new Case(capture, List.of()));
                    cases.add(new Case(capture, ALL_OPTIONS));
                } else {
                    List<String> options = optionsOf(capture);
                    if (d.equals("lossy")) {
                        // tcp_gaps skip (libnids patch 0050) in both: holes given up alike
                        List<String> skip = new ArrayList<>(options);
                        skip.add("--gaps");
                        cases.add(new Case(capture, skip));
                    }
                    cases.add(new Case(capture, options, true));
                }
            }
        }
        if (cases.isEmpty()) throw new AssertionError("no captures under " + BASE.resolve("testdata"));
        return cases;
    }

    /** ../shared/pcaps/'s cases; empty when the folder is absent (see {@link #sharedAbsent()}). */
    public static List<Case> shared() {
        List<Case> cases = new ArrayList<>();
        for (Path capture : capturesIn(SHARED)) {
            cases.add(new Case(capture, List.of()));
            cases.add(new Case(capture, ALL_OPTIONS));
        }
        return cases;
    }

    /** Why there are no shared cases, or null when there are. */
    public static String sharedAbsent() {
        if (!Files.isDirectory(SHARED)) return "the public captures folder " + SHARED + " is absent";
        if (capturesIn(SHARED).isEmpty()) return "no capture in " + SHARED;
        return null;
    }

    /** A .pcap, .pcapng or .cap file, or any other file with a {@code <name>.expected} beside it. */
    static boolean isCapture(Path p) {
        String n = p.getFileName().toString();
        if (!Files.isRegularFile(p) || n.lastIndexOf('.') <= 0) return false;
        if (n.endsWith(".pcap") || n.endsWith(".pcapng") || n.endsWith(".cap")) return true;
        if (List.of(".expected", ".options", ".truth", ".sent").stream().anyMatch(n::endsWith)) return false;
        return Files.exists(p.resolveSibling(base(p) + ".expected"));
    }

    private static String base(Path capture) {
        String n = capture.getFileName().toString();
        return n.substring(0, n.lastIndexOf('.'));
    }

    private static List<String> optionsOf(Path capture) {
        Path f = capture.resolveSibling(base(capture) + ".options");
        if (!Files.exists(f)) return List.of();
        try {
            String s = Files.readString(f, StandardCharsets.UTF_8).trim();
            return s.isEmpty() ? List.of() : List.of(s.split("\\s+"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> capturesIn(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(DumpCases::isCapture).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
