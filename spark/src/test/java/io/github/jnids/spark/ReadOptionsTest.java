package io.github.jnids.spark;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;

import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Bad options and bad files fail with messages that say what is wrong and what to do. */
class ReadOptionsTest {
    private static DataFrameReader jnids() {
        return SparkTests.spark().read().format("jnids");
    }

    private static String failure(Runnable r) {
        Throwable t = assertThrows(Throwable.class, r::run);
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) all.append(c.getMessage()).append(" | ");
        return all.toString();
    }

    private static final String CAPTURE = SparkTests.testdata("captured").resolve("reset.pcap").toString();

    @Test
    void badOptionValuesAreNamed() {
        assertTrue(failure(() -> jnids().option("kind", "icmp").load(CAPTURE)).contains("option kind must be one of tcp, udp, warnings, not 'icmp'"));
        assertTrue(failure(() -> jnids().option("checksums", "maybe").load(CAPTURE)).contains("option checksums must be one of on, off, auto"));
        assertTrue(failure(() -> jnids().option("payload", "-1").load(CAPTURE)).contains("option payload must be between 0"));
        assertTrue(failure(() -> jnids().option("tcpStreams", "lots").load(CAPTURE)).contains("option tcpStreams must be a whole number"));
        assertTrue(failure(() -> jnids().option("rotation", "yes").load(CAPTURE)).contains("option rotation must be one of true, false"));
        assertTrue(failure(() -> jnids().option("ipv6", "maybe").load(CAPTURE)).contains("option ipv6 must be one of true, false"));
        assertTrue(failure(() -> jnids().option("gaps", "fill").load(CAPTURE)).contains("option gaps must be one of skip, wait"));
        assertTrue(failure(() -> jnids().option("midstream", "1").load(CAPTURE)).contains("option midstream must be one of true, false"));
        assertTrue(failure(() -> jnids().option("kind", "warnings").option("payload", 10).load(CAPTURE))
                .contains("payload applies to kind tcp and udp"));
        assertTrue(failure(() -> jnids().load()).contains("no capture path given"));
        String schema = failure(() -> jnids().schema(new StructType().add("x", "int")).load(CAPTURE).collectAsList());
        assertTrue(schema.contains("does not support user-specified schema"), schema);
    }

    @Test
    void ipv6FalseSkipsIpv6Streams() {
        String v6 = SparkTests.testdata("captured").resolve("ipv6").resolve("http-small.pcap").toString();
        assertEquals(6, jnids().load(v6).collectAsList().size(), "IPv6 streams by default");
        assertEquals(0, jnids().option("ipv6", "false").load(v6).collectAsList().size());
    }

    @Test
    void aMissingPathIsNamed() {
        String missing = SparkTests.testdata("captured").resolve("no-such.pcap").toString();
        assertTrue(failure(() -> jnids().load(missing).collectAsList()).contains("path does not exist: file:" + missing));
    }

    @Test
    void aFileThatIsNotACaptureFailsTheJobNamingIt() {
        Path text = SparkTests.testdata("synth").resolve("not-a-capture.txt");
        String m = failure(() -> jnids().load(text.toString()).collectAsList());
        assertTrue(m.contains("cannot read file:" + text + " as a capture") && m.contains("ignoreCorruptFiles"), m);
    }

    @Test
    void ignoreCorruptFilesSkipsIt() {
        Path text = SparkTests.testdata("synth").resolve("not-a-capture.txt");
        assertEquals(4, jnids().option("ignoreCorruptFiles", "true")
                .load(text.toString(), CAPTURE).collectAsList().size());
    }

    @Test
    void aBadFilterIsNamed() {
        String m = failure(() -> jnids().option("filter", "tcp port eighty").load(CAPTURE).collectAsList());
        assertTrue(m.contains("tcp port eighty"), m);
    }

    @Test
    void aUserFilterAppliesToThePackets() {
        long all = jnids().load(CAPTURE).count();
        long none = jnids().option("filter", "udp").load(CAPTURE).count();
        assertEquals(4, all);
        assertEquals(0, none);
    }
}
