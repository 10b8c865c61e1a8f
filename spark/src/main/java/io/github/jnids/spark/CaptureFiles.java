package io.github.jnids.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.GlobFilter;
import org.apache.hadoop.fs.Path;

/**
 * Lists the capture files of a read, as Spark's file sources do: paths may be
 * files, directories (their files; with {@code recursiveFileLookup} those of
 * every directory below) or globs; names starting with "_" or "." are
 * skipped (_SUCCESS, .crc files); {@code pathGlobFilter} keeps the files whose
 * name matches. Then makes the partitions: one per file, or one per rotation
 * set.
 */
final class CaptureFiles {
    private CaptureFiles() { }

    static List<CapturePartition> partitions(ReadOptions o, Configuration conf) {
        try {
            List<FileStatus> files = list(o, conf);
            List<CapturePartition> out = new ArrayList<>();
            if (o.rotation) {
                for (List<FileStatus> set : rotationSets(files, Pattern.compile(o.rotationKey))) {
                    out.add(partition(set, conf));
                }
            } else {
                for (FileStatus f : files) out.add(partition(List.of(f), conf));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("jnids: listing the captures failed: " + e.getMessage(), e);
        }
    }

    static List<FileStatus> list(ReadOptions o, Configuration conf) throws IOException {
        GlobFilter nameFilter = o.pathGlobFilter != null ? new GlobFilter(o.pathGlobFilter) : null;
        Map<Path, FileStatus> found = new TreeMap<>();
        for (String p : o.paths) {
            Path path = new Path(p);
            FileSystem fs = path.getFileSystem(conf);
            FileStatus[] matches = fs.globStatus(path);
            if (matches == null || matches.length == 0) {
                throw new FileNotFoundException("jnids: path does not exist: " + fs.makeQualified(path));
            }
            for (FileStatus s : matches) {
                if (s.isDirectory()) {
                    walk(fs, s.getPath(), o.recursiveFileLookup, nameFilter, found);
                } else if (nameFilter == null || nameFilter.accept(s.getPath())) {
                    // A file named explicitly is read even if its name starts with "." or "_".
                    found.put(s.getPath(), s);
                }
            }
        }
        return new ArrayList<>(found.values());
    }

    private static void walk(FileSystem fs, Path dir, boolean recursive, GlobFilter nameFilter, Map<Path, FileStatus> found)
            throws IOException {
        for (FileStatus s : fs.listStatus(dir)) {
            String name = s.getPath().getName();
            if (name.startsWith("_") || name.startsWith(".")) continue;
            if (s.isDirectory()) {
                if (recursive) walk(fs, s.getPath(), true, nameFilter, found);
            } else if (nameFilter == null || nameFilter.accept(s.getPath())) {
                found.put(s.getPath(), s);
            }
        }
    }

    /**
     * Groups files into rotation sets: files of one directory whose names are
     * equal once the matches of {@code key} are taken out (by default the
     * numbers: tcpdump -C's trace.pcap, trace.pcap1, trace.pcap2, ..., and -G's
     * strftime names) form one set, ordered by those numbers (a file without
     * a number first, as tcpdump -C starts).
     */
    static List<List<FileStatus>> rotationSets(List<FileStatus> files, Pattern key) {
        Map<String, List<FileStatus>> sets = new LinkedHashMap<>();
        for (FileStatus f : files) {
            Path p = f.getPath();
            String setKey = p.getParent() + "/" + key.matcher(p.getName()).replaceAll("");
            sets.computeIfAbsent(setKey, k -> new ArrayList<>()).add(f);
        }
        Map<FileStatus, List<String>> numbers = new HashMap<>();
        List<List<FileStatus>> out = new ArrayList<>();
        for (List<FileStatus> set : sets.values()) {
            for (FileStatus f : set) numbers.put(f, parts(f.getPath().getName(), key));
            set.sort(Comparator.comparing((FileStatus f) -> numbers.get(f), CaptureFiles::compareParts)
                    .thenComparing(f -> f.getPath().getName()));
            out.add(set);
        }
        return out;
    }

    private static List<String> parts(String name, Pattern key) {
        List<String> out = new ArrayList<>();
        Matcher m = key.matcher(name);
        while (m.find()) out.add(m.group());
        return out;
    }

    /** Numbers compare as numbers (trace.pcap9 before trace.pcap10), other parts as text. */
    private static int compareParts(List<String> a, List<String> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            String x = a.get(i), y = b.get(i);
            int c;
            if (x.chars().allMatch(Character::isDigit) && y.chars().allMatch(Character::isDigit)) {
                c = new java.math.BigInteger(x).compareTo(new java.math.BigInteger(y));
            } else {
                c = x.compareTo(y);
            }
            if (c != 0) return c;
        }
        return Integer.compare(a.size(), b.size());
    }

    private static CapturePartition partition(List<FileStatus> files, Configuration conf) throws IOException {
        List<String> paths = new ArrayList<>();
        long bytes = 0;
        Map<String, Long> bytesOnHost = new HashMap<>();
        for (FileStatus f : files) {
            paths.add(f.getPath().toString());
            bytes += f.getLen();
            FileSystem fs = f.getPath().getFileSystem(conf);
            BlockLocation[] blocks = fs.getFileBlockLocations(f, 0, f.getLen());
            if (blocks == null) continue;
            for (BlockLocation b : blocks) {
                for (String h : b.getHosts()) {
                    if (!h.equals("localhost")) bytesOnHost.merge(h, b.getLength(), Long::sum);
                }
            }
        }
        // Spark's file sources prefer the three hosts holding the most bytes.
        String[] hosts = bytesOnHost.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(3).map(Map.Entry::getKey).toArray(String[]::new);
        return new CapturePartition(List.copyOf(paths), bytes, hosts);
    }
}
