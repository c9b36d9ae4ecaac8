package io.ipcworkers;

import java.util.Collection;
import java.util.TreeSet;

/** A message was addressed to a pool that is not configured. */
public class UnknownPoolException extends IpcException {

    private static final long serialVersionUID = 1L;

    public UnknownPoolException(String pool, Collection<String> knownPools) {
        super("Unknown pool '" + pool + "'; known pools: " + new TreeSet<>(knownPools)
                + " (declare it under ipc.pools." + pool + ")");
    }
}
