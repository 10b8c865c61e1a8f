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

/** cppbuild.sh refuses bad archives and names missing tools. */
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

    @Test
    void namesAMissingTool() throws Exception {
        Path bin = Files.createDirectory(dir.resolve("bin"));
        for (String tool : List.of("dirname", "cc", "make", "ar", "tar", "patch", "sha256sum", "install", "flex")) {
            Path real = Path.of("/usr/bin", tool);
            assumeTrue(Files.exists(real), tool + " is not installed here");
            Path wrapper = Files.writeString(bin.resolve(tool), "#!/bin/sh\nexec " + real + " \"$@\"\n");
            assertTrue(wrapper.toFile().setExecutable(true));
        }
        Result r = run(Map.of("PATH", bin.toString(), "JNIDS_SOURCE_CACHE", dir.toString()), "build");
        assertNotEquals(0, r.exit());
        assertTrue(r.stderr().contains("required tool 'bison' was not found"), r.stderr());
    }

    @Test
    void rejectsAnUnknownCommand() throws Exception {
        Result r = run(Map.of(), "bogus");
        assertNotEquals(0, r.exit());
        assertTrue(r.stderr().contains("unknown command 'bogus'"), r.stderr());
    }
}
