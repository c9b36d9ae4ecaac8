package io.ipcworkers.pool;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.ipcworkers.IpcException;

/**
 * Replaces healthy workers of a pool without a dip in its capacity (recycling, rolling restarts, a
 * restart asked for one worker, a signal sent to one worker alone): the replacement starts first, and only once it is ready does the old
 * worker stop taking work; it then finishes what it holds and exits by itself. A replacement that
 * cannot start leaves the old worker working, and recycling leaves that worker alone for the restart
 * backoff (doubled with each failure), so that it is not tried again at every heartbeat.
 */
final class WorkerReplacement {

    /** The pool's own logger: what becomes of a pool's workers is read in one place. */
    private static final System.Logger logger = System.getLogger(WorkerPool.class.getName());

    /**
     * How long a worker's signal waits before the pool acts on it: a signal to the whole process group
     * reaches this JVM at the same moment, whose shutdown has begun by then.
     */
    private static final Duration SIGNAL_SETTLE = Duration.ofMillis(500);

    private final WorkerPool pool;

    /** Apart from the crashes' backoff: failed recycling does not lengthen the wait after a crash, nor the reverse. */
    private final RestartBackoff backoff;

    private final AtomicLong replaced = new AtomicLong();

    WorkerReplacement(WorkerPool pool) {
        this.pool = pool;
        this.backoff = new RestartBackoff(pool.settings().supervision(), pool.settings().workers());
    }

    /**
     * A signal asked the worker to stop ({@code kill <pid>}: SIGTERM, SIGINT or SIGHUP). When it reached
     * the whole application (a terminal's Ctrl-C or its closing, a service manager's stop), this JVM is
     * shutting down by the time this looks, and the pool's stop, under way or to come, lets the worker
     * finish its work. When it was the worker's alone, the worker is replaced gracefully, as recycling does.
     */
    void signalled(PoolWorker worker, String signal) {
        this.pool.scheduleOrDrop(() -> {
            worker.signalSeen();
            if (this.pool.state() != WorkerPool.State.RUNNING || JvmShutdown.inProgress() || worker.isClosed()
                    || worker.isRetiring()) {
                logger.log(Level.DEBUG, worker + " received " + signal + " as its pool or this JVM stops");
                return;
            }
            recycle(worker, "it received " + signal);
        }, SIGNAL_SETTLE, "the replacement of a signalled worker");
    }

    /** Replaces the worker in the background, unless recycling must leave it alone for now or it is being replaced. */
    void recycle(PoolWorker worker, String reason) {
        if (worker.recycling().mayTryNow() && worker.recycling().claim()) {
            this.pool.executor().execute(() -> {
                try {
                    replaceNow(worker, reason);
                }
                catch (IpcException ex) {
                    // logged by replaceNow; the worker keeps working
                }
            });
        }
    }

    /**
     * Replaces the worker on this thread; false if it is being replaced already or gone.
     * @throws IpcException when the replacement could not start; the worker keeps working
     */
    boolean replace(PoolWorker worker, String reason) {
        return worker.recycling().claim() && replaceNow(worker, reason);
    }

    /**
     * Replaces every worker in turn, each after its predecessor's old worker has exited (or the stop
     * timeout and a little more have passed).
     * @throws IpcException when a replacement could not start, once every other worker was replaced
     */
    void rollingRestart() {
        IpcException failed = null;
        for (int slot = 0; slot < this.pool.slots().length(); slot++) {
            PoolWorker worker = this.pool.slots().get(slot);
            if (worker == null) {
                continue;
            }
            CompletableFuture<Integer> exited = worker.onExit();
            try {
                if (replace(worker, "rolling restart")) {
                    exited.orTimeout(this.pool.settings().stopTimeout().toMillis() + 5000, TimeUnit.MILLISECONDS)
                        .exceptionally((ex) -> null).join();
                }
            }
            catch (IpcException ex) {
                if (failed == null) {
                    failed = new IpcException("Rolling restart of pool '" + this.pool.name() + "' incomplete: "
                            + ex.getMessage(), ex);
                }
                else {
                    failed.addSuppressed(ex);
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    /** For a worker marked as being replaced ({@link WorkerRecycling#claim}). */
    private boolean replaceNow(PoolWorker worker, String reason) {
        PoolWorker replacement;
        boolean placed;
        try {
            replacement = this.pool.startWorker(worker.slot());
            this.pool.retiringWorkers().add(worker);
            placed = this.pool.place(replacement, worker);
            if (!placed && isUp() && this.pool.place(replacement, null)) {
                // the worker died while its replacement started: the replacement takes its empty slot,
                // where a restart would start another (or none, had its exit counted as expected)
                this.pool.retiringWorkers().remove(worker);
                placed = true;
            }
        }
        catch (RuntimeException ex) {
            throw failedToStart(worker, reason, ex);
        }
        if (!placed) {
            this.pool.retiringWorkers().remove(worker);
            replacement.stopProcess(Duration.ZERO);
            return false;
        }
        worker.retire(); // only now: retired while still in its slot, it would leave the pool a worker short meanwhile
        if (!isUp()) {
            // stop() took its list of workers before the replacement was in place: it is ours to stop
            replacement.stopProcess(Duration.ZERO);
        }
        this.replaced.incrementAndGet();
        this.backoff.reset(worker.slot());
        this.pool.slotFilled();
        logger.log(Level.INFO, "Replaced " + worker + " (" + reason + ") by " + replacement);
        // the kill is arranged first: asking a worker that does not read to exit waits until it reads
        // (with the pools closed meanwhile, their stop has taken this worker into its own list)
        this.pool.scheduleOrDrop(() -> worker.stopProcess(Duration.ZERO), this.pool.settings().stopTimeout(),
                "the kill of replaced " + worker.describeLowercase());
        worker.shutdown();
        return true;
    }

    private IpcException failedToStart(PoolWorker worker, String reason, RuntimeException ex) {
        this.pool.retiringWorkers().remove(worker);
        WorkerPool.State state = this.pool.state();
        if (state == WorkerPool.State.STOPPING || state == WorkerPool.State.STOPPED) {
            // why it failed: the stop closed the pool's socket, and it stops the worker too
            return new IpcException("Could not start a replacement for " + worker.describeLowercase() + " (" + reason
                    + "): pool '" + this.pool.name() + "' was stopped meanwhile", ex);
        }
        Duration retryIn = this.backoff.afterFailure(worker.slot(), Duration.ZERO);
        worker.recycling().abort(retryIn);
        String failure = "Could not start a replacement for " + worker.describeLowercase() + " (" + reason + "): "
                + ex.getMessage() + "; it keeps working";
        logger.log(Level.WARNING, failure + (this.pool.settings().recycling().isEnabled()
                ? " and recycling leaves it alone for " + retryIn.toMillis() + " ms" : ""));
        return new IpcException(failure, ex);
    }

    private boolean isUp() {
        WorkerPool.State state = this.pool.state();
        return state == WorkerPool.State.RUNNING || state == WorkerPool.State.DOWN;
    }

    /** How many healthy workers were replaced. */
    long replaced() {
        return this.replaced.get();
    }
}
