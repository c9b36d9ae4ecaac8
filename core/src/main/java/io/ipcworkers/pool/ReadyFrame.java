package io.ipcworkers.pool;

import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import io.ipcworkers.IpcProtocolException;
import io.ipcworkers.codec.MessageCodec;

/**
 * What a pool worker announces in its READY frame: the topics it listens to and the most heap it may
 * take. Untrusted, so bounded and checked here: the parent keeps the topics for as long as the worker lives.
 *
 * @param topics the topics its listeners take
 * @param maxHeap the most heap its JVM may take, in bytes; -1 when it did not say
 */
record ReadyFrame(Set<String> topics, long maxHeap) {

    /** Most topics a worker may announce: far more than a class has listeners, far fewer than a frame holds. */
    static final int MAX_TOPICS = 10_000;

    /** Largest READY frame body: room for {@link #MAX_TOPICS} topics of 100 characters. */
    static final int MAX_BYTES = 1 << 20;

    /** @throws IpcProtocolException for a frame over {@link #MAX_BYTES}, without a topic list, or with too many */
    static ReadyFrame read(MessageCodec codec, byte[] body) {
        if (body.length > MAX_BYTES) {
            throw new IpcProtocolException("READY frame of " + body.length + " bytes, more than " + MAX_BYTES);
        }
        Map<?, ?> announced = (codec.decode(body).payload() instanceof Map<?, ?> map) ? map : Map.of();
        return new ReadyFrame(topicsOf(announced), maxHeapOf(announced));
    }

    /** Only strings are kept. */
    private static Set<String> topicsOf(Map<?, ?> announced) {
        if (announced.get("topics") instanceof Collection<?> topics) {
            if (topics.size() > MAX_TOPICS) {
                throw new IpcProtocolException("READY frame announcing " + topics.size() + " topics, more than " + MAX_TOPICS);
            }
            Set<String> names = new HashSet<>();
            for (Object topic : topics) {
                if (topic instanceof String name) {
                    names.add(name);
                }
            }
            return Set.copyOf(names);
        }
        throw new IpcProtocolException("malformed READY frame: no topic list");
    }

    /**
     * Told, not checked: it only adds to a warning of the memory the pools may take ({@link HeapBudget})
     * and to the figures the pool shows. Beyond 2^48 bytes (the address space of today's 64-bit machines)
     * it is "no limit", or made up: not counted, and the sum of a pool's heaps cannot overflow.
     */
    static long maxHeapOf(Map<?, ?> announced) {
        Object bytes = announced.get("maxHeap");
        long value = (bytes instanceof Integer || bytes instanceof Long) ? ((Number) bytes).longValue() : -1;
        return (value > 0 && value < (1L << 48)) ? value : -1;
    }
}
