package io.ipcworkers.autoconfigure.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.ipcworkers.IpcTimeoutException;
import io.ipcworkers.pool.PoolListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;
import org.springframework.util.Assert;

/**
 * Counts and times what happens in pools, as Micrometer meters tagged with {@code pool}:
 *
 * <ul>
 * <li>{@code ipc.messages.sent}, {@code ipc.messages.received} (also tagged {@code topic})</li>
 * <li>{@code ipc.requests}: request latency, tagged {@code topic} and {@code outcome} (success,
 * error, timeout), with p50/p95/p99</li>
 * <li>{@code ipc.worker.starts}, {@code ipc.worker.exits} (tagged {@code cause}: crashed, killed,
 * recycled, stopped), {@code ipc.dead.letters} (tagged {@code topic})</li>
 * </ul>
 *
 * Topics become tag values: keep them to a fixed set, not ids. A worker's message on a topic no parent
 * listener takes arrives here as {@link PoolListener#UNHANDLED_TOPIC}, so a worker cannot add meters.
 * Gauges are in {@link PoolGauges}.
 */
public class PoolMetrics implements PoolListener {

    private final MeterRegistry registry;

    /** Meters on the per-message path, cached: building and registering one per message costs too much. */
    private final Map<String, Counter> sent = new ConcurrentHashMap<>();

    private final Map<String, Counter> received = new ConcurrentHashMap<>();

    public PoolMetrics(MeterRegistry registry) {
        Assert.notNull(registry, "'registry' must not be null");
        this.registry = registry;
    }

    @Override
    public void messageSent(String pool, String topic) {
        this.sent.computeIfAbsent(pool + '\0' + topic, (key) -> Counter.builder("ipc.messages.sent")
            .description("Messages and requests sent to workers")
            .tag("pool", pool).tag("topic", topic).register(this.registry)).increment();
    }

    @Override
    public void messageReceived(String pool, String topic) {
        this.received.computeIfAbsent(pool + '\0' + topic, (key) -> Counter.builder("ipc.messages.received")
            .description("Messages workers sent to the parent")
            .tag("pool", pool).tag("topic", topic).register(this.registry)).increment();
    }

    @Override
    public void requestCompleted(String pool, String topic, long nanos, @Nullable Throwable failure) {
        String outcome = (failure == null) ? "success" : (failure instanceof IpcTimeoutException) ? "timeout" : "error";
        Timer.builder("ipc.requests").description("Time from request to reply")
            .tag("pool", pool).tag("topic", topic).tag("outcome", outcome)
            .publishPercentiles(0.5, 0.95, 0.99)
            .register(this.registry)
            .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    @Override
    public void workerStarted(String pool, String worker, long pid) {
        Counter.builder("ipc.worker.starts").description("Worker JVMs started")
            .tag("pool", pool).register(this.registry).increment();
    }

    @Override
    public void workerExited(String pool, String worker, long pid, int exitCode, String cause, String description) {
        Counter.builder("ipc.worker.exits").description("Worker JVMs that exited, by cause")
            .tag("pool", pool).tag("cause", cause).register(this.registry).increment();
    }

    @Override
    public void deadLetter(String pool, String topic) {
        Counter.builder("ipc.dead.letters").description("Messages given up for good")
            .tag("pool", pool).tag("topic", topic).register(this.registry).increment();
    }
}
