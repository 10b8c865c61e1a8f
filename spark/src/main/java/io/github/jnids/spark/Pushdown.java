package io.github.jnids.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.apache.spark.sql.sources.EqualTo;
import org.apache.spark.sql.sources.Filter;
import org.apache.spark.sql.sources.In;

/**
 * The filters a BPF expression can do cheaply, before libnids sees a packet:
 * a port ({@code dport = 443}, {@code sport IN (80, 8080)}) or an address
 * ({@code src = '10.0.0.1'}). A stream with {@code dport = 443} has port 443
 * on one side of every packet, both ways, so {@code tcp port 443} keeps all
 * of its packets (and drops other streams'); a non-first IP fragment has no
 * ports, so fragments always pass; VLAN-tagged frames are matched inside the
 * tag. Spark still applies every filter to the rows: the BPF only spares
 * libnids the packets of rows that would be filtered out. (With fewer streams
 * in its table, libnids also evicts fewer: a stream dropped as "timeout" in a
 * full read of an overloaded table may come out whole.)
 */
final class Pushdown {
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}");

    private final List<Filter> pushed = new ArrayList<>();
    private final List<String> clauses = new ArrayList<>();
    private final String proto;

    Pushdown(ReadOptions.Kind kind) {
        this.proto = kind == ReadOptions.Kind.UDP ? "udp" : kind == ReadOptions.Kind.TCP ? "tcp" : null;
    }

    /** Takes the filters it can turn into BPF; all of them stay Spark's to evaluate too. */
    void offer(Filter[] filters) {
        if (proto == null) return;
        for (Filter f : filters) {
            String c = clause(f);
            if (c != null) {
                pushed.add(f);
                clauses.add(c);
            }
        }
    }

    private String clause(Filter f) {
        if (f instanceof EqualTo e) return clause(e.attribute(), new Object[] {e.value()});
        if (f instanceof In in) return clause(in.attribute(), in.values());
        return null;
    }

    private String clause(String column, Object[] values) {
        if (values.length == 0 || values.length > 64) return null;
        List<String> alternatives = new ArrayList<>();
        for (Object v : values) {
            switch (column) {
                case "sport", "dport" -> {
                    if (!(v instanceof Integer i) || i < 0 || i > 65535) return null;
                    alternatives.add(proto + " port " + i);
                }
                case "src", "dst" -> {
                    if (!(v instanceof String s) || !IPV4.matcher(s).matches()) return null;
                    alternatives.add("host " + s);
                }
                default -> {
                    return null;
                }
            }
        }
        return "(" + String.join(" or ", alternatives) + ")";
    }

    Filter[] pushed() {
        return pushed.toArray(new Filter[0]);
    }

    /** The pushed filters as BPF, combined with the user's own filter; null when there is neither. */
    String bpf(String userFilter) {
        String own = null;
        if (!clauses.isEmpty()) {
            String match = String.join(" and ", clauses);
            // Non-first fragments carry no ports: let them through to libnids' defragmentation.
            String x = "((" + match + ") or (ip and ip[6:2] & 0x1fff != 0))";
            own = x + " or (vlan and " + x + ")";
        }
        if (userFilter == null) return own;
        if (own == null) return userFilter;
        return "(" + userFilter + ") and (" + own + ")";
    }
}
