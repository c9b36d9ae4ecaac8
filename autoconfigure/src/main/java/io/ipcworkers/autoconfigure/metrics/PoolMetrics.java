package io.ipcworkers.autoconfigure.metrics;

import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

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
 * error, timeout, cancelled), with p50/p95/p99</li>
 * <li>{@code ipc.worker.starts}, {@code ipc.worker.exits} (tagged {@code cause}: crashed, killed,
 * recycled, stopped), {@code ipc.dead.letters} (tagged {@code topic}), {@code ipc.messages.moved}
 * (queued messages given back for idle workers), {@code ipc.listener.failures} (messages a parent
 * listener threw on, tagged {@code topic} and {@code exception}), {@code ipc.answers.lost} (a parent
 * listener's answers not sent because their worker had exited, tagged {@code topic})</li>
 * </ul>
 *
 * Topics become tag values: keep them to a fixed set, not ids. A worker's message on a topic no parent
 * listener takes arrives here as {@link PoolListener#UNHANDLED_TOPIC}, so a worker cannot add meters.
 * Gauges are in {@link PoolGauges}.
 */
public class PoolMetrics implements PoolListener {

    private final MeterRegistry registry;

    /*
     * Meters on the per-message path, cached by pool and topic: building one (its id and tags, then
     * the registry's lookup) cost several times what recording takes, on every message and request.
     */
    private final MeterCache<Counter> sent = new MeterCache<>(this::sentCounter);

    private final MeterCache<Counter> received = new MeterCache<>(this::receivedCounter);

    private final MeterCache<Timer> successes = new MeterCache<>((pool, topic) -> requestTimer(pool, topic, "success"));

    private final MeterCache<Timer> errors = new MeterCache<>((pool, topic) -> requestTimer(pool, topic, "error"));

    private final MeterCache<Timer> timeouts = new MeterCache<>((pool, topic) -> requestTimer(pool, topic, "timeout"));

    private final MeterCache<Timer> cancellations = new MeterCache<>((pool, topic) -> requestTimer(pool, topic, "cancelled"));

    public PoolMetrics(MeterRegistry registry) {
        Assert.notNull(registry, "'registry' must not be null");
        this.registry = registry;
    }

    @Override
    public void messageSent(String pool, String topic) {
        this.sent.get(pool, topic).increment();
    }

    @Override
    public void messageReceived(String pool, String topic) {
        this.received.get(pool, topic).increment();
    }

    @Override
    public void requestCompleted(String pool, String topic, long nanos, @Nullable Throwable failure) {
        MeterCache<Timer> outcome = (failure == null) ? this.successes
                : (failure instanceof IpcTimeoutException) ? this.timeouts
                : (failure instanceof CancellationException) ? this.cancellations : this.errors;
        outcome.get(pool, topic).record(nanos, TimeUnit.NANOSECONDS);
    }

    private Counter sentCounter(String pool, String topic) {
        return Counter.builder("ipc.messages.sent").description("Messages and requests sent to workers")
            .tag("pool", pool).tag("topic", topic).register(this.registry);
    }

    private Counter receivedCounter(String pool, String topic) {
        return Counter.builder("ipc.messages.received").description("Messages workers sent to the parent")
            .tag("pool", pool).tag("topic", topic).register(this.registry);
    }

    private Timer requestTimer(String pool, String topic, String outcome) {
        return Timer.builder("ipc.requests").description("Time from a request's call to its reply, a wait for room included")
            .tag("pool", pool).tag("topic", topic).tag("outcome", outcome)
            .publishPercentiles(0.5, 0.95, 0.99)
            .register(this.registry);
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

    @Override
    public void parentListenerFailed(String pool, String topic, Class<? extends Throwable> exception) {
        Counter.builder("ipc.listener.failures")
            .description("Messages from workers a parent @IpcListener threw on (each dropped)")
            .tag("pool", pool).tag("topic", topic).tag("exception", exception.getSimpleName())
            .register(this.registry).increment();
    }

    @Override
    public void messagesMoved(String pool, int count) {
        Counter.builder("ipc.messages.moved").description("Queued messages a worker gave back for idle workers")
            .tag("pool", pool).register(this.registry).increment(count);
    }

    @Override
    public void answerLost(String pool, String topic) {
        Counter.builder("ipc.answers.lost")
            .description("Answers of parent @IpcListener methods not sent because their worker had exited")
            .tag("pool", pool).tag("topic", topic).register(this.registry).increment();
    }

    /** Meters by pool, then topic: looked up without building a key per message. */
    private static final class MeterCache<M> {

        private final Map<String, Map<String, M>> byPool = new ConcurrentHashMap<>();

        private final BiFunction<String, String, M> create;

        MeterCache(BiFunction<String, String, M> create) {
            this.create = create;
        }

        M get(String pool, String topic) {
            Map<String, M> byTopic = this.byPool.get(pool);
            if (byTopic == null) {
                byTopic = this.byPool.computeIfAbsent(pool, (key) -> new ConcurrentHashMap<>());
            }
            M meter = byTopic.get(topic);
            if (meter == null) {
                meter = byTopic.computeIfAbsent(topic, (key) -> this.create.apply(pool, key));
            }
            return meter;
        }
    }
}
