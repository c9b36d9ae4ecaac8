package io.ipcworkers.pool;

import java.time.Duration;
import java.util.Arrays;

/**
 * How long each slot of a pool waits before its next start attempt: the restart backoff, doubled for
 * every failure in a row, up to the maximum. A pool keeps one of these for crashes and another for
 * replacements that could not start, so that failed recycling does not lengthen the wait after a
 * later crash, nor crashes the wait between recycling attempts.
 */
final class RestartBackoff {

    private final long initialMillis;

    private final Duration max;

    private final int[] failuresInARow;

    RestartBackoff(PoolSettings.Supervision supervision, int slots) {
        this.initialMillis = supervision.restartBackoff().toMillis();
        this.max = supervision.maxRestartBackoff();
        this.failuresInARow = new int[slots];
    }

    /**
     * Counts a failure of the slot and returns the delay before its next attempt. What failed after
     * running for longer than the maximum backoff was no loop: the count starts again from it.
     */
    synchronized Duration afterFailure(int slot, Duration ranFor) {
        if (ranFor.compareTo(this.max) > 0) {
            this.failuresInARow[slot] = 0;
        }
        int failures = ++this.failuresInARow[slot];
        long millis = this.initialMillis << Math.min(failures - 1, 20);
        return Duration.ofMillis(Math.min(millis, this.max.toMillis()));
    }

    synchronized void reset(int slot) {
        this.failuresInARow[slot] = 0;
    }

    synchronized void resetAll() {
        Arrays.fill(this.failuresInARow, 0);
    }
}
