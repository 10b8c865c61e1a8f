package io.github.jnids;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.bytedeco.javacpp.BytePointer;

/** A span of native memory that jnids did not allocate and never frees. */
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

    private static final sun.misc.Unsafe UNSAFE;
    private static final long CAPACITY, ADDRESS;

    static {
        sun.misc.Unsafe u = null;
        long capacity = -1, address = -1;
        try {
            java.lang.reflect.Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            u = (sun.misc.Unsafe) f.get(null);
            capacity = u.objectFieldOffset(java.nio.Buffer.class.getDeclaredField("capacity"));
            address = u.objectFieldOffset(java.nio.Buffer.class.getDeclaredField("address"));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            u = null;
        }
        UNSAFE = u;
        CAPACITY = capacity;
        ADDRESS = address;
    }

    /** Whether views can be pointed at other memory in place (see {@link #repoint}). */
    static final boolean REPOINTABLE;

    static {
        boolean ok = false;
        if (UNSAFE != null) {
            try {
                ByteBuffer probe = ByteBuffer.allocateDirect(2).put(0, (byte) 7).asReadOnlyBuffer();
                ByteBuffer other = ByteBuffer.allocateDirect(2).put(0, (byte) 9);
                repointUnchecked(probe, addressOf(other), 2);
                ok = probe.get(0) == 9;
                revoke(probe);
            } catch (RuntimeException | LinkageError e) {
                ok = false;
            }
        }
        REPOINTABLE = ok;
    }

    private static long addressOf(ByteBuffer direct) {
        return UNSAFE.getLong(direct, ADDRESS);
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
        repointUnchecked(view, address, bytes);
        return view;
    }

    private static void repointUnchecked(ByteBuffer view, long address, int bytes) {
        UNSAFE.putLong(view, ADDRESS, address);
        UNSAFE.putInt(view, CAPACITY, bytes);
        view.clear();
    }

    /**
     * Makes a view of memory that native code may free unusable for good: its
     * limit, capacity and address become 0, so that no later {@code limit(n)}
     * can reach the memory again. Where the JDK does not allow it, only the
     * limit is set to 0.
     */
    static void revoke(ByteBuffer view) {
        view.position(0).limit(0);
        if (UNSAFE != null) {
            UNSAFE.putInt(view, CAPACITY, 0);
            UNSAFE.putLong(view, ADDRESS, 0L);
        }
    }
}
