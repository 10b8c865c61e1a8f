package io.github.jnids.cli;

import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/**
 * The command's standard output: buffered UTF-8 lines. Unlike PrintStream it
 * does not swallow write errors, so a closed pipe ends the run instead of
 * reading the rest of a large capture for nobody.
 */
final class Output {
    private final Writer out;
    private final boolean flushEachLine;
    private Progress progress;

    Output(boolean flushEachLine) {
        this(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), flushEachLine);
    }

    Output(Writer out, boolean flushEachLine) {
        this.out = new BufferedWriter(out, 1 << 16);
        this.flushEachLine = flushEachLine;
    }

    /** The progress line to clear before each output line, when stdout and stderr share a terminal. */
    void progress(Progress progress) {
        this.progress = progress;
    }

    void line(String s) {
        if (progress != null) progress.clear();
        try {
            out.write(s);
            out.write('\n');
            if (flushEachLine || progress != null) out.flush();
        } catch (IOException e) {
            throw new CliFailure.OutputClosed(e);
        }
    }

    void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new CliFailure.OutputClosed(e);
        }
    }
}
