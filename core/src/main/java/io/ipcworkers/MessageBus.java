package io.ipcworkers;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import tools.jackson.core.type.TypeReference;
import org.jspecify.annotations.Nullable;

/**
 * Sends topic messages to pools of worker JVMs. With the Spring Boot starter, pools are declared
 * under {@code ipc.pools.<name>} and this bus is a bean:
 *
 * <pre>{@code
 * bus.send("thumbnails", "resize", job);                        // to one worker of the pool
 * bus.broadcast("thumbnails", "reload-config", null);           // to every live worker
 * Thumbnail t = bus.request("thumbnails", "resize", job, Thumbnail.class).get();
 * List<Thumbnail> all = bus.request("thumbnails", "resize-all", jobs, new TypeReference<List<Thumbnail>>() {}).get();
 * }</pre>
 *
 * <p>Every method throws at once, before anything is sent: {@link UnknownPoolException} (naming the
 * known pools) for a pool that does not exist, {@link PoolUnavailableException} when the pool is down,
 * stopping, or has no worker with room within its acquire timeout (a request: within its own timeout,
 * if that ends first; a broadcast may have reached some
 * workers by then, and says how many), and {@link PayloadConversionException} (naming the topic and
 * the payload's type) for a payload that cannot be written as JSON. {@link #send} and {@link #broadcast}
 * also throw {@link NoListenerException} (naming the topics the pool's workers listen to) for a topic
 * none of them listens to; a {@link #request} for one fails its future with it.
 */
public interface MessageBus {

    /**
     * Sends a message to one worker of the pool, chosen by the pool's routing. Returns once it is
     * queued on that worker's connection (written at once when it is idle, else batched with the
     * messages that follow); the pool keeps it until the worker acknowledges it, so a worker that dies
     * first does not lose it silently. What the worker's listener returns comes back to the parent's
     * listeners; if the listener throws, or the payload does not convert to its parameter, the message
     * becomes a {@link DeadLetter} saying why (the worker prints the stack trace). A message waits
     * its turn behind its worker's running listener: least-busy routing passes over a worker whose
     * listener has run long while the others' queues are short ({@link io.ipcworkers.pool.Routing}),
     * and {@code max-in-flight: 1} sends only to idle workers.
     */
    void send(String pool, String topic, @Nullable Object payload);

    /**
     * Sends a message to every live worker of the pool that listens to the topic; returns how many
     * received it (a worker that dies meanwhile is not counted: its replacement starts afresh). Each
     * copy takes room on its worker as {@link #send} does, so a full worker gets its copy once one of
     * its messages finishes; if one stays full past the pool's acquire timeout, this throws
     * {@link PoolUnavailableException} saying how many workers the message reached.
     */
    int broadcast(String pool, String topic, @Nullable Object payload);

    /**
     * Sends a request to one worker and completes with its listener's return value converted to
     * {@code replyType}; with {@code Message.class}, the reply message itself, its payload still
     * JSON until read (no conversion cost when the reply is only passed on: a {@code Message} given as
     * a payload stands for its payload, see {@link Message#of}). The future fails with
     * {@link IpcTimeoutException} after the pool's request timeout, {@link ProcessExitedException}
     * when the worker dies first, {@link RemoteListenerException} when the listener throws,
     * {@link NoListenerException} when no listener handles the topic, and
     * {@link PayloadConversionException} when the payload does not convert to the listener's
     * parameter type or the reply to {@code replyType}.
     * <p>
     * A caller blocked in {@code get} or {@code join} on the returned future reads the worker's
     * replies on its own thread while no other thread does, as does a caller of {@code send} or
     * {@code request} waiting for room in the pool. Callbacks attached before the reply arrives run
     * on the thread that reads the worker's replies (the pool's, or such a caller's): use the
     * {@code ...Async} variants for work that blocks or makes further requests.
     * <p>
     * Cancelling the returned future withdraws the request if its worker has read it ahead and not
     * started it (a worker reads ahead while a listener runs long): it is not run. One the worker has
     * started, or not read yet, runs, and its answer is dropped; {@code cancel(true)} also interrupts
     * the listener's thread if it is running the request, once the worker reads the parent's word (it
     * reads while a listener runs, every 20 ms). A listener that ignores interrupts runs on; the worker
     * goes on with its next message when it returns.
     */
    <T> CompletableFuture<T> request(String pool, String topic, @Nullable Object payload, Class<T> replyType);

    /**
     * As {@link #request(String, String, Object, Class)}, for a reply of a generic type:
     * {@code bus.request("thumbnails", "resize-all", jobs, new TypeReference<List<Thumbnail>>() {})}.
     * This default converts the reply message in a stage derived from the {@code Message.class}
     * request; the pools' bus converts it as the other method does.
     */
    default <T> CompletableFuture<T> request(String pool, String topic, @Nullable Object payload,
            TypeReference<T> replyType) {
        return request(pool, topic, payload, Message.class).thenApply((reply) -> reply.payloadAs(replyType));
    }

    /**
     * As {@link #request(String, String, Object, Class)}, with a timeout of its own in place of the
     * pool's request timeout, longer or shorter; counted, as the pool's, from this call, so that a wait
     * for room (every worker full) takes from it and ends with it, and carried to the worker, which does
     * not run a request it reaches after it:
     * {@code bus.request("thumbnails", "resize", job, Thumbnail.class, Duration.ofSeconds(2))}.
     * @throws IllegalArgumentException for a timeout that is not positive
     */
    <T> CompletableFuture<T> request(String pool, String topic, @Nullable Object payload, Class<T> replyType,
            Duration timeout);

    /**
     * As {@link #request(String, String, Object, TypeReference)}, with a timeout of its own in place
     * of the pool's request timeout (see {@link #request(String, String, Object, Class, Duration)}).
     */
    default <T> CompletableFuture<T> request(String pool, String topic, @Nullable Object payload,
            TypeReference<T> replyType, Duration timeout) {
        return request(pool, topic, payload, Message.class, timeout).thenApply((reply) -> reply.payloadAs(replyType));
    }
}
