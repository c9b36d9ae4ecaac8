package io.ipcworkers.pool;

import org.jspecify.annotations.Nullable;

/**
 * Told what happens in a pool: for metrics, application events and logs. Called on pool threads
 * (reader, timer, caller), so implementations must be quick and must not throw.
 */
public interface PoolListener {

    /**
     * The topic reported for a worker's message that no parent listener takes: a worker's topics are
     * untrusted, and one that made up a new topic per message must not grow the parent's meters.
     */
    String UNHANDLED_TOPIC = "(unhandled)";

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

    /**
     * A worker sent a message to the parent's listeners.
     * @param topic its topic if a parent listener takes it, else {@link #UNHANDLED_TOPIC}
     */
    default void messageReceived(String pool, String topic) {
    }

    /** A request was answered, failed or timed out. */
    default void requestCompleted(String pool, String topic, long nanos, @Nullable Throwable failure) {
    }

    default void deadLetter(String pool, String topic) {
    }

    /**
     * A parent {@code @IpcListener} threw on a message from one of the pool's workers; the message is
     * dropped (and logged, a line for several when they come fast).
     * @param exception the class of what it threw
     */
    default void parentListenerFailed(String pool, String topic, Class<? extends Throwable> exception) {
    }

    /** A worker gave back {@code count} queued messages, to be routed again to idle workers. */
    default void messagesMoved(String pool, int count) {
    }

    /**
     * A parent {@code @IpcListener}'s answer to a worker's message (its return value, or a message it
     * sent that worker) was not sent: the worker had exited. Its other messages are still handled.
     * @param topic the topic of the worker's message that was being answered
     */
    default void answerLost(String pool, String topic) {
    }
}
