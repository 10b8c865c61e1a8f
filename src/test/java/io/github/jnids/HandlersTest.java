package io.github.jnids;

import static io.github.jnids.testing.Packets.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.jnids.testing.PcapWriter;
import io.github.jnids.testing.TcpConversation;

/** Several handlers per kind, registration around init()/exit(), libnids' listener rules, discard, user(). */
class HandlersTest extends NidsTestBase {
    private static final long T0 = 1_700_000_000_000_000L;

    /** One TCP conversation (client sends "abc", "defg"; server "XY", "Z") and one UDP datagram. */
    private Path conversation(String name) throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        w.packet(T0, ethernet(ipv4("10.0.0.1", "10.0.0.2", 17, udp("10.0.0.1", 53, "10.0.0.2", 53, new byte[] {9}))));
        new TcpConversation(w, "10.0.0.1", 40000, "10.0.0.2", 80).at(T0 + 1000).handshake()
                .clientSends("abc").serverSends("XY").clientSends("defg").serverSends("Z").close();
        return write(name, w);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** A handler that collects both directions and logs "name:state[:dir:data]". */
    private TcpHandler logger(String name, List<String> log) {
        return s -> {
            int st = s.nidsState();
            if (st == Nids.NIDS_JUST_EST) {
                s.client().collect(true);
                s.server().collect(true);
                log.add(name + ":EST");
            } else if (st == Nids.NIDS_DATA) {
                if (s.server().countNew() > 0) log.add(name + ":cts:" + text(s.server().data()));
                if (s.client().countNew() > 0) log.add(name + ":stc:" + text(s.client().data()));
            } else {
                log.add(name + ":" + st);
            }
        };
    }

    @Test
    void handlersOfEachKindRunInRegistrationOrder() throws Exception {
        Path file = conversation("order.pcap");
        List<String> log = new ArrayList<>();
        onTcp(logger("A", log));
        onTcp(logger("B", log));
        onTcp(logger("C", log));
        onUdp((a, p, i) -> log.add("u1"));
        onUdp((a, p, i) -> log.add("u2"));
        onIp(p -> log.add("i1"));
        onIp(p -> log.add("i2"));
        onIpFrag(p -> log.add("f1"));
        onIpFrag(p -> log.add("f2"));
        runFile(file);
        // the UDP datagram: fragments handlers first, then IP, then UDP
        assertEquals(List.of("f1", "f2", "i1", "i2", "u1", "u2"), log.subList(0, 6));
        List<String> tcpOnly = log.stream().filter(s -> s.length() > 2 && s.charAt(1) == ':').toList();
        assertEquals(List.of("A:EST", "B:EST", "C:EST", "A:cts:abc", "B:cts:abc", "C:cts:abc",
                "A:stc:XY", "B:stc:XY", "C:stc:XY", "A:cts:defg", "B:cts:defg", "C:cts:defg",
                "A:stc:Z", "B:stc:Z", "C:stc:Z", "A:3", "B:3", "C:3"), tcpOnly);
    }

    @Test
    void registeringTheSameHandlerTwiceCallsItOnce() throws Exception {
        Path file = conversation("twice.pcap");
        List<String> log = new ArrayList<>();
        UdpHandler u = onUdp((a, p, i) -> log.add("u"));
        Nids.registerUdp(u);
        runFile(file);
        assertEquals(List.of("u"), log);
    }

    @Test
    void registerAfterInitAndBeforeInitBothWorkAndSurviveSessions() throws Exception {
        Path file = conversation("init.pcap");
        List<String> log = new ArrayList<>();
        onTcp(logger("before", log));
        Nids.param("filename", file.toString());
        Nids.init();
        onTcp(logger("after", log));
        onUdp((a, p, i) -> log.add("udp"));
        Nids.run();
        assertFalse(Nids.isOpen());
        assertTrue(log.containsAll(List.of("before:EST", "after:EST", "udp", "before:cts:abc", "after:stc:Z",
                "before:3", "after:3")), log.toString());
        int first = log.size();

        // the handlers survive the end of the session, init() and exit()
        Nids.init();
        Nids.exit();
        runFile(file);
        assertEquals(log.subList(0, first), log.subList(first, log.size()));
    }

    @Test
    void unregisteredHandlersAreNotCalledAgainEvenForTheirStreams() throws Exception {
        Path file = conversation("unreg.pcap");
        List<String> log = new ArrayList<>();
        TcpHandler a = onTcp(logger("A", log));
        TcpHandler[] self = new TcpHandler[1];
        self[0] = onTcp(s -> {
            log.add("B:" + s.nidsState());
            if (s.nidsState() == Nids.NIDS_JUST_EST) s.server().collect(true);
            else Nids.unregisterTcp(self[0]); // from inside a handler, during its first DATA
        });
        UdpHandler u = onUdp((x, p, i) -> log.add("udp"));
        Nids.unregisterUdp(u);
        runFile(file);
        assertEquals(List.of("A:EST", "B:1", "A:cts:abc", "B:2", "A:stc:XY", "A:cts:defg", "A:stc:Z", "A:3"), log);

        log.clear();
        Nids.unregisterTcp(a);
        runFile(file);
        assertEquals(List.of(), log);
    }

    @Test
    void aHandlerThatCollectsNothingOnJustEstGetsNothingMoreForThatStream() throws Exception {
        Path file = conversation("lurker.pcap");
        List<String> log = new ArrayList<>();
        onTcp(s -> log.add("quiet:" + s.nidsState()));
        onTcp(logger("A", log));
        runFile(file);
        // libnids: a callback that raised no collect counter on NIDS_JUST_EST is not kept as a listener,
        // so it sees neither data nor the stream's end
        assertEquals(List.of("quiet:1", "A:EST", "A:cts:abc", "A:stc:XY", "A:cts:defg", "A:stc:Z", "A:3"), log);
    }

    @Test
    void eachHandlerGetsOnlyTheDirectionsItCollectsAndTheEndOfItsStreams() throws Exception {
        Path file = conversation("dirs.pcap");
        List<String> log = new ArrayList<>();
        onTcp(s -> {
            if (s.nidsState() == Nids.NIDS_JUST_EST) s.server().collect(true);
            else if (s.nidsState() == Nids.NIDS_DATA) log.add("S:" + text(s.server().data()) + "/" + s.client().countNew());
            else log.add("S:" + s.nidsState());
        });
        onTcp(s -> {
            if (s.nidsState() == Nids.NIDS_JUST_EST) s.client().collect(true);
            else if (s.nidsState() == Nids.NIDS_DATA) log.add("C:" + text(s.client().data()) + "/" + s.server().countNew());
            else log.add("C:" + s.nidsState());
        });
        runFile(file);
        assertEquals(List.of("S:abc/0", "C:XY/0", "S:defg/0", "C:Z/0", "S:3", "C:3"), log);
    }

    @Test
    void collectFalseStopsDataAndAHandlerCollectingNothingIsDropped() throws Exception {
        Path file = conversation("stop.pcap");
        List<String> log = new ArrayList<>();
        // stops the client-to-server direction after the first chunk, keeps the other
        onTcp(s -> {
            if (s.nidsState() == Nids.NIDS_JUST_EST) {
                s.server().collect(true);
                s.client().collect(true);
            } else if (s.nidsState() == Nids.NIDS_DATA) {
                if (s.server().countNew() > 0) {
                    log.add("half:cts:" + text(s.server().data()));
                    s.server().collect(false);
                }
                if (s.client().countNew() > 0) log.add("half:stc:" + text(s.client().data()));
            } else {
                log.add("half:" + s.nidsState());
            }
        });
        // stops everything on its first data: dropped, no end either
        onTcp(s -> {
            if (s.nidsState() == Nids.NIDS_JUST_EST) {
                s.server().collect(true);
                s.client().collect(true);
            } else {
                log.add("all:" + s.nidsState());
                s.server().collect(false);
                s.client().collect(false);
            }
        });
        // keeps collecting both: unaffected by the others' collect(false)
        onTcp(logger("keep", log));
        runFile(file);
        assertEquals(List.of("keep:EST", "half:cts:abc", "all:2", "keep:cts:abc", "half:stc:XY", "keep:stc:XY",
                "keep:cts:defg", "half:stc:Z", "keep:stc:Z", "half:3", "keep:3"), log);
    }

    @Test
    void oneHandlerStoppingDoesNotStopAnotherThatStillCollects() throws Exception {
        Path file = conversation("others.pcap");
        List<String> log = new ArrayList<>();
        onTcp(logger("keep", log));
        onTcp(s -> {
            if (s.nidsState() == Nids.NIDS_JUST_EST) {
                s.server().collect(true);
                s.client().collect(true);
            } else if (s.nidsState() == Nids.NIDS_DATA) {
                log.add("quit");
                s.server().collect(false);
                s.client().collect(false);
            }
        });
        runFile(file);
        assertEquals(List.of("keep:EST", "keep:cts:abc", "quit", "keep:stc:XY", "keep:cts:defg", "keep:stc:Z",
                "keep:3"), log);
    }

    @Test
    void collectIsCountedOncePerHandlerCall() throws Exception {
        Path file = conversation("count.pcap");
        List<String> log = new ArrayList<>();
        onTcp(s -> {
            if (s.nidsState() == Nids.NIDS_JUST_EST) {
                s.server().collect(true);
                s.server().collect(true);
                log.add("A:collect=" + s.server().collect());
            } else if (s.nidsState() == Nids.NIDS_DATA) {
                log.add("A:" + text(s.server().data()));
            }
        });
        onTcp(s -> {
            if (s.nidsState() == Nids.NIDS_JUST_EST) {
                s.server().collect(true);
                s.server().collect(false); // undoes its own request only
                s.client().collect(false); // nothing to undo
                log.add("B:collect=" + s.server().collect() + "," + s.client().collect());
            } else {
                log.add("B:" + s.nidsState());
            }
        });
        runFile(file);
        assertEquals(List.of("A:collect=true", "B:collect=true,false", "A:abc", "A:defg"), log);
    }

    @Test
    void discardZeroKeepsEverythingAndDiscardNKeepsTheRest() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        new TcpConversation(w, "10.0.0.1", 40000, "10.0.0.2", 80).handshake()
                .clientSends("abcd").clientSends("efg").clientSends("hi").clientSends("j").close();
        Path file = write("discard.pcap", w);
        List<String> log = new ArrayList<>();
        onTcp(s -> {
            if (s.nidsState() == Nids.NIDS_JUST_EST) {
                s.server().collect(true);
            } else if (s.nidsState() == Nids.NIDS_DATA) {
                HalfStream h = s.server();
                String d = text(h.data());
                log.add(d + "@" + h.offset() + "+" + h.countNew());
                switch (d) {
                    case "abcd" -> s.discard(0);       // keep all
                    case "abcdefg" -> s.discard(5);    // drop "abcde", keep "fg"
                    case "fghi" -> {
                        s.discard(3);
                        s.discard(1);                  // the smaller request wins, as in libnids
                        s.discard(2);
                    }
                    default -> { }
                }
                assertThrows(IllegalArgumentException.class, () -> s.discard(-1));
            }
        });
        runFile(file);
        assertEquals(List.of("abcd@0+4", "abcdefg@0+3", "fghi@5+2", "ghij@6+1"), log);
    }

    @Test
    void userObjectsArePerStreamAndPerHandler() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation one = new TcpConversation(w, "10.0.0.1", 40000, "10.0.0.2", 80).handshake();
        TcpConversation two = new TcpConversation(w, "10.0.0.1", 40001, "10.0.0.2", 80).at(one.micros() + 5)
                .handshake();
        one.at(two.micros() + 5).clientSends("1a");
        two.at(one.micros() + 5).clientSends("2a");
        one.at(two.micros() + 5).clientSends("1b").close();
        two.at(one.micros() + 5).clientSends("2b").close();
        // the first connection's ports again: a new stream
        new TcpConversation(w, "10.0.0.1", 40000, "10.0.0.2", 80).at(two.micros() + 5).handshake()
                .clientSends("3a").close();
        Path file = write("user.pcap", w);

        List<String> log = new ArrayList<>();
        for (String name : List.of("A", "B")) {
            onTcp(s -> {
                if (s.nidsState() == Nids.NIDS_JUST_EST) {
                    assertNull(s.user(), "a new stream has no user object");
                    s.server().collect(true);
                    s.user(new StringBuilder(name + s.addr().sport()));
                    return;
                }
                StringBuilder b = (StringBuilder) s.user();
                if (s.nidsState() == Nids.NIDS_DATA) b.append(':').append(text(s.server().data()));
                else log.add(b.toString());
            });
        }
        runFile(file);
        assertEquals(List.of("A40000:1a:1b", "B40000:1a:1b", "A40001:2a:2b", "B40001:2a:2b", "A40000:3a",
                "B40000:3a"), log);
    }

    @Test
    void urgentDataIsDeliveredToHandlersCollectingIt() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        new TcpConversation(w, "10.0.0.1", 40000, "10.0.0.2", 80).handshake()
                .clientSendsUrgent("ab!".getBytes(StandardCharsets.US_ASCII)).clientSends("c").close();
        Path file = write("urg.pcap", w);
        List<String> log = new ArrayList<>();
        onTcp(s -> {
            if (s.nidsState() == Nids.NIDS_JUST_EST) {
                s.server().collect(true);
                s.server().collectUrg(true);
                assertTrue(s.server().collectUrg());
            } else if (s.nidsState() == Nids.NIDS_DATA) {
                if (s.server().countNewUrg() > 0) log.add("urg:" + (char) s.server().urgdata());
                else log.add("data:" + text(s.server().data()));
            }
        });
        onTcp(s -> {
            if (s.nidsState() == Nids.NIDS_JUST_EST) s.server().collect(true);
            else if (s.nidsState() == Nids.NIDS_DATA) log.add("plain:" + s.server().countNewUrg() + text(s.server().data()));
        });
        runFile(file);
        assertEquals(List.of("data:ab", "plain:0ab", "urg:!", "data:c", "plain:0c"), log);
    }

    @Test
    void rawStructureIsReadableDuringTheCallback() throws Exception {
        Path file = conversation("raw.pcap");
        List<String> log = new ArrayList<>();
        onTcp(s -> {
            io.github.jnids.global.nids.tcp_stream raw = s.raw();
            log.add(Tuple4.ipv4(raw.addr().saddr()) + ":" + (raw.addr().source() & 0xffff) + ">"
                    + Tuple4.ipv4(raw.addr().daddr()) + ":" + (raw.addr().dest() & 0xffff) + "/" + raw.nids_state()
                    + "/" + raw.server().count() + "/" + raw.client().count() + "/" + raw.client().first_data_seq());
            if (s.nidsState() == Nids.NIDS_JUST_EST) {
                s.server().collect(true);
                s.client().collect(true);
            }
        });
        runFile(file);
        assertEquals(List.of("10.0.0.1:40000>10.0.0.2:80/1/0/0/1001", "10.0.0.1:40000>10.0.0.2:80/2/3/0/1001",
                "10.0.0.1:40000>10.0.0.2:80/2/3/2/1001", "10.0.0.1:40000>10.0.0.2:80/2/7/2/1001",
                "10.0.0.1:40000>10.0.0.2:80/2/7/3/1001", "10.0.0.1:40000>10.0.0.2:80/3/7/3/1001"), log);
        assertNotNull(Nids.rawParams());
    }
}
