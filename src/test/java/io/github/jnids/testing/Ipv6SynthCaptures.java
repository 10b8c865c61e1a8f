package io.github.jnids.testing;

import static io.github.jnids.testing.Ipv6Packets.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.github.jnids.testing.Ipv6Packets.Ext;
import io.github.jnids.testing.Ipv6Packets.Framing;

/**
 * The synthesized IPv6 captures of {@code testdata/synth/ipv6}: what stacks
 * rarely send. Each is a pure function of this code.
 *
 * <pre>
 *   java -cp target/test-classes io.github.jnids.testing.Ipv6SynthCaptures [DIR]   (default testdata/synth/ipv6)
 * </pre>
 *
 * writes {@code NAME.pcap} and {@code NAME.options}; the expected outputs come
 * from the oracle ({@link Ipv6Oracle}'s main, testdata/README.md). What each
 * holds and what libnids must make of it is in {@link #all()}'s summaries
 * (also in testdata/README.md).
 */
public final class Ipv6SynthCaptures {
    /** One capture: name, bytes, nids_dump options, what it holds. */
    public record Capture(String name, byte[] bytes, String options, String summary) { }

    static final String C = "2001:db8::1", S = "2001:db8:0:1::2";
    static final long T0 = 1_700_000_000_000_000L;
    static final String FRAG_OPTIONS = "--udp --ip --frag --warn";

    private Ipv6SynthCaptures() { }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "testdata/synth/ipv6");
        Files.createDirectories(dir);
        for (Capture c : all()) {
            Files.write(dir.resolve(c.name() + ".pcap"), c.bytes());
            Files.writeString(dir.resolve(c.name() + ".options"), c.options() + "\n");
            System.out.println(c.name() + ".pcap " + c.bytes().length);
        }
    }

    public static List<Capture> all() {
        List<Capture> l = new ArrayList<>();
        for (Framing f : Framing.values()) l.add(link(f));
        l.add(extensionHeaders());
        l.add(fragmentsInOrderAndNot());
        l.add(fragmentedTcp());
        l.add(overlappingFragments());
        l.add(atomicFragments());
        l.add(icmpUnreachable());
        for (Framing f : Framing.values()) l.add(malformed(f));
        return l;
    }

    /** Frames written at 100 us intervals. */
    static final class Writer {
        final Framing framing;
        final PcapWriter w;
        long t = T0;

        Writer(Framing framing, int snaplen) {
            this.framing = framing;
            this.w = new PcapWriter(framing.linktype, snaplen);
        }

        Writer(Framing framing) {
            this(framing, 262144);
        }

        Writer ip(byte[] ip6) {
            w.packet(t += 100, frame(framing, ip6));
            return this;
        }

        /** A frame cut to {@code caplen} bytes (snap length), its original length kept. */
        Writer cut(byte[] ip6, int caplen) {
            byte[] f = frame(framing, ip6);
            w.packet(t += 100, f, f.length, Math.min(caplen, f.length));
            return this;
        }

        /** A frame whose bytes end early, captured whole (the datagram lies about its length). */
        Writer raw(byte[] ip6) {
            return ip(ip6);
        }
    }

    /** A TCP conversation between C:cport and S:sport, each segment with the extension headers given. */
    static final class Conversation {
        final Writer w;
        final int cport, sport;
        long cseq = 1000, sseq = 700000;

        Conversation(Writer w, int cport, int sport) {
            this.w = w;
            this.cport = cport;
            this.sport = sport;
        }

        Conversation send(boolean client, int flags, byte[] data, List<Ext> exts) {
            byte[] seg = client ? tcp(C, cport, S, sport, cseq, sseq, flags, 0, data)
                    : tcp(S, sport, C, cport, sseq, cseq, flags, 0, data);
            w.ip(client ? datagram(C, S, exts, TCP, seg) : datagram(S, C, exts, TCP, seg));
            int n = data.length + ((flags & (Packets.SYN | Packets.FIN)) != 0 ? 1 : 0);
            if (client) cseq += n; else sseq += n;
            return this;
        }

        Conversation handshake() {
            send(true, Packets.SYN, new byte[0], List.of());
            send(false, Packets.SYN | Packets.ACK, new byte[0], List.of());
            return send(true, Packets.ACK, new byte[0], List.of());
        }

        Conversation close() {
            send(true, Packets.FIN | Packets.ACK, new byte[0], List.of());
            send(false, Packets.FIN | Packets.ACK, new byte[0], List.of());
            return send(true, Packets.ACK, new byte[0], List.of());
        }
    }

    static final byte[] REQUEST = Packets.ascii("GET /v6 HTTP/1.0\r\nHost: [2001:db8:0:1::2]\r\n\r\n");
    static final byte[] RESPONSE = Packets.concat(Packets.ascii("HTTP/1.0 200 OK\r\n\r\n"), Packets.text(900, 61));

    /** The basic conversation: handshake, request, response in two segments, a UDP datagram each way, close. */
    static Capture link(Framing f) {
        Writer w = new Writer(f);
        Conversation c = new Conversation(w, 40000, 80).handshake();
        c.send(true, Packets.ACK | Packets.PSH, REQUEST, List.of());
        c.send(false, Packets.ACK, Packets.slice(RESPONSE, 0, 500), List.of());
        c.send(false, Packets.ACK | Packets.PSH, Packets.slice(RESPONSE, 500, RESPONSE.length), List.of());
        w.ip(datagram(C, S, UDP, udp(C, 5353, S, 53, Packets.text(29, 62))));
        w.ip(datagram(S, C, UDP, udp(S, 53, C, 5353, Packets.text(45, 63))));
        c.close();
        String what = switch (f) {
            case ETHERNET -> "Ethernet (0x86DD)";
            case VLAN -> "802.1Q-tagged Ethernet (VLAN 600)";
            case SLL -> "Linux cooked headers (linktype 113)";
            case NULL24 -> "BSD loopback, AF_INET6 24 little-endian";
            case NULL28 -> "BSD loopback, AF_INET6 28 big-endian";
            case NULL30 -> "BSD loopback, AF_INET6 30 little-endian";
            case RAW -> "raw IP (linktype 101)";
        };
        return new Capture("link-" + f.name().toLowerCase(java.util.Locale.ROOT), w.w.bytes(), "--udp",
                "the basic IPv6 conversation (TCP request and response, a UDP datagram each way, close) in " + what);
    }

    /** Every extension header, alone and chained, on TCP segments and UDP datagrams. */
    static Capture extensionHeaders() {
        Writer w = new Writer(Framing.ETHERNET);
        Conversation c = new Conversation(w, 40001, 80).handshake();
        c.send(true, Packets.ACK, Packets.text(100, 70), List.of(hopByHop(0)));
        c.send(true, Packets.ACK, Packets.text(100, 71), List.of(destinationOptions(1)));
        c.send(true, Packets.ACK, Packets.text(100, 72), List.of(routing(0, 0, "2001:db8:ffff::9")));
        c.send(true, Packets.ACK, Packets.text(100, 73), List.of(authentication(12, 0x1234, 1)));
        c.send(false, Packets.ACK, Packets.text(300, 74), List.of(hopByHop(2), destinationOptions(0),
                routing(2, 0, "2001:db8:ffff::8"), authentication(4, 0x99, 7), destinationOptions(0)));
        c.send(false, Packets.ACK, Packets.text(200, 75), List.of());
        c.close();
        w.ip(datagram(C, S, List.of(hopByHop(0)), UDP, udp(C, 6000, S, 7000, Packets.text(64, 76))));
        w.ip(datagram(C, S, List.of(authentication(12, 1, 2), destinationOptions(3)), UDP,
                udp(C, 6001, S, 7000, Packets.text(65, 77))));
        // a routing header with a segment left: not at its final destination, dropped as IPv4 source routes are
        // (NIDS_WARN_IP_SRR); the checksum is over the final destination all the same (RFC 8200 8.1)
        String last = "2001:db8:ffff::7";
        byte[] seg = udp(C, 6002, last, 7000, Packets.text(66, 78));
        w.ip(datagram(C, S, List.of(routing(0, 1, last)), UDP, seg));
        // a datagram of no next header (59): no TCP/UDP, IP callback only; then one of header 253, experimental
        // (RFC 3692) and so an extension header of RFC 6564's format (RFC 7045), whose length byte runs past the
        // payload: dropped as malformed
        w.ip(datagram(C, S, List.of(destinationOptions(0)), NONE, new byte[0]));
        w.ip(datagram(C, S, 253, Packets.text(20, 79)));
        return new Capture("ext-headers", w.w.bytes(), "--udp --ip --warn",
                "TCP segments and UDP datagrams with each extension header (hop-by-hop, destination options, routing "
                        + "type 0 and 2, AH) and a chain of five; a routing header with a segment left (dropped as "
                        + "a source-routed datagram); no-next-header (IP line only) and header 253 (an extension header, malformed: dropped)");
    }

    static byte[] udpPayload(int id, int n, int sport) {
        return udp(C, sport, S, 9000, Packets.text(n, id));
    }

    /** UDP datagrams in fragments: in order, last first, shuffled; with headers before and after the fragment header. */
    static Capture fragmentsInOrderAndNot() {
        Writer w = new Writer(Framing.ETHERNET);
        List<byte[]> a = fragments(C, S, List.of(), List.of(), UDP, udpPayload(1, 1000, 5101), 0x10001L, 336);
        a.forEach(w::ip);
        List<byte[]> b = fragments(C, S, List.of(), List.of(), UDP, udpPayload(2, 1000, 5102), 0x20002L, 336);
        for (int i = b.size() - 1; i >= 0; i--) w.ip(b.get(i));
        List<byte[]> c = fragments(C, S, List.of(), List.of(), UDP, udpPayload(3, 1000, 5103), 0x30003L, 336);
        w.ip(c.get(1)).ip(c.get(2)).ip(c.get(0));
        // hop-by-hop before the fragment header, destination options after it (in the first fragment only)
        List<byte[]> d = fragments(C, S, List.of(hopByHop(0)), List.of(destinationOptions(1)), UDP,
                udpPayload(4, 700, 5104), 0xdead0004L, 256);
        w.ip(d.get(2)).ip(d.get(0)).ip(d.get(1));
        // the same 16-bit identification as the first datagram, another 32-bit one: a datagram of its own
        fragments(S, C, List.of(), List.of(), UDP, udp(S, 9000, C, 5105, Packets.text(500, 5)), 0x10001L, 248)
                .forEach(w::ip);
        // a datagram whose fragments never all arrive: nothing delivered
        List<byte[]> e = fragments(C, S, List.of(), List.of(), UDP, udpPayload(6, 600, 5106), 0x60006L, 200);
        w.ip(e.get(0)).ip(e.get(2));
        return new Capture("frag-udp", w.w.bytes(), FRAG_OPTIONS,
                "UDP datagrams in IPv6 fragments: in order, last first, shuffled; a hop-by-hop header before the "
                        + "fragment header and destination options after it; one missing its middle fragment");
    }

    /** A TCP request and response each sent as one segment in fragments. */
    static Capture fragmentedTcp() {
        Writer w = new Writer(Framing.ETHERNET);
        Conversation c = new Conversation(w, 40020, 80).handshake();
        byte[] req = Packets.text(1500, 80);
        byte[] seg = tcp(C, 40020, S, 80, c.cseq, c.sseq, Packets.ACK | Packets.PSH, 0, req);
        fragments(C, S, List.of(), List.of(), TCP, seg, 0x501L, 512).forEach(w::ip);
        c.cseq += req.length;
        byte[] resp = Packets.text(2500, 81);
        byte[] rseg = tcp(S, 80, C, 40020, c.sseq, c.cseq, Packets.ACK | Packets.PSH, 0, resp);
        List<byte[]> r = fragments(S, C, List.of(), List.of(), TCP, rseg, 0x502L, 1232);
        for (int i = r.size() - 1; i >= 0; i--) w.ip(r.get(i));
        c.sseq += resp.length;
        c.close();
        return new Capture("frag-tcp", w.w.bytes(), FRAG_OPTIONS,
                "a TCP request and response each sent as one segment in IPv6 fragments, the response's last first");
    }

    /**
     * RFC 5722: overlapping fragments drop the whole datagram (with a warning),
     * and its later fragments; an exact duplicate is dropped alone.
     */
    static Capture overlappingFragments() {
        Writer w = new Writer(Framing.ETHERNET);
        byte[] p1 = udpPayload(11, 48, 5201);
        // [0,32) then [24,56): overlap, dropped; then [32,56) of it: dropped too
        w.ip(fragmentOf(C, S, List.of(), UDP, p1, 0, 32, true, 0x201));
        w.ip(fragmentOf(C, S, List.of(), UDP, p1, 24, 56, false, 0x201));
        w.ip(fragmentOf(C, S, List.of(), UDP, p1, 32, 56, false, 0x201));
        // the last fragment first, then an overlapping first one
        byte[] p2 = udpPayload(12, 48, 5202);
        w.ip(fragmentOf(C, S, List.of(), UDP, p2, 24, 56, false, 0x202));
        w.ip(fragmentOf(C, S, List.of(), UDP, p2, 0, 32, true, 0x202));
        // a fragment inside another
        byte[] p3 = udpPayload(13, 120, 5203);
        w.ip(fragmentOf(C, S, List.of(), UDP, p3, 0, 64, true, 0x203));
        w.ip(fragmentOf(C, S, List.of(), UDP, p3, 8, 24, true, 0x203));
        w.ip(fragmentOf(C, S, List.of(), UDP, p3, 64, 128, false, 0x203));
        // an exact duplicate: dropped alone, the datagram delivered
        byte[] p4 = udpPayload(14, 120, 5204);
        w.ip(fragmentOf(C, S, List.of(), UDP, p4, 0, 64, true, 0x204));
        w.ip(fragmentOf(C, S, List.of(), UDP, p4, 0, 64, true, 0x204));
        w.ip(fragmentOf(C, S, List.of(), UDP, p4, 64, 128, false, 0x204));
        // a good datagram after all that
        fragments(C, S, List.of(), List.of(), UDP, udpPayload(15, 300, 5205), 0x205L, 160).forEach(w::ip);
        return new Capture("frag-overlap", w.w.bytes(), FRAG_OPTIONS,
                "overlapping IPv6 fragments (RFC 5722: the datagram dropped with a warning, also its later "
                        + "fragments): in both orders, one inside another; an exact duplicate fragment (dropped alone); "
                        + "then a good fragmented datagram");
    }

    /** RFC 6946: atomic fragments are whole datagrams, whatever queue has their identification. */
    static Capture atomicFragments() {
        Writer w = new Writer(Framing.ETHERNET);
        w.ip(fragmentOf(C, S, List.of(), UDP, udpPayload(21, 100, 5301), 0, 108, false, 0x301));
        byte[] p = udpPayload(22, 400, 5302);
        List<byte[]> f = fragments(C, S, List.of(), List.of(), UDP, p, 0x302L, 208);
        w.ip(f.get(0));
        // an atomic fragment with the identification of the queue just started, then the queue's last fragment
        w.ip(fragmentOf(C, S, List.of(), UDP, udpPayload(23, 50, 5303), 0, 58, false, 0x302));
        w.ip(f.get(1));
        // atomic fragments with destination options before and after the fragment header
        w.ip(fragmentOf(C, S, List.of(destinationOptions(0)), UDP, udpPayload(24, 30, 5304), 0, 38, false, 0x304));
        List<Ext> after = List.of(destinationOptions(0));
        byte[] part = fragmentable(after, UDP, udpPayload(25, 30, 5305));
        w.ip(fragmentOf(C, S, List.of(), DSTOPTS, part, 0, part.length, false, 0x305));
        return new Capture("frag-atomic", w.w.bytes(), FRAG_OPTIONS,
                "atomic fragments (offset 0, M clear, RFC 6946): alone, with the identification of a queue in "
                        + "progress (which still completes), with destination options before and after the fragment header");
    }

    static final String ROUTER = "2001:db8:ff::1";

    /**
     * ICMPv6 Destination Unreachable about a stream's handshake: libnids forgets the stream, as it does on
     * ICMP's, so the handshake and data that follow make no stream; messages it must not act on leave theirs.
     * Each conversation is handshake, request, response and close after the message.
     */
    static Capture icmpUnreachable() {
        Writer w = new Writer(Framing.ETHERNET);
        int port = 40200;
        // acted on: port unreachable from the server about the SYN; administratively prohibited (1) and address
        // unreachable (3) from a router, about the SYN and about the SYN/ACK; a quote with a hop-by-hop header
        unreachable(w, port++, false, S, C, 4, 0, true, List.of());
        unreachable(w, port++, false, ROUTER, C, 1, 0, true, List.of());
        unreachable(w, port++, true, ROUTER, S, 3, 0, true, List.of());
        unreachable(w, port++, false, ROUTER, C, 0, 0, true, List.of(hopByHop(0)));
        // ignored: port unreachable not from the quoted destination; a wrong checksum; code 9 (undefined);
        // 4 bytes of TCP quoted; a quoted Fragment header; type 2 (packet too big); about an established stream
        unreachable(w, port++, false, ROUTER, C, 4, 0, true, List.of());
        unreachable(w, port++, false, S, C, 4, 1, true, List.of());
        unreachable(w, port++, false, S, C, 9, 0, true, List.of());
        unreachable(w, port++, false, S, C, 4, 0, false, List.of());
        unreachable(w, port++, false, S, C, 4, 0, true, List.of(fragment(0, false, 7)));
        unreachable(w, port++, false, S, C, -2, 0, true, List.of());
        Conversation c = new Conversation(w, port, 80).handshake();
        byte[] seg = tcp(C, port, S, 80, c.cseq, c.sseq, Packets.ACK, 0, new byte[0]);
        w.ip(datagram(S, C, ICMPV6, icmpv6(S, C, 1, 4, 0, datagram(C, S, TCP, seg))));
        finish(c);
        return new Capture("icmp-unreach", w.w.bytes(), "",
                "ICMPv6 Destination Unreachable about a stream's handshake (port unreachable from the server, "
                        + "administratively prohibited and address unreachable from a router, about the SYN and the "
                        + "SYN/ACK, a quote with a hop-by-hop header): the stream is forgotten and its conversation "
                        + "makes none; messages not acted on (port unreachable from another host, a wrong checksum, "
                        + "an undefined code, a quote of 4 TCP bytes or with a Fragment header, packet too big, an "
                        + "established stream): their streams are reported");
    }

    /**
     * A SYN (and with {@code afterSynAck} the SYN/ACK) of a conversation on {@code port}, then an ICMPv6 message
     * from {@code from} to {@code to} quoting the last of them (its IPv6 header, {@code exts}, and all of the TCP
     * header or with {@code wholeTcp} false only 4 bytes of it): type 1, or type -{@code code} with code 0;
     * {@code badSum} flips checksum bits. Then the rest of the conversation.
     */
    static void unreachable(Writer w, int port, boolean afterSynAck, String from, String to, int code, int badSum,
                            boolean wholeTcp, List<Ext> exts) {
        Conversation c = new Conversation(w, port, 80);
        c.send(true, Packets.SYN, new byte[0], List.of());
        byte[] quoted = afterSynAck
                ? datagram(S, C, exts, TCP, tcp(S, 80, C, port, c.sseq, c.cseq, Packets.SYN | Packets.ACK, 0, new byte[0]))
                : datagram(C, S, exts, TCP, tcp(C, port, S, 80, c.cseq - 1, 0, Packets.SYN, 0, new byte[0]));
        if (afterSynAck) c.send(false, Packets.SYN | Packets.ACK, new byte[0], List.of());
        if (!wholeTcp) quoted = java.util.Arrays.copyOf(quoted, quoted.length - 20 + 4);
        byte[] m = code < 0 ? icmpv6(from, to, -code, 0, 1280, quoted) : icmpv6(from, to, 1, code, 0, quoted);
        m[3] ^= badSum;
        w.ip(datagram(from, to, ICMPV6, m));
        if (!afterSynAck) c.send(false, Packets.SYN | Packets.ACK, new byte[0], List.of());
        c.send(true, Packets.ACK, new byte[0], List.of());
        finish(c);
    }

    static void finish(Conversation c) {
        c.send(true, Packets.ACK | Packets.PSH, REQUEST, List.of());
        c.send(false, Packets.ACK | Packets.PSH, Packets.slice(RESPONSE, 0, 300), List.of());
        c.close();
    }

    /** Headers a receiver must drop; each followed by a good datagram; in each framing. */
    static Capture malformed(Framing f) {
        Writer w = new Writer(f);
        int link = f.header;
        int port = 5400;
        byte[] good = datagram(C, S, UDP, udp(C, port, S, 9000, Packets.text(40, 90)));
        // an IPv6 header cut to 30 bytes
        w.cut(good, link + 30);
        w.ip(good);
        // version 4 in an IPv6 frame
        byte[] v = good.clone();
        v[0] = 0x40;
        w.ip(v).ip(good);
        // a payload length larger than the datagram that arrived (captured whole)
        byte[] longer = good.clone();
        longer[5] += 16;
        w.raw(longer).ip(good);
        // an extension header running past the payload length
        byte[] past = datagram(C, S, List.of(destinationOptions(0)), UDP, udp(C, port + 1, S, 9000, Packets.text(8, 91)));
        past[40 + 1] = 9; // 80 bytes of options in a 24-byte payload
        w.ip(past).ip(good);
        // a hop-by-hop header after another extension header
        w.ip(datagram(C, S, List.of(destinationOptions(0), hopByHop(0)), UDP, udp(C, port + 2, S, 9000,
                Packets.text(16, 92)))).ip(good);
        // a payload length of 0 (a jumbogram without the jumbo option)
        byte[] zero = good.clone();
        zero[4] = 0;
        zero[5] = 0;
        w.ip(zero).ip(good);
        // a chain of extension headers longer than the capture: the snap length cuts it
        byte[] chain = datagram(C, S, List.of(hopByHop(4), destinationOptions(4), routing(0, 0, S)), UDP,
                udp(C, port + 3, S, 9000, Packets.text(200, 93)));
        w.cut(chain, link + 40 + 60);
        w.ip(good);
        // a TCP segment with a wrong checksum, a UDP datagram with none (0, invalid in IPv6)
        byte[] badTcp = tcp(C, 40100, S, 80, 1, 0, Packets.SYN, 0, new byte[0]);
        badTcp[16] ^= 0x11;
        w.ip(datagram(C, S, TCP, badTcp));
        byte[] noSum = udp(C, port + 4, S, 9000, Packets.text(20, 94));
        noSum[6] = 0;
        noSum[7] = 0;
        w.ip(datagram(C, S, UDP, noSum)).ip(good);
        return new Capture(f == Framing.ETHERNET ? "malformed" : "malformed-" + f.name().toLowerCase(java.util.Locale.ROOT),
                w.w.bytes(), "--udp --warn",
                "IPv6 headers a receiver drops, each followed by a good datagram: a header cut to 30 bytes, version 4, "
                        + "a payload length past the datagram, an extension header past the payload, a hop-by-hop "
                        + "header not first, a payload length of 0, a chain of extension headers cut by the snap length; "
                        + "a TCP segment with a wrong checksum and a UDP datagram with a zero checksum (" + f + " framing)");
    }
}
