package io.ipcworkers;

import org.jspecify.annotations.Nullable;

/**
 * The other side broke the wire protocol: a malformed, truncated or oversized frame, or a failed
 * handshake. The connection it arrived on is closed; other connections are unaffected.
 */
public class IpcProtocolException extends IpcException {

    private static final long serialVersionUID = 1L;

    public IpcProtocolException(String message) {
        super(message);
    }

    public IpcProtocolException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
