package io.github.jnids.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Writes the dump's files on a thread of its own, so that the system calls
 * (creating, writing and closing files: most of a dump's cost beyond
 * reassembly) run beside libnids' reading and reassembling.
 *
 * <p>libnids' buffer is valid only during its callback, so the bytes are
 * copied into one of a few pooled direct buffers ({@link Chunk}s) with the
 * list of writes and closes they belong to; a full chunk goes to the thread,
 * which does those writes in order and hands the chunk back. Nothing is
 * allocated per write; when the thread falls behind, the caller waits for a
 * free chunk. A failure to write is kept and thrown by the caller's next
 * call, and by {@link #finish()}.
 *
 * <p>Measured with bench/dump-vs-tcpflow.sh on a 2-core machine shared with
 * other jobs (load 27), against the same jar writing on the reading thread
 * ({@code -Djnids.dumpThread=false}), medians of 7 rounds: http-small
 * (5000 streams) 4.39 s against 5.26 s wall, 0.88 against 0.92 s CPU;
 * http-large (477 MB) 5.30 against 5.51 s wall, 1.17 against 1.11 s CPU
 * (the copy). With an idle core the writes run entirely beside the reading.
 */
final class WriterThread {
    /** Bytes per chunk. */
    static final int CHUNK_BYTES = 1 << 20;
    /** Writes and closes per chunk. */
    static final int CHUNK_OPS = 4096;
    /** Chunks in the pool: the thread writes one while the caller fills another. */
    static final int CHUNKS = 4;

    /** A buffer of bytes to write and the writes (and closes) they make up. */
    static final class Chunk {
        final ByteBuffer bytes;
        final Dumper.Sink[] sinks;
        /** Where each write's bytes start in {@link #bytes}; -1 for a close. */
        final int[] starts;
        final int[] lengths;
        int count;

        Chunk(int bytes, int ops) {
            this.bytes = ByteBuffer.allocateDirect(bytes);
            this.sinks = new Dumper.Sink[ops];
            this.starts = new int[ops];
            this.lengths = new int[ops];
        }

        boolean full() {
            return count == sinks.length || !bytes.hasRemaining();
        }

        void clear() {
            java.util.Arrays.fill(sinks, 0, count, null);
            count = 0;
            bytes.clear();
        }
    }

    private final OpenFiles files;
    private final BlockingQueue<Chunk> full;
    private final BlockingQueue<Chunk> free;
    /** Handed over last: the thread closes every file and ends. */
    private final Chunk end = new Chunk(0, 0);
    private final Thread thread;
    private Chunk current;
    /** The first failure on the thread; once set the thread writes nothing more. */
    private volatile CliFailure failure;
    private boolean finished;

    WriterThread(OpenFiles files) {
        this(files, CHUNK_BYTES, CHUNK_OPS, CHUNKS);
    }

    WriterThread(OpenFiles files, int chunkBytes, int chunkOps, int chunks) {
        this.files = files;
        this.full = new ArrayBlockingQueue<>(chunks + 1);
        this.free = new ArrayBlockingQueue<>(chunks);
        for (int i = 0; i < chunks; i++) free.add(new Chunk(chunkBytes, chunkOps));
        this.thread = new Thread(this::run, "jnids-dump-writer");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues the bytes remaining in {@code data} for the sink's file; moves its position to its limit. */
    void write(Dumper.Sink sink, ByteBuffer data) {
        check();
        int limit = data.limit();
        while (data.hasRemaining()) {
            Chunk c = chunk();
            int n = Math.min(data.remaining(), c.bytes.remaining());
            int start = c.bytes.position();
            data.limit(data.position() + n);
            c.bytes.put(data);
            data.limit(limit);
            add(c, sink, start, n);
        }
    }

    /** Queues the closing of the sink's file, after the writes queued before. */
    void close(Dumper.Sink sink) {
        check();
        add(chunk(), sink, -1, 0);
    }

    /** Hands everything queued to the thread, waits for it to close every file and end. */
    void finish() {
        if (finished) {
            check();
            return;
        }
        finished = true;
        if (current != null && current.count > 0) put(full, current);
        current = null;
        put(full, end);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        check();
    }

    private void check() {
        CliFailure f = failure;
        if (f != null) throw f;
    }

    /** The chunk being filled, with room for one more operation and at least one byte. */
    private Chunk chunk() {
        if (finished) throw new IllegalStateException("dump already finished");
        if (current != null && current.full()) {
            put(full, current);
            current = null;
        }
        if (current == null) current = take(free);
        return current;
    }

    private static void add(Chunk c, Dumper.Sink sink, int start, int length) {
        int i = c.count++;
        c.sinks[i] = sink;
        c.starts[i] = start;
        c.lengths[i] = length;
    }

    private void run() {
        while (true) {
            Chunk c = take(full);
            if (c == end) break;
            if (failure == null) {
                try {
                    perform(c);
                } catch (IOException e) {
                    failure = Dumper.failure(c.sinks[failedAt], e);
                } catch (RuntimeException | Error e) {
                    failure = new CliFailure("cannot write the dump: " + e, e);
                }
            }
            c.clear();
            put(free, c);
        }
        try {
            files.closeAll();
        } catch (OpenFiles.Failure e) {
            if (failure == null) failure = Dumper.failure(e.sink, e.io);
        }
    }

    /** Index of the operation being performed, for the message when it fails. */
    private int failedAt;

    private void perform(Chunk c) throws IOException {
        ByteBuffer b = c.bytes;
        for (int i = 0; i < c.count; i++) {
            failedAt = i;
            Dumper.Sink sink = c.sinks[i];
            int start = c.starts[i];
            if (start < 0) {
                files.close(sink);
            } else {
                b.limit(start + c.lengths[i]).position(start);
                files.write(sink, b);
            }
        }
    }

    /** Waits, through interrupts (kept for the caller), for a chunk. */
    private static Chunk take(BlockingQueue<Chunk> q) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return q.take();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private static void put(BlockingQueue<Chunk> q, Chunk c) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    q.put(c);
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }
}
