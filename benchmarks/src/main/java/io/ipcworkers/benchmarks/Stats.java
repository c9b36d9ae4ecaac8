package io.ipcworkers.benchmarks;

import java.util.Arrays;

/** Percentiles and medians of measured samples. */
final class Stats {

    private Stats() {
    }

    static double percentile(long[] samples, double fraction) {
        long[] sorted = samples.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
    }

    static double median(double[] samples) {
        double[] sorted = samples.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
