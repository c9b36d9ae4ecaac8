package io.ipcworkers.autoconfigure.actuate;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.ipcworkers.PoolUnavailableException;
import io.ipcworkers.UnknownPoolException;
import io.ipcworkers.pool.PoolSnapshot;
import io.ipcworkers.pool.WorkerPool;
import io.ipcworkers.pool.WorkerPools;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * {@code /actuator/ipcworkers}: every pool and worker (pid, state, uptime, messages handled, in
 * flight, restarts, last exit, heap and RSS); {@code POST /actuator/ipcworkers/{pool}} restarts a
 * pool (a rolling restart that also starts workers waiting out a restart backoff, or a recovery when
 * it is down), or with {@code {"pid": 1234}} one worker.
 */
@Endpoint(id = "ipcworkers")
public class IpcWorkersEndpoint {

    private final WorkerPools pools;

    public IpcWorkersEndpoint(WorkerPools pools) {
        this.pools = pools;
    }

    /** Every pool. */
    @ReadOperation
    public PoolsDescriptor pools() {
        Map<String, PoolSnapshot> snapshots = new LinkedHashMap<>();
        for (WorkerPool pool : this.pools.pools()) {
            snapshots.put(pool.name(), pool.snapshot());
        }
        return new PoolsDescriptor(snapshots);
    }

    /** One pool; 404 when there is no such pool. */
    @ReadOperation
    public @Nullable PoolSnapshot pool(@Selector String pool) {
        WorkerPool found = find(pool);
        return (found != null) ? found.snapshot() : null;
    }

    /**
     * Restarts a pool, or one of its workers. A running pool's workers are replaced one at a time,
     * and a worker waiting out its restart backoff (its slot empty after a crash) is started at once;
     * a pool that is down is brought back.
     * @param pool the pool
     * @param pid a worker to restart; without it, the whole pool
     * @return what was done (also when that worker is being replaced already); null (404) when
     *     there is no such pool or worker
     * @throws io.ipcworkers.IpcException when a replacement could not start, or the pool is not
     *     running (over HTTP, a 503 saying why: {@link IpcWorkersEndpointWebExtension}); the workers
     *     it names keep working
     */
    @WriteOperation
    public @Nullable RestartResult restart(@Selector String pool, @Nullable Long pid) {
        WorkerPool found = find(pool);
        if (found == null) {
            return null;
        }
        if (pid != null) {
            if (found.restartWorker(pid)) {
                return new RestartResult(pool, "worker " + pid + " replaced", found.snapshot());
            }
            return found.workerPids().contains(pid)
                    ? new RestartResult(pool, "worker " + pid + " is being replaced already", found.snapshot()) : null;
        }
        WorkerPool.State state = found.state();
        if (state == WorkerPool.State.DOWN) {
            found.restart();
            return new RestartResult(pool, "pool restarted after being down", found.snapshot());
        }
        if (state != WorkerPool.State.RUNNING) {
            throw new PoolUnavailableException("Pool '" + pool + "' is " + state.name().toLowerCase(Locale.ROOT)
                    + "; only a running or down pool can be restarted");
        }
        found.rollingRestart();
        // a slot still empty after the replacements waits out its restart backoff: not for an operator
        long waiting = emptySlots(found);
        if (waiting == 0) {
            return new RestartResult(pool, "rolling restart completed", found.snapshot());
        }
        found.restart();
        String workers = (waiting == 1) ? " worker" : " workers";
        return new RestartResult(pool, "rolling restart completed; " + waiting + workers
                + " waiting out a restart backoff started now", found.snapshot());
    }

    private static long emptySlots(WorkerPool pool) {
        return pool.snapshot().workers().stream().filter((worker) -> worker.pid() == null).count();
    }

    private @Nullable WorkerPool find(String pool) {
        try {
            return this.pools.pool(pool);
        }
        catch (UnknownPoolException ex) {
            return null;
        }
    }

    /** The endpoint's response: pools by name. */
    public record PoolsDescriptor(Map<String, PoolSnapshot> pools) {
    }

    /** What a restart did, and the pool afterwards. */
    public record RestartResult(String pool, String action, PoolSnapshot state) {
    }
}
