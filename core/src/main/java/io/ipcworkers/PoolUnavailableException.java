package io.ipcworkers;

/**
 * A pool cannot take the message now, and says why: it is down after too many crashes (and when it
 * retries), stopping, every worker is busy past the acquire timeout (or, for a request, past its timeout
 * when that ends first), or too many callers already wait.
 */
public class PoolUnavailableException extends IpcException {

    private static final long serialVersionUID = 1L;

    public PoolUnavailableException(String message) {
        super(message);
    }
}
