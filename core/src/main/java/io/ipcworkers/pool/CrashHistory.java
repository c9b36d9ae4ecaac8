package io.ipcworkers.pool;

import java.time.Duration;
import java.util.ArrayDeque;

import io.ipcworkers.channel.Durations;

/** Crash times within a sliding window: tells when a pool is crash-looping. */
final class CrashHistory {

    private final ArrayDeque<Long> crashes = new ArrayDeque<>();

    private final long windowNanos;

    CrashHistory(Duration window) {
        this.windowNanos = Durations.cappedNanos(window);
    }

    /** Records a crash now; returns how many fell within the window, this one included. */
    synchronized int record() {
        long now = System.nanoTime();
        this.crashes.addLast(now);
        while (!this.crashes.isEmpty() && now - this.crashes.peekFirst() > this.windowNanos) {
            this.crashes.pollFirst();
        }
        return this.crashes.size();
    }

    synchronized void clear() {
        this.crashes.clear();
    }
}
