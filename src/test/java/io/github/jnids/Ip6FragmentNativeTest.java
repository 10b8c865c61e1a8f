package io.github.jnids;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * libnids' IPv6 fragment reassembly (patches 0030-0032, ip6_fragment.h) in C,
 * without the JVM: native/tools/ip6frag_test.c feeds fragments built byte by
 * byte through ip6_defrag_stub() inside engines and checks orders, duplicates,
 * RFC 5722 overlaps, atomic fragments, the timeout, the memory bounds,
 * malformed lengths, many datagrams at once and independent engines. Run
 * linked to the production libnids.a (built into target/native-tools by the
 * Maven build, with the sanitizers of {@code -Psanitize} when that profile is
 * on) and on libnids compiled with ASan, UBSan and LeakSanitizer
 * (native/tools/ip6frag.sh), skipped, saying why, where the compiler lacks
 * them.
 */
class Ip6FragmentNativeTest {
    private static final Path TOP = Paths.get(System.getProperty("jnids.basedir", "."));
    private static final Path TOOL = TOP.resolve(Paths.get("target", "native-tools", "ip6frag_test"));

    @Test
    void reassemblyOnTheProductionLibrary() throws Exception {
        assertTrue(Files.isExecutable(TOOL), TOOL + " is missing: the Maven build makes it at process-test-classes "
                + "(or: make -C native/tools OUT=target/native-tools after bash cppbuild.sh)");
        // Inherits -Psanitize's LD_PRELOAD and options: the tool is then sanitized too.
        Result r = exec(300, false, TOOL.toString());
        assertEquals(0, r.status, "ip6frag_test failed:\n" + r.output);
        assertTrue(r.output.contains("ok ip6frag:"), r.output);
    }

    @Test
    void reassemblyUnderAddressSanitizer() throws Exception {
        Path tree = TOP.resolve("cppbuild/linux-x86_64/src/libnids-1.26/src/config.h");
        assumeTrue(Files.isRegularFile(tree), "no configured libnids tree from cppbuild.sh at " + tree);
        String cc = System.getenv().getOrDefault("CC", "cc");
        Path probe = Files.createTempFile("ip6frag-probe", "");
        try {
            String script = "echo 'int main(void){return 0;}' | " + cc
                    + " -fsanitize=address,undefined -x c -o " + probe + " - && " + probe;
            Result r = exec(60, true, "sh", "-c", script);
            assumeTrue(r.status == 0, cc + " cannot build and run a program with ASan and UBSan: " + r.output);
        } finally {
            Files.deleteIfExists(probe);
        }
        Result r = exec(600, true, "bash", TOP.resolve("native/tools/ip6frag.sh").toString(), "address");
        assertEquals(0, r.status, "ip6frag.sh address failed:\n" + r.output);
        assertTrue(r.output.contains("ok ip6frag:"), r.output);
    }

    private record Result(int status, String output) {}

    private static Result exec(long seconds, boolean ownSanitizers, String... cmd) throws Exception {
        ProcessBuilder b = new ProcessBuilder(cmd).directory(TOP.toFile()).redirectErrorStream(true);
        if (ownSanitizers) {
            // The script sets up its own sanitizers (-Psanitize preloads ASan into this JVM).
            b.environment().remove("LD_PRELOAD");
            b.environment().remove("ASAN_OPTIONS");
            b.environment().remove("UBSAN_OPTIONS");
        }
        Process p = b.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, "did not finish in " + seconds + " s: " + String.join(" ", cmd));
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
