package io.ipcworkers.pool;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.ipcworkers.channel.Durations;
import io.ipcworkers.launch.LaunchedChild;
import org.jspecify.annotations.Nullable;

/**
 * How one pool worker's process ends: asked to (a SHUTDOWN, its stdin closed, a kill at the stop
 * timeout), killed for a reason, or of itself; what is reported of it once its connection has ended;
 * and when its pool has recorded that.
 */
final class WorkerEnd {

    /** How long a worker whose connection ended is given to be reaped before its exit is reported. */
    static final long EXIT_WAIT_MILLIS = 2000;

    /**
     * How long a worker whose connection ended may take to be seen exiting before it is taken for one
     * that kept running and killed. Generous: a JVM ending on a loaded machine took over 500 ms from its
     * socket's end to its reaping, and was reported as killed instead of with its own exit code. A
     * worker that exits is seen at once; only one that really kept running waits the whole time. Not for
     * a worker asked to exit, which has the stop timeout ({@link #closeToExitMillis}).
     */
    private static final long CLOSE_TO_EXIT_MILLIS = 2000;

    private final LaunchedChild child;

    private final Duration stopTimeout;

    private volatile @Nullable String killReason;

    /**
     * Whether the worker was asked to exit (a SHUTDOWN sent, or its stdin closed): its connection then
     * ends while its JVM still exits (its shutdown hooks, a class data archive written at exit), and
     * whoever asked kills it at the stop timeout, not its reader at once.
     */
    private volatile boolean asked;

    /** How the worker ended, once its pool has been told; set under the pool's lifecycle lock. */
    private volatile LaunchedChild.@Nullable ExitReport gone;

    /** Counted down once the pool has recorded the worker's exit: its slot, its messages, the events. */
    private final CountDownLatch recorded = new CountDownLatch(1);

    WorkerEnd(LaunchedChild child, Duration stopTimeout) {
        this.child = child;
        this.stopTimeout = stopTimeout;
    }

    /** The worker is asked to finish what it was given and exit. */
    void asked() {
        this.asked = true;
    }

    /** Kills the worker; its exit is reported with the reason. */
    void kill(String reason) {
        this.killReason = reason;
        this.child.kill();
    }

    /** Why the worker was killed; null unless it was. */
    @Nullable String killReason() {
        return this.killReason;
    }

    /** Stops the process: closes its stdin (it exits at once), then SIGKILL after the grace period. */
    void stopProcess(Duration grace) {
        this.asked = true;
        this.child.closeStdin();
        try {
            if (!this.child.process().waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                this.child.kill();
                this.child.process().waitFor(2, TimeUnit.SECONDS);
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            this.child.kill();
        }
    }

    /**
     * A write to the worker failed. Usually it died: its exit follows at once. One that lives on with
     * its end of the connection broken could never take work again and may not end the stream: it is
     * killed, unless its connection has ended meanwhile ({@code closed}), which reports it as it is.
     * Blocks: not for a reader thread.
     */
    void killIfItLivesOn(IOException failure, BooleanSupplier closed) {
        awaitExit(closeToExitMillis());
        if (!closed.getAsBoolean() && this.child.process().isAlive()) {
            kill("could not be written to (" + failure.getMessage() + ") but kept running");
        }
    }

    /**
     * The worker's connection ended; how its process ended. A dying process closes its socket a moment
     * before it is reaped, and one that dies with messages it has not read yet resets it instead
     * ("Connection reset"): neither is the worker's doing, so it is given time to exit. One still alive
     * after that can do nothing useful without its connection, and is killed.
     * @param cause null when the worker closed the connection, an {@link IOException} when it broke, or
     *     what the worker did against the protocol
     */
    LaunchedChild.ExitReport connectionEnded(@Nullable Throwable cause) {
        boolean peerGone = cause == null || cause instanceof IOException; // protocol violations are IpcExceptions
        if (peerGone && this.killReason == null) {
            awaitExit(closeToExitMillis());
        }
        if (this.child.process().isAlive()) {
            if (this.killReason == null) {
                this.killReason = (cause == null) ? "closed its connection but kept running"
                        : peerGone ? "lost its connection (" + cause.getMessage() + ") but kept running"
                        : "broke the protocol: " + cause.getMessage();
            }
            this.child.kill();
        }
        return this.child.exitReport(EXIT_WAIT_MILLIS);
    }

    /** How long a worker whose connection ended may take to exit before it is killed for living on. */
    private long closeToExitMillis() {
        return this.asked ? TimeUnit.NANOSECONDS.toMillis(Durations.cappedNanos(this.stopTimeout))
                : CLOSE_TO_EXIT_MILLIS;
    }

    private void awaitExit(long millis) {
        try {
            this.child.process().waitFor(millis, TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** Notes that the pool has been told of the worker's exit; called under the pool's lifecycle lock. */
    void markGone(LaunchedChild.ExitReport report) {
        this.gone = report;
    }

    /** How the worker ended, once its pool has been told; null while it runs. */
    LaunchedChild.@Nullable ExitReport gone() {
        return this.gone;
    }

    /** The pool has done all it does when the worker is gone. */
    void recorded() {
        this.recorded.countDown();
    }

    /**
     * Waits until the pool has recorded the worker's exit, or the deadline ({@link System#nanoTime()});
     * at once on the worker's own {@code reader}, which records it (a parent listener that stops the pool).
     */
    void awaitRecorded(long deadline, @Nullable Thread reader) throws InterruptedException {
        if (Thread.currentThread() != reader) {
            this.recorded.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }
}
