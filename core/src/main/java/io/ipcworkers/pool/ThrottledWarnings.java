package io.ipcworkers.pool;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

/**
 * Logs warnings of one kind from a running pool without flooding the log: a listener that fails on
 * every message of a fast stream would make a line of each (dead letters of a worker's listener,
 * failures of a parent's). The first in a period is logged as it comes; those after it in the same
 * period are counted and logged in one line when the period ends, so a steady stream of them costs
 * two lines a period. One that must be seen as it comes (the first of a new kind of failure, with its
 * stack trace) is logged at once whatever the period. Once the pool stops, each is logged as it comes
 * again (nothing is left to end a period).
 *
 * @param <T> what a warning says beside its topic
 */
final class ThrottledWarnings<T> {

    /** How the lines read. */
    interface Lines<T> {

        /** One warning, on its own line. */
        void logAlone(String topic, T detail);

        /** Those that followed the one logged before, within {@code period}, in one line. */
        void logFollowing(TopicTally<T> held, Duration period);
    }

    private final Lines<T> lines;

    private final Duration period;

    private final ScheduledExecutorService scheduler;

    private final LongSupplier nanoClock;

    private boolean inPeriod;

    private long periodStart;

    private @Nullable TopicTally<T> held;

    private boolean passThrough = true;

    ThrottledWarnings(Lines<T> lines, Duration period, ScheduledExecutorService scheduler, LongSupplier nanoClock) {
        this.lines = lines;
        this.period = period;
        this.scheduler = scheduler;
        this.nanoClock = nanoClock;
    }

    /** Holds warnings back from now on, while the pool runs. */
    synchronized void start() {
        this.passThrough = false;
    }

    /** Logs the warnings held back, and every later one as it comes. */
    synchronized void stop() {
        endPeriod();
        this.passThrough = true;
    }

    synchronized void warn(String topic, T detail) {
        warn(topic, detail, false);
    }

    /** @param atOnce logged as it comes, within a period or not (it starts one when none runs) */
    synchronized void warn(String topic, T detail, boolean atOnce) {
        long now = this.nanoClock.getAsLong();
        if (this.inPeriod && now - this.periodStart >= this.period.toNanos()) {
            endPeriod(); // its timer has not run yet
        }
        if (this.passThrough || !this.inPeriod || atOnce) {
            this.lines.logAlone(topic, detail);
            if (!this.passThrough && !this.inPeriod) {
                this.inPeriod = true;
                this.periodStart = now;
            }
            return;
        }
        TopicTally<T> tally = this.held;
        if (tally == null) {
            if (!endPeriodLater(now)) {
                this.lines.logAlone(topic, detail);
                return;
            }
            tally = new TopicTally<>();
            this.held = tally;
        }
        tally.add(topic, detail);
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

    /** Warnings counted towards the period's summary line so far; for tests. */
    synchronized int heldBack() {
        TopicTally<T> tally = this.held;
        return (tally != null) ? tally.count() : 0;
    }

    private void endPeriod() {
        TopicTally<T> tally = this.held;
        if (tally != null) {
            this.lines.logFollowing(tally, this.period);
        }
        this.held = null;
        this.inPeriod = false;
    }
}
