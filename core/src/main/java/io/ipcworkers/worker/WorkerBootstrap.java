package io.ipcworkers.worker;

import io.ipcworkers.dispatch.ListenerRegistry;

/**
 * Boots a worker class that is a Spring configuration. Found with {@link java.util.ServiceLoader};
 * the Spring Boot auto-configuration module provides the implementation, so core stays Spring-free.
 */
public interface WorkerBootstrap {

    /**
     * Starts the worker's application context, makes {@code parent} injectable in it, and registers
     * the {@code @IpcListener} methods of its beans.
     * @return closes the context when the worker stops
     */
    AutoCloseable start(Class<?> configuration, ConnectedParentProcess parent, ListenerRegistry registry)
            throws Exception;
}
