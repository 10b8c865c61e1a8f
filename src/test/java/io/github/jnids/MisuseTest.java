package io.github.jnids;

import static io.github.jnids.testing.Packets.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import io.github.jnids.testing.PcapWriter;
import io.github.jnids.testing.TcpConversation;

/** Misuse gets a clear exception, never a crash. */
class MisuseTest extends NidsTestBase {
    private static final long T0 = 1_700_000_000_000_000L;

    private Path conversation() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        new TcpConversation(w, "10.0.0.1", 40000, "10.0.0.2", 80).handshake().clientSends("abc")
                .serverSends("de").close();
        return write("conv.pcap", w);
    }

    private Path datagrams(int n) throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        for (int i = 1; i <= n; i++) {
            w.packet(T0 + i * 1000L, ethernet(ipv4("10.0.0.1", "10.0.0.2", 17, i, 0, false,
                    udp("10.0.0.1", 1000, "10.0.0.2", 2000, new byte[] {(byte) i}))));
        }
        return write("udp" + n + ".pcap", w);
    }

    private static void assertMessage(Class<? extends Throwable> type, Executable call, String... parts) {
        Throwable t = assertThrows(type, call);
        for (String p : parts) {
            assertTrue(t.getMessage() != null && t.getMessage().contains(p),
                    "message '" + t.getMessage() + "' should contain '" + p + "'");
        }
    }

    @Test
    void streamsAndHalvesUsedAfterTheirCallbackThrow() throws Exception {
        Path file = conversation();
        List<TcpStream> streams = new ArrayList<>();
        List<HalfStream> halves = new ArrayList<>();
        List<ByteBuffer> views = new ArrayList<>();
        onTcp(s -> {
            streams.add(s);
            halves.add(s.client());
            halves.add(s.server());
            if (s.nidsState() == Nids.NIDS_JUST_EST) {
                s.client().collect(true);
                s.server().collect(true);
            } else if (s.nidsState() == Nids.NIDS_DATA) {
                views.add(s.server().countNew() > 0 ? s.server().dataBuffer() : s.client().dataBuffer());
            }
        });
        runFile(file);
        assertEquals(4, streams.size());
        TcpStream s = streams.get(0);
        List<Executable> calls = List.of(s::addr, s::nidsState, s::client, s::server, () -> s.discard(0), s::kill,
                s::user, () -> s.user("x"), s::raw);
        for (Executable c : calls) assertMessage(IllegalStateException.class, c, "after its callback");
        for (HalfStream h : halves) {
            for (Executable c : List.<Executable>of(h::state, h::collect, () -> h.collect(true), h::collectUrg,
                    () -> h.collectUrg(false), h::count, h::offset, h::countNew, h::countNewUrg, h::urgdata,
                    h::data, h::dataBuffer)) {
                assertThrows(IllegalStateException.class, c);
            }
            assertTrue(h.toString().contains("invalid"));
        }
        assertTrue(s.toString().contains("invalid"));
        for (ByteBuffer v : views) {
            assertEquals(0, v.limit());
            assertThrows(IndexOutOfBoundsException.class, () -> v.get(0));
        }
    }

    @Test
    void sessionCallsOutOfOrder() throws Exception {
        for (Executable c : List.<Executable>of(Nids::run, Nids::next, () -> Nids.dispatch(1), Nids::getfd,
                Nids::getPcapStats)) {
            assertMessage(IllegalStateException.class, c, "init()");
        }
        Nids.exit(); // nothing to end: no effect
        open(conversation());
        assertMessage(IllegalStateException.class, Nids::init, "session is open", "exit()");
        assertTrue(Nids.isOpen());
        Nids.exit();
        Nids.exit();
        assertFalse(Nids.isOpen());
    }

    @Test
    void sessionCallsFromInsideAHandlerAreRefused() throws Exception {
        Path file = datagrams(2);
        List<String> errors = new ArrayList<>();
        onUdp((a, p, i) -> {
            for (Executable c : List.<Executable>of(Nids::init, Nids::run, Nids::next, () -> Nids.dispatch(1),
                    Nids::exit, () -> Nids.param("filename", "x"), () -> Nids.chksumCtl(List.of()))) {
                try {
                    c.execute();
                    errors.add("no exception");
                } catch (IllegalStateException expected) {
                    // refused
                } catch (Throwable t) {
                    errors.add(t.toString());
                }
            }
            // allowed: reading parameters, registering, the loop's information
            Nids.param("scan_delay");
            Nids.param("scan_delay", 3000);
            Nids.getfd();
            Nids.getPktTs();
        });
        runFile(file);
        assertEquals(List.of(), errors);
        assertEquals(3000, Nids.param("scan_delay"));
    }

    @Test
    void callsFromAnotherThreadDuringARunAreRefused() throws Exception {
        Path file = datagrams(3);
        CountDownLatch entered = new CountDownLatch(1), release = new CountDownLatch(1);
        List<Integer> seen = new ArrayList<>();
        onUdp((a, p, i) -> {
            seen.add((int) p.get(0));
            entered.countDown();
            assertTrue(release.await(20, TimeUnit.SECONDS));
        });
        open(file);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread runner = new Thread(() -> {
            try {
                Nids.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "nids-runner");
        runner.start();
        try {
            assertTrue(entered.await(20, TimeUnit.SECONDS));
            for (Executable c : List.<Executable>of(() -> Nids.param("scan_delay"),
                    () -> Nids.param("scan_delay", 1), () -> Nids.registerTcp(t -> { }),
                    () -> Nids.unregisterUdp((a, p, i) -> { }), Nids::init, Nids::run, Nids::next,
                    () -> Nids.dispatch(1), Nids::exit, Nids::getfd, Nids::getPcapStats,
                    () -> Nids.chksumCtl(List.of()))) {
                assertMessage(IllegalStateException.class, c, "nids-runner", "Nids.stop()");
            }
            assertTrue(Nids.isOpen());
            Nids.stop();
        } finally {
            release.countDown();
            runner.join(20_000);
        }
        assertFalse(runner.isAlive());
        assertNull(failure.get());
        assertEquals(List.of(1), seen, "stop() from another thread ends run() after the current packet");
        assertTrue(Nids.isOpen());
        // the calling thread may use libnids again
        assertEquals(1, Nids.next());
        assertEquals(List.of(1, 2), seen);
    }

    @Test
    void parameterMistakes() {
        assertMessage(IllegalArgumentException.class, () -> Nids.param("n_tcp_stream"), "n_tcp_stream",
                "valid names", "n_tcp_streams", "pcap_filter", "queue_limit");
        assertMessage(IllegalArgumentException.class, () -> Nids.param("nope", 1), "valid names");
        assertMessage(IllegalArgumentException.class, () -> Nids.param(null), "valid names");
        assertMessage(IllegalArgumentException.class, () -> Nids.param("n_tcp_streams", "many"), "n_tcp_streams",
                "Integer");
        assertMessage(IllegalArgumentException.class, () -> Nids.param("n_tcp_streams", null));
        assertMessage(IllegalArgumentException.class, () -> Nids.param("n_tcp_streams", 1.5));
        assertMessage(IllegalArgumentException.class, () -> Nids.param("n_tcp_streams", 1L << 40), "int");
        assertMessage(IllegalArgumentException.class, () -> Nids.param("filename", 3), "String");
        assertMessage(IllegalArgumentException.class, () -> Nids.param("filename", "a\0b"), "NUL");
        assertMessage(IllegalArgumentException.class, () -> Nids.param("ip_filter", "x"), "Predicate");
        assertMessage(IllegalArgumentException.class, () -> Nids.param("promisc", "yes"));
        assertMessage(IllegalArgumentException.class, () -> Nids.param("scan_delay", true), "Integer");
        for (String n : List.of("n_tcp_streams", "n_hosts", "sk_buff_size", "scan_num_hosts", "scan_num_ports",
                "scan_delay", "pcap_timeout", "tcp_flow_timeout", "queue_limit")) {
            Object before = Nids.param(n);
            assertMessage(IllegalArgumentException.class, () -> Nids.param(n, -1), n, ">= 0");
            assertEquals(before, Nids.param(n), "a refused value changes nothing");
        }
        assertMessage(IllegalArgumentException.class, () -> Nids.param("dev_addon", -2), ">= -1");
        assertMessage(IllegalArgumentException.class, () -> Nids.param("multiproc", 1), "multiproc");
        assertMessage(IllegalArgumentException.class, () -> Nids.chksumCtl(null));
        assertMessage(IllegalArgumentException.class, () -> Nids.chksumCtl(List.of(Map.entry("10.0.0/8", false))),
                "10.0.0/8");
        assertMessage(IllegalArgumentException.class, () -> Nids.chksumCtl(List.of(Map.entry("10.0.0.0/33", false))));
        assertMessage(IllegalArgumentException.class, () -> Nids.chksumCtl(List.of(Map.entry("300.0.0.0/8", true))));
        assertThrows(NullPointerException.class, () -> Nids.registerTcp(null));
    }

    @Test
    void captureFilesThatCannotBeOpened() throws Exception {
        Nids.param("filename", dir.resolve("missing.pcap").toString());
        assertMessage(NidsException.class, Nids::init, "missing.pcap", "does not exist");
        Nids.param("filename", dir.toString());
        assertMessage(NidsException.class, Nids::init, "directory");
        Path text = Files.writeString(dir.resolve("notes.txt"), "these are not packets, just some words\n");
        Nids.param("filename", text.toString());
        assertMessage(NidsException.class, Nids::init, "notes.txt", "format");
        Path empty = Files.write(dir.resolve("empty.pcap"), new byte[0]);
        Nids.param("filename", empty.toString());
        assertMessage(NidsException.class, Nids::init, "empty.pcap");
        Path linktype = write("lt147.pcap", new PcapWriter(147).packet(T0, new byte[40]));
        Nids.param("filename", linktype.toString());
        assertMessage(NidsException.class, Nids::init, "link type 147", "not supported");
        Path good = conversation();
        Nids.param("filename", good.toString());
        Nids.param("pcap_filter", "tcp port");
        assertMessage(NidsException.class, Nids::init, "pcap_filter", "tcp port");
        Nids.param("pcap_filter", "nonsense words here");
        assertMessage(NidsException.class, Nids::init, "nonsense words here");
        assertFalse(Nids.isOpen());
        // none of it left anything behind
        Nids.param("pcap_filter", null);
        runFile(good);
        Nids.param("filename", null);
        Nids.param("device", "no-such-interface-0");
        assertMessage(NidsException.class, Nids::init, "no-such-interface-0");
    }

    @Test
    void truncatedFileDeliversThePacketsBeforeTheDamageThenFails() throws Exception {
        byte[] whole = Files.readAllBytes(datagrams(4));
        int recordSize = 16 + 14 + 20 + 8 + 1;
        assertEquals(24 + 4 * recordSize, whole.length);
        for (int cut : new int[] {24 + 3 * recordSize + 20, 24 + 3 * recordSize + 5}) {
            Path file = Files.write(dir.resolve("cut" + cut + ".pcap"), Arrays.copyOf(whole, cut));
            List<Integer> seen = new ArrayList<>();
            UdpHandler u = onUdp((a, p, i) -> seen.add((int) p.get(0)));
            open(file);
            NidsException e = assertThrows(NidsException.class, Nids::run);
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
            assertTrue(e.getMessage().contains("cut" + cut), e.getMessage());
            assertEquals(List.of(1, 2, 3), seen);
            assertFalse(Nids.isOpen(), "the session ended");
            Nids.unregisterUdp(u);
        }
    }
}
