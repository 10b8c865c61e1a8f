package io.github.jnids;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.jnids.testing.PcapWriter;
import io.github.jnids.testing.TcpConversation;

/**
 * Hundreds of TCP handlers on one stream. libnids counts a half stream's
 * listeners in a {@code char} ({@code collect}), so unpatched, the 128th
 * handler to collect made the count negative and later ones silently stopped
 * hearing the stream. Every handler must see the stream from its
 * {@code NIDS_JUST_EST} to its end, or registration must fail with a clear
 * message; never a silent partial delivery.
 */
class ManyHandlersTest {
    @TempDir
    Path dir;

    /** What one handler saw of the stream. */
    private static final class Seen {
        final boolean serverOnly;
        int est, close, other;
        final ByteArrayOutputStream toServer = new ByteArrayOutputStream(), toClient = new ByteArrayOutputStream();

        Seen(boolean serverOnly) {
            this.serverOnly = serverOnly;
        }
    }

    private static void append(HalfStream h, ByteArrayOutputStream into) {
        int n = h.countNew();
        if (n <= 0) return;
        ByteBuffer b = h.dataBuffer();
        byte[] fresh = new byte[n];
        b.get(b.limit() - n, fresh);
        into.writeBytes(fresh);
    }

    /**
     * One conversation, several exchanges each way, ended by FIN; n handlers,
     * every third collecting only what the client sends (server half). Each
     * must see NIDS_JUST_EST once, exactly the bytes of its directions, in
     * order, and NIDS_CLOSE once; the server-only ones never a callback for
     * the server's bytes.
     */
    @ParameterizedTest(name = "{0} handlers")
    @ValueSource(ints = {200, 300})
    void everyHandlerSeesTheStreamToItsEnd(int n) throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        TcpConversation c = new TcpConversation(w, "10.9.0.1", 41000, "10.9.0.2", 80).handshake();
        StringBuilder cts = new StringBuilder(), stc = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            String req = "request " + i + " " + "x".repeat(i * 100), resp = "response " + i + " " + "y".repeat(i * 300);
            c.clientSends(req).serverSends(resp);
            cts.append(req);
            stc.append(resp);
        }
        c.close();
        Path file = w.write(dir.resolve("one-stream.pcap"));

        List<Seen> seen = new ArrayList<>();
        try (NidsSession s = new NidsSession()) {
            s.param("filename", file.toString());
            s.param("scan_num_hosts", 0);
            for (int i = 0; i < n; i++) {
                Seen me = new Seen(i % 3 == 0);
                try {
                    s.registerTcp(tcp -> {
                        switch (tcp.nidsState()) {
                            case Nids.NIDS_JUST_EST -> {
                                me.est++;
                                tcp.server().collect(true);
                                if (!me.serverOnly) tcp.client().collect(true);
                            }
                            case Nids.NIDS_DATA -> {
                                append(tcp.server(), me.toServer);
                                if (me.serverOnly && tcp.client().countNew() > 0) me.other++;
                                append(tcp.client(), me.toClient);
                            }
                            case Nids.NIDS_CLOSE -> me.close++;
                            default -> me.other++;
                        }
                    });
                } catch (IllegalArgumentException | IllegalStateException e) {
                    // refusing more handlers is allowed, if said clearly and before any packet
                    assertNotNull(e.getMessage(), "refusing handler " + (i + 1) + " without a message");
                    assertTrue(i >= 200, "handler " + (i + 1) + " refused: " + e.getMessage());
                    System.out.println("ManyHandlersTest: handler " + (i + 1) + " refused: " + e.getMessage());
                    break;
                }
                seen.add(me);
            }
            s.init();
            s.run();
        }
        assertTrue(seen.size() >= 200, "only " + seen.size() + " handlers accepted");
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < seen.size(); i++) {
            Seen me = seen.get(i);
            String wantStc = me.serverOnly ? "" : stc.toString();
            if (me.est != 1 || me.close != 1 || me.other != 0 || !me.toServer.toString().equals(cts.toString())
                    || !me.toClient.toString().equals(wantStc)) {
                wrong.add("handler " + (i + 1) + (me.serverOnly ? " (server half only)" : "") + ": est=" + me.est
                        + " close=" + me.close + " other=" + me.other + " cts " + me.toServer.size() + "/"
                        + cts.length() + " B, stc " + me.toClient.size() + "/" + wantStc.length() + " B");
            }
        }
        if (!wrong.isEmpty()) {
            fail(wrong.size() + " of " + seen.size() + " handlers did not see the whole stream, e.g. "
                    + wrong.subList(0, Math.min(10, wrong.size())));
        }
    }
}
