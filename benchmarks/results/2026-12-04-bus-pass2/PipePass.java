package io.ipcworkers.benchmarks;

import java.time.Duration;
import java.util.List;

import io.ipcworkers.ProcessOutput;
import io.ipcworkers.codec.MessageCodec;
import io.ipcworkers.dispatch.ListenerRegistry;
import io.ipcworkers.launch.LauncherSettings;
import io.ipcworkers.pool.PoolSettings;
import io.ipcworkers.pool.WorkerPools;

/**
 * Pipelined typed requests (1,000 outstanding) into a pool of N: a warm-up of 40,000, then passes of 200,000.
 * With {@code -Dsend=true}, the official run's order for {@code bus_pipelined_requests_Nw} instead: one-way passes
 * of 100,000 and 500,000, a warm-up of 40,000, then the passes. {@code -Dwargs="..."}: the workers' JVM options.
 */
public class PipePass {
    public static void main(String[] args) throws Exception {
        int workers = Integer.parseInt(args[0]);
        int passes = Integer.parseInt(args[1]);
        String wargs = System.getProperty("wargs");
        Benchmarks.Counts counts = new Benchmarks.Counts();
        ListenerRegistry registry = ListenerRegistry.forParent();
        registry.registerAnnotatedMethods(counts);
        PoolSettings settings = PoolSettings.of("bench", workers, BenchWorker.class.getName())
            .withRequestTimeout(Duration.ofMinutes(5)).withLimits(256, 10_000, Duration.ofMinutes(5));
        try (WorkerPools pools = new WorkerPools(List.of(settings), new LauncherSettings(64 << 20, Duration.ofMinutes(2),
                ProcessOutput.discard(), (wargs == null) ? List.of() : List.of(wargs.split(" "))),
                MessageCodec.withDefaultMapper(), registry)) {
            pools.start();
            if (Boolean.getBoolean("send")) {
                Benchmarks.oneWay(pools, counts, Benchmarks.ONE_WAY / 5);
                Benchmarks.oneWay(pools, counts, Benchmarks.ONE_WAY);
            }
            Benchmarks.pipelined(pools, 40_000);
            StringBuilder out = new StringBuilder(workers + "w");
            for (int p = 0; p < passes; p++) {
                out.append(' ').append(Benchmarks.pipelined(pools, 200_000));
            }
            System.out.println(out);
        }
    }
}
