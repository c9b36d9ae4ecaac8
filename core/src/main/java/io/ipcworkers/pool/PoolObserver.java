package io.ipcworkers.pool;

import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.ToIntFunction;

import org.jspecify.annotations.Nullable;

/**
 * Runs around what the {@link io.ipcworkers.MessageBus} does for its callers and around each call of
 * an {@code @IpcListener} method, to observe them: the Spring Boot starter's Micrometer observations
 * ({@code ipc.observation-enabled}) are one. Unlike a {@link PoolListener}, which is told afterwards, an
 * observer wraps the work on the caller's thread, so that it can see what that thread is doing (a trace
 * it is part of), make it visible to the listener's code, and carry it to the worker: what it puts in
 * the headers of a send or request goes with the message, and a worker's observer
 * ({@link io.ipcworkers.worker.ConnectedParentProcess#observeWith}) gets them in {@link #listen}.
 * <p>
 * Each method must call what it is given exactly once, on the thread it was called on, and return
 * what that returned or throw what it threw.
 */
public interface PoolObserver {

    /**
     * A {@link io.ipcworkers.MessageBus#send} or {@link io.ipcworkers.MessageBus#broadcast}; an answer a
     * listener sends from inside {@link #listen} (its return value for a plain send, or in the parent a
     * message to its worker, {@link io.ipcworkers.ChildProcess#sendMessage}); in a worker, a message its
     * code sends the parent ({@link io.ipcworkers.ParentProcess#sendMessage}).
     * @param pool the pool, or in a worker its own
     * @param broadcast whether the message goes to every worker
     * @param sending sends it with the headers given (empty for none); returns how many workers it
     *     reached (1 for a send)
     */
    int send(String pool, String topic, boolean broadcast, ToIntFunction<Map<String, String>> sending);

    /**
     * A {@link io.ipcworkers.MessageBus#request}: {@code requesting} sends it with the headers given
     * (empty for none) and returns the caller's future, which is to be returned as it is (a caller may
     * cancel it); it completes later, on the thread that reads the reply.
     */
    <T> CompletableFuture<T> request(String pool, String topic,
            Function<Map<String, String>, CompletableFuture<T>> requesting);

    /**
     * A listener's call, with the headers its message was sent with: in the parent, of a parent listener
     * on a message of a worker of the pool (or on a {@link io.ipcworkers.DeadLetter} of it, without
     * headers), on the pool's listener thread, only when a parent listener takes the topic; in a worker,
     * of its listener on a message of the parent.
     * @return what the listener returned
     */
    @Nullable Object listen(String pool, String topic, Map<String, String> headers,
            Callable<@Nullable Object> listening) throws Exception;
}
