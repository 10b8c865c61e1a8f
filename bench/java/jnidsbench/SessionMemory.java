package jnidsbench;

import io.github.jnids.*;
import java.nio.file.*;
import java.util.*;

/**
 * Resident memory per NidsSession: makes N sessions (each with a TCP handler)
 * and, unless told "closed", opens each on a capture and reads one packet;
 * prints the growth of the process' RSS per session. -Dstreams=N sets
 * n_tcp_streams. The figures in NidsSession's Javadoc come from
 *
 *   java -Xms256m -cp target/jnids-0.1.0-all.jar:bench/out/classes jnidsbench.SessionMemory testdata/captured/http-small.pcap 200 [closed]
 */
public class SessionMemory {
    static long rssKb() throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/self/status")))
            if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
        return -1;
    }
    public static void main(String[] a) throws Exception {
        String file = a[0];
        int n = Integer.parseInt(a[1]);
        boolean open = a.length < 3 || !a[2].equals("closed");
        // warm up: one session through its whole life, so code and classes are loaded
        for (int i = 0; i < 3; i++) try (NidsSession s = new NidsSession()) {
            s.param("filename", file); s.registerTcp(t -> { }); s.init(); s.next(); }
        System.gc(); Thread.sleep(200);
        long before = rssKb();
        Runtime rt = Runtime.getRuntime();
        long heapBefore = rt.totalMemory() - rt.freeMemory();
        List<NidsSession> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            NidsSession s = new NidsSession();
            s.param("filename", file);
            s.param("scan_num_hosts", 0);
            if (System.getProperty("streams") != null) s.param("n_tcp_streams", Integer.getInteger("streams"));
            s.registerTcp(t -> { if (t.nidsState() == Nids.NIDS_JUST_EST) { t.client().collect(true); t.server().collect(true); } });
            if (open) { s.init(); s.next(); }
            all.add(s);
        }
        System.gc(); Thread.sleep(200);
        long after = rssKb();
        System.out.printf("heap used +%d KB%n", (rt.totalMemory() - rt.freeMemory() - heapBefore) / 1024);
        System.out.printf("%d sessions (%s): RSS +%d KB, %.1f KB per session%n", n, open ? "open, one packet read" : "made, not opened",
                after - before, (after - before) / (double) n);
        for (NidsSession s : all) s.close();
        System.gc(); Thread.sleep(200);
        System.out.printf("after close: RSS %+d KB from before%n", rssKb() - before);
        String[] parts = {"session record", "staging (reserved)", "coroutine stack (reserved)", "read buffer"};
        for (int i = 0; i < parts.length; i++) {
            System.out.printf("%s: %d bytes%n", parts[i], io.github.jnids.global.nids.jnids_session_bytes(i));
        }
    }
}
