package io.ipcworkers;

/**
 * The listener that handled a request threw. Exceptions do not cross the process boundary as
 * objects: this one carries the remote exception's class name and message.
 */
public class RemoteListenerException extends IpcException {

    private static final long serialVersionUID = 1L;

    private final String remoteExceptionType;

    public RemoteListenerException(String message, String remoteExceptionType) {
        super(message);
        this.remoteExceptionType = remoteExceptionType;
    }

    /** The class name of the exception the listener threw. */
    public String getRemoteExceptionType() {
        return this.remoteExceptionType;
    }
}
