package io.ipcworkers.pool;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

/**
 * Logs a running pool's dead letters that no parent listener took, one by one, without flooding the
 * log: a worker listener that fails on every message of a fast stream makes a dead letter of each.
 * The first in a period is logged as it comes; those after it in the same period are counted and
 * logged in one line when the period ends, so a steady stream of them costs two lines a period. Once
 * the pool stops, each is logged as it comes again (nothing is left to end a period).
 */
final class DeadLetterWarnings {

    private final String pool;

    private final Duration period;

    private final ScheduledExecutorService scheduler;

    private final LongSupplier nanoClock;

    private boolean inPeriod;

    private long periodStart;

    private @Nullable UnclaimedDeadLetters held;

    private boolean passThrough = true;

    DeadLetterWarnings(String pool, Duration period, ScheduledExecutorService scheduler, LongSupplier nanoClock) {
        this.pool = pool;
        this.period = period;
        this.scheduler = scheduler;
        this.nanoClock = nanoClock;
    }

    /** Holds letters back from now on, while the pool runs. */
    synchronized void start() {
        this.passThrough = false;
    }

    /** Logs the letters held back, and every later one as it comes. */
    synchronized void stop() {
        endPeriod();
        this.passThrough = true;
    }

    synchronized void warn(String topic, String reason) {
        long now = this.nanoClock.getAsLong();
        if (this.inPeriod && now - this.periodStart >= this.period.toNanos()) {
            endPeriod(); // its timer has not run yet
        }
        if (this.passThrough || !this.inPeriod) {
            UnclaimedDeadLetters.log(this.pool, topic, reason);
            this.inPeriod = !this.passThrough;
            this.periodStart = now;
            return;
        }
        UnclaimedDeadLetters letters = this.held;
        if (letters == null) {
            if (!endPeriodLater(now)) {
                UnclaimedDeadLetters.log(this.pool, topic, reason);
                return;
            }
            letters = new UnclaimedDeadLetters(this.pool);
            this.held = letters;
        }
        letters.add(topic, reason);
    }

    /** Has the timer end the period on time; false, holding nothing back from now on, when the timer is shut. */
    private boolean endPeriodLater(long now) {
        try {
            this.scheduler.schedule(this::endPeriodOnTime, this.periodStart + this.period.toNanos() - now,
                    TimeUnit.NANOSECONDS);
            return true;
        }
        catch (RejectedExecutionException ex) {
            this.passThrough = true; // the process manager is closing: no timer would log them
            this.inPeriod = false;
            return false;
        }
    }

    private synchronized void endPeriodOnTime() {
        if (this.inPeriod && this.nanoClock.getAsLong() - this.periodStart >= this.period.toNanos()) {
            endPeriod();
        }
    }

    /** Letters counted towards the period's summary line so far; for tests. */
    synchronized int heldBack() {
        UnclaimedDeadLetters letters = this.held;
        return (letters != null) ? letters.count() : 0;
    }

    private void endPeriod() {
        UnclaimedDeadLetters letters = this.held;
        if (letters != null) {
            letters.logAsFollowing(this.period);
        }
        this.held = null;
        this.inPeriod = false;
    }
}
