package io.github.jnids;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.IntConsumer;

/**
 * The handlers of one kind, in registration order. Dispatch iterates over an
 * array snapshot, so a handler may register or unregister others while running.
 */
final class HandlerList<H> {
    /** A registration, so that a stream's listeners can tell a handler was removed. */
    static final class Entry<H> {
        final H handler;
        volatile boolean active = true;

        Entry(H handler) {
            this.handler = handler;
        }
    }

    private final IntConsumer onEmptyChange;
    @SuppressWarnings("unchecked")
    private volatile Entry<H>[] entries = new Entry[0];

    /** @param onEmptyChange told 1 when the list stops being empty, 0 when it becomes empty */
    HandlerList(IntConsumer onEmptyChange) {
        this.onEmptyChange = onEmptyChange;
    }

    Entry<H>[] snapshot() {
        return entries;
    }

    boolean isEmpty() {
        return entries.length == 0;
    }

    /** Adds a handler; registering the same one twice has no effect, as in libnids. */
    synchronized void add(H handler) {
        Objects.requireNonNull(handler, "handler");
        for (Entry<H> e : entries) {
            if (e.handler == handler) return;
        }
        Entry<H>[] next = Arrays.copyOf(entries, entries.length + 1);
        next[entries.length] = new Entry<>(handler);
        entries = next;
        if (next.length == 1) onEmptyChange.accept(1);
    }

    /** Removes a handler; returns false when it was not registered. */
    synchronized boolean remove(H handler) {
        for (int i = 0; i < entries.length; i++) {
            if (entries[i].handler == handler) {
                entries[i].active = false;
                Entry<H>[] next = Arrays.copyOf(entries, entries.length - 1);
                System.arraycopy(entries, i + 1, next, i, entries.length - i - 1);
                entries = next;
                if (next.length == 0) onEmptyChange.accept(0);
                return true;
            }
        }
        return false;
    }
}
