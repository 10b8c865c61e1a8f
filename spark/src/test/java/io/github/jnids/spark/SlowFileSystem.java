package io.github.jnids.spark;

import java.io.IOException;
import java.net.URI;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * A file system that is not the local one to Hadoop (scheme {@code jnidstest:}),
 * over local files: reading through it must take the stream path. With
 * {@code fs.jnidstest.delayMs} set, every read of at most 4 KB waits that long,
 * so that a read lasts long enough to overlap with another.
 */
public class SlowFileSystem extends RawLocalFileSystem {
    static final String SCHEME = "jnidstest";
    static final String IMPL_KEY = "fs." + SCHEME + ".impl";
    static final String DELAY_KEY = "fs." + SCHEME + ".delayMs";

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public FSDataInputStream open(Path f, int bufferSize) throws IOException {
        FSDataInputStream in = super.open(f, bufferSize);
        long delay = getConf() == null ? 0 : getConf().getLong(DELAY_KEY, 0);
        return new FSDataInputStream(new Slow(in, delay));
    }

    static String uri(java.nio.file.Path local) {
        return SCHEME + "://" + local.toAbsolutePath();
    }

    private static final class Slow extends FSInputStream {
        private final FSDataInputStream in;
        private final long delayMs;

        Slow(FSDataInputStream in, long delayMs) {
            this.in = in;
            this.delayMs = delayMs;
        }

        @Override
        public int read() throws IOException {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (delayMs > 0) {
                try {
                    Thread.sleep(delayMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException();
                }
            }
            return in.read(b, off, Math.min(len, 4096));
        }

        @Override
        public void seek(long pos) throws IOException {
            in.seek(pos);
        }

        @Override
        public long getPos() throws IOException {
            return in.getPos();
        }

        @Override
        public boolean seekToNewSource(long targetPos) throws IOException {
            return in.seekToNewSource(targetPos);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
