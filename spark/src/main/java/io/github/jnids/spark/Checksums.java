package io.github.jnids.spark;

import java.util.List;
import java.util.Map;

/**
 * The checksums option, as the command's {@code --checksum}: auto (the
 * default: verified, except packets and senders showing checksum offload),
 * on (libnids verifies them all), off.
 */
final class Checksums {
    private Checksums() { }

    static void apply(Engine engine, String mode) {
        switch (mode) {
            case "on" -> { }
            case "off" -> engine.chksumCtl(List.of(Map.entry("0.0.0.0/0", false)));
            case "auto" -> engine.param("checksums", "auto");
            default -> throw new IllegalArgumentException("jnids: option checksums must be on, off or auto, not " + mode);
        }
    }
}
