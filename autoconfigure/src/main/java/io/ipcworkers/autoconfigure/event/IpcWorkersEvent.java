package io.ipcworkers.autoconfigure.event;

import org.springframework.context.ApplicationEvent;

/** Base of the application events ipc-workers publishes; the source is the pool's name. */
public abstract class IpcWorkersEvent extends ApplicationEvent {

    private static final long serialVersionUID = 1L;

    protected IpcWorkersEvent(String pool) {
        super(pool);
    }

    /** The pool the event is about. */
    public String getPool() {
        return (String) getSource();
    }
}
