package io.github.jnids.testing;

import static io.github.jnids.testing.Packets.*;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.github.jnids.Nids;
import io.github.jnids.testing.SynthCaptures.TcpTruth;

/**
 * Captures of streams whose handshake, or whose beginning, was not captured
 * (the parameter {@code tcp_midstream}), each with the generator's own record
 * of what a mid-stream pick-up should report: per stream its client and
 * server as libnids names them, the bytes each way from the first segment
 * captured on, how it ends, and which rule gives its roles
 * ({@link Nids#NIDS_MIDSTREAM_SYN}, ...; 0 for a stream whose handshake was
 * captured).
 */
public final class MidstreamCaptures {
    /** A stream as the pick-up should report it. */
    public record Stream(TcpTruth tcp, int roles) { }

    /**
     * A capture: {@code defaults} are the streams libnids reports without
     * {@code tcp_midstream} (those whose handshake was captured), {@code nTcpStreams}
     * the n_tcp_streams to read it with (0: libnids' default).
     */
    public record Capture(String name, String summary, byte[] bytes, List<Stream> streams, int nTcpStreams) {
        public List<Stream> defaults() {
            return streams.stream().filter(s -> s.roles() == 0).toList();
        }
    }

    static final String A = "10.0.0.1", B = "10.0.0.2";
    static final long T0 = 1_700_000_000_000_000L;
    static final byte[] REQ = ascii("GET /late HTTP/1.0\r\n\r\n");
    static final byte[] RESP = ascii("HTTP/1.0 200 OK\r\n\r\nbody of the reply");
    static final byte[] BANNER = ascii("SSH-2.0-OpenSSH_9.2\r\n");

    private MidstreamCaptures() { }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) o.writeBytes(p);
        return o.toByteArray();
    }

    static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) ('a' + (i * 7 + seed) % 26);
        return b;
    }

    /** A stream as libnids names it: {@code client} the side it takes for the client. */
    static Stream stream(TcpConversation c, boolean reversed, byte[] toServer, byte[] toClient, String end, int roles) {
        TcpTruth t = reversed
                ? new TcpTruth(c.server(), c.serverPort(), c.client(), c.clientPort(), toServer, toClient,
                        new byte[0], new byte[0], end)
                : new TcpTruth(c, toServer, toClient, end);
        return new Stream(t, roles);
    }

    /** Writes every capture as {@code DIR/NAME.pcap} (e.g. as fuzzing seeds). */
    public static void main(String[] args) throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Path.of(args.length > 0 ? args[0] : ".");
        java.nio.file.Files.createDirectories(dir);
        for (Capture c : all()) java.nio.file.Files.write(dir.resolve(c.name() + ".pcap"), c.bytes());
    }

    public static List<Capture> all() {
        List<Capture> l = new ArrayList<>();
        l.add(lostSyn());
        l.add(lostSynAck());
        l.add(lostHandshake());
        l.add(clientDataFirst());
        l.add(serverDataFirst());
        l.add(serverFirstGuessedWrong());
        l.add(thenCloses());
        l.add(thenResets());
        l.add(portGuesses());
        l.add(samePortsReused());
        l.add(bareAcksOnly());
        l.add(scaledWindow());
        l.add(timesOut());
        return l;
    }

    /** The SYN was lost: the SYN/ACK names the roles and the client's ACK completes the handshake. */
    static Capture lostSyn() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation c = new TcpConversation(w, A, 40100, B, 80).at(T0);
        c.lose(1).syn().synAck().clientAck().clientSends(REQ).serverSends(RESP).close();
        return new Capture("lost-syn", "SYN lost; SYN/ACK, ACK, data and close captured", w.bytes(),
                List.of(stream(c, false, REQ, RESP, "CLOSE", Nids.NIDS_MIDSTREAM_SYNACK)), 0);
    }

    /** The SYN/ACK was lost: the SYN names the roles, the client's ACK establishes the stream. */
    static Capture lostSynAck() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation c = new TcpConversation(w, A, 40101, B, 8080).at(T0);
        c.syn().lose(1).synAck().clientAck().clientSends(REQ).serverSends(RESP).close();
        // the server speaks first after a lost SYN/ACK and third ACK: its data establishes the stream
        TcpConversation d = new TcpConversation(w, A, 40102, B, 25).at(c.micros()).isn(70000, 90000);
        d.syn().lose(2).synAck().clientAck().serverSends("220 mail ready\r\n").clientSends("QUIT\r\n").close();
        return new Capture("lost-synack", "SYN/ACK lost (the client's ACK, or the server's data, establishes)",
                w.bytes(), List.of(stream(c, false, REQ, RESP, "CLOSE", Nids.NIDS_MIDSTREAM_SYN),
                        stream(d, false, ascii("QUIT\r\n"), ascii("220 mail ready\r\n"), "CLOSE",
                                Nids.NIDS_MIDSTREAM_SYN)), 0);
    }

    /** The whole handshake was lost: the bare ACK starts nothing, the client's data does. */
    static Capture lostHandshake() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation c = new TcpConversation(w, A, 40103, B, 80).at(T0);
        c.lose(2).handshake().clientSends(REQ).serverSends(RESP).close();
        return new Capture("lost-handshake", "SYN and SYN/ACK lost, the third ACK captured", w.bytes(),
                List.of(stream(c, false, REQ, RESP, "CLOSE", Nids.NIDS_MIDSTREAM_PORT)), 0);
    }

    /** The capture starts in the middle of a transfer, the client sending; the ports tell nothing. */
    static Capture clientDataFirst() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation c = new TcpConversation(w, A, 5001, B, 6001).at(T0);
        c.capturing(false).handshake().clientSends("before the capture").serverSends("not seen either")
                .capturing(true);
        byte[] up = pattern(3000, 1), down = pattern(1200, 2);
        c.clientSends(up).serverSends(down).clientSends("more").close();
        return new Capture("mid-client-first", "capture starts mid-transfer with the client's data; ports 5001, 6001",
                w.bytes(), List.of(stream(c, false, concat(up, ascii("more")), down, "CLOSE",
                        Nids.NIDS_MIDSTREAM_FIRST)), 0);
    }

    /** The capture starts with the server's data; the client's ephemeral port gives the roles. */
    static Capture serverDataFirst() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation c = new TcpConversation(w, A, 45000, B, 8080).at(T0);
        c.capturing(false).handshake().clientSends(REQ).capturing(true);
        byte[] down = pattern(5000, 3);
        c.serverSends(down).serverSends("tail").clientSends("thanks").close();
        return new Capture("mid-server-first", "capture starts mid-transfer with the server's data; ports 45000, 8080",
                w.bytes(), List.of(stream(c, false, ascii("thanks"), concat(down, ascii("tail")), "CLOSE",
                        Nids.NIDS_MIDSTREAM_PORT)), 0);
    }

    /** The server's data first, ports that tell nothing: the sender is taken for the client (a wrong guess). */
    static Capture serverFirstGuessedWrong() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation c = new TcpConversation(w, A, 5002, B, 6002).at(T0);
        c.capturing(false).handshake().capturing(true);
        c.serverSends("hello first").clientSends("reply").serverSends("bye").close();
        // reversed: libnids' client is the real server, whose bytes go "to the server"
        return new Capture("mid-server-first-guessed", "the server speaks first on ports 5002, 6002: roles reversed",
                w.bytes(), List.of(stream(c, true, ascii("hello firstbye"), ascii("reply"), "CLOSE",
                        Nids.NIDS_MIDSTREAM_FIRST)), 0);
    }

    /** Picked up mid-stream, then closed by both (the close is as for any stream). */
    static Capture thenCloses() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation c = new TcpConversation(w, A, 40104, B, 443).at(T0);
        c.capturing(false).handshake().clientSends("hidden").capturing(true);
        c.serverSends("visible").clientFin().serverSends("after the half close");
        c.raw(false, c.serverSeq(), c.clientSeq(), FIN | ACK, new byte[0]).serverAdvance(1).clientAck();
        return new Capture("mid-then-close", "picked up from the server's data, half-closed by the client, then closed",
                w.bytes(), List.of(stream(c, false, new byte[0], ascii("visibleafter the half close"), "CLOSE",
                        Nids.NIDS_MIDSTREAM_PORT)), 0);
    }

    /** Picked up mid-stream, then reset; and one reset after its first data. */
    static Capture thenResets() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation c = new TcpConversation(w, A, 40105, B, 80).at(T0);
        c.capturing(false).handshake().clientSends(REQ).capturing(true);
        c.serverSends(RESP).clientSends("and more").serverReset();
        TcpConversation d = new TcpConversation(w, A, 40106, B, 80).at(c.micros());
        d.capturing(false).handshake().capturing(true).clientSends("x").reset();
        return new Capture("mid-then-reset", "picked up, then reset by the server; picked up, then reset by the client",
                w.bytes(), List.of(stream(c, false, ascii("and more"), RESP, "RESET", Nids.NIDS_MIDSTREAM_PORT),
                        stream(d, false, ascii("x"), new byte[0], "RESET", Nids.NIDS_MIDSTREAM_PORT)), 0);
    }

    /** The port rules: well-known against anything, non-ephemeral against ephemeral, else who sent first. */
    static Capture portGuesses() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        List<Stream> s = new ArrayList<>();
        long t = T0;
        // ssh: the server speaks first; 22 is well-known
        TcpConversation ssh = new TcpConversation(w, A, 50022, B, 22).at(t);
        ssh.capturing(false).handshake().capturing(true).serverSends(BANNER).clientSends("SSH-2.0-client\r\n").close();
        s.add(stream(ssh, false, ascii("SSH-2.0-client\r\n"), BANNER, "CLOSE", Nids.NIDS_MIDSTREAM_PORT));
        // a registered port (3306) against a registered one below it (2000): nothing to tell, the sender is the client
        TcpConversation reg = new TcpConversation(w, A, 2000, B, 3306).at(ssh.micros());
        reg.capturing(false).handshake().capturing(true).serverSends("greeting").clientSends("login").close();
        s.add(stream(reg, true, ascii("greeting"), ascii("login"), "CLOSE", Nids.NIDS_MIDSTREAM_FIRST));
        // registered (3306) against ephemeral (33000, Linux' range): the registered one is the server
        TcpConversation eph = new TcpConversation(w, A, 33000, B, 3306).at(reg.micros());
        eph.capturing(false).handshake().capturing(true).serverSends("greeting").clientSends("login").close();
        s.add(stream(eph, false, ascii("login"), ascii("greeting"), "CLOSE", Nids.NIDS_MIDSTREAM_PORT));
        // two well-known ports (rsh: 1022 to 514): the sender of the first data is the client
        TcpConversation rsh = new TcpConversation(w, A, 1022, B, 514).at(eph.micros());
        rsh.capturing(false).handshake().capturing(true).clientSends("ls\0").serverSends("file\n").close();
        s.add(stream(rsh, false, ascii("ls\0"), ascii("file\n"), "CLOSE", Nids.NIDS_MIDSTREAM_FIRST));
        // well-known (80) against registered (8080, a proxy's port): 80 is the server even if it sends first
        TcpConversation prx = new TcpConversation(w, A, 8080, B, 80).at(rsh.micros());
        prx.capturing(false).handshake().clientSends(REQ).capturing(true).serverSends(RESP).close();
        s.add(stream(prx, false, new byte[0], RESP, "CLOSE", Nids.NIDS_MIDSTREAM_PORT));
        return new Capture("mid-port-guesses", "roles from the ports: 22, 3306 vs 2000, 3306 vs 33000, 514 vs 1022, 80 vs 8080",
                w.bytes(), s, 0);
    }

    /** Two streams on the same addresses and ports, both picked up mid-stream; then one with its handshake. */
    static Capture samePortsReused() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation a = new TcpConversation(w, A, 40107, B, 80).at(T0);
        a.capturing(false).handshake().clientSends(REQ).capturing(true).serverSends("first").close();
        TcpConversation b = new TcpConversation(w, A, 40107, B, 80).at(a.micros()).isn(900000, 1900000);
        b.lose(3).handshake().clientSends("second request").serverSends("second").serverReset();
        TcpConversation c = new TcpConversation(w, A, 40107, B, 80).at(b.micros()).isn(3900000, 4900000);
        c.handshake().clientSends("third request").serverSends("third").close();
        TcpConversation d = new TcpConversation(w, A, 40107, B, 80).at(c.micros()).isn(7900000, 8900000);
        d.lose(3).handshake().clientSends("fourth request").serverSends("fourth");
        return new Capture("mid-same-ports", "four streams on one port pair: mid-stream closed, mid-stream reset, "
                + "whole, mid-stream still open", w.bytes(),
                List.of(stream(a, false, new byte[0], ascii("first"), "CLOSE", Nids.NIDS_MIDSTREAM_PORT),
                        stream(b, false, ascii("second request"), ascii("second"), "RESET", Nids.NIDS_MIDSTREAM_PORT),
                        stream(c, false, ascii("third request"), ascii("third"), "CLOSE", 0),
                        stream(d, false, ascii("fourth request"), ascii("fourth"), "EXITING", Nids.NIDS_MIDSTREAM_PORT)),
                0);
    }

    /** Only bare ACKs and the end of a stream captured: nothing is picked up (the trigger is data). */
    static Capture bareAcksOnly() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation c = new TcpConversation(w, A, 40108, B, 80).at(T0);
        c.capturing(false).handshake().clientSends(REQ).serverSends(RESP).capturing(true).clientAck().serverAck()
                .close();
        TcpConversation d = new TcpConversation(w, A, 40109, B, 80).at(c.micros());
        d.capturing(false).handshake().capturing(true).reset();
        return new Capture("mid-bare-acks", "bare ACKs, FINs and a RST of streams already running: no stream",
                w.bytes(), List.of(), 0);
    }

    /**
     * A window of 512 scaled by 2^7 in the lost handshake: the second of two
     * 1000-byte segments sent before any ACK starts 1000 bytes past the
     * receiver's, outside the unscaled window; the pick-up assumes the largest
     * scale and keeps it.
     */
    static Capture scaledWindow() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation c = new TcpConversation(w, A, 40110, B, 80).at(T0);
        c.windowScale(7, 7).window(512).capturing(false).handshake().clientSends("x").capturing(true);
        byte[] s1 = pattern(1000, 4), s2 = pattern(1000, 5), s3 = pattern(1000, 6);
        c.serverSegment(0, s1).clientAck().serverSegment(1000, s2).serverSegment(2000, s3).serverAdvance(3000).clientAck()
                .close();
        return new Capture("mid-scaled-window", "picked up from the server's data; later segments beyond the "
                + "unscaled window of 512", w.bytes(),
                List.of(stream(c, false, new byte[0], concat(s1, s2, s3), "CLOSE", Nids.NIDS_MIDSTREAM_PORT)), 0);
    }

    /** With n_tcp_streams 1, a second stream picked up evicts the first: NIDS_TIMED_OUT. */
    static Capture timesOut() {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation a = new TcpConversation(w, A, 40111, B, 80).at(T0);
        a.capturing(false).handshake().capturing(true).clientSends("one").serverSends("1");
        TcpConversation b = new TcpConversation(w, A, 40112, B, 80).at(a.micros());
        b.capturing(false).handshake().capturing(true).clientSends("two").serverSends("2");
        return new Capture("mid-timeout", "two streams picked up with room for one: the first times out",
                w.bytes(), List.of(stream(a, false, ascii("one"), ascii("1"), "TIMEOUT", Nids.NIDS_MIDSTREAM_PORT),
                        stream(b, false, ascii("two"), ascii("2"), "EXITING", Nids.NIDS_MIDSTREAM_PORT)), 1);
    }
}
