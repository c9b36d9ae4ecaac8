package io.ipcworkers;

/** A request reached a worker that has no {@link IpcListener} for its topic. */
public class NoListenerException extends IpcException {

    private static final long serialVersionUID = 1L;

    public NoListenerException(String message) {
        super(message);
    }
}
