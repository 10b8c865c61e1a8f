package io.github.jnids;

import static io.github.jnids.global.nids.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.jnids.testing.NidsDumpJava;

/**
 * The two ways libnids' callbacks reach Java (NativeLoop): events returned
 * from the down-calls that resume libnids on its coroutine (the default), and
 * JNI up-calls ({@code -Djnids.callbacks=jni}). Both must show handlers the
 * same bytes and keep the facade's rules; DifferentialTest checks the default
 * against C libnids on every capture, this class the up-call mode and the
 * switching between them.
 */
class CallbackModeTest extends NidsTestBase {
    private static final Path TESTDATA = Paths.get(System.getProperty("jnids.basedir", ".")).resolve("testdata");

    private static <T> T withMode(String mode, java.util.concurrent.Callable<T> body) throws Exception {
        String before = System.getProperty(NativeLoop.PROPERTY);
        if (mode == null) System.clearProperty(NativeLoop.PROPERTY);
        else System.setProperty(NativeLoop.PROPERTY, mode);
        try {
            return body.call();
        } finally {
            if (before == null) System.clearProperty(NativeLoop.PROPERTY);
            else System.setProperty(NativeLoop.PROPERTY, before);
        }
    }

    private static void collectBothOnEstablished(TcpStream tcp) {
        if (tcp.nidsState() == Nids.NIDS_JUST_EST) {
            tcp.client().collect(true);
            tcp.server().collect(true);
        }
    }

    /** Captures that make every kind of event: TCP (urgent data too), UDP, IP, fragments, warnings. */
    private static List<Path> captures() {
        List<Path> list = new ArrayList<>();
        for (String name : List.of("captured/http-small.pcap", "captured/udp-dns.pcap", "captured/udp-frag.pcap",
                "captured/urgent.pcap", "captured/portscan.pcap", "synth/ipfrag-tcp.pcap")) {
            Path p = TESTDATA.resolve(name);
            assertTrue(p.toFile().isFile(), p + " is missing");
            list.add(p);
        }
        return list;
    }

    @Test
    void bothModesGiveTheSameDumpOfEveryKindOfEvent() throws Exception {
        List<String> options = List.of("--udp", "--ip", "--frag", "--warn");
        for (Path capture : captures()) {
            NidsDumpJava.Result coroutine = withMode(null, () -> NidsDumpJava.dump(capture, options));
            NidsDumpJava.Result jni = withMode("jni", () -> NidsDumpJava.dump(capture, options));
            assertEquals(coroutine.status(), jni.status(), capture + ": status");
            assertEquals(coroutine.lines(), jni.lines(), capture + ": the dump in both modes");
            assertTrue(coroutine.lines().size() > 3, capture + ": the dump has events");
        }
    }

    @Test
    void theCoroutineIsUsedByDefaultAndUpCallsOnRequest() throws Exception {
        Path capture = TESTDATA.resolve("captured/http-small.pcap");
        int[] events = new int[2];
        onTcp(tcp -> {
            // Read from inside a handler: the mode libnids is running in now.
            events[jnids_coroutine_used(Nids.session().rawSession())]++;
        });
        withMode(null, () -> {
            Nids.param("filename", capture.toString());
            Nids.init();
            Nids.run();
            return null;
        });
        assertTrue(events[1] > 0 && events[0] == 0, "default mode: " + events[1] + " coroutine, " + events[0] + " up-call");
        events[0] = events[1] = 0;
        withMode("jni", () -> {
            Nids.param("filename", capture.toString());
            Nids.init();
            Nids.run();
            return null;
        });
        assertTrue(events[0] > 0 && events[1] == 0, "jni mode: " + events[1] + " coroutine, " + events[0] + " up-call");
    }

    @Test
    void anUnknownModeIsRefusedByInitWithTheValidOnes() throws Exception {
        Nids.param("filename", TESTDATA.resolve("captured/http-small.pcap").toString());
        IllegalArgumentException e = withMode("fast", () -> assertThrows(IllegalArgumentException.class, Nids::init));
        assertTrue(e.getMessage().contains("jnids.callbacks='fast'") && e.getMessage().contains("'coroutine'")
                && e.getMessage().contains("'jni'"), e.getMessage());
        assertFalse(Nids.isOpen(), "no session after the refusal");
    }

    @Test
    void aHandlerExceptionStopsTheRunInBothModesAndTheNextRunGoesOn() throws Exception {
        Path capture = TESTDATA.resolve("captured/http-small.pcap");
        for (String mode : new String[] {null, "jni"}) {
            int[] seen = new int[1];
            List<Integer> after = new ArrayList<>();
            withMode(mode, () -> {
                Nids.param("filename", capture.toString());
                Nids.init();
                TcpHandler h = onTcp(tcp -> {
                    collectBothOnEstablished(tcp);
                    if (++seen[0] == 5) throw new IllegalStateException("boom " + mode);
                    if (seen[0] > 5) after.add(seen[0]);
                });
                IllegalStateException e = assertThrows(IllegalStateException.class, Nids::run);
                assertEquals("boom " + mode, e.getMessage());
                assertTrue(after.isEmpty(), "no handler runs after the exception in its packet");
                Nids.run();
                assertFalse(after.isEmpty(), "the next run() goes on with the capture");
                Nids.unregisterTcp(h);
                return null;
            });
            Nids.exit();
        }
    }

    /**
     * An IP callback travels with the next event of its packet (a TCP one, on
     * TCP traffic): a stop or an exception in the IP handler must still keep
     * every later handler of that packet from running, as with up-calls.
     */
    @Test
    void aStopInAnIpHandlerKeepsTheTcpHandlerOfItsPacketFromRunning() throws Exception {
        Path capture = TESTDATA.resolve("captured/http-small.pcap");
        for (String mode : new String[] {null, "jni"}) {
            for (boolean viaException : new boolean[] {false, true}) {
                List<Long> tcpPackets = new ArrayList<>();
                List<Long> ipPackets = new ArrayList<>();
                long[] stopAt = {0};
                withMode(mode, () -> {
                    // A packet with a TCP callback: the 4th of a whole run.
                    List<Long> whole = new ArrayList<>();
                    TcpHandler w = onTcp(tcp -> {
                        collectBothOnEstablished(tcp);
                        whole.add(Nids.packetCount());
                    });
                    runFile(capture);
                    Nids.unregisterTcp(w);
                    long target = whole.get(3);

                    Nids.param("filename", capture.toString());
                    Nids.init();
                    TcpHandler t = onTcp(tcp -> {
                        collectBothOnEstablished(tcp);
                        tcpPackets.add(Nids.packetCount());
                    });
                    IpHandler i = onIp(ip -> {
                        ipPackets.add(Nids.packetCount());
                        if (stopAt[0] == 0 && Nids.packetCount() == target) {
                            stopAt[0] = Nids.packetCount();
                            if (viaException) throw new IllegalStateException("ip " + mode);
                            Nids.stop();
                        }
                    });
                    if (viaException) {
                        assertThrows(IllegalStateException.class, Nids::run);
                    } else {
                        Nids.run();
                    }
                    String what = "mode " + mode + (viaException ? ", exception" : ", stop()");
                    assertTrue(stopAt[0] > 0, what + ": the stop happened");
                    assertEquals(stopAt[0], (long) ipPackets.get(ipPackets.size() - 1), what + ": last IP callback");
                    assertTrue(tcpPackets.stream().allMatch(p -> p < stopAt[0]),
                            what + ": no TCP callback of the stopping packet " + stopAt[0] + ": " + tcpPackets);
                    Nids.run();
                    assertTrue(tcpPackets.stream().anyMatch(p -> p > stopAt[0]), what + ": the next run() goes on");
                    Nids.unregisterTcp(t);
                    Nids.unregisterIp(i);
                    return null;
                });
                Nids.exit();
            }
        }
    }

    /** The raw entry points refuse what would switch into the coroutine in the wrong state. */
    @Test
    void theRawLoopCallsRefuseToResumeOrNestTheCoroutine() throws Exception {
        jnids_session s = Nids.session().rawSession();
        long idle = jnids_reply(s.address(), 0);
        assertEquals(JNIDS_EV_FINISHED, idle & 0xff);
        assertEquals(JNIDS_ERROR, (int) (idle >> 32));
        assertTrue(jnids_error(s).getString().contains("no event is waiting"), jnids_error(s).getString());

        List<String> nested = new ArrayList<>();
        onTcp(tcp -> {
            if (tcp.nidsState() == Nids.NIDS_JUST_EST && nested.isEmpty()) {
                long r = jnids_call(s.address(), JNIDS_OP_NEXT, 0);
                nested.add((r & 0xff) + " " + (int) (r >> 32) + " " + jnids_error(s).getString());
            }
        });
        runFile(TESTDATA.resolve("captured/http-small.pcap"));
        assertEquals(1, nested.size());
        assertTrue(nested.get(0).startsWith(JNIDS_EV_FINISHED + " " + JNIDS_ERROR + " libnids is already running"),
                nested.get(0));
    }
}
