package io.github.jnids.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code jnids -i lo} against real sockets: a stream closed during the capture
 * and one still open when SIGTERM arrives (what Ctrl-C does too) are reported,
 * then a summary, with exit status 0. Skipped without permission to capture.
 */
class LiveCaptureTest {

    @Test
    void capturesLoopbackUntilTerminated() throws Exception {
        ProcessBuilder pb = Jnids.builder("-i", "lo", "--no-checksum", "-f", "tcp");
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread outReader = Jnids.drain(p.getInputStream(), out);
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        String first = err.readLine();
        if (first == null || !first.startsWith("jnids: listening on lo")) {
            p.waitFor(30, TimeUnit.SECONDS);
            assumeTrue(false, "cannot capture on lo here: " + first);
        }
        // The capture is open; give libpcap a moment to start delivering.
        Thread.sleep(300);
        int port;
        int closedClientPort;
        int openClientPort;
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            port = server.getLocalPort();
            try (Socket c = new Socket(InetAddress.getLoopbackAddress(), port); Socket a = server.accept()) {
                closedClientPort = c.getLocalPort();
                c.getOutputStream().write(new byte[100]);
                readFully(a.getInputStream(), 100);
                a.getOutputStream().write(new byte[50]);
                readFully(c.getInputStream(), 50);
            }
            try (Socket c = new Socket(InetAddress.getLoopbackAddress(), port); Socket a = server.accept()) {
                openClientPort = c.getLocalPort();
                OutputStream o = c.getOutputStream();
                o.write("hello".getBytes(StandardCharsets.US_ASCII));
                readFully(a.getInputStream(), 5);
                Thread.sleep(500);
                p.toHandle().destroy(); // SIGTERM; Process.destroy() would also close our pipes
                assertTrue(p.waitFor(30, TimeUnit.SECONDS), "jnids ends on SIGTERM");
            }
        }
        outReader.join();
        StringBuilder rest = new StringBuilder();
        for (String l; (l = err.readLine()) != null; ) rest.append(l).append('\n');
        String report = out.toString(StandardCharsets.UTF_8);
        String diagnostics = "stdout:\n" + report + "stderr:\n" + first + "\n" + rest;
        assertEquals(0, p.exitValue(), diagnostics);
        List<String> lines = report.lines().toList();
        assertTrue(lines.contains("[+] 127.0.0.1:" + closedClientPort + " - 127.0.0.1:" + port + " (CTS: 100B | STC: 50B)"),
                diagnostics);
        assertTrue(lines.contains("[+] 127.0.0.1:" + openClientPort + " - 127.0.0.1:" + port + " (CTS: 5B | STC: 0B) [open]"),
                diagnostics);
        assertTrue(rest.toString().matches(
                "(?s)\\d+ packets received, \\d+ dropped, \\d+ streams?; checksums not verified\\n"), diagnostics);
    }

    private static void readFully(InputStream in, int n) throws Exception {
        byte[] b = new byte[n];
        int got = 0;
        while (got < n) {
            int r = in.read(b, got, n - got);
            if (r < 0) throw new AssertionError("peer closed");
            got += r;
        }
    }
}
