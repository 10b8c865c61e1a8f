package io.github.jnids.testing;

import static io.github.jnids.testing.Packets.*;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The synthesized captures of {@code testdata/synth}: packets real stacks
 * rarely send (out-of-order and conflicting segments, overlapping IP
 * fragments, SYN retries...), every link type libnids reads, a pcapng file and
 * files libpcap or libnids refuse. Each capture is a pure function of this
 * code: running {@link #main} again rewrites the same bytes.
 *
 * <pre>
 *   java -cp target/test-classes io.github.jnids.testing.SynthCaptures [DIR]   (default testdata/synth)
 * </pre>
 *
 * writes {@code NAME.pcap} (or {@code .pcapng}, {@code .txt}) and
 * {@code NAME.options} (the {@code nids_dump} options its {@code NAME.expected}
 * is made with) for every capture. {@code make-expected.sh} makes the
 * {@code .expected} files. Each capture also carries the generator's own model
 * of what libnids should report ({@link TcpTruth}, {@link UdpTruth}), which
 * {@code SynthCapturesTest} checks the Java API and the expected output against.
 */
public final class SynthCaptures {
    /** What a TCP stream should deliver: {@code end} is CLOSE, RESET, TIMEOUT or EXITING. */
    public record TcpTruth(String client, int cport, String server, int sport, byte[] toServer, byte[] toClient,
                           byte[] urgentToServer, byte[] urgentToClient, String end) {
        TcpTruth(TcpConversation c, byte[] toServer, byte[] toClient, String end) {
            this(c.client(), c.clientPort(), c.server(), c.serverPort(), toServer, toClient, new byte[0],
                    new byte[0], end);
        }

        /** The tuple as nids_dump prints it: {@code C:cp S:sp}. */
        public String tuple() {
            return client + ":" + cport + " " + server + ":" + sport;
        }
    }

    /** A UDP datagram libnids should deliver. */
    public record UdpTruth(String src, int sport, String dst, int dport, byte[] payload) {
        public String tuple() {
            return src + ":" + sport + " " + dst + ":" + dport;
        }
    }

    /**
     * One capture file. {@code error} is null for a capture libnids reads to its
     * end, else what goes wrong: {@code not-a-capture}, {@code linktype},
     * {@code truncated} (a read error after some packets).
     */
    public record Capture(String name, String file, byte[] bytes, String options, String summary,
                          List<TcpTruth> tcp, List<UdpTruth> udp, String error) {
        public List<String> optionList() {
            return options.isEmpty() ? List.of() : List.of(options.split(" "));
        }

        public boolean has(String option) {
            return optionList().contains(option);
        }
    }

    static final String CLIENT = "10.0.0.1", SERVER = "10.0.0.2";
    static final long T0 = 1_700_000_000_000_000L;
    static final String FRAG_OPTIONS = "--udp --ip --frag --warn";

    private SynthCaptures() { }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "testdata/synth");
        List<Capture> all = writeAll(dir);
        for (Capture c : all) System.out.println(c.file() + " " + c.bytes().length);
    }

    /** Writes every capture and its {@code .options} file into {@code dir}. */
    public static List<Capture> writeAll(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Capture> all = all();
        for (Capture c : all) {
            Files.write(dir.resolve(c.file()), c.bytes());
            Files.writeString(dir.resolve(c.name() + ".options"), c.options() + "\n");
        }
        return all;
    }

    /** Every capture, in a fixed order. */
    public static List<Capture> all() {
        List<Capture> l = new ArrayList<>();
        l.add(inOrder());
        l.addAll(linkTypes());
        l.add(outOfOrder());
        l.add(retransmitOverlap());
        l.add(retransmitConflict());
        l.add(synRetry());
        l.add(synRetryNewIsn());
        l.add(neverCloses());
        l.add(reset());
        l.add(urgent());
        l.add(seqWrap());
        l.add(badChecksum());
        l.add(timestampsPaws());
        l.add(windowScale());
        l.add(portReuse());
        l.add(lateSyn());
        l.add(queueOverflow());
        l.add(ipOptions());
        l.add(udpCapture());
        l.add(fragUdpOrdered());
        l.add(fragUdpOverlap());
        l.add(fragUdpSameOffset());
        l.add(fragUdpContained());
        l.add(fragUdpOdd());
        l.add(fragTcp());
        l.add(snaplenShort());
        l.add(headerOnly());
        l.addAll(badFiles());
        return l;
    }

    // ---- the basic conversation, on every link type -------------------------

    static final byte[] REQUEST = ascii("GET /index.html HTTP/1.0\r\nHost: example\r\n\r\n");
    static final byte[] RESPONSE_HEAD = ascii("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n");
    static final byte[] RESPONSE_BODY = text(600, 1);
    static final byte[] DNS_QUERY = text(29, 2), DNS_ANSWER = text(45, 3);

    /**
     * A request, a response in two segments, one UDP datagram each way and an
     * orderly close, written through {@code w} (framed for its link type).
     */
    static List<TcpTruth> basicConversation(CaptureWriter w, List<UdpTruth> udp) {
        TcpConversation c = new TcpConversation(w, CLIENT, 40000, SERVER, 80).at(T0);
        c.handshake().clientSends(REQUEST).serverSends(RESPONSE_HEAD).serverSends(RESPONSE_BODY);
        c.ip(ipv4(CLIENT, SERVER, 17, udp(CLIENT, 5353, SERVER, 53, DNS_QUERY)));
        c.ip(ipv4(SERVER, CLIENT, 17, udp(SERVER, 53, CLIENT, 5353, DNS_ANSWER)));
        c.close();
        udp.add(new UdpTruth(CLIENT, 5353, SERVER, 53, DNS_QUERY));
        udp.add(new UdpTruth(SERVER, 53, CLIENT, 5353, DNS_ANSWER));
        return List.of(new TcpTruth(c, REQUEST, concat(RESPONSE_HEAD, RESPONSE_BODY), "CLOSE"));
    }

    static Capture basic(String name, String file, CaptureWriter w, String summary) {
        List<UdpTruth> udp = new ArrayList<>();
        List<TcpTruth> tcp = basicConversation(w, udp);
        return new Capture(name, file, w.bytes(), "--udp", summary, tcp, udp, null);
    }

    static Capture inOrder() {
        return basic("tcp-in-order", "tcp-in-order.pcap", new PcapWriter(PcapWriter.LINKTYPE_ETHERNET),
                "Ethernet; a TCP request/response in order with an orderly close, and a UDP datagram each way");
    }

    static List<Capture> linkTypes() {
        return List.of(
                basic("link-vlan", "link-vlan.pcap",
                        new PcapWriter(PcapWriter.LINKTYPE_ETHERNET).link(Link.vlan(100)),
                        "the basic conversation in 802.1Q-tagged Ethernet frames (VLAN 100)"),
                basic("link-sll", "link-sll.pcap", new PcapWriter(PcapWriter.LINKTYPE_LINUX_SLL),
                        "the basic conversation with Linux cooked headers (linktype 113)"),
                basic("link-raw", "link-raw.pcap", new PcapWriter(PcapWriter.LINKTYPE_RAW),
                        "the basic conversation as raw IP (linktype 101)"),
                basic("link-null", "link-null.pcap", new PcapWriter(PcapWriter.LINKTYPE_NULL),
                        "the basic conversation with BSD loopback headers (linktype 0, AF_INET little-endian)"),
                basic("pcapng", "pcapng.pcapng",
                        new PcapngWriter(PcapWriter.LINKTYPE_ETHERNET, 262144, "jnids synthesized capture"),
                        "the basic conversation in a pcapng file (SHB with a comment, IDB, EPBs)"),
                basic("pcap-big-endian-nsec", "pcap-big-endian-nsec.pcap",
                        new PcapWriter(PcapWriter.LINKTYPE_ETHERNET, 262144, ByteOrder.BIG_ENDIAN, true),
                        "the basic conversation in a big-endian pcap file with nanosecond timestamps"));
    }

    // ---- TCP ----------------------------------------------------------------

    static Capture outOfOrder() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation c = new TcpConversation(w, CLIENT, 40001, SERVER, 80).at(T0);
        c.handshake();
        byte[] req = text(40, 10);
        // the request in four 10-byte segments, sent 1, 3, 0, 2
        c.clientSegment(10, slice(req, 10, 20)).clientSegment(30, slice(req, 30, 40))
                .clientSegment(0, slice(req, 0, 10)).clientSegment(20, slice(req, 20, 30))
                .clientAdvance(40).serverAck();
        // the response in five 20-byte segments, last first
        byte[] resp = text(100, 11);
        for (int i = 4; i >= 0; i--) c.serverSegment(20 * i, slice(resp, 20 * i, 20 * i + 20));
        c.serverAdvance(100).clientAck();
        // the server's last data and its FIN arrive before the data in front of them
        byte[] tail = text(30, 12);
        c.raw(false, c.serverSeq() + 15, c.clientSeq(), Packets.FIN | Packets.ACK | Packets.PSH, slice(tail, 15, 30));
        c.serverSegment(0, slice(tail, 0, 15)).serverAdvance(31);
        c.clientAck();
        c.raw(true, c.clientSeq(), c.serverSeq(), Packets.FIN | Packets.ACK, new byte[0]).clientAdvance(1);
        c.serverAck();
        return new Capture("tcp-out-of-order", "tcp-out-of-order.pcap", w.bytes(), "",
                "segments arriving out of order each way, the server's FIN before the data in front of it",
                List.of(new TcpTruth(c, req, concat(resp, tail), "CLOSE")), List.of(), null);
    }

    static Capture retransmitOverlap() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation c = new TcpConversation(w, CLIENT, 40002, SERVER, 80).at(T0);
        c.handshake();
        byte[] req = text(80, 20);
        c.clientSegment(0, slice(req, 0, 20));
        c.clientSegment(0, slice(req, 0, 20));            // exact duplicate
        c.clientSegment(10, slice(req, 10, 40));          // half old, half new
        c.clientSegment(15, slice(req, 15, 25));          // entirely old
        c.clientSegment(50, slice(req, 50, 70));          // queued (gap 40..50)
        c.clientSegment(60, slice(req, 60, 80));          // queued, overlapping the queued one
        c.clientSegment(45, slice(req, 45, 55));          // queued, overlapping it from below
        c.clientSegment(35, slice(req, 35, 50));          // fills the gap, overlapping delivered bytes
        c.clientAdvance(80).serverAck();
        byte[] resp = text(64, 21);
        c.serverSegment(0, slice(resp, 0, 32)).serverSegment(0, slice(resp, 0, 64))
                .serverSegment(32, slice(resp, 32, 64)).serverAdvance(64).clientAck();
        c.close();
        return new Capture("tcp-retransmit-overlap", "tcp-retransmit-overlap.pcap", w.bytes(), "",
                "retransmissions with identical data: duplicates, partial overlaps of delivered and of queued "
                        + "segments",
                List.of(new TcpTruth(c, req, resp, "CLOSE")), List.of(), null);
    }

    /**
     * Conflicting copies are {@link Packets#swapWords} of the original bytes, so
     * both copies pass checksum verification and the delivered bytes show which
     * one libnids kept.
     */
    static Capture retransmitConflict() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation c = new TcpConversation(w, CLIENT, 40003, SERVER, 80).at(T0);
        c.handshake();
        byte[] req = text(96, 30);
        byte[] alt = swapWords(req, 0, 96);                 // a conflicting copy of every byte
        // 1. delivered, then a conflicting copy of the same range: first copy kept
        c.clientSegment(0, slice(req, 0, 16)).clientSegment(0, slice(alt, 0, 16));
        // 2. a conflicting copy of delivered bytes that carries new bytes too
        c.clientSegment(8, concat(slice(alt, 8, 16), slice(req, 16, 32)));
        // 3. two conflicting copies of the same range queued (gap 32..48): first queued kept
        c.clientSegment(48, slice(req, 48, 64)).clientSegment(48, slice(alt, 48, 64));
        // 4. queued segments overlapping with conflicting bytes, the later one lower: lower seq kept
        c.clientSegment(72, slice(req, 72, 96)).clientSegment(64, concat(slice(req, 64, 72), slice(alt, 72, 80)));
        c.clientSegment(32, slice(req, 32, 48));            // fills the gap
        c.clientAdvance(96).serverAck();
        byte[] kept = concat(slice(req, 0, 72), slice(alt, 72, 80), slice(req, 80, 96));
        byte[] resp = text(32, 31);
        c.serverSegment(0, slice(resp, 0, 32)).serverSegment(0, swapWords(resp, 0, 32))
                .serverAdvance(32).clientAck();
        c.close();
        return new Capture("tcp-retransmit-conflict", "tcp-retransmit-conflict.pcap", w.bytes(), "",
                "retransmissions whose bytes conflict with the first copy (same checksum): of delivered "
                        + "bytes, of queued bytes at the same and at a lower sequence number",
                List.of(new TcpTruth(c, kept, resp, "CLOSE")), List.of(), null);
    }

    static Capture synRetry() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation c = new TcpConversation(w, CLIENT, 40004, SERVER, 80).at(T0);
        c.syn().after(1_000_000).syn().after(2_000_000).syn();     // two retries, 1 s and 2 s later
        c.synAck().after(1_000_000).synAck();                       // the SYN+ACK retransmitted
        c.clientAck().clientSends(REQUEST).serverSends(RESPONSE_HEAD).close();
        return new Capture("tcp-syn-retry", "tcp-syn-retry.pcap", w.bytes(), "",
                "a SYN sent three times and a SYN+ACK twice before the handshake completes",
                List.of(new TcpTruth(c, REQUEST, RESPONSE_HEAD, "CLOSE")), List.of(), null);
    }

    static Capture synRetryNewIsn() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation c = new TcpConversation(w, CLIENT, 40005, SERVER, 80).at(T0);
        c.isn(1000, 5000).syn().after(1_000_000);
        c.isn(70000, 5000).syn();                          // the retry chooses another ISN
        c.synAck().clientAck().clientSends(REQUEST).serverSends(RESPONSE_HEAD).close();
        return new Capture("tcp-syn-retry-new-isn", "tcp-syn-retry-new-isn.pcap", w.bytes(), "",
                "a SYN retried with a different initial sequence number; the SYN+ACK answers the second one",
                List.of(), List.of(), null);
    }

    static Capture neverCloses() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation c = new TcpConversation(w, CLIENT, 40006, SERVER, 80).at(T0);
        c.handshake().clientSends(REQUEST).serverSends(RESPONSE_HEAD);
        TcpConversation h = new TcpConversation(w, CLIENT, 40007, SERVER, 80).at(c.micros());
        h.handshake().clientSends("half").clientFin().serverSends("still open");
        TcpConversation e = new TcpConversation(w, CLIENT, 40008, SERVER, 80).at(h.micros());
        e.handshake();
        return new Capture("tcp-never-closes", "tcp-never-closes.pcap", w.bytes(), "",
                "three connections still open at the end of the file: with data, half-closed, without data",
                List.of(new TcpTruth(c, REQUEST, RESPONSE_HEAD, "EXITING"),
                        new TcpTruth(h, ascii("half"), ascii("still open"), "EXITING"),
                        new TcpTruth(e, new byte[0], new byte[0], "EXITING")),
                List.of(), null);
    }

    static Capture reset() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation a = new TcpConversation(w, CLIENT, 40010, SERVER, 80).at(T0);
        a.handshake().clientSends(REQUEST).serverSends(RESPONSE_HEAD).serverReset();
        TcpConversation b = new TcpConversation(w, CLIENT, 40011, SERVER, 80).at(a.micros());
        b.handshake().reset();
        TcpConversation r = new TcpConversation(w, CLIENT, 40012, SERVER, 81).at(b.micros());
        r.syn().raw(false, 0, r.clientSeq(), Packets.RST | Packets.ACK, new byte[0]);   // refused
        return new Capture("tcp-rst", "tcp-rst.pcap", w.bytes(), "",
                "a stream reset by the server after data, one reset by the client at once, and a refused "
                        + "connection (RST answering the SYN)",
                List.of(new TcpTruth(a, REQUEST, RESPONSE_HEAD, "RESET"),
                        new TcpTruth(b, new byte[0], new byte[0], "RESET")),
                List.of(), null);
    }

    static Capture urgent() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation c = new TcpConversation(w, CLIENT, 40013, SERVER, 80).at(T0);
        c.handshake().clientSends("before ");
        c.clientSendsUrgent(ascii("abc!"));                     // '!' urgent (last byte)
        c.clientSends(" after");
        c.sendsUrgent(false, ascii("xyz#tail"), 4);             // '#' urgent, in the middle
        c.close();
        TcpTruth t = new TcpTruth(c.client(), c.clientPort(), c.server(), c.serverPort(),
                ascii("before abc after"), ascii("xyztail"), ascii("!"), ascii("#"), "CLOSE");
        return new Capture("tcp-urgent", "tcp-urgent.pcap", w.bytes(), "",
                "urgent data each way: the urgent byte last in its segment, and in the middle of one",
                List.of(t), List.of(), null);
    }

    static Capture seqWrap() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation c = new TcpConversation(w, CLIENT, 40014, SERVER, 80).at(T0);
        c.isn(0xFFFFFFE0L, 0xFFFFFC00L).handshake();
        byte[] req = text(64, 60);                   // crosses 2^32 after 31 bytes
        c.clientSegment(32, slice(req, 32, 64)).clientSegment(0, slice(req, 0, 32)).clientAdvance(64).serverAck();
        byte[] resp = text(2000, 61);                // crosses 2^32 after 1023 bytes
        c.serverSegment(0, slice(resp, 0, 500)).serverSegment(1000, slice(resp, 1000, 1500))
                .serverSegment(500, slice(resp, 500, 1000)).serverSegment(1500, slice(resp, 1500, 2000))
                .serverAdvance(2000).clientAck();
        c.close();
        return new Capture("tcp-seq-wrap", "tcp-seq-wrap.pcap", w.bytes(), "",
                "sequence numbers wrapping past 2^32 in both directions, with out-of-order segments across the wrap",
                List.of(new TcpTruth(c, req, resp, "CLOSE")), List.of(), null);
    }

    /** Copies with a bad checksum carry conflicting bytes, so that accepting one would show. */
    static Capture badChecksum() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation c = new TcpConversation(w, CLIENT, 40015, SERVER, 80).at(T0);
        c.handshake();
        byte[] req = text(32, 70), resp = text(48, 71);
        byte[] badTcp = c.segment(true, c.clientSeq(), c.serverSeq(), Packets.ACK | Packets.PSH, 0,
                swapWords(req, 0, 32));
        badTcp[16] ^= 0x01;                                             // TCP checksum off by one bit
        c.ip(ipv4(CLIENT, SERVER, 6, badTcp));
        c.clientSegment(0, req).clientAdvance(32).serverAck();         // the good copy
        byte[] badIp = ipv4(SERVER, CLIENT, 6, c.segment(false, c.serverSeq(), c.clientSeq(),
                Packets.ACK | Packets.PSH, 0, swapWords(resp, 0, 48)));
        badIp[10] ^= 0x01;                                              // IP header checksum off
        c.ip(badIp);
        c.serverSegment(0, resp).serverAdvance(48).clientAck();
        byte[] udpBad = udp(CLIENT, 6100, SERVER, 7100, text(12, 72));
        byte[] udpIpBad = ipv4(CLIENT, SERVER, 17, 20, 0, false, udpBad);
        udpIpBad[10] ^= 0x01;                                           // a UDP datagram with a bad IP checksum
        c.ip(udpIpBad);
        c.close();
        return new Capture("tcp-bad-checksum", "tcp-bad-checksum.pcap", w.bytes(), "--udp --warn",
                "a segment with a bad TCP checksum and one with a bad IP header checksum (both carrying "
                        + "conflicting bytes), each followed by a good copy; a UDP datagram with a bad IP checksum",
                List.of(new TcpTruth(c, req, resp, "CLOSE")), List.of(), null);
    }

    static Capture timestampsPaws() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation c = new TcpConversation(w, CLIENT, 40016, SERVER, 80).at(T0).timestamps(true);
        c.handshake();
        byte[] req = text(48, 80);
        c.clientSegment(0, slice(req, 0, 16));
        // a conflicting copy of the next bytes with a timestamp 1000 ticks old: PAWS drops it
        long old = ((c.micros() + 100) / 1000 - 1000) & 0xffffffffL;
        c.tsvalOnce(true, old).clientSegment(16, slice(swapWords(req, 0, 48), 16, 32));
        c.clientSegment(16, slice(req, 16, 48)).clientAdvance(48).serverAck();
        c.serverSends(RESPONSE_HEAD).close();
        return new Capture("tcp-timestamps-paws", "tcp-timestamps-paws.pcap", w.bytes(), "",
                "TCP timestamps on every segment; a segment with an old timestamp (conflicting bytes) is "
                        + "dropped by libnids' PAWS check and its retransmission kept",
                List.of(new TcpTruth(c, req, RESPONSE_HEAD, "CLOSE")), List.of(), null);
    }

    /**
     * Window 512 scaled by 2^7 on one connection and unscaled on another: a
     * segment 1000 bytes past the server's ACK (with conflicting bytes) is
     * queued on the first and dropped as outside the window on the second.
     */
    static Capture windowScale() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        List<TcpTruth> truth = new ArrayList<>();
        long t = T0;
        for (int scaled = 1; scaled >= 0; scaled--) {
            TcpConversation c = new TcpConversation(w, CLIENT, 40017 + (1 - scaled), SERVER, 80).at(t).window(512);
            if (scaled == 1) c.windowScale(7, 7);
            c.handshake();
            byte[] req = text(3000, 90), alt = swapWords(req, 0, 3000);
            c.clientSegment(0, slice(req, 0, 1000)).clientAdvance(1000).serverAck();
            c.clientSegment(1000, slice(alt, 2000, 3000));           // 1000 bytes past the server's ACK
            c.clientSegment(0, slice(req, 1000, 2000)).clientAdvance(1000).serverAck();
            c.clientSegment(0, slice(req, 2000, 3000)).clientAdvance(1000).serverAck();
            c.serverSends(RESPONSE_HEAD).close();
            byte[] kept = scaled == 1 ? concat(slice(req, 0, 2000), slice(alt, 2000, 3000)) : req;
            truth.add(new TcpTruth(c, kept, RESPONSE_HEAD, "CLOSE"));
            t = c.micros();
        }
        return new Capture("tcp-window-scale", "tcp-window-scale.pcap", w.bytes(), "",
                "window 512 with window scaling (shift 7) and without: a segment 1000 bytes past the receiver's "
                        + "ACK (conflicting bytes) is inside the scaled window only",
                truth, List.of(), null);
    }

    /** The same client port used again after the first connection closed, and after it was reset. */
    static Capture portReuse() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation a = new TcpConversation(w, CLIENT, 40019, SERVER, 80).at(T0);
        a.handshake().clientSends("first").serverSends("one").close();
        TcpConversation b = new TcpConversation(w, CLIENT, 40019, SERVER, 80).at(a.micros()).isn(9000, 19000);
        b.handshake().clientSends("second").serverSends("two").reset();
        TcpConversation c = new TcpConversation(w, CLIENT, 40019, SERVER, 80).at(b.micros()).isn(29000, 39000);
        c.handshake().clientSends("third").serverSends("three").close();
        return new Capture("tcp-port-reuse", "tcp-port-reuse.pcap", w.bytes(), "",
                "three connections one after the other on the same addresses and ports: closed, reset, closed",
                List.of(new TcpTruth(a, ascii("first"), ascii("one"), "CLOSE"),
                        new TcpTruth(b, ascii("second"), ascii("two"), "RESET"),
                        new TcpTruth(c, ascii("third"), ascii("three"), "CLOSE")), List.of(), null);
    }

    /**
     * A connection whose end is never seen, then, more than tcp_flow_timeout
     * (3600 s) after its last packet, a new SYN from its client on the same
     * port: libnids ends the old stream (NIDS_TIMED_OUT, patch 0024; before it,
     * silently) and follows the new connection.
     */
    static Capture lateSyn() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation a = new TcpConversation(w, CLIENT, 40023, SERVER, 80).at(T0);
        a.handshake().clientSends("left").serverSends("open");
        TcpConversation b = new TcpConversation(w, CLIENT, 40023, SERVER, 80).at(a.micros() + 3601_000_000L)
                .isn(7000, 17000);
        b.handshake().clientSends("again").serverSends("later").close();
        return new Capture("tcp-late-syn", "tcp-late-syn.pcap", w.bytes(), "",
                "a connection left open, then a new one on the same ports 3601 s later: the first times out",
                List.of(new TcpTruth(a, ascii("left"), ascii("open"), "TIMEOUT"),
                        new TcpTruth(b, ascii("again"), ascii("later"), "CLOSE")), List.of(), null);
    }

    /**
     * A hole at the start of the client's data, then 270 ten-byte segments
     * (conflicting copies) queued behind it. libnids charges each queued segment
     * ((ip_len + 16 + 15) & ~15) + sk_buff_size = 80 + 168 = 248 bytes and empties
     * the queue when the charge passes 65535 (NIDS_WARN_TCP_BIGQUEUE): at the 265th
     * segment. The retransmission then covers the hole and the pruned range only,
     * so the five segments queued after the pruning are delivered from the queue.
     */
    static Capture queueOverflow() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation c = new TcpConversation(w, CLIENT, 40021, SERVER, 80).at(T0);
        c.handshake();
        int n = 270, pruned = 265;
        byte[] req = text(10 + 10 * n, 100), alt = text(req.length, 101);     // checksummed as sent: any bytes do
        for (int i = 0; i < n; i++) c.clientSegment(10 + 10 * i, slice(alt, 10 + 10 * i, 20 + 10 * i));
        c.clientSegment(0, slice(req, 0, 10));
        int end = 10 + 10 * pruned;
        c.clientSegment(10, slice(req, 10, end)).clientAdvance(req.length).serverAck();
        c.serverSends(RESPONSE_HEAD).close();
        byte[] kept = concat(slice(req, 0, end), slice(alt, end, req.length));
        return new Capture("tcp-queue-overflow", "tcp-queue-overflow.pcap", w.bytes(), "--warn",
                "270 out-of-order segments queued behind a hole: libnids empties the queue when it passes 64 KiB "
                        + "of its accounting; the segments queued after that are delivered",
                List.of(new TcpTruth(c, kept, RESPONSE_HEAD, "CLOSE")), List.of(), null);
    }

    /** Router Alert, three NOPs and EOL: an 8-byte option area (header length 28). */
    static final byte[] IP_OPTIONS = {(byte) 0x94, 4, 0, 0, 1, 1, 1, 0};

    static Capture ipOptions() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation c = new TcpConversation(w, CLIENT, 40022, SERVER, 80).at(T0).ipOptions(IP_OPTIONS);
        c.handshake().clientSends(REQUEST).serverSends(RESPONSE_HEAD);
        byte[] small = text(24, 110), big = text(400, 111);
        c.ip(Packets.ipv4(CLIENT, SERVER, 17, 0x701, 0, false, IP_OPTIONS, udp(CLIENT, 5701, SERVER, 53, small)));
        byte[] bigUdp = udp(SERVER, 53, CLIENT, 5701, big);
        // fragmented, every fragment carrying the (copied) options, last first
        c.ip(Packets.ipv4(SERVER, CLIENT, 17, 0x702, 208 / 8, false, IP_OPTIONS, slice(bigUdp, 208, 408)));
        c.ip(Packets.ipv4(SERVER, CLIENT, 17, 0x702, 0, true, IP_OPTIONS, slice(bigUdp, 0, 208)));
        c.close();
        return new Capture("ip-options", "ip-options.pcap", w.bytes(), "--udp --ip",
                "every IP header with 8 bytes of options (Router Alert, NOPs): a TCP conversation, a UDP "
                        + "datagram, and a UDP datagram in two fragments",
                List.of(new TcpTruth(c, REQUEST, RESPONSE_HEAD, "CLOSE")),
                List.of(new UdpTruth(CLIENT, 5701, SERVER, 53, small), new UdpTruth(SERVER, 53, CLIENT, 5701, big)),
                null);
    }

    // ---- UDP ----------------------------------------------------------------

    static Capture udpCapture() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        long t = T0;
        List<UdpTruth> truth = new ArrayList<>();
        byte[] q = text(20, 40), a = text(1400, 41), none = text(33, 42), bad = text(16, 43);
        w.ipPacket(t += 100, ipv4(CLIENT, SERVER, 17, 7, 0, false, udp(CLIENT, 6000, SERVER, 7000, q)));
        truth.add(new UdpTruth(CLIENT, 6000, SERVER, 7000, q));
        w.ipPacket(t += 100, ipv4(SERVER, CLIENT, 17, 8, 0, false, udp(SERVER, 7000, CLIENT, 6000, a)));
        truth.add(new UdpTruth(SERVER, 7000, CLIENT, 6000, a));
        w.ipPacket(t += 100, ipv4(CLIENT, SERVER, 17, 9, 0, false, udp(CLIENT, 6001, SERVER, 7000, new byte[0])));
        truth.add(new UdpTruth(CLIENT, 6001, SERVER, 7000, new byte[0]));
        w.ipPacket(t += 100, ipv4(CLIENT, SERVER, 17, 10, 0, false,
                udpWithChecksum(CLIENT, 6002, SERVER, 7000, none, 0)));
        truth.add(new UdpTruth(CLIENT, 6002, SERVER, 7000, none));
        byte[] wrong = udp(CLIENT, 6003, SERVER, 7000, bad);
        wrong[6] ^= 0x55;                                       // a wrong checksum: dropped
        w.ipPacket(t += 100, ipv4(CLIENT, SERVER, 17, 11, 0, false, wrong));
        w.ipPacket(t += 100, udpIp("10.0.0.3", 6004, 12, "10.0.0.255", 7000, q));
        truth.add(new UdpTruth("10.0.0.3", 6004, "10.0.0.255", 7000, q));
        return new Capture("udp", "udp.pcap", w.bytes(), "--udp",
                "UDP datagrams: small, 1400 bytes, empty, without checksum, with a wrong checksum (dropped), "
                        + "to a broadcast address",
                List.of(), truth, null);
    }

    private static byte[] udpIp(String src, int sport, int id, String dst, int dport, byte[] data) {
        return Packets.ipv4(src, dst, 17, id, 0, false, udp(src, sport, dst, dport, data));
    }

    // ---- IP fragments -------------------------------------------------------

    /** A UDP datagram to fragment: 8-byte header and {@code n} bytes. */
    private record Dgram(int id, int sport, byte[] data, byte[] payload) {
        Dgram(int id, int sport, int n) {
            this(id, sport, text(n, id), udp(CLIENT, sport, SERVER, 9000, text(n, id)));
        }

        /** The datagram with its bytes {@code [from, to)} (offsets in the UDP datagram) conflicting. */
        byte[] alt(int from, int to) {
            return swapWords(payload, from, to);
        }

        UdpTruth truth(byte[] udpBytes) {
            return new UdpTruth(CLIENT, sport, SERVER, 9000, slice(udpBytes, 8, udpBytes.length));
        }
    }

    /** Sends fragments from {@code CLIENT} to {@code SERVER}, 100 us apart. */
    private static final class Frags {
        final PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        long t = T0;

        Frags frag(Dgram d, byte[] payload, int from, int to) {
            boolean mf = to < d.payload().length;
            w.ipPacket(t += 100, ipFragment(CLIENT, SERVER, 17, d.id(), payload, from, to, mf));
            return this;
        }

        Frags frag(Dgram d, int from, int to) {
            return frag(d, d.payload(), from, to);
        }
    }

    static Capture fragUdpOrdered() {
        Frags f = new Frags();
        Dgram a = new Dgram(0x101, 5101, 1000), b = new Dgram(0x102, 5102, 1000), c = new Dgram(0x103, 5103, 1000);
        f.frag(a, 0, 336).frag(a, 336, 672).frag(a, 672, 1008);          // in order
        f.frag(b, 672, 1008).frag(b, 336, 672).frag(b, 0, 336);          // last first
        f.frag(c, 336, 672).frag(c, 672, 1008).frag(c, 0, 336);          // middle, last, first
        return new Capture("ipfrag-udp-ordered", "ipfrag-udp-ordered.pcap", f.w.bytes(), FRAG_OPTIONS,
                "three UDP datagrams in three fragments each (no overlap): in order, reversed, shuffled",
                List.of(), List.of(a.truth(a.payload()), b.truth(b.payload()), c.truth(c.payload())), null);
    }

    /**
     * Fragments A = [0,32) and B = [24,56) of a 56-byte UDP datagram overlap in
     * [24,32); one of them carries conflicting bytes there. The model: libnids
     * (Linux 2.0's defragmenter) keeps the lower-offset fragment's bytes in
     * whichever order they arrive.
     */
    static Capture fragUdpOverlap() {
        Frags f = new Frags();
        Dgram d1 = new Dgram(0x201, 5201, 48), d2 = new Dgram(0x202, 5202, 48);
        Dgram d3 = new Dgram(0x203, 5203, 48), d4 = new Dgram(0x204, 5204, 48);
        f.frag(d1, 0, 32).frag(d1, d1.alt(24, 32), 24, 56);            // B conflicting, A first
        f.frag(d2, d2.alt(24, 32), 24, 56).frag(d2, 0, 32);            // B conflicting, B first
        f.frag(d3, d3.alt(24, 32), 0, 32).frag(d3, 24, 56);            // A conflicting, A first
        f.frag(d4, 24, 56).frag(d4, d4.alt(24, 32), 0, 32);            // A conflicting, B first
        return new Capture("ipfrag-udp-overlap", "ipfrag-udp-overlap.pcap", f.w.bytes(), FRAG_OPTIONS,
                "UDP datagrams in two fragments overlapping by 8 conflicting bytes, in both orders, the "
                        + "conflicting copy in the lower or the higher fragment",
                List.of(), List.of(d1.truth(d1.payload()), d2.truth(d2.payload()), d3.truth(d3.alt(24, 32)),
                        d4.truth(d4.alt(24, 32))), null);
    }

    /** Fragments at the same offset: the later one replaces the earlier where they overlap. */
    static Capture fragUdpSameOffset() {
        Frags f = new Frags();
        Dgram d5 = new Dgram(0x301, 5301, 48), d6 = new Dgram(0x302, 5302, 48);
        f.frag(d5, 0, 24).frag(d5, d5.alt(8, 24), 0, 24).frag(d5, 24, 56);     // same range twice
        f.frag(d6, 0, 24).frag(d6, d6.alt(8, 16), 0, 16).frag(d6, 24, 56);     // a shorter one over it
        return new Capture("ipfrag-udp-same-offset", "ipfrag-udp-same-offset.pcap", f.w.bytes(), FRAG_OPTIONS,
                "UDP datagrams with two fragments at offset 0 carrying conflicting bytes: same length, shorter",
                List.of(), List.of(d5.truth(d5.alt(8, 24)), d6.truth(d6.alt(8, 16))), null);
    }

    static Capture fragUdpContained() {
        Frags f = new Frags();
        Dgram d7 = new Dgram(0x401, 5401, 48), d8 = new Dgram(0x402, 5402, 48), d9 = new Dgram(0x403, 5403, 48);
        // a fragment inside one already held: libnids trims it to a negative length (and drops it when
        // the next fragment arrives): the first copy is kept
        f.frag(d7, 0, 40).frag(d7, d7.alt(8, 24), 8, 24).frag(d7, 40, 56);
        // the same fragments, the contained one first: the covering one replaces it
        f.frag(d8, d8.alt(8, 24), 8, 24).frag(d8, 0, 40).frag(d8, 40, 56);
        // one fragment covering two held ones and overlapping a third
        f.frag(d9, 0, 8).frag(d9, d9.alt(16, 24), 16, 24).frag(d9, d9.alt(32, 40), 32, 40)
                .frag(d9, 8, 48).frag(d9, 40, 56);
        return new Capture("ipfrag-udp-contained", "ipfrag-udp-contained.pcap", f.w.bytes(), FRAG_OPTIONS,
                "UDP datagrams with a fragment contained in another, arriving after it and before it, and one "
                        + "fragment covering two others",
                List.of(), List.of(d7.truth(d7.payload()), d8.truth(d8.payload()), d9.truth(d9.payload())), null);
    }

    static Capture fragUdpOdd() {
        Frags f = new Frags();
        Dgram e1 = new Dgram(0x601, 5601, 48), e2 = new Dgram(0x602, 5602, 48), e3 = new Dgram(0x603, 5603, 48);
        // the middle fragment never arrives: nothing is delivered
        f.frag(e1, 0, 16).frag(e1, 32, 56);
        // fragments, then the whole datagram unfragmented with the same id: the queue is dropped, the copy delivered
        f.frag(e2, 0, 16);
        f.w.ipPacket(f.t += 100, Packets.ipv4(CLIENT, SERVER, 17, e2.id(), 0, false, e2.payload()));
        f.frag(e2, 16, 56);
        // a last fragment whose end lies past 65535 bytes: refused as oversized
        f.w.ipPacket(f.t += 100, ipFragment(CLIENT, SERVER, 17, e3.id(), concat(new byte[65528], e3.payload()),
                65528, 65528 + 16, false));
        f.frag(e3, 0, 56 - 8).frag(e3, 48, 56);
        return new Capture("ipfrag-udp-odd", "ipfrag-udp-odd.pcap", f.w.bytes(), FRAG_OPTIONS,
                "a datagram missing its middle fragment; fragments followed by an unfragmented copy with the same "
                        + "id and then the rest; a fragment ending past 65535 bytes",
                List.of(), List.of(e2.truth(e2.payload()), e3.truth(e3.payload())), null);
    }

    /** A TCP request and response, each one segment in overlapping IP fragments. */
    static Capture fragTcp() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation c = new TcpConversation(w, CLIENT, 40020, SERVER, 80).at(T0);
        c.handshake();
        byte[] req = text(100, 50);                                  // segment: 20 + 100 = 120 bytes
        byte[] seg = c.segment(true, c.clientSeq(), c.serverSeq(), Packets.ACK | Packets.PSH, 0, req);
        byte[] segAlt = swapWords(seg, 40, 48);
        // [0,48) [40,88) with [40,48) conflicting, [80,120): in order, lower offset kept
        c.fragment(true, 0x501, seg, 0, 48, true).fragment(true, 0x501, segAlt, 40, 88, true)
                .fragment(true, 0x501, seg, 80, 120, false);
        c.clientAdvance(req.length).serverAck();
        byte[] resp = text(200, 51);                                 // segment: 220 bytes
        byte[] rseg = c.segment(false, c.serverSeq(), c.clientSeq(), Packets.ACK | Packets.PSH, 0, resp);
        byte[] rsegAlt = swapWords(rseg, 96, 112);
        // [96,220) then [0,112) with [96,112) conflicting: the later, lower fragment kept
        c.fragment(false, 0x502, rseg, 96, 220, false).fragment(false, 0x502, rsegAlt, 0, 112, true);
        c.serverAdvance(resp.length).clientAck();
        c.close();
        byte[] keptResp = slice(rsegAlt, 20, 220);
        return new Capture("ipfrag-tcp", "ipfrag-tcp.pcap", w.bytes(), FRAG_OPTIONS,
                "a TCP request and response each sent as one segment in overlapping IP fragments with "
                        + "conflicting bytes, the response's fragments last first",
                List.of(new TcpTruth(c, req, keptResp, "CLOSE")), List.of(), null);
    }

    // ---- odd files ------------------------------------------------------------

    /** A snap length of 80: the data segments are cut short and dropped by libnids; the handshake is not. */
    static Capture snaplenShort() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET, 80);
        TcpConversation c = new TcpConversation(w, CLIENT, 40030, SERVER, 80).at(T0);
        c.handshake().clientSends(ascii("short")).clientSends(REQUEST).serverSends(RESPONSE_BODY);
        return new Capture("snaplen-short", "snaplen-short.pcap", w.bytes(), "--warn",
                "snap length 80: segments longer than that are captured cut short, which libnids drops",
                List.of(new TcpTruth(c, ascii("short"), new byte[0], "EXITING")), List.of(), null);
    }

    static Capture headerOnly() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        return new Capture("header-only", "header-only.pcap", w.bytes(), "",
                "a valid pcap file header and no packets", List.of(), List.of(), null);
    }

    static List<Capture> badFiles() {
        List<Capture> l = new ArrayList<>();
        byte[] text = ascii("This is a text file, not a packet capture.\n"
                + "libpcap reads its first four bytes as a magic number it does not know.\n");
        l.add(new Capture("not-a-capture", "not-a-capture.txt", text, "", "a text file", List.of(), List.of(),
                "not-a-capture"));
        l.add(new Capture("zero-length", "zero-length.pcap", new byte[0], "", "an empty file", List.of(),
                List.of(), "not-a-capture"));
        byte[] header = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET).bytes();
        l.add(new Capture("truncated-file-header", "truncated-file-header.pcap", slice(header, 0, 12), "",
                "the first 12 bytes of a pcap file header", List.of(), List.of(), "not-a-capture"));

        PcapWriter u = new PcapWriter(PcapWriter.LINKTYPE_USER0);
        new TcpConversation(u, CLIENT, 40040, SERVER, 80).at(T0).handshake().clientSends(REQUEST).close();
        l.add(new Capture("unsupported-linktype", "unsupported-linktype.pcap", u.bytes(), "",
                "raw IP packets under link type 147 (USER0), which libnids does not read", List.of(), List.of(),
                "linktype"));

        // A conversation whose file ends inside a record: its first packets are read, then libpcap fails.
        PcapWriter t = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation c = new TcpConversation(t, CLIENT, 40041, SERVER, 80).at(T0);
        c.handshake().clientSends(REQUEST);
        int cut = t.size();
        c.serverSends(RESPONSE_BODY);                     // 16-byte record header + 654-byte frame
        byte[] whole = t.bytes();
        l.add(new Capture("truncated-packet", "truncated-packet.pcap", slice(whole, 0, cut + 16 + 300), "",
                "a conversation cut 300 bytes into the data of its sixth packet",
                List.of(new TcpTruth(c, REQUEST, new byte[0], "EXITING")), List.of(), "truncated"));
        l.add(new Capture("truncated-record-header", "truncated-record-header.pcap", slice(whole, 0, cut + 10), "",
                "the same conversation cut 10 bytes into the sixth packet's record header",
                List.of(new TcpTruth(c, REQUEST, new byte[0], "EXITING")), List.of(), "truncated"));

        // pcapng: a second interface of another link type after the first packets; libpcap refuses it there
        PcapngWriter m = new PcapngWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation mc = new TcpConversation(m, CLIENT, 40042, SERVER, 80).at(T0);
        mc.handshake().clientSends(REQUEST);
        m.addInterface(PcapWriter.LINKTYPE_RAW, 262144);
        m.packet(1, mc.micros() + 100, ipv4(SERVER, CLIENT, 17, udp(SERVER, 53, CLIENT, 5353, DNS_ANSWER)));
        l.add(new Capture("pcapng-mixed-linktypes", "pcapng-mixed-linktypes.pcapng", m.bytes(), "",
                "a pcapng file whose second interface (raw IP) follows five Ethernet packets",
                List.of(new TcpTruth(mc, REQUEST, new byte[0], "EXITING")), List.of(), "truncated"));
        return l;
    }
}
