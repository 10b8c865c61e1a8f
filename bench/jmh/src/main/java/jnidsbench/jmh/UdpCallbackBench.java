package jnidsbench.jmh;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.github.jnids.Nids;

/**
 * Nanoseconds per datagram of micro-udp.pcap (20000 UDP datagrams with 64
 * bytes of payload) with: {@code none} (no handler: libnids and libpcap
 * alone), {@code udp} (a UDP handler reading payload.remaining()),
 * {@code udpAddr} (the same plus addr().sport()), {@code ip} (an IP handler
 * reading ipPacket.remaining()), {@code udpAndIp} (both). One crossing costs
 * {@code udp - none}, or {@code ip - none}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(1)
public class UdpCallbackBench {
    @Param({"none", "udp", "udpAddr", "ip", "udpAndIp"})
    public String handler;

    private String capture;
    static long sink;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        Path dir = Path.of(System.getProperty("jnids.bench.dir", "../out"));
        MicroCapture.ensure(dir);
        capture = MicroCapture.udp(dir).toString();
        if (handler.startsWith("udp")) {
            if (handler.equals("udpAddr")) {
                Nids.registerUdp((addr, payload, ip) -> sink += payload.remaining() + addr.sport());
            } else {
                Nids.registerUdp((addr, payload, ip) -> sink += payload.remaining());
            }
        }
        if (handler.equals("ip") || handler.equals("udpAndIp")) {
            Nids.registerIp(ip -> sink += ip.remaining());
        }
    }

    @Benchmark
    @OperationsPerInvocation(MicroCapture.DATAGRAMS)
    public long replay() {
        Nids.param("filename", capture);
        Nids.init();
        Nids.run();
        return sink;
    }
}
