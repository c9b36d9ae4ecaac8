package io.ipcworkers.pool;

import java.lang.System.Logger.Level;

/**
 * Checks a pool's workers at every heartbeat interval: kills a worker that has been silent past the
 * heartbeat timeout (hung, frozen, SIGSTOPped), kills one that waits for the parent while the parent
 * waits for it (stalled), recycles workers that reached their message count or memory limit, and moves
 * queued messages to an idle worker ({@link Rebalancer}). The handler timeout has a timer of its own
 * ({@link HandlerTimeouts}), so that it is kept closer than a heartbeat interval.
 */
final class PoolSupervisor implements Runnable {

    private static final System.Logger logger = System.getLogger(PoolSupervisor.class.getName());

    private final WorkerPool pool;

    private final FailureStreak failures;

    PoolSupervisor(WorkerPool pool) {
        this.pool = pool;
        this.failures = new FailureStreak(logger, "Supervising pool '" + pool.name() + "'", "look",
                "it goes on at the next heartbeat interval");
    }

    @Override
    public void run() {
        try {
            check();
        }
        catch (RuntimeException ex) {
            // a periodic task that throws is never run again: one failed look must not end the pool's supervision
            this.failures.failed(ex);
            return;
        }
        this.failures.succeeded();
    }

    private void check() {
        PoolSettings settings = this.pool.settings();
        PoolSettings.Supervision supervision = settings.supervision();
        for (PoolWorker worker : this.pool.allWorkers()) {
            if (worker.isReady() && !worker.isClosed() && worker.answers().isStalled(supervision.heartbeatTimeout())) {
                worker.kill("stalled: a parent listener has waited more than " + supervision.heartbeatTimeout()
                        + " to write its answer to the worker, which does not read while the parent holds back its "
                        + "messages (answer a stream of messages once, at its end)");
                continue;
            }
            if (!worker.isReady() || worker.isClosed() || worker.isHeldBack()) {
                continue; // held back: we are not reading it, so its silence says nothing
            }
            if (worker.silentFor().compareTo(supervision.heartbeatTimeout()) > 0) {
                worker.kill("no heartbeat for more than " + supervision.heartbeatTimeout() + ": hung or stopped");
                continue;
            }
            if (settings.recycling().isEnabled() && this.pool.state() == WorkerPool.State.RUNNING) {
                String reason = worker.recycleReason();
                if (reason != null) {
                    this.pool.replacement().recycle(worker, reason);
                }
            }
        }
        this.pool.rebalancer().check(); // a head may have come to run long since a worker went idle
    }
}
