package io.ipcworkers.codec;

import java.util.Arrays;

import org.jspecify.annotations.Nullable;

/**
 * The topics a codec decoded lately, by their bytes: a stream repeats a handful of topics, and decoding
 * each afresh cost a {@code String} and its array per message, bytes that G1 lays on fresh heap pages
 * while a JVM warms up (benchmarks/README, items 51 and 52). A slot per hash of the bytes, so a peer that
 * makes up topics only replaces entries and never grows it. Shared by the codec's reading threads without
 * a lock: an entry is immutable, so a thread sees a whole one, an older one or none, and a miss only decodes.
 */
final class RecentTopics {

    /** Longer topics are decoded every time: rare, and not worth their copy. */
    static final int MAX_LENGTH = 32;

    private static final int SLOTS = 64; // a power of two

    private final @Nullable Entry[] entries = new Entry[SLOTS];

    /** The topic decoded lately from the {@code length} bytes at {@code offset}, or null. */
    @Nullable String find(byte[] bytes, int offset, int length) {
        if (length > MAX_LENGTH) {
            return null;
        }
        Entry entry = this.entries[slot(bytes, offset, length)];
        if (entry == null || !Arrays.equals(entry.bytes, 0, entry.bytes.length, bytes, offset, offset + length)) {
            return null;
        }
        return entry.topic;
    }

    /** Keeps the topic decoded from those bytes, in place of what had their slot. */
    void remember(byte[] bytes, int offset, int length, String topic) {
        if (length <= MAX_LENGTH) {
            this.entries[slot(bytes, offset, length)] = new Entry(Arrays.copyOfRange(bytes, offset, offset + length), topic);
        }
    }

    private static int slot(byte[] bytes, int offset, int length) {
        int hash = 1;
        for (int i = offset; i < offset + length; i++) {
            hash = 31 * hash + bytes[i];
        }
        return (hash ^ (hash >>> 16)) & (SLOTS - 1);
    }

    private record Entry(byte[] bytes, String topic) {
    }
}
