package io.ipcworkers.pool;

import java.time.Duration;

/** Durations from the settings as nanoseconds to add to {@link System#nanoTime()}. */
final class Durations {

    /** About 73 years: deadlines this far apart still compare by subtraction, wherever nanoTime is. */
    static final long MAX_NANOS = Long.MAX_VALUE / 4;

    private Durations() {
    }

    /** The duration in nanoseconds; one too long for that ("forever" written as centuries) is capped. */
    static long cappedNanos(Duration duration) {
        try {
            return Math.min(duration.toNanos(), MAX_NANOS);
        }
        catch (ArithmeticException ex) {
            return MAX_NANOS;
        }
    }
}
