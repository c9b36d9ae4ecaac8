package io.ipcworkers.channel;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import io.ipcworkers.IpcTimeoutException;
import io.ipcworkers.Message;
import org.jspecify.annotations.Nullable;

/**
 * Received messages waiting for {@code getNextMessage}. Bounded: when it is full the reader thread
 * waits, the socket buffer fills and the sender blocks, so a fast sender cannot exhaust this
 * side's memory. Once closed, messages already queued are still handed out; after them every
 * waiter gets the failure that says why the channel ended.
 */
public final class Inbox {

    private static final int DEFAULT_CAPACITY = 8192;

    private final ReentrantLock lock = new ReentrantLock();

    private final Condition notEmpty = this.lock.newCondition();

    private final Condition notFull = this.lock.newCondition();

    private final ArrayDeque<Message> messages = new ArrayDeque<>();

    private final int capacity;

    private final String description;

    private @Nullable Supplier<? extends RuntimeException> closedFailure;

    private @Nullable RuntimeException failure;

    /** @param description names the sender in timeout messages, e.g. "child 1234" */
    public Inbox(String description) {
        this(description, DEFAULT_CAPACITY);
    }

    Inbox(String description, int capacity) {
        this.description = description;
        this.capacity = capacity;
    }

    /** Queues a message, waiting while the inbox is full. Drops it only when the inbox is closed. */
    public void deliver(Message message) throws InterruptedException {
        this.lock.lock();
        try {
            while (this.messages.size() >= this.capacity && this.closedFailure == null) {
                this.notFull.await();
            }
            this.messages.add(message);
            this.notEmpty.signal();
        }
        finally {
            this.lock.unlock();
        }
    }

    /**
     * Marks the end of the stream. The supplier runs at most once, when the first waiter finds the
     * inbox drained, so it may take a moment (for example to learn a process's exit code).
     */
    public void close(Supplier<? extends RuntimeException> failure) {
        this.lock.lock();
        try {
            if (this.closedFailure == null) {
                this.closedFailure = failure;
                this.notEmpty.signalAll();
                this.notFull.signalAll();
            }
        }
        finally {
            this.lock.unlock();
        }
    }

    /**
     * The next message, waiting at most {@code timeout} ({@code null}: no limit).
     * @throws IpcTimeoutException when none arrived in time
     * @throws RuntimeException the close failure once the inbox is closed and drained
     */
    public Message take(@Nullable Duration timeout) {
        Supplier<? extends RuntimeException> closed;
        this.lock.lock();
        try {
            long remaining = (timeout != null) ? timeout.toNanos() : Long.MAX_VALUE;
            while (this.messages.isEmpty() && this.closedFailure == null) {
                if (timeout == null) {
                    this.notEmpty.await();
                }
                else if (remaining <= 0) {
                    throw new IpcTimeoutException("No message from " + this.description + " within " + timeout);
                }
                else {
                    remaining = this.notEmpty.awaitNanos(remaining);
                }
            }
            Message message = this.messages.poll();
            if (message != null) {
                this.notFull.signal();
                return message;
            }
            closed = this.closedFailure;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new io.ipcworkers.IpcException("Interrupted while waiting for a message from " + this.description, ex);
        }
        finally {
            this.lock.unlock();
        }
        throw failure(closed);
    }

    private synchronized RuntimeException failure(Supplier<? extends RuntimeException> closed) {
        if (this.failure == null) {
            this.failure = closed.get();
        }
        return this.failure;
    }

    /** Whether messages are queued; for tests and diagnostics. */
    public int size() {
        this.lock.lock();
        try {
            return this.messages.size();
        }
        finally {
            this.lock.unlock();
        }
    }

}
