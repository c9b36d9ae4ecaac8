package io.ipcworkers.pool;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;

/**
 * One worker as recycling sees it: when it is due to be replaced (its own message limit, and the
 * pool's limits on the heap and resident memory its heartbeats report), whether it is being replaced,
 * and, after its replacement failed to start, how long recycling leaves it alone.
 */
final class WorkerRecycling {

    private final PoolSettings.Recycling limits;

    /** The pool's message limit spread by its jitter, so that workers started together do not recycle together; 0 for none. */
    private final long afterMessages;

    private final AtomicBoolean claimed = new AtomicBoolean();

    /** Until then ({@code System.nanoTime}) recycling leaves the worker alone: a replacement failed to start. */
    private volatile long notBeforeNanos = System.nanoTime();

    WorkerRecycling(PoolSettings.Recycling limits) {
        this.limits = limits;
        this.afterMessages = spread(limits.afterMessages(), limits.jitter());
    }

    private static long spread(long afterMessages, double jitter) {
        if (afterMessages <= 0) {
            return 0;
        }
        double factor = 1 + jitter * (2 * ThreadLocalRandom.current().nextDouble() - 1);
        return Math.max(1, Math.round(afterMessages * factor));
    }

    /** Why the worker is due to be replaced, or null while it is not. */
    @Nullable String dueReason(long handled, long heapUsed, long residentBytes) {
        if (this.afterMessages > 0 && handled >= this.afterMessages) {
            return "handled " + handled + " messages";
        }
        if (this.limits.maxHeapBytes() > 0 && heapUsed > this.limits.maxHeapBytes()) {
            return "heap use of " + heapUsed + " bytes passed " + this.limits.maxHeapBytes();
        }
        if (this.limits.maxRssBytes() > 0 && residentBytes > this.limits.maxRssBytes()) {
            return "resident memory of " + residentBytes + " bytes passed " + this.limits.maxRssBytes();
        }
        return null;
    }

    /** Claims the worker for replacement; true for the first caller only. It keeps working until retired. */
    boolean claim() {
        return this.claimed.compareAndSet(false, true);
    }

    /** Whether recycling may try to replace the worker now: not too soon after a replacement failed to start. */
    boolean mayTryNow() {
        return System.nanoTime() - this.notBeforeNanos >= 0;
    }

    /** Its replacement could not start: the worker keeps working, and recycling tries again after {@code retryIn}. */
    void abort(Duration retryIn) {
        this.notBeforeNanos = System.nanoTime() + retryIn.toNanos();
        this.claimed.set(false);
    }
}
