package io.github.jnids.spark;

/** Where readers get their libnids engine. */
final class Engines {
    private Engines() { }

    static Engine create() {
        return new StaticEngine();
    }
}
