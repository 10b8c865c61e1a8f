package io.github.jnids;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;

import io.github.jnids.global.nids;

/**
 * A span of native memory that jnids did not allocate and never frees, and
 * the direct ByteBuffers over such memory that handlers are given.
 *
 * <p>Re-pointing a buffer ({@link #repoint}, {@link #revoke}) goes through one
 * JNI call ({@code jnids_buffer_point} in {@code native/jnids_buffers.c}),
 * which sets the buffer's address and capacity: the Java platform has no
 * supported way to move a direct buffer, and JNI may set any field. Reads
 * and writes of the memory itself are plain ByteBuffer accesses, which the
 * JIT compiles to single loads and stores.
 */
final class RawMemory extends BytePointer {

    RawMemory(long address, long bytes) {
        this.address = address;
        this.position = 0;
        this.limit = bytes;
        this.capacity = bytes;
    }

    /** A direct ByteBuffer over {@code bytes} bytes at {@code address}, in native order. */
    static ByteBuffer view(long address, long bytes) {
        return new RawMemory(address, bytes).asByteBuffer().order(ByteOrder.nativeOrder());
    }

    static ByteBuffer view(BytePointer p, long bytes) {
        return view(p.address(), bytes);
    }

    /** Whether views can be pointed at other memory in place (see {@link #repoint}). */
    static final boolean REPOINTABLE = probe();

    /** Moves a buffer over other memory and checks that it then shows that memory. */
    private static boolean probe() {
        try {
            Loader.load(nids.class);
            ByteBuffer view = ByteBuffer.allocateDirect(2).put(0, (byte) 7).asReadOnlyBuffer();
            BytePointer other = new BytePointer(2).put(0, (byte) 9).put(1, (byte) 8);
            try {
                view.limit(0);
                if (nids.jnids_buffer_point(view, other.address(), 2) != 0) return false;
                view.clear();
                boolean ok = view.capacity() == 2 && view.get(0) == 9 && view.get(1) == 8;
                view.limit(0);
                return nids.jnids_buffer_point(view, 0L, 0) == 0 && ok && view.capacity() == 0;
            } finally {
                Reference.reachabilityFence(other);
                other.close();
            }
        } catch (RuntimeException | LinkageError e) {
            // A JDK whose java.nio.Buffer has other fields (NoSuchFieldError),
            // or no native library: the callers copy into fixed buffers instead.
            return false;
        }
    }

    /** A read-only direct buffer that shows nothing until {@link #repoint}ed. */
    static ByteBuffer repointableView() {
        ByteBuffer view = ByteBuffer.allocateDirect(1).order(ByteOrder.nativeOrder()).asReadOnlyBuffer();
        revoke(view);
        return view;
    }

    /**
     * Points a view made by {@link #repointableView()} at {@code bytes} bytes of
     * native memory, position 0 and limit {@code bytes}: one view object serves
     * every callback, so handing out a buffer allocates nothing.
     */
    static ByteBuffer repoint(ByteBuffer view, long address, int bytes) {
        // Cannot fail once the probe succeeded: the field IDs are then known.
        nids.jnids_buffer_point(view, address, bytes);
        view.clear();
        return view;
    }

    /**
     * Makes a view of memory that native code may free unusable for good: its
     * limit, capacity and address become 0, so that no later {@code limit(n)}
     * can reach the memory again. Where views cannot be re-pointed, only the
     * limit is set to 0.
     */
    static void revoke(ByteBuffer view) {
        view.position(0).limit(0);
        if (REPOINTABLE) nids.jnids_buffer_point(view, 0L, 0);
    }
}
