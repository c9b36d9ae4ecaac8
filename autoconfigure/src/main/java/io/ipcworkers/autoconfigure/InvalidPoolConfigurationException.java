package io.ipcworkers.autoconfigure;

import io.ipcworkers.IpcException;
import org.jspecify.annotations.Nullable;

/**
 * A pool's configuration cannot work. Carries what {@link InvalidPoolConfigurationFailureAnalyzer}
 * reports: the pool, the property, what is wrong and how to fix it.
 */
public class InvalidPoolConfigurationException extends IpcException {

    private static final long serialVersionUID = 1L;

    private final String pool;

    private final String property;

    private final String action;

    public InvalidPoolConfigurationException(String pool, String property, String problem, String action,
            @Nullable Throwable cause) {
        super("Invalid configuration of pool '" + pool + "': " + property + " " + problem, cause);
        this.pool = pool;
        this.property = property;
        this.action = action;
    }

    public String getPool() {
        return this.pool;
    }

    /** The full property name, e.g. {@code ipc.pools.thumbnails.workers}. */
    public String getProperty() {
        return this.property;
    }

    /** How to fix it. */
    public String getAction() {
        return this.action;
    }
}
