package io.ipcworkers.pool;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

/**
 * Warnings of one kind counted by topic, for a line that stands for all of them: how many, of which
 * topics, and the first in full.
 *
 * @param <T> what the first is kept as
 */
final class TopicTally<T> {

    /** Topics named in the line; the rest are counted. */
    private static final int TOPICS_NAMED = 10;

    private final Map<String, Integer> countsByTopic = new LinkedHashMap<>();

    private int count;

    private @Nullable String firstTopic;

    private @Nullable T first;

    void add(String topic, T detail) {
        if (this.count++ == 0) {
            this.firstTopic = topic;
            this.first = detail;
        }
        this.countsByTopic.merge(topic, 1, Integer::sum);
    }

    int count() {
        return this.count;
    }

    @Nullable String firstTopic() {
        return this.firstTopic;
    }

    @Nullable T first() {
        return this.first;
    }

    /** "topics 'a' x2, 'b' x1", the first ten named and the others counted. */
    String topics() {
        String named = this.countsByTopic.entrySet()
            .stream()
            .limit(TOPICS_NAMED)
            .map((entry) -> "'" + entry.getKey() + "' x" + entry.getValue())
            .collect(Collectors.joining(", ", "topics ", ""));
        int others = this.countsByTopic.size() - TOPICS_NAMED;
        return (others > 0) ? named + " and " + others + " more" : named;
    }

    /** "10 s" or "300 ms": how a period reads in a line. */
    static String describe(Duration period) {
        return (period.toMillis() % 1000 == 0) ? period.toSeconds() + " s" : period.toMillis() + " ms";
    }
}
