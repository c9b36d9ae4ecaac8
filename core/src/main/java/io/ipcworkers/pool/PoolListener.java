package io.ipcworkers.pool;

import org.jspecify.annotations.Nullable;

/**
 * Told what happens in a pool: for metrics, application events and logs. Called on pool threads
 * (reader, timer, caller), so implementations must be quick and must not throw.
 */
public interface PoolListener {

    default void workerStarted(String pool, String worker, long pid) {
    }

    /**
     * @param cause {@code crashed}, {@code killed}, {@code recycled} or {@code stopped}
     * @param description what happened, e.g. "exited with code 137"
     */
    default void workerExited(String pool, String worker, long pid, int exitCode, String cause, String description) {
    }

    default void poolDown(String pool, String reason) {
    }

    default void poolUp(String pool) {
    }

    /** A message or request went to a worker. */
    default void messageSent(String pool, String topic) {
    }

    /** A worker sent a message to the parent's listeners. */
    default void messageReceived(String pool, String topic) {
    }

    /** A request was answered, failed or timed out. */
    default void requestCompleted(String pool, String topic, long nanos, @Nullable Throwable failure) {
    }

    default void deadLetter(String pool, String topic) {
    }
}
