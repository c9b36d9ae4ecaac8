package io.ipcworkers.autoconfigure.event;

/** A worker JVM started and is ready for messages (at pool start, after a restart, or as a replacement). */
public class WorkerStartedEvent extends IpcWorkersEvent {

    private static final long serialVersionUID = 1L;

    private final String worker;

    private final long pid;

    public WorkerStartedEvent(String pool, String worker, long pid) {
        super(pool);
        this.worker = worker;
        this.pid = pid;
    }

    /** The worker's name, e.g. {@code thumbnails-2}. */
    public String getWorker() {
        return this.worker;
    }

    public long getPid() {
        return this.pid;
    }

    @Override
    public String toString() {
        return "WorkerStartedEvent[" + this.worker + ", pid " + this.pid + "]";
    }
}
