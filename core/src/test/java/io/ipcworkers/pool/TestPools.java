package io.ipcworkers.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import io.ipcworkers.ProcessOutput;
import io.ipcworkers.codec.MessageCodec;
import io.ipcworkers.dispatch.ListenerRegistry;
import io.ipcworkers.launch.LauncherSettings;

/**
 * Pools the pool tests start of their own: small {@link EchoWorker}s, one or two of them kept busy, and
 * what they ran.
 */
final class TestPools {

    private TestPools() {
    }

    /** A crashed worker is restarted after 50 ms; heartbeats every second. */
    static final PoolSettings.Supervision QUICK_RESTART = new PoolSettings.Supervision(Duration.ofMillis(50),
            Duration.ofSeconds(1), 10, Duration.ofMinutes(1), Duration.ofSeconds(30), Duration.ofSeconds(1),
            Duration.ofSeconds(10), Duration.ZERO);

    /** Workers of 64 MiB heap, their output on the console. */
    static LauncherSettings launcher() {
        return new LauncherSettings(1 << 20, Duration.ofSeconds(30), ProcessOutput.console(), List.of("-Xmx64m"));
    }

    /** {@code count} requests of {@code longMillis} and as many of 1 ms, sent at once, one of each in turn. */
    static void sendAlternately(WorkerPools busy, int count, long longMillis,
            List<CompletableFuture<Long>> longOnes, List<CompletableFuture<Long>> shortOnes) {
        for (int i = 0; i < count; i++) {
            longOnes.add(busy.request("busy", "sleep", longMillis, Long.class));
            shortOnes.add(busy.request("busy", "sleep", 1, Long.class));
        }
    }

    /** {@code count} requests of {@code millis} each, sent at once. */
    static List<CompletableFuture<Long>> sleeps(WorkerPools busy, int count, long millis) {
        List<CompletableFuture<Long>> jobs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            jobs.add(busy.request("busy", "sleep", millis, Long.class));
        }
        return jobs;
    }

    /** A pool of two {@link EchoWorker}s, started, for tests of routing. */
    static WorkerPools twoWorkers() {
        return twoWorkers(UnaryOperator.identity());
    }

    static WorkerPools twoWorkers(UnaryOperator<PoolSettings> settings, PoolListener... listeners) {
        return busyPool(2, settings, listeners);
    }

    /** A pool "busy" of {@link EchoWorker}s, started. */
    static WorkerPools busyPool(int workers, UnaryOperator<PoolSettings> settings, PoolListener... listeners) {
        WorkerPools busy = new WorkerPools(List.of(settings.apply(PoolSettings.of("busy", workers, EchoWorker.class.getName()))),
                launcher(), MessageCodec.withDefaultMapper(), ListenerRegistry.forParent(), List.of(listeners));
        try {
            busy.start();
        }
        catch (RuntimeException ex) {
            busy.close(); // a worker that did start must not outlive the test
            throw ex;
        }
        return busy;
    }

    /** Requests and messages the pool's current workers have run. */
    static long handledByPool(WorkerPool pool) {
        return pool.snapshot().workers().stream().mapToLong(PoolSnapshot.WorkerSnapshot::messagesHandled).sum();
    }

    /** How many of the {@code sleep} requests each worker ran, by its pid. */
    static Map<Long, Integer> jobsByWorker(List<CompletableFuture<Long>> jobs) throws Exception {
        Map<Long, Integer> jobsByWorker = new HashMap<>();
        for (CompletableFuture<Long> job : jobs) {
            jobsByWorker.merge(job.get(10, TimeUnit.SECONDS), 1, Integer::sum);
        }
        return jobsByWorker;
    }

    /**
     * Forty requests one after another, each {@code millis} long, so that the pool's typical time per
     * message comes near that: its first sample, a fresh worker's first message, may be far longer.
     */
    static void settleTypicalTime(WorkerPools busy, int millis) throws Exception {
        for (int i = 0; i < 40; i++) {
            busy.request("busy", "sleep", millis, Long.class).get(10, TimeUnit.SECONDS);
        }
    }
}
