package io.github.jnids.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.jnids.cli.Jnids.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The progress line appears on standard error only when it is a terminal: run
 * under script(1), which gives the command a pseudo-terminal.
 */
class ProgressTest {
    @TempDir
    Path dir;

    /** Runs jnids with its standard error on a pseudo-terminal and stdout discarded; returns the terminal's text. */
    private static Result onTerminal(String... args) {
        Path script = Path.of("/usr/bin/script");
        assumeTrue(Files.isExecutable(script), "no script(1) to provide a pseudo-terminal");
        String command = Jnids.command(args).stream().map(ProgressTest::quote).collect(Collectors.joining(" "))
                + " >/dev/null";
        return Jnids.run(new ProcessBuilder(script.toString(), "-qec", command, "/dev/null"));
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    @Test
    void showsEachCapturesTotalsOnATerminal() throws IOException {
        Path a = Captures.threeStreams(dir.resolve("a.pcap"));
        Path b = Captures.manyOpen(dir.resolve("b.pcap"), 2);
        Result r = onTerminal(a.toString(), b.toString());
        assertEquals(0, r.exit(), r::toString);
        List<String> lines = r.out().replace("\r", "\n").lines().filter(l -> l.contains("%")).toList();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("a.pcap: ") && l.contains("(100%)") && l.contains("3 streams")),
                r::toString);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("b.pcap: ") && l.contains("(100%)") && l.contains("2 streams")),
                r::toString);
    }

    @Test
    void summarySaysHowChecksumsWereTreated() throws IOException {
        Path cap = Captures.breakTcpChecksums(Captures.threeStreams(dir.resolve("offloaded.pcap")));
        Result on = onTerminal("--checksum", "on", cap.toString());
        assertEquals(0, on.exit(), on::toString);
        assertTrue(on.out().contains("0 streams; checksums verified; 21 offloaded by 10.0.0.1 and 1 more host dropped"),
                on::toString);
        assertTrue(on.out().contains("but no stream: 21 of them have checksums offloaded"), on::toString);
        Result auto = onTerminal(cap.toString());
        assertTrue(auto.out().contains("2 streams; checksums offloaded by 10.0.0.1 and 1 more host: 21 packets kept "
                + "unverified"), auto::toString);
        assertFalse(auto.out().contains("but no stream"), auto::toString);
        Result off = onTerminal("--no-checksum", cap.toString());
        assertTrue(off.out().contains("3 streams; checksums not verified"), off::toString);
    }

    @Test
    void noProgressOptionSilencesIt() throws IOException {
        Path cap = Captures.threeStreams(dir.resolve("a.pcap"));
        Result r = onTerminal("--no-progress", cap.toString());
        assertEquals(0, r.exit(), r::toString);
        assertEquals("", r.out().strip(), r::toString);
    }

    @Test
    void sizesReadAsPeopleDo() {
        assertEquals("512 B", Progress.size(512));
        assertEquals("1.5 KiB", Progress.size(1536));
        assertEquals("93.5 MiB", Progress.size(98_019_024));
    }
}
