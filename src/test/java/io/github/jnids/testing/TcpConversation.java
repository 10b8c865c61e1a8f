package io.github.jnids.testing;

import static io.github.jnids.testing.Packets.*;

/**
 * A TCP connection between a client and a server, written packet by packet
 * into a {@link PcapWriter} as Ethernet frames, with sequence numbers tracked.
 *
 * <pre>{@code
 * PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
 * TcpConversation c = new TcpConversation(w, "10.0.0.1", 40000, "10.0.0.2", 80);
 * c.handshake().clientSends("GET / HTTP/1.0\r\n\r\n").serverSends("HTTP/1.0 200 OK\r\n\r\nhi").close();
 * }</pre>
 */
public final class TcpConversation {
    private final PcapWriter out;
    private final String client, server;
    private final int cport, sport;
    private long clientSeq = 1000, serverSeq = 5000;
    private long micros = 1_700_000_000_000_000L;

    public TcpConversation(PcapWriter out, String client, int cport, String server, int sport) {
        this.out = out;
        this.client = client;
        this.cport = cport;
        this.server = server;
        this.sport = sport;
    }

    public TcpConversation at(long micros) {
        this.micros = micros;
        return this;
    }

    private void emit(boolean fromClient, long seq, long ack, int flags, int urg, byte[] data) {
        micros += 100;
        byte[] seg = fromClient ? tcp(client, cport, server, sport, seq, ack, flags, urg, data)
                : tcp(server, sport, client, cport, seq, ack, flags, urg, data);
        byte[] ip = fromClient ? ipv4(client, server, 6, seg) : ipv4(server, client, 6, seg);
        out.packet(micros, ethernet(ip));
    }

    public TcpConversation handshake() {
        emit(true, clientSeq, 0, SYN, 0, new byte[0]);
        clientSeq++;
        emit(false, serverSeq, clientSeq, SYN | ACK, 0, new byte[0]);
        serverSeq++;
        emit(true, clientSeq, serverSeq, ACK, 0, new byte[0]);
        return this;
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
        emit(true, clientSeq, serverSeq, ACK | PSH | URG, data.length, data);
        clientSeq += data.length;
        emit(false, serverSeq, clientSeq, ACK, 0, new byte[0]);
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

    /** The client resets the connection. */
    public TcpConversation reset() {
        emit(true, clientSeq, serverSeq, RST | ACK, 0, new byte[0]);
        return this;
    }

    /** A raw segment with explicit numbers, for out-of-order and overlap cases. */
    public TcpConversation raw(boolean fromClient, long seq, long ack, int flags, byte[] data) {
        emit(fromClient, seq, ack, flags, 0, data);
        return this;
    }

    public long clientSeq() {
        return clientSeq;
    }

    public long serverSeq() {
        return serverSeq;
    }
}
