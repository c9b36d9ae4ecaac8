package io.ipcworkers.pool;

import java.lang.System.Logger.Level;
import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * Dead letters no parent listener took, logged as one line per batch: a worker's exit or a pool's
 * stop gives up everything the worker held at once, up to {@code max-in-flight} messages, and a line
 * for each, with the worker's last output lines in every one, would bury the exit itself. Also how the
 * lines of those {@link ThrottledWarnings} held back read.
 */
final class UnclaimedDeadLetters {

    private static final System.Logger logger = System.getLogger(WorkerPool.class.getName());

    private final String pool;

    private final TopicTally<String> reasons = new TopicTally<>();

    UnclaimedDeadLetters(String pool) {
        this.pool = pool;
    }

    void add(String topic, String reason) {
        this.reasons.add(topic, reason);
    }

    void log() {
        if (this.reasons.count() == 1) {
            log(this.pool, this.reasons.firstTopic(), this.reasons.first());
        }
        else if (this.reasons.count() > 1) {
            logCounted(this.reasons.count() + " dead letters from pool '" + this.pool + "'", this.reasons);
        }
    }

    /** A running pool's dead letters: one logged on its own, those following it in a period in one line. */
    static ThrottledWarnings.Lines<String> throttledLines(String pool) {
        return new ThrottledWarnings.Lines<>() {

            @Override
            public void logAlone(String topic, String reason) {
                log(pool, topic, reason);
            }

            @Override
            public void logFollowing(TopicTally<String> held, Duration period) {
                logCounted(held.count() + " more dead " + ((held.count() == 1) ? "letter" : "letters") + " from pool '"
                        + pool + "' within " + TopicTally.describe(period) + " of the one logged before", held);
            }
        };
    }

    private static void logCounted(String letters, TopicTally<String> reasons) {
        logger.log(Level.WARNING, letters + " (" + reasons.topics() + "); the first, topic '" + reasons.firstTopic()
                + "': " + reasons.first());
    }

    static void log(String pool, @Nullable String topic, @Nullable String reason) {
        logger.log(Level.WARNING, "Dead letter from pool '" + pool + "', topic '" + topic + "': " + reason);
    }
}
