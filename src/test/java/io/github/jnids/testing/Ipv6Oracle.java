package io.github.jnids.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What libnids must report for an IPv6 capture, from IPv4-only libnids: the
 * capture is translated ({@link Ipv6ToIpv4}), native/tools/nids_dump runs on
 * the translation ({@link NidsDumpC}), and its addresses are mapped back to the
 * IPv6 ones, in brackets ({@code [2001:db8::1]:443}, as FORMAT.md writes IPv6).
 *
 * <p>Two things of a dump cannot be told from the translation, so both sides
 * are compared in a {@link #comparable} form where they are {@code *}: the
 * length and CRC of {@code IP} and {@code FRAG} lines and the {@code iplen} /
 * {@code ipcrc32} of {@code UDP} lines (an IPv6 datagram is not its IPv4
 * translation); every line is still there, in its order. The {@code TCP
 * EXITING} lines at the end are sorted again after the mapping, as nids_dump
 * sorts them.
 *
 * <p>{@code main} writes {@code NAME.expected} (the comparable form) for every
 * capture of the folders given, with the options in {@code NAME.options}:
 * <pre>
 *   java -cp target/test-classes:... io.github.jnids.testing.Ipv6Oracle testdata/captured/ipv6 testdata/synth/ipv6
 * </pre>
 */
public final class Ipv6Oracle {
    private static final Pattern IPV4 = Pattern.compile("(?<![0-9.])(\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3})(?![0-9.])");
    private static final Pattern IP_FIELDS = Pattern.compile("^(IP|FRAG) len=\\d+ (crc32|data)=\\S+$");
    private static final Pattern UDP_IP_FIELDS = Pattern.compile(" iplen=\\d+ (ipcrc32|ipdata)=\\S+$");

    /** The oracle's dump of a capture: the translation's C dump mapped back, and the translation. */
    public record Oracle(NidsDumpJava.Result mapped, NidsDumpJava.Result ipv4, Ipv6ToIpv4.Translation translation,
                         Path translated) { }

    private Ipv6Oracle() { }

    /** Translates a capture into {@code dir}, dumps the translation with nids_dump, maps the lines back. */
    public static Oracle run(Path capture, List<String> options, Path dir) throws IOException {
        Ipv6ToIpv4.Translation t = Ipv6ToIpv4.translate(capture);
        Path v4 = dir.resolve(capture.getFileName() + ".ipv4.pcap");
        Files.write(v4, t.capture());
        NidsDumpJava.Result c = NidsDumpC.dump(v4, ipv4Only(options));
        return new Oracle(new NidsDumpJava.Result(mapBack(c.lines(), t.toIpv6()), c.status()), c, t, v4);
    }

    /**
     * The options for the translation's dump: IPv6 off ({@code --no-ipv6}), so
     * that the bundled libnids reads it as libnids 1.26 does (IPv6 packets of
     * link types the translator leaves alone stay unread).
     */
    public static List<String> ipv4Only(List<String> options) {
        List<String> o = new ArrayList<>(options);
        if (!o.contains("--no-ipv6")) o.add(0, "--no-ipv6");
        return o;
    }

    /** Every translated IPv4 address back to its IPv6 one, in brackets; the final EXITING lines sorted again. */
    public static List<String> mapBack(List<String> lines, Map<String, String> toIpv6) {
        List<String> out = new ArrayList<>(lines.size());
        for (String l : lines) {
            Matcher m = IPV4.matcher(l);
            StringBuilder b = new StringBuilder();
            while (m.find()) {
                String v6 = toIpv6.get(m.group(1));
                m.appendReplacement(b, Matcher.quoteReplacement(v6 != null ? "[" + v6 + "]" : m.group(1)));
            }
            m.appendTail(b);
            out.add(b.toString());
        }
        int end = out.size();
        if (end > 0 && (out.get(end - 1).startsWith("END ") || out.get(end - 1).startsWith("ERROR"))) end--;
        int from = end;
        while (from > 0 && out.get(from - 1).startsWith("TCP EXITING ")) from--;
        Collections.sort(out.subList(from, end));
        return out;
    }

    /** A dump with what the translation cannot tell masked (see the class comment); ERROR lines by keyword. */
    public static List<String> comparable(List<String> lines) {
        return NidsDumpC.normalized(lines).stream().map(l -> {
            Matcher ip = IP_FIELDS.matcher(l);
            if (ip.matches()) return ip.group(1) + " len=* " + ip.group(2) + "=*";
            if (l.startsWith("UDP ")) return UDP_IP_FIELDS.matcher(l).replaceFirst(" iplen=* ipcrc32=*");
            return l;
        }).collect(Collectors.toList());
    }

    static List<String> optionsOf(Path capture) throws IOException {
        String n = capture.getFileName().toString();
        Path f = capture.resolveSibling(n.substring(0, n.lastIndexOf('.')) + ".options");
        if (!Files.exists(f)) return List.of();
        String s = Files.readString(f, StandardCharsets.UTF_8).trim();
        return s.isEmpty() ? List.of() : List.of(s.split("\\s+"));
    }

    /** The captures (.pcap, .pcapng) of a folder, in name order. */
    public static List<Path> capturesIn(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".pcap") || p.toString().endsWith(".pcapng")).sorted()
                    .collect(Collectors.toList());
        }
    }

    public static void main(String[] args) throws IOException {
        Path tmp = Files.createTempDirectory("ipv6oracle");
        for (String d : args) {
            for (Path capture : capturesIn(Path.of(d))) {
                List<String> options = optionsOf(capture);
                Oracle o = run(capture, options, tmp);
                String n = capture.getFileName().toString();
                Path expected = capture.resolveSibling(n.substring(0, n.lastIndexOf('.')) + ".expected");
                Files.write(expected, comparable(o.mapped().lines()), StandardCharsets.UTF_8);
                System.out.println(expected + ": " + o.mapped().lines().size() + " lines, options " + options);
                Files.deleteIfExists(o.translated());
            }
        }
        Files.deleteIfExists(tmp);
    }
}
