package io.github.jnids.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * The dump's files, as seen by the one thread that writes them: each sink's
 * file is created (one open(2), {@code O_CREAT|O_EXCL}) on its first write,
 * stays open while its stream lives, up to {@link #MAX_OPEN} at once, and is
 * written with one write(2) per call, straight from the buffer given. Beyond
 * that many, or when the system refuses to open more, the least recently
 * written are closed and reopened (appending) on demand: keeping files open
 * saves an open(2) and a close(2) per write on a capture of many concurrent
 * streams. Nothing is allocated per write.
 */
final class OpenFiles {
    /** Most files kept open at once, unless the system's limit on open files is lower. */
    static final int MAX_OPEN = 4096;

    /** A new file: fails when the name is taken, so that nothing is overwritten. */
    private static final Set<OpenOption> CREATE = Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW);
    /** A file of this dump that was closed to make room. */
    private static final Set<OpenOption> REOPEN = Set.of(StandardOpenOption.WRITE, StandardOpenOption.APPEND);

    private int maxOpen;
    /** The open sinks, least recently written first: an intrusive list, so that a write allocates nothing. */
    private Dumper.Sink eldest;
    private Dumper.Sink newest;
    private int openCount;

    OpenFiles() {
        this(MAX_OPEN);
    }

    OpenFiles(int maxOpen) {
        this.maxOpen = maxOpen;
    }

    /** Appends the bytes remaining in {@code data} to the sink's file; its path must be set. */
    void write(Dumper.Sink sink, ByteBuffer data) throws IOException {
        FileChannel channel = sink.channel;
        if (channel == null) {
            channel = open(sink);
        } else if (sink != newest) {
            unlink(sink);
            link(sink);
        }
        // A later "write at this stream offset" is channel.write(data, position) here.
        do {
            channel.write(data);
        } while (data.hasRemaining());
    }

    /** Opens the sink's file, creating it on first use, and makes it the newest open one. */
    private FileChannel open(Dumper.Sink sink) throws IOException {
        while (openCount >= maxOpen) closeEldest();
        FileChannel channel;
        try {
            channel = openFile(sink);
        } catch (FileAlreadyExistsException e) {
            throw new FileAlreadyExistsException(sink.path.toString(), null,
                    "a file of that name appeared in the dump directory while jnids was writing it");
        } catch (IOException e) {
            // Most likely the limit on open files (EMFILE, ENFILE): keep fewer open and try once more.
            if (openCount == 0) throw e;
            maxOpen = Math.max(1, openCount / 2);
            while (openCount >= maxOpen) closeEldest();
            channel = openFile(sink);
        }
        sink.channel = channel;
        link(sink);
        return channel;
    }

    private static FileChannel openFile(Dumper.Sink sink) throws IOException {
        if (sink.created) return FileChannel.open(sink.path, REOPEN);
        FileChannel channel = FileChannel.open(sink.path, CREATE);
        sink.created = true;
        return channel;
    }

    private void closeEldest() throws IOException {
        Dumper.Sink s = eldest;
        unlink(s);
        s.closeChannel();
    }

    private void link(Dumper.Sink s) {
        s.older = newest;
        s.newer = null;
        if (newest != null) newest.newer = s;
        else eldest = s;
        newest = s;
        openCount++;
    }

    private void unlink(Dumper.Sink s) {
        if (s.older != null) s.older.newer = s.newer;
        else eldest = s.newer;
        if (s.newer != null) s.newer.older = s.older;
        else newest = s.older;
        s.older = null;
        s.newer = null;
        openCount--;
    }

    /** Closes the sink's file if open; it is not reopened unless written again. */
    void close(Dumper.Sink sink) throws IOException {
        if (sink.channel == null) return;
        unlink(sink);
        sink.closeChannel();
    }

    /** Closes every open file, all of them even when some fail; the first failure is thrown. */
    void closeAll() throws Failure {
        Failure first = null;
        while (eldest != null) {
            Dumper.Sink s = eldest;
            unlink(s);
            try {
                s.closeChannel();
            } catch (IOException e) {
                if (first == null) first = new Failure(s, e);
            }
        }
        if (first != null) throw first;
    }

    /** Files open now. */
    int openCount() {
        return openCount;
    }

    /** Writing or closing a sink's file failed. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        final transient Dumper.Sink sink;
        final IOException io;

        Failure(Dumper.Sink sink, IOException io) {
            super(io);
            this.sink = sink;
            this.io = io;
        }
    }
}
