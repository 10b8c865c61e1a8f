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
 * libnids' engines (patches 0016-0023) in C, without the JVM: every testdata
 * capture dumped by nids_dump_mt with all runs in one process, on threads of
 * their own at once and interleaved packet by packet on one thread, must
 * equal nids_dump's single-engine output; engines freed while open must end
 * their streams and leak nothing (native/tools/engines.sh). Run with
 * ThreadSanitizer (data races between engines) and with ASan, UBSan and
 * LeakSanitizer; each is skipped, saying why, where the compiler lacks it.
 */
class EnginesNativeTest {
    private static final Path TOP = Paths.get(System.getProperty("jnids.basedir", "."));

    @Test
    void enginesUnderThreadSanitizer() throws Exception {
        run("thread", "clang", "-fsanitize=thread");
    }

    @Test
    void enginesUnderAddressSanitizer() throws Exception {
        run("address", "cc", "-fsanitize=address,undefined");
    }

    private static void run(String mode, String defaultCc, String flag) throws Exception {
        Path tree = TOP.resolve("cppbuild/linux-x86_64/src/libnids-1.26/src/config.h");
        assumeTrue(Files.isRegularFile(tree), "no configured libnids tree from cppbuild.sh at " + tree);
        String cc = System.getenv().getOrDefault("CC", defaultCc);
        // Built and run: ThreadSanitizer may build but refuse to start (memory layout).
        Path probe = Files.createTempFile("engines-probe", "");
        try {
            String script = "echo 'int main(void){return 0;}' | " + cc + " " + flag + " -x c -o " + probe + " - && " + probe;
            Result r = exec(60, "sh", "-c", script);
            assumeTrue(r.status == 0, cc + " cannot build and run a program with " + flag + ": " + r.output);
        } finally {
            Files.deleteIfExists(probe);
        }
        Result r = exec(600, "bash", TOP.resolve("native/tools/engines.sh").toString(), mode);
        assertEquals(0, r.status, "engines.sh " + mode + " failed:\n" + r.output);
        assertTrue(r.output.contains("ok engines:"), r.output);
    }

    private record Result(int status, String output) {}

    private static Result exec(long seconds, String... cmd) throws Exception {
        ProcessBuilder b = new ProcessBuilder(cmd).directory(TOP.toFile()).redirectErrorStream(true);
        // The scripts set up their own sanitizers (-Psanitize preloads ASan into this JVM).
        b.environment().remove("LD_PRELOAD");
        b.environment().remove("ASAN_OPTIONS");
        b.environment().remove("UBSAN_OPTIONS");
        b.environment().remove("TSAN_OPTIONS");
        Process p = b.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, "did not finish in " + seconds + " s: " + String.join(" ", cmd));
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
