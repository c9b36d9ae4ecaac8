package io.ipcworkers;

/**
 * A wait for a message or a reply ran past its time limit. Nothing was consumed: a message that
 * arrives later is still delivered to the next {@code getNextMessage} call.
 */
public class IpcTimeoutException extends IpcException {

    private static final long serialVersionUID = 1L;

    public IpcTimeoutException(String message) {
        super(message);
    }
}
