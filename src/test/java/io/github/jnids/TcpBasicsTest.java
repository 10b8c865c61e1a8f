package io.github.jnids;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.jnids.testing.PcapWriter;
import io.github.jnids.testing.TcpConversation;

class TcpBasicsTest {
    @TempDir
    Path dir;

    private final List<Object> registered = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        Nids.exit();
        for (Object h : registered) Nids.unregisterTcp((TcpHandler) h);
        Nids.param("filename", null);
    }

    private void register(TcpHandler h) {
        registered.add(h);
        Nids.registerTcp(h);
    }

    @Test
    void reassemblesBothDirectionsOfAConversation() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        new TcpConversation(w, "10.0.0.1", 40000, "10.0.0.2", 80).handshake()
                .clientSends("GET / HTTP/1.0\r\n\r\n").serverSends("HTTP/1.0 200 OK\r\n\r\n")
                .serverSends("hello").close();
        Path file = w.write(dir.resolve("conv.pcap"));

        ByteArrayOutputStream cts = new ByteArrayOutputStream(), stc = new ByteArrayOutputStream();
        List<Integer> states = new ArrayList<>();
        List<Tuple4> addrs = new ArrayList<>();
        register(tcp -> {
            states.add(tcp.nidsState());
            addrs.add(tcp.addr());
            if (tcp.nidsState() == Nids.NIDS_JUST_EST) {
                tcp.client().collect(true);
                tcp.server().collect(true);
            } else if (tcp.nidsState() == Nids.NIDS_DATA) {
                if (tcp.server().countNew() > 0) cts.writeBytes(tcp.server().data());
                if (tcp.client().countNew() > 0) stc.writeBytes(tcp.client().data());
            }
        });
        Nids.param("filename", file.toString());
        Nids.init();
        Nids.run();
        assertFalse(Nids.isOpen());
        assertEquals("GET / HTTP/1.0\r\n\r\n", cts.toString(StandardCharsets.ISO_8859_1));
        assertEquals("HTTP/1.0 200 OK\r\n\r\nhello", stc.toString(StandardCharsets.ISO_8859_1));
        assertEquals(List.of(1, 2, 2, 2, 3), states);
        assertEquals(new Tuple4("10.0.0.1", 40000, "10.0.0.2", 80), addrs.get(0));
        assertEquals("((10.0.0.1, 40000), (10.0.0.2, 80))", addrs.get(0).toString());
    }
}
