package io.ipcworkers.benchmarks;

import java.time.Duration;
import java.util.List;

import io.ipcworkers.Message;
import io.ipcworkers.codec.MessageCodec;
import io.ipcworkers.dispatch.ListenerRegistry;
import io.ipcworkers.launch.LauncherSettings;
import io.ipcworkers.ProcessOutput;
import io.ipcworkers.pool.PoolSettings;
import io.ipcworkers.pool.WorkerPools;

/**
 * The bus section's order (start, round trips, one-way pass 1, pass 2), pass 2 printed; max-in-flight from args[0].
 * With -Dchild=true (item 65) the ChildProcess section and the bus section's five spawns come first, in this JVM,
 * as Benchmarks runs them.
 */
public class BusPass {
    static final boolean CHILD = Boolean.getBoolean("child");
    static final boolean SAME = Boolean.getBoolean("same");
    static final Ping ONE = new Ping(12345);

    static long sameOneWay(WorkerPools pools, Benchmarks.Counts counts, int total) {
        long started = System.nanoTime();
        for (int i = 0; i < total; i++) {
            pools.send("bench", "t", ONE);
        }
        io.ipcworkers.pool.WorkerPool pool = pools.pool("bench");
        counts.byWorker.clear();
        int workers = pools.broadcast("bench", "end", null);
        while (counts.byWorker.size() < workers || pool.inFlight() != 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(20_000);
        }
        long handled = counts.byWorker.values().stream().mapToLong(Long::longValue).sum();
        long elapsed = System.nanoTime() - started;
        if (handled != total) throw new IllegalStateException("handled " + handled);
        return Math.round(total / (elapsed / 1e9));
    }

    public static void main(String[] args) throws Exception {
        int maxInFlight = Integer.parseInt(args[0]);
        int passes = (args.length > 1) ? Integer.parseInt(args[1]) : 2;
        if (CHILD) {
            System.out.println("child " + Benchmarks.childProcessFigures(Benchmarks.Payloads.OBJECTS).get("throughput_msgs_s"));
            System.out.println("spawn " + Benchmarks.spawnMillis(BenchWorker.class.getName()));
        }
        Benchmarks.Counts counts = new Benchmarks.Counts();
        ListenerRegistry registry = ListenerRegistry.forParent();
        registry.registerAnnotatedMethods(counts);
        PoolSettings settings = PoolSettings.of("bench", 1, BenchWorker.class.getName()).withRequestTimeout(Duration.ofMinutes(5))
            .withLimits(maxInFlight, 10_000, Duration.ofMinutes(5));
        try (WorkerPools pools = new WorkerPools(List.of(settings), new LauncherSettings(64 << 20, Duration.ofMinutes(2),
                ProcessOutput.discard(), System.getProperty("wargs") == null ? List.of() : List.of(System.getProperty("wargs").split(" "))), MessageCodec.withDefaultMapper(), registry)) {
            pools.start();
            Benchmarks.roundTrips(pools, "ping", Message.class);
            StringBuilder out = new StringBuilder("passes");
            io.ipcworkers.pool.WorkerPool sp = pools.pool("bench");
            int[] hist = new int[6];
            java.util.concurrent.atomic.AtomicBoolean sampling = new java.util.concurrent.atomic.AtomicBoolean();
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    if (sampling.get()) {
                        int f = sp.inFlight();
                        hist[f == 0 ? 0 : f < 64 ? 1 : f < 128 ? 2 : f < 192 ? 3 : f < 250 ? 4 : 5]++;
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                }
            });
            sampler.setDaemon(true);
            sampler.start();
            for (int p = 0; p < passes; p++) {
                sampling.set(p == 1);
                System.out.println("pass " + p + " begins " + java.time.Instant.now());
                long t = SAME ? sameOneWay(pools, counts, Benchmarks.ONE_WAY) : Benchmarks.oneWay(pools, counts, Benchmarks.ONE_WAY);
                out.append(' ').append(t);
            }
            System.out.println(out + " inflight 0/<64/<128/<192/<250/>=250: " + java.util.Arrays.toString(hist));
        }
    }
}
