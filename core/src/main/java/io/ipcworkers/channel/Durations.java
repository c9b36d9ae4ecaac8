package io.ipcworkers.channel;

import java.time.Duration;

/** Timeouts and intervals as nanoseconds to add to {@link System#nanoTime()}. */
public final class Durations {

    /** About 73 years: deadlines this far apart still compare by subtraction, wherever nanoTime is. */
    public static final long MAX_NANOS = Long.MAX_VALUE / 4;

    private Durations() {
    }

    /**
     * The duration, if it is positive.
     * @param what the setting, as the message should name it
     * @throws IllegalArgumentException for zero or a negative duration, naming the setting and the value
     */
    public static Duration requirePositive(String what, Duration duration) {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, was " + duration);
        }
        return duration;
    }

    /**
     * The duration in nanoseconds; one too long for that ("forever" written as centuries, or as
     * {@code Duration.ofMillis(Long.MAX_VALUE)}) is capped instead of overflowing.
     */
    public static long cappedNanos(Duration duration) {
        try {
            return Math.min(duration.toNanos(), MAX_NANOS);
        }
        catch (ArithmeticException ex) {
            return MAX_NANOS;
        }
    }
}
