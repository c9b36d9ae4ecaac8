package io.ipcworkers.pool;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Ends a stopping pool's workers within its stop timeout: waits for the messages in flight to finish,
 * asks every worker to finish its queue and exit, kills those still running at the deadline, and
 * waits for the pool to have recorded each exit. What had not finished by then fails or becomes a
 * dead letter as the workers' exits are recorded, never vanishes.
 */
final class PoolShutdown {

    /** The pool's own logger: what becomes of a pool's workers is read in one place. */
    private static final System.Logger logger = System.getLogger(WorkerPool.class.getName());

    /** How long a stop waits for the exits of the workers it stopped to be recorded, after they have exited. */
    static final long EXITS_RECORDED_MILLIS = 2_000;

    private final WorkerPool pool;

    private final RoomWaiters room;

    PoolShutdown(WorkerPool pool, RoomWaiters room) {
        this.pool = pool;
        this.room = room;
    }

    /** Ends the workers by the deadline ({@link System#nanoTime()}); the pool refuses new work already. */
    void endWorkers(long deadline) {
        awaitDrained(deadline);
        List<PoolWorker> running = this.pool.allWorkers();
        askToExit(running, deadline);
        for (PoolWorker worker : running) {
            worker.stopProcess(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
        awaitExitsRecorded(running);
    }

    private void awaitDrained(long deadline) {
        if (!this.room.awaitUntil(() -> this.pool.inFlight() == 0 && this.pool.rebalancer().moving() == 0, deadline)) {
            logger.log(Level.WARNING, "Pool '" + this.pool.name() + "' stops with " + this.pool.inFlight()
                    + " messages still in flight after " + this.pool.settings().stopTimeout()
                    + "; they fail or become dead letters");
        }
    }

    /**
     * Sends every worker its SHUTDOWN, each on a thread of its own, waiting until the deadline at most:
     * a worker that does not read (its socket full) would otherwise hold up the others, and the kill at
     * the deadline, for as long as it does not read.
     */
    private void askToExit(List<PoolWorker> workers, long deadline) {
        CompletableFuture<?>[] asked = workers.stream()
            .map((worker) -> CompletableFuture.runAsync(worker::shutdown, this.pool.executor()))
            .toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(asked).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        catch (TimeoutException | ExecutionException ex) {
            // those not asked yet are stopped all the same, below
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits, {@value #EXITS_RECORDED_MILLIS} ms at most, for the pool to have recorded each stopped worker's
     * exit, which the worker's reader does as the connection ends, a moment after the process: a stop then
     * returns with the slots emptied, the messages settled and the exit events told, not while an
     * application's context closes behind them.
     */
    private void awaitExitsRecorded(List<PoolWorker> stopped) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(EXITS_RECORDED_MILLIS);
        try {
            for (PoolWorker worker : stopped) {
                worker.awaitExitRecorded(deadline);
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
