package jnidsbench.jmh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.bytedeco.javacpp.PointerPointer;
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

import io.github.jnids.HalfStream;
import io.github.jnids.Nids;
import io.github.jnids.TcpStream;
import io.github.jnids.global.nids;

/**
 * Nanoseconds per TCP data segment of micro-tcp.pcap (one connection, 20000
 * in-order 64-byte segments), replayed through libnids with one handler:
 * <ul>
 * <li>{@code none}: registered, collects nothing: libnids and libpcap alone, no callback per segment;</li>
 * <li>{@code state}: collects, reads nidsState(): one callback crossing per segment;</li>
 * <li>{@code countNew}: case (a): nidsState() plus client().countNew() + server().countNew();</li>
 * <li>{@code fields}: nidsState() plus 14 half-stream reads (state, collect, count, offset,
 *     countNew, countNewUrg, urgdata of both) and addr().sport();</li>
 * <li>{@code dataBuffer}: countNew plus server().dataBuffer() and its last byte;</li>
 * <li>{@code data}: countNew plus server().data(), a 64-byte copy;</li>
 * <li>{@code rawJavaCpp}: for calibration, no facade: a JavaCPP FunctionPointer registered with
 *     libnids through the raw bindings, reading nids_state(), client().count_new() and
 *     server().count_new() through the generated getters.</li>
 * </ul>
 * The cost of one crossing is {@code state - none} (it includes libnids' own
 * delivery work: add2buf and notify); compare bench_c's figures in run-jmh.sh.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(1)
public class TcpCallbackBench {
    @Param({"none", "state", "countNew", "fields", "dataBuffer", "data", "rawJavaCpp"})
    public String handler;

    private String capture;
    private nids.jnids_tcp_callback raw;
    static long sink;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        Path dir = Path.of(System.getProperty("jnids.bench.dir", "../out"));
        MicroCapture.ensure(dir);
        capture = MicroCapture.tcp(dir).toString();
        switch (handler) {
            case "none" -> Nids.registerTcp(tcp -> sink += tcp.nidsState());
            case "state" -> Nids.registerTcp(TcpCallbackBench::state);
            case "countNew" -> Nids.registerTcp(TcpCallbackBench::countNew);
            case "fields" -> Nids.registerTcp(TcpCallbackBench::fields);
            case "dataBuffer" -> Nids.registerTcp(TcpCallbackBench::dataBuffer);
            case "data" -> Nids.registerTcp(TcpCallbackBench::data);
            case "rawJavaCpp" -> raw = new RawCallback();
            default -> throw new IllegalArgumentException(handler);
        }
    }

    static boolean established(TcpStream tcp, int state) {
        if (state == Nids.NIDS_JUST_EST) {
            tcp.client().collect(true);
            tcp.server().collect(true);
            return true;
        }
        return false;
    }

    static void state(TcpStream tcp) {
        int s = tcp.nidsState();
        if (!established(tcp, s)) sink += s;
    }

    static void countNew(TcpStream tcp) {
        int s = tcp.nidsState();
        if (!established(tcp, s) && s == Nids.NIDS_DATA) sink += tcp.client().countNew() + tcp.server().countNew();
    }

    static void fields(TcpStream tcp) {
        int s = tcp.nidsState();
        if (established(tcp, s) || s != Nids.NIDS_DATA) return;
        HalfStream c = tcp.client(), v = tcp.server();
        sink += c.state() + c.count() + c.offset() + c.countNew() + c.countNewUrg() + c.urgdata() + (c.collect() ? 1 : 0)
                + v.state() + v.count() + v.offset() + v.countNew() + v.countNewUrg() + v.urgdata() + (v.collect() ? 1 : 0)
                + tcp.addr().sport();
    }

    static void dataBuffer(TcpStream tcp) {
        int s = tcp.nidsState();
        if (established(tcp, s) || s != Nids.NIDS_DATA) return;
        int n = tcp.client().countNew() + tcp.server().countNew();
        ByteBuffer b = tcp.server().dataBuffer();
        sink += n + b.get(b.limit() - 1);
    }

    static void data(TcpStream tcp) {
        int s = tcp.nidsState();
        if (established(tcp, s) || s != Nids.NIDS_DATA) return;
        int n = tcp.client().countNew() + tcp.server().countNew();
        byte[] d = tcp.server().data();
        sink += n + d[d.length - 1];
    }

    /** The straightforward JavaCPP path, as the calibration describes it. */
    static final class RawCallback extends nids.jnids_tcp_callback {
        @Override
        public void call(nids.tcp_stream a, PointerPointer param) {
            byte s = a.nids_state();
            if (s == Nids.NIDS_JUST_EST) {
                a.client().collect((byte) (a.client().collect() + 1));
                a.server().collect((byte) (a.server().collect() + 1));
            } else if (s == Nids.NIDS_DATA) {
                sink += a.client().count_new() + a.server().count_new();
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(MicroCapture.SEGMENTS)
    public long replay() {
        Nids.param("filename", capture);
        Nids.init();
        if (raw != null) nids.jnids_raw_register_tcp(io.github.jnids.Nids.session().rawSession(), raw);
        Nids.run();
        return sink;
    }
}
