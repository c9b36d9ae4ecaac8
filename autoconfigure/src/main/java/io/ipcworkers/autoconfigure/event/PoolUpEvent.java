package io.ipcworkers.autoconfigure.event;

/** A pool that was down runs again (after its cool-down, or an explicit restart). */
public class PoolUpEvent extends IpcWorkersEvent {

    private static final long serialVersionUID = 1L;

    public PoolUpEvent(String pool) {
        super(pool);
    }
}
