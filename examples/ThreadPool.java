// Every capture of a directory at once: one NidsSession per capture, on a
// pool of threads (by default one per core). For each capture, in name order,
// a "== NAME" line, then nidstest.py's line per finished TCP stream (see
// NidsTest.java), or "[-] Error: ..." if the capture cannot be read.
//
//   java -cp target/jnids-0.1.0-all.jar examples/ThreadPool.java DIR [THREADS]

import io.github.jnids.Nids;
import io.github.jnids.NidsException;
import io.github.jnids.NidsSession;
import io.github.jnids.Tuple4;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

public class ThreadPool {
    static final Set<Integer> END_STATES = Set.of(Nids.NIDS_CLOSE, Nids.NIDS_TIMEOUT, Nids.NIDS_RESET);

    /** One capture, in a session of its own: its lines. Runs on a pool thread; shares nothing. */
    static List<String> streams(Path capture) {
        List<String> lines = new ArrayList<>();
        try (NidsSession session = new NidsSession()) {
            session.param("filename", capture.toString());
            session.registerTcp(tcp -> {
                if (tcp.nidsState() == Nids.NIDS_JUST_EST) {
                    tcp.client().collect(true);
                    tcp.server().collect(true);
                } else if (tcp.nidsState() == Nids.NIDS_DATA) {
                    tcp.discard(0);
                } else if (END_STATES.contains(tcp.nidsState())) {
                    Tuple4 a = tcp.addr();
                    lines.add(String.format("[+] %s:%s - %s:%s (CTS: %dB | STC: %dB)", a.src(), a.sport(),
                            a.dst(), a.dport(), tcp.server().count(), tcp.client().count()));
                }
            });
            session.init();
            session.run();
        } catch (NidsException e) {
            lines.add("[-] Error: " + e.getMessage());
        }
        return lines;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: ThreadPool DIR [THREADS]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        List<Path> captures;
        try (Stream<Path> files = Files.list(dir)) {
            captures = files.filter(p -> p.toString().matches(".*\\.(pcap|pcapng|cap)$")).sorted().toList();
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            Map<Path, Future<List<String>>> results = new LinkedHashMap<>();
            for (Path c : captures) results.put(c, pool.submit(() -> streams(c)));
            for (Map.Entry<Path, Future<List<String>>> r : results.entrySet()) {
                System.out.println("== " + r.getKey().getFileName());
                r.getValue().get().forEach(System.out::println);
            }
        } finally {
            pool.shutdown();
        }
    }
}
