package io.ipcworkers;

/**
 * A message on a topic that the pool's workers have no {@link IpcListener} for: {@link MessageBus#send}
 * and {@link MessageBus#broadcast} throw it before sending anything, and a request's future fails with it.
 */
public class NoListenerException extends IpcException {

    private static final long serialVersionUID = 1L;

    public NoListenerException(String message) {
        super(message);
    }
}
