package io.ipcworkers.autoconfigure.event;

/** A worker JVM exited: crashed, was killed by supervision, was recycled, or stopped with its pool. */
public class WorkerExitedEvent extends IpcWorkersEvent {

    private static final long serialVersionUID = 1L;

    /** Why a worker exited. */
    public enum Cause {
        /** It exited unexpectedly (or closed its connection). */
        CRASHED,
        /** Supervision killed it: hung, handler timeout, protocol violation. */
        KILLED,
        /** It was replaced while healthy: recycling, rolling restart. */
        RECYCLED,
        /** Its pool stopped. */
        STOPPED
    }

    private final String worker;

    private final long pid;

    private final int exitCode;

    private final Cause cause;

    private final String description;

    public WorkerExitedEvent(String pool, String worker, long pid, int exitCode, Cause cause, String description) {
        super(pool);
        this.worker = worker;
        this.pid = pid;
        this.exitCode = exitCode;
        this.cause = cause;
        this.description = description;
    }

    public String getWorker() {
        return this.worker;
    }

    public long getPid() {
        return this.pid;
    }

    public int getExitCode() {
        return this.exitCode;
    }

    public Cause getCause() {
        return this.cause;
    }

    /** What happened, e.g. "exited with code 137" or "was killed (no heartbeat ...)". */
    public String getDescription() {
        return this.description;
    }

    @Override
    public String toString() {
        return "WorkerExitedEvent[" + this.worker + ", pid " + this.pid + ", " + this.cause + ": " + this.description + "]";
    }
}
