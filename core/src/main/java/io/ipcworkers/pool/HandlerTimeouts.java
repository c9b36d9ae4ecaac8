package io.ipcworkers.pool;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.ipcworkers.IpcTimeoutException;
import io.ipcworkers.channel.Durations;
import org.jspecify.annotations.Nullable;

/**
 * Kills a pool's workers whose current message has run past the handler timeout, failing that message
 * with a timeout naming its topic. One timer per pool, armed for when the longest-running message comes
 * due (one handler timeout ahead when no worker runs any, since a message starting later comes due later
 * still), so a worker is killed at the timeout rather than at the next heartbeat interval's check, and
 * nothing is done per message.
 */
final class HandlerTimeouts implements Runnable {

    private final WorkerPool pool;

    private final ScheduledExecutorService scheduler;

    private final Duration timeout;

    private final long timeoutNanos;

    /** The timer pending; guarded by this. */
    private @Nullable ScheduledFuture<?> timer;

    /** Guarded by this. */
    private boolean stopped = true;

    HandlerTimeouts(WorkerPool pool, ScheduledExecutorService scheduler, Duration timeout) {
        this.pool = pool;
        this.scheduler = scheduler;
        this.timeout = timeout;
        this.timeoutNanos = Durations.cappedNanos(timeout);
    }

    synchronized void start() {
        this.stopped = false;
        this.timer = arm(this.timeoutNanos);
    }

    synchronized void stop() {
        this.stopped = true;
        ScheduledFuture<?> pending = this.timer;
        if (pending != null) {
            pending.cancel(false);
            this.timer = null;
        }
    }

    @Override
    public void run() {
        long next = this.timeoutNanos;
        try {
            next = killOverdue(System.nanoTime());
        }
        finally {
            // armed again whatever happened: a scheduled task that throws is never run again
            synchronized (this) {
                if (!this.stopped) {
                    this.timer = arm(next);
                }
            }
        }
    }

    /** @return nanoseconds until the next running message comes due, at most one handler timeout */
    private long killOverdue(long now) {
        long next = this.timeoutNanos;
        for (PoolWorker worker : this.pool.allWorkers()) {
            // held back: we are not reading it, so its message's run time says nothing (it restarts on resuming)
            if (!worker.isReady() || worker.isClosed() || worker.isHeldBack()) {
                continue;
            }
            InFlight running = worker.running();
            if (running == null) {
                continue;
            }
            long left = this.timeoutNanos - worker.headRunningNanos(now);
            if (left < 0) {
                kill(worker, running);
            }
            else {
                next = Math.min(next, left);
            }
        }
        return next;
    }

    private void kill(PoolWorker worker, InFlight running) {
        String reason = "its listener for '" + running.topic() + "' ran longer than the handler timeout of "
                + this.timeout;
        worker.killForRunning(running, reason, new IpcTimeoutException("Handler for '" + running.topic() + "' on "
                + worker.describeLowercase() + " ran longer than the handler timeout of " + this.timeout
                + "; the worker was killed and is replaced"));
    }

    private @Nullable ScheduledFuture<?> arm(long delayNanos) {
        try {
            return this.scheduler.schedule(this, delayNanos, TimeUnit.NANOSECONDS);
        }
        catch (RejectedExecutionException ex) {
            return null; // the pools are closing: their workers stop
        }
    }
}
