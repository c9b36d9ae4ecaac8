package io.ipcworkers.pool;

/**
 * What least-busy routing compares: how long a message sent to a worker now would wait before its
 * listener runs, from the messages the worker has in flight, the pool's typical time per message, and
 * how long the message at the head of the worker's queue has been running.
 * <p>
 * Counting messages alone cannot tell a worker whose one listener has run for a minute from one with
 * two short messages whose acknowledgements are on their way. A head that has run well past the typical
 * time is taken to need as long again (the longer a listener has run, the longer it is likely to run
 * on), so such a worker is passed over while the others' queues are shorter than that. "Well past" is by
 * more than {@link #LONG_RUNNING_SLACK_NANOS}: a worker acknowledges a stream of messages together,
 * every millisecond or so, and the messages before a long listener within 20 ms of its start, so a
 * head's age, measured from the last acknowledgement, says nothing shorter than that; below it every
 * head counts as typical, and equally quick workers are compared by their queues alone.
 * <p>
 * The typical time is a moving average over the pool's acknowledgements, weighted 1/8 to the newest as
 * TCP weighs its round-trip samples; updates from several reader threads may overwrite one another,
 * which costs an average nothing. Until the first sample it is 1 ms: an estimate too high only makes
 * routing count messages, as it did, while one too low would let a head's age outweigh a long queue.
 */
final class WaitEstimates {

    static final long INITIAL_TYPICAL_NANOS = 1_000_000;

    /** How far past the typical time a head must have run to count as running long. */
    static final long LONG_RUNNING_SLACK_NANOS = 20_000_000;

    /** A floor, so that the queue's length always counts. */
    static final long MIN_TYPICAL_NANOS = 1_000;

    private volatile long typicalNanos = INITIAL_TYPICAL_NANOS;

    /** A worker acknowledged {@code messages} messages {@code elapsedNanos} after the first of them started. */
    void observed(long elapsedNanos, int messages) {
        if (messages <= 0 || elapsedNanos < 0) {
            return;
        }
        long sample = elapsedNanos / messages;
        long typical = this.typicalNanos;
        this.typicalNanos = Math.max(MIN_TYPICAL_NANOS, typical + ((sample - typical) >> 3));
    }

    long typicalNanos() {
        return this.typicalNanos;
    }

    /**
     * The estimated wait, in nanoseconds, for a message sent now to a worker with {@code inFlight}
     * messages (sent or reserved) whose head has run for {@code headRunningNanos}; zero when idle.
     */
    double estimate(int inFlight, long headRunningNanos) {
        if (inFlight <= 0) {
            return 0;
        }
        long typical = this.typicalNanos;
        long head = (headRunningNanos - typical > LONG_RUNNING_SLACK_NANOS) ? headRunningNanos : typical;
        return (inFlight - 1) * (double) typical + head;
    }
}
