package io.github.jnids;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.jnids.testing.DumpCases;

/**
 * A session that becomes unreachable without close() is cleaned up: its
 * capture file is closed and its native memory freed, without running any
 * handler, and one warning (System.Logger "io.github.jnids", which the JDK
 * routes to java.util.logging here) names where the session was made.
 */
class SessionCleanerTest {
    @TempDir
    Path dir;

    /** The descriptors of this process open on a file. */
    private static long descriptorsOn(Path file) throws IOException {
        Path real = file.toRealPath();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(real);
                } catch (IOException | UnsupportedOperationException e) {
                    return false; // closed meanwhile, or not a link
                }
            }).count();
        }
    }

    /** Makes a session, opens it on the capture, reads part of it, and lets it go (no close()). */
    private static void openAndDropASession(Path capture, AtomicInteger handlerCalls) {
        NidsSession s = new NidsSession();
        s.param("filename", capture.toString());
        s.param("scan_num_hosts", 0);
        s.registerTcp(t -> {
            handlerCalls.incrementAndGet();
            if (t.nidsState() == Nids.NIDS_JUST_EST) {
                t.client().collect(true);
                t.server().collect(true);
            }
        });
        s.init();
        for (int i = 0; i < 20; i++) s.next(); // streams are open in libnids now
    }

    @Test
    void aDroppedSessionIsCleanedAndLogsOneWarning() throws Exception {
        assumeProcFs();
        Path capture = Files.copy(DumpCases.BASE.resolve("testdata/captured/open-at-end.pcap"),
                dir.resolve("dropped-session.pcap"));
        List<LogRecord> records = Collections.synchronizedList(new ArrayList<>());
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLoggerName() != null && r.getLoggerName().startsWith("io.github.jnids")) records.add(r);
            }

            @Override
            public void flush() { }

            @Override
            public void close() { }
        };
        Logger root = Logger.getLogger("");
        root.addHandler(handler);
        try {
            AtomicInteger calls = new AtomicInteger();
            openAndDropASession(capture, calls);
            int callsBefore = calls.get();
            assertTrue(callsBefore > 0, "the handler heard the streams while the session read");
            assertEquals(1, descriptorsOn(capture), "the open session holds the capture open");
            long deadline = System.nanoTime() + 60_000_000_000L;
            while ((descriptorsOn(capture) > 0 || records.isEmpty()) && System.nanoTime() < deadline) {
                System.gc();
                Thread.sleep(50);
            }
            assertEquals(0, descriptorsOn(capture), "the dropped session's capture file is still open after 60 s");
            Thread.sleep(200); // a second warning, if any, would come now
            List<LogRecord> warnings = records.stream().filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
                    .toList();
            assertEquals(1, warnings.size(), "warnings: " + warnings.stream().map(this::text).toList());
            String text = text(warnings.get(0));
            assertTrue(text.contains("close()"), "the warning says close() was not called: " + text);
            assertTrue(text.contains("openAndDropASession"), "the warning names where the session was made: " + text);
            assertEquals(callsBefore, calls.get(), "cleaning ran a handler (NIDS_EXITING?)");
        } finally {
            root.removeHandler(handler);
        }
    }

    private String text(LogRecord r) {
        StringBuilder b = new StringBuilder(String.valueOf(r.getMessage()));
        if (r.getParameters() != null) for (Object p : r.getParameters()) b.append(' ').append(p);
        for (Throwable t = r.getThrown(); t != null; t = t.getCause()) {
            b.append("\n").append(t);
            for (StackTraceElement e : t.getStackTrace()) b.append("\n    at ").append(e);
        }
        return b.toString();
    }

    private static void assumeProcFs() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")),
                "no /proc/self/fd to see the capture's descriptor");
    }
}
