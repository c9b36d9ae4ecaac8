package io.ipcworkers.pool;

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

    /** How often it has been handed to a worker, this delivery included. */
    int deliveries;

    /** Set when this message itself is why its worker was killed (handler timeout): it is not redelivered. */
    volatile @Nullable RuntimeException failure;

    InFlight(long id, Message message, @Nullable CompletableFuture<Message> reply) {
        this.id = id;
        this.message = message;
        this.reply = reply;
    }

    String topic() {
        return this.message.topic();
    }

    boolean isRequest() {
        return this.reply != null;
    }
}
