package io.github.jnids.testing;

import static io.github.jnids.testing.Packets.*;

/**
 * A TCP connection between a client and a server, written packet by packet
 * into a {@link CaptureWriter} (framed for its link type), with sequence
 * numbers tracked.
 *
 * <pre>{@code
 * PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
 * TcpConversation c = new TcpConversation(w, "10.0.0.1", 40000, "10.0.0.2", 80);
 * c.handshake().clientSends("GET / HTTP/1.0\r\n\r\n").serverSends("HTTP/1.0 200 OK\r\n\r\nhi").close();
 * }</pre>
 *
 * Every packet is 100 microseconds after the one before, unless {@link #at} or
 * {@link #after} moves the clock. Unfragmented datagrams carry IP id 1.
 */
public final class TcpConversation {
    private final CaptureWriter out;
    private final String client, server;
    private final int cport, sport;
    private long clientIsn = 1000, serverIsn = 5000;
    private long clientSeq = 1000, serverSeq = 5000;
    private long micros = 1_700_000_000_000_000L;
    private int window = 65535;
    private byte[] ipOptions = new byte[0];
    private int clientShift = -1, serverShift = -1;
    private boolean timestamps;
    private long clientTsvalOnce = -1, serverTsvalOnce = -1, lastClientTsval, lastServerTsval;
    private boolean badChecksums;
    private long step = 100;
    /** Packets still to lose (not written: not captured), and whether the capture is running at all. */
    private int lose;
    private boolean capturing = true;

    public TcpConversation(CaptureWriter out, String client, int cport, String server, int sport) {
        this.out = out;
        this.client = client;
        this.cport = cport;
        this.server = server;
        this.sport = sport;
    }

    /** The next {@code n} packets are sent but not captured (e.g. {@code lose(1).syn()}: a lost SYN). */
    public TcpConversation lose(int n) {
        this.lose = n;
        return this;
    }

    /** Whether packets sent from now on are captured (false: a capture that starts, or stops, later). */
    public TcpConversation capturing(boolean on) {
        this.capturing = on;
        return this;
    }

    /** Sets the clock: the next packet is one step (100 microseconds unless set) after {@code micros}. */
    public TcpConversation at(long micros) {
        this.micros = micros;
        return this;
    }

    /** Moves the clock forward by {@code micros}. */
    public TcpConversation after(long micros) {
        this.micros += micros;
        return this;
    }

    /** Microseconds between consecutive packets (100 unless set). */
    public TcpConversation step(long micros) {
        this.step = micros;
        return this;
    }

    /** The timestamp of the last packet written, in microseconds since the epoch. */
    public long micros() {
        return micros;
    }

    /** Sets the initial sequence numbers (before {@link #handshake} or {@link #syn}). */
    public TcpConversation isn(long clientIsn, long serverIsn) {
        this.clientIsn = clientIsn & 0xffffffffL;
        this.serverIsn = serverIsn & 0xffffffffL;
        this.clientSeq = this.clientIsn;
        this.serverSeq = this.serverIsn;
        return this;
    }

    /** The window field of every later segment (default 65535). */
    public TcpConversation window(int window) {
        this.window = window;
        return this;
    }

    /** Window scale options on the SYN and the SYN+ACK (-1: none). */
    public TcpConversation windowScale(int clientShift, int serverShift) {
        this.clientShift = clientShift;
        this.serverShift = serverShift;
        return this;
    }

    /**
     * Timestamps options on every later segment: TSval is the sender's clock
     * (the capture time in milliseconds), TSecr the last TSval from the other side.
     */
    public TcpConversation timestamps(boolean on) {
        this.timestamps = on;
        return this;
    }

    /** The next segment from that side carries this TSval instead of its clock (e.g. an old one). */
    public TcpConversation tsvalOnce(boolean fromClient, long tsval) {
        if (fromClient) clientTsvalOnce = tsval;
        else serverTsvalOnce = tsval;
        return this;
    }

    private byte[] options(boolean fromClient, int flags) {
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        int shift = fromClient ? clientShift : serverShift;
        if ((flags & SYN) != 0 && shift >= 0) o.writeBytes(wscaleOption(shift));
        if (timestamps) {
            long tsval = ((micros + 100) / 1000) & 0xffffffffL;
            if (fromClient && clientTsvalOnce >= 0) {
                tsval = clientTsvalOnce;
                clientTsvalOnce = -1;
            } else if (!fromClient && serverTsvalOnce >= 0) {
                tsval = serverTsvalOnce;
                serverTsvalOnce = -1;
            }
            o.writeBytes(tsOption(tsval, fromClient ? lastServerTsval : lastClientTsval));
            if (fromClient) lastClientTsval = tsval;
            else lastServerTsval = tsval;
        }
        return o.toByteArray();
    }

    /** The TCP segment (header and data) one side would send, without sending it. */
    public byte[] segment(boolean fromClient, long seq, long ack, int flags, int urg, byte[] data) {
        byte[] opts = options(fromClient, flags);
        return fromClient ? tcp(client, cport, server, sport, seq, ack, flags, urg, window, opts, data)
                : tcp(server, sport, client, cport, seq, ack, flags, urg, window, opts, data);
    }

    /** IP options in the header of every later datagram (default none). */
    public TcpConversation ipOptions(byte[] options) {
        this.ipOptions = options.clone();
        return this;
    }

    /** From now on, writes TCP segments with wrong checksums (as captured on a host with checksum offload). */
    public TcpConversation badChecksums(boolean on) {
        this.badChecksums = on;
        return this;
    }

    private void emit(boolean fromClient, long seq, long ack, int flags, int urg, byte[] data) {
        if (lose > 0 || !capturing) {
            // sent but not captured: the clock and the sequence numbers move on
            if (lose > 0) lose--;
            micros += step;
            return;
        }
        byte[] seg = segment(fromClient, seq, ack, flags, urg, data);
        if (badChecksums) seg = corruptChecksum(seg, 6);
        ip(fromClient ? ipv4(client, server, 6, 1, 0, false, ipOptions, seg)
                : ipv4(server, client, 6, 1, 0, false, ipOptions, seg));
    }

    /** Sends a ready-made IP datagram (e.g. a fragment) at the next tick. */
    public TcpConversation ip(byte[] ipDatagram) {
        micros += step;
        out.ipPacket(micros, ipDatagram);
        return this;
    }

    /**
     * Sends bytes {@code [from, to)} of a TCP segment (see {@link #segment}) as
     * one IP fragment with the given IP id.
     */
    public TcpConversation fragment(boolean fromClient, int id, byte[] segment, int from, int to,
                                    boolean moreFragments) {
        return ip(fromClient ? ipFragment(client, server, 6, id, segment, from, to, moreFragments)
                : ipFragment(server, client, 6, id, segment, from, to, moreFragments));
    }

    /** The client's SYN with its initial sequence number (again, when called again: a retry). */
    public TcpConversation syn() {
        emit(true, clientIsn, 0, SYN, 0, new byte[0]);
        clientSeq = (clientIsn + 1) & 0xffffffffL;
        return this;
    }

    /** The server's SYN+ACK (again, when called again: a retransmission). */
    public TcpConversation synAck() {
        emit(false, serverIsn, clientSeq, SYN | ACK, 0, new byte[0]);
        serverSeq = (serverIsn + 1) & 0xffffffffL;
        return this;
    }

    /** A bare ACK from the client acknowledging everything the server sent. */
    public TcpConversation clientAck() {
        emit(true, clientSeq, serverSeq, ACK, 0, new byte[0]);
        return this;
    }

    /** A bare ACK from the server acknowledging everything the client sent. */
    public TcpConversation serverAck() {
        emit(false, serverSeq, clientSeq, ACK, 0, new byte[0]);
        return this;
    }

    public TcpConversation handshake() {
        return syn().synAck().clientAck();
    }

    public TcpConversation clientSends(String text) {
        return clientSends(text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    public TcpConversation serverSends(String text) {
        return serverSends(text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    public TcpConversation clientSends(byte[] data) {
        emit(true, clientSeq, serverSeq, ACK | PSH, 0, data);
        clientSeq += data.length;
        emit(false, serverSeq, clientSeq, ACK, 0, new byte[0]);
        return this;
    }

    public TcpConversation serverSends(byte[] data) {
        emit(false, serverSeq, clientSeq, ACK | PSH, 0, data);
        serverSeq += data.length;
        emit(true, clientSeq, serverSeq, ACK, 0, new byte[0]);
        return this;
    }

    /** Client sends data whose last byte is urgent (BSD urgent pointer semantics). */
    public TcpConversation clientSendsUrgent(byte[] data) {
        return sendsUrgent(true, data, data.length);
    }

    /**
     * One side sends data with URG set and urgent pointer {@code urp}: byte
     * {@code urp - 1} of the data is the urgent byte (BSD semantics, as libnids reads it).
     */
    public TcpConversation sendsUrgent(boolean fromClient, byte[] data, int urp) {
        if (fromClient) {
            emit(true, clientSeq, serverSeq, ACK | PSH | URG, urp, data);
            clientSeq += data.length;
            emit(false, serverSeq, clientSeq, ACK, 0, new byte[0]);
        } else {
            emit(false, serverSeq, clientSeq, ACK | PSH | URG, urp, data);
            serverSeq += data.length;
            emit(true, clientSeq, serverSeq, ACK, 0, new byte[0]);
        }
        return this;
    }

    /** Orderly close: client FIN, server FIN, final ACK. */
    public TcpConversation close() {
        emit(true, clientSeq, serverSeq, FIN | ACK, 0, new byte[0]);
        clientSeq++;
        emit(false, serverSeq, clientSeq, FIN | ACK, 0, new byte[0]);
        serverSeq++;
        emit(true, clientSeq, serverSeq, ACK, 0, new byte[0]);
        return this;
    }

    /** The client's FIN alone (a half close); the server acknowledges it. */
    public TcpConversation clientFin() {
        emit(true, clientSeq, serverSeq, FIN | ACK, 0, new byte[0]);
        clientSeq++;
        emit(false, serverSeq, clientSeq, ACK, 0, new byte[0]);
        return this;
    }

    /** The client resets the connection. */
    public TcpConversation reset() {
        emit(true, clientSeq, serverSeq, RST | ACK, 0, new byte[0]);
        return this;
    }

    /** The server resets the connection. */
    public TcpConversation serverReset() {
        emit(false, serverSeq, clientSeq, RST | ACK, 0, new byte[0]);
        return this;
    }

    /** A raw segment with explicit numbers, for out-of-order and overlap cases. */
    public TcpConversation raw(boolean fromClient, long seq, long ack, int flags, byte[] data) {
        emit(fromClient, seq, ack, flags, 0, data);
        return this;
    }

    /** A raw segment with an urgent pointer. */
    public TcpConversation raw(boolean fromClient, long seq, long ack, int flags, int urg, byte[] data) {
        emit(fromClient, seq, ack, flags, urg, data);
        return this;
    }

    /**
     * The client sends {@code data} at {@code offset} bytes past its current
     * sequence number (ACK|PSH, acknowledging the server), without moving it;
     * see {@link #clientAdvance}.
     */
    public TcpConversation clientSegment(int offset, byte[] data) {
        emit(true, clientSeq + offset, serverSeq, ACK | PSH, 0, data);
        return this;
    }

    /** As {@link #clientSegment}, from the server. */
    public TcpConversation serverSegment(int offset, byte[] data) {
        emit(false, serverSeq + offset, clientSeq, ACK | PSH, 0, data);
        return this;
    }

    /** Moves the client's sequence number forward by {@code n} (bytes sent with {@link #clientSegment}). */
    public TcpConversation clientAdvance(int n) {
        clientSeq = (clientSeq + n) & 0xffffffffL;
        return this;
    }

    public TcpConversation serverAdvance(int n) {
        serverSeq = (serverSeq + n) & 0xffffffffL;
        return this;
    }

    public long clientSeq() {
        return clientSeq;
    }

    public long serverSeq() {
        return serverSeq;
    }

    public String client() {
        return client;
    }

    public String server() {
        return server;
    }

    public int clientPort() {
        return cport;
    }

    public int serverPort() {
        return sport;
    }
}
