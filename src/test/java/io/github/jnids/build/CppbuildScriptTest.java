package io.github.jnids.build;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cppbuild.sh refuses bad archives, names missing tools and says what to do when it cannot fetch them. */
class CppbuildScriptTest {
    private static final Path BASEDIR = Path.of(System.getProperty("jnids.basedir", "."));
    private static final String PCAP_ARCHIVE = "libpcap_1.10.3.orig.tar.gz";
    private static final String PCAP_SHA256 = "2a8885c403516cf7b0933ed4b14d6caa30e02052489ebd414dc75ac52e7559e6";

    @TempDir
    Path dir;

    record Result(int exit, String stderr) { }

    private Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("/bin/bash", BASEDIR.resolve("cppbuild.sh").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), err);
    }

    private static String sha256(byte[] data) throws Exception {
        byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(data);
        StringBuilder b = new StringBuilder();
        for (byte x : d) b.append(String.format("%02x", x));
        return b.toString();
    }

    @Test
    void refusesATamperedArchiveNamingItAndBothHashes() throws Exception {
        byte[] tampered = "not the libpcap sources".getBytes(StandardCharsets.US_ASCII);
        Path archive = Files.write(dir.resolve(PCAP_ARCHIVE), tampered);
        Result r = run(Map.of("JNIDS_SOURCE_CACHE", dir.toString(), "JNIDS_OFFLINE", "1"), "fetch");
        assertNotEquals(0, r.exit());
        assertTrue(r.stderr().contains(archive.toString()), r.stderr());
        assertTrue(r.stderr().contains(sha256(tampered)), r.stderr());
        assertTrue(r.stderr().contains(PCAP_SHA256), r.stderr());
    }

    @Test
    void refusesATruncatedArchive() throws Exception {
        Path good = BASEDIR.resolve("cppbuild/downloads").resolve(PCAP_ARCHIVE);
        assumeTrue(Files.exists(good), "no downloaded " + PCAP_ARCHIVE + " in cppbuild/downloads to truncate");
        byte[] all = Files.readAllBytes(good);
        byte[] half = java.util.Arrays.copyOf(all, all.length / 2);
        Files.write(dir.resolve(PCAP_ARCHIVE), half);
        Result r = run(Map.of("JNIDS_SOURCE_CACHE", dir.toString(), "JNIDS_OFFLINE", "1"), "fetch");
        assertNotEquals(0, r.exit());
        assertTrue(r.stderr().contains(PCAP_ARCHIVE) && r.stderr().contains(sha256(half))
                && r.stderr().contains(PCAP_SHA256), r.stderr());
    }

    @Test
    void offlineWithoutTheArchiveSaysWhereToPutIt() throws Exception {
        Result r = run(Map.of("JNIDS_SOURCE_CACHE", dir.toString(), "JNIDS_OFFLINE", "1"), "fetch");
        assertNotEquals(0, r.exit());
        assertTrue(r.stderr().contains(PCAP_ARCHIVE) && r.stderr().contains(dir.toString()), r.stderr());
    }

    /** What cppbuild.sh runs up to the point where it looks for the parser tools. */
    private static final List<String> BASE_TOOLS = List.of("dirname", "cc", "make", "ar", "tar", "patch", "sha256sum",
            "install", "nproc", "mkdir", "cat", "cut", "rm", "mv", "sed", "awk");

    /**
     * A directory of wrappers for the given commands only, to stand for a
     * machine without the others (/usr/bin holds them all, so leaving a
     * directory out of PATH would not do).
     */
    private Path pathWith(List<String> tools) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String tool : tools) {
            Path real = Path.of("/usr/bin", tool);
            assumeTrue(Files.isExecutable(real), tool + " is not installed here");
            Path wrapper = Files.writeString(bin.resolve(tool), "#!/bin/sh\nexec " + real + " \"$@\"\n");
            assertTrue(wrapper.toFile().setExecutable(true));
        }
        return bin;
    }

    private static List<String> plus(List<String> a, String... b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(List.of(b));
        return all;
    }

    /** A copy of cppbuild.sh in a scratch tree, so that a run builds nothing in the project. */
    private Path scratchScript() throws IOException {
        Path tree = Files.createDirectories(dir.resolve("tree"));
        return Files.copy(BASEDIR.resolve("cppbuild.sh"), tree.resolve("cppbuild.sh"));
    }

    private Result runScratch(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("/bin/bash", scratchScript().toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), err);
    }

    @Test
    void namesAMissingTool() throws Exception {
        Path bin = pathWith(BASE_TOOLS.stream().filter(t -> !t.equals("patch")).toList());
        Result r = runScratch(Map.of("PATH", bin.toString(), "JNIDS_SOURCE_CACHE", dir.resolve("cache").toString()), "build");
        assertNotEquals(0, r.exit());
        assertTrue(r.stderr().contains("required tool 'patch' was not found"), r.stderr());
    }

    @Test
    void withoutParserToolsAndWithoutAptSaysWhatToInstall() throws Exception {
        Path bin = pathWith(BASE_TOOLS);
        Result r = runScratch(Map.of("PATH", bin.toString(), "JNIDS_SOURCE_CACHE", dir.resolve("cache").toString()), "build");
        assertNotEquals(0, r.exit());
        assertTrue(r.stderr().contains("m4 flex bison (needed to build libpcap's filter parser) not found on PATH")
                && r.stderr().contains("without apt-get, apt-cache and dpkg-deb")
                && r.stderr().contains("apt-get install m4 flex bison"), r.stderr());
    }

    @Test
    void offlineWithoutParserToolsOrPackageListsSaysWhatToDo() throws Exception {
        Path bin = pathWith(plus(BASE_TOOLS, "apt-get", "apt-cache", "dpkg-deb"));
        Result r = runScratch(Map.of("PATH", bin.toString(), "JNIDS_SOURCE_CACHE", dir.resolve("cache").toString(),
                "JNIDS_OFFLINE", "1"), "build");
        assertNotEquals(0, r.exit());
        assertTrue(r.stderr().contains("with JNIDS_OFFLINE=1 a cached Debian package of m4 can only be used with the"
                + " package lists of an earlier online run") && r.stderr().contains("run once without JNIDS_OFFLINE"),
                r.stderr());
    }

    @Test
    void rejectsAnUnknownCommand() throws Exception {
        Result r = run(Map.of(), "bogus");
        assertNotEquals(0, r.exit());
        assertTrue(r.stderr().contains("unknown command 'bogus'"), r.stderr());
    }
}
