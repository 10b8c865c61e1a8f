package io.github.jnids.cli;

import static io.github.jnids.testing.LossyTransfer.data;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.github.jnids.cli.Jnids.Result;
import io.github.jnids.testing.LossyTransfer;
import io.github.jnids.testing.PcapWriter;

/** --gaps: the marks of a stream with holes, the dump with holes as zeros, and libnids' output with wait. */
class GapsCommandTest {
    @TempDir
    Path dir;

    /** A hole each way, both acknowledged, then an orderly close. */
    private LossyTransfer lossy(PcapWriter w) {
        LossyTransfer t = new LossyTransfer(w, 41000);
        t.send(true, data(300, 1)).lose(true, data(200, 2)).send(true, data(100, 3)).ack(true);
        t.send(false, data(1000, 4)).lose(false, data(500, 5)).lose(false, data(500, 6))
                .send(false, data(250, 7)).ack(false);
        t.lose(true, data(50, 8)).send(true, data(20, 9)).ack(true).close();
        return t;
    }

    @Test
    void skipMarksTheStreamAndDumpsHolesAsZeros() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        LossyTransfer t = lossy(w);
        Path cap = w.write(dir.resolve("lossy.pcap"));

        Result text = Jnids.run(cap.toString());
        CommandTest.assertSuccess(text);
        assertEquals(List.of("[+] 10.0.0.1:41000 - 10.0.0.2:80 (CTS: 420B | STC: 1250B) [gaps: 3, missing 250B/1000B]"),
                text.lines(), text::toString);

        Path flows = dir.resolve("flows");
        Result json = Jnids.run("--json", "--dump", flows.toString(), cap.toString());
        CommandTest.assertSuccess(json);
        JsonObject o = JsonParser.parseString(json.lines().get(0)).getAsJsonObject();
        assertEquals("close", o.get("state").getAsString());
        assertEquals(420, o.get("bytes_cts").getAsLong());
        assertEquals(1250, o.get("bytes_stc").getAsLong());
        assertEquals(3, o.get("gaps").getAsInt());
        assertEquals(250, o.get("missing_cts").getAsLong());
        assertEquals(1000, o.get("missing_stc").getAsLong());
        // each file holds every byte at its stream offset, the holes as zeros
        assertArrayEquals(t.truth(true).image(), Files.readAllBytes(Path.of(o.get("file_cts").getAsString())));
        assertArrayEquals(t.truth(false).image(), Files.readAllBytes(Path.of(o.get("file_stc").getAsString())));
    }

    @Test
    void waitGivesLibnidsOutput() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        LossyTransfer t = lossy(w);
        Path cap = w.write(dir.resolve("lossy.pcap"));
        Path flows = dir.resolve("flows");
        Result r = Jnids.run("--gaps", "wait", "--json", "--dump", flows.toString(), cap.toString());
        CommandTest.assertSuccess(r);
        JsonObject o = JsonParser.parseString(r.lines().get(0)).getAsJsonObject();
        assertEquals("open", o.get("state").getAsString(), "libnids: the FIN waits behind the hole");
        assertFalse(o.has("gaps"));
        assertFalse(o.has("missing_cts"));
        assertArrayEquals(Arrays.copyOf(t.truth(true).sent(), 300),
                Files.readAllBytes(Path.of(o.get("file_cts").getAsString())));
        assertArrayEquals(Arrays.copyOf(t.truth(false).sent(), 1000),
                Files.readAllBytes(Path.of(o.get("file_stc").getAsString())));
        Result text = Jnids.run("--gaps", "wait", cap.toString());
        assertEquals(List.of("[+] 10.0.0.1:41000 - 10.0.0.2:80 (CTS: 300B | STC: 1000B) [open]"), text.lines());
    }

    @Test
    void aStreamWithoutHolesHasNoMark() throws Exception {
        PcapWriter w = new PcapWriter(PcapWriter.LINKTYPE_ETHERNET);
        LossyTransfer t = new LossyTransfer(w, 41001);
        t.send(true, data(10, 1)).ack(true).send(false, data(20, 2)).ack(false).close();
        Path cap = w.write(dir.resolve("whole.pcap"));
        for (String mode : List.of("skip", "wait")) {
            Result r = Jnids.run("--gaps", mode, cap.toString());
            assertEquals(List.of("[+] 10.0.0.1:41001 - 10.0.0.2:80 (CTS: 10B | STC: 20B)"), r.lines(), mode);
        }
    }

    @Test
    void aBadModeIsAUsageError() {
        Result r = Jnids.run("--gaps", "fill", "x.pcap");
        String line = CommandTest.assertFails(2, r);
        assertTrue(line.contains("--gaps takes skip or wait, not 'fill'"), line);
    }
}
