package io.ipcworkers.pool;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.ipcworkers.Message;
import org.jspecify.annotations.Nullable;

/**
 * A message handed to a worker and not yet acknowledged. Kept whole, so that it can be redelivered
 * to another worker if this one dies. A plain send has no reply future.
 */
final class InFlight {

    final long id;

    final Message message;

    final @Nullable CompletableFuture<Message> reply;

    /** A request's {@link System#nanoTime()} deadline for its reply; it keeps it when redelivered. */
    final long deadlineNanos;

    /** A request's timeout, the pool's or its own, for the exception that says it passed; null for a send. */
    final @Nullable Duration timeout;

    /**
     * For the worker it was given to (a broadcast's copy, a message a parent listener sends its sender):
     * never moved to another by rebalancing.
     */
    final boolean pinned;

    /** What goes with it to its worker ({@link io.ipcworkers.codec.MessageHeaders}, encoded), kept for a redelivery; null for none. */
    final byte @Nullable [] headers;

    /** How often it has been handed to a worker, this delivery included. */
    int deliveries;

    /** Set when this message itself is why its worker was killed (handler timeout): it is not redelivered. */
    volatile @Nullable RuntimeException failure;

    /** A plain send, to the worker routing picks. */
    InFlight(long id, Message message, byte @Nullable [] headers) {
        this(id, message, null, 0, null, false, headers);
    }

    /** A plain send to one worker in particular. */
    static InFlight pinned(long id, Message message, byte @Nullable [] headers) {
        return new InFlight(id, message, null, 0, null, true, headers);
    }

    /** A request, to be answered by its deadline. */
    InFlight(long id, Message message, @Nullable CompletableFuture<Message> reply, long deadlineNanos,
            @Nullable Duration timeout, byte @Nullable [] headers) {
        this(id, message, reply, deadlineNanos, timeout, false, headers);
    }

    private InFlight(long id, Message message, @Nullable CompletableFuture<Message> reply, long deadlineNanos,
            @Nullable Duration timeout, boolean pinned, byte @Nullable [] headers) {
        this.id = id;
        this.headers = headers;
        this.pinned = pinned;
        this.message = message;
        this.reply = reply;
        this.deadlineNanos = deadlineNanos;
        this.timeout = timeout;
    }

    String topic() {
        return this.message.topic();
    }

    boolean isRequest() {
        return this.reply != null;
    }

    /** A request whose caller has its answer already: a reply, a failure or its timeout. */
    boolean isAnswered() {
        return this.reply != null && this.reply.isDone();
    }
}
