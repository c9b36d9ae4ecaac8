package io.ipcworkers.autoconfigure;

import io.ipcworkers.pool.WorkerPools;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the pools once the context is refreshed and stops them gracefully when it closes. Its
 * phase puts it before the web server on start and after it on stop: requests that arrive while
 * the server drains can still use the bus.
 */
class WorkerPoolsLifecycle implements SmartLifecycle {

    /** Earlier than the web server's start and graceful-shutdown phases. */
    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private final WorkerPools pools;

    private final boolean autoStartup;

    private volatile boolean running;

    WorkerPoolsLifecycle(WorkerPools pools, boolean autoStartup) {
        this.pools = pools;
        this.autoStartup = autoStartup;
    }

    @Override
    public void start() {
        this.pools.start();
        this.running = true;
    }

    @Override
    public void stop() {
        try {
            this.pools.stop();
        }
        finally {
            this.running = false;
        }
    }

    @Override
    public boolean isRunning() {
        return this.running;
    }

    @Override
    public boolean isAutoStartup() {
        return this.autoStartup;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
