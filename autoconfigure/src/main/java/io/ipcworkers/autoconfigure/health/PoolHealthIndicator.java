package io.ipcworkers.autoconfigure.health;

import io.ipcworkers.pool.PoolSnapshot;
import io.ipcworkers.pool.WorkerPool;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.util.Assert;

/**
 * Health of one pool: UP while it runs (details say how many of its workers are running now), DOWN
 * when it was marked down after too many crashes (with the reason), OUT_OF_SERVICE while stopping
 * or stopped, UNKNOWN while starting.
 */
public class PoolHealthIndicator implements HealthIndicator {

    private final WorkerPool pool;

    public PoolHealthIndicator(WorkerPool pool) {
        Assert.notNull(pool, "'pool' must not be null");
        this.pool = pool;
    }

    @Override
    public Health health() {
        PoolSnapshot snapshot = this.pool.snapshot();
        Health.Builder builder = switch (this.pool.state()) {
            case RUNNING -> Health.up();
            case DOWN -> Health.down().withDetail("reason", String.valueOf(snapshot.downReason()));
            case STOPPING, STOPPED -> Health.outOfService();
            case NEW, STARTING -> Health.unknown();
        };
        return builder.withDetail("state", snapshot.state())
            .withDetail("workers", snapshot.runningWorkers() + "/" + snapshot.configuredWorkers())
            .withDetail("inFlight", snapshot.inFlight())
            .withDetail("restarts", snapshot.restarts())
            .build();
    }
}
