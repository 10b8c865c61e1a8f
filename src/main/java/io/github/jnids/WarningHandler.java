package io.github.jnids;

/**
 * Receives libnids' warnings about malformed traffic and its port-scan reports.
 *
 * <pre>{@code
 * Nids.registerWarning(w -> System.out.println(w.kind() + ": " + w.message()));
 * }</pre>
 */
@FunctionalInterface
public interface WarningHandler {
    void accept(NidsWarning warning) throws Exception;
}
