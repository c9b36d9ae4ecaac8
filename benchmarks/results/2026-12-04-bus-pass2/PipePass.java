package io.ipcworkers.benchmarks;

import java.time.Duration;
import java.util.List;

/** Pipelined typed requests (1,000 outstanding) into a pool of N: a warm-up of 40,000, then passes of 200,000. */
public class PipePass {
    public static void main(String[] args) throws Exception {
        int workers = Integer.parseInt(args[0]);
        int passes = Integer.parseInt(args[1]);
        try (io.ipcworkers.pool.WorkerPools pools = Benchmarks.pools(workers, BenchWorker.class.getName(), new Benchmarks.Counts())) {
            pools.start();
            Benchmarks.pipelined(pools, 40_000);
            StringBuilder out = new StringBuilder(workers + "w");
            for (int p = 0; p < passes; p++) {
                out.append(' ').append(Benchmarks.pipelined(pools, 200_000));
            }
            System.out.println(out);
        }
    }
}
