package io.ipcworkers.pool;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * Logs the failures in a row of a task that runs again and again (a pool's supervision, every
 * heartbeat interval): the first with its stack trace, then a line at the 2nd, 4th, 8th and so on,
 * and the first success after them. A lasting fault takes a line each time its run has doubled, not a
 * stack trace a second. Not thread-safe: for a task that never runs concurrently with itself, as a
 * periodic task of a {@link java.util.concurrent.ScheduledExecutorService} does not.
 */
final class FailureStreak {

    private final Logger logger;

    private final String task;

    private final String run;

    private final String goesOn;

    private int failures;

    /**
     * @param task what fails, to begin each line: "Supervising pool 'x'"
     * @param run what one run is called: "look"
     * @param goesOn what becomes of the task after its first failure: "it goes on at the next heartbeat interval"
     */
    FailureStreak(Logger logger, String task, String run, String goesOn) {
        this.logger = logger;
        this.task = task;
        this.run = run;
        this.goesOn = goesOn;
    }

    void failed(RuntimeException ex) {
        int count = ++this.failures;
        if (count == 1) {
            this.logger.log(Level.ERROR, this.task + " failed; " + this.goesOn, ex);
        }
        else if (Integer.bitCount(count) == 1) {
            this.logger.log(Level.ERROR, this.task + " has failed " + runs(count) + " in a row, the last with " + ex
                    + " (the first's stack trace was logged; should it go on failing, the next line comes at "
                    + (count * 2) + ")");
        }
    }

    void succeeded() {
        if (this.failures > 0) {
            this.logger.log(Level.INFO, this.task + " works again after failing " + runs(this.failures)
                    + ((this.failures == 1) ? "" : " in a row"));
            this.failures = 0;
        }
    }

    private String runs(int count) {
        return count + " " + this.run + ((count == 1) ? "" : "s");
    }
}
