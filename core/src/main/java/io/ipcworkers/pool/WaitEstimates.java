package io.ipcworkers.pool;

import org.jspecify.annotations.Nullable;

/**
 * What least-busy routing compares: how long a message sent to a worker now would wait before its
 * listener runs, from the messages the worker has in flight, the pool's typical time per message, and
 * how long the message at the head of the worker's queue has been running.
 * <p>
 * Counting messages alone cannot tell a worker whose one listener has run for a minute from one with
 * two short messages whose acknowledgements are on their way. A head that has run well past the typical
 * time is taken to need as long again (the longer a listener has run, the longer it is likely to run
 * on), and so is each message queued behind it: the typical time is an average of what the pool did,
 * stale once the work has got longer, while a listener that has run long says what the worker is on now. So
 * such a worker is passed over while the others' queues are shorter than that, and of workers all in
 * long listeners, a burst of similar jobs sent apart is spread over them. "Well past" is by
 * more than {@link #LONG_RUNNING_SLACK_NANOS}: a worker acknowledges a stream of messages together,
 * every millisecond or so, and the messages before a long listener within 20 ms of its start, so a
 * head's age, measured from the last acknowledgement, says nothing shorter than that; below it every
 * head counts as typical, and equally quick workers are compared by their queues alone.
 * <p>
 * Whether a head runs long is judged against the pool's latest clock reading, taken as a worker
 * acknowledged messages or was given one while idle, so that routing reads no clock of its own on a
 * sender's path. While messages flow that is within a millisecond or two of now; after a silence every
 * head looks younger than it is, by the same amount, and routing counts messages. Only once one does
 * are the workers' estimates compared, which is rare enough to read the clock for.
 * <p>
 * The typical time is a moving average over the pool's acknowledgements, at most one a millisecond,
 * weighted 1/8 to the newest as TCP weighs its round-trip samples; updates from several reader threads
 * may overwrite one another, which costs an average nothing. Until the first sample it is unknown, taken
 * as longer than any listener runs, so that no head runs long and the queues' lengths decide: against a
 * guess, a first listener 30 ms into a job of 100 ms would look long. The first sample then sets it,
 * rather than joining an average that would take a few dozen such jobs to come near them.
 */
final class WaitEstimates {

    /** The typical time until the first sample: longer than any listener runs, so that none runs long. */
    static final long UNKNOWN_TYPICAL_NANOS = Long.MAX_VALUE >> 2;

    /** How far past the typical time a head must have run to count as running long. */
    static final long LONG_RUNNING_SLACK_NANOS = 20_000_000;

    /** A floor, so that the queue's length always counts. */
    static final long MIN_TYPICAL_NANOS = 1_000;

    /**
     * At most one update of the two fields below in this time: senders read them for every message,
     * and writes as often as a stream's acknowledgements come would take the line from their caches.
     */
    static final long UPDATE_PERIOD_NANOS = 1_000_000;

    private volatile long typicalNanos = UNKNOWN_TYPICAL_NANOS;

    private volatile long latestNanos;

    WaitEstimates() {
        this(System.nanoTime());
    }

    WaitEstimates(long latestNanos) {
        this.latestNanos = latestNanos;
    }

    /** An idle worker was given a message at {@code nanos} ({@code System.nanoTime}). */
    void started(long nanos) {
        if (nanos - this.latestNanos >= UPDATE_PERIOD_NANOS) {
            this.latestNanos = nanos;
        }
    }

    /**
     * A worker acknowledged {@code messages} messages at {@code nanos}, the first of which started at
     * {@code startedNanos}.
     */
    void acknowledged(long startedNanos, long nanos, int messages) {
        if (nanos - this.latestNanos < UPDATE_PERIOD_NANOS) {
            return;
        }
        this.latestNanos = nanos;
        long elapsed = nanos - startedNanos;
        if (messages <= 0 || elapsed < 0) {
            return;
        }
        long sample = elapsed / messages;
        long typical = this.typicalNanos;
        // the first sample sets it, as TCP's first round trip does its smoothed estimate
        long next = (typical == UNKNOWN_TYPICAL_NANOS) ? sample : typical + ((sample - typical) >> 3);
        this.typicalNanos = Math.max(MIN_TYPICAL_NANOS, next);
    }

    long typicalNanos() {
        return this.typicalNanos;
    }

    /** The typical time in milliseconds, for people; null while it is unknown. */
    @Nullable Double typicalMillis() {
        long typical = this.typicalNanos;
        return (typical == UNKNOWN_TYPICAL_NANOS) ? null : typical / 1e6;
    }

    /**
     * The estimated wait, in nanoseconds, for a message sent at {@code nowNanos} to a worker with
     * {@code inFlight} messages (sent or reserved) whose head started at {@code headStartedNanos}; zero
     * when idle.
     */
    double estimate(int inFlight, long headStartedNanos, long nowNanos) {
        if (inFlight <= 0) {
            return 0;
        }
        long typical = this.typicalNanos;
        long headRunning = nowNanos - headStartedNanos;
        return inFlight * (double) (runsLong(headRunning, typical) ? headRunning : typical);
    }

    /** Whether a head started at {@code headStartedNanos} has run long past the typical time. */
    boolean runsLong(long headStartedNanos) {
        return runsLong(this.latestNanos - headStartedNanos, this.typicalNanos);
    }

    private static boolean runsLong(long headRunningNanos, long typicalNanos) {
        return headRunningNanos - typicalNanos > LONG_RUNNING_SLACK_NANOS;
    }
}
