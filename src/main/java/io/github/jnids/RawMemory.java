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
}
