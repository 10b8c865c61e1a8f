package io.github.jnids;

import java.nio.LongBuffer;

import org.bytedeco.javacpp.LongPointer;

/**
 * A mailbox of 64-bit slots in a session's native memory, which jnids' C layer
 * fills before it hands a callback to Java and reads back after it. Slots are
 * read and written through one LongBuffer over it in native order, mapped
 * once: the JIT compiles each access to a bounds check and a plain load or
 * store. A LongBuffer, not the ByteBuffer's getLong/putLong, which cost a TCP
 * callback about 80 instructions more (bench/instructions.sh; figures in
 * bench/results/instructions-2026-12-03.md).
 */
final class NativeBox {
    private final LongBuffer buffer;

    NativeBox(LongPointer p, int slots) {
        this.buffer = RawMemory.view(p.address(), 8L * slots).asLongBuffer();
    }

    long get(int slot) {
        return buffer.get(slot);
    }

    void put(int slot, long value) {
        buffer.put(slot, value);
    }
}
