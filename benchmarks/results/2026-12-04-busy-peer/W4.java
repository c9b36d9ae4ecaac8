package io.ipcworkers.benchmarks;

import io.ipcworkers.pool.WorkerPools;

public class W4 {
    public static void main(String[] args) throws Exception {
        int[] ws = new int[args.length];
        for (int i = 0; i < args.length; i++) ws[i] = Integer.parseInt(args[i]);
        for (int workers : ws) {
            Benchmarks.Counts counts = new Benchmarks.Counts();
            try (WorkerPools pools = Benchmarks.pools(workers, BenchWorker.class.getName(), counts)) {
                pools.start();
                Benchmarks.oneWay(pools, counts, Benchmarks.ONE_WAY / 5);


                long t = Benchmarks.oneWay(pools, counts, Benchmarks.ONE_WAY);
                System.out.printf("%dw %,d msg/s%n", workers, t);
            }
        }
    }
}
