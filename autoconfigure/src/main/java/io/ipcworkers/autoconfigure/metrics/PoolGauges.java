package io.ipcworkers.autoconfigure.metrics;

import java.util.function.ToLongFunction;

import io.ipcworkers.pool.PoolSnapshot.WorkerSnapshot;
import io.ipcworkers.pool.WorkerPool;
import io.ipcworkers.pool.WorkerPools;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.util.Assert;

/**
 * The state of each pool as gauges and function counters, tagged with {@code pool}:
 * {@code ipc.messages.in.flight}, {@code ipc.callers.waiting} (queue depth),
 * {@code ipc.workers.running}, {@code ipc.worker.restarts}, {@code ipc.frames.bytes} (tagged
 * {@code direction}: in, out), and the memory of the pool's workers, summed over them:
 * {@code ipc.workers.heap.used} and {@code ipc.workers.memory.resident} (from their last heartbeats) and
 * {@code ipc.workers.heap.max} (the most heap each may take, as each told when ready).
 */
public class PoolGauges implements MeterBinder {

    private final WorkerPools pools;

    public PoolGauges(WorkerPools pools) {
        Assert.notNull(pools, "'pools' must not be null");
        this.pools = pools;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (WorkerPool pool : this.pools.pools()) {
            Gauge.builder("ipc.messages.in.flight", pool, WorkerPool::inFlight)
                .description("Messages handed to workers and not yet acknowledged").tag("pool", pool.name())
                .register(registry);
            Gauge.builder("ipc.callers.waiting", pool, WorkerPool::waitingCallers)
                .description("Callers waiting for a worker with room").tag("pool", pool.name()).register(registry);
            Gauge.builder("ipc.workers.running", pool, (p) -> p.snapshot().runningWorkers())
                .description("Workers running and ready").tag("pool", pool.name()).register(registry);
            FunctionCounter.builder("ipc.worker.restarts", pool, WorkerPool::restartCount)
                .description("Workers restarted after a crash").tag("pool", pool.name()).register(registry);
            FunctionCounter.builder("ipc.frames.bytes", pool, WorkerPool::bytesRead).baseUnit("bytes")
                .description("Frame bytes on the wire").tag("pool", pool.name()).tag("direction", "in")
                .register(registry);
            FunctionCounter.builder("ipc.frames.bytes", pool, WorkerPool::bytesWritten).baseUnit("bytes")
                .description("Frame bytes on the wire").tag("pool", pool.name()).tag("direction", "out")
                .register(registry);
            Gauge.builder("ipc.workers.heap.used", pool, (p) -> sum(p, WorkerSnapshot::heapUsedBytes)).baseUnit("bytes")
                .description("Heap used by the pool's workers").tag("pool", pool.name()).register(registry);
            Gauge.builder("ipc.workers.heap.max", pool, (p) -> sum(p, PoolGauges::maxHeapBytes)).baseUnit("bytes")
                .description("The most heap the pool's workers may take").tag("pool", pool.name()).register(registry);
            Gauge.builder("ipc.workers.memory.resident", pool, (p) -> sum(p, WorkerSnapshot::residentBytes))
                .baseUnit("bytes").description("Resident memory of the pool's worker processes").tag("pool", pool.name())
                .register(registry);
        }
    }

    /** In a double, as a gauge reads it: the figures are the workers' word, so a sum of longs could overflow. */
    private static double sum(WorkerPool pool, ToLongFunction<WorkerSnapshot> figure) {
        return pool.snapshot().workers().stream().mapToDouble(figure::applyAsLong).sum();
    }

    private static long maxHeapBytes(WorkerSnapshot worker) {
        Long bytes = worker.maxHeapBytes();
        return (bytes != null) ? bytes : 0;
    }
}
