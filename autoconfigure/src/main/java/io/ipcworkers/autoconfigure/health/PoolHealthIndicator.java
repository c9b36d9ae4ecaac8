package io.ipcworkers.autoconfigure.health;

import java.util.stream.Collectors;

import io.ipcworkers.pool.PoolSnapshot;
import io.ipcworkers.pool.WorkerPool;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.util.Assert;

/**
 * Health of one pool: UP while it runs with at least one worker ready (details say how many), DOWN
 * while it runs with none ready (each being restarted or started: messages wait for one) and when it
 * was marked down after too many crashes (both with the reason), OUT_OF_SERVICE while stopping or
 * stopped, UNKNOWN while starting.
 */
public class PoolHealthIndicator implements HealthIndicator {

    private final WorkerPool pool;

    public PoolHealthIndicator(WorkerPool pool) {
        Assert.notNull(pool, "'pool' must not be null");
        this.pool = pool;
    }

    @Override
    public Health health() {
        // one snapshot, so that the status and the details describe the same moment
        PoolSnapshot snapshot = this.pool.snapshot();
        Health.Builder builder = switch (WorkerPool.State.valueOf(snapshot.state())) {
            case RUNNING -> (snapshot.runningWorkers() > 0) ? Health.up()
                    : Health.down().withDetail("reason", noWorkerReady(snapshot));
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

    private static String noWorkerReady(PoolSnapshot snapshot) {
        return snapshot.workers()
            .stream()
            .map((worker) -> worker.name() + " " + worker.state())
            .collect(Collectors.joining(", ", "no worker is ready (", ")"));
    }
}
