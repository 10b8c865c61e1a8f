package io.github.jnids.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.jnids.cli.Jnids.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/jnids: finds the -all jar in ../target next to itself. */
class LauncherTest {
    @TempDir
    Path dir;

    static Path project() {
        return Paths.get(System.getProperty("jnids.basedir", "."));
    }

    @Test
    void explainsAMissingJar() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path script = Files.copy(project().resolve("bin/jnids"), bin.resolve("jnids"));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Result r = Jnids.run(new ProcessBuilder(script.toString(), "--version"));
        assertEquals(1, r.exit(), r::toString);
        assertEquals(1, r.errLines().size(), r::toString);
        assertTrue(r.err().startsWith("jnids: no "), r::toString);
        assertTrue(r.err().contains("mvn package"), r::toString);
    }

    @Test
    void runsTheBuiltJarThroughASymlink() throws IOException {
        Path target = project().resolve("target");
        boolean built;
        try (Stream<Path> s = Files.exists(target) ? Files.list(target) : Stream.empty()) {
            built = s.anyMatch(p -> p.getFileName().toString().matches("jnids-.*-all\\.jar"));
        }
        assumeTrue(built, "no target/jnids-*-all.jar yet (mvn package builds it)");
        Path link = Files.createSymbolicLink(dir.resolve("jnids"), project().resolve("bin/jnids").toAbsolutePath());
        Result r;
        try {
            r = Jnids.run(new ProcessBuilder(link.toString(), "--version"));
        } finally {
            Files.delete(link); // JUnit would warn about a link leading out of its folder
        }
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().startsWith("jnids "), r::toString);
        assertTrue(r.out().contains("libnids 1.26"), r::toString);
    }
}
