package io.ipcworkers.benchmarks;

/** The workload's small payload: {@code {"n": i}}. */
public record Ping(long n) {
}
