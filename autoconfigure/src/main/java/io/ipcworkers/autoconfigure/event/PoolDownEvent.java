package io.ipcworkers.autoconfigure.event;

/** A pool was marked down after too many crashes; sends fail fast until it is up again. */
public class PoolDownEvent extends IpcWorkersEvent {

    private static final long serialVersionUID = 1L;

    private final String reason;

    public PoolDownEvent(String pool, String reason) {
        super(pool);
        this.reason = reason;
    }

    public String getReason() {
        return this.reason;
    }
}
