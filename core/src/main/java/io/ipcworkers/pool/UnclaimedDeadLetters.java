package io.ipcworkers.pool;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

/**
 * Dead letters no parent listener took, logged as one line per batch: a worker's exit or a pool's
 * stop gives up everything the worker held at once, up to {@code max-in-flight} messages, and a line
 * for each, with the worker's last output lines in every one, would bury the exit itself. Also the
 * count of those {@link DeadLetterWarnings} held back.
 */
final class UnclaimedDeadLetters {

    private static final System.Logger logger = System.getLogger(WorkerPool.class.getName());

    /** Topics named in the line; the rest are counted. */
    private static final int TOPICS_NAMED = 10;

    private final String pool;

    private final Map<String, Integer> countsByTopic = new LinkedHashMap<>();

    private int count;

    private @Nullable String firstTopic;

    private @Nullable String firstReason;

    UnclaimedDeadLetters(String pool) {
        this.pool = pool;
    }

    void add(String topic, String reason) {
        if (this.count++ == 0) {
            this.firstTopic = topic;
            this.firstReason = reason;
        }
        this.countsByTopic.merge(topic, 1, Integer::sum);
    }

    int count() {
        return this.count;
    }

    void log() {
        if (this.count == 1) {
            log(this.pool, this.firstTopic, this.firstReason);
        }
        else if (this.count > 1) {
            logCounted(this.count + " dead letters from pool '" + this.pool + "'");
        }
    }

    /** Logs the letters as those that followed, within {@code period}, one logged on its own. */
    void logAsFollowing(Duration period) {
        if (this.count > 0) {
            logCounted(this.count + " more dead " + ((this.count == 1) ? "letter" : "letters") + " from pool '"
                    + this.pool + "' within " + describe(period) + " of the one logged before");
        }
    }

    private void logCounted(String letters) {
        logger.log(Level.WARNING, letters + " (" + topics() + "); the first, topic '" + this.firstTopic + "': "
                + this.firstReason);
    }

    private static String describe(Duration period) {
        return (period.toMillis() % 1000 == 0) ? period.toSeconds() + " s" : period.toMillis() + " ms";
    }

    private String topics() {
        String named = this.countsByTopic.entrySet()
            .stream()
            .limit(TOPICS_NAMED)
            .map((entry) -> "'" + entry.getKey() + "' x" + entry.getValue())
            .collect(Collectors.joining(", ", "topics ", ""));
        int others = this.countsByTopic.size() - TOPICS_NAMED;
        return (others > 0) ? named + " and " + others + " more" : named;
    }

    static void log(String pool, @Nullable String topic, @Nullable String reason) {
        logger.log(Level.WARNING, "Dead letter from pool '" + pool + "', topic '" + topic + "': " + reason);
    }
}
