package io.github.jnids;

import java.nio.ByteBuffer;

import org.bytedeco.javacpp.LongPointer;

/**
 * A mailbox of 64-bit slots in a session's native memory, which jnids' C layer
 * fills before it hands a callback to Java and reads back after it. Slots are
 * read with plain memory loads where the JDK allows (the indices are jnids' own
 * constants, and a box is only used by a call of its session, which cannot be
 * freed meanwhile), else through a direct ByteBuffer.
 */
final class NativeBox {
    private final long address;
    private final ByteBuffer buffer;

    NativeBox(LongPointer p, int slots) {
        this.address = p.address();
        this.buffer = RawMemory.view(address, 8L * slots);
    }

    long get(int slot) {
        return RawMemory.FAST ? RawMemory.peek(address + 8L * slot) : buffer.getLong(slot * 8);
    }

    void put(int slot, long value) {
        if (RawMemory.FAST) {
            RawMemory.poke(address + 8L * slot, value);
        } else {
            buffer.putLong(slot * 8, value);
        }
    }
}
