package io.github.jnids.spark;

import java.util.List;
import java.util.Map;

/** The checksums option, as the command's: on (libnids verifies them), off, auto. */
final class Checksums {
    private Checksums() { }

    static void apply(Engine engine, String mode) {
        switch (mode) {
            case "on" -> { }
            case "off" -> engine.chksumCtl(List.of(Map.entry("0.0.0.0/0", false)));
            case "auto" -> {
                try {
                    engine.param("checksums", "auto");
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("jnids: option checksums=auto needs a jnids with"
                            + " checksum-offload detection, which this one (" + io.github.jnids.Nids.version()
                            + ") lacks; use checksums=on, or off for captures taken on the sending host", e);
                }
            }
            default -> throw new IllegalArgumentException("jnids: option checksums must be on, off or auto, not " + mode);
        }
    }
}
