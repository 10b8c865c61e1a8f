package io.github.jnids.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dump's files, written on the caller's thread and on the writer thread:
 * the same bytes whatever the order of writes, the limit on open files and
 * the size of the writer's buffers, names that never overwrite, and failures
 * that reach the caller.
 */
class DumperTest {
    @TempDir
    Path dir;

    /** Few open files and small buffers, so that reopening and chunk boundaries are exercised. */
    private static Dumper dumper(Path dir, boolean thread) {
        OpenFiles files = new OpenFiles(3);
        return thread ? new Dumper(dir, new HashSet<>(), null, new WriterThread(files, 100, 7, 2))
                : new Dumper(dir, new HashSet<>(), files, null);
    }

    @ParameterizedTest(name = "writer thread: {0}")
    @ValueSource(booleans = {false, true})
    void interleavedWritesToManyFilesKeepEachFilesBytes(boolean thread) throws IOException {
        Random random = new Random(42);
        int n = 10;
        Dumper.Sink[] sinks = new Dumper.Sink[n];
        ByteArrayOutputStream[] expected = new ByteArrayOutputStream[n];
        Dumper d = dumper(dir, thread);
        for (int i = 0; i < n; i++) {
            sinks[i] = d.sink("10.0.0." + i, 1000 + i, "10.0.0.100", 80);
            expected[i] = new ByteArrayOutputStream();
        }
        ByteBuffer buffer = ByteBuffer.allocateDirect(1000);
        for (int k = 0; k < 400; k++) {
            int i = random.nextInt(n);
            // Like libnids' buffer: older bytes first, the new ones at the end.
            int old = random.nextInt(50);
            int fresh = 1 + random.nextInt(k % 50 == 0 ? 700 : 120);
            byte[] bytes = new byte[old + fresh];
            random.nextBytes(bytes);
            buffer.clear();
            buffer.put(bytes).flip();
            d.write(sinks[i], buffer, fresh);
            assertFalse(buffer.hasRemaining(), "the buffer is consumed");
            expected[i].write(bytes, old, fresh);
            if (k == 200) d.close(sinks[3]); // closed, then written again: appended to
        }
        d.close();
        for (int i = 0; i < n; i++) {
            Path f = dir.resolve(Dumper.flowName("10.0.0." + i, 1000 + i, "10.0.0.100", 80));
            assertEquals(f, sinks[i].path);
            assertArrayEquals(expected[i].toByteArray(), Files.readAllBytes(f), f.toString());
        }
    }

    @ParameterizedTest(name = "writer thread: {0}")
    @ValueSource(booleans = {false, true})
    void namesTakenBeforeOrByThisDumpGetASuffix(boolean thread) throws IOException {
        String name = Dumper.flowName("1.2.3.4", 5, "6.7.8.9", 10);
        Files.writeString(dir.resolve(name), "there before");
        Dumper d = Dumper.create(dir, thread);
        Dumper.Sink first = d.sink("1.2.3.4", 5, "6.7.8.9", 10);
        Dumper.Sink again = d.sink("1.2.3.4", 5, "6.7.8.9", 10);
        Dumper.Sink empty = d.sink("1.2.3.4", 5, "6.7.8.9", 10);
        d.write(first, ByteBuffer.wrap("one".getBytes()));
        d.write(again, ByteBuffer.wrap("two".getBytes()));
        d.close(first);
        d.close(again);
        d.close(empty);
        d.close();
        assertEquals(dir.resolve(name + "-1"), first.path);
        assertEquals(dir.resolve(name + "-2"), again.path);
        assertEquals(null, empty.path, "a direction without bytes has no file");
        assertEquals("there before", Files.readString(dir.resolve(name)));
        assertEquals("one", Files.readString(first.path));
        assertEquals("two", Files.readString(again.path));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(3, s.count());
        }
    }

    @ParameterizedTest(name = "writer thread: {0}")
    @ValueSource(booleans = {false, true})
    void aFileThatAppearsUnderItsNameIsAFailureNotOverwritten(boolean thread) throws IOException {
        Dumper d = dumper(dir, thread);
        Dumper.Sink s = d.sink("1.2.3.4", 5, "6.7.8.9", 10);
        Path p = dir.resolve(Dumper.flowName("1.2.3.4", 5, "6.7.8.9", 10));
        Files.writeString(p, "someone else's");
        CliFailure f = assertThrows(CliFailure.class, () -> {
            d.write(s, ByteBuffer.wrap("mine".getBytes()));
            d.close();
        });
        assertTrue(f.getMessage().startsWith("cannot write " + p + ": "), f.getMessage());
        assertTrue(f.getMessage().contains("appeared"), f.getMessage());
        assertEquals("someone else's", Files.readString(p));
    }

    @Test
    void aWriterThreadFailureStopsLaterWrites() throws IOException {
        Dumper d = dumper(dir, true);
        Dumper.Sink s = d.sink("1.2.3.4", 5, "6.7.8.9", 10);
        Files.writeString(dir.resolve(Dumper.flowName("1.2.3.4", 5, "6.7.8.9", 10)), "x");
        byte[] chunk = new byte[90];
        CliFailure f = assertThrows(CliFailure.class, () -> {
            // Enough to fill the pool many times over: the failure is seen by a write.
            for (int i = 0; i < 10_000; i++) d.write(s, ByteBuffer.wrap(chunk));
        });
        assertTrue(f.getMessage().contains("appeared"), f.getMessage());
        assertThrows(CliFailure.class, d::close);
    }
}
