package io.github.jnids.spark;

import java.util.List;
import java.util.Map;

import io.github.jnids.NidsSession;
import io.github.jnids.TcpHandler;
import io.github.jnids.UdpHandler;
import io.github.jnids.WarningHandler;

/** A libnids engine of the reader's own: readers of one executor run side by side. */
final class SessionEngine implements Engine {
    private final NidsSession session = new NidsSession();

    @Override
    public Object param(String name, Object value) {
        return session.param(name, value);
    }

    @Override
    public void chksumCtl(List<Map.Entry<String, Boolean>> rules) {
        session.chksumCtl(rules);
    }

    @Override
    public void registerTcp(TcpHandler h) {
        session.registerTcp(h);
    }

    @Override
    public void registerUdp(UdpHandler h) {
        session.registerUdp(h);
    }

    @Override
    public void registerWarning(WarningHandler h) {
        session.registerWarning(h);
    }

    @Override
    public void init() {
        session.init();
    }

    @Override
    public int dispatch(int count) {
        return session.dispatch(count);
    }

    @Override
    public void exit() {
        session.exit();
    }

    @Override
    public double getPktTs() {
        return session.getPktTs();
    }

    @Override
    public long packetCount() {
        return session.packetCount();
    }

    @Override
    public boolean isOpen() {
        return session.isOpen();
    }

    @Override
    public void close() {
        session.close();
    }

    @Override
    public String toString() {
        return session.toString();
    }
}
