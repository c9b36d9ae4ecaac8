package io.ipcworkers.pool;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.ipcworkers.launch.LaunchedChild;

/**
 * What a pool does once one of its workers died of itself: starts a new worker in its slot after the
 * restart backoff (doubled for each crash of the slot in a row), and marks the pool down when more
 * crashes than {@code max-crashes}, failed restarts among them, fall within the crash window.
 * Replacing healthy workers is {@link WorkerReplacement}'s job.
 */
final class CrashRecovery {

    /** The pool's own logger: what becomes of a pool's workers is read in one place. */
    private static final System.Logger logger = System.getLogger(WorkerPool.class.getName());

    private final WorkerPool pool;

    private final PoolSettings.Supervision supervision;

    private final RestartBackoff backoff;

    private final CrashHistory crashes;

    private final AtomicLong restarts = new AtomicLong();

    /** Restarts by slot, for the pool's snapshot; guarded by itself. */
    private final long[] slotRestarts;

    CrashRecovery(WorkerPool pool) {
        this.pool = pool;
        this.supervision = pool.settings().supervision();
        this.backoff = new RestartBackoff(this.supervision, pool.settings().workers());
        this.crashes = new CrashHistory(this.supervision.crashWindow());
        this.slotRestarts = new long[pool.settings().workers()];
    }

    /** A worker that held its slot died, neither asked to nor replaced: its slot is restarted, or the pool goes down. */
    void crashed(PoolWorker worker, LaunchedChild.ExitReport report) {
        String what = worker + " " + report.state();
        String output = report.lastOutputLines().isEmpty() ? ""
                : "; last output lines:\n  " + String.join("\n  ", report.lastOutputLines());
        int recent = this.crashes.record();
        if (isCrashLoop(recent)) {
            this.pool.markDown(recent + " worker crashes within " + this.supervision.crashWindow() + ", the last: "
                    + what, output);
            return;
        }
        if (this.pool.state() != WorkerPool.State.RUNNING) {
            return;
        }
        Duration delay = this.backoff.afterFailure(worker.slot(), worker.uptime());
        logger.log(Level.WARNING, what + "; restarting in " + delay.toMillis() + " ms" + output);
        scheduleRestart(worker.slot(), delay);
    }

    /** The pool is brought back on purpose: past crashes no longer count, nor lengthen the next backoff. */
    void forgetCrashes() {
        this.crashes.clear();
        this.backoff.resetAll();
    }

    /**
     * Starts a worker for the slot of a running pool while it is empty; when that fails, tries again
     * after the backoff, the failure counting as a crash.
     */
    void restartSlot(int slot) {
        if (this.pool.state() != WorkerPool.State.RUNNING || this.pool.slots().get(slot) != null) {
            return;
        }
        try {
            PoolWorker worker = this.pool.startWorker(slot);
            if (!this.pool.place(worker, null) || this.pool.state() != WorkerPool.State.RUNNING) {
                worker.stopProcess(Duration.ZERO);
                return;
            }
            this.restarts.incrementAndGet();
            synchronized (this.slotRestarts) {
                this.slotRestarts[slot]++;
            }
            this.pool.slotFilled();
        }
        catch (RuntimeException ex) {
            if (this.pool.state() != WorkerPool.State.RUNNING) {
                return; // stopped meanwhile, which is why it failed: nothing to retry
            }
            Duration delay = this.backoff.afterFailure(slot, Duration.ZERO);
            logger.log(Level.ERROR, "Could not restart worker " + this.pool.name() + "-" + (slot + 1) + ": "
                    + ex.getMessage() + "; retrying in " + delay.toMillis() + " ms");
            if (isCrashLoop(this.crashes.record())) {
                this.pool.markDown("workers keep failing to start: " + ex.getMessage(), "");
                return;
            }
            scheduleRestart(slot, delay);
        }
    }

    /** Whether a running pool has had more crashes than it takes within the window: it goes down. */
    private boolean isCrashLoop(int recentCrashes) {
        return recentCrashes > this.supervision.maxCrashes() && this.pool.state() == WorkerPool.State.RUNNING;
    }

    private void scheduleRestart(int slot, Duration delay) {
        this.pool.scheduleOrDrop(() -> restartSlot(slot), delay,
                "the restart of worker " + this.pool.name() + "-" + (slot + 1));
    }

    /** How many workers were started in place of crashed ones. */
    long restarts() {
        return this.restarts.get();
    }

    long restartsOf(int slot) {
        synchronized (this.slotRestarts) {
            return this.slotRestarts[slot];
        }
    }
}
