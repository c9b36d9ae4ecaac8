package io.ipcworkers;

import org.jspecify.annotations.Nullable;

/**
 * Base class of every exception this library throws for a problem with a worker, a message or the
 * channel between them. Unchecked, like Spring's own data-access and messaging exceptions.
 */
public class IpcException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public IpcException(String message) {
        super(message);
    }

    public IpcException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
