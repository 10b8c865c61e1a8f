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
