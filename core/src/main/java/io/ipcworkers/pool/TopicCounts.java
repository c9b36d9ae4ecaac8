package io.ipcworkers.pool;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.jspecify.annotations.Nullable;

/**
 * Counts of dropped messages by topic. Topics come from workers, which may make up a new one per
 * message, so only the first {@value #MAX_TOPICS} are counted one by one and the rest together under
 * {@link InboundDispatcher#OTHER_TOPICS}.
 */
final class TopicCounts {

    static final int MAX_TOPICS = 100;

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    /**
     * Counts one message.
     * @return the key it was counted under when it is that key's first message (callers log once
     *     per key), otherwise null
     */
    @Nullable String increment(String topic) {
        String key = topic;
        LongAdder count = this.counts.get(key);
        if (count == null && this.counts.size() >= MAX_TOPICS) {
            key = InboundDispatcher.OTHER_TOPICS;
            count = this.counts.get(key);
        }
        if (count == null) {
            count = this.counts.computeIfAbsent(key, (newKey) -> new LongAdder());
        }
        count.increment();
        return (count.sum() == 1) ? key : null;
    }

    /** The counts now, sorted by topic. */
    Map<String, Long> snapshot() {
        Map<String, Long> snapshot = new TreeMap<>();
        this.counts.forEach((topic, count) -> snapshot.put(topic, count.sum()));
        return snapshot;
    }
}
