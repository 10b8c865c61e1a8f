package io.github.jnids.cli;

/**
 * Loads the native library (JavaCPP's loader, libnids and libpcap, the
 * default session) on a thread of its own while picocli parses the command
 * line: the two take about as long as each other (0.1 to 0.2 s of CPU time
 * each), and done one after the other they are most of a short run's time.
 * The command then finds the library loaded, or waits for it in the JVM's
 * class initialisation, which lets one thread initialise a class and makes
 * the others wait. Measured with bench/dump-vs-tcpflow.sh (5 rounds on a
 * shared 2-core machine, load 20) against {@code -Djnids.preload=false}:
 * http-small 3.37 s wall, 0.91 s CPU against 3.58 s, 0.97 s; http-large
 * 5.10 s, 1.07 s against 5.94 s, 1.14 s.
 *
 * <p>A failure is kept, not reported: the command reports it when it uses
 * the library. Because a class whose initialisation failed answers every
 * later use with a bare {@code NoClassDefFoundError} ("Could not initialize
 * class"), {@link #failure()} gives the original error for the message.
 */
final class Preload {
    private static volatile Throwable failure;

    private Preload() {
    }

    /** {@code -Djnids.preload=false} loads the library when first used instead, for A/B runs. */
    static final String PROPERTY = "jnids.preload";

    /** Starts loading unless the command line only asks for help. */
    static void start(String[] args) {
        if ("false".equals(System.getProperty(PROPERTY))) return;
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help")) return;
        }
        Thread t = new Thread(Preload::load, "jnids-preload");
        t.setDaemon(true);
        t.start();
    }

    private static void load() {
        try {
            Class.forName("io.github.jnids.Nids", true, Preload.class.getClassLoader());
        } catch (Throwable t) {
            failure = t;
        }
    }

    /** The error loading the library failed with on the preload thread, or null. */
    static Throwable failure() {
        return failure;
    }
}
