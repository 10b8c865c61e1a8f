package io.github.jnids.spark;

import java.io.IOException;
import java.net.URI;

import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FSInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * A file system that is not the local one to Hadoop (scheme {@code jnidstest:}),
 * over local files: reading through it must take the stream path. With
 * {@code fs.jnidstest.delayMs} set, every read of at most 4 KB waits that long,
 * so that a read lasts long enough to overlap with another. With
 * {@code fs.jnidstest.blockHosts} set (e.g. {@code h1,h2;h2,h3}), a file is
 * in as many equal blocks as the list has entries, each on the hosts named.
 */
public class SlowFileSystem extends RawLocalFileSystem {
    static final String SCHEME = "jnidstest";
    static final String IMPL_KEY = "fs." + SCHEME + ".impl";
    static final String DELAY_KEY = "fs." + SCHEME + ".delayMs";
    static final String HOSTS_KEY = "fs." + SCHEME + ".blockHosts";

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

    @Override
    public BlockLocation[] getFileBlockLocations(FileStatus file, long start, long len) throws IOException {
        String hosts = getConf() == null ? null : getConf().get(HOSTS_KEY);
        if (hosts == null) return super.getFileBlockLocations(file, start, len);
        String[] blocks = hosts.split(";");
        long size = file.getLen() / blocks.length;
        BlockLocation[] out = new BlockLocation[blocks.length];
        for (int i = 0; i < blocks.length; i++) {
            long length = i == blocks.length - 1 ? file.getLen() - i * size : size;
            out[i] = new BlockLocation(null, blocks[i].split(","), i * size, length);
        }
        return out;
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
