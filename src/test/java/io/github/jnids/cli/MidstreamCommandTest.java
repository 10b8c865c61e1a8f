package io.github.jnids.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.jnids.cli.Jnids.Result;
import io.github.jnids.testing.MidstreamCaptures;

/** {@code --midstream}: streams whose handshake was not captured are reported, and marked, in text and JSON. */
class MidstreamCommandTest {
    @TempDir
    Path tmp;

    Path capture(String name) throws IOException {
        MidstreamCaptures.Capture c = MidstreamCaptures.all().stream().filter(x -> x.name().equals(name))
                .findFirst().orElseThrow();
        return Files.write(tmp.resolve(name + ".pcap"), c.bytes());
    }

    @Test
    void marksStreamsAlreadyRunningAndOmitsThemWithout() throws IOException {
        Path f = capture("mid-same-ports");
        Result on = Jnids.run("--midstream", f.toString());
        assertEquals(0, on.exit(), on.toString());
        assertEquals(List.of(
                "[+] 10.0.0.1:40107 - 10.0.0.2:80 (CTS: 0B | STC: 5B) [midstream]",
                "[+] 10.0.0.1:40107 - 10.0.0.2:80 (CTS: 14B | STC: 6B) [reset] [midstream]",
                "[+] 10.0.0.1:40107 - 10.0.0.2:80 (CTS: 13B | STC: 5B)",
                "[+] 10.0.0.1:40107 - 10.0.0.2:80 (CTS: 14B | STC: 6B) [open] [midstream]"), on.lines());
        Result off = Jnids.run(f.toString());
        assertEquals(List.of("[+] 10.0.0.1:40107 - 10.0.0.2:80 (CTS: 13B | STC: 5B)"), off.lines(), off.toString());
    }

    @Test
    void jsonSaysMidstreamOnlyForThoseStreams() throws IOException {
        Path f = capture("mid-same-ports");
        List<String> tcp = Jnids.run("--midstream", "--json", f.toString()).lines().stream()
                .filter(l -> l.contains("\"type\":\"tcp\"")).toList();
        assertEquals(4, tcp.size(), String.join("\n", tcp));
        assertTrue(tcp.get(0).contains("\"midstream\":true"), tcp.get(0));
        assertTrue(tcp.get(1).contains("\"midstream\":true") && tcp.get(1).contains("\"state\":\"reset\""), tcp.get(1));
        assertFalse(tcp.get(2).contains("midstream"), tcp.get(2));
        assertTrue(tcp.get(3).contains("\"midstream\":true"), tcp.get(3));
    }

    @Test
    void dumpsTheBytesOfAStreamPickedUpWithTheRolesGuessed() throws IOException {
        Path f = capture("mid-server-first");
        Path dir = tmp.resolve("flows");
        Result r = Jnids.run("--midstream", "--dump", dir.toString(), f.toString());
        assertEquals(0, r.exit(), r.toString());
        assertEquals(List.of("[+] 10.0.0.1:45000 - 10.0.0.2:8080 (CTS: 6B | STC: 5004B) [midstream]"), r.lines());
        try (var files = Files.list(dir)) {
            List<Path> l = files.sorted().toList();
            assertEquals(2, l.size(), l.toString());
            long[] sizes = l.stream().mapToLong(p -> p.toFile().length()).sorted().toArray();
            assertArrayEquals(new long[] {6, 5004}, sizes, l.toString());
        }
    }
}
