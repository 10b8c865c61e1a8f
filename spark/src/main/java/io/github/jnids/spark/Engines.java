package io.github.jnids.spark;

import java.util.concurrent.atomic.AtomicInteger;

/** Where readers get their libnids engine; counts the engines open at once in this JVM. */
final class Engines {
    private static final AtomicInteger OPEN = new AtomicInteger();
    private static final AtomicInteger MAX_OPEN = new AtomicInteger();

    private Engines() { }

    static Engine create() {
        Engine e = new SessionEngine();
        MAX_OPEN.accumulateAndGet(OPEN.incrementAndGet(), Math::max);
        return new Counted(e);
    }

    /** The most engines that were open at once since {@link #resetMaxOpen()} (for tests and metrics). */
    static int maxOpen() {
        return MAX_OPEN.get();
    }

    static void resetMaxOpen() {
        MAX_OPEN.set(OPEN.get());
    }

    /** Counts itself out once when closed. */
    private static final class Counted implements Engine {
        private final Engine e;
        private boolean closed;

        Counted(Engine e) {
            this.e = e;
        }

        @Override public Object param(String name, Object value) { return e.param(name, value); }
        @Override public void chksumCtl(java.util.List<java.util.Map.Entry<String, Boolean>> rules) { e.chksumCtl(rules); }
        @Override public void registerTcp(io.github.jnids.TcpHandler h) { e.registerTcp(h); }
        @Override public void registerUdp(io.github.jnids.UdpHandler h) { e.registerUdp(h); }
        @Override public void registerWarning(io.github.jnids.WarningHandler h) { e.registerWarning(h); }
        @Override public void init() { e.init(); }
        @Override public int dispatch(int count) { return e.dispatch(count); }
        @Override public void exit() { e.exit(); }
        @Override public double getPktTs() { return e.getPktTs(); }
        @Override public long packetCount() { return e.packetCount(); }
        @Override public boolean isOpen() { return e.isOpen(); }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            // Counted out before the engine is given back: the next reader may get it at once.
            OPEN.decrementAndGet();
            e.close();
        }
    }
}
