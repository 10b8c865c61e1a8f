package io.github.jnids.cli;

import io.github.jnids.Nids;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Ends a live capture cleanly on Ctrl-C or SIGTERM: the signal stops
 * {@code Nids.run()} from the signal thread, and the main thread goes on to
 * report the open streams and the summary, then exits with status 0. A second
 * signal ends the process at once. Where signals cannot be handled (e.g. a JVM
 * run with -Xrs), a shutdown hook stops the run and waits for the report.
 * {@code sun.misc.Signal} (module jdk.unsupported) is reached by reflection,
 * so that the build does not warn about it.
 */
final class Interrupt {
    private final AtomicInteger signals = new AtomicInteger();
    private final List<Object> handled = new ArrayList<>();
    private final List<Object> previous = new ArrayList<>();
    private Method handle;
    private final CountDownLatch finished = new CountDownLatch(1);
    private Thread hook;

    static Interrupt install() {
        Interrupt i = new Interrupt();
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Constructor<?> newSignal = signalClass.getConstructor(String.class);
            Method getNumber = signalClass.getMethod("getNumber");
            i.handle = signalClass.getMethod("handle", signalClass, handlerClass);
            Object handler = Proxy.newProxyInstance(Interrupt.class.getClassLoader(), new Class<?>[] {handlerClass},
                    (proxy, method, args) -> {
                        if (method.getName().equals("handle")) {
                            i.onSignal((Integer) getNumber.invoke(args[0]));
                            return null;
                        }
                        return switch (method.getName()) {
                            case "hashCode" -> System.identityHashCode(proxy);
                            case "equals" -> proxy == args[0];
                            default -> "jnids signal handler";
                        };
                    });
            for (String name : List.of("INT", "TERM")) {
                Object signal = newSignal.newInstance(name);
                Object old = i.handle.invoke(null, signal, handler);
                i.handled.add(signal);
                i.previous.add(old);
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            i.restore();
            i.hook = new Thread(i::onShutdown, "jnids-shutdown");
            Runtime.getRuntime().addShutdownHook(i.hook);
        }
        return i;
    }

    private void onSignal(int number) {
        if (signals.incrementAndGet() > 1) {
            Runtime.getRuntime().halt(128 + number);
        }
        stop();
    }

    private void onShutdown() {
        stop();
        try {
            finished.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void stop() {
        try {
            Nids.stop();
        } catch (RuntimeException e) {
            // the run already ended
        }
    }

    /** Whether a signal asked the run to stop. */
    boolean fired() {
        return signals.get() > 0;
    }

    /** The run is over and reported: puts the previous handling back. */
    void done() {
        finished.countDown();
        restore();
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down already: the hook is running and now returns
            }
        }
    }

    private void restore() {
        for (int k = 0; k < handled.size(); k++) {
            try {
                handle.invoke(null, handled.get(k), previous.get(k));
            } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
                // leave it
            }
        }
        handled.clear();
        previous.clear();
    }
}
