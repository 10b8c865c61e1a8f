package io.github.jnids.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The options of a {@code spark.read.format("jnids")}, checked once on the
 * driver: a bad value fails the query at planning with a message naming the
 * option, what it got and what it accepts.
 */
final class ReadOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    /** What one row is. */
    enum Kind { TCP, UDP, WARNINGS }

    /** Every option this source reads; others are passed to Hadoop's configuration, as Spark's file sources do. */
    static final Set<String> NAMES = Set.of("path", "paths", "kind", "checksums", "filter", "tcpstreams", "ipv6",
            "gaps", "midstream", "payload", "pathglobfilter", "recursivefilelookup", "ignorecorruptfiles", "rotation", "rotationkey");

    /** libnids' limit on n_tcp_streams that jnids accepts (the command's --tcp-streams). */
    static final int MAX_TCP_STREAMS = 1 << 24;

    final List<String> paths;
    final Kind kind;
    final String checksums;
    final String filter;
    final Integer tcpStreams;
    /** IPv6 reassembled (the library's {@code ipv6}, default true). */
    final boolean ipv6;
    /** The command's --gaps: "skip" (default, as the command) or "wait" (libnids' behaviour). */
    final String gaps;
    /** The command's --midstream: also streams whose handshake is not in the capture. */
    final boolean midstream;
    /** Bytes of payload kept per direction (TCP) or datagram (UDP); -1: no payload columns. */
    final int payload;
    final String pathGlobFilter;
    final boolean recursiveFileLookup;
    final boolean ignoreCorruptFiles;
    final boolean rotation;
    /** A regular expression: files whose names are equal once its matches are removed form one rotation set. */
    final String rotationKey;

    /**
     * @param options           the reader's options, keys in lower case (Spark's CaseInsensitiveStringMap)
     * @param ignoreCorruptDefault {@code spark.sql.files.ignoreCorruptFiles}, the default of ignoreCorruptFiles
     */
    ReadOptions(Map<String, String> options, boolean ignoreCorruptDefault) {
        this.paths = paths(options);
        this.kind = kind(options.get("kind"));
        this.checksums = oneOf("checksums", options.getOrDefault("checksums", "auto"), "on", "off", "auto");
        String f = options.get("filter");
        this.filter = f == null || f.isBlank() ? null : f.strip();
        this.tcpStreams = options.containsKey("tcpstreams")
                ? intOption("tcpStreams", options.get("tcpstreams"), 1, MAX_TCP_STREAMS) : null;
        this.ipv6 = bool("ipv6", options.getOrDefault("ipv6", "true"));
        this.gaps = oneOf("gaps", options.getOrDefault("gaps", "skip"), "skip", "wait");
        this.midstream = bool("midstream", options.getOrDefault("midstream", "false"));
        this.payload = options.containsKey("payload")
                ? intOption("payload", options.get("payload"), 0, Integer.MAX_VALUE - 16) : -1;
        if (payload >= 0 && kind == Kind.WARNINGS) {
            throw new IllegalArgumentException("jnids: option payload applies to kind tcp and udp, not warnings");
        }
        String glob = options.get("pathglobfilter");
        this.pathGlobFilter = glob == null || glob.isEmpty() ? null : glob;
        this.recursiveFileLookup = bool("recursiveFileLookup", options.getOrDefault("recursivefilelookup", "false"));
        this.ignoreCorruptFiles = options.containsKey("ignorecorruptfiles")
                ? bool("ignoreCorruptFiles", options.get("ignorecorruptfiles")) : ignoreCorruptDefault;
        this.rotation = bool("rotation", options.getOrDefault("rotation", "false"));
        this.rotationKey = options.getOrDefault("rotationkey", "\\d+");
        try {
            java.util.regex.Pattern.compile(rotationKey);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new IllegalArgumentException("jnids: option rotationKey is not a regular expression: "
                    + e.getMessage(), e);
        }
    }

    private static List<String> paths(Map<String, String> options) {
        List<String> out = new ArrayList<>();
        String json = options.get("paths");
        if (json != null && !json.isBlank()) {
            try {
                for (String p : new ObjectMapper().readValue(json, String[].class)) out.add(p);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("jnids: option paths is not a JSON array of strings: " + json, e);
            }
        }
        String one = options.get("path");
        if (one != null && !one.isBlank()) out.add(one);
        if (out.isEmpty()) {
            throw new IllegalArgumentException("jnids: no capture path given; use"
                    + " spark.read.format(\"jnids\").load(\"dir-or-file\") or option(\"path\", ...)");
        }
        return List.copyOf(out);
    }

    private static Kind kind(String v) {
        String k = oneOf("kind", v == null ? "tcp" : v, "tcp", "udp", "warnings");
        return Kind.valueOf(k.toUpperCase(Locale.ROOT));
    }

    private static String oneOf(String name, String value, String... allowed) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        for (String a : allowed) {
            if (a.equals(v)) return a;
        }
        throw new IllegalArgumentException("jnids: option " + name + " must be one of " + String.join(", ", allowed)
                + ", not '" + value + "'");
    }

    private static boolean bool(String name, String value) {
        return oneOf(name, value, "true", "false").equals("true");
    }

    private static int intOption(String name, String value, int min, int max) {
        long v;
        try {
            v = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("jnids: option " + name + " must be a whole number, not '" + value + "'");
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException("jnids: option " + name + " must be between " + min + " and " + max
                    + ", not " + v);
        }
        return (int) v;
    }
}
