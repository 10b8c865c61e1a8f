package io.github.jnids;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.github.jnids.testing.DumpCases;
import io.github.jnids.testing.NidsDumpC;
import io.github.jnids.testing.NidsDumpJava;

/**
 * Independent sessions against C libnids: every dump made on a
 * {@link NidsSession} must print what native/tools/nids_dump prints for the
 * same capture and options (DifferentialTest's cases and rules), while other
 * sessions run at the same time on other threads, or advance packet by packet
 * on the same thread.
 * <p>
 * The ../shared/pcaps/ captures take part when the folder is there; without it
 * the tests run on testdata/ alone and say so on stdout.
 */
class SessionsDifferentialTest {
    private static final int THREADS = 4, ROUNDS = 3;

    private static List<DumpCases.Case> allCases() {
        List<DumpCases.Case> cases = new ArrayList<>(DumpCases.testdata());
        String absent = DumpCases.sharedAbsent();
        if (absent != null) {
            System.out.println("SessionsDifferentialTest: without ../shared/pcaps captures: " + absent);
        } else {
            cases.addAll(DumpCases.shared());
        }
        return cases;
    }

    /**
     * Four threads (on two cores: they preempt each other in the middle of
     * packets), each going through every case in its own shuffled order,
     * three rounds. Each thread keeps one long-lived session that it reuses
     * (init/run/exit again) for every other case, and opens a fresh one for the
     * rest, so that sessions are both made and ended while others run.
     */
    @Test
    void concurrentSessionsEachMatchTheCReference() throws Exception {
        List<DumpCases.Case> cases = allCases();
        for (DumpCases.Case c : cases) NidsDumpC.dump(c.capture(), c.options()); // the C side first, once
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        CyclicBarrier together = new CyclicBarrier(THREADS);
        List<Thread> threads = new ArrayList<>();
        int[] dumps = new int[THREADS];
        for (int t = 0; t < THREADS; t++) {
            int id = t;
            threads.add(new Thread(() -> {
                try (NidsSession reused = new NidsSession()) {
                    Random rnd = new Random(1234 + id);
                    for (int round = 0; round < ROUNDS; round++) {
                        List<DumpCases.Case> order = new ArrayList<>(cases);
                        Collections.shuffle(order, rnd);
                        together.await(60, TimeUnit.SECONDS); // rounds start together: the threads overlap
                        for (int i = 0; i < order.size(); i++) {
                            DumpCases.Case c = order.get(i);
                            NidsDumpJava.Result java;
                            if (i % 2 == 0) {
                                java = NidsDumpJava.dump(reused, c.capture(), c.options());
                            } else {
                                try (NidsSession fresh = new NidsSession()) {
                                    java = NidsDumpJava.dump(fresh, c.capture(), c.options());
                                }
                            }
                            dumps[id]++;
                            String d = NidsDumpC.difference(NidsDumpC.dump(c.capture(), c.options()), java);
                            if (d != null) failures.add("thread " + id + ", round " + round + ", " + c + ": " + d);
                        }
                    }
                } catch (Throwable e) {
                    failures.add("thread " + id + " failed: " + e);
                    e.printStackTrace();
                }
            }, "sessions-" + t));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join(TimeUnit.MINUTES.toMillis(10));
            assertFalse(t.isAlive(), t.getName() + " still running after 10 minutes");
        }
        assertEquals(List.of(), List.copyOf(failures));
        for (int d : dumps) assertEquals(ROUNDS * cases.size(), d);
        System.out.printf("SessionsDifferentialTest: %d threads x %d rounds x %d cases, all equal to nids_dump%n",
                THREADS, ROUNDS, cases.size());
    }

    /**
     * Three sessions on one thread, each advanced a step at a time in turn:
     * the first by next(), the second by next(), the third by dispatch(3).
     * Every capture is one of the three of some group (groups of consecutive
     * cases, in two different pairings), and each must print exactly its own
     * C dump: nothing of one session's packets, streams or state shows in
     * another's.
     */
    @Test
    void sessionsInterleavedPacketByPacketOnOneThread() throws Exception {
        List<DumpCases.Case> cases = allCases();
        List<String> failures = new ArrayList<>();
        int groups = 0;
        for (int shift = 0; shift < 2; shift++) {
            List<DumpCases.Case> order = new ArrayList<>(cases);
            Collections.rotate(order, shift * 2 + 1);
            if (shift == 1) Collections.reverse(order);
            for (int g = 0; g < order.size(); g += 3) {
                List<DumpCases.Case> group = order.subList(g, Math.min(g + 3, order.size()));
                failures.addAll(interleave(group));
                groups++;
            }
        }
        assertEquals(List.of(), failures);
        System.out.printf("SessionsDifferentialTest: %d groups of up to 3 interleaved sessions, all equal to nids_dump%n",
                groups);
    }

    /** Runs the group's dumps interleaved on this thread; returns the differences from C. */
    private static List<String> interleave(List<DumpCases.Case> group) {
        List<NidsSession> sessions = new ArrayList<>();
        List<NidsDumpJava> dumps = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        try {
            for (DumpCases.Case c : group) {
                NidsSession s = new NidsSession();
                sessions.add(s);
                dumps.add(NidsDumpJava.open(s, c.capture(), c.options()));
            }
            long steps = 0;
            boolean any = true;
            while (any) {
                any = false;
                for (int i = 0; i < dumps.size(); i++) {
                    NidsDumpJava d = dumps.get(i);
                    boolean more = i == 2 ? d.dispatch(3) > 0 : d.next();
                    any |= more;
                    if (more) steps++;
                }
            }
            if (group.size() > 1 && steps == 0) failures.add(group + ": no packet was read");
            for (int i = 0; i < dumps.size(); i++) {
                DumpCases.Case c = group.get(i);
                String d = NidsDumpC.difference(NidsDumpC.dump(c.capture(), c.options()), dumps.get(i).finish());
                if (d != null) failures.add(c + " (interleaved with " + group + ", session " + i + "): " + d);
            }
        } finally {
            sessions.forEach(NidsSession::close);
        }
        return failures;
    }
}
