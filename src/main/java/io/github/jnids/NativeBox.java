package io.github.jnids;

import java.nio.ByteBuffer;

import org.bytedeco.javacpp.LongPointer;

/**
 * A mailbox of 64-bit slots in a session's native memory, which jnids' C layer
 * fills before it hands a callback to Java and reads back after it. Slots are
 * read and written through one direct ByteBuffer in native order, mapped once:
 * the JIT compiles each access to a bounds check and a plain load or store.
 */
final class NativeBox {
    private final ByteBuffer buffer;

    NativeBox(LongPointer p, int slots) {
        this.buffer = RawMemory.view(p.address(), 8L * slots);
    }

    long get(int slot) {
        return buffer.getLong(slot * 8);
    }

    void put(int slot, long value) {
        buffer.putLong(slot * 8, value);
    }
}
