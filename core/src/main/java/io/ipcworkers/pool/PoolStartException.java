package io.ipcworkers.pool;

import io.ipcworkers.IpcException;

/** A pool could not start its workers; names the pool, and the cause quotes the worker's stderr. */
public class PoolStartException extends IpcException {

    private static final long serialVersionUID = 1L;

    private final String pool;

    public PoolStartException(String pool, Throwable cause) {
        super("Pool '" + pool + "' could not start: " + cause.getMessage(), cause);
        this.pool = pool;
    }

    public String getPool() {
        return this.pool;
    }
}
