package io.github.jnids.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

import io.github.jnids.Nids;
import io.github.jnids.TcpHandler;
import io.github.jnids.UdpHandler;
import io.github.jnids.WarningHandler;

/**
 * The JVM's one static libnids session ({@link Nids}), lent to one reader at a
 * time: readers of one executor wait for each other. Every parameter it sets
 * and handler it registers is undone by {@link #close()}.
 */
final class StaticEngine implements Engine {
    /** A permit, not a lock: Spark may close a reader on another thread than the one that opened it. */
    private static final Semaphore ONE_AT_A_TIME = new Semaphore(1, true);

    private final List<Runnable> undo = new ArrayList<>();
    private boolean closed;

    StaticEngine() {
        ONE_AT_A_TIME.acquireUninterruptibly();
    }

    @Override
    public Object param(String name, Object value) {
        Object previous = Nids.param(name, value);
        undo.add(() -> Nids.param(name, previous));
        return previous;
    }

    @Override
    public void chksumCtl(List<Map.Entry<String, Boolean>> rules) {
        Nids.chksumCtl(rules);
        undo.add(() -> Nids.chksumCtl(List.of()));
    }

    @Override
    public void registerTcp(TcpHandler h) {
        Nids.registerTcp(h);
        undo.add(() -> Nids.unregisterTcp(h));
    }

    @Override
    public void registerUdp(UdpHandler h) {
        Nids.registerUdp(h);
        undo.add(() -> Nids.unregisterUdp(h));
    }

    @Override
    public void registerWarning(WarningHandler h) {
        Nids.registerWarning(h);
        undo.add(() -> Nids.unregisterWarning(h));
    }

    @Override
    public void init() {
        Nids.init();
    }

    @Override
    public int dispatch(int count) {
        return Nids.dispatch(count);
    }

    @Override
    public void exit() {
        Nids.exit();
    }

    @Override
    public double getPktTs() {
        return Nids.getPktTs();
    }

    @Override
    public long packetCount() {
        return Nids.packetCount();
    }

    @Override
    public boolean isOpen() {
        return Nids.isOpen();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            try {
                Nids.exit();
            } catch (RuntimeException e) {
                // a handler's exception pending at the end: the session is closed anyway
            }
            for (int i = undo.size() - 1; i >= 0; i--) undo.get(i).run();
        } finally {
            ONE_AT_A_TIME.release();
        }
    }
}
