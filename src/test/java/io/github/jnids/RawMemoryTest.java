package io.github.jnids;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.jnids.global.nids;

/**
 * The views handed to handlers, on the JDK the tests run on (CI: 17 and 25):
 * re-pointing must work there, else every callback would allocate a buffer
 * (the fallback) without any test failing.
 */
class RawMemoryTest {
    private final BytePointer memory = new BytePointer(64);

    @BeforeAll
    static void load() {
        Loader.load(nids.class);
    }

    @AfterEach
    void free() {
        memory.close();
    }

    @Test
    void viewsCanBeRepointedOnThisJdk() {
        assertTrue(RawMemory.REPOINTABLE, "java.nio.Buffer of " + System.getProperty("java.vm.name") + " "
                + Runtime.version() + " cannot be re-pointed: handlers would get a new buffer per callback");
        assertTrue(PacketDispatcher.ZERO_COPY);
    }

    @Test
    void aRepointedViewShowsExactlyTheNativeBytes() {
        for (int i = 0; i < 64; i++) memory.put(i, (byte) (i * 3));
        ByteBuffer view = RawMemory.repointableView();
        assertEquals(0, view.capacity());

        ByteBuffer shown = RawMemory.repoint(view, memory.address() + 10, 20);
        assertSame(view, shown, "one view object serves every call");
        assertEquals(0, shown.position());
        assertEquals(20, shown.limit());
        assertEquals(20, shown.capacity());
        for (int i = 0; i < 20; i++) assertEquals((byte) ((i + 10) * 3), shown.get(i));
        assertThrows(IndexOutOfBoundsException.class, () -> shown.get(20));
        assertThrows(IllegalArgumentException.class, () -> shown.limit(21));
        assertThrows(ReadOnlyBufferException.class, () -> shown.put(0, (byte) 1));

        memory.put(10, (byte) 99);
        assertEquals(99, shown.get(0), "a view, not a copy");

        shown.position(5);
        RawMemory.repoint(view, memory.address(), 4);
        assertEquals(0, view.position());
        assertEquals(4, view.limit());
        assertEquals(4, view.capacity());
    }

    @Test
    void aRevokedViewCannotReachTheMemoryAgain() {
        ByteBuffer view = RawMemory.repoint(RawMemory.repointableView(), memory.address(), 64);
        ByteBuffer duplicate = view.duplicate();
        RawMemory.revoke(view);
        assertEquals(0, view.limit());
        assertEquals(0, view.capacity());
        assertThrows(IllegalArgumentException.class, () -> view.limit(1));
        assertThrows(IndexOutOfBoundsException.class, () -> view.get(0));
        assertEquals(0, view.duplicate().capacity());
        assertEquals(64, duplicate.capacity(), "a duplicate made during the call is the caller's own");
    }

    @Test
    void aNativeBoxReadsAndWritesTheSlotsInPlace() {
        try (LongPointer slots = new LongPointer(4)) {
            for (int i = 0; i < 4; i++) slots.put(i, 0x0102030405060708L * (i + 1));
            NativeBox box = new NativeBox(slots, 4);
            for (int i = 0; i < 4; i++) assertEquals(0x0102030405060708L * (i + 1), box.get(i));
            box.put(2, -5L);
            assertEquals(-5L, slots.get(2));
            slots.put(3, Long.MIN_VALUE);
            assertEquals(Long.MIN_VALUE, box.get(3));
            assertThrows(IndexOutOfBoundsException.class, () -> box.get(4));
        }
    }
}
